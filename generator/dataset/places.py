"""Places in a data file named as a person would: 第 3 行（坝芒村），列“户籍人口数”;
缴费档次“一档”的 amount; 资助“低保”的 value.

A list item is named by what identifies it, counted from 1 as people count,
never as rows[2] or tiers[1] (which read as 0-based next to templates'
tiers[0]).
"""

from __future__ import annotations

from typing import Any

from generator.problems import shortened

# List key -> (what an item is called, fields that name it).
_ITEMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tiers": ("缴费档次", ("name",)),
    "subsidies": ("资助", ("id", "groups")),
    "subsidy_parts": ("补助来源", ("name",)),
    "payers": ("承担方", ("name",)),
    "members": ("成员", ("name", "title")),
    "deputies": ("副主任", ("name", "title")),
    "columns": ("列", ("name",)),
    "attachments": ("附件", ()),  # its title may be a template: counted instead
}


def _text(value: Any) -> str | None:
    """What names an item, shortened (a value may be a million characters long)."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return shortened(str(value[0])) + ("等" if len(value) > 1 else "")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return shortened(str(value))
    return None


def _row_label(data: Any, row: Any) -> str | None:
    """The value that names a table row: its unique column's, else its first text."""
    if not isinstance(row, dict):
        return None
    columns = data.get("columns") if isinstance(data, dict) else None
    for column in columns if isinstance(columns, list) else []:
        if isinstance(column, dict) and column.get("unique") is True:
            key = column.get("key") or column.get("name")
            if isinstance(key, str) and (label := _text(row.get(key))):
                return label
    return next((str(v) for v in row.values() if isinstance(v, str) and v.strip()), None)


def _item(parent: str | int | None, items: Any, index: int, data: Any) -> str:
    item = items[index] if isinstance(items, list) and 0 <= index < len(items) else None
    if parent == "rows":
        label = _row_label(data, item)
        return f"第 {index + 1} 行" + (f"（{label}）" if label else "")
    if parent == "columns" and isinstance(item, dict) and "{" in str(item.get("name")):
        label = _text(item.get("key"))  # a heading that is a template: its key names it
        if label:
            return f"列“{label}”"
    if isinstance(parent, str) and parent in _ITEMS:
        kind, fields = _ITEMS[parent]
        for name in fields:
            if isinstance(item, dict) and (label := _text(item.get(name))):
                return f"{kind}“{label}”"
        return f"{kind}{index + 1}" if parent == "attachments" else f"第 {index + 1} 个{kind}"
    return f"第 {index + 1} 项"


def describe(data: Any, path: tuple[str | int, ...]) -> str:
    """('rows', 2, '户籍人口数') -> 第 3 行（坝芒村），列“户籍人口数”."""
    parts: list[tuple[str, bool]] = []  # (text, names an item)
    node = data
    for i, part in enumerate(path):
        parent = path[i - 1] if i else None
        if isinstance(part, int):
            label = _item(parent, node, part, data)
            if parts and isinstance(parent, str) and (parent in _ITEMS or parent == "rows"):
                parts.pop()
            parts.append((label, True))
        elif i >= 2 and path[i - 2] == "rows" and isinstance(parent, int):
            parts.append((f"，列“{part}”", True))
        else:
            parts.append((str(part), False))
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    out = ""
    previous_item = False
    for text, is_item in parts:
        if not out or text.startswith("，"):
            out += text
        elif is_item:
            out += ("，" if previous_item else " ") + text
        else:
            out += ("的 " if previous_item else ".") + text
        previous_item = is_item
    return out
