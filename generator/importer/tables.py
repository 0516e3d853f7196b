"""A clerk's table read as a data set's table: header rows (merged cells
making multi-row headings), 序号, column kinds, blanks, a 合计 row as a
declared total with its printed figures, and columns that equal a formula of
other columns in every row (a difference, a sum, a rounded share) as formula
columns, the printed values kept where a row disagrees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from generator.importer.docx_reader import Grid
from generator.importer.lifting import Lifted
from generator.importer.notice import normalise

TOTAL_LABELS = ("合计", "总计", "合  计", "总  计")
NAMES_HEADINGS = ("姓名", "责任", "负责人", "人员", "联系人", "领导", "干部", "经办", "成员")
# A cell of people: names of two to four characters (□ for one lost), joined by 、.
PEOPLE = re.compile(r"^[\u4e00-\u9fff□]{2,4}(?:[、，,][\u4e00-\u9fff□]{2,4})*$")
SIMPLE_NAME = re.compile(r"^[^\W\d]\w*$")
MIN_AGREEING = 0.8  # share of rows a formula must hold in to be taken


@dataclass
class ImportedTable:
    spec: dict[str, Any]
    notes: list[str] = field(default_factory=list)  # what was recognised, for the report
    review: list[str] = field(default_factory=list)  # what a person should check
    printed_differs: bool = False


def _matrix(grid: Grid) -> tuple[list[list[str]], list[list[bool]]]:
    """The grid as rows of equal width: a cell spanning columns repeats its
    text; a vertically merged cell repeats the text above (covered=True)."""
    width = max((sum(c.colspan for c in row) for row in grid.rows), default=0)
    texts: list[list[str]] = []
    covered: list[list[bool]] = []
    for r, row in enumerate(grid.rows):
        line: list[str] = []
        cover: list[bool] = []
        for cell in row:
            for _ in range(cell.colspan):
                j = len(line)
                if cell.continues and r > 0 and j < len(texts[r - 1]):
                    line.append(texts[r - 1][j])
                    cover.append(True)
                else:
                    line.append(normalise(cell.text.replace("\n", "")))
                    cover.append(False)
        line += [""] * (width - len(line))
        cover += [False] * (width - len(cover))
        texts.append(line)
        covered.append(cover)
    return texts, covered


def number(text: str) -> Decimal | None:
    cleaned = text.replace(",", "").replace("，", "").strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _is_data_row(row: list[str]) -> bool:
    return any(number(text) is not None for text in row[1:])


def _plain(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value.normalize()


def _ref(name: str) -> str:
    return name if SIMPLE_NAME.match(name) else f"“{name}”"


def import_table(grid: Grid, lifted: Lifted) -> ImportedTable:
    texts, covered = _matrix(grid)
    if not texts or not texts[0]:
        return ImportedTable({"columns": [{"name": "内容"}], "rows": []}, review=["空表格"])
    result = ImportedTable({})
    # Rows of one cell across the table above the headings: a caption or a unit line.
    unit: str | None = None
    while len(texts) > 2 and len(texts[0]) > 1 and len(set(texts[0])) == 1:
        line = texts[0][0]
        if re.match(r"^单位[:：]", line):
            unit = line
        elif line:
            result.notes.append(f"表内的标题行“{line}”未作为表头（附件标题已有）")
        texts, covered = texts[1:], covered[1:]
    header_count = next((k for k, row in enumerate(texts) if _is_data_row(row)), 1)
    header_count = max(header_count, 1)
    width = len(texts[0])
    body = texts[header_count:]
    body_cover = covered[header_count:]
    total_row: list[str] | None = None
    if body and body[-1][0].replace(" ", "") in {t.replace(" ", "") for t in TOTAL_LABELS}:
        total_row = body[-1]
        body, body_cover = body[:-1], body_cover[:-1]
    if (
        total_row is None
        and body
        and any(t.replace(" ", "") in ("合计", "总计") for t in body[-1][:2])
    ):
        total_row = body[-1]
        body, body_cover = body[:-1], body_cover[:-1]
    columns: list[dict[str, Any]] = []
    names: list[str] = []
    for j in range(width):
        path: list[str] = []
        for r in range(header_count):
            text = texts[r][j]
            if text and (not path or path[-1] != text):
                path.append(text)
        name = path[-1] if path else f"第{j + 1}列"
        if name in names:
            name = "".join(path)
        while name in names:
            name += "＇"
        names.append(name)
        column: dict[str, Any] = {"name": lifted.template(name, values=False)}
        if column["name"] != name:
            column["key"] = f"c{j + 1}"
        if len(path) > 1:
            column["header"] = [lifted.template(p, values=False) for p in path]
        columns.append(column)
    if len(grid.widths) == width and all(grid.widths):
        mean = sum(grid.widths) / width
        relative = [round(twips / mean, 1) for twips in grid.widths]
        if max(relative) - min(relative) >= 0.2:  # as the clerk set them; equal ones say nothing
            for column, share in zip(columns, relative, strict=True):
                column["width"] = share
    keys = [c.get("key", n) for c, n in zip(columns, names, strict=True)]
    values: list[list[Decimal | None]] = [[number(row[j]) for row in body] for j in range(width)]
    kinds: list[str] = []
    for j in range(width):
        cells = [row[j] for row in body]
        filled = [c for c in cells if c]
        numbers = values[j]
        if names[j] in ("序号", "编号") and [str(n) for n in range(1, len(body) + 1)] == cells:
            kind = "row_number"
        elif filled and all(number(c) is not None for c in filled):
            kind = (
                "integer"
                if all(n is None or n == n.to_integral_value() for n in numbers)
                else "decimal"
            )
        elif (
            filled
            and any(h in names[j] for h in NAMES_HEADINGS)
            and all(PEOPLE.match(c) for c in filled)
        ):
            kind = "names"
        else:
            kind = "text"
        kinds.append(kind)
        if kind != "text":
            columns[j]["kind"] = kind
        if kind == "text" and len(set(filled)) == len(cells) == len(filled) and j <= 1 and cells:
            columns[j]["unique"] = True
        if kind in ("text", "names") and any(body_cover[r][j] for r in range(len(body))):
            columns[j]["merge_down"] = True
    formulas, formula_texts = _formulas(values, kinds, names, lifted, result)
    rows: list[dict[str, Any]] = []
    for r, row in enumerate(body):
        out: dict[str, Any] = {}
        for j in range(width):
            if kinds[j] == "row_number":
                continue
            value: Any = row[j]
            if kinds[j] in ("integer", "decimal"):
                parsed = values[j][r]
                value = None if parsed is None else _plain(parsed)
            if j in formulas:
                if r in formulas[j]:
                    out[keys[j]] = {"printed": value}
                    result.printed_differs = True
                continue
            out[keys[j]] = value
        rows.append(out)
    for j, text in formula_texts.items():
        columns[j]["formula"] = text
    spec: dict[str, Any] = {"columns": columns}
    if total_row is not None:
        spec["total_label"] = total_row[0].replace(" ", "") or "合计"
        printed: dict[str, Any] = {}
        for j in range(width):
            if kinds[j] in ("integer", "decimal") and (figure := number(total_row[j])) is not None:
                columns[j]["total"] = "sum"
                printed[keys[j]] = _plain(figure)
                computed = sum((v for v in values[j] if v is not None), Decimal(0))
                if j in formulas:
                    computed = figure  # checked by the build: the formula's own sum
                if computed != figure:
                    result.printed_differs = True
                    result.review.append(
                        f"“{names[j]}”的印刷合计 {figure} 与逐行相加 {computed} 不符"
                    )
        if printed:
            spec["printed"] = {"total": printed}
        result.notes.append(
            f"合计行“{spec['total_label']}”：程序计算，原文印刷值记在 printed.total 下供核对"
        )
    if unit is not None:
        spec["unit"] = unit
    spec["rows"] = rows
    result.spec = spec
    result.notes.insert(0, f"{len(body)} 行、{width} 列，表头 {header_count} 行")
    return result


Column = list[Decimal | None]


def _sum(a: Column, b: Column) -> Callable[[int], Decimal | None]:
    def compute(r: int) -> Decimal | None:
        x, y = a[r], b[r]
        return None if x is None or y is None else x + y

    return compute


def _difference(a: Column, b: Column) -> Callable[[int], Decimal | None]:
    def compute(r: int) -> Decimal | None:
        x, y = a[r], b[r]
        return None if x is None or y is None else x - y

    return compute


def _share(a: Column, share: Decimal) -> Callable[[int], Decimal | None]:
    """round(a * share), half up as the default rounding of a data set."""

    def compute(r: int) -> Decimal | None:
        x = a[r]
        return None if x is None else (x * share).quantize(Decimal(1), ROUND_HALF_UP)

    return compute


def _formulas(
    values: list[list[Decimal | None]],
    kinds: list[str],
    names: list[str],
    lifted: Lifted,
    result: ImportedTable,
) -> tuple[dict[int, set[int]], dict[int, str]]:
    """Columns equal to a formula of columns left of them: {column: rows that
    disagree} and {column: formula}."""
    found: dict[int, set[int]] = {}
    texts: dict[int, str] = {}
    numeric = [j for j, kind in enumerate(kinds) if kind in ("integer", "decimal")]
    rows = len(values[0]) if values else 0
    if rows < 2:
        return found, texts
    for c in numeric:
        target = values[c]
        if all(v is None for v in target):
            continue
        candidates: list[tuple[str, Decimal | None, Callable[[int], Decimal | None]]] = []
        left = [j for j in numeric if j < c]
        for a in left:
            for b in left:
                if a == b:
                    continue
                if a < b:
                    candidates.append(
                        (f"{_ref(names[a])} + {_ref(names[b])}", None, _sum(values[a], values[b]))
                    )
                candidates.append(
                    (
                        f"{_ref(names[a])} - {_ref(names[b])}",
                        None,
                        _difference(values[a], values[b]),
                    )
                )
            base = values[a]
            first = next((r for r in range(rows) if base[r] and target[r] is not None), None)
            if first is not None and kinds[c] == "integer":
                share = (target[first] / base[first]).quantize(Decimal("0.01"))  # type: ignore[operator]
                if Decimal("0.01") <= share < 1:
                    candidates.append(
                        (f"round({_ref(names[a])} * rates.{{share}})", share, _share(base, share))
                    )
        for text, share_value, compute in candidates:
            results = [compute(r) for r in range(rows)]
            if any((results[r] is None) != (target[r] is None) for r in range(rows)):
                continue  # a blank only where the formula gives a blank
            disagree = {r for r in range(rows) if results[r] != target[r]}
            if (rows - len(disagree)) / rows >= MIN_AGREEING and rows - len(disagree) >= 2:
                if share_value is not None:
                    key = lifted.key_for(lifted.rates, "rate", share_value)
                    text = text.replace("{share}", key)
                found[c] = disagree
                texts[c] = text
                note = f"“{names[c]}” = {text}"
                if disagree:
                    note += f"（{len(disagree)} 行原文与公式不符，印刷值保留为 printed）"
                result.notes.append("公式列：" + note)
                break
    return found, texts
