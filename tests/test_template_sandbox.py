"""Prose templates are untrusted: a template cannot read files outside the data
set, cannot run for long or take much memory, and every mistake in one is a
Chinese error naming the template file and line (issue 18, items 1-3, 7, 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build.pipeline import prepare
from generator.compose import sandbox
from generator.problems import DataError

ASCII_WORDS = re.compile(r"[A-Za-z]{4,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def short_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Time bombs stop after half a second instead of TIME_LIMIT."""
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 0.5)


def _plan(dataset: Path, text: str) -> Path:
    path = dataset / "plan.md.j2"
    path.write_text(text, "utf-8")
    return path


def _only_problem(dataset: Path) -> str:
    with pytest.raises(DataError) as raised:
        prepare(dataset)
    (problem,) = raised.value.problems
    assert CJK.search(problem.message), problem
    return str(problem)


def _english(message: str) -> list[str]:
    """English words in a message, leaving out file paths and names we quote."""
    bare = re.sub(r"“[^”]*”|字段 \S+：|\{%[^%]*%\}", "", message.split("：", 2)[-1])
    return ASCII_WORDS.findall(bare)


# ------------------------------------------------------------------ files


def test_an_include_of_a_symlink_is_refused(dataset_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容", "utf-8")
    (dataset_copy / "x.txt").symlink_to(secret)
    plan = _plan(dataset_copy, "正文。\n{% include 'x.txt' %}\n")
    message = _only_problem(dataset_copy)
    assert "符号链接" in message and str(dataset_copy / "x.txt") in message
    assert "机密内容" not in message
    assert plan.read_text("utf-8")  # the plan itself is untouched


def test_a_symlinked_folder_in_a_template_path_is_refused(
    dataset_copy: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.txt").write_text("机密内容", "utf-8")
    (dataset_copy / "parts").symlink_to(elsewhere, target_is_directory=True)
    _plan(dataset_copy, "正文。\n{% include 'parts/x.txt' %}\n")
    assert "符号链接" in _only_problem(dataset_copy)


def test_a_symlinked_plan_is_refused_even_pointing_inside(dataset_copy: Path) -> None:
    (dataset_copy / "plan.md.j2").rename(dataset_copy / "real.md.j2")
    (dataset_copy / "plan.md.j2").symlink_to(dataset_copy / "real.md.j2")
    assert "符号链接" in _only_problem(dataset_copy)


def test_a_gbk_template_names_its_file_and_line(dataset_copy: Path) -> None:
    plan = dataset_copy / "plan.md.j2"
    plan.write_bytes("第一行\n第二行\n第三行是 GBK\n".encode()[:28] + "方案".encode("gbk"))
    message = _only_problem(dataset_copy)
    assert "UTF-8" in message and f"{plan}:3：" in message, message
    assert "codec" not in message


# ------------------------------------------------------------------ bounds

BOMBS = {
    "string": '{% set x = "a" * 10**9 %}{{ x }}',
    "list": "{% set x = [1] * 10**9 %}{{ x }}",
    "bytes": '{% set x = "a".encode() * 10**9 %}{{ x|length }}',
    "power": "{{ 10 ** 100000000 }}",
    "squaring": "{% set ns = namespace(x=7) %}"
    "{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x }}",
    "doubling": '{% set ns = namespace(x="ab") %}'
    "{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x|length }}",
    "adding": '{% set ns = namespace(x="ab") %}'
    "{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x|length }}",
    "center": '{{ "a"|center(10**9) }}',
    "method": '{{ "a".ljust(10**9) }}',
    "format": '{{ "%999999999d"|format(1) }}',
    "percent": '{{ "%999999999d" % 1 }}',
    "precision": '{{ "%.999999999f" % 1.5 }}',
    "named": '{{ "%(a)999999999s" % {"a": 1} }}',
    "str.format": '{{ "{:999999999}".format(1) }}',
    "str.format aligned": '{{ "{0:>999999999}".format(1) }}',
    "str.format precision": '{{ "{:.999999999f}".format(1.5) }}',
    "replace": '{{ ("a" * 999999).replace("", "a" * 999999) }}',
    "join": '{{ ("a" * 999999).join(range(99999)|map("string")) }}',
    "output": '{% for i in range(99999) %}{{ "a" * 999 }}{% endfor %}',
    "lipsum": "{{ lipsum(10**6) }}",
    "macro": '{% set x = "a" * 999999 %}{% macro m() %}{% for i in range(99999) %}{{ x }}'
    "{% endfor %}{% endmacro %}{{ m() }}",
    "set block": '{% set x = "a" * 999999 %}{% set y %}{% for i in range(9999) %}{{ x }}'
    "{% endfor %}{% endset %}",
}


@pytest.mark.parametrize("template", BOMBS.values(), ids=BOMBS.keys())
def test_memory_bombs_stop_at_a_size_bound(
    template: str, dataset_copy: Path, short_limit: None
) -> None:
    _plan(dataset_copy, f"正文。\n\n{template}\n")
    message = _only_problem(dataset_copy)
    # The whole output's size has no line: it is counted as it is written.
    where = "：" if template == BOMBS["output"] else ":3："
    assert f"{dataset_copy / 'plan.md.j2'}{where}" in message, message
    assert not _english(message), message


TIME_BOMBS = {
    "nested loops": "{% for i in range(99999) %}{% for j in range(99999) %}"
    "{% endfor %}{% endfor %}",
    "nested loops with output": "{% for i in range(99999) %}{% for j in range(99999) %}"
    "{% if j == -1 %}x{% endif %}{% endfor %}{% endfor %}",
    "exponential macro": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}"
    "{% endmacro %}{{ f(60) }}",
}


@pytest.mark.parametrize("template", TIME_BOMBS.values(), ids=TIME_BOMBS.keys())
def test_time_bombs_stop_at_the_time_limit(
    template: str, dataset_copy: Path, short_limit: None
) -> None:
    _plan(dataset_copy, f"正文。\n\n{template}\n")
    message = _only_problem(dataset_copy)
    assert "秒" in message and str(dataset_copy / "plan.md.j2") in message, message


def test_a_recursive_macro_names_its_file_and_line(dataset_copy: Path) -> None:
    _plan(dataset_copy, "正文。\n{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}\n")
    message = _only_problem(dataset_copy)
    assert "递归" in message and f"{dataset_copy / 'plan.md.j2'}:" in message, message


def test_a_template_extending_itself_names_its_file(dataset_copy: Path) -> None:
    _plan(dataset_copy, "{% extends 'plan.md.j2' %}\n")
    message = _only_problem(dataset_copy)
    assert "递归" in message and f"{dataset_copy / 'plan.md.j2'}:1：" in message, message


def test_the_bounds_leave_real_templates_alone(
    dataset_copy: Path, tmp_path: Path, short_limit: None
) -> None:
    _plan(
        dataset_copy,
        (dataset_copy / "plan.md.j2").read_text("utf-8")
        + '\n{{ "、".join(["甲", "乙"]) ~ "丙" }}{{ (["丁"] * 2) | join }}'
        + "{% for i in range(3) %}{{ i }}{% endfor %}\n",
    )
    _, document, _ = prepare(dataset_copy)
    texts = [getattr(b, "text", "") for part in document.parts for b in part.blocks]
    assert "甲、乙丙丁丁012" in texts


# ------------------------------------------------------------------ messages

MISTAKES = {
    "{{ 3 | nmu }}": "没有名为“nmu”的过滤器",
    "{% if %}}": "模板语法错误",
    "{{ x }": "模板语法错误",
    "{% endfor %}": "模板语法错误",
    "{{ 1 / 0 }}": "除数为零",
    "{{ 1 + '元' }}": "数据类型不符",
    "{{ policy.nothing }}": "不存在的数据",
    "{% include 'missing.j2' %}": "模板文件不存在",
    "{{ range(10**6) | list }}": "“range”的范围过大",
    "{{ x y }}": "此处应为“}}”，实际是“y”",
    "{% if true %}": "模板结束时还有未结束的“if”块（缺少 {% endif %}）",
    "{% if true %}{% endfor %}": "不认识的标记“endfor”（此处应先结束“if”块）",
    "{% set %}": "此处应有表达式",
    "{{ 'abc }}": "此处不应出现字符“'”",
    "{# abc": "注释没有结束",
}


@pytest.mark.parametrize("template", MISTAKES, ids=range(len(MISTAKES)))
def test_template_mistakes_are_told_in_chinese_with_file_and_line(
    template: str, dataset_copy: Path
) -> None:
    _plan(dataset_copy, f"正文。\n\n{template}\n")
    message = _only_problem(dataset_copy)
    assert MISTAKES[template] in message, message
    assert f"{dataset_copy / 'plan.md.j2'}:3：" in message, message
    assert not _english(message), message


def test_a_template_mistake_in_a_title_names_the_field(dataset_copy: Path) -> None:
    document = dataset_copy / "document.yaml"
    text = document.read_text("utf-8")
    document.write_text(text.replace("{{ year }}年度城乡", "{{ year | nmu }}年度城乡", 1), "utf-8")
    message = _only_problem(dataset_copy)
    assert f"{document}:16:" in message and "plan.title" in message, message
    assert "nmu" in message and not _english(message), message
