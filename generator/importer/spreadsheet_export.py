"""gongwen table export: a table of a data set as an .xlsx for villages to fill in.

The headings are the document's (rendered, multi-row groups merged); input
columns carry numeric validation; computed columns are shown as Excel
formulas where the expression maps cleanly onto Excel's (else as the values
gongwen computes), greyed and locked, as are row numbers, the key column and
the totals row (SUM formulas). The sheet is protected without a password, so
only the cells to fill in can be typed into. The bytes are deterministic:
fixed document properties, ZIP entries dated 1980-01-01.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.compose.tables import header_rows
from generator.compute import parameters
from generator.dataset.schema import Column
from generator.importer.spreadsheet_read import column_letter
from generator.importer.spreadsheet_table import TableContext, key_column, load_table
from generator.problems import DataError, Problem

FIXED_TIME = dt.datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_GREY = "FFD9D9D9"
_CHARS_PER_WIDTH = 12  # a column of width 1 holds about twelve digits


def _excel(node: Any, refs: dict[str, str], constants: dict[str, Decimal | None]) -> str | None:
    """The expression tree (generator/dataset/expr.py) as an Excel formula; None
    where it does not map (a name without a cell or a value)."""
    if node.op == "num":
        return format(node.value, "f")
    if node.op == "name":
        if node.name in refs:
            return refs[node.name]
        value = constants.get(node.name)
        return None if value is None else format(value, "f")
    args = [_excel(a, refs, constants) for a in node.args]
    if any(a is None for a in args):
        return None
    if node.op == "neg":
        return f"(-{args[0]})"
    if node.op in "+-*/":
        return f"({args[0]}{node.op}{args[1]})"
    if node.op == "round":
        return f"ROUND({args[0]},{args[1] if len(args) > 1 else 0})"
    if node.op == "floor":
        return f"INT({args[0]})"
    if node.op == "ceil":
        return f"(-INT(-{args[0]}))"
    return f"{node.op.upper()}({','.join(str(a) for a in args)})"  # abs, min, max


def _uses(node: Any, op: str) -> bool:
    return bool(node.op == op or any(_uses(a, op) for a in node.args))


def _formula(
    context: TableContext, column: Column, row: int, letters: dict[str, str]
) -> str | None:
    """An Excel formula for a computed cell that gives what gongwen computes, or None.

    Excel's ROUND rounds halves away from zero, as half_up does; other rounding
    rules get the computed values instead. A blank input gives a blank, as in gongwen."""
    expression = context.table.formulas[column.name]
    rounds = _uses(expression.tree, "round") or column.kind == "integer"
    if rounds and context.dataset.document.rounding != "half_up":
        return None
    refs = {name: f"{letter}{row}" for name, letter in letters.items()}
    constants = parameters(context.dataset, context.computed.subsidies)
    body = _excel(expression.tree, refs, constants)
    if body is None:
        return None
    tree = expression.tree
    places = tree.args[1] if tree.op == "round" and len(tree.args) > 1 else None
    whole = tree.op == "round" and (places is None or (places.op == "num" and places.value == 0))
    if column.kind == "integer" and not whole:
        body = f"ROUND({body},0)"
    inputs = sorted({refs[n] for n in expression.names if n in refs})
    if inputs:
        blank = ",".join(f'{ref}=""' for ref in inputs)
        return f'=IF(OR({blank}),"",{body})'
    return f"={body}"


def _cell_value(column: Column, value: Any) -> Any:
    if isinstance(value, tuple):
        return "、".join(value)
    return value


def _workbook(context: TableContext) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = context.columns
    try:
        key: Column | None = key_column(context)
    except DataError:  # rows from policy, or no unique column: nothing to keep fixed
        key = None
    book = Workbook()
    sheet = book.active
    sheet.title = context.table.name[:31]
    thin = Side(style="thin", color="FF000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor=_GREY)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    # Headings: as the document prints them, groups merged.
    rendered = {
        raw: text
        for c, path in zip(columns, context.headings, strict=True)
        for raw, text in zip(c.header or [c.name], path, strict=True)
    }
    header = header_rows(columns, lambda raw: rendered.get(raw, raw))
    depth = len(header)
    taken: set[tuple[int, int]] = set()
    for level, cells in enumerate(header):
        at = 0
        for cell in cells:
            while (level, at) in taken:
                at += 1
            target = sheet.cell(row=level + 1, column=at + 1, value=cell.text)
            target.font = Font(bold=True)
            for r in range(level, level + cell.rowspan):
                for c in range(at, at + cell.colspan):
                    taken.add((r, c))
                    sheet.cell(row=r + 1, column=c + 1).border = border
                    sheet.cell(row=r + 1, column=c + 1).alignment = centre
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=level + 1,
                    start_column=at + 1,
                    end_row=level + cell.rowspan,
                    end_column=at + cell.colspan,
                )
            at += cell.colspan

    letters: dict[str, str] = {}
    for i, column in enumerate(columns):
        letters[column.name] = letters[column.row_key] = column_letter(i)
        sheet.column_dimensions[column_letter(i)].width = float(column.width) * _CHARS_PER_WIDTH

    first = depth + 1
    rows = context.computed.tables[context.table.name].rows
    last = first + len(rows) - 1
    for r, row in enumerate(rows):
        excel_row = first + r
        for i, column in enumerate(columns):
            target = sheet.cell(row=excel_row, column=i + 1)
            target.border = border
            editable = context.is_input(column) and column is not key
            if column.formula is not None:
                formula = _formula(context, column, excel_row, letters)
                target.value = (
                    formula if formula is not None else _cell_value(column, row[column.name])
                )
                target.fill = grey
            else:
                target.value = _cell_value(column, row.get(column.name))
            if column.kind in ("integer", "row_number"):
                target.number_format = "0"
            target.protection = Protection(locked=not editable)
            target.alignment = Alignment(
                horizontal="right" if column.kind in ("integer", "decimal") else "center",
                vertical="center",
                wrap_text=True,
            )

    for i, column in enumerate(columns):
        if not context.is_input(column) or column.kind not in ("integer", "decimal") or not rows:
            continue
        if column.kind == "integer":
            check = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
            check.error = "请填写不小于 0 的整数（不填则为空白）"
        else:
            check = DataValidation(type="decimal", operator="between")
            check.formula1, check.formula2 = "-1000000000000", "1000000000000"
            check.error = "请填写数字（不填则为空白）"
        check.errorTitle = "输入有误"
        check.showErrorMessage = True
        check.allow_blank = True
        check.add(f"{column_letter(i)}{first}:{column_letter(i)}{last}")
        sheet.add_data_validation(check)

    label = context.table.spec.total_label
    if label:
        total_row = last + 1
        upto = max(next((i for i, c in enumerate(columns) if c.total), len(columns)), 1)
        for i, column in enumerate(columns):
            target = sheet.cell(row=total_row, column=i + 1)
            target.border = border
            target.fill = grey
            target.font = Font(bold=True)
            if column.total:
                letter = column_letter(i)
                target.value = f"=SUM({letter}{first}:{letter}{last})" if rows else 0
                target.alignment = Alignment(horizontal="right")
        sheet.cell(row=total_row, column=1, value=label).alignment = centre
        if upto > 1:
            sheet.merge_cells(
                start_row=total_row, start_column=1, end_row=total_row, end_column=upto
            )

    sheet.freeze_panes = f"A{first}"
    sheet.protection.sheet = True  # no password: it keeps formulas from being typed over
    props = book.properties
    props.creator = props.lastModifiedBy = "gongwen"
    props.created = props.modified = FIXED_TIME
    props.title = context.table.name
    return book


def _deterministic(book: Any) -> bytes:
    """The workbook's bytes: openpyxl's writer without its clock (it stamps
    the modified time and every ZIP entry's time), entries dated 1980-01-01."""
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return fixed.getvalue()


def export_table(root: Path, name: str, out: Path) -> Path:
    """Write tables/<name>.yaml of the data set at root as an .xlsx at out."""
    if out.suffix.lower() != ".xlsx":
        raise DataError([Problem("导出的文件名应以 .xlsx 结尾", out)])
    context = load_table(root, name)
    data = _deterministic(_workbook(context))
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(partial, 0o644)
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return out
