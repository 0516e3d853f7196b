"""Subsidies per tier: what a rule pays (资助) and what is left to the person
(个人缴)."""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal

from generator.dataset.schema import SubsidyRule, Tier


@dataclass(frozen=True)
class TierSubsidy:
    tier: str
    subsidy: Decimal | None  # 资助; None where the rule does not apply (rule: none)
    personal: Decimal | None  # 个人缴


@dataclass(frozen=True)
class ComputedSubsidy:
    rule: SubsidyRule
    tiers: tuple[TierSubsidy, ...]


def subsidy_for(
    rule: SubsidyRule, tier: Tier, rounding: str = decimal.ROUND_HALF_UP
) -> TierSubsidy:
    """资助 + 个人缴 = the tier's standard; a subsidy never exceeds it. A share
    is rounded to the fen (0.01 元) by the data set's rounding rule."""
    applied = rule.for_tier(tier.name)
    if applied.rule == "none":
        return TierSubsidy(tier.name, None, None)
    # Exact for any amount the data may hold (50 digits, exponent 100): the
    # default 28 digits would round it, and make quantize raise.
    with decimal.localcontext(prec=400):
        if applied.rule == "full":
            subsidy = tier.amount
        elif applied.rule == "share":
            share = tier.amount * (applied.value or Decimal(0))
            subsidy = share.quantize(Decimal("0.01"), rounding=rounding).normalize()
        else:
            subsidy = min(applied.value or Decimal(0), tier.amount)
        return TierSubsidy(tier.name, subsidy, tier.amount - subsidy)
