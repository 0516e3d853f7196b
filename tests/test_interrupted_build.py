"""A build killed at any moment leaves the previous build whole: files are
written in a staging folder and only moved into place once all are complete."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from generator.build.manifest import check_folder, files_under, sha256_of
from generator.build.pipeline import BuildResult
from generator.build.staging import STALE_AFTER, is_stage, remove_stale_stages

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

    # The killed builds' staging folders stay beside the output, never inside
    # it (the next build removes them once stale: see test_hostile_input).
    # (A build killed after its swap has already removed its staging folder.)
    assert len(before_swap) <= len(_stages(out.parent)) <= len(landed)


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
    for name, path in paths.items():
        if name == "file":
            path.write_text("x", "utf-8")
        elif name == "link":
            path.symlink_to(outside, target_is_directory=True)
        else:
            path.mkdir()
            (path / "part.pdf").write_bytes(b"%PDF")
        if name != "young":
            os.utime(path, (old, old), follow_symlinks=False)

    assert remove_stale_stages(tmp_path) == [paths["stale"]]
    assert {p.name for p in tmp_path.iterdir()} == {
        p.name for k, p in paths.items() if k != "stale"
    } | {"elsewhere"}
    assert (outside / "data.txt").read_text("utf-8") == "keep"
