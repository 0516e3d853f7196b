"""Where a table's headings are in a spreadsheet, and which column is which.

The headings are looked for in the first rows of each sheet (a title above
them is fine) with one to a few header rows (merged groups over several
columns, cells merged down); a column matches by its whole heading path as
the document prints it ({{ year - 1 }} rendered), else by its lowest heading
being the column's name, key or printed heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.importer.spreadsheet_read import Sheet
from generator.importer.spreadsheet_table import TableContext, normal
from generator.problems import DataError, Problem, Severity

HEADER_SEARCH_ROWS = 30  # headings are looked for in the first rows of a sheet
MAX_MERGED_CELLS = 200_000  # cells of merged ranges spread out, all together


@dataclass(frozen=True)
class Header:
    sheet: Sheet
    columns: dict[int, int]  # table column index -> sheet column
    data_start: int  # first row below the headings


class Merged:
    """Cell values with a merged range's value in each of its cells."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.top_left: dict[tuple[int, int], tuple[int, int]] = {}
        rows = len(sheet.cells)
        width = max((len(r) for r in sheet.cells), default=0)
        for r0, c0, r1, c1 in sheet.merged:
            # Ranges past the cells hold nothing; a file declaring more merged
            # cells than any real table has is not spread out further.
            for r in range(r0, min(r1 + 1, rows)):
                if len(self.top_left) > MAX_MERGED_CELLS:
                    return
                for c in range(c0, min(c1 + 1, width)):
                    self.top_left[(r, c)] = (r0, c0)

    def value(self, row: int, column: int) -> Any:
        return self.sheet.value(*self.top_left.get((row, column), (row, column)))


def paths_at(merged: Merged, start: int, depth: int, width: int) -> list[tuple[str, ...]]:
    paths = []
    for c in range(width):
        texts: list[str] = []
        for r in range(start, start + depth):
            value = merged.value(r, c)
            text = normal(value) if value is not None else ""
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        paths.append(tuple(texts))
    return paths


def _match(context: TableContext, paths: list[tuple[str, ...]]) -> dict[int, int]:
    """Table column -> sheet column: by the whole heading path, else by the
    lowest heading being the column's name, key or printed heading."""
    found: dict[int, int] = {}
    taken: set[int] = set()
    for i, _column in enumerate(context.columns):
        whole = tuple(normal(h) for h in context.headings[i])
        for c, path in enumerate(paths):
            if path and path == whole and c not in taken:
                found[i] = c
                taken.add(c)
                break
    for i, column in enumerate(context.columns):
        if i in found:
            continue
        names = {normal(column.name), normal(context.headings[i][-1])}
        if column.key:
            names.add(normal(column.key))
        hits = [c for c, path in enumerate(paths) if path and path[-1] in names and c not in taken]
        if len(hits) == 1:
            found[i] = hits[0]
            taken.add(hits[0])
    return found


def _find_header(sheet: Sheet, context: TableContext, key: int) -> Header | None:
    merged = Merged(sheet)
    width = max((len(r) for r in sheet.cells), default=0)
    most = max(len(h) for h in context.headings)
    best: tuple[int, Header] | None = None
    for start in range(min(HEADER_SEARCH_ROWS, len(sheet.cells))):
        for depth in range(1, most + 2):
            columns = _match(context, paths_at(merged, start, depth, width))
            if key not in columns:
                continue
            if best is None or len(columns) > best[0]:
                best = (len(columns), Header(sheet, columns, start + depth))
    return best[1] if best else None


def pick_sheet(
    sheets: list[Sheet], wanted: str | None, context: TableContext, key: int, source: Path
) -> Header:
    names = "、".join(s.name for s in sheets)
    if wanted is not None:
        chosen = [s for s in sheets if s.name == wanted]
        if not chosen:
            raise DataError([Problem(f"表格中没有工作表“{wanted}”（现有：{names}）", source)])
        sheets = chosen
    for sheet in sheets:
        header = _find_header(sheet, context, key)
        if header is not None:
            return header
    headings = "、".join("/".join(h) for h in context.headings)
    raise DataError(
        [
            Problem(
                f"在工作表（{names}）的前 {HEADER_SEARCH_ROWS} 行中找不到表 "
                f"{context.table.name} 的表头（至少要有“{context.columns[key].label}”一列）；"
                f"表的各列：{headings}",
                source,
            )
        ]
    )


def column_notes(header: Header, context: TableContext, source: Path) -> list[Problem]:
    """Sheet columns the table does not have, and input columns the sheet lacks."""
    notes = []
    sheet = header.sheet
    merged = Merged(sheet)
    used = set(header.columns.values())
    width = max((len(r) for r in sheet.cells), default=0)
    paths = paths_at(merged, 0, header.data_start, width)
    for c, path in enumerate(paths):
        if path and c not in used:
            notes.append(
                Problem(
                    f"{sheet.ref(header.data_start - 1, c)}：列“{'/'.join(path)}”"
                    f"不是表 {context.table.name} 的列，未导入",
                    source,
                    severity=Severity.WARNING,
                )
            )
    for i, column in enumerate(context.columns):
        if context.is_input(column) and i not in header.columns:
            notes.append(
                Problem(
                    f"表格中没有列“{column.label}”，这一列保持原样",
                    source,
                    severity=Severity.WARNING,
                )
            )
    return notes
