"""Batches: `gongwen build <folder>` builds every data set below it, reports a
broken one without stopping the others, and skips the unchanged ones."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator.build import batch
from generator.cli import main
from generator.paths import shared_templates
from tests.conftest import WUSHUI

State = dict[str, tuple[int, int, str]]  # file name: (inode, mtime_ns, sha256)


def _office(root: Path, name: str, issuer: str) -> Path:
    """A copy of the 武水镇 data set as another office: its folder and issuer renamed."""
    target = root / name / "2024"
    shutil.copytree(WUSHUI, target)
    document = target / "document.yaml"
    document.write_text(document.read_text("utf-8").replace("武水", issuer), encoding="utf-8")
    return target


def _state(folder: Path) -> State:
    return {
        path.name: (path.stat().st_ino, path.stat().st_mtime_ns, _sha256(path))
        for path in sorted(folder.iterdir())
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def offices(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    _office(data, "alpha", "甲乙")
    _office(data, "beta", "丙丁")
    broken = _office(data, "broken", "戊己")
    (broken / "policy.yaml").write_text("year: 2024\ntiers: [\n", encoding="utf-8")
    (data / ".hidden" / "2024").mkdir(parents=True)  # hidden folders are not searched
    shutil.copy(WUSHUI / "document.yaml", data / ".hidden" / "2024" / "document.yaml")
    shutil.copy(WUSHUI / "policy.yaml", data / ".hidden" / "2024" / "policy.yaml")
    return data


@pytest.fixture
def frozen_code_and_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fingerprints taken over snapshots of the generator's source and the shared
    templates, so that someone editing them while the test runs does not make a
    data set look changed."""
    code = tmp_path / "code"
    shutil.copytree(
        Path(batch.__file__).parent.parent, code, ignore=shutil.ignore_patterns("*.pyc")
    )
    templates = tmp_path / "templates-snapshot"
    shutil.copytree(shared_templates(), templates)
    monkeypatch.setattr(batch, "_PACKAGE", code)
    monkeypatch.setattr(batch, "shared_templates", lambda: templates)


@pytest.mark.usefixtures("frozen_code_and_templates")
def test_batch_builds_reports_skips_and_rebuilds(
    offices: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    alpha, beta = out / "alpha" / "2024", out / "beta" / "2024"
    command = ["build", str(offices), "--out", str(out), "-j", "2"]

    # The valid ones are built, the broken one is reported, the status says so.
    assert main(command) == 1
    first = capsys.readouterr()
    for folder, stem in ((alpha, "alpha-2024"), (beta, "beta-2024")):
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        assert sorted(entry["path"] for entry in manifest["files"]) == [
            f"{stem}.docx",
            f"{stem}.pdf",
        ]
        for entry in manifest["files"]:
            assert _sha256(folder / entry["path"]) == entry["sha256"]
        assert (folder / batch.FINGERPRINT_FILE).is_file()
    assert not (out / "broken").exists()
    assert f"失败：{offices / 'broken' / '2024'}" in first.err
    assert str(offices / "broken" / "2024" / "policy.yaml") in first.err  # its own errors
    assert "共 3 个数据集：已生成 2 个，未变跳过 0 个，失败 1 个。" in first.out
    assert ".hidden" not in first.out + first.err

    # Nothing changed: both skipped, their files untouched.
    before = {folder: _state(folder) for folder in (alpha, beta)}
    assert main(command) == 1
    second = capsys.readouterr()
    assert "已生成 0 个，未变跳过 2 个，失败 1 个" in second.out
    assert {folder: _state(folder) for folder in (alpha, beta)} == before

    # One input changed: only that data set is built again.
    quota = offices / "beta" / "2024" / "tables" / "quota.yaml"
    quota.write_text(quota.read_text("utf-8").replace("1237", "1238"), encoding="utf-8")
    assert main(command) == 1
    third = capsys.readouterr()
    assert f"已生成：{offices / 'beta' / '2024'}" in third.out
    assert f"未变，跳过：{offices / 'alpha' / '2024'}" in third.out
    assert _state(alpha) == before[alpha]
    rebuilt = _state(beta)
    assert rebuilt["beta-2024.pdf"] != before[beta]["beta-2024.pdf"]
    assert rebuilt["beta-2024.docx"][2] != before[beta]["beta-2024.docx"][2]  # 1238 in it

    # --force: every valid data set is built again (new files moved into place).
    before = {folder: _state(folder) for folder in (alpha, beta)}
    assert main([*command, "--force"]) == 1
    fourth = capsys.readouterr()
    assert "已生成 2 个，未变跳过 0 个，失败 1 个" in fourth.out
    for folder in (alpha, beta):
        for name, (inode, _, _) in _state(folder).items():
            if name.endswith((".pdf", ".docx")):
                assert inode != before[folder][name][0]


def test_find_datasets_is_sorted_and_does_not_search_inside_a_data_set(tmp_path: Path) -> None:
    for name in ("b/2024", "a/2025", "a/2024", "a/2024/nested/2024"):
        (tmp_path / name).mkdir(parents=True)
        for marker in batch.MARKERS:
            (tmp_path / name / marker).write_text("", encoding="utf-8")
    (tmp_path / "c" / "2024").mkdir(parents=True)  # no markers: not a data set
    (tmp_path / "c" / "2024" / "document.yaml").write_text("", encoding="utf-8")
    found = batch.find_datasets(tmp_path)
    assert found == [tmp_path / "a/2024", tmp_path / "a/2025", tmp_path / "b/2024"]
    assert batch.find_datasets(tmp_path / "a" / "2024") == [tmp_path / "a" / "2024"]


def test_fingerprint_covers_data_set_templates_and_strictness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = _office(tmp_path, "gamma", "庚辛")
    templates = tmp_path / "templates"
    shutil.copytree(shared_templates(), templates)
    monkeypatch.setattr(batch, "shared_templates", lambda: templates)
    original = batch.input_fingerprint(dataset)
    assert batch.input_fingerprint(dataset) == original
    assert batch.input_fingerprint(dataset, strict=True) != original

    (dataset / "~$lock.docx").write_text("Word's lock file", encoding="utf-8")
    (dataset / ".plan.md.j2.swp").write_text("an editor's swap file", encoding="utf-8")
    assert batch.input_fingerprint(dataset) == original

    (templates / "style.yaml").write_text(
        (templates / "style.yaml").read_text("utf-8") + "\n", encoding="utf-8"
    )
    changed_template = batch.input_fingerprint(dataset)
    assert changed_template != original

    (dataset / "notes.txt").write_text("a new file of the data set", encoding="utf-8")
    assert batch.input_fingerprint(dataset) not in (original, changed_template)


def test_outputs_changed_since_the_build_are_not_up_to_date(tmp_path: Path) -> None:
    """Fake outputs (no build): a manifest, its files, the recorded fingerprint."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.pdf").write_bytes(b"%PDF-1.7 fake")
    entry = {"path": "x.pdf", "format": "pdf", "sha256": _sha256(out / "x.pdf")}
    (out / "manifest.json").write_text(json.dumps({"files": [entry]}), encoding="utf-8")
    batch.record_fingerprint(out, "f" * 64)
    assert batch.is_up_to_date(out, "f" * 64)
    assert not batch.is_up_to_date(out, "e" * 64)
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []

    (out / "x.pdf").write_bytes(b"%PDF-1.7 edited by hand")
    assert not batch.is_up_to_date(out, "f" * 64)
    (out / "x.pdf").unlink()
    assert not batch.is_up_to_date(out, "f" * 64)


def test_two_data_sets_with_one_output_folder_are_not_both_built(tmp_path: Path) -> None:
    first = tmp_path / "one" / "same" / "2024"
    second = tmp_path / "two" / "same" / "2024"
    for folder in (first, second):
        folder.mkdir(parents=True)
    summary = batch.run_batch([first, second], tmp_path / "out", workers=1)
    assert [item.outcome for item in summary.items] == [batch.Outcome.FAILED] * 2
    clash = summary.items[1].errors[0]
    assert "输出目录相同" in clash.message and clash.file == second


def test_a_worker_that_has_grown_makes_way_for_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Here every worker counts as grown after its first data set (broken ones,
    which fail fast): a pool stops taking data sets, finishes the ones it has,
    and a fresh pool takes the rest; every data set comes back once."""
    monkeypatch.setattr(batch, "RETIRE_AFTER_GROWTH_MB", -1.0)
    pools: list[int] = []

    class CountedPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            pools.append(1)

    monkeypatch.setattr(batch, "ProcessPoolExecutor", CountedPool)
    datasets = []
    for index in range(7):
        folder = tmp_path / f"office{index}" / "2024"
        folder.mkdir(parents=True)
        for marker in batch.MARKERS:
            (folder / marker).write_text("[", encoding="utf-8")  # not YAML
        datasets.append(folder)
    summary = batch.run_batch(datasets, tmp_path / "out", workers=2)
    assert [item.dataset for item in summary.items] == datasets
    for item in summary.items:
        assert item.outcome is batch.Outcome.FAILED
        assert any(problem.file == item.dataset / "document.yaml" for problem in item.errors)
    # A pool is handed one data set more than it has workers, and no more
    # once the first comes back: 3 at most a pool, so 3 pools at least.
    assert 3 <= len(pools) <= 7


def test_a_workers_growth_is_measured_from_its_resident_memory() -> None:
    before = batch.resident_mb()
    assert before is not None and before > 0
    block = bytearray(64 * 2**20)  # zero-filled: every page touched
    after = batch.resident_mb()
    assert after is not None and 60 <= after - before <= 80
    del block


def test_a_worker_that_dies_fails_only_the_data_sets_it_had(tmp_path: Path) -> None:
    """Two workers are killed while they build; the data sets their pool had
    fail with a clear message, and a fresh pool builds all the others."""
    datasets = [_office(tmp_path / "data", f"office{index}", "甲乙") for index in range(6)]
    killed: list[int] = []

    def kill_the_workers(item: batch.Item) -> None:
        if not killed:
            killed.extend(_pool_workers())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    summary = batch.run_batch(datasets, tmp_path / "out", workers=2, on_item=kill_the_workers)
    assert killed
    assert sorted(item.dataset for item in summary.items) == datasets
    failed = [item for item in summary.items if item.outcome is batch.Outcome.FAILED]
    built = [item for item in summary.items if item.outcome is batch.Outcome.BUILT]
    assert 1 <= len(failed) <= 3  # the ones the first pool had besides the first
    for item in failed:
        assert [problem.message for problem in item.errors] == [batch._CRASHED]
        if (item.out_dir / "manifest.json").exists():  # killed after its files were moved in
            _assert_whole(item.out_dir)
    assert len(built) == 6 - len(failed)
    for item in built:
        _assert_whole(item.out_dir)


def _assert_whole(out_dir: Path) -> None:
    """Every file out_dir's manifest lists is there, with its sha256."""
    manifest = json.loads((out_dir / "manifest.json").read_text("utf-8"))
    assert manifest["files"]
    for entry in manifest["files"]:
        assert _sha256(out_dir / entry["path"]) == entry["sha256"]


def _pool_workers() -> list[int]:
    """The processes forked by this process's multiprocessing fork server."""
    children = _children(os.getpid())
    servers = [pid for pid in children if b"forkserver" in _cmdline(pid)]
    return [worker for server in servers for worker in _children(server)]


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_fingerprint_covers_the_generators_code_and_its_stylesheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = _office(tmp_path, "delta", "壬癸")
    code = tmp_path / "code"
    shutil.copytree(
        Path(batch.__file__).parent.parent, code, ignore=shutil.ignore_patterns("*.pyc")
    )
    monkeypatch.setattr(batch, "_PACKAGE", code)
    original = batch.input_fingerprint(dataset)
    (code / "__pycache__").mkdir(exist_ok=True)
    (code / "__pycache__" / "extra.cpython-311.pyc").write_bytes(b"bytecode")
    assert batch.input_fingerprint(dataset) == original  # compiled, not changed

    ua = code / "writers" / "weasyprint_internals" / "ua.css"
    ua.write_text(ua.read_text("utf-8") + "\np { margin: 0 }\n", encoding="utf-8")
    restyled = batch.input_fingerprint(dataset)
    assert restyled != original
    (code / "build" / "pipeline.py").write_text("# edited\n", encoding="utf-8")
    assert batch.input_fingerprint(dataset) not in (original, restyled)
