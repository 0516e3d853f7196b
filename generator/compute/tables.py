"""The data set's tables computed: formula columns row by row (a blank input
gives a blank), row numbers, totals (blanks left out); printed figures, of a
total or of any derived cell, checked against them (warnings), and shown
instead of the computed ones under `figures: printed`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from generator.compute.subsidies import ComputedSubsidy
from generator.dataset import expr
from generator.dataset.schema import Tier
from generator.dataset.validate import CellValue, Dataset, InputTable, problem_at
from generator.problems import DataError, Problem, Severity


@dataclass(frozen=True)
class ComputedTable:
    name: str
    input: InputTable
    rows: tuple[dict[str, CellValue], ...]
    total: dict[str, CellValue] | None  # computed 合计, None without a totals row
    shown_total: dict[str, CellValue] | None  # what the document prints
    shown_rows: tuple[dict[str, CellValue], ...] = ()  # what the document prints

    @property
    def printed_rows(self) -> tuple[dict[str, CellValue], ...]:
        return self.shown_rows or self.rows


def _rule_variables(subsidy: ComputedSubsidy) -> dict[str, Decimal | None]:
    """row.<档次>.subsidy / personal of a row taken from a subsidy rule."""
    values: dict[str, Decimal | None] = {}
    for tier in subsidy.tiers:
        values[f"row.{tier.tier}.subsidy"] = tier.subsidy
        values[f"row.{tier.tier}.personal"] = tier.personal
    return values


def _tier_variables(tier: Tier, subsidies: Sequence[ComputedSubsidy]) -> dict[str, Decimal | None]:
    """row.amount and row.<资助id>.subsidy / personal of a row taken from a tier."""
    values: dict[str, Decimal | None] = {"row.amount": tier.amount}
    for subsidy in subsidies:
        if subsidy.rule.id is None or subsidy.rule.tier_group != tier.group:
            continue
        for each in subsidy.tiers:
            if each.tier == tier.name:
                values[f"row.{subsidy.rule.id}.subsidy"] = each.subsidy
                values[f"row.{subsidy.rule.id}.personal"] = each.personal
    return values


def _evaluate_row(
    table: InputTable,
    row: dict[str, CellValue],
    index: int,
    params: dict[str, Decimal | None],
    rounding: str,
    dataset: Dataset,
    row_variables: dict[str, Decimal | None] | None = None,
) -> dict[str, CellValue]:
    out = dict(row)
    variables: dict[str, Decimal | None] = dict(params)
    # Names a rule does not have (a tier of another group) are blanks.
    variables.update({n: None for n in expr_names(table) if n.startswith("row.")})
    variables.update(row_variables or {})
    for position, column in enumerate(table.spec.columns):
        if column.kind == "row_number":
            out[column.name] = index + 1
        elif column.name in table.formulas:
            try:
                value = table.formulas[column.name].evaluate(variables, rounding)
            except expr.ExprError as error:
                loaded = dataset.sources.tables()[table.name]
                raise DataError(
                    [
                        problem_at(
                            loaded,
                            ("columns", position, "formula"),
                            f"表 {table.name} {table.row_label(index)}，列“{column.label}”：{error}",
                        )
                    ]
                ) from None
            if value is not None and column.kind == "integer":
                out[column.name] = int(value.quantize(Decimal(1), rounding=rounding))
            else:
                out[column.name] = value
        cell = out.get(column.name)
        number = Decimal(cell) if isinstance(cell, int | Decimal) else None
        for name in {column.row_key, column.name}:
            variables[name] = number
    return out


def expr_names(table: InputTable) -> set[str]:
    return {n for f in table.formulas.values() for n in f.names}


def printed_mismatches(table: ComputedTable, dataset: Dataset) -> list[Problem]:
    loaded = dataset.sources.tables()[table.name]
    spec = table.input.spec
    label = spec.total_label or "合计"
    found = []
    columns = {c.name: c for c in spec.columns}
    for (index, name), printed in sorted(table.input.printed.items()):
        computed = table.rows[index].get(name)
        if computed is None or Decimal(computed) != printed:  # type: ignore[arg-type]
            shown = "空白" if computed is None else computed
            found.append(
                problem_at(
                    loaded,
                    ("rows", index, columns[name].row_key, "printed"),
                    f"表 {table.name} {table.input.row_label(index)}，"
                    f"列“{columns[name].label}”：印刷值 {printed}，计算值 {shown}",
                    severity=Severity.WARNING,
                )
            )
    by_key = {c.row_key: c for c in spec.columns} | columns
    for key, printed in spec.printed.total.items():
        column = by_key[key]  # validation made sure it is a totalled column
        computed = (table.total or {}).get(column.name)
        if computed is not None and Decimal(str(computed)) != printed:
            found.append(
                problem_at(
                    loaded,
                    ("printed", "total", key),
                    f"表 {table.name}，{label}行，列“{column.label}”："
                    f"印刷值 {printed}，计算值 {computed}",
                    severity=Severity.WARNING,
                )
            )
    return found


def _as_kind(value: Decimal, like: CellValue) -> CellValue:
    return int(value) if isinstance(like, int) and value == int(value) else value


def compute_table(
    table: InputTable,
    dataset: Dataset,
    params: dict[str, Decimal | None],
    rounding: str,
    subsidies: Sequence[ComputedSubsidy] = (),
) -> ComputedTable:
    source = table.spec.rows_from
    tiers = dataset.policy.tiers

    def row_variables(index: int) -> dict[str, Decimal | None]:
        if source == "subsidies":
            return _rule_variables(subsidies[index])
        if source == "tiers":
            return _tier_variables(tiers[index], subsidies)
        return {}

    rows = tuple(
        _evaluate_row(table, row, i, params, rounding, dataset, row_variables(i))
        for i, row in enumerate(table.rows)
    )
    total: dict[str, CellValue] | None = None
    shown: dict[str, CellValue] | None = None
    printed_figures = dataset.document.figures == "printed"
    if table.spec.total_label:
        total = {}
        for column in table.spec.columns:
            if column.total == "sum":
                values = [v for row in rows if isinstance(v := row[column.name], int | Decimal)]
                total[column.name] = sum(
                    values, start=0 if column.kind == "integer" else Decimal(0)
                )
        shown = dict(total)
        if printed_figures:
            names = {c.row_key: c.name for c in table.spec.columns}
            for key, printed in table.spec.printed.total.items():
                name = names.get(key, key)
                shown[name] = int(printed) if isinstance(total.get(name), int) else printed
    shown_rows: tuple[dict[str, CellValue], ...] = ()
    if printed_figures and table.printed:
        changed = [dict(row) for row in rows]
        for (index, name), printed in table.printed.items():
            changed[index][name] = _as_kind(printed, rows[index].get(name))
        shown_rows = tuple(changed)
    return ComputedTable(table.name, table, rows, total, shown, shown_rows)
