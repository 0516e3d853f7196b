"""The template sandbox: prose templates are untrusted, so rendering one is bounded.

Jinja's ImmutableSandboxedEnvironment keeps a template away from Python's
internals; this adds what it lacks:

- files: templates are read only as regular files inside their search folder,
  never through a symbolic link (a link could print any file of the machine);
- time: every loop iteration, call and piece of output checks a deadline
  (TIME_LIMIT seconds a render), so nested loops and exponential macros stop;
- size: no string, list or output may exceed MAX_SIZE characters or items,
  checked before the operation that would allocate it (`*`, `~`, `+`, `%`,
  str methods and filters with a count or width, join, replace), and numbers
  may not grow past MAX_INT_BITS;
- messages: Jinja's and Python's English turned into Chinese, naming the
  template file and line (render_bounded's errors carry both).

Loops and `~` are bounded by rewriting the parsed template before it is
compiled: each loop's iterable goes through the `_gongwen_loop` filter, each
`~` through `_gongwen_concat`.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.visitor import NodeTransformer

TIME_LIMIT = 10.0  # seconds a render may take; a real one takes milliseconds
MAX_SIZE = 1_000_000  # characters of a string or output, items of a list
MAX_INT_BITS = 4096  # far beyond any amount, far below a memory bomb
MAX_COUNT = 100_000  # a width or count given to a filter or str method

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "gongwen_template_deadline", default=None
)


class TemplateLimit(jinja2.TemplateError):
    """A template exceeded a bound or was refused; the message is Chinese."""


class TemplateRefused(jinja2.TemplateError):
    """A template file that may not be read (a link, a special file, not UTF-8);
    the message is Chinese."""

    def __init__(self, message: str, path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


def _check_time() -> None:
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise TemplateLimit(f"模板计算超过 {TIME_LIMIT:g} 秒，已停止（循环或宏调用过多）")


def _too_large(what: str) -> TemplateLimit:
    return TemplateLimit(f"模板生成的{what}超过 {MAX_SIZE} 个字符（或项），已停止")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | bytearray | list | tuple) else 0


def _check_int(value: Any) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit("模板中的数值过大，已停止")


# --- the file loader ---


class ConfinedLoader(jinja2.FileSystemLoader):
    """FileSystemLoader that reads only regular files reached without a
    symbolic link below its search folders (the folders themselves may be
    links: an installation may place them anywhere)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for root in self.searchpath:
            here = Path(root)
            for piece in pieces:
                here = here / piece
                if here.is_symlink():
                    message = f"模板“{template}”是符号链接，不能读取（应放入文件本身）"
                    raise TemplateRefused(message, str(here))
            if here.exists() and not here.is_file():
                raise TemplateRefused(f"模板“{template}”不是普通文件，不能读取", str(here))
            if here.is_file():
                try:
                    return super().get_source(environment, template)
                except UnicodeDecodeError as error:
                    message = f"模板“{template}”不是 UTF-8 编码，请另存为 UTF-8"
                    raise TemplateRefused(message, str(here), undecodable_line(error)) from None
        return super().get_source(environment, template)


# --- rewriting loops and concatenation ---


def _loop(iterable: Any) -> Iterator[Any]:
    for item in iterable:
        _check_time()
        yield item


def _concat(values: list[Any]) -> str:
    parts = [str(value) for value in values]
    if sum(len(part) for part in parts) > MAX_SIZE:
        raise _too_large("文字")
    return "".join(parts)


def _join(pieces: Iterable[str]) -> str:
    """Environment.concat, bounded: what a macro, a {% set %} block or a filter
    block collected (pieces may repeat one long string many times)."""
    kept: list[str] = []
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_SIZE:
            raise _too_large("文字")
        kept.append(piece)
    return "".join(kept)


class _Bounder(NodeTransformer):
    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = self._filter(cast(nodes.Expr, node.iter), "_gongwen_loop")
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        items = nodes.List(list(node.nodes), lineno=node.lineno)
        return self._filter(items, "_gongwen_concat")

    @staticmethod
    def _filter(value: nodes.Expr, name: str) -> nodes.Filter:
        return nodes.Filter(value, name, [], [], None, None, lineno=value.lineno)


# --- checked filters and calls ---

# A width or precision in a format: %9d, %.9f, {:9}, {0:>9}, {:.9f}.
_FORMAT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*[0-9.]+|\{[^{}]*?:[^{}]*\}")


def _check_arguments(args: Iterable[Any], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        _check_int(value)
        if isinstance(value, int) and value > MAX_COUNT:
            raise TemplateLimit(f"模板中给出的宽度或次数 {value} 过大（不能超过 {MAX_COUNT}）")


def _check_format(text: Any) -> None:
    if isinstance(text, str):
        for spec in _FORMAT_SPEC.findall(text):
            spec = spec.split(":")[-1] if spec.startswith("{") else spec.split(")")[-1]
            width = max((int(n) for n in re.findall(r"\d+", spec)), default=0)
            if width > MAX_COUNT:
                raise TemplateLimit(f"模板格式中的宽度 {width} 过大（不能超过 {MAX_COUNT}）")


def _bounded_items(items: Iterable[Any]) -> list[Any]:
    """items as a list, stopped once their text would exceed MAX_SIZE (before a join)."""
    kept: list[Any] = []
    size = 0
    for item in items:
        _check_time()
        size += len(str(item))
        if size > MAX_SIZE:
            raise _too_large("文字")
        kept.append(item)
    return kept


def _estimate(name: str, target: Any, args: tuple[Any, ...]) -> int:
    """An upper bound of the size of target.name(*args) where it can grow
    (target: the string a method belongs to, or the value a filter filters)."""
    if name == "join":
        items, separator = (
            (args[0] if args else (), target)
            if isinstance(target, str)
            else (
                target,
                args[0] if args else "",
            )
        )
        if isinstance(items, list | tuple):
            return sum(len(str(i)) for i in items) + len(str(separator)) * len(items)
    if name == "replace" and isinstance(target, str) and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = target.count(old) if old else len(target) + 1
        return len(target) + count * len(new)
    if name in ("indent", "expandtabs", "center", "ljust", "rjust", "zfill", "wordwrap"):
        widths = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
        lines = target.count("\n") + 1 if isinstance(target, str) else 1
        return _size(target) + lines * max(widths, default=0) * 8
    return 0


def _checked(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that checks the time, its arguments and its result's size."""
    passes_first = hasattr(fn, "jinja_pass_arg")  # a context or environment first

    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_time()
        head, values = (args[:1], list(args[1:])) if passes_first else ((), list(args))
        if values:
            _check_arguments(values[1:], kwargs)
            if name == "format":
                _check_format(values[0])
            if name == "join" and not isinstance(values[0], str):
                values[0] = _bounded_items(values[0])
            if _estimate(name, values[0], tuple(values[1:])) > MAX_SIZE:
                raise _too_large("文字")
        result = fn(*head, *values, **kwargs)
        if _size(result) > MAX_SIZE:
            raise _too_large("文字")
        return result

    for attribute in ("jinja_pass_arg",):  # pass_context and friends
        if hasattr(fn, attribute):
            setattr(checked, attribute, getattr(fn, attribute))
    return checked


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with bounds (see the module doc)."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//", "/"})
    concat = staticmethod(_join)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals.pop("lipsum", None)  # lorem ipsum: no use here, a size bomb
        self.filters = checked_filters(self.filters)
        self.filters["_gongwen_loop"] = _loop
        self.filters["_gongwen_concat"] = _concat

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        bounded = _Bounder().visit(tree)
        assert isinstance(bounded, nodes.Template)
        return bounded

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        _check_time()
        _check_int(left)
        _check_int(right)
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right * max(abs(left).bit_length(), 1) > MAX_INT_BITS:
                raise TemplateLimit("模板中的数值过大，已停止")
        elif operator == "*":
            counted = (left, right) if isinstance(right, int) else (right, left)
            sequence, count = counted
            if isinstance(count, int) and _size(sequence) * max(count, 0) > MAX_SIZE:
                raise _too_large("文字或列表")
            both_int = isinstance(left, int) and isinstance(right, int)
            if both_int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimit("模板中的数值过大，已停止")
        elif operator == "+" and _size(left) + _size(right) > MAX_SIZE:
            raise _too_large("文字或列表")
        elif operator == "%":
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(
        __self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any
    ) -> Any:
        _check_time()
        if __obj is not safe_range:  # range has its own bound (100000 items)
            _check_arguments(args, kwargs)
            name = getattr(__obj, "__name__", "")
            # str.format comes wrapped by the sandbox: its string is the wrapped method's
            target = getattr(__obj, "__self__", None)
            if target is None:
                target = getattr(getattr(__obj, "__wrapped__", None), "__self__", None)
            if name == "format" or name == "format_map":
                _check_format(target)
            if name == "join" and isinstance(target, str) and args:
                args = (_bounded_items(args[0]), *args[1:])
            if _estimate(name, target, args) > MAX_SIZE:
                raise _too_large("文字")
        result = super().call(__context, __obj, *args, **kwargs)
        if _size(result) > MAX_SIZE:
            raise _too_large("文字或列表")
        return result


def render_bounded(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render within TIME_LIMIT seconds and MAX_SIZE characters of output."""
    token = _deadline.set(time.monotonic() + TIME_LIMIT)
    stream = template.generate(context)
    try:
        pieces: list[str] = []
        size = 0
        for piece in stream:
            _check_time()
            size += len(piece)
            if size > MAX_SIZE:
                raise _too_large("正文")
            pieces.append(piece)
        return "".join(pieces)
    finally:
        # Closed here, not by the garbage collector at some later moment: a
        # deeply nested one (a template including itself) may fail to close,
        # which would print "Exception ignored" and a traceback then.
        close = getattr(stream, "close", None)  # a generator's
        if close is not None:
            with contextlib.suppress(Exception):
                close()
        _deadline.reset(token)


def checked_filters(filters: Mapping[str, Any]) -> dict[str, Callable[..., Any]]:
    """filters, each checking the time, its arguments and its result's size."""
    return {name: _checked(name, fn) for name, fn in filters.items()}


# --- messages ---

# What rendering a template may raise for a mistake in it.
RENDER_ERRORS = (
    jinja2.TemplateError,
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    RecursionError,
)

# Jinja's names of tokens, as a template writes them.
_TOKENS = {
    "end of print statement": "}}",
    "begin of print statement": "{{",
    "end of statement block": "%}",
    "begin of statement block": "{%",
    "end of comment": "#}",
    "end of template": "模板结尾",
    "name": "名称",
    "string": "字符串",
    "integer": "整数",
    "float": "小数",
}
_BLOCK = r"(?:.*innermost block that needs to be closed is '([^']*)')?"
_JINJA_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE | re.DOTALL), chinese)
    for pattern, chinese in (
        (r"No filter named '([^']*)'.*", "没有名为“{0}”的过滤器"),
        (r"No test named '([^']*)'.*", "没有名为“{0}”的测试"),
        (r"unexpected '([^']*)', expected '([^']*)'", "此处不应出现“{0}”，应为“{1}”"),
        (r"unexpected '([^']*)'", "此处不应出现“{0}”"),
        (r"unexpected end of template" + _BLOCK + ".*", "模板结束时还有未结束的“{0}”块（缺少 {{% end{0} %}}）"),
        (r"unexpected char (['\"])(.*?)\1 at \d+", "此处不应出现字符“{1}”"),
        (r"Encountered unknown tag '([^']*)'" + _BLOCK + ".*", "不认识的标记“{0}”（此处应先结束“{1}”块）"),
        (r"expected token '([^']*)', got '([^']*)'", "此处应为“{0}”，实际是“{1}”"),
        (r"expected an expression, got '([^']*)'", "此处应有表达式，实际是“{0}”"),
        (r"expected name or number", "此处应为名称或数字"),
        (r"unexpected end of (?:string|comment)", "字符串或注释没有结束"),
        (r"Missing end of comment tag", "注释没有结束（缺少 #}}）"),
        (r"Missing end of raw directive", "raw 块没有结束（缺少 {{% endraw %}}）"),
        (r"Block '([^']*)' defined twice", "块“{0}”定义了两次"),
        (r"tuple index out of range|list index out of range", "序号超出范围"),
        (r"division by zero|.*division or modulo by zero", "除数为零"),
        (r"'([^']*)' is undefined", "引用了不存在的数据“{0}”"),
        (r".* has no attribute '([^']*)'", "引用了不存在的数据“{0}”"),
        (r"Range too big.*", "“range”的范围过大（不能超过 100000 项）"),
    )
)  # fmt: skip


def jinja_message(text: str) -> str | None:
    """Jinja's or Python's English message in Chinese, None if not known."""
    for pattern, chinese in _JINJA_MESSAGES:
        match = pattern.fullmatch(text.strip())
        if match:
            words = [_TOKENS.get(g, g) if g is not None else "" for g in match.groups()]
            message = chinese.format(*words)
            # No innermost block named: drop what would have said which.
            return message.replace("“”块（缺少 {% end %}）", "块").replace(
                "（此处应先结束“”块）", ""
            )
    return None


def undecodable_line(error: UnicodeDecodeError) -> int:
    """The line a decoding error is on (1-based)."""
    data = error.object if isinstance(error.object, bytes) else bytes(error.object)
    return data[: error.start].count(b"\n") + 1


def locate(env: jinja2.Environment, name: str) -> Path | None:
    """The file a loader would read for template name, if it can be found."""
    loader = env.loader
    try:
        pieces = jinja2.loaders.split_template_path(name)
    except jinja2.TemplateNotFound:  # a name leaving the search folders
        return None
    if isinstance(loader, jinja2.FileSystemLoader):
        for root in loader.searchpath:
            candidate = Path(root, *pieces)
            if os.path.lexists(candidate):
                return candidate
    return None


def error_message(error: BaseException) -> str:
    """A Chinese message for a Python error raised while rendering."""
    if isinstance(error, RecursionError):
        return "模板递归过深（宏调用自身，或模板包含、继承自身）"
    known = jinja_message(str(error))
    if known:
        return f"模板计算出错（{known}）"
    if isinstance(error, ZeroDivisionError):
        return "模板计算出错（除数为零）"
    if isinstance(error, ArithmeticError):
        return "模板计算出错（数值无法计算）"
    if isinstance(error, TypeError):
        return "模板计算出错（数据类型不符，无法计算）"
    if isinstance(error, LookupError):
        return "模板计算出错（引用的序号或名称不存在）"
    return "模板计算出错（数值不合法）"


def error_path(error: BaseException) -> Path | None:
    """The template file an error names, if it names one."""
    if isinstance(error, TemplateRefused):
        return Path(error.path)
    filename = getattr(error, "filename", None)
    return Path(filename) if isinstance(filename, str) else None


def error_line(error: BaseException) -> int | None:
    return error.line if isinstance(error, TemplateRefused) else None
