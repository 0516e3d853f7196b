"""The side process that writes the DOCX beside the PDF (generator/build/side.py)."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import side

pytestmark = pytest.mark.skipif(not side._free_core(), reason="needs two cores and fork")


def _in_side_process() -> int:
    return os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def test_work_runs_in_another_process_and_its_errors_come_back() -> None:
    assert side.beside(_in_side_process)() != os.getpid()
    assert side.beside(_in_side_process)() == side.beside(_in_side_process)()  # kept
    wait = side.beside(_fail, "坏")
    with pytest.raises(ValueError, match="坏") as raised:
        wait()
    assert "in _fail" in "".join(raised.value.__notes__)  # where it went wrong, there


def test_a_killed_side_process_is_replaced_and_the_work_still_done() -> None:
    first = side.beside(_in_side_process)()
    os.kill(first, signal.SIGKILL)
    time.sleep(0.2)
    assert side.beside(_in_side_process)() == os.getpid()  # done here this once
    later = side.beside(_in_side_process)()
    assert later not in (first, os.getpid())


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
def test_the_side_process_ends_when_its_caller_is_killed(tmp_path: Path, busy: bool) -> None:
    """Idle or in the middle of a call (a document being laid out): the side
    process ends at once, not when the call would have finished (60 s here)."""
    script = (
        "import os, time\n"
        "from generator.build import side\n"
        "from tests.test_side import _in_side_process, _sleep\n"
        "pid = side.beside(_in_side_process)()\n"
        + ("side.beside(_sleep, 60)\n" if busy else "")
        + "print(pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    caller = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert caller.stdout is not None
    child = int(caller.stdout.readline())
    os.kill(child, 0)  # alive
    caller.kill()
    caller.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
            return  # ended, not yet reaped
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the side process outlived its caller")


def test_a_build_after_a_change_of_folder_writes_where_it_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The side process keeps the folder it was started in: build() hands it
    absolute paths."""
    from generator.build.pipeline import build
    from tests.conftest import WUSHUI

    side.start()
    monkeypatch.chdir(tmp_path)
    result = build(WUSHUI, Path("out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "manifest.json",
        "wushui-2024.docx",
        "wushui-2024.pdf",
    ]
    assert {f.format for f in result.files} == {"docx", "pdf"}


def test_the_side_process_writes_the_same_bytes_as_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.build.pipeline import build
    from tests.conftest import WUSHUI

    beside = build(WUSHUI, tmp_path / "beside")
    monkeypatch.setattr(side, "_free_core", lambda: False)
    monkeypatch.setattr(side, "_side", None)
    here = build(WUSHUI, tmp_path / "here")
    assert [(f.path, f.sha256) for f in beside.files] == [(f.path, f.sha256) for f in here.files]


def test_after_its_first_call_what_the_side_process_keeps_is_left_out_of_collections() -> None:
    side.beside(_in_side_process)()
    assert side.beside(gc.get_freeze_count)() > 10_000
