"""Editing a table's rows in its YAML text, keeping everything else byte for byte.

Like generator/yearly/yamledit.py (whose Edit and apply this uses), the text
is parsed only to learn where each row, key and value is, and edits splice
new text into exactly those spans: comments, flow mappings, alignment and
the order of keys stay as the person who wrote the file left them. A row is
one list item of `rows:`; a new row is written as the rows around it are
(one flow mapping a line, at their indentation), a new cell is put after the
cell of the column to its left.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from generator.yearly.yamledit import Edit, apply

REMOVE = object()  # set_cell's value that takes the cell out of its row

_FLOW_SPECIAL = set(",[]{}#&*!|>'\"%@`")


class LayoutError(Exception):
    """The rows are laid out in a way this module does not edit in place."""


def yaml_text(value: Any) -> str:
    """value as YAML flow text: ~ for a blank, numbers as written, text plain
    unless it would read back as something else, lists and mappings in flow style."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_text(k)}: {yaml_text(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if _plain_is_safe(text):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _plain_is_safe(text: str) -> bool:
    if not text or text != text.strip() or _FLOW_SPECIAL & set(text) or ": " in text:
        return False
    if text[0] in "-?:" or text.endswith(":") or "\n" in text:
        return False
    try:
        return bool(yaml.safe_load(f"[{text}]") == [text])
    except yaml.YAMLError:
        return False


def flow_row(cells: Sequence[tuple[str, Any]]) -> str:
    return "{" + ", ".join(f"{yaml_text(k)}: {yaml_text(v)}" for k, v in cells) + "}"


@dataclass(frozen=True)
class _Pair:
    key: str
    key_start: int
    value_start: int
    value_end: int


class TableText:
    """The text of tables/<name>.yaml with edits to its rows gathered, then
    applied at once by result(). Rows are counted as in the file, from 0."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self._line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self._edits: list[Edit] = []
        self._inserts: dict[int, list[str]] = {}  # offset -> texts, in call order
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if not isinstance(root, yaml.MappingNode):
            raise LayoutError("文件内容不是映射")
        self._root = root
        self._rows_key: yaml.Node | None = None
        self._rows: yaml.Node | None = None
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "rows":
                self._rows_key, self._rows = key, value
        self.items: list[yaml.MappingNode] = []
        if isinstance(self._rows, yaml.SequenceNode):
            for item in self._rows.value:
                if not isinstance(item, yaml.MappingNode):
                    raise LayoutError("rows 中有一项不是映射")
                self.items.append(item)
            if self.items and self._rows.flow_style:
                raise LayoutError("rows 写在一行的方括号中")
        elif self._rows is not None and not (
            isinstance(self._rows, yaml.ScalarNode) and self._rows.value in ("", "~", "null")
        ):
            raise LayoutError("rows 不是列表")

    # -- positions

    def _line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset) - 1

    def _line_end(self, line: int) -> int:
        """Offset of the line break ending line (or of the text's end)."""
        if line + 1 < len(self._line_starts):
            end = self._line_starts[line + 1] - 1
            return end - 1 if end > 0 and self.text[end - 1] == "\r" else end
        return len(self.text)

    def _after_line(self, line: int) -> int:
        """Offset of the start of the line after line (the text's end for the last)."""
        return self._line_starts[line + 1] if line + 1 < len(self._line_starts) else len(self.text)

    def _pairs(self, item: yaml.MappingNode) -> list[_Pair]:
        return [
            _Pair(str(k.value), k.start_mark.index, v.start_mark.index, self._content_end(v))
            for k, v in item.value
        ]

    @staticmethod
    def _content_end(node: yaml.Node) -> int:
        """Where a node's own text ends: a block collection's end mark is at
        the next token (the next row's dash), so look at its last value."""
        while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
            if not node.value:
                break
            last = node.value[-1]
            node = last[1] if isinstance(node, yaml.MappingNode) else last
        return int(node.end_mark.index)

    def _item_lines(self, item: yaml.MappingNode) -> tuple[int, int, str]:
        """The first and last line of a row and the text before its dash."""
        end = self._content_end(item)
        first = self._line_of(item.start_mark.index)
        last = self._line_of(max(end - 1, item.start_mark.index))
        before = self.text[self._line_starts[first] : item.start_mark.index]
        if before.strip() != "-":
            raise LayoutError("某一行不是以“- ”开头独占一行")
        rest = self.text[end : self._line_end(last)].strip()
        if rest and not rest.startswith("#"):
            raise LayoutError("某一行之后同一行还有内容")
        return first, last, before[: before.index("-")]

    def _insert(self, offset: int, text: str) -> None:
        self._inserts.setdefault(offset, []).append(text)

    # -- edits

    def set_cell(self, row: int, key: str, value: Any, keys_before: Sequence[str]) -> None:
        """Give row's cell key the value (REMOVE: take it out). A new cell goes
        after the nearest of keys_before (the columns to its left) the row has."""
        self._set(self.items[row], key, value, keys_before)

    def set_printed_totals(self, changes: dict[str, Any]) -> None:
        """printed.total: the totals row's figures as printed; a key whose value
        is REMOVE is taken out. A flow mapping is written anew in one piece."""
        if not changes:
            return
        printed = self._child(self._root, "printed")
        total = self._child(printed, "total") if printed is not None else None
        added = {k: v for k, v in changes.items() if v is not REMOVE}
        if isinstance(total, yaml.MappingNode) and total.flow_style:
            old = {
                str(k.value): self.text[v.start_mark.index : v.end_mark.index]
                for k, v in total.value
            }
            entries = [
                f"{yaml_text(k)}: {yaml_text(changes[k]) if k in changes else text}"
                for k, text in old.items()
                if changes.get(k) is not REMOVE
            ]
            entries += [f"{yaml_text(k)}: {yaml_text(v)}" for k, v in added.items() if k not in old]
            span = Edit(
                total.start_mark.index, total.end_mark.index, "{" + ", ".join(entries) + "}"
            )
            self._edits.append(span)
        elif isinstance(total, yaml.MappingNode):
            kept = [str(k.value) for k, _ in total.value if changes.get(str(k.value)) is not REMOVE]
            present = {str(k.value) for k, _ in total.value}
            if not kept and added:
                # Every line goes: the new ones take the place of the first.
                first = total.value[0][0].start_mark
                at = self._line_starts[first.line]
                lines = "".join(
                    f"{' ' * first.column}{yaml_text(k)}: {yaml_text(v)}{self.newline}"
                    for k, v in added.items()
                    if k not in present
                )
                self._insert(at, lines)
                added = {k: v for k, v in added.items() if k in present}
            for key, value in changes.items():
                if value is REMOVE or key in present or key in added:
                    self._set(total, key, value, kept)
        elif total is not None:
            raise LayoutError("printed.total 不是映射")
        elif not added:
            return
        elif isinstance(printed, yaml.MappingNode):
            self._set(printed, "total", added, [])
        elif printed is None:
            ending = "" if self.text.endswith("\n") or not self.text else self.newline
            self._insert(
                len(self.text),
                f"{ending}printed:{self.newline}  total: {yaml_text(added)}{self.newline}",
            )
        else:
            raise LayoutError("printed 不是映射")

    @staticmethod
    def _child(node: yaml.Node, key: str) -> yaml.Node | None:
        if not isinstance(node, yaml.MappingNode):
            return None
        return next((v for k, v in node.value if k.value == key), None)

    def _set(self, item: yaml.Node, key: str, value: Any, keys_before: Sequence[str]) -> None:
        if not isinstance(item, yaml.MappingNode):
            raise LayoutError(f"“{key}”所在处不是映射")
        pairs = self._pairs(item)
        found = next((i for i, p in enumerate(pairs) if p.key == key), None)
        if found is not None:
            pair = pairs[found]
            own_line = self._line_starts[self._line_of(pair.key_start)]
            if value is not REMOVE:
                self._edits.append(Edit(pair.value_start, pair.value_end, yaml_text(value)))
            elif not item.flow_style and not self.text[own_line : pair.key_start].strip():
                last = self._line_of(max(pair.value_end - 1, pair.value_start))
                self._edits.append(Edit(own_line, self._after_line(last), ""))
            elif not item.flow_style:  # the first key of a list item, after its dash
                self._edits.append(Edit(pair.value_start, pair.value_end, "~"))
            elif found > 0:
                self._edits.append(Edit(pairs[found - 1].value_end, pair.value_end, ""))
            elif len(pairs) > 1:
                self._edits.append(Edit(pair.key_start, pairs[1].key_start, ""))
            else:
                self._edits.append(Edit(pair.key_start, pair.value_end, ""))
            return
        if value is REMOVE:
            return
        cell = f"{yaml_text(key)}: {yaml_text(value)}"
        previous = next((p for k in reversed(keys_before) for p in pairs if p.key == k), None)
        if item.flow_style:
            if previous is not None:
                self._insert(previous.value_end, f", {cell}")
            elif pairs:
                self._insert(pairs[0].key_start, f"{cell}, ")
            else:
                self._insert(item.end_mark.index - 1, cell)
            return
        anchor = previous or pairs[-1]
        column = anchor.key_start - self._line_starts[self._line_of(anchor.key_start)]
        line = self._line_of(max(anchor.value_end - 1, anchor.value_start))
        self._insert(self._line_end(line), self.newline + " " * column + cell)

    def remove_row(self, row: int) -> None:
        first, last, _ = self._item_lines(self.items[row])
        self._edits.append(Edit(self._line_starts[first], self._after_line(last), ""))

    def add_rows(self, after: int | None, rows: Sequence[str]) -> None:
        """New rows (flow mappings as text) after row `after`, or first (None)."""
        if not rows:
            return
        if self.items:
            if after is None:
                first, _, indent = self._item_lines(self.items[0])
                offset = self._line_starts[first]
            else:
                _, last, indent = self._item_lines(self.items[after])
                offset = self._after_line(last)
            lines = "".join(f"{indent}- {row}{self.newline}" for row in rows)
            if offset == len(self.text) and not self.text.endswith("\n"):
                lines = self.newline + lines
            self._insert(offset, lines)
            return
        lines = "".join(f"{self.newline}  - {row}" for row in rows)
        if self._rows is not None and self._rows_key is not None:
            # rows: [] or rows: ~ (or nothing after the colon): the items go below the key.
            if self._rows.start_mark.index != self._rows.end_mark.index:
                self._edits.append(Edit(self._rows.start_mark.index, self._rows.end_mark.index, ""))
            line = self._line_of(self._rows_key.start_mark.index)
            self._insert(self._line_end(line), lines)
            return
        ending = "" if self.text.endswith("\n") or not self.text else self.newline
        self._insert(len(self.text), f"{ending}rows:{lines}{self.newline}")

    def result(self) -> str:
        edits = [*self._edits]
        edits += [Edit(at, at, "".join(texts)) for at, texts in self._inserts.items()]
        return apply(self.text, edits)
