"""Warnings about what is valid but probably a mistake, for `gongwen check`.

Compared with last year's data set (the sibling folder named for the policy
year before, when there is one): a contribution tier that moved by more than
20%, a table row (a village, matched by the table's unique column) whose
figures moved by more than 10%. What is doubtful in a data set on its own (a
date far from the policy year, a placeholder) is in dataset/doubts.py, which
build reports as check does. (A hand-typed total that disagrees with its
column is reported by compute, as the printed-figure mismatch.)
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from generator.dataset.load import load_sources
from generator.dataset.schema import Column
from generator.dataset.validate import Dataset, InputTable, problem_at, validate
from generator.problems import DataError, Problem, Severity
from generator.yearly.leaves import show

TIER_LIMIT = Decimal("0.20")
ROW_LIMIT = Decimal("0.10")


def previous_dir(dataset: Dataset) -> Path:
    return dataset.root.parent / str(dataset.policy.year - 1)


def load_previous(dataset: Dataset) -> tuple[Dataset | None, list[Problem]]:
    """Last year's data set, if there is a valid one; a warning if it is broken."""
    folder = previous_dir(dataset)
    if not folder.is_dir():
        return None, []
    try:
        return validate(load_sources(folder)), []
    except DataError as error:
        note = f"上一年度数据集有 {len(error.problems)} 处错误，未与之比较"
        return None, [Problem(note, folder, severity=Severity.WARNING)]


def _moved(old: Decimal, new: Decimal) -> Decimal | None:
    """The relative change, or None when last year's figure was 0."""
    return None if old == 0 else (new - old) / abs(old)


def _too_far(old: Decimal, new: Decimal, limit: Decimal) -> str | None:
    """How a figure moved, worded, if it moved by more than limit; else None."""
    ratio = _moved(old, new)
    if ratio is None:
        return None if new == 0 else "上年为 0"
    return f"{ratio:+.1%}" if abs(ratio) > limit else None


def _tiers(dataset: Dataset, previous: Dataset) -> list[Problem]:
    loaded = dataset.sources.files["policy.yaml"]
    last = {(t.model_dump().get("group"), t.name): t.amount for t in previous.policy.tiers}
    found = []
    for index, tier in enumerate(dataset.policy.tiers):
        old = last.get((tier.model_dump().get("group"), tier.name))
        how = None if old is None else _too_far(old, tier.amount, TIER_LIMIT)
        if old is not None and how:
            found.append(
                problem_at(
                    loaded,
                    ("tiers", index, "amount"),
                    f"缴费档次“{tier.name}”由上年的 {show(old)} 元变为 {show(tier.amount)} 元"
                    f"（{how}），变化超过 {TIER_LIMIT:.0%}，请核对",
                    severity=Severity.WARNING,
                )
            )
    return found


def _key_column(table: InputTable, previous: InputTable) -> str | None:
    names = {c.name for c in previous.spec.columns if c.unique}
    return next((c.name for c in table.spec.columns if c.unique and c.name in names), None)


def _figures(table: InputTable) -> list[Column]:
    """The columns an editor types numbers into (derived ones follow from them)."""
    return [c for c in table.spec.columns if c.kind in ("integer", "decimal") and not c.formula]


def _rows(dataset: Dataset, previous: Dataset) -> list[Problem]:
    found = []
    for name, table in dataset.tables.items():
        before = previous.tables.get(name)
        key = None if before is None else _key_column(table, before)
        if before is None or key is None:
            continue
        last = {row[key]: row for row in before.rows if row.get(key) is not None}
        loaded = dataset.sources.tables()[name]
        shared = [c.name for c in _figures(table) if c.name in {f.name for f in _figures(before)}]
        for index, row in enumerate(table.rows):
            old_row = last.get(row.get(key))
            if old_row is None:
                continue
            for column in shared:
                old, new = old_row[column], row[column]
                if not isinstance(old, int | Decimal) or not isinstance(new, int | Decimal):
                    continue
                how = _too_far(Decimal(old), Decimal(new), ROW_LIMIT)
                if how:
                    found.append(
                        problem_at(
                            loaded,
                            ("rows", index, column),
                            f"表 {name}，{key}“{row[key]}”的“{column}”由上年的 {show(old)} "
                            f"变为 {show(new)}（{how}），变化超过 {ROW_LIMIT:.0%}，请核对",
                            severity=Severity.WARNING,
                        )
                    )
    return found


def review(dataset: Dataset, previous: Dataset | None) -> list[Problem]:
    """The comparisons with last year (the data set's own doubts, such as a date
    far from the policy year, are build's warnings too: dataset/doubts.py)."""
    if previous is None:
        return []
    return _tiers(dataset, previous) + _rows(dataset, previous)
