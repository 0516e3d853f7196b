"""The data set's tables computed: formula columns row by row, row numbers,
totals; the printed totals checked against them (warnings)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from generator.dataset import expr
from generator.dataset.validate import CellValue, Dataset, InputTable, problem_at
from generator.problems import DataError, Problem, Severity


@dataclass(frozen=True)
class ComputedTable:
    name: str
    input: InputTable
    rows: tuple[dict[str, CellValue], ...]
    total: dict[str, CellValue] | None  # computed 合计, None without a totals row
    shown_total: dict[str, CellValue] | None  # what the document prints


def _evaluate_row(
    table: InputTable,
    row: dict[str, CellValue],
    index: int,
    params: dict[str, Decimal],
    rounding: str,
) -> dict[str, CellValue]:
    out = dict(row)
    for column in table.spec.columns:
        if column.kind == "row_number":
            out[column.name] = index + 1
        elif column.name in table.formulas:
            variables = dict(params)
            variables.update(
                {k: Decimal(v) for k, v in out.items() if isinstance(v, int | Decimal)}
            )
            try:
                value = table.formulas[column.name].evaluate(variables, rounding)
            except expr.ExprError as error:
                raise DataError(
                    [Problem(f"表 {table.name} 第 {index + 1} 行，列“{column.name}”：{error}")]
                ) from None
            if column.kind == "integer":
                out[column.name] = int(value.quantize(Decimal(1), rounding=rounding))
            else:
                out[column.name] = value
    return out


def printed_mismatches(table: ComputedTable, dataset: Dataset) -> list[Problem]:
    loaded = dataset.sources.tables()[table.name]
    label = table.input.spec.total_label or "合计"
    found = []
    for key, printed in table.input.spec.printed.total.items():
        computed = (table.total or {}).get(key)
        if computed is not None and Decimal(str(computed)) != printed:
            found.append(
                problem_at(
                    loaded,
                    ("printed", "total", key),
                    f"表 {table.name}，{label}行，列“{key}”：印刷值 {printed}，计算值 {computed}",
                    severity=Severity.WARNING,
                )
            )
    return found


def compute_table(
    table: InputTable, dataset: Dataset, params: dict[str, Decimal], rounding: str
) -> ComputedTable:
    rows = tuple(_evaluate_row(table, row, i, params, rounding) for i, row in enumerate(table.rows))
    total: dict[str, CellValue] | None = None
    shown: dict[str, CellValue] | None = None
    if table.spec.total_label:
        total = {}
        for column in table.spec.columns:
            if column.total == "sum":
                values = [v for row in rows if isinstance(v := row[column.name], int | Decimal)]
                total[column.name] = sum(
                    values, start=0 if column.kind == "integer" else Decimal(0)
                )
        shown = dict(total)
        if dataset.document.figures == "printed":
            for key, printed in table.spec.printed.total.items():
                shown[key] = int(printed) if isinstance(total.get(key), int) else printed
    return ComputedTable(table.name, table, rows, total, shown)
