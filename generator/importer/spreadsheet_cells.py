"""A spreadsheet's cell as the data model types it, and a YAML cell alike,
to compare them: numbers as Decimal (1,237 and full-width digits read too),
names split at the separators people type, text stripped."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from generator.dataset.schema import Column
from generator.importer.spreadsheet_table import normal

Value = str | int | Decimal | tuple[str, ...] | None


def as_number(value: Any) -> Decimal | None:
    """A cell as a number: a number, or text of one (1,237 and full-width digits too)."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        text = normal(value).replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


# A note under a table, in the key column with nothing else on its row.
NOTE = re.compile(r"^(注|说明|备注|单位|填表|制表|审核)\s*\d*\s*[：:]")

_NAME_SEPARATORS = ("、", ",", "，", ";", "；", "/", " ", "\u3000")


def typed(column: Column, value: Any) -> tuple[Value, str | None]:
    """The value the data model holds for a cell, or an error message."""
    if value is None:
        return None, None
    if column.kind in ("integer", "decimal"):
        number = as_number(value)
        if number is None:
            return None, f"应为数字，而不是“{value}”"
        if column.kind == "decimal":
            return Decimal(int(number)) if number == number.to_integral_value() else number, None
        if number != number.to_integral_value():
            return None, f"应为整数，而不是“{value}”"
        if number < 0:
            return None, f"不能小于 0（“{value}”）"
        return int(number), None
    text = str(value).strip()
    if column.kind == "names":
        for separator in _NAME_SEPARATORS[1:]:
            text = text.replace(separator, "、")
        return tuple(n for n in text.split("、") if n), None
    return text, None


def as_yaml(column: Column, value: Value) -> Any:
    """The typed value as the YAML should hold it (one name is written alone)."""
    if isinstance(value, tuple):
        return value[0] if len(value) == 1 else list(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def yaml_value(column: Column, raw: Any) -> Value:
    """A cell of the YAML as typed types a spreadsheet's, to compare them."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, list):
        return tuple(str(n).strip() for n in raw)
    if column.kind == "names":
        return (str(raw).strip(),)
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        return Decimal(raw)
    return str(raw) if not isinstance(raw, dict) else None


def same(a: Value, b: Value) -> bool:
    if isinstance(a, int | Decimal) and isinstance(b, int | Decimal):
        return Decimal(a) == Decimal(b)
    return a == b


def shown(value: Value) -> str:
    if value is None:
        return "空白"
    if isinstance(value, tuple):
        return "、".join(value)
    return str(value)
