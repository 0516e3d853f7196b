"""gongwen table import: a table of a data set filled or updated from a
spreadsheet, matched by its headings, its rows matched by the key column.

The spreadsheet's headings are found wherever they are (a title row above
them is fine; several header rows with merged groups too) and matched to the
table's columns as printed, by name or by key. Input cells are typed as the
data model types them, every bad cell reported with its sheet and cell
(Sheet1!C7). Computed columns are never imported: a value there that differs
from the formula is reported, or kept as the printed figure ({printed: N})
when asked. The YAML is edited in place (spreadsheet_yaml.py), the data set
validated and computed again with the edit, and only then written, at once.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.compute import compute
from generator.compute.tables import ComputedTable
from generator.dataset.load import Sources
from generator.dataset.schema import Column
from generator.dataset.validate import validate
from generator.dataset.yamlio import parse_yaml
from generator.importer.spreadsheet_cells import (
    NOTE,
    Value,
    as_number,
    as_yaml,
    same,
    shown,
    typed,
    yaml_value,
)
from generator.importer.spreadsheet_headings import Header, Merged, column_notes, pick_sheet
from generator.importer.spreadsheet_read import Sheet, read_sheets
from generator.importer.spreadsheet_table import (
    TOTAL_LABELS,
    TableContext,
    key_column,
    load_table,
    normal,
)
from generator.importer.spreadsheet_yaml import REMOVE, LayoutError, TableText, flow_row
from generator.problems import DataError, Problem, Severity


@dataclass(frozen=True)
class Change:
    row: str  # the key value, e.g. the village
    cells: tuple[str, ...]  # 户籍人口数：1237 → 1250


@dataclass
class ImportResult:
    table: str
    file: Path
    sheet: str
    added: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)
    written: bool = False


@dataclass(frozen=True)
class _Totals:
    at: int  # sheet row
    figures: dict[int, Decimal]  # totalled table column -> the sheet's figure


@dataclass(frozen=True)
class _Row:
    at: int  # sheet row
    key: str
    cells: dict[int, Value]  # table column index -> value (input columns found)
    figures: dict[int, Decimal]  # computed columns: the sheet's figure


# --------------------------------------------------------------------- rows


def _is_total(sheet: Sheet, merged: Merged, row: int, labels: set[str]) -> bool:
    first = next(
        (v for c in range(len(sheet.cells[row])) if (v := merged.value(row, c)) is not None), None
    )
    return first is not None and normal(first) in labels


def _read_rows(
    header: Header, context: TableContext, key: int, problems: list[Problem], source: Path
) -> tuple[list[_Row], _Totals | None]:
    """The data rows below the headings (until the totals row), and the totals row."""
    sheet = header.sheet
    merged = Merged(sheet)
    columns = context.columns
    labels = {normal(label) for label in TOTAL_LABELS}
    if context.table.spec.total_label:
        labels.add(normal(context.table.spec.total_label))
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    key_at = header.columns[key]
    for r in range(header.data_start, len(sheet.cells)):
        if _is_total(sheet, merged, r, labels):
            sums = {
                i: number
                for i, c in header.columns.items()
                if columns[i].total
                and (r, c) not in sheet.formulas  # our SUM: nothing to check
                and (number := as_number(sheet.value(r, c))) is not None
            }
            return rows, _Totals(r, sums)
        cells: dict[int, Value] = {}
        figures: dict[int, Decimal] = {}
        for i, c in header.columns.items():
            column = columns[i]
            # Text merged down (a leader over several villages) is each row's; a
            # number merged down is not split, so only its first row has it.
            textual = column.kind in ("text", "names")
            raw = merged.value(r, c) if textual else sheet.value(r, c)
            if column.kind == "row_number":
                continue
            if column.formula is not None:
                # A figure typed in is checked; a formula (ours, exported) is not a record.
                if (r, c) not in sheet.formulas and (number := as_number(raw)) is not None:
                    figures[i] = number
                continue
            if raw is None and (r, c) in sheet.formulas:
                problems.append(
                    Problem(
                        f"{sheet.ref(r, c)}：列“{column.label}”是公式，但文件中没有它的计算结果："
                        "请在 Excel 或 WPS 中打开并保存后再导入",
                        source,
                    )
                )
                continue
            value, message = typed(column, raw)
            if message:
                problems.append(Problem(f"{sheet.ref(r, c)}：列“{column.label}”{message}", source))
            cells[i] = value
        key_value = cells.get(key)
        others = [v for i, v in cells.items() if i != key and v not in (None, ())]
        if key_value is None:
            if others:
                problems.append(
                    Problem(
                        f"{sheet.ref(r, key_at)}：这一行有数据，但没有填写“{columns[key].label}”",
                        source,
                    )
                )
            continue  # a blank row, or a note under the table
        assert isinstance(key_value, str)
        if not others and NOTE.match(key_value):
            continue  # 注：…, 单位：… written under the table
        if normal(key_value) in seen:
            problems.append(
                Problem(
                    f"{sheet.ref(r, key_at)}：“{key_value}”重复出现"
                    f"（{sheet.ref(seen[normal(key_value)], key_at)} 已有）",
                    source,
                )
            )
            continue
        seen[normal(key_value)] = r
        rows.append(_Row(r, key_value, cells, figures))
    return rows, None


# ------------------------------------------------------------------- import


def _validated(sources: Sources, name: str, text: str) -> tuple[Sources, ComputedTable]:
    """The data set with the table's new text, validated and computed."""
    relative = f"tables/{name}.yaml"
    loaded = parse_yaml(text, sources.files[relative].path)
    changed = Sources(sources.root, {**sources.files, relative: loaded})
    try:
        dataset = validate(changed)
    except DataError as error:
        lead = Problem(
            "按表格修改后，数据集校验未通过（以下位置指修改后的内容），未写入任何文件",
            sources.files[relative].path,
        )
        raise DataError([lead, *error.problems]) from None
    return changed, compute(dataset).tables[name]


def _write_atomically(path: Path, text: str) -> None:
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(partial, path.stat().st_mode & 0o777)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def import_table(
    source: Path,
    root: Path,
    name: str,
    sheet: str | None = None,
    record_printed: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Fill or update tables/<name>.yaml of the data set at root from source."""
    context = load_table(root, name)
    spec = context.table.spec
    if spec.rows_from is not None:
        raise DataError(
            [
                Problem(
                    f"表 {name} 的各行取自政策（rows_from: {spec.rows_from}），"
                    "不能从表格导入：请修改 policy.yaml",
                    context.file,
                )
            ]
        )
    key_spec = key_column(context)
    key = context.columns.index(key_spec)
    header = pick_sheet(read_sheets(source), sheet, context, key, source)
    problems: list[Problem] = []
    rows, totals = _read_rows(header, context, key, problems, source)
    if problems:
        raise DataError(problems)

    result = ImportResult(name, context.file, header.sheet.name)
    result.warnings.extend(column_notes(header, context, source))
    loaded = context.dataset.sources.files[f"tables/{name}.yaml"]
    original = loaded.path.read_text(encoding="utf-8")
    raw_rows: list[dict[str, Any]] = list(loaded.data.get("rows") or [])
    try:
        text = TableText(original)
        final = _plan_rows(context, key_spec, rows, raw_rows, text, result)
    except (LayoutError, ValueError) as error:
        raise DataError(
            [Problem(f"无法在原样保留格式的前提下修改这个文件（{error}）", loaded.path)]
        ) from None
    _, computed = _validated(context.dataset.sources, name, text.result())

    # Computed columns: the sheet's figures against the formula.
    printed_cells = _check_figures(
        context, header, final, raw_rows, computed, record_printed, text, source, result
    )
    printed_totals = _check_totals(
        context, header, totals, computed, record_printed, text, source, result
    )
    new_text = text.result()
    if printed_cells or printed_totals:
        _validated(context.dataset.sources, name, new_text)
    if new_text != original and not dry_run:
        _write_atomically(loaded.path, new_text)
        result.written = True
    return result


def _plan_rows(
    context: TableContext,
    key_spec: Column,
    rows: Sequence[_Row],
    raw_rows: list[dict[str, Any]],
    text: TableText,
    result: ImportResult,
) -> list[tuple[int | None, _Row]]:
    """Gather the edits; the rows as they will be, in order, each with its
    index in raw_rows (None for a new row) and its row of the sheet. Kept rows
    keep the YAML's order; a new row goes after the row above it in the sheet."""
    existing = {normal(r.get(key_spec.row_key, "")): i for i, r in enumerate(raw_rows)}
    incoming = {normal(r.key) for r in rows}
    for i, raw in enumerate(raw_rows):
        if normal(raw.get(key_spec.row_key, "")) not in incoming:
            text.remove_row(i)
            result.removed.append(str(raw.get(key_spec.row_key, f"第 {i + 1} 行")))
    kept: dict[int, _Row] = {}
    pending: dict[int | None, list[_Row]] = {}
    anchor: int | None = None
    for row in rows:
        index = existing.get(normal(row.key))
        if index is None:
            pending.setdefault(anchor, []).append(row)
            result.added.append(row.key)
            continue
        anchor = index
        kept[index] = row
        described = _update_row(context, key_spec, row, raw_rows[index], index, text)
        if described:
            result.changed.append(Change(row.key, tuple(described)))
        else:
            result.unchanged += 1
    final: list[tuple[int | None, _Row]] = [(None, r) for r in pending.get(None, [])]
    for index in sorted(kept):
        final.append((index, kept[index]))
        final.extend((None, r) for r in pending.get(index, []))
    for after, new in pending.items():
        text.add_rows(after, [flow_row(_new_cells(context, row)) for row in new])
    return final


def _update_row(
    context: TableContext,
    key_spec: Column,
    row: _Row,
    raw: dict[str, Any],
    index: int,
    text: TableText,
) -> list[str]:
    """Edit the cells of a kept row that the sheet changes; what changed, described."""
    columns = context.columns
    described = []
    for i, value in row.cells.items():
        column = columns[i]
        if column is key_spec:
            continue
        old = yaml_value(column, raw.get(column.row_key))
        if same(old, value):
            continue
        before = [c.row_key for c in columns[:i]]
        if value is None or value == ():
            blank: Any = None if column.kind in ("integer", "decimal") else REMOVE
            text.set_cell(index, column.row_key, blank, before)
        else:
            text.set_cell(index, column.row_key, as_yaml(column, value), before)
        described.append(f"{column.label}：{shown(old)} → {shown(value)}")
    return described


def _new_cells(context: TableContext, row: _Row) -> list[tuple[str, Any]]:
    cells = []
    for i, column in enumerate(context.columns):
        if not context.is_input(column) or i not in row.cells:
            continue
        value = row.cells[i]
        if value is None or value == ():
            if column.kind in ("integer", "decimal"):
                cells.append((column.row_key, None))
            continue
        cells.append((column.row_key, as_yaml(column, value)))
    return cells


def _check_figures(
    context: TableContext,
    header: Header,
    final: list[tuple[int | None, _Row]],
    raw_rows: list[dict[str, Any]],
    computed: ComputedTable,
    record_printed: bool,
    text: TableText,
    source: Path,
    result: ImportResult,
) -> bool:
    """Report (or, asked, record as {printed: N}) the sheet's figures in computed
    columns that differ from the formula; True if printed figures were edited."""
    columns = context.columns
    edited = False
    sheet = header.sheet
    for position, (index, row) in enumerate(final):
        for i, figure in row.figures.items():
            column = columns[i]
            value = computed.rows[position].get(column.name)
            agrees = isinstance(value, int | Decimal) and Decimal(value) == figure
            raw = raw_rows[index].get(column.row_key) if index is not None else None
            recorded = raw.get("printed") if isinstance(raw, dict) else None
            same = isinstance(recorded, int | Decimal) and Decimal(recorded) == figure
            if agrees:
                if record_printed and index is not None and isinstance(raw, dict) and not same:
                    text.set_cell(
                        index, column.row_key, REMOVE, []
                    )  # the sheet prints the formula's
                    edited = True
                continue
            if same:
                continue  # the YAML records this figure already (build warns of it)
            printed = int(figure) if figure == figure.to_integral_value() else figure
            if record_printed and index is not None:
                before = [c.row_key for c in columns[:i]]
                text.set_cell(index, column.row_key, {"printed": printed}, before)
                edited = True
                what = f"已记为原文印刷值 {{printed: {printed}}}"
            elif record_printed:
                what = "新增的行不记印刷值，可再导入一次"
            else:
                what = "未导入（要记为原文印刷值，导入时加 --printed）"
            shown = "空白" if value is None else value
            result.warnings.append(
                Problem(
                    f"{sheet.ref(row.at, header.columns[i])}：列“{column.label}”（{row.key}）"
                    f"表格中为 {figure}，按公式计算为 {shown}；{what}",
                    source,
                    severity=Severity.WARNING,
                )
            )
    return edited


def _check_totals(
    context: TableContext,
    header: Header,
    totals: _Totals | None,
    computed: ComputedTable,
    record_printed: bool,
    text: TableText,
    source: Path,
    result: ImportResult,
) -> bool:
    """The sheet's totals row against the totals of the rows: a warning each,
    or, asked, recorded as printed.total; True if printed totals were edited."""
    if totals is None:
        return False
    changes: dict[str, Any] = {}
    recorded = context.table.spec.printed.total
    for i, figure in sorted(totals.figures.items()):
        column = context.columns[i]
        key = next((k for k in (column.row_key, column.name) if k in recorded), column.row_key)
        value = (computed.total or {}).get(column.name)
        if not isinstance(value, int | Decimal):
            continue
        if Decimal(value) == figure:
            if record_printed and key in recorded and recorded[key] != figure:
                changes[key] = REMOVE  # the sheet prints what the rows add up to
            continue
        if key in recorded and recorded[key] == figure:
            continue  # recorded already (build warns of it)
        printed = int(figure) if figure == figure.to_integral_value() else figure
        if record_printed:
            changes[key] = printed
            what = f"已记为原文印刷的合计（printed.total.{key}: {printed}）"
        else:
            what = "合计由程序计算，未导入（要记为原文印刷的合计，导入时加 --printed）"
        result.warnings.append(
            Problem(
                f"{header.sheet.ref(totals.at, header.columns[i])}：合计行，列“{column.label}”"
                f"表格中为 {figure}，各行相加为 {value}；{what}",
                source,
                severity=Severity.WARNING,
            )
        )
    text.set_printed_totals(changes)
    return bool(changes)
