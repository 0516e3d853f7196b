"""A small, safe expression language for derived columns and parameters.

    户籍人口数 * 目标参保率        round(应参保人数 * 0.95, 0)        max(a - b, 0)
    “2023年应参加居民医保人数” * rates.coverage_target     tiers.一档.amount

A name in Chinese quotation marks (“…”) is taken as written, so that any
column heading (a leading digit, full-width brackets) can be named. A name
whose value is blank (None) makes the whole result blank, as an empty cell
in a printed table stays empty.

Values are Decimal throughout, so that 0.1 + 0.2 is 0.3 exactly, as a table
printed in a 公文 must add up. The text is parsed by a hand-written tokenizer
and Pratt parser into a tiny tree that is walked to evaluate it: nothing of the
user's text ever reaches eval/exec/compile, and only the operators + - * /,
parentheses, names and the six functions below exist. Every failure, including
arithmetic and recursion ones, surfaces as an ExprError with a Chinese message.
"""

from __future__ import annotations

import decimal
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, Inexact, Overflow
from typing import NamedTuple

MAX_LENGTH = 500
MAX_DEPTH = 50
MAX_DIGITS = 28  # a literal must fit the working precision, so it is never rounded silently
PRECISION = 28
# Function name -> (fewest, most) arguments.
FUNCTIONS = {"round": (1, 2), "floor": (1, 1), "ceil": (1, 1), "abs": (1, 1)}
FUNCTIONS |= {"min": (1, MAX_LENGTH), "max": (1, MAX_LENGTH)}
_ROUNDINGS = tuple(getattr(decimal, n) for n in dir(decimal) if n.startswith("ROUND_"))
# Digits are ASCII only; a name is a Unicode identifier (\w minus a leading digit),
# optionally dotted. Exponents (1e9) are not numbers: "1" then the name "e9" fails.
_TOKEN = re.compile(
    r"(?P<num>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"|(?P<name>[^\W\d]\w*(?:\.[^\W\d]\w*)*)"
    r"|(?P<quoted>“[^“”]*”)"
    r"|(?P<op>\*\*|//|[-+*/(),%^<>=!&|~@])"
)
_HINTS = {
    **dict.fromkeys("'\"", "不支持字符串"),
    **dict.fromkeys("（），＋－＊／×÷", "请使用半角符号"),
    "[": "不支持下标（请按名称引用，如 tiers.一档.amount）",
    "“": "引号未配对（列名写作“列名”）",
    ".": "不支持属性访问",
}


class ExprError(Exception):
    """A bad expression or a failed evaluation; position is 1-based, if known."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class _Node(NamedTuple):
    """A parsed expression: op is "num", "name", "neg", + - * / or a function name."""

    op: str
    args: tuple[_Node, ...] = ()
    value: Decimal = Decimal(0)  # for "num"
    name: str = ""  # for "name"


class _Token(NamedTuple):
    kind: str  # num, name, op or end
    text: str
    pos: int  # 0-based


_BINDING = {"+": 10, "-": 10, "*": 20, "/": 20}  # higher binds tighter
_UNARY = 30  # -a * b is (-a) * b


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = self._tokenize()
        self.i = 0
        self.depth = 0
        self.names: set[str] = set()

    def error(self, pos: int, why: str) -> ExprError:
        return ExprError(f"表达式“{self.source}”语法错误（第 {pos + 1} 个字符）：{why}", pos + 1)

    def _tokenize(self) -> list[_Token]:
        src, i, tokens = self.source, 0, []
        while i < len(src):
            if src[i].isspace():
                i += 1
                continue
            m = _TOKEN.match(src, i)
            if m is None:
                raise self.error(i, _HINTS.get(src[i], f"无法识别的字符“{src[i]}”"))
            kind, text = m.lastgroup or "", m.group()
            if kind == "quoted":
                kind, text = "name", text[1:-1].strip()
                if not text:
                    raise self.error(i, "引号中没有列名")
            if kind == "op" and text not in _BINDING and text not in ("(", ")", ","):
                raise self.error(i, f"不支持的运算“{text}”")
            if kind == "num" and len(text.replace(".", "")) > MAX_DIGITS:
                raise self.error(i, f"数字位数过多（最多 {MAX_DIGITS} 位）")
            if kind == "num" and re.match(r"\w", src[m.end() : m.end() + 1]):
                raise self.error(m.end(), "数字后不能紧跟字母（不支持 1e5 这样的写法）")
            tokens.append(_Token(kind, text, i))
            i = m.end()
        # An error at the end is reported at the last character, as an editor would show it.
        tokens.append(_Token("end", "", max(len(src.rstrip()) - 1, 0)))
        return tokens

    def next(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        token = self.next()
        if token.text != text:
            raise self.unexpected(token, f"缺少“{text}”")

    def unexpected(self, token: _Token, why: str = "") -> ExprError:
        if not why:
            why = "表达式不完整" if token.kind == "end" else f"此处不应出现“{token.text}”"
        return self.error(token.pos, why)

    def expression(self, min_binding: int = 0) -> _Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"表达式“{self.source}”嵌套过深（最多 {MAX_DEPTH} 层）")
        left = self.prefix()
        while (binding := _BINDING.get(self.tokens[self.i].text, 0)) > min_binding:
            left = _Node(self.next().text, (left, self.expression(binding)))
        self.depth -= 1
        return left

    def prefix(self) -> _Node:
        token = self.next()
        if token.kind == "num":
            return _Node("num", value=Decimal(token.text))
        if token.text == "-":
            return _Node("neg", (self.expression(_UNARY),))
        if token.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind != "name":
            raise self.unexpected(token)
        if self.tokens[self.i].text != "(":
            self.names.add(token.text)
            return _Node("name", name=token.text)
        if token.text not in FUNCTIONS:
            known = "、".join(FUNCTIONS)
            raise self.error(token.pos, f"未知的函数“{token.text}”（可用：{known}）")
        self.next()
        args = [self.expression()]
        while self.tokens[self.i].text == ",":
            self.next()
            args.append(self.expression())
        self.expect(")")
        fewest, most = FUNCTIONS[token.text]
        if not fewest <= len(args) <= most:
            count = f"{fewest}" if fewest == most else f"{fewest} 到 {most}"
            raise self.error(token.pos, f"函数“{token.text}”需要 {count} 个参数")
        return _Node(token.text, tuple(args))


@dataclass(frozen=True)
class Expression:
    source: str
    names: frozenset[str]  # the variables it reads, for dependency order and validation
    tree: _Node = field(repr=False, compare=False)

    def evaluate(
        self, variables: Mapping[str, Decimal | None], rounding: str = ROUND_HALF_UP
    ) -> Decimal | None:
        """Evaluate with names looked up in variables (by the full dotted name);
        None (a blank) if any name it reads is blank.

        rounding (a decimal.ROUND_* mode) is what round() uses; it also rounds the
        28th significant digit of an inexact quotient such as 1 / 3. Only round()
        and / may round: a sum or product that needs more than 28 digits is an error.
        """
        if rounding not in _ROUNDINGS:
            raise ExprError(f"不支持的舍入方式“{rounding}”")
        # A private context, so the result never depends on the caller's decimal settings.
        # Inexact is trapped too: only round() and / may drop digits, and they say so.
        traps = [Inexact, Overflow, decimal.InvalidOperation, decimal.DivisionByZero]
        context = Context(prec=PRECISION, rounding=rounding, traps=traps)
        if any(name in variables and variables[name] is None for name in self.names):
            return None
        try:
            with decimal.localcontext(context):
                result = self._eval(self.tree, variables, rounding)
                exponent = result.as_tuple().exponent
                # 1.2E+3 (from x / 0.01) should print as 1200, as long as it fits.
                if isinstance(exponent, int) and exponent > 0 and result.adjusted() < PRECISION:
                    result = result.quantize(Decimal(1))
                return result.copy_abs() if result.is_zero() else result  # never "-0"
        except (ArithmeticError, RecursionError) as e:
            # Overflow is also an Inexact, so test it first.
            if isinstance(e, Inexact) and not isinstance(e, Overflow):
                why = f"结果超出 {PRECISION} 位有效数字，无法精确计算"
            else:
                why = "数值超出范围"
            raise ExprError(f"表达式“{self.source}”无法计算：{why}") from e

    def _eval(self, node: _Node, variables: Mapping[str, Decimal | None], rounding: str) -> Decimal:
        if node.op == "num":
            return node.value
        if node.op == "name":
            return self._lookup(node.name, variables)
        xs = [self._eval(arg, variables, rounding) for arg in node.args]
        if node.op == "neg":
            return -xs[0]
        if node.op == "+":
            return xs[0] + xs[1]
        if node.op == "-":
            return xs[0] - xs[1]
        if node.op == "*":
            return xs[0] * xs[1]
        if node.op == "/":
            if xs[1].is_zero():
                raise ExprError(f"表达式“{self.source}”中除数为零")
            with decimal.localcontext() as context:
                context.traps[Inexact] = False  # 1 / 3 is rounded, as asked
                return xs[0] / xs[1]
        return self._call(node.op, xs, rounding)

    def _lookup(self, name: str, variables: Mapping[str, Decimal | None]) -> Decimal:
        if name not in variables:
            close = difflib.get_close_matches(name, list(variables), n=1)
            hint = f"，是否指“{close[0]}”？" if close else ""
            raise ExprError(f"表达式“{self.source}”中有未知的名称“{name}”{hint}")
        value: object = variables[name]
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ExprError(f"表达式“{self.source}”中“{name}”的值不是数值：{value!r}")
        return value

    def _call(self, func: str, xs: list[Decimal], rounding: str) -> Decimal:
        if func == "round":
            places = xs[1] if len(xs) > 1 else Decimal(0)
            if places != places.to_integral_value() or abs(places) > MAX_DIGITS:
                raise ExprError(
                    f"表达式“{self.source}”中 round 的位数应为 -{MAX_DIGITS} 到 {MAX_DIGITS} 的整数"
                )
            with decimal.localcontext() as context:
                context.traps[Inexact] = False  # rounding is the point of round()
                return xs[0].quantize(Decimal(1).scaleb(-int(places)), rounding=rounding)
        if func in ("floor", "ceil"):
            mode = ROUND_FLOOR if func == "floor" else ROUND_CEILING
            return xs[0].to_integral_value(rounding=mode)
        if func == "min":
            return min(xs)
        if func == "max":
            return max(xs)
        return abs(xs[0])


def parse(source: str) -> Expression:
    """Parse source; raises ExprError on syntax errors and anything not allowed."""
    if not isinstance(source, str):
        raise ExprError(f"表达式应为文本，而不是 {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ExprError(f"表达式过长（{len(source)} 个字符，最多 {MAX_LENGTH} 个）")
    if not source.strip():
        raise ExprError("表达式为空")
    parser = _Parser(source)
    tree = parser.expression()
    if parser.tokens[parser.i].kind != "end":
        raise parser.unexpected(parser.tokens[parser.i])
    return Expression(source, frozenset(parser.names), tree)
