"""Tests for generator/dataset/expr.py: exact Decimal results and Chinese errors only."""

from __future__ import annotations

import decimal
import operator
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest

from generator.dataset.expr import MAX_DEPTH, MAX_LENGTH, ExprError, Expression, parse


def ev(source: str, rounding: str = decimal.ROUND_HALF_UP, **variables: object) -> Decimal:
    values = {k: Decimal(str(v)) for k, v in variables.items()}
    result = parse(source).evaluate(values, rounding)
    assert result is not None
    return result


def same(a: Decimal, b: str) -> bool:
    """Equal in value and in how it prints (no 1E+2, no -0, no float noise)."""
    return a == Decimal(b) and str(a) == b


# --- values ---------------------------------------------------------------


def test_decimal_literals_are_exact() -> None:
    assert same(ev("0.1 + 0.2"), "0.3")
    assert same(ev("1.10 * 3"), "3.30")
    assert same(ev(".5 + 1"), "1.5")
    assert same(ev("1234567890123456789012345678"), "1234567890123456789012345678")


def test_round_half_up_by_default_and_mode_is_honoured() -> None:
    assert same(ev("round(2.5)"), "3")
    assert same(ev("round(2.5)", ROUND_HALF_EVEN), "2")
    assert same(ev("round(3.5)", ROUND_HALF_EVEN), "4")
    assert same(ev("round(-2.5)"), "-3")
    assert same(ev("round(2.9)", ROUND_DOWN), "2")
    assert same(ev("round(44701 * 0.89, 0)"), "39784")
    assert same(ev("44701 * 0.89"), "39783.89")
    assert same(ev("round(1.005, 2)"), "1.01")  # a float would give 1.0
    assert same(ev("round(1.2, 2)"), "1.20")
    assert same(ev("round(12345, -2)"), "12300")
    assert same(ev("round(2.5, 0.0)"), "3")


def test_functions() -> None:
    assert same(ev("floor(2.7)"), "2")
    assert same(ev("floor(-2.1)"), "-3")
    assert same(ev("ceil(2.1)"), "3")
    assert same(ev("ceil(-2.7)"), "-2")
    assert same(ev("abs(-1.50)"), "1.50")
    assert same(ev("max(a - b, 0)", a=3, b=5), "0")
    assert same(ev("max(a - b, 0)", a=8, b=5), "3")
    assert same(ev("min(3, 1, 2)"), "1")
    assert same(ev("max(7)"), "7")


def test_division() -> None:
    assert same(ev("1 / 4"), "0.25")
    assert same(ev("1 / 0.01"), "100")  # Decimal would say 1E+2
    assert ev("1 / 3") == Decimal("0.3333333333333333333333333333")
    assert same(ev("round(2 / 3, 2)"), "0.67")


def test_no_negative_zero() -> None:
    assert same(ev("0 * -1"), "0")
    assert same(ev("round(-0.4)"), "0")


def test_precedence_and_unary_minus() -> None:
    assert same(ev("2 + 3 * 4"), "14")
    assert same(ev("(2 + 3) * 4"), "20")
    assert same(ev("10 - 4 - 3"), "3")  # left-associative
    assert same(ev("24 / 4 / 2"), "3")
    assert same(ev("2 * 3 - 4 / 2"), "4")
    assert same(ev("-2 * 3"), "-6")
    assert same(ev("-(2 + 3)"), "-5")
    assert same(ev("--2"), "2")
    assert same(ev("2 * -3"), "-6")
    assert same(ev("2 - -3"), "5")
    assert same(ev("-a + b", a=1, b=5), "4")


def test_chinese_and_dotted_names() -> None:
    values = {"户籍人口数": Decimal(44701), "目标参保率": Decimal("0.89")}
    assert parse("户籍人口数 * 目标参保率").evaluate(values) == Decimal("39783.89")
    assert same(ev("中央 + 省 + 县", 中央=1.5, 省=2, 县=0.25), "3.75")
    dotted = parse("tier.amount * 2 + 补助.标准_2")
    assert dotted.names == {"tier.amount", "补助.标准_2"}
    values = {"tier.amount": Decimal(3), "补助.标准_2": Decimal(1)}
    assert dotted.evaluate(values) == 7


def test_names_reported_without_functions() -> None:
    e = parse("round(应参保人数 * 0.95, 位数) + max(a, a, b)")
    assert isinstance(e, Expression)
    assert e.source == "round(应参保人数 * 0.95, 位数) + max(a, a, b)"
    assert e.names == frozenset({"应参保人数", "位数", "a", "b"})
    assert parse("1 + 2").names == frozenset()


def test_integer_variables_are_accepted() -> None:
    assert parse("a * 2").evaluate({"a": 3}) == 6  # type: ignore[dict-item]


def test_result_does_not_depend_on_callers_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = ROUND_DOWN
        assert same(ev("44701 * 0.89"), "39783.89")


# --- errors ---------------------------------------------------------------


def error(source: str, variables: dict[str, Decimal] | None = None, **kw: str) -> str:
    with pytest.raises(ExprError) as info:
        parse(source).evaluate(variables or {}, **kw)
    message = str(info.value)
    assert any("\u4e00" <= c <= "\u9fff" for c in message), message
    return message


def test_syntax_error_names_the_character() -> None:
    message = error("a +")
    assert "表达式“a +”语法错误（第 3 个字符）" in message
    with pytest.raises(ExprError) as info:
        parse("1 + * 2")
    assert info.value.position == 5
    assert "第 5 个字符" in str(info.value)


@pytest.mark.parametrize(
    "source",
    ["", "   ", "(1 + 2", "1 + 2)", "1 2", "a b", "max(1,)", "max()", ",", "1.2.3", "a.", "a..b"],
)
def test_syntax_errors(source: str) -> None:
    message = error(source)
    assert "语法错误" in message or "表达式为空" in message


def test_unknown_name_suggests_the_close_one() -> None:
    message = error("户籍人口 * 2", {"户籍人口数": Decimal(1)})
    assert "未知的名称“户籍人口”" in message
    assert "户籍人口数" in message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("__import__(os)", "未知的函数“__import__”"),
        ("eval(a)", "未知的函数“eval”"),
        ("sqrt(4)", "未知的函数“sqrt”"),
        ("__import__('os')", "不支持字符串"),
        ('"abc"', "不支持字符串"),
        ("().__class__", "语法错误"),
        ("a.__class__()", "未知的函数"),
        ("(1).real", "不支持属性访问"),
        ("a[0]", "不支持下标"),
        ("lambda: 1", "语法错误"),
        ("[x for x in a]", "不支持下标"),
        ("round(x, ndigits=2)", "不支持的运算“=”"),
        ("2 ** 3", "不支持的运算“**”"),
        ("7 // 2", "不支持的运算“//”"),
        ("7 % 2", "不支持的运算“%”"),
        ("a > b", "不支持的运算“>”"),
        ("1e5", "1e5"),
        ("1E+400", "语法错误"),
        ("0x10", "语法错误"),
        ("１ + 2", "语法错误"),  # full-width digit
        ("（a + b）", "请使用半角符号"),
        ("a × b", "请使用半角符号"),
        ("1" * 29, "数字位数过多"),
        ("round(1, 2, 3)", "需要 1 到 2 个参数"),
        ("floor(1, 2)", "需要 1 个参数"),
    ],
)
def test_disallowed_constructs(source: str, expected: str) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert expected in str(info.value)


def test_division_by_zero() -> None:
    assert "除数为零" in error("1 / 0")
    assert "除数为零" in error("0 / (a - a)", {"a": Decimal(2)})


def test_bad_round_places() -> None:
    assert "round 的位数" in error("round(1, 0.5)")
    assert "round 的位数" in error("round(1, 1000000)")


def test_too_long() -> None:
    parse("1" + " " * (MAX_LENGTH - 1))
    assert "表达式过长" in error("1" + " " * MAX_LENGTH)


def test_too_deep() -> None:
    ok = MAX_DEPTH - 1
    assert parse("(" * ok + "1" + ")" * ok).evaluate({}) == 1
    assert "嵌套过深" in error("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH)
    assert "嵌套过深" in error("-" * 100 + "1")
    assert "嵌套过深" in error("max(" * 60 + "1" + ")" * 60)


def test_long_flat_chain_evaluates() -> None:
    source = "+".join(["1"] * (MAX_LENGTH // 2))
    assert parse(source).evaluate({}) == MAX_LENGTH // 2


def test_arithmetic_overflow_becomes_expr_error() -> None:
    big = Decimal("9E+999990")
    assert "无法计算" in error("a * a", {"a": big})
    assert "无法计算" in error("round(a, 2)", {"a": Decimal("1E+40")})


def test_digits_are_never_dropped_silently() -> None:
    nines = "9" * 28
    assert "超出 28 位有效数字" in error(f"{nines} * {nines}")
    assert "超出 28 位有效数字" in error(f"{nines} + 0.1")
    assert ev(f"{nines} + 1") == 10**28
    assert same(ev(f"{nines} / 7"), "1428571428571428571428571428")
    assert same(ev(f"round({nines} / 1000, 0)"), "1" + "0" * 25)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), 1.5, "3"])
def test_bad_variable_values(value: object) -> None:
    assert "不是数值" in error("a + 1", {"a": value})  # type: ignore[dict-item]


def test_a_blank_makes_the_result_blank() -> None:
    """A blank cell (None) read by a formula gives a blank, whatever the formula."""
    assert parse("a + 1").evaluate({"a": None}) is None
    assert parse("max(a, b) * 2").evaluate({"a": Decimal(3), "b": None}) is None
    assert parse("a + 1").evaluate({"a": Decimal(2)}) == 3


def test_quoted_names_take_any_heading() -> None:
    """A heading with a leading digit or full-width brackets is named in “…”."""
    heading = "各村人口数（按村报人数和户籍人数的平均）"
    expression = parse(f"round(“{heading}” * “2023年应参加居民医保人数”, 0)")
    assert expression.names == {heading, "2023年应参加居民医保人数"}
    values = {heading: Decimal("10.4"), "2023年应参加居民医保人数": Decimal(2)}
    assert expression.evaluate(values) == 21
    assert "引号中没有列名" in error("“” + 1")
    assert "引号未配对" in error("“abc + 1")
    assert "按名称引用，如 tiers.一档.amount" in error("tiers[0].amount")


def test_bad_rounding_mode_and_source_type() -> None:
    assert "舍入方式" in error("1", rounding="ROUND_SIDEWAYS")
    with pytest.raises(ExprError, match="表达式应为文本"):
        parse(5)  # type: ignore[arg-type]


# --- properties (hypothesis is optional; without it these are skipped) ----------

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover

    def test_properties() -> None:
        pytest.skip("hypothesis 未安装，跳过性质测试")

else:
    # Characters and words that reach the interesting paths far more often than random text.
    _ALPHABET = "0123456789.+-*/(),_ ab户籍人口数（）'\"[]%=e"
    _WORDS = ["round", "floor", "ceil", "min", "max", "abs", "a.b", "__import__", "0.5", "0"]
    _OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}

    def _check_only_expr_error(source: str) -> None:
        try:
            expression = parse(source)
        except ExprError:
            return
        variables = {name: Decimal(len(name)) for name in expression.names}
        for rounding in (decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN):
            try:
                result = expression.evaluate(variables, rounding)
            except ExprError:
                continue
            assert isinstance(result, Decimal) and result.is_finite()

    @settings(max_examples=500, deadline=None)
    @given(st.text(max_size=80))
    def test_random_text_raises_only_expr_error(source: str) -> None:
        _check_only_expr_error(source)

    @settings(max_examples=1000, deadline=None)
    @given(st.lists(st.sampled_from(_WORDS) | st.text(_ALPHABET, max_size=3), max_size=40))
    def test_near_miss_text_raises_only_expr_error(parts: list[str]) -> None:
        _check_only_expr_error("".join(parts))

    def _render(t: tuple[tuple[str, int], str, tuple[str, int]]) -> tuple[str, int]:
        (left, a), op, (right, b) = t
        return f"({left}) {op} ({right})", _OPS[op](a, b)

    @settings(max_examples=300, deadline=None)
    @given(
        st.recursive(
            # 8 three-digit factors stay within the 28 exact digits.
            st.integers(-999, 999).map(lambda n: (str(n), n)),
            lambda inner: st.tuples(inner, st.sampled_from("+-*"), inner).map(_render),
            max_leaves=8,
        )
    )
    def test_integer_arithmetic_matches_python(case: tuple[str, int]) -> None:
        source, expected = case
        assert parse(source).evaluate({}) == expected
