"""Values left empty for the editor to enter: written `null` in the YAML.

`gongwen new-year` clears the fields below (they cannot be carried over from
last year); validation then names what is still to be filled in instead of
saying that null is not a date or not a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.dataset.yamlio import NodePath

# document.yaml fields a new year starts without, and what an editor calls them.
CLEARED_EACH_YEAR: dict[NodePath, str] = {
    ("notice", "number", "serial"): "发文字号序号",
    ("notice", "date"): "成文日期",
    ("plan", "date"): "成文日期",  # a plan published on its own
}

PENDING_MARK = "待填写"


def is_pending(error: Mapping[str, Any]) -> bool:
    """A pydantic error about a value written explicitly as null."""
    return error["type"] != "missing" and error.get("input", ...) is None


def pending_message(path: NodePath) -> str:
    label = CLEARED_EACH_YEAR.get(path)
    return f"{label}{PENDING_MARK}" if label else f"{PENDING_MARK}（此项不能为空）"
