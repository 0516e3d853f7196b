"""How numbers, dates and people are written in an official document.

These are the Jinja filters the prose templates use, and what compose uses
for tables, so a figure is written the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (heading numbers)."""
    if not 0 < n < 100:
        raise ValueError(f"标题序号超出范围：{n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def number(value: Decimal | int) -> str:
    """380 -> 380, Decimal('0.80') -> 0.8, never an exponent or a thousands separator."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return text


def percent(rate: Decimal) -> str:
    """Decimal('0.95') -> 95%."""
    return number(rate * 100) + "%"


def date(value: dt.date) -> str:
    """2023年11月24日: Arabic numerals, no zero padding (GB/T 9704)."""
    return f"{value.year}年{value.month}月{value.day}日"


def month_day(value: dt.date) -> str:
    return f"{value.month}月{value.day}日"


def year_month(value: dt.date) -> str:
    return f"{value.year}年{value.month}月"


def period(value: Mapping[str, dt.date]) -> str:
    """2023年9月1日至12月31日: the end's year is left out when it is the start's."""
    start, end = value["start"], value["end"]
    tail = month_day(end) if end.year == start.year else date(end)
    return f"{date(start)}至{tail}"


def person(value: Mapping[str, Any]) -> str:
    """职务 + 姓名, as prose names people: 党委书记胡玉萍."""
    return f"{value.get('title') or ''}{value.get('name') or ''}"


def people(values: Iterable[Mapping[str, Any]], separator: str = "、") -> str:
    return separator.join(person(v) for v in values)


def with_role(values: Iterable[Mapping[str, Any]], role: str) -> list[Mapping[str, Any]]:
    return [v for v in values if v.get("role") == role]


def cell(value: object) -> str:
    """A table cell: numbers plainly, name lists joined by 、, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return number(value)
    return str(value)


FILTERS = {
    "num": number,
    "pct": percent,
    "date": date,
    "md": month_day,
    "ym": year_month,
    "period": period,
    "person": person,
    "people": people,
    "role": with_role,
    "cn": chinese_number,
}
