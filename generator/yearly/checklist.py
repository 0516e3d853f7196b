"""What an editor must review after `gongwen new-year`, as Chinese lines.

The program can move dates and years on; it cannot know this year's amounts,
rates, cited documents or people. The checklist lists them with last year's
values, then what was moved on, then what is still to be filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from generator.compose.formatting import chinese_number
from generator.dataset.schema import Person
from generator.yearly.leaves import (
    Names,
    Share,
    comment_names,
    field_label,
    label,
    leaves,
    show,
)
from generator.yearly.newyear import Change, NewYear

# policy.yaml sections by what the editor checks them against.
AMOUNT_SECTIONS = ("tiers", "financing", "subsidies", "amounts")
RATE_SECTIONS = ("rates",)
COUNT_SECTIONS = ("counts",)
AGE_SECTIONS = ("ages",)
MOVED_SECTIONS = ("year", "periods", "dates", "documents")  # listed elsewhere


def _numbers(policy: Any, sections: tuple[str, ...], names: Names) -> list[str]:
    if not isinstance(policy, dict):
        return []
    return [
        f"{label(path, names)}：{show(value)}"
        for path, value in leaves({k: v for k, v in policy.items() if k in sections}).items()
        if isinstance(value, int | Decimal | Share) and not isinstance(value, bool)
    ]


def _other_parameters(policy: Any, names: Names) -> list[str]:
    if not isinstance(policy, dict):
        return []
    known = (*AMOUNT_SECTIONS, *RATE_SECTIONS, *COUNT_SECTIONS, *AGE_SECTIONS, *MOVED_SECTIONS)
    others = {k: v for k, v in policy.items() if k not in known}
    return [f"{label(path, names)}：{show(value)}" for path, value in leaves(others).items()]


def _person(person: Person) -> str:
    return f"{person.title or ''}{person.name or ''}"


def _people(result: NewYear) -> list[str]:
    lines = []
    group = result.dataset.organisation.leading_group
    if group is not None:
        roles: dict[str, list[str]] = {}
        for member in group.members:
            roles.setdefault(member.role or "成员", []).append(_person(member))
        text = "；".join(f"{role}：{'、'.join(names)}" for role, names in roles.items())
        if group.office is not None:
            text += f"；办公室主任：{_person(group.office.director)}"
        lines.append(f"organisation.yaml {group.name}（{text}）")
    for name, table in result.dataset.tables.items():
        columns = [c.name for c in table.spec.columns if c.kind == "names"]
        if columns:
            lines.append(f"tables/{name}.yaml 中的姓名：{'、'.join(columns)} 各列")
    return lines


def _tables(result: NewYear) -> list[str]:
    lines = []
    for name, table in result.dataset.tables.items():
        numeric = [
            c.name
            for c in table.spec.columns
            if c.kind in ("integer", "decimal") and c.formula is None
        ]
        if numeric:
            line = f"tables/{name}.yaml（{len(table.rows)} 行）：{'、'.join(numeric)}"
            if table.spec.printed.total:
                line += "；printed 中是上年原文印刷的合计，本年没有时请删除"
            if table.printed:
                line += "；行中 {printed: …} 是上年原文印刷的数值，本年没有时请删除"
            lines.append(line)
    return lines


def _changes(changes: list[Change], names: Mapping[str, Names]) -> list[str]:
    return [
        f"{c.file} {field_label(c.field, names.get(c.file))}：{c.old} → {c.new}" for c in changes
    ]


def checklist(result: NewYear) -> list[str]:
    """The review list, one line each; sections numbered 一、二、…"""
    files = result.dataset.sources.files
    policy = files["policy.yaml"].data
    names = {name: comment_names(loaded) for name, loaded in files.items()}
    own = names["policy.yaml"]
    documents = result.dataset.policy.documents
    moved = result.changes
    sections: list[tuple[str, list[str]]] = [
        ("金额（缴费标准、资助、经费等，仍为上年数值）", _numbers(policy, AMOUNT_SECTIONS, own)),
        ("比例（仍为上年数值）", _numbers(policy, RATE_SECTIONS, own)),
        ("天数、人数等（仍为上年数值）", _numbers(policy, COUNT_SECTIONS, own)),
        ("年龄（仍为上年数值）", _numbers(policy, AGE_SECTIONS, own)),
        ("其他政策参数", _other_parameters(policy, own)),
        (
            "引用文件（仍为上一年度的文件，未作改动，请换成本年度的文件）",
            [f"{d.title}（{d.number}）" if d.number else d.title for d in documents.values()],
        ),
        ("人员（如有调整请更新）", _people(result)),
        ("各表数据（沿用上年）", _tables(result)),
        ("已顺延一年的期间和日期（请按本年度安排核对）", _changes(moved.dates, names)),
        ("已改动的年份", _changes(moved.years + moved.texts, names)),
        (
            "写有年份但未改动的地方（注释、模板、列名，请核对；模板中宜写 {{ year }}）",
            [
                f"{c.file} {field_label(c.field, names.get(c.file))}：{c.old.strip()}"
                for c in result.kept_years
            ],
        ),
    ]
    lines = ["请逐项核对："]
    number = 0
    for title, items in sections:
        if not items:
            continue
        number += 1
        lines.append(f"{chinese_number(number)}、{title}")
        lines.extend(f"    {item}" for item in items)
    if moved.cleared:
        lines.append("待填写（填写之前，check 和 build 都会报错）：")
        lines.extend(
            f"    {c.file} {field_label(c.field, names.get(c.file))}：{c.new}（上年为 {c.old}）"
            for c in moved.cleared
        )
    return lines
