"""Stage 3, compute: every derived cell, every total, every subsidy, in Decimal
with the data set's explicit rounding rule; and the printed figures checked.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal

from generator.compute.subsidies import ComputedSubsidy, subsidy_for
from generator.compute.tables import ComputedTable, compute_table, printed_mismatches
from generator.dataset.schema import PolicyFile
from generator.dataset.validate import Dataset, parameter_names
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


def _parameters(policy: PolicyFile) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for name in parameter_names(policy):
        group, key = name.split(".", 1)
        values[name] = Decimal(getattr(policy, group)[key])
    return values


def compute(dataset: Dataset) -> Computed:
    rounding = ROUNDING[dataset.document.rounding]
    params = _parameters(dataset.policy)
    tables = {}
    warnings: list[Problem] = []
    for name, table in dataset.tables.items():
        computed = compute_table(table, dataset, params, rounding)
        tables[name] = computed
        warnings.extend(printed_mismatches(computed, dataset))
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
