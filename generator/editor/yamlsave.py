"""Saving edits into a data set's YAML: round-trip YAML (ruamel.yaml) so that
comments, flow mappings, quotes and alignment stay; only changed values are set,
so only their lines change. Files are written atomically, and a save is refused
when the file changed since the page loaded it (its version: a sha256)."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter

from generator.problems import DataError, Problem

# Indentations tried in turn: the first that writes an unchanged file back
# byte for byte is the file's own (mapping, sequence, offset).
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0))
Key = str | int
FieldPath = tuple[Key, ...]


class StaleError(Exception):
    """The file changed on disk since the page read it."""


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _represent_decimal(representer: RoundTripRepresenter, value: Decimal) -> Any:
    text = format(value, "f")
    if "." not in text:
        return representer.represent_scalar("tag:yaml.org,2002:int", text)
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


def _yaml(indent: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long Chinese line
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    yaml.representer.add_representer(Decimal, _represent_decimal)
    return yaml


class Document:
    """One YAML file's round-trip tree and how to write it back."""

    def __init__(self, text: str, name: str) -> None:
        self.original = text
        self.name = name
        self._yaml = _yaml(_INDENTS[0])
        self._unchanged: str | None = None  # how ruamel.yaml writes the file unchanged
        try:
            for indent in _INDENTS:
                yaml = _yaml(indent)
                data = yaml.load(text)
                if self._dump(yaml, data) == text:
                    self._yaml, self._unchanged = yaml, text
                    break
            self.data = self._yaml.load(text)
            if self._unchanged is None:
                self._unchanged = self._dump(self._yaml, self._yaml.load(text))
        except Exception as error:  # ruamel raises many kinds for bad YAML
            raise DataError([Problem(f"YAML 格式错误，无法编辑（{error}）", Path(name))]) from None

    @staticmethod
    def _dump(yaml: YAML, data: Any) -> str:
        out = io.StringIO()
        yaml.dump(data, out)
        return out.getvalue()

    def text(self) -> str:
        """The file with the changes made; every line the changes left alone is
        as it was written, even where ruamel.yaml would write it differently."""
        changed = self._dump(self._yaml, self.data)
        if self._unchanged is None or self._unchanged == self.original:
            return changed
        return _keep_lines(self.original, self._unchanged, changed)

    def get(self, path: FieldPath) -> Any:
        node = self.data
        for key in path:
            node = node[_key(node, key)]
        return node

    def _has(self, path: FieldPath) -> bool:
        try:
            self.get(path)
        except (KeyError, IndexError, TypeError):
            return False
        return True

    def set(self, path: FieldPath, value: Any) -> bool:
        """Set the value at path, creating missing mappings; False if unchanged."""
        if not path:
            raise ValueError("empty path")
        if value is None and not self._has(path):
            return False  # nothing to clear: no empty mappings made on the way
        node = self.data
        parent = None
        for key in path[:-1]:
            key = _key(node, key)
            if isinstance(node, CommentedMap) and key not in node:
                node[key] = CommentedMap()
            parent, node = node, node[key]
        last = _key(node, path[-1])
        if isinstance(node, CommentedMap) and not node and isinstance(parent, list):
            _like_siblings(node, parent)
        exists = (isinstance(node, list) and isinstance(last, int) and last < len(node)) or (
            isinstance(node, dict) and last in node
        )
        if exists and same(node[last], value):
            return False
        if not exists and value is None:
            return False
        if exists and isinstance(node[last], CommentedSeq) and isinstance(value, list):
            node[last][:] = value  # keeps its flow style and comments
        elif isinstance(node, list) and isinstance(last, int) and last == len(node):
            node.append(value)
        else:
            node[last] = value
        return True


def _key(node: Any, key: Key) -> Key:
    """A mapping's key as the file has it: forms name keys as text, and
    `heading_numbers: {1: …}` has numbers as keys."""
    if isinstance(node, dict) and isinstance(key, str) and key not in node and key.isdigit():
        return int(key) if int(key) in node else key
    return key


def _like_siblings(item: CommentedMap, items: list[Any]) -> None:
    """An empty mapping ({} keeps no style) filled in: on one line, as the other
    items of its list are."""
    if any(isinstance(i, CommentedMap) and i.fa.flow_style() for i in items):
        item.fa.set_flow_style()


def _keep_lines(original: str, unchanged: str, changed: str) -> str:
    """changed, with the lines it shares with unchanged (ruamel.yaml's writing
    of the file as it was) taken from the original text. Needs ruamel.yaml to
    write the unchanged file in as many lines as the original (it does unless
    it reflows a block); otherwise the changed text as ruamel.yaml writes it."""
    written = original.splitlines(keepends=True)
    before = unchanged.splitlines(keepends=True)
    after = changed.splitlines(keepends=True)
    if len(written) != len(before):
        return changed
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, before, after, autojunk=False
    ).get_opcodes():
        out.extend(written[i1:i2] if op == "equal" else after[j1:j2])
    return "".join(out)


def same(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(old, int | float | Decimal) and isinstance(new, int | float | Decimal):
        return Decimal(str(old)) == Decimal(str(new))
    if isinstance(old, str) and isinstance(new, str):  # ruamel's quoted strings are str too
        return str(old) == str(new)
    if isinstance(old, dt.date) and isinstance(new, dt.date):
        return old == new
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same(a, b) for a, b in zip(old, new, strict=True))
    return type(old) is type(new) and bool(old == new)


def flow_map(values: dict[str, Any]) -> CommentedMap:
    """A new mapping written on one line, as table rows are."""
    row = CommentedMap(values)
    row.fa.set_flow_style()
    return row


def reorder(seq: CommentedSeq, items: Iterable[Any]) -> None:
    """Replace seq's items (rows added, removed, moved), keeping the sequence."""
    seq[:] = list(items)


def number(text: str) -> Decimal | int:
    """A number typed in a form; ValueError (Chinese) if it is not one."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"“{text}”不是数字")
    if "." not in cleaned and "e" not in cleaned.lower():
        return int(value)
    return value


def write_atomically(path: Path, text: str, expected_version: str) -> str:
    """Write text to path if path still has expected_version; return the new version."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if version_of(current) != expected_version:
        raise StaleError(path.name)
    fd, temp = tempfile.mkstemp(prefix=".gongwen-save-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return version_of(text)
