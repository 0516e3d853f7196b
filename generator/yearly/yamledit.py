"""Editing YAML as text: change a few values, keep everything else byte for byte.

Dumping parsed YAML would lose the comments, the flow mappings and the
alignment editors rely on. Instead the text is parsed only to learn where
each scalar and each comment is (PyYAML's marks are character offsets), and
edits splice new text into exactly those spans.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from generator.dataset.yamlio import NodePath

STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Scalar:
    path: NodePath
    value: str  # the parsed value, as text
    tag: str
    start: int  # offsets into the text; the span includes any quotes
    end: int
    line: int  # 0-based

    def raw(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class Comment:
    start: int  # at the '#'
    end: int  # at the end of its line (before the line break)
    line: int


@dataclass(frozen=True)
class Scanned:
    text: str
    scalars: tuple[Scalar, ...]
    comments: tuple[Comment, ...]
    lines: tuple[tuple[int, int], ...]  # each line's start and end, line break excluded

    def scalar(self, path: NodePath) -> Scalar | None:
        return next((s for s in self.scalars if s.path == path), None)

    def comment_on(self, line: int) -> Comment | None:
        return next((c for c in self.comments if c.line == line), None)


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def _nodes(
    node: yaml.Node, path: NodePath, keys: list[yaml.ScalarNode]
) -> Iterator[tuple[NodePath, yaml.Node]]:
    yield path, node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                keys.append(key)
            yield from _nodes(value, (*path, str(key.value)), keys)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _nodes(item, (*path, index), keys)


# The line breaks YAML counts (PyYAML's marks count lines the same way).
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _lines(text: str) -> tuple[tuple[int, int], ...]:
    found = []
    start = 0
    for match in _BREAK.finditer(text):
        found.append((start, match.start()))
        start = match.end()
    found.append((start, len(text)))
    return tuple(found)


def _comments(text: str, lines: tuple[tuple[int, int], ...], masked: bytearray) -> list[Comment]:
    """A '#' opens a comment at a line's start or after a blank, outside any scalar."""
    found = []
    for number, (start, end) in enumerate(lines):
        for at in range(start, end):
            if text[at] == "#" and not masked[at]:
                if at == start or text[at - 1] in " \t":
                    found.append(Comment(at, end, number))
                break
    return found


def scan(text: str) -> Scanned:
    """Where every scalar and comment of text is. The text must be valid YAML."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    scalars: list[Scalar] = []
    keys: list[yaml.ScalarNode] = []
    if root is not None:
        for path, node in _nodes(root, (), keys):
            if isinstance(node, yaml.ScalarNode):
                start, end = node.start_mark.index, node.end_mark.index
                scalars.append(Scalar(path, node.value, node.tag, start, end, node.start_mark.line))
    # A '#' inside a key or a value (quoted, or a block scalar) opens no comment.
    masked = bytearray(len(text) + 1)
    for start, end in [(s.start, s.end) for s in scalars] + [
        (k.start_mark.index, k.end_mark.index) for k in keys
    ]:
        masked[start:end] = b"\x01" * (end - start)
    lines = _lines(text)
    return Scanned(text, tuple(scalars), tuple(_comments(text, lines, masked)), lines)


def replace_keeping_comment_column(scanned: Scanned, scalar: Scalar, new: str) -> Edit:
    """Replace a scalar; if only blanks separate it from its line's comment, keep
    the comment where it was (at least two blanks before it)."""
    comment = scanned.comment_on(scalar.line)
    if comment is None or scanned.text[scalar.end : comment.start].strip(" \t"):
        return Edit(scalar.start, scalar.end, new)
    width = comment.start - scalar.start
    return Edit(scalar.start, comment.start, new + " " * max(width - len(new), 2))


def comment_above(scanned: Scanned, line: int, comment: str) -> Edit:
    """A comment line of its own above line, indented as line is."""
    start, end = scanned.lines[line]
    content = scanned.text[start:end]
    indent = content[: len(content) - len(content.lstrip(" "))]
    newline = "\r\n" if "\r\n" in scanned.text else "\n"
    return Edit(start, start, f"{indent}# {comment}{newline}")


def apply(text: str, edits: list[Edit]) -> str:
    """Apply edits that do not overlap; identical edits (an alias) count once."""
    ordered = sorted(set(edits), key=lambda e: (e.start, e.end))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise ValueError(f"overlapping edits at {before.start} and {after.start}")
    for edit in reversed(ordered):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text
