"""Next year's data set, made from this year's: `gongwen new-year`.

The new folder is a copy, named for the next policy year, beside the old one.
In its YAML (edited as text, see generator/yearly/yamledit.py, so comments and layout
stay as they were):

- every date moves on one year; the end of February stays the end of February
  (29 Feb becomes 28 Feb, and 28 Feb of a common year becomes 29 Feb when the
  next year is a leap year);
- policy.yaml `year` and the 发文字号's year move on one year;
- in the values of document.yaml and policy.yaml, a year written in text
  (`2024年度`, `2023年11月24日`, `2023-2024学年`) moves on one year, but only
  the data set's own years (the policy year and the year of issue), and never
  in policy.documents: those are other offices' documents, which the editor
  must replace by this year's;
- the 发文字号's serial and the date of issue become null, with a comment line
  `# 待填写：…` above them: validation names them until they are filled in.

Comments are the editor's own words and stay as they are, as do years in
templates and column names. Everything else (amounts, rates, people, table
rows) is copied as it is. The checklist (generator/yearly/checklist.py) lists all of
these for the editor to review. The folder is assembled beside the target and renamed into place, so it
appears complete or not at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.staging import discard, new_stage, release, remove_stale_stages
from generator.dataset.load import load_sources, own_templates
from generator.dataset.pending import CLEARED_EACH_YEAR, PENDING_MARK
from generator.dataset.validate import Dataset, validate
from generator.dataset.yamlio import NodePath
from generator.problems import DataError, Problem, format_path
from generator.yearly.yamledit import (
    STR_TAG,
    Edit,
    Scalar,
    Scanned,
    apply,
    comment_above,
    replace_keeping_comment_column,
    scan,
)

# Files whose text values speak of the data set's own years.
TEXT_FILES = ("document.yaml", "policy.yaml")
# Cited documents are other offices' and keep their years.
KEPT_AS_WRITTEN: NodePath = ("documents",)
YEAR_FIELDS = {("policy.yaml", ("year",)), ("document.yaml", ("notice", "number", "year"))}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# One pass over both forms, so that no year moves twice.
_YEAR_IN_TEXT = re.compile(
    r"(?<!\d)(?:"
    r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"  # a date: 2023年11月24日
    r"|(?P<first>\d{4})(?:(?P<sep>\s*[-–—－~～至到]\s*)(?P<second>\d{4}))?(?=\s*(?:学年|年))"
    r")"
)


def next_year(day: dt.date) -> dt.date:
    """The same day a year later; the end of February stays the end of February."""
    if day.month == 2 and (day.day == 29 or (day.day == 28 and not calendar.isleap(day.year))):
        return dt.date(day.year + 1, 2, 29 if calendar.isleap(day.year + 1) else 28)
    return day.replace(year=day.year + 1)


def shift_years(text: str, years: Iterable[int]) -> str:
    """Move each of years written in text on by one; other numbers stay."""
    moving = set(years)

    def date(match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:  # not a real date: leave it for the editor
            return match[0]
        moved = next_year(day)
        return f"{moved.year}年{moved.month}月{moved.day}日"

    def replace(match: re.Match[str]) -> str:
        if match["y"] is not None:
            return date(match) if int(match["y"]) in moving else match[0]
        first, second = match["first"], match["second"]
        if int(first) not in moving and (second is None or int(second) not in moving):
            return match[0]
        moved = str(int(first) + 1)
        return moved if second is None else f"{moved}{match['sep']}{int(second) + 1}"

    return _YEAR_IN_TEXT.sub(replace, text)


def _as_date(text: str) -> dt.date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Change:
    file: str  # relative to the data set
    field: str  # the field path as editors read it, e.g. periods.enrolment.start
    old: str
    new: str


@dataclass
class Changes:
    dates: list[Change] = field(default_factory=list)
    years: list[Change] = field(default_factory=list)  # policy year, 发文字号 year
    texts: list[Change] = field(default_factory=list)  # years written in text
    cleared: list[Change] = field(default_factory=list)  # new is the field's name


@dataclass(frozen=True)
class NewYear:
    source: Path
    target: Path
    dataset: Dataset  # the source, as validated
    files: int  # files copied
    changes: Changes
    kept_years: tuple[Change, ...]  # years in comments, templates, column names: left as written


def _text_may_move(name: str, path: NodePath) -> bool:
    if name not in TEXT_FILES:
        return False
    return not (name == "policy.yaml" and path[: len(KEPT_AS_WRITTEN)] == KEPT_AS_WRITTEN)


def _scalar_edit(
    name: str, scanned: Scanned, scalar: Scalar, years: set[int], changes: Changes
) -> Edit | None:
    where = format_path(scalar.path)
    raw = scalar.raw(scanned.text)
    day = _as_date(scalar.value)
    if day is not None:
        moved = next_year(day).isoformat()
        changes.dates.append(Change(name, where, scalar.value, moved))
        return Edit(scalar.start, scalar.end, raw.replace(scalar.value, moved, 1))
    if (name, scalar.path) in YEAR_FIELDS and scalar.value.isdigit():
        moved = str(int(scalar.value) + 1)
        changes.years.append(Change(name, where, scalar.value, moved))
        return Edit(scalar.start, scalar.end, moved)
    if scalar.tag == STR_TAG and _text_may_move(name, scalar.path):
        shifted = shift_years(raw, years)
        if shifted != raw:
            moved = shift_years(scalar.value, years)
            changes.texts.append(Change(name, where, scalar.value, moved))
            return Edit(scalar.start, scalar.end, shifted)
    return None


def _cleared_edits(
    name: str, scanned: Scanned, changes: Changes
) -> tuple[list[Edit], set[NodePath]]:
    """Cleared values become null, with a comment line above saying what to fill in."""
    if name != "document.yaml":
        return [], set()
    edits: list[Edit] = []
    notes: dict[int, list[str]] = {}
    cleared = set()
    for path, what in CLEARED_EACH_YEAR.items():
        scalar = scanned.scalar(path)
        if scalar is None:
            continue
        cleared.add(path)
        edits.append(replace_keeping_comment_column(scanned, scalar, "null"))
        notes.setdefault(scalar.line, []).append(f"{what}（上年为 {scalar.value}）")
        changes.cleared.append(Change(name, format_path(path), scalar.value, what))
    for line, texts in notes.items():
        edits.append(comment_above(scanned, line, f"{PENDING_MARK}：{'；'.join(texts)}"))
    return edits, cleared


def edit_file(name: str, text: str, years: set[int], changes: Changes) -> str:
    """The text of one YAML file of next year's data set."""
    if name not in TEXT_FILES and not _ISO_DATE.search(text):
        return text  # only dates could change here, and there are none (parsing is slow)
    scanned = scan(text)
    edits, cleared = _cleared_edits(name, scanned, changes)
    for scalar in scanned.scalars:
        if scalar.path in cleared:
            continue
        edit = _scalar_edit(name, scanned, scalar, years, changes)
        if edit is not None:
            edits.append(edit)
    return apply(text, edits)


def _kept_years(root: Path, dataset: Dataset, years: set[int]) -> tuple[Change, ...]:
    """Years left as written in the new data set: the editor decides about them."""
    found = []
    for name in dataset.sources.files:
        text = (root / name).read_text(encoding="utf-8")
        if shift_years(text, years) == text:
            continue
        scanned = scan(text)
        for comment in scanned.comments:
            text = scanned.text[comment.start : comment.end]
            if shift_years(text, years) != text:
                found.append(Change(name, f"第 {comment.line + 1} 行注释", text, ""))
    for path in own_templates(root):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if shift_years(line, years) != line:
                found.append(Change(path.relative_to(root).as_posix(), f"第 {number} 行", line, ""))
    for table, spec in dataset.tables.items():
        for column in spec.spec.columns:
            if shift_years(column.name, years) != column.name:
                found.append(Change(f"tables/{table}.yaml", "列名", column.name, ""))
    return tuple(found)


def dataset_years(dataset: Dataset) -> set[int]:
    """The years this data set speaks of: the policy year and the year of issue."""
    notice, issued = dataset.document.notice, dataset.document.issued
    years = {dataset.policy.year}
    if issued is not None:
        years.add(issued.year)
    if notice is not None and notice.number is not None:
        years.add(notice.number.year)
    return years


def new_year(source: Path) -> NewYear:
    """Create next year's data set beside source; source is only read."""
    dataset = validate(load_sources(source))
    target = source.parent / str(dataset.policy.year + 1)
    if target.exists():
        raise DataError([Problem("下一年度的数据集目录已存在，未做任何改动", target)])
    years = dataset_years(dataset)
    remove_stale_stages(source.parent)  # left by a killed new-year or init
    staged: list[Path] = []  # the staging folder, known here even if a signal follows at once
    try:
        stage = new_stage(source.parent, staged)
        shutil.copytree(source, stage, symlinks=True, dirs_exist_ok=True)
        changes = Changes()
        for name in dataset.sources.files:
            path = stage / name
            text = path.read_bytes().decode("utf-8")  # bytes: line endings stay as they are
            path.write_bytes(edit_file(name, text, years, changes).encode("utf-8"))
        files = sum(1 for p in stage.rglob("*") if p.is_file())
        if target.exists():  # created meanwhile: never replace it
            raise DataError([Problem("下一年度的数据集目录已存在，未做任何改动", target)])
        os.rename(stage, target)
        release(stage)
    finally:
        if staged:
            discard(staged[0])  # gone if renamed
    return NewYear(source, target, dataset, files, changes, _kept_years(target, dataset, years))
