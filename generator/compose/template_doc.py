"""docs/templates.md, the template writers' reference, generated from the code
(as docs/data-model.md is): every variable a template sees, every filter, the
names a table formula sees, each with an example rendered from an example
data set at generation time, so the output shown is the output one gets.

tests/test_template_doc.py checks that every variable of the real template
context and every filter in formatting.FILTERS is documented here, and that
the committed file is what this module generates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.compose import document as composing
from generator.compute import compute
from generator.dataset import expr
from generator.dataset.load import load_sources
from generator.dataset.names import FORMULA_NAMES
from generator.dataset.validate import validate
from generator.paths import shared_templates
from generator.style.profile import load_style

# Variable -> (what it holds, example template, example data set under data/).
VARIABLES: dict[str, tuple[str, str, str]] = {
    "year": ("参保年度（policy.yaml 的 year），整数，可做加减", "{{ year - 1 }}年", "wuhe"),
    "issuer": (
        "发文机关（document.yaml 的 issuer）：name、mark、short_name",
        "{{ issuer.short_name }}",
        "wushui",
    ),
    "notice": (
        "印发通知（document.yaml 的 notice，各字段原样）；通知模板中 purpose 已渲染",
        "{{ notice.date | date }}",
        "wushui",
    ),
    "policy": (
        "policy.yaml 原样（写下的规则）：tiers、financing、subsidies、periods、dates、rates、"
        "amounts、counts、ages、documents；资助只有写下的 rule 与 value，算出的金额见 subsidies",
        "{{ policy.tiers[0].name }}{{ policy.tiers[0].amount | num }}元",
        "wushui",
    ),
    "org": (
        "organisation.yaml：leading_group（name、members、office）",
        '{{ org.leading_group.members | role("组长") | people }}',
        "wushui",
    ),
    "tables": (
        "各表算好的数据：tables.<表名>.rows（各行，键为列名，有 key 的列也可用 key）"
        "与 .total（合计行，figures: printed 时为印刷值）",
        "{{ tables.quota.total.户籍人口数 }}",
        "wushui",
    ),
    "subsidies": (
        "程序算出的资助，按 policy.yaml 的顺序：id、groups、rule、value、note、tier_group、"
        "payers（承担方：name、share）、tiers（该规则适用的各档：tier 档次、subsidy 资助、"
        "personal 个人缴；rule: none 的档不列）",
        "{{ subsidies[1].groups | join('、') }}个人缴{{ subsidies[1].tiers[0].personal | num }}元",
        "wuhe",
    ),
    "subsidy": (
        "按 id 取算出的资助（同 subsidies 的一项），每档再按档次名取：subsidy.<id>.<档次>",
        "资助{{ subsidy.低保.一档.subsidy | num }}元、个人缴{{ subsidy.低保.一档.personal | num }}元",
        "lidu",
    ),
    "plan": (
        "只在通知模板中：方案标题 title 与通知对方案的称呼 cited",
        "《{{ plan.cited }}》",
        "wushui",
    ),
}

# Filter -> (what it does, example template, example data set).
FILTERS: dict[str, tuple[str, str, str]] = {
    "num": (
        "数字照写：不补零、不用科学计数法、不加千位分隔符",
        "{{ policy.amounts.fund_extra_lower | num }}",
        "wushui",
    ),
    "pct": ("比例写成百分数", "{{ policy.rates.coverage_target | pct }}", "wushui"),
    "date": (
        "日期写作 2023年11月24日（不补零）",
        "{{ policy.dates.subsidy_due | date }}",
        "wushui",
    ),
    "md": ("只写月日", "{{ policy.dates.subsidy_due | md }}", "wushui"),
    "ym": ("只写年月", "{{ policy.dates.subsidy_due | ym }}", "wushui"),
    "period": (
        "期间：同一年时结束日期不重复年份",
        "{{ policy.periods.enrolment | period }}",
        "wushui",
    ),
    "person": ("职务加姓名", "{{ org.leading_group.members[0] | person }}", "wushui"),
    "people": (
        "多人：职务加姓名，以、连接（可给分隔符）",
        '{{ org.leading_group.members | role("副组长") | people }}',
        "wushui",
    ),
    "role": ("按职责筛选成员", '{{ org.leading_group.members | role("组长") | people }}', "wushui"),
    "cn": ("汉字数字（1–99）", "{{ 12 | cn }}", "wushui"),
}

INTRO = """\
# 模板说明

> 本文件由 `tools/make_schemas.py` 根据程序代码自动生成，请勿手工修改；示例的结果是用
> `data/` 中的示例数据集实际渲染得到的。

正文模板（`plan.md.j2` 等）、标题（`title`）、附件标题、表头（列的 `name` 与 `header`）
都是 Jinja 模板，在沙箱中渲染：只能读取下列变量，不能访问 Python 内部属性。
Jinja 自带的过滤器和语句也可以用（`join`、`map`、`list`、`first`、`last`、`unique`、
`length`、`{% for %}`、`{% if %}`、`{% set %}`、`{% macro %}` 等）。

模板中的列表从 0 数起（`policy.tiers[0]` 是第一档）；程序报错时则像人一样称呼位置：
“第 3 行（坝芒村）”“缴费档次“一档””，不用下标。
"""

FORMULAS = """\
## 表格公式可用的名称

派生列的 `formula` 只能用 `+ - * /`、括号、数字、下列名称和函数 {functions}。
数值一律按十进制精确计算，舍入规则见 document.yaml 的 `rounding`。

| 名称 | 含义 | 示例 |
|---|---|---|
{rows}

- 列名不是简单名称（以数字开头、含全角括号等）时，写在中文引号中：
  `round(“2023年应参加居民医保人数” * rates.coverage_target)`；也可给列一个简称 `key`，
  行数据和公式都用简称，表头仍印列名。
- 只能引用本列左侧的列。
- 空白：数值列中写作 `~` 或 `""` 的格子是空白，印为空；公式读到空白，结果也是空白；
  合计时空白不计入。该填而漏写的格子（没有这个键）仍报错。
- 原文印刷值：派生列的格子可写 `{{printed: 3226}}`，与计算值不符时警告；
  `figures: printed` 时印出原文数值（合计行的印刷值写在 `printed.total`）。
"""


def _example_contexts(
    names: set[str],
) -> dict[str, tuple[ImmutableSandboxedEnvironment, dict[str, Any]]]:
    """The template environment and full context (after composing, so that
    plan is set) of each example data set named."""
    style = load_style(shared_templates() / "style.yaml")
    out = {}
    for name in sorted(names):
        root = Path(__file__).resolve().parents[2] / "data" / name / "2024"
        dataset = validate(load_sources(root))
        out[name] = composing.composed_context(dataset, compute(dataset), style)
    return out


def _table(entries: dict[str, tuple[str, str, str]], heading: str) -> list[str]:
    contexts = _example_contexts({office for _, _, office in entries.values()})
    lines = [f"| {heading} | 说明 | 示例 | 结果 |", "|---|---|---|---|"]
    for name, (description, example, office) in entries.items():
        env, context = contexts[office]
        result = composing.render_string(env, example, context)
        cell = example.replace("|", "\\|")
        lines.append(f"| `{name}` | {description} | `{cell}`（{office}） | {result} |")
    return lines


def templates_markdown() -> str:
    functions = "、".join(f"`{f}`" for f in expr.FUNCTIONS)
    rows = "\n".join(f"| `{n}` | {what} | `{example}` |" for n, what, example in FORMULA_NAMES)
    sections = [
        INTRO,
        "## 变量\n",
        *_table(VARIABLES, "变量"),
        "",
        "## 过滤器\n",
        "写在 `|` 之后，如 `{{ policy.tiers[0].amount | num }}`。\n",
        *_table(FILTERS, "过滤器"),
        "",
        FORMULAS.format(functions=functions, rows=rows),
    ]
    return "\n".join(sections)
