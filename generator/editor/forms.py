"""Form fields generated from the data model's JSON Schemas (templates/schemas/):
a field added to the model appears in the editor without UI code.

Each schema node becomes a group (an object, a list of objects, a mapping of
named values) or a field whose kind decides its input: dates as dates, amounts
(numbers not below 0) in 元, rates (0 to 1) as percentages, choices from an
enum. Labels and help come from the schema's descriptions, and from the comment
on the value's line in the YAML when there is one.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.editor import yamlsave
from generator.paths import shared_templates
from generator.problems import format_path

SCHEMA_OF = {
    "document.yaml": "document",
    "policy.yaml": "policy",
    "organisation.yaml": "organisation",
}


@dataclass
class Field:
    path: tuple[str | int, ...]
    label: str
    help: str
    kind: str  # text, longtext, date, amount, percent, integer, number, bool, choice, list
    value: str
    choices: tuple[str, ...] = ()
    required: bool = False
    placeholder: str = ""

    @property
    def name(self) -> str:
        return json.dumps(list(self.path), ensure_ascii=False)

    @property
    def where(self) -> str:
        """The field as problems name it: tiers[1].amount."""
        return format_path(self.path)


@dataclass
class Group:
    path: tuple[str | int, ...]
    label: str
    help: str
    children: list[Field | Group] = field(default_factory=list)
    absent: bool = False  # an optional part the data leaves out: shown folded
    listed: bool = False  # a list of items: items may be added and removed

    @property
    def where(self) -> str:
        return format_path(self.path)


@functools.cache
def schema(name: str) -> dict[str, Any]:
    path = shared_templates() / "schemas" / f"{name}.schema.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The node with its $ref followed and a nullable anyOf unwrapped."""
    nullable = False
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        nullable = len(options) < len(node["anyOf"])
        if len(options) == 1:
            node = {**node, **options[0]}
            node.pop("anyOf")
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        described = {k: v for k, v in node.items() if k == "description"}
        node = {**target, **described}
    return node, nullable


def _label(description: str, fallback: str) -> tuple[str, str]:
    """A short label (the description up to its first comma) and the full help."""
    if not description:
        return fallback, ""
    short = description
    for mark in ("，", "：", "；", "（", "。", ",", "("):
        short = short.split(mark, 1)[0]
    return (short or fallback), description


def _choice_names(description: str, choices: tuple[str, ...]) -> dict[str, str]:
    """Chinese names of an enum's values when its description gives them as
    "code 名称；code 名称"; empty otherwise."""
    names: dict[str, str] = {}
    for part in re.split(r"[；;，,]", description):
        code, _, name = part.strip().partition(" ")
        if code in choices and name.strip():
            names[code] = name.strip()
    return names if set(names) == set(choices) else {}


def _kind(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if "enum" in node:
        return "choice"
    if kind == "string":
        return "date" if node.get("format") == "date" else "text"
    if kind == "number":
        if node.get("minimum") == 0 and node.get("maximum") == 1:
            return "percent"
        return "amount" if node.get("minimum") == 0 else "number"
    if kind == "integer":
        return "integer"
    if kind == "boolean":
        return "bool"
    return "text"


def shown(kind: str, value: Any) -> str:
    """A value as the form shows it."""
    if value is None:
        return ""
    if kind == "percent":
        return format((Decimal(str(value)) * 100).normalize(), "f")
    if kind == "bool":
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):  # one item a line: an item may itself hold a 、
        return "\n".join(str(v) for v in value)
    return str(value)


def parsed(kind: str, text: str) -> Any:
    """What a form's text means, to be written into the YAML; ValueError (Chinese)
    if it cannot be that kind of value."""
    text = text.strip()
    if text == "":
        return None
    if kind in ("amount", "number"):
        return yamlsave.number(text)
    if kind == "percent":
        share = Decimal(yamlsave.number(text.rstrip("%％"))) / 100
        return int(share) if share == share.to_integral_value() else share.normalize()
    if kind == "integer":
        whole = yamlsave.number(text)
        if not isinstance(whole, int):
            raise ValueError(f"“{text}”不是整数")
        return whole
    if kind == "bool":
        return text == "true"
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text  # validation names it, in the CLI's words
    if kind == "list":
        return [part.strip() for part in text.splitlines() if part.strip()]
    return text


def _build(
    node: dict[str, Any],
    value: Any,
    path: tuple[str | int, ...],
    label: str,
    defs: dict[str, Any],
    notes: dict[tuple[str | int, ...], str],
    required: bool,
) -> Field | Group:
    node, _ = _resolve(node, defs)
    short, help_text = _label(node.get("description", ""), label)
    short = label if label and not str(label).isascii() else short
    note = notes.get(path)
    if note and label and str(label).isascii():  # a named value: its comment says what it is
        short, help_text = note, f"{label}：{help_text}" if help_text else label
    elif note and note not in help_text and help_text not in note:
        help_text = f"{help_text}（{note}）" if help_text else note
    if node.get("type") == "object" and "properties" in node:
        group = Group(path, short, help_text, absent=value is None and bool(path))
        data = value if isinstance(value, dict) else {}
        needed = set(node.get("required", []))
        for key, child in node["properties"].items():
            group.children.append(
                _build(child, data.get(key), (*path, key), "", defs, notes, key in needed)
            )
        return group
    if node.get("type") == "object" and isinstance(node.get("additionalProperties"), dict):
        group = Group(path, short, help_text)
        for key, item in (value or {}).items():
            group.children.append(
                _build(
                    node["additionalProperties"],
                    item,
                    (*path, str(key)),
                    str(key),
                    defs,
                    notes,
                    True,
                )
            )
        return group
    if node.get("type") == "array":
        items, _ = _resolve(node.get("items", {}), defs)
        if items.get("type") == "object":
            group = Group(path, short, help_text, listed=True)
            for index, item in enumerate(value or []):
                group.children.append(
                    _build(items, item, (*path, index), f"第 {index + 1} 项", defs, notes, True)
                )
            return group
        return Field(
            path,
            short,
            help_text + "（每行一项）",
            "list",
            shown("list", value),
            required=required,
        )
    kind = _kind(node)
    if kind == "text" and isinstance(value, str) and len(value) > 40:
        kind = "longtext"
    choices = tuple(str(c) for c in node.get("enum", ()))
    names = _choice_names(node.get("description", ""), choices)
    if names:  # "full 全额；share 按比例": the choices named, the label made of their names
        short = "／".join(names[c] for c in choices)
        choices = tuple(f"{c}|{names[c]}" for c in choices)
    default = node.get("default")
    placeholder = "" if default in (None, [], {}) else shown(kind, default)
    if kind == "bool" and value is None:
        value = bool(default)
    return Field(path, short, help_text, kind, shown(kind, value), choices, required, placeholder)


def form(file: str, document: yamlsave.Document) -> Group:
    """The form of one of document.yaml, policy.yaml, organisation.yaml."""
    root = schema(SCHEMA_OF[file])
    notes = line_notes(document.original)
    built = _build(root, document.data, (), "", root.get("$defs", {}), notes, True)
    assert isinstance(built, Group)
    return built


def line_notes(text: str) -> dict[tuple[str | int, ...], str]:
    """The comment on each value's line, e.g. rates.coverage_target → 常住人口参保率目标."""
    from generator.yearly.yamledit import scan

    try:
        scanned = scan(text)
    except Exception:  # invalid YAML: no notes; the problem is reported elsewhere
        return {}
    notes: dict[tuple[str | int, ...], str] = {}
    taken: set[int] = set()
    for scalar in scanned.scalars:
        comment = scanned.comment_on(scalar.line)
        if comment is None or scalar.line in taken:
            continue
        taken.add(scalar.line)
        words = scanned.text[comment.start + 1 : comment.end].strip()
        # A flow mapping on one line: the comment speaks of the mapping.
        path = (
            scalar.path
            if scanned.text.count("{", scanned.lines[scalar.line][0], scalar.start) == 0
            else scalar.path[:-1]
        )
        notes.setdefault(tuple(path), words)
    return notes


def lists(group: Group) -> list[Group]:
    """Every list of items in the form (members, tiers, attachments…)."""
    out = [group] if group.listed else []
    for child in group.children:
        if isinstance(child, Group):
            out.extend(lists(child))
    return out


def fields(group: Group) -> list[Field]:
    out: list[Field] = []
    for child in group.children:
        out.extend(fields(child) if isinstance(child, Group) else [child])
    return out
