"""A build killed at any moment leaves the previous build whole: files are
written in a staging folder and only moved into place once all are complete."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.manifest import Change, check_folder, files_under, sha256_of
from generator.build.pipeline import BuildResult
from generator.build.staging import STALE_AFTER, is_stage, remove_stale_stages
from tests.conftest import fill_lost_characters

GONGWEN = Path(sys.executable).parent / "gongwen"
# When to kill: 0.2 s after the build's staging folder appears (the PDF being
# laid out), and 0.2 s after the PDF appears in it (the DOCX being written).
KILL_POINTS = ((None, 0.2), ("wushui-2024.pdf", 0.2))


def _state(folder: Path) -> dict[str, str]:
    """The build's files and their hashes (the batch fingerprint .inputs aside)."""
    return {name: sha256_of(folder / name) for name in files_under(folder) if name != ".inputs"}


def _stages(parent: Path) -> set[Path]:
    return {p for p in parent.iterdir() if is_stage(p)}


def _kill_during_build(
    dataset: Path, out: Path, wait_for: str | None, delay: float
) -> tuple[bool, list[str]]:
    """Start a build, SIGKILL it delay seconds after its staging folder (or the
    file wait_for in it) appears; return whether it was still building and
    what its staging folder held."""
    before = _stages(out.parent)
    process = subprocess.Popen(
        [GONGWEN, "build", str(dataset), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def ready() -> bool:
        new = _stages(out.parent) - before
        return bool(new) and (wait_for is None or (next(iter(new)) / wait_for).exists())

    deadline = time.monotonic() + 30
    while not ready() and process.poll() is None:
        assert time.monotonic() < deadline, "the build never reached the kill point"
        time.sleep(0.005)
    time.sleep(delay)
    stage = sorted(_stages(out.parent) - before)
    held = files_under(stage[0]) if stage else []
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.returncode == -signal.SIGKILL, held


def test_a_build_killed_midway_leaves_the_previous_build_whole(
    wushui_build: BuildResult, dataset_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "output" / "wushui" / "2024"
    out.mkdir(parents=True)
    for name in files_under(wushui_build.out_dir):
        shutil.copyfile(wushui_build.out_dir / name, out / name)
    previous = _state(out)
    # The interrupted build would write different files: a torn swap would show.
    organisation = dataset_copy / "organisation.yaml"
    organisation.write_text(organisation.read_text("utf-8").replace("胡玉萍", "胡玉平"), "utf-8")

    landed, before_swap = [], []
    for wait_for, delay in KILL_POINTS:
        killed, held = _kill_during_build(dataset_copy, out, wait_for, delay)
        point = f"{wait_for or 'staging'} +{delay}s, staging held {held}"
        # Whenever it was killed, the folder holds one whole build: every file
        # is the one its manifest lists, nothing partial, nothing extra.
        assert check_folder(out) == [], point
        assert set(_state(out)) == set(previous), point
        if killed:
            landed.append(point)
            if _state(out) == previous:  # killed before the swap: the previous build, whole
                before_swap.append(point)
        previous = _state(out)
    assert before_swap, f"no kill landed before the files were swapped in: {landed}"

    # A killed build's staging folder stays beside the output, never inside it,
    # until the next build: its owner is dead (its lock gone), so that build
    # removes it at once. So at most the last one is left.
    assert len(_stages(out.parent)) <= 1
    remove_stale_stages(out.parent)
    assert not _stages(out.parent)


def test_only_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    old = time.time() - STALE_AFTER - 60
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "data.txt").write_text("keep", "utf-8")
    paths = {
        "stale": tmp_path / ".gongwen-abcd_123",
        "young": tmp_path / ".gongwen-efgh5678",
        "long name": tmp_path / ".gongwen-abcd12345",
        "upper case": tmp_path / ".gongwen-ABCD1234",
        "no dot": tmp_path / "gongwen-abcd1234",
        "file": tmp_path / ".gongwen-ijkl9012",
        "link": tmp_path / ".gongwen-mnop3456",
    }
    paths["dead"] = tmp_path / ".gongwen-qrst7890"  # young, but nobody holds it
    paths["half made"] = tmp_path / ".gongwen-new-uvwx1234"  # killed before its lock
    for name, path in paths.items():
        if name == "file":
            path.write_text("x", "utf-8")
        elif name == "link":
            path.symlink_to(outside, target_is_directory=True)
        else:
            path.mkdir()
            (path / "part.pdf").write_bytes(b"%PDF")
        if name not in ("young", "dead", "half made"):
            os.utime(path, (old, old), follow_symlinks=False)
    # "young" is held by a live process (another open file description: as
    # another process would hold it).
    holder = os.open(paths["young"], os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        removed = remove_stale_stages(tmp_path)
    finally:
        os.close(holder)
    assert sorted(removed) == sorted([paths["stale"], paths["dead"]])
    assert {p.name for p in tmp_path.iterdir()} == {
        p.name for k, p in paths.items() if k not in ("stale", "dead")
    } | {"elsewhere"}
    assert (outside / "data.txt").read_text("utf-8") == "keep"


# A build of `dataset` into `out` that dies (os._exit, as SIGKILL would: no
# cleanup runs) just before its `n`-th rename into the output folder.
_KILLED_AT_RENAME = """
import os, sys
from pathlib import Path
from generator.build import pipeline
dataset, out, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
real, count = os.replace, 0
def replace(source, target):
    global count
    if Path(target).parent == out:
        count += 1
        if count == n:
            os._exit(9)
    real(source, target)
pipeline.os.replace = replace
pipeline.build(dataset, out)
"""


def _killed_at_rename(dataset: Path, out: Path, n: int) -> None:
    process = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_RENAME, str(dataset), str(out), str(n)],
        capture_output=True,
        text=True,
    )
    assert process.returncode == 9, process.stderr


def test_a_build_killed_at_each_rename_is_named_by_verify_and_mended_by_the_next(
    wushui_build: BuildResult,
    dataset_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from generator.build.pipeline import build
    from generator.cli import main

    organisation = dataset_copy / "organisation.yaml"
    organisation.write_text(organisation.read_text("utf-8").replace("胡玉萍", "胡玉平"), "utf-8")
    # The renames: the new manifest (marked), the DOCX, the PDF, the final manifest.
    old_files = {"wushui-2024.docx", "wushui-2024.pdf"}
    still_old = {1: old_files, 2: old_files, 3: {"wushui-2024.pdf"}, 4: set()}
    for n, old in still_old.items():
        out = tmp_path / f"killed{n}" / "wushui" / "2024"
        shutil.copytree(wushui_build.out_dir, out)
        _killed_at_rename(dataset_copy, out, n)
        findings = check_folder(out)
        if n == 1:  # nothing was moved yet: the previous build, whole
            assert findings == [] and _state(out) == _state(wushui_build.out_dir)
            continue
        named = {f.path for f in findings if f.change is Change.INTERRUPTED}
        assert named == {"manifest.json", *old}, findings
        assert main(["verify", str(out)]) == 1
        assert "生成中断" in capsys.readouterr().out
    # The next build mends it, and says what it found.
    result = build(dataset_copy, out)
    assert check_folder(out) == []
    assert any("上次生成在替换文件时中断" in w.message for w in result.warnings)


# ------------------------------------------------------------- leftovers (issue 18)


def _wait_for_stage(parent: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not (parent.is_dir() and _stages(parent)):
        assert process.poll() is None, "the publish ended before it staged anything"
        assert time.monotonic() < deadline, "the publish never staged anything"
        time.sleep(0.005)
    time.sleep(0.3)  # well into copying and building


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_publish_leaves_nothing_behind_or_for_long(
    how: signal.Signals, dataset_copy: Path, tmp_path: Path
) -> None:
    from generator.archive.publish import publish

    fill_lost_characters(dataset_copy)  # publish refuses the seed's □
    archive = tmp_path / "archive"
    base = archive / "wushui" / "2024"
    process = subprocess.Popen(
        [GONGWEN, "publish", str(dataset_copy), "--archive", str(archive)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_stage(base, process)
    process.send_signal(how)
    process.wait()
    if process.returncode == 0:  # a starved poller: it finished before the signal
        assert not _stages(base) and len(list(base.iterdir())) == 1
        return
    if how == signal.SIGTERM:  # it unwinds: its staging folders and the folders it made go
        assert process.returncode == 128 + signal.SIGTERM
        assert not archive.exists(), sorted(archive.rglob("*"))
        return
    # Killed outright, it could clean nothing; the next publish removes its two
    # staging folders (the version's and its build's) at once, not an hour later.
    assert 1 <= len(_stages(base)) <= 2
    published = publish(dataset_copy, archive)
    assert published.created and not _stages(base)
    assert sorted(p.name for p in base.iterdir()) == [published.folder.name]


def test_a_publish_failing_on_a_full_disk_names_where_and_leaves_no_folders(
    dataset_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from generator.cli import main

    fill_lost_characters(dataset_copy)  # publish refuses the seed's □

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("generator.archive.publish.shutil.copyfile", full)
    archive = tmp_path / "archive"
    assert main(["publish", str(dataset_copy), "--archive", str(archive)]) == 1
    error = capsys.readouterr().err
    assert f"磁盘空间不足）：{archive / 'wushui' / '2024'}" in error, error
    assert "No space" not in error
    assert not archive.exists()


def test_an_interrupted_build_or_batch_leaves_no_empty_folders(
    dataset_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.build.batch import run_batch
    from generator.build.pipeline import build

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.writers.docx.write_docx", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        build(dataset_copy, out / "wushui" / "2024")
    assert not out.exists()
    with pytest.raises(KeyboardInterrupt):
        run_batch([dataset_copy], out, workers=1)
    assert not out.exists()
    # A folder that was there before stays, even empty.
    (out / "wushui").mkdir(parents=True)
    with pytest.raises(KeyboardInterrupt):
        build(dataset_copy, out / "wushui" / "2024")
    assert [p.name for p in out.rglob("*")] == ["wushui"]


@pytest.mark.parametrize(
    "moment", ["output folders made", "staging folder made", "emptied staging folder removed"]
)
def test_ctrl_c_at_the_edges_of_a_build_leaves_no_staging_folder(
    moment: str, dataset_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C right after the output folders are made or the staging folder
    is (before the build has stored either), or as the emptied staging folder
    is about to be removed once the files are in place: what was made for the
    build goes all the same."""
    from generator.build import pipeline

    def interrupted_after(function: Callable[..., object]) -> Callable[..., object]:
        """function, with Ctrl+C (a real SIGINT) right after it, or right
        before it for the removal of the emptied staging folder."""

        def call(*args: object) -> object:
            if name == "discard":
                signal.raise_signal(signal.SIGINT)
            result = function(*args)
            if name != "discard":
                signal.raise_signal(signal.SIGINT)
            return result

        return call

    name = {"output": "make_folders", "staging": "new_stage", "emptied": "discard"}[
        moment.split()[0]
    ]
    monkeypatch.setattr(pipeline, name, interrupted_after(getattr(pipeline, name)))
    out = tmp_path / "out" / "wushui" / "2024"
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(dataset_copy, out)
    left = _stages(out.parent) if out.parent.exists() else set()
    assert not left, left
    assert out.parent.exists() == (name == "discard")
    # Made for this build: gone when it never finished, kept when it did.
    assert out.exists() == (name == "discard")


@pytest.mark.parametrize(
    ("command", "after"),
    [
        ("publish", "make_folders"),
        ("publish", "new_stage"),
        ("init", "make_folders"),
        ("init", "new_stage"),
        ("new-year", "new_stage"),
    ],
)
def test_ctrl_c_as_publish_init_or_new_year_starts_leaves_nothing(
    command: str, after: str, dataset_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C (a real SIGINT) right after publish, init or new-year makes its
    folders or its staging folder: nothing of either is left."""
    from generator.archive import publish
    from generator.yearly import newyear, scaffold

    module = {"publish": publish, "init": scaffold, "new-year": newyear}[command]
    original = getattr(module, after)

    def interrupted(*args: object) -> object:
        result = original(*args)
        signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(module, after, interrupted)
    root = tmp_path / "made"
    with pytest.raises(KeyboardInterrupt):
        if command == "publish":
            fill_lost_characters(dataset_copy)
            publish.publish(dataset_copy, root / "archive")
        elif command == "init":
            scaffold.scaffold(root / "甲镇" / "2025", "甲镇", 2025)
        else:
            root = dataset_copy.parent
            newyear.new_year(dataset_copy)
    if command == "new-year":
        assert sorted(p.name for p in root.iterdir()) == [dataset_copy.name]
    else:
        assert not root.exists(), sorted(root.rglob("*"))


def test_ctrl_c_during_a_batch_leaves_no_empty_folders_and_no_stages(
    dataset_copy: Path, tmp_path: Path
) -> None:
    """Ctrl+C at a terminal reaches the whole process group: the batch and its workers."""
    data = tmp_path / "data"
    for office in ("甲镇", "乙镇", "丙镇"):
        shutil.copytree(dataset_copy, data / office / "2024")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [GONGWEN, "build", str(data), "--out", str(out), "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a process group of its own, as a terminal's job
    )
    deadline = time.monotonic() + 60
    while not any(is_stage(p) for p in out.rglob(".gongwen-*")):
        assert process.poll() is None, "the batch ended before it staged anything"
        assert time.monotonic() < deadline, "the batch never staged anything"
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=60) != 0
    left = sorted(out.rglob("*")) if out.exists() else []
    stages = {p: sorted(q.name for q in p.rglob("*")) for p in left if is_stage(p)}
    assert not stages, stages
    # Every folder left holds a finished build; none is empty.
    assert not [p for p in left if p.is_dir() and not any(p.iterdir())], left


def test_a_build_failing_on_a_full_disk_names_its_output_folder(
    dataset_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from generator.cli import main

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # as write() raises it: no name

    monkeypatch.setattr("generator.writers.docx.write_docx", full)
    out = tmp_path / "out" / "wushui" / "2024"
    assert main(["build", str(dataset_copy), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert f"文件操作失败（磁盘空间不足）：{out}" in error and "No space" not in error
    assert not (tmp_path / "out").exists()
