"""Stage 3, compute: every derived cell, every total, every subsidy, in Decimal
with the data set's explicit rounding rule; and the printed figures checked.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal

from generator import expr
from generator.problems import DataError, Problem, Severity
from generator.schema import PolicyFile, SubsidyRule, Tier
from generator.validate import CellValue, Dataset, InputTable, parameter_names, problem_at

ROUNDING = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
}


@dataclass(frozen=True)
class ComputedTable:
    name: str
    input: InputTable
    rows: tuple[dict[str, CellValue], ...]
    total: dict[str, CellValue] | None  # computed 合计, None without a totals row
    shown_total: dict[str, CellValue] | None  # what the document prints


@dataclass(frozen=True)
class TierSubsidy:
    tier: str
    subsidy: Decimal  # 资助
    personal: Decimal  # 个人缴


@dataclass(frozen=True)
class ComputedSubsidy:
    rule: SubsidyRule
    tiers: tuple[TierSubsidy, ...]


@dataclass(frozen=True)
class Computed:
    tables: dict[str, ComputedTable]
    subsidies: tuple[ComputedSubsidy, ...]
    warnings: tuple[Problem, ...]


def _parameters(policy: PolicyFile) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for name in parameter_names(policy):
        group, key = name.split(".", 1)
        values[name] = Decimal(getattr(policy, group)[key])
    return values


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


def _mismatches(table: ComputedTable, dataset: Dataset) -> list[Problem]:
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


def _table(
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


def subsidy_for(
    rule: SubsidyRule, tier: Tier, rounding: str = decimal.ROUND_HALF_UP
) -> TierSubsidy:
    """资助 + 个人缴 = the tier's standard; a subsidy never exceeds it. A share
    is rounded to the fen (0.01 元) by the data set's rounding rule."""
    applied = rule.for_tier(tier.name)
    if applied.rule == "full":
        subsidy = tier.amount
    elif applied.rule == "share":
        share = tier.amount * (applied.value or Decimal(0))
        subsidy = share.quantize(Decimal("0.01"), rounding=rounding).normalize()
    else:
        subsidy = min(applied.value or Decimal(0), tier.amount)
    return TierSubsidy(tier.name, subsidy, tier.amount - subsidy)


def compute(dataset: Dataset) -> Computed:
    rounding = ROUNDING[dataset.document.rounding]
    params = _parameters(dataset.policy)
    tables = {}
    warnings: list[Problem] = []
    for name, table in dataset.tables.items():
        computed = _table(table, dataset, params, rounding)
        tables[name] = computed
        warnings.extend(_mismatches(computed, dataset))
    subsidies = tuple(
        ComputedSubsidy(
            rule,
            tuple(
                subsidy_for(rule, tier, rounding)
                for tier in dataset.policy.tiers
                if tier.group == rule.tier_group
            ),
        )
        for rule in dataset.policy.subsidies
    )
    return Computed(tables, subsidies, tuple(warnings))
