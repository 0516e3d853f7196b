"""Stage 3, compute: every derived cell, every total, every subsidy, in Decimal
with the data set's explicit rounding rule; and the printed figures checked.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal

from generator.compute.subsidies import ComputedSubsidy, subsidy_for
from generator.compute.tables import ComputedTable, compute_table, printed_mismatches
from generator.dataset.names import policy_values
from generator.dataset.validate import Dataset
from generator.problems import Problem

ROUNDING = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
}


@dataclass(frozen=True)
class Computed:
    tables: dict[str, ComputedTable]
    subsidies: tuple[ComputedSubsidy, ...]
    warnings: tuple[Problem, ...]


def parameters(
    dataset: Dataset, subsidies: tuple[ComputedSubsidy, ...]
) -> dict[str, Decimal | None]:
    """Every policy name a formula sees, with its value (generator/dataset/names.py)."""
    values: dict[str, Decimal | None] = dict(policy_values(dataset.policy))
    for computed in subsidies:
        if computed.rule.id is not None:
            for tier in computed.tiers:
                prefix = f"subsidies.{computed.rule.id}.{tier.tier}"
                values[f"{prefix}.subsidy"] = tier.subsidy
                values[f"{prefix}.personal"] = tier.personal
    return values


def compute(dataset: Dataset) -> Computed:
    rounding = ROUNDING[dataset.document.rounding]
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
    params = parameters(dataset, subsidies)
    tables = {}
    warnings: list[Problem] = []
    for name, table in dataset.tables.items():
        computed = compute_table(table, dataset, params, rounding, subsidies)
        tables[name] = computed
        warnings.extend(printed_mismatches(computed, dataset))
    return Computed(tables, subsidies, tuple(warnings))
