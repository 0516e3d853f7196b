"""The warm build server (generator/daemon/): a build or check it runs is the
one run in a fresh process, byte for byte and word for word; a stale, dead or
hung server never serves; Ctrl+C and a killed client leave nothing half made.

Each test has a runtime folder of its own and stops every server started in it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.build.manifest import check_folder, files_under, sha256_of
from generator.build.staging import is_stage
from generator.daemon import client
from tests.conftest import REPO, WUSHUI

GONGWEN = str(Path(sys.executable).parent / "gongwen")
WUHE = REPO / "data" / "wuhe" / "2024"


def _servers(folder: str) -> list[int]:
    """The server processes started for this runtime folder (found by their environment)."""
    found = []
    mark = f"GONGWEN_RUNTIME_DIR={folder}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if mark in environ and b"cli.serve()" in command:
            found.append(int(entry))
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def _wait(condition: Callable[[], object], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A runtime folder of this test's (short: a socket's path is limited),
    the daemon switched on; every server started in it stopped afterwards."""
    folder = tempfile.mkdtemp(prefix="gwd-", dir="/tmp")
    monkeypatch.setenv("GONGWEN_RUNTIME_DIR", folder)
    monkeypatch.delenv("GONGWEN_NO_DAEMON", raising=False)
    try:
        yield folder
    finally:
        for log in Path(folder).glob("*/server.log"):  # shown when the test fails
            print(log.read_text("utf-8"))
        deadline = time.monotonic() + 60
        while _servers(folder):
            client.stop()
            time.sleep(0.1)
            if time.monotonic() > deadline:
                for pid in _servers(folder):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


def _gongwen(*args: str, cwd: Path, direct: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if direct:
        env["GONGWEN_NO_DAEMON"] = "1"
    return subprocess.run(
        [GONGWEN, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _log() -> str:
    where = client.place()
    assert where is not None
    return Path(where.log).read_text("utf-8") if os.path.exists(where.log) else ""


def _served() -> int:
    """How many commands the servers of this folder have run."""
    return _log().count(" for client ")


def _server() -> int:
    """The pid of the running server, once it listens."""
    found: list[int] = []

    def answered() -> bool:
        found.append(client.status() or 0)
        return bool(found[-1])

    _wait(answered, "no server started")
    return found[-1]


def _started(tmp_path: Path) -> int:
    """A first build (run here) that leaves a server; its pid."""
    first = _gongwen("check", str(WUSHUI), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    return _server()


def _built(out: Path) -> dict[str, str]:
    return {name: sha256_of(out / name) for name in files_under(out)}


def test_a_served_build_is_the_build_run_here_byte_for_byte(runtime: str, tmp_path: Path) -> None:
    for name in ("direct", "served"):
        (tmp_path / name).mkdir()
    direct = _gongwen("build", str(WUSHUI), "--out", "out", cwd=tmp_path / "direct", direct=True)
    assert direct.returncode == 0, direct.stderr
    assert not _servers(runtime) and _served() == 0  # switched off: none started
    server = _started(tmp_path)
    served = _gongwen("build", str(WUSHUI), "--out", "out", cwd=tmp_path / "served")
    assert _served() == 1 and client.status() == server
    # The same words (the relative --out resolved in the client's folder) and status,
    assert (served.returncode, served.stdout, served.stderr) == (
        direct.returncode,
        direct.stdout,
        direct.stderr,
    )
    assert "已生成" in served.stdout and "警告" in served.stderr
    # and the same files, byte for byte: DOCX, PDF, manifest, batch fingerprint.
    out = tmp_path / "served" / "out"
    assert sorted(files_under(out)) == [
        ".inputs",
        "manifest.json",
        "wushui-2024.docx",
        "wushui-2024.pdf",
    ]
    assert _built(out) == _built(tmp_path / "direct" / "out")
    # The server lays nothing out itself, holds no thread (it forks), and is private.
    assert os.listdir(f"/proc/{server}/task") == [str(server)]
    where = client.place()
    assert where is not None
    assert os.stat(where.folder).st_mode & 0o777 == 0o700
    assert os.stat(where.socket).st_mode & 0o777 == 0o600


def test_errors_through_the_server_are_the_errors_run_here(
    runtime: str, tmp_path: Path, dataset_copy: Path
) -> None:
    policy = dataset_copy / "policy.yaml"
    policy.write_text(policy.read_text("utf-8") + "\nyear: [\n", "utf-8")
    _started(tmp_path)
    cases = [
        ("build", str(dataset_copy)),  # a YAML error: file, line, in Chinese; status 1
        ("check", str(dataset_copy)),
        ("build", str(tmp_path / "无此目录")),
        ("build",),  # a usage error: status 2
        ("build", "--help"),
    ]
    for args in cases:
        before = _served()
        direct = _gongwen(*args, cwd=tmp_path, direct=True)
        served = _gongwen(*args, cwd=tmp_path)
        assert _served() == before + 1, args
        assert (served.returncode, served.stdout, served.stderr) == (
            direct.returncode,
            direct.stdout,
            direct.stderr,
        ), args
        assert "Traceback" not in served.stderr
    assert direct.returncode == 0 and "用法" in direct.stdout
    assert not any(is_stage(p) for p in dataset_copy.parent.rglob("*"))


def test_a_stale_server_never_serves_and_is_replaced(runtime: str, tmp_path: Path) -> None:
    first = _started(tmp_path)
    # A file of the package changes (an upgrade, an edit): the server's code is old.
    changed = REPO / "generator" / "writers" / "weasyprint_internals" / "ua.css"
    times = os.stat(changed)
    expected = _gongwen("build", str(WUSHUI), "--out", "direct", cwd=tmp_path, direct=True)
    try:
        os.utime(changed, ns=(times.st_atime_ns, times.st_mtime_ns + 1_000_000))
        result = _gongwen("build", str(WUSHUI), "--out", "after-change", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert _served() == 0 and "stale" in _log()  # refused, built here
        _wait(lambda: _gone(first), "the stale server did not leave")
        second = _server()  # the build started a fresh one
        assert second != first
        again = _gongwen("build", str(WUSHUI), "--out", "fresh-server", cwd=tmp_path)
        assert again.returncode == 0 and _served() == 1
    finally:
        os.utime(changed, ns=(times.st_atime_ns, times.st_mtime_ns))
    # Changed back: the second server is stale in turn.
    back = _gongwen("build", str(WUSHUI), "--out", "changed-back", cwd=tmp_path)
    assert back.returncode == 0 and _served() == 1
    _wait(lambda: _gone(second), "the second server did not leave")
    for out in ("after-change", "fresh-server", "changed-back"):
        assert _built(tmp_path / out) == _built(tmp_path / "direct"), out
    assert result.stdout.replace("after-change", "direct") == expected.stdout


def test_a_server_started_under_other_settings_is_not_used(
    runtime: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _started(tmp_path)
    monkeypatch.setenv("PYTHONHASHSEED", "7")  # read once, when Python starts
    result = _gongwen("check", str(WUSHUI), cwd=tmp_path)
    assert result.returncode == 0 and _served() == 0
    _wait(lambda: _gone(first), "the stale server did not leave")


def test_a_dead_or_hung_server_is_not_waited_for(runtime: str, tmp_path: Path) -> None:
    where = client.place()
    assert where is not None
    expected = _gongwen("build", str(WUSHUI), "--out", "direct", cwd=tmp_path, direct=True)
    # Dead: its socket is left, nobody listens.
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(where.socket)
    dead.close()
    result = _gongwen("build", str(WUSHUI), "--out", "dead", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _built(tmp_path / "dead") == _built(tmp_path / "direct")
    _server()  # it started one, which replaced the dead one's socket
    client.stop()
    _wait(lambda: not _servers(runtime), "the server did not stop")
    # Hung: it takes connections and never answers; it is ended, the build runs here.
    hung = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, sys, time\n"
            "s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)\n"
            "print('ready', flush=True); time.sleep(300)",
            where.socket,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert hung.stdout is not None and hung.stdout.readline() == "ready\n"
        result = _gongwen("build", str(WUSHUI), "--out", "hung", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert hung.wait(timeout=30) == -signal.SIGTERM
    finally:
        hung.kill()
        hung.wait()
    assert _built(tmp_path / "hung") == _built(tmp_path / "direct")
    assert result.stdout.replace("hung", "direct") == expected.stdout


def test_concurrent_served_builds_of_different_data_sets(runtime: str, tmp_path: Path) -> None:
    _started(tmp_path)
    env = dict(os.environ)
    running = {
        dataset.parent.name: subprocess.Popen(
            [GONGWEN, "build", str(dataset), "--out", f"served-{dataset.parent.name}"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for dataset in (WUSHUI, WUHE)
    }
    for name, process in running.items():
        _, error = process.communicate(timeout=300)
        assert process.returncode == 0, (name, error)
    assert _served() == 2
    for dataset in (WUSHUI, WUHE):
        name = dataset.parent.name
        direct = _gongwen(
            "build", str(dataset), "--out", f"direct-{name}", cwd=tmp_path, direct=True
        )
        assert direct.returncode == 0
        assert _built(tmp_path / f"served-{name}") == _built(tmp_path / f"direct-{name}")


def test_a_served_batch_is_the_batch_run_here(runtime: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for office in ("甲镇", "乙镇"):
        shutil.copytree(WUSHUI, data / office / "2024")
    _started(tmp_path)
    direct = _gongwen("build", str(data), "--out", "direct", cwd=tmp_path, direct=True)
    served = _gongwen("build", str(data), "--out", "served", cwd=tmp_path)
    assert _served() == 1
    assert served.returncode == direct.returncode == 0
    # Data sets are reported as they finish, in either order.
    for stream in ("stdout", "stderr"):
        lines = getattr(served, stream).replace("→ served/", "→ direct/").splitlines()
        assert sorted(lines) == sorted(getattr(direct, stream).splitlines()), stream
    for office in ("甲镇", "乙镇"):
        built = _built(tmp_path / "served" / office / "2024")
        assert built == _built(tmp_path / "direct" / office / "2024"), office


def _stages(parent: Path) -> list[Path]:
    return [p for p in parent.iterdir() if is_stage(p)] if parent.is_dir() else []


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["Ctrl+C", "SIGKILL"])
def test_a_served_build_interrupted_or_orphaned_leaves_nothing_half_made(
    how: signal.Signals, runtime: str, tmp_path: Path, dataset_copy: Path
) -> None:
    server = _started(tmp_path)
    out = tmp_path / "output" / "wushui" / "2024"
    first = _gongwen("build", str(dataset_copy), "--out", str(out), cwd=tmp_path)
    assert first.returncode == 0
    organisation = dataset_copy / "organisation.yaml"  # the next build's files differ
    organisation.write_text(organisation.read_text("utf-8").replace("胡玉萍", "胡玉平"), "utf-8")
    landed = []
    for attempt, delay in enumerate((0.0, 0.0, 0.05, 0.1, 0.0, 0.2)):
        previous = _built(out)
        process = subprocess.Popen(
            [GONGWEN, "build", str(dataset_copy), "--out", str(out)],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a process group of its own, as a terminal's job
        )

        def started(build: subprocess.Popen[str] = process) -> bool:
            return bool(_stages(out.parent)) or build.poll() is not None

        _wait(started, "no staging folder")
        time.sleep(delay)
        os.killpg(process.pid, how)  # Ctrl+C reaches the terminal's foreground group
        _, error = process.communicate(timeout=120)

        # The build the server forked for it has ended, however it ended.
        def ended(count: int = attempt + 2) -> bool:
            return _log().count(" exit ") == count

        _wait(ended, "the served build did not end")
        assert client.status() == server  # the server itself lives on
        assert not _stages(out.parent) and check_folder(out) == []
        if process.returncode == 0:  # it finished before the signal
            continue
        landed.append(delay)
        if how == signal.SIGINT:
            assert process.returncode == 130 and error == "已中断。\n"
        else:  # its build was told (SIGTERM) and unwound
            assert " gone: SIGTERM" in _log() and " exit 143" in _log()
        assert _built(out) == previous  # the previous build, whole
        if len(landed) == 2:
            break
    assert landed, "no signal came before the build had finished"


def test_a_served_batch_interrupted_ends_and_leaves_no_stages(
    runtime: str, tmp_path: Path, dataset_copy: Path
) -> None:
    """Ctrl+C during a served batch (-j 2): its copy ends, as a process does,
    its process pool's workers told to end before its exit functions join
    them (it waited for them for ever before)."""
    data = tmp_path / "data"
    for office in ("甲镇", "乙镇", "丙镇"):
        shutil.copytree(dataset_copy, data / office / "2024")
    _started(tmp_path)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [GONGWEN, "build", str(data), "--out", str(out), "-j", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def staged() -> bool:
        return any(is_stage(p) for p in out.rglob(".gongwen-*")) or process.poll() is not None

    _wait(staged, "the batch never staged anything")
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)  # the client answered: its served batch has ended
    _wait(lambda: _log().count(" exit ") == 1, "the served batch did not end")
    left = sorted(out.rglob("*")) if out.exists() else []
    assert not [p for p in left if is_stage(p)]
    assert not [p for p in left if p.is_dir() and not any(p.iterdir())], left


def test_the_server_leaves_when_idle(
    runtime: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGWEN_DAEMON_IDLE", "1")
    assert _gongwen("check", str(WUSHUI), cwd=tmp_path).returncode == 0  # starts one
    _wait(lambda: "listening" in _log(), "no server started")
    _wait(lambda: not _servers(runtime), "the idle server did not leave")
    assert "stop listening: idle" in _log()
    where = client.place()
    assert where is not None and not os.path.exists(where.socket)


def test_server_status_and_stop_in_chinese(runtime: str, tmp_path: Path) -> None:
    assert _gongwen("server", "status", cwd=tmp_path).stdout == "没有正在运行的后台生成服务。\n"
    server = _started(tmp_path)
    status = _gongwen("server", "status", cwd=tmp_path).stdout
    assert status.startswith(f"后台生成服务正在运行（进程 {server}）")
    stop = _gongwen("server", "stop", cwd=tmp_path).stdout
    assert stop == f"已停止后台生成服务（进程 {server}）。\n"
    _wait(lambda: _gone(server), "the server did not stop")
