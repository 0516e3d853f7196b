"""Tables of the document model from the computed tables and the roster.

Header rows come from each column's header path: adjacent columns that share
an upper level merge across (colspan), a column whose path is shorter spans
down (rowspan). A merge_down column merges equal neighbouring cells.
Headings are rendered like titles ({{ year }}); a cell whose unbreakable text
(a number, a Latin word) is wider than its column would push the table past
the text block, and is reported (fits_text_block) rather than left to overflow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from generator.compose import formatting
from generator.compute.tables import ComputedTable
from generator.dataset.schema import Column, LeadingGroup
from generator.model import Align, Cell, Table
from generator.style.layout import text_width

_ALIGN_BY_KIND = {"integer": Align.RIGHT, "decimal": Align.RIGHT, "names": Align.LEFT}


def _align(column: Column) -> Align:
    return Align(column.align) if column.align else _ALIGN_BY_KIND.get(column.kind, Align.CENTER)


def _same(text: str) -> str:
    return text


def header_rows(
    columns: Sequence[Column], render: Callable[[str], str] = _same
) -> tuple[tuple[Cell, ...], ...]:
    paths = [tuple(render(h) for h in c.header or [c.name]) for c in columns]
    depth = max(len(p) for p in paths)
    rows = []
    for level in range(depth):
        row: list[Cell] = []
        i = 0
        while i < len(paths):
            path = paths[i]
            if level >= len(path):  # covered by the cell above, which spans down
                i += 1
                continue
            last = level == len(path) - 1
            span = 1
            if not last:
                while (
                    i + span < len(paths)
                    and len(paths[i + span]) > level + 1
                    and paths[i + span][: level + 1] == path[: level + 1]
                ):
                    span += 1
            row.append(Cell(path[level], colspan=span, rowspan=depth - level if last else 1))
            i += span
        rows.append(tuple(row))
    return tuple(rows)


def _body(table: ComputedTable) -> list[tuple[Cell, ...]]:
    columns = table.input.spec.columns
    texts = [[formatting.cell(row[c.name]) for c in columns] for row in table.printed_rows]
    spans = [[1] * len(columns) for _ in texts]  # 0: covered by the cell above
    for j, column in enumerate(columns):
        if not column.merge_down:
            continue
        top = 0
        for i in range(1, len(texts) + 1):
            if i < len(texts) and texts[i][j] and texts[i][j] == texts[top][j]:
                spans[i][j] = 0
                spans[top][j] += 1
            else:
                top = i
    return [
        tuple(
            Cell(texts[i][j], rowspan=spans[i][j], align=_align(c))
            for j, c in enumerate(columns)
            if spans[i][j]
        )
        for i in range(len(texts))
    ]


def _total_row(table: ComputedTable) -> tuple[Cell, ...] | None:
    if table.shown_total is None:
        return None
    columns = table.input.spec.columns
    first = max(next((i for i, c in enumerate(columns) if c.total), len(columns)), 1)
    label = Cell(table.input.spec.total_label or "合计", colspan=first)
    rest = [
        Cell(formatting.cell(table.shown_total.get(c.name)), align=_align(c))
        for c in columns[first:]
    ]
    return (label, *rest)


def table_model(table: ComputedTable, render: Callable[[str], str] = _same) -> Table:
    spec = table.input.spec
    body = _body(table)
    total = _total_row(table)
    if total is not None:
        body.append(total)
    return Table(
        header=header_rows(spec.columns, render),
        body=tuple(body),
        widths=tuple(float(c.width) for c in spec.columns),
        unit=spec.unit,
        footnotes=tuple(spec.footnotes),
    )


# Runs no line breaks inside: a number (1,234.5%) or a Latin word. (A line may
# break after - or /, so those end a run.)
_UNBREAKABLE = re.compile(r"[0-9A-Za-z.,%]+")


def too_wide(table: Table, text_chars: float, padding_chars: float) -> list[tuple[int, str]]:
    """(first column, text) of the widest cell of each column whose longest
    unbreakable run is wider than its column(s). Widths in characters of the
    table's size: text_chars is the text block, padding_chars a cell's left plus
    right padding."""
    total = sum(table.widths)
    covered = [0] * len(table.widths)  # rows still covered by a cell above (rowspan)
    widest: dict[int, tuple[float, str]] = {}
    for row in (*table.header, *table.body):
        column = 0
        for cell in row:
            while column < len(covered) and covered[column]:
                column += 1
            span = table.widths[column : column + cell.colspan]
            room = text_chars * sum(span) / total - padding_chars
            runs = _UNBREAKABLE.findall(cell.text)
            need = max((text_width(r) for r in runs), default=0.0)
            if need > room and need > widest.get(column, (0.0, ""))[0]:
                widest[column] = (need, cell.text)
            for c in range(column, min(column + cell.colspan, len(covered))):
                covered[c] = cell.rowspan
            column += cell.colspan
        covered = [max(c - 1, 0) for c in covered]
    return [(column, text) for column, (_, text) in sorted(widest.items())]


def _padded(text: str, width: int) -> str:
    """Two-character names and roles are set three characters wide (陈　熙),
    as name lists are, so the columns line up."""
    if len(text) == 2 and width >= 3:
        return f"{text[0]}\u3000{text[1]}"
    return text


def roster_model(group: LeadingGroup) -> Table:
    """组长：徐立民　县委常委…: the role on the first line of its members."""
    rows = []
    previous = None
    # The widest label (第一副组长：) plus a character of slack, so it never wraps.
    role_width = max(text_width(f"{_padded(p.role or '', 3)}：") for p in group.members) + 1
    for person in group.members:
        role = person.role or ""
        label = f"{_padded(role, 3)}：" if role and role != previous else ""
        previous = role
        rows.append(
            (
                Cell(label, align=Align.LEFT),
                Cell(_padded(person.name or "", 3), align=Align.LEFT),
                Cell(person.title or "", align=Align.LEFT),
            )
        )
    name_width = 4.0
    return Table(
        header=(),
        body=tuple(rows),
        widths=(role_width, name_width, 28 - role_width - name_width),
        ruled=False,
    )
