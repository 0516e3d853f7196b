"""Warnings about a valid data set on its own: what is probably a mistake, and
what is still a placeholder. One source for `gongwen build` and `gongwen check`
(build/pipeline.py's prepare() adds them to its warnings); check compares with
last year besides (yearly/review.py).

- a date far from the policy year;
- a placeholder: the text 待填写 in a value or a template (gongwen init writes
  it), a `# 待填写` mark on a line (new-year and init leave it beside a value
  to fill in or check), and □, a character lost in a source. `build --strict`
  refuses them as every warning; `publish` refuses them always.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.dataset.pending import PENDING_MARK
from generator.dataset.validate import Dataset, problem_at
from generator.dataset.yamlio import Loaded, NodePath
from generator.problems import Problem, Severity

LOST = "□"  # how a character lost in a source (a scan, a copy) is marked


def _dates(dataset: Dataset) -> list[Problem]:
    """Policy dates within a year of the policy year; the document issued in the
    policy year or the year before it."""
    year = dataset.policy.year
    near = (range(year - 1, year + 2), f"{year - 1}–{year + 1} 年（参保年度前后一年）")
    issued = (range(year - 1, year + 1), f"{year - 1}–{year} 年（参保年度或其前一年）")
    checked: list[tuple[str, NodePath, dt.date, tuple[range, str]]] = []
    for key, period in dataset.policy.periods.items():
        checked.append(("policy.yaml", ("periods", key, "start"), period.start, near))
        checked.append(("policy.yaml", ("periods", key, "end"), period.end, near))
    for key, day in dataset.policy.dates.items():
        checked.append(("policy.yaml", ("dates", key), day, near))
    notice, plan = dataset.document.notice, dataset.document.plan
    if notice is not None:
        checked.append(("document.yaml", ("notice", "date"), notice.date, issued))
        if notice.imprint is not None:
            imprint: NodePath = ("notice", "imprint", "date")
            checked.append(("document.yaml", imprint, notice.imprint.date, issued))
    if plan is not None and plan.date is not None:
        checked.append(("document.yaml", ("plan", "date"), plan.date, issued))
    return [
        problem_at(
            dataset.sources.files[file],
            path,
            f"日期 {day.isoformat()} 不在 {expected}内，是否年份写错了？",
            severity=Severity.WARNING,
        )
        for file, path, day, (years, expected) in checked
        if day.year not in years
    ]


def _texts(value: Any, path: NodePath) -> Iterator[tuple[NodePath, str]]:
    """Every text value in a YAML document, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, index))


def _what(text: str) -> str | None:
    """Why a text is a placeholder, or None."""
    if PENDING_MARK in text:
        return f"“{text}”是占位文字（{PENDING_MARK}），请填写实际内容"
    if LOST in text:
        return f"“{text}”中的 {LOST} 是原文缺损的字，请核实后补正"
    return None


def _in_values(loaded: Loaded) -> list[Problem]:
    found = []
    for path, text in _texts(loaded.data, ()):
        message = _what(text)
        if message:
            found.append(problem_at(loaded, path, message, severity=Severity.WARNING))
    return found


def _marks(loaded: Loaded) -> list[Problem]:
    """`# 待填写` comments beside values to fill in or check (validation has
    passed, so the value itself is there)."""
    found = []
    lines = loaded.path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if f"# {PENDING_MARK}" in line:
            message = f"仍标着“{PENDING_MARK}”：请核对或填写这里的值，再删去这条注释"
            found.append(Problem(message, loaded.path, number, severity=Severity.WARNING))
    return found


def _in_templates(dataset: Dataset) -> list[Problem]:
    found = []
    for path in sorted(dataset.root.rglob("*.j2")):
        if path.is_symlink() or not path.is_file():
            continue  # only the data set's own files (publish refuses links anyway)
        # A template that is not UTF-8 is reported by compose when it is used.
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            if PENDING_MARK in line:
                message = f"模板中有占位文字“{PENDING_MARK}”，请填写实际内容"
            elif LOST in line:
                message = f"模板中有 {LOST}（原文缺损的字），请核实后补正"
            else:
                continue
            found.append(Problem(message, path, number, severity=Severity.WARNING))
    return found


def placeholders(dataset: Dataset) -> list[Problem]:
    """Every placeholder, with file and line: what publish refuses."""
    found = []
    for loaded in dataset.sources.files.values():
        found += _marks(loaded) + _in_values(loaded)
    return found + _in_templates(dataset)


def doubts(dataset: Dataset) -> list[Problem]:
    """Every warning about the data set on its own."""
    return _dates(dataset) + placeholders(dataset)
