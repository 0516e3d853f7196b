"""A YAML file's values as a flat list of (path, value), with Chinese labels.

Both the new-year checklist and `gongwen diff` show values this way. List
items are named by what identifies them (a tier by its name, a member of the
leading group by role and post), so that a changed amount or a new name reads
as a change of that item rather than of "item 3".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.compose.formatting import number, percent
from generator.dataset.yamlio import Loaded


@dataclass(frozen=True)
class Item:
    """A list item in a path, named by its identifying fields."""

    label: str


@dataclass(frozen=True)
class Share:
    """A share the data writes as a decimal (0.5), shown as a clerk reads it (50%)."""

    value: Decimal


Key = str | Item
Path = tuple[Key, ...]
# A clerk's own names for keys with no fixed name (amounts.fund_base: the
# comment on its line), by the path of mapping keys leading to it.
Names = Mapping[tuple[str, ...], str]

# Which fields identify an item of a list held under this key.
IDENTITY: dict[str, tuple[str, ...]] = {
    "tiers": ("group", "name"),
    "subsidies": ("id", "groups"),
    "members": ("role", "title"),
    "attachments": ("table",),
    "subsidy_parts": ("name",),
    "payers": ("name",),
    "columns": ("name",),
}

NAMES: dict[str, str] = {
    "year": "年度",
    "tiers": "缴费档次",
    "financing": "筹资标准",
    "subsidy_parts": "各级补助",
    "individual": "个人缴费",
    "total": "合计",
    "subsidy": "财政补助",
    "subsidies": "困难群众资助",
    "groups": "资助对象",
    "tier_group": "适用档次组",
    "per_tier": "分档规则",
    "rule": "方式",
    "value": "数值",
    "note": "备注",
    "periods": "期间",
    "start": "开始",
    "end": "结束",
    "dates": "日期",
    "rates": "比例",
    "amounts": "金额",
    "amount": "金额",
    "counts": "数量",
    "ages": "年龄",
    "payers": "承担方",
    "share": "承担比例",
    "documents": "引用文件",
    "title": "标题",
    "number": "文号",
    "name": "名称",
    "group": "适用人群",
    "issuer": "发文机关",
    "mark": "发文机关标志",
    "short_name": "简称",
    "notice": "通知",
    "prefix": "代字",
    "serial": "序号",
    "date": "日期",
    "addressees": "主送机关",
    "request": "执行要求",
    "purpose": "目的语",
    "plan_cited_as": "通知中对方案的称呼",
    "subject": "事由",
    "wording": "固定用语",
    "title_verb": "标题中的动词",
    "lead": "方案名称前的用语",
    "issued_to": "方案名称后的用语",
    "shape": "公文组成",
    "attachment_list": "附件说明写法",
    "imprint": "版记",
    "printer": "印发机关",
    "copy_to": "抄送",
    "plan": "方案",
    "attachments": "附件",
    "listed_as": "附件说明中的名称",
    "table": "表",
    "leading_group": "领导小组",
    "members": "成员",
    "office": "办公室",
    "location": "设在",
    "director": "主任",
    "duties": "职责",
    "role": "角色",
    "unit": "单位",
    "footnotes": "表注",
    "total_label": "合计行名称",
    "printed": "原文印刷值",
    "columns": "列",
    "kind": "类型",
    "formula": "公式",
    "unique": "唯一",
    "ref": "引用",
    "align": "对齐",
    "width": "宽度",
    "key": "简称",
    "field": "取自",
    "rows_from": "各行取自",
}

# Where a key means something else than NAMES says: (parent key, key).
NAMES_UNDER: dict[tuple[str, str], str] = {
    ("members", "title"): "职务",
    ("members", "name"): "姓名",
    ("director", "title"): "职务",
    ("director", "name"): "姓名",
    ("notice", "date"): "成文日期",
    ("imprint", "date"): "印发日期",
    ("notice", "number"): "发文字号",
    ("plan", "date"): "成文日期",
}


def show(value: Any) -> str:
    """A value as an editor wrote it: numbers plainly, lists joined by 、."""
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Share):
        return percent(value.value)
    if isinstance(value, Decimal | int):
        return number(value)
    if isinstance(value, list | tuple):
        return "、".join(show(v) for v in value)
    if isinstance(value, Mapping) and set(value) == {"printed"}:  # a table cell's {printed: …}
        return f"{show(value['printed'])}（原文印刷值）"
    return str(value)


def _item_labels(key: str, items: list[Any]) -> list[str]:
    fields = IDENTITY.get(key, ())
    labels = []
    for item in items:
        parts = [show(item[f]) for f in fields if isinstance(item, Mapping) and item.get(f)]
        labels.append("·".join(parts))
    if any(not label or labels.count(label) > 1 for label in labels):
        return [f"第{n}项" for n in range(1, len(items) + 1)]
    return labels


def _is_share(path: Path, key: str, data: Mapping[str, Any]) -> bool:
    """rates.*, the value of a subsidy rule that pays a share, and a payer's share."""
    return (
        path == ("rates",)
        or (key == "value" and data.get("rule") == "share")
        or (key == "share" and "payers" in path)
    )


def leaves(data: Any, path: Path = ()) -> dict[Path, Any]:
    """Every scalar under data by its path; a list of scalars is one value;
    shares (rates, a share rule's value) as Share."""
    out: dict[Path, Any] = {}
    if isinstance(data, Mapping):
        for key, value in data.items():
            numeric = isinstance(value, Decimal | int) and not isinstance(value, bool)
            if numeric and _is_share(path, str(key), data):
                out[(*path, str(key))] = Share(Decimal(value))
                continue
            out.update(leaves(value, (*path, str(key))))
    elif isinstance(data, list) and any(isinstance(v, Mapping | list) for v in data):
        key = next((k for k in reversed(path) if isinstance(k, str)), "")
        for label, value in zip(_item_labels(key, data), data, strict=True):
            out.update(leaves(value, (*path, Item(label))))
    else:
        out[path] = data
    return out


def label(path: Path, names: Names | None = None) -> str:
    """('tiers', Item('一档'), 'amount') -> 缴费档次 · 一档 · 金额;
    ('amounts', 'fund_base') -> 金额 · 每参保1人工作经费（元） with the clerk's names."""
    words = []
    parent = ""
    keys: tuple[str, ...] | None = ()  # the mapping keys so far; None below a list item
    for key in path:
        if isinstance(key, Item):
            words.append(key.label)
            keys = None
            continue
        keys = (*keys, key) if keys is not None else None
        own = (names or {}).get(keys) if keys is not None else None
        words.append(NAMES_UNDER.get((parent, key)) or NAMES.get(key) or own or key)
        parent = key
    return " · ".join(words)


def field_label(field: str, names: Names | None = None) -> str:
    """A dotted field path as editors type it (periods.enrolment.start) as a label."""
    return label(tuple(field.split(".")), names)


# A comment at the end of a line, outside quotes.
_COMMENT = re.compile(r"""^(?:[^#"']|"[^"]*"|'[^']*')*?\s#\s*(?P<text>\S.*?)\s*$""")
NAME_CHARS = 30  # a comment longer than this is an explanation, not a name


def comment_names(loaded: Loaded | None) -> dict[tuple[str, ...], str]:
    """The clerk's names for keys NAMES does not know: the comment closing the
    line of the key, as in `fund_base: 1   # 每参保1人工作经费（元）`."""
    if loaded is None:
        return {}
    try:
        lines = loaded.path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    names: dict[tuple[str, ...], str] = {}
    for node, (line, _) in loaded.locations.items():
        keys = tuple(k for k in node if isinstance(k, str))
        if not keys or len(keys) != len(node) or keys[-1] in NAMES or not 0 < line <= len(lines):
            continue
        match = _COMMENT.match(lines[line - 1])
        if match and len(match.group("text")) <= NAME_CHARS:
            names[keys] = match.group("text")
    return names
