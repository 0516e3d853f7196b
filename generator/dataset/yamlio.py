"""Safe YAML loading that remembers where every value came from.

Numbers with a fraction become Decimal (never binary floats), dates stay text
until validation parses them (so 11月31日 is reported, not raised), duplicate
keys are errors, and every mapping key and sequence item keeps its line and
column for error messages.

Hostile input is refused early and cheaply: aliases (an alias bomb expands
exponentially), nesting deeper than MAX_DEPTH, numbers too long or too large to
compute with, and files larger than MAX_BYTES.

libyaml (PyYAML's C parser) reads a file five times as fast as PyYAML's own,
but its composer recurses in C, where deep nesting would crash the process,
and its messages differ. So a file is first scanned for events with it; only
a file without aliases or deep nesting that parses is composed with it, and
every other file goes to PyYAML's own parser, which makes the errors (one set
of messages, whichever parser would have found them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from generator.problems import DataError, Problem

Location = tuple[int, int]  # 1-based line, column
NodePath = tuple[str | int, ...]


MAX_BYTES = 5_000_000  # a data set file is a few kilobytes (checked as bytes and as characters)
MAX_DEPTH = 50  # data sets nest a few levels; bounds the parser's recursion
MAX_NUMBER_CHARS = 50  # also keeps int() clear of its 4300-digit limit
MAX_EXPONENT = 100  # |exponent| of a Decimal: far from decimal's overflow


class _Loader(yaml.SafeLoader):
    """SafeLoader with Decimal floats, dates kept as text, no aliases, bounded depth."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        mark = self.get_mark()  # where the reader is: close enough to name the line
        if self.check_event(yaml.AliasEvent):
            raise ComposerError(None, None, "不支持 YAML 别名（*），请直接写出内容", mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"嵌套超过 {MAX_DEPTH} 层", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's SafeLoader, for files _fast_loader has scanned."""


_NESTING_EVENTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING_EVENTS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _fast_loader(text: str) -> _FastLoader | None:
    """A libyaml loader for text, None unless libyaml is there and text
    parses without aliases and nests less deep than _Loader allows."""
    if not yaml.__with_libyaml__:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return None
            if isinstance(event, _NESTING_EVENTS):
                depth += 1
                if depth >= MAX_DEPTH:
                    return None
            elif isinstance(event, _CLOSING_EVENTS):
                depth -= 1
    except yaml.YAMLError:
        return None
    return _FastLoader(text)


def _number_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if len(text) > MAX_NUMBER_CHARS:
        raise ConstructorError(None, None, "数字过长", node.start_mark)
    return text


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    _number_text(loader, node)
    return int(loader.construct_yaml_int(node))


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | float:
    text = _number_text(loader, node)
    try:
        value = Decimal(text)
    except InvalidOperation:  # .inf / .nan: leave them to validation to refuse
        return float(loader.construct_yaml_float(node))
    if abs(value.adjusted()) > MAX_EXPONENT:
        raise ConstructorError(None, None, "数值超出范围", node.start_mark)
    return value


def _construct_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


for _loader in (_Loader, _FastLoader):
    _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


@dataclass(frozen=True)
class Loaded:
    path: Path
    data: Any
    locations: dict[NodePath, Location]

    def locate(self, path: NodePath) -> Location | None:
        """The location of path, or of its nearest ancestor that has one."""
        while True:
            if path in self.locations:
                return self.locations[path]
            if not path:
                return None
            path = path[:-1]


def _walk(node: yaml.Node, path: NodePath, out: dict[NodePath, Location], file: Path) -> None:
    out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise DataError(
                    [Problem(f"键“{key}”重复出现", file, line, column, ".".join(map(str, path)))]
                )
            seen.add(key)
            _walk(value_node, (*path, key), out, file)
            # A key's own position is more useful than its value's for messages.
            out[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), out, file)


def parse_yaml(text: str, path: Path) -> Loaded:
    """Parse text; raise DataError (Chinese, with line and column) if it is not valid YAML."""
    if len(text) > MAX_BYTES:
        raise DataError([Problem(_too_large(), path)])
    try:
        loader = _fast_loader(text) or _Loader(text)
        try:
            node = loader.get_single_node()
            locations: dict[NodePath, Location] = {}
            if node is None:
                return Loaded(path, None, locations)
            _walk(node, (), locations, path)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        detail = _in_chinese(error.problem or "无法解析")
        raise DataError([Problem(f"YAML 格式错误（{detail}）", path, line, column)]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        detail = f"含有不允许的特殊字符 U+{error.character:04X}"  # text in, so a code point
        raise DataError([Problem(f"YAML 格式错误（{detail}）", path, line, column)]) from None
    except yaml.YAMLError as error:
        raise DataError([Problem(f"YAML 格式错误（{error}）", path)]) from None
    except RecursionError:
        raise DataError([Problem("YAML 嵌套层次过深", path)]) from None
    return Loaded(path, data, locations)


# PyYAML's words for the mistakes people make typing YAML, in Chinese; any
# other message is shown as PyYAML words it.
_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), chinese)
    for pattern, chinese in (
        (
            r"mapping values are not allowed here",
            "这里不能再有“键: 值”：值里有冒号时请给整个值加引号，否则检查缩进",
        ),
        (r"found character '\\t' that cannot start any token", "含有制表符（Tab）：请只用空格缩进"),
        (r"found a tab character.*", "含有制表符（Tab）：请只用空格缩进"),
        (
            r"found character '(.)' that cannot start any token",
            r"值不能以“\1”开头：请给这个值加引号",
        ),
        (
            r"expected <block end>, but found .*",
            "缩进不对：这一行没有与同级的内容对齐，或把列表项（- ）与“键: 值”写在了同一级",
        ),
        (r"expected ',' or '\]', but got .*", "方括号“[ ]”没有闭合，或其中缺少逗号"),
        (r"expected ',' or '\}', but got .*", "花括号“{ }”没有闭合，或其中缺少逗号"),
        (r"found unexpected end of stream", "引号没有闭合：文件在找到配对的引号前结束"),
        (
            r"found unknown escape character '(.*)'",
            r"双引号中的“\\\1”不是有效的转义：反斜杠请写作“\\\\”，或改用单引号",
        ),
        (r"but found another document", "一个文件只能有一个 YAML 文档：请删去多余的“---”"),
        (r"could not find expected ':'", "缺少冒号“:”"),
        (r"could not determine a constructor for the tag '(.*)'", r"不支持的 YAML 标签“\1”"),
    )
)


def _in_chinese(problem: str) -> str:
    """PyYAML's problem in Chinese, when it is one people commonly make."""
    for pattern, chinese in _PROBLEMS:
        if pattern.fullmatch(problem):
            return pattern.sub(chinese, problem)
    return problem


def _too_large() -> str:
    return f"文件过大（超过 {MAX_BYTES // 1_000_000} MB），不像是数据集文件"


def load_yaml(path: Path) -> Loaded:
    try:
        if path.stat().st_size > MAX_BYTES:  # refuse before reading it into memory
            raise DataError([Problem(_too_large(), path)])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError([Problem("文件不存在", path)]) from None
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise DataError([Problem("文件不是 UTF-8 编码，请另存为 UTF-8", path, line)]) from None
    return parse_yaml(text, path)
