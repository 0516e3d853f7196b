"""The names a table formula sees, built from policy.yaml and the table.

One place lists them all, for validation (which names exist), for compute
(their values) and for docs/templates.md (what an editor may write):

- the columns to the left, by key or by name (a name that is not a plain
  identifier is quoted: “2023年应参加居民医保人数”);
- rates.<名称>, amounts.<名称>, counts.<名称>, ages.<名称> from policy.yaml;
- tiers.<档次>.amount (a tier name used by one group only) and
  tiers.<人群>.<档次>.amount (always);
- financing.total, financing.subsidy, financing.individual and
  financing.subsidy_parts.<来源>;
- subsidies.<资助id>.<档次>.subsidy and .personal (rules with an id, per tier
  of the rule's tier group; blank where the rule does not apply);
- in a table whose rows come from the subsidies (rows_from: subsidies), the
  row's own rule: row.<档次>.subsidy and row.<档次>.personal, blank where the
  rule does not apply or its tier group has no such tier;
- in a table whose rows are the tiers (rows_from: tiers), the row's tier:
  row.amount, and row.<资助id>.subsidy and .personal for each rule with an id,
  blank where the rule is for another group or does not apply to the tier.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from generator.dataset.schema import PolicyFile

VALUE_GROUPS = ("rates", "amounts", "counts", "ages")

# (name pattern, what it is, example) for docs/templates.md; the test of the
# docs checks every pattern is produced by policy_names for some data set.
FORMULA_NAMES: tuple[tuple[str, str, str], ...] = (
    (
        "<列的 key 或列名>",
        "本行左侧各列的值；列名不是简单名称时加中文引号",
        "“2023年应参加居民医保人数”",
    ),
    ("rates.<名称>", "policy.yaml 中的比例", "rates.coverage_target"),
    ("amounts.<名称>", "policy.yaml 中的金额", "amounts.fund_base"),
    ("counts.<名称>", "policy.yaml 中的整数", "counts.newborn_days"),
    ("ages.<名称>", "policy.yaml 中的年龄", "ages.full_from"),
    ("tiers.<档次>.amount", "该档个人缴费标准（档次名只在一个人群中出现时）", "tiers.一档.amount"),
    ("tiers.<人群>.<档次>.amount", "某人群该档个人缴费标准", "tiers.大学生.一档.amount"),
    (
        "financing.total / subsidy / individual",
        "筹资标准、财政补助合计、个人缴费",
        "financing.total",
    ),
    ("financing.subsidy_parts.<来源>", "某级财政补助", "financing.subsidy_parts.中央"),
    ("subsidies.<资助id>.<档次>.subsidy", "该资助在该档的资助金额", "subsidies.低保.一档.subsidy"),
    (
        "subsidies.<资助id>.<档次>.personal",
        "该资助在该档的个人缴费",
        "subsidies.低保.一档.personal",
    ),
    (
        "row.<档次>.subsidy / personal",
        "rows_from: subsidies 的表中，本行资助规则在该档的资助与个人缴费",
        "row.一档.subsidy",
    ),
    ("row.amount", "rows_from: tiers 的表中，本行档次的个人缴费标准", "row.amount"),
    (
        "row.<资助id>.subsidy / personal",
        "rows_from: tiers 的表中，该资助在本行档次的资助与个人缴费",
        "row.低保.subsidy",
    ),
)


def policy_values(policy: PolicyFile) -> dict[str, Decimal]:
    """Every policy name but the subsidies (computed later) with its value."""
    values: dict[str, Decimal] = {}
    for group in VALUE_GROUPS:
        for key, value in getattr(policy, group).items():
            values[f"{group}.{key}"] = Decimal(value)
    used = Counter(t.name for t in policy.tiers)
    for tier in policy.tiers:
        values[f"tiers.{tier.group}.{tier.name}.amount"] = tier.amount
        if used[tier.name] == 1:
            values[f"tiers.{tier.name}.amount"] = tier.amount
    financing = policy.financing
    if financing is not None:
        values["financing.total"] = financing.total
        values["financing.subsidy"] = financing.subsidy
        values["financing.individual"] = financing.individual
        for part in financing.subsidy_parts:
            values[f"financing.subsidy_parts.{part.name}"] = part.amount
    return values


def subsidy_names(policy: PolicyFile) -> set[str]:
    names = set()
    for rule in policy.subsidies:
        if rule.id is None:
            continue
        for tier in policy.tiers:
            if tier.group == rule.tier_group:
                names |= {f"subsidies.{rule.id}.{tier.name}.{f}" for f in ("subsidy", "personal")}
    return names


# Which fields a text column of a rows_from table may take, by source.
ROW_FIELDS = {
    "subsidies": ("groups", "id", "note", "tier_group", "payers"),
    "tiers": ("name", "group"),
}


def row_names(policy: PolicyFile, source: str = "subsidies") -> set[str]:
    """The names of a row taken from policy: of a subsidy rule, every tier name
    of any group; of a tier, its amount and every rule with an id."""
    if source == "tiers":
        ids = {r.id for r in policy.subsidies if r.id is not None}
        return {"row.amount"} | {f"row.{i}.{f}" for i in ids for f in ("subsidy", "personal")}
    return {f"row.{t.name}.{f}" for t in policy.tiers for f in ("subsidy", "personal")}


def policy_names(policy: PolicyFile) -> set[str]:
    return set(policy_values(policy)) | subsidy_names(policy)
