"""Helpers for the yearly tests: next year's data set made from a copy of 2024."""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator.yearly.newyear import new_year


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"test setup: {old!r} not once in {path.name}"
    path.write_text(text.replace(old, new), "utf-8")


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def fill_in(dataset: Path, serial: int = 5, date: str = "2024-11-20") -> None:
    """What the editor does after new-year: enter the 发文字号's serial and the
    date, and delete the `# 待填写` lines."""
    document = dataset / "document.yaml"
    edit(document, "serial: null}", f"serial: {serial}}}")
    edit(document, "date: null ", f"date: {date} ")
    lines = document.read_text("utf-8").splitlines(keepends=True)
    document.write_text("".join(line for line in lines if "# 待填写" not in line), "utf-8")


def next_year_filled_in(dataset: Path) -> Path:
    target = new_year(dataset).target
    fill_in(target)
    return target
