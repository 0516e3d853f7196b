"""Tables and formulas from policy data, on tests/data/qingshan (an invented
township): a village table whose columns have short keys, quoted headings and
rendered headings, with a blank cell and a printed cell that disagrees with
its formula; a subsidy table whose rows are the policy's subsidy rules, blank
where a rule does not apply to a tier; payers and ages in the policy; places
in errors named as a person names them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build.pipeline import BuildResult, build
from generator.compose.tables import too_wide
from generator.compute import compute, parameters
from generator.dataset.load import load_sources
from generator.dataset.names import policy_names
from generator.dataset.places import describe
from generator.dataset.validate import Dataset, validate
from generator.model import Cell, Table
from generator.problems import DataError, Problem, Severity
from generator.yearly.checklist import checklist
from generator.yearly.diff import compare
from generator.yearly.diff.data import Change
from generator.yearly.newyear import new_year
from tests.conftest import REPO, W, docx_xml, pdf_pages_text, squeeze
from tests.yearly_data import fill_in

QINGSHAN = Path(__file__).resolve().parent / "data" / "qingshan" / "2024"


@pytest.fixture(scope="module")
def qingshan_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(QINGSHAN, tmp_path_factory.mktemp("qingshan"))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "qingshan" / "2024"
    shutil.copytree(QINGSHAN, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), "utf-8")


def _tables(result: BuildResult) -> list[list[list[str]]]:
    """Every table of the DOCX: rows of cell texts."""
    docx = next(result.out_dir / f.path for f in result.files if f.format == "docx")
    body = docx_xml(docx, "word/document.xml").find(f"{W}body")
    assert body is not None
    return [
        [
            ["".join(tc.itertext(f"{W}t")) for tc in tr.findall(f"{W}tc")]
            for tr in tbl.findall(f"{W}tr")
        ]
        for tbl in body.findall(f"{W}tbl")
    ]


def _errors(dataset: Path) -> list[Problem]:
    with pytest.raises(DataError) as info:
        build(dataset, dataset.parent / "out")
    return info.value.problems


def _dataset(root: Path = QINGSHAN) -> Dataset:
    return validate(load_sources(root))


# ------------------------------------------------------------ the village table


def test_headings_render_and_formulas_reach_columns_by_key_quote_and_policy_name(
    qingshan_build: BuildResult,
) -> None:
    tasks = _tables(qingshan_build)[0]
    assert tasks[0] == [
        "序号",
        "村（社区）",
        "各村人口数（按村报人数和户籍人数的平均）",
        "2023年外出人数",  # "{{ year - 1 }}年外出人数"
        "2023年应参加居民医保人数",
        "2024年目标任务数",  # "{{ year }}年目标任务数"
        "个人缴费（元）",
    ]
    # due = population - away; target = round(“2023年应参加…” * 0.95); fee = target * 一档 380
    assert tasks[1] == ["1", "坝芒村", "3327", "61", "3266", "3103", "1179140"]
    assert tasks[2] == ["2", "石门村", "2410", "35", "2375", "2256", "857280"]


def test_a_blank_cell_prints_empty_is_left_out_of_totals_and_blanks_its_formulas(
    qingshan_build: BuildResult,
) -> None:
    tasks = _tables(qingshan_build)[0]
    assert tasks[3] == ["3", "青山社区", "1200", "", "", "", ""]
    assert tasks[4] == ["合计", "6937", "96", "5641", "5359", "2036420"]


def test_a_heading_with_a_mistake_names_its_file_and_line(copy: Path) -> None:
    _edit(
        copy / "tables" / "tasks.yaml", '"{{ year - 1 }}年外出人数"', '"{{ yaer - 1 }}年外出人数"'
    )
    (problem,) = _errors(copy)
    assert problem.file == copy / "tables" / "tasks.yaml" and problem.line == 6
    assert problem.field == "列“away”" and "模板表达式有误" in problem.message


def test_a_left_out_numeric_cell_is_still_an_error(copy: Path) -> None:
    _edit(copy / "tables" / "tasks.yaml", "population: 1200, away: ~", "population: 1200")
    (problem,) = _errors(copy)
    assert problem.file == copy / "tables" / "tasks.yaml" and problem.line == 14
    assert problem.field == "第 3 行（青山社区），列“away”"
    assert '缺少数值（空白请写作 ~ 或 ""）' in problem.message


def test_a_printed_cell_is_checked_like_a_total_and_reproduced_on_request(
    qingshan_build: BuildResult, copy: Path
) -> None:
    (warning,) = qingshan_build.warnings
    assert warning.severity is Severity.WARNING
    assert warning.file == QINGSHAN / "tables" / "tasks.yaml" and warning.line == 12
    assert "第 1 行（坝芒村），列“2023年应参加居民医保人数”：印刷值 3226，计算值 3266" in str(
        warning
    )
    # The computed figure is printed by default; `figures: printed` prints the original.
    assert _tables(qingshan_build)[0][1][4] == "3266"
    _edit(copy / "document.yaml", "figures: computed", "figures: printed")
    printed = build(copy, copy.parent / "out")
    row = _tables(printed)[0][1]
    assert row[4] == "3226" and row[5] == "3103"  # later formulas use the computed value


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("3226", "记录原文印刷值请写作 {printed: 数值}"),
        ("{printed: .nan}", "印刷值应为一个数字"),
        ("{printed: 三千}", "印刷值应为一个数字"),
        ("{printed: 3226, note: x}", "记录原文印刷值请写作 {printed: 数值}"),
    ],
)
def test_a_value_in_a_derived_column_must_say_it_is_printed(
    copy: Path, written: str, expected: str
) -> None:
    _edit(copy / "tables" / "tasks.yaml", "{printed: 3226}", written)
    (problem,) = _errors(copy)
    assert expected in problem.message and problem.line == 12


def test_formula_errors_name_file_line_and_row(copy: Path) -> None:
    _edit(
        copy / "tables" / "tasks.yaml",
        "formula: population - away",
        "formula: population / away - 1",
    )
    _edit(copy / "tables" / "tasks.yaml", "away: 35}", "away: 0}")
    (problem,) = _errors(copy)
    assert problem.file == copy / "tables" / "tasks.yaml" and problem.line == 7
    assert problem.field == "列“2023年应参加居民医保人数”的 formula"
    assert "表 tasks 第 2 行（石门村），列“2023年应参加居民医保人数”" in problem.message
    assert "除数为零" in problem.message


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('"tiers[0].amount"', "不支持下标（请按名称引用，如 tiers.一档.amount）"),
        ("tiers.三档.amount", "未知的名称：tiers.三档.amount"),
        ("2023年应参加居民医保人数 * 2", "数字后不能紧跟字母"),
        ("fee * 2", "未知的名称：fee"),  # a column to the right
        ("village * 2", "公式中的列“village”不是数值列"),
    ],
)
def test_formula_names_are_checked(copy: Path, formula: str, expected: str) -> None:
    _edit(copy / "tables" / "tasks.yaml", "formula: population - away", f"formula: {formula}")
    problems = _errors(copy)
    assert any(expected in p.message and p.line == 7 for p in problems), problems


def test_a_tier_name_two_groups_share_is_reached_through_its_group() -> None:
    """lidu has 一档 for 居民 and for 大学生: tiers.一档.amount would be ambiguous."""
    lidu = _dataset(REPO / "data" / "lidu" / "2024")
    names = policy_names(lidu.policy)
    assert {"tiers.居民.一档.amount", "tiers.大学生.一档.amount"} <= names
    assert "tiers.一档.amount" not in names
    assert "subsidies.低保.一档.personal" in names


@pytest.mark.parametrize("office", ["wushui", "wuhe", "lidu", "qingshan"])
def test_validation_knows_exactly_the_names_compute_gives_values(office: str) -> None:
    root = QINGSHAN if office == "qingshan" else REPO / "data" / office / "2024"
    dataset = _dataset(root)
    assert set(parameters(dataset, compute(dataset).subsidies)) == policy_names(dataset.policy)


def test_qingshan_policy_names_and_values() -> None:
    dataset = _dataset()
    values = parameters(dataset, compute(dataset).subsidies)
    assert values["tiers.一档.amount"] == 380 and values["tiers.居民.二档.amount"] == 680
    assert values["ages.full_from"] == 70 and values["financing.subsidy_parts.中央"] == 384
    assert values["subsidies.低保.一档.subsidy"] == 190
    assert values["subsidies.低保.二档.subsidy"] is None  # rule: none


# ------------------------------------------------------------ the subsidy table


def test_a_table_takes_its_rows_from_the_subsidy_rules(qingshan_build: BuildResult) -> None:
    subsidy = _tables(qingshan_build)[1]
    assert subsidy[0] == ["资助对象", "一档（380元）", "二档（680元）", "资金承担"]
    assert subsidy[1] == ["", "资助", "个人缴", "资助", "个人缴", ""]  # "": merged down
    assert subsidy[2:] == [
        ["特困人员", "380", "0", "680", "0", "市财政"],
        ["低保对象、监测对象", "190", "190", "", "", "市、镇（街）"],  # 二档: rule none
        ["70周岁以上老年人", "190", "190", "", "", "镇（街）"],
    ]


def test_a_table_takes_its_rows_from_the_tiers(qingshan_build: BuildResult) -> None:
    tiers = _tables(qingshan_build)[2]
    assert tiers == [
        ["缴费档次", "个人缴费标准", "特困人员资助", "低保对象个人缴"],
        ["一档", "380", "380", "190"],
        ["二档", "680", "680", ""],  # 低保: 二档 does not apply
    ]


def test_a_field_must_fit_where_the_rows_come_from(copy: Path) -> None:
    _edit(
        copy / "tables" / "tiers.yaml",
        "{name: 缴费档次, field: name}",
        "{name: 缴费档次, field: groups}",
    )
    (problem,) = _errors(copy)
    assert problem.field == "列“缴费档次”的 field" and problem.line == 4
    assert "rows_from: tiers 的表中，field 应为 name、group 之一" in problem.message


def test_the_pdf_prints_the_same_tables(qingshan_build: BuildResult) -> None:
    pdf = next(qingshan_build.out_dir / f.path for f in qingshan_build.files if f.format == "pdf")
    text = squeeze("".join(pdf_pages_text(pdf)))
    for cell in (
        "各村人口数（按村报人数和户籍人数的平均）",
        "2036420",
        "一档（380元）",
        "注：2024年度个人缴费标准一档380元、二档680元。",  # a footnote renders too
    ):
        assert squeeze(cell) in text


def test_a_rows_from_table_needs_a_source_for_every_column(copy: Path) -> None:
    _edit(copy / "tables" / "subsidy.yaml", "{name: 资金承担, field: payers}", "{name: 资金承担}")
    (problem,) = _errors(copy)
    assert problem.field == "列“资金承担”" and problem.line == 9
    assert "每一列应有 formula 或 field" in problem.message


def test_rows_and_rows_from_exclude_each_other(copy: Path) -> None:
    path = copy / "tables" / "subsidy.yaml"
    path.write_text(path.read_text("utf-8") + "rows:\n  - {资助对象: 某人}\n", "utf-8")
    (problem,) = _errors(copy)
    assert "rows_from 与 rows 只能填一项" in problem.message


# ------------------------------------------------------------ payers, ages, rule none


def test_the_prose_quotes_payers_ages_and_values(qingshan_build: BuildResult) -> None:
    pdf = next(qingshan_build.out_dir / f.path for f in qingshan_build.files if f.format == "pdf")
    text = squeeze("".join(pdf_pages_text(pdf)))
    for sentence in (
        "人均财政补助标准不低于550元",
        "全镇目标任务数5600人（各村合计5359人，其中坝芒村3103人）",  # tables by key
        "由市、镇（街）财政各承担50%",
        "由市财政承担",
        "60至69周岁老年人减半资助，70周岁以上老年人全额资助",
        "参加一档的资助190元，由",  # 二档 (rule none) is left out of subsidy.低保.tiers
    ):
        assert squeeze(sentence) in text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "[{name: 市, share: 0.5}, {name: 镇（街）, share: 0.5}]",
            "[{name: 市, share: 0.5}, {name: 镇（街）, share: 0.4}]",
            "各承担方的比例之和为 0.9，应为 1",
        ),
        (
            "[{name: 市, share: 0.5}, {name: 镇（街）, share: 0.5}]",
            "[{name: 市}, {name: 镇（街）}]",
            "每一方都应写明承担比例 share",
        ),
        (
            "per_tier: {二档: {rule: none}}                  #",
            "per_tier: {二档: {rule: none, value: 1}}  #",
            "rule 为 none（该档不适用）时不填 value",
        ),
        ("    rule: full\n", "    rule: none\n", "只能用在 per_tier 中"),
        ("full_from: 70", "full_from: 200", "不能大于 150"),
    ],
)
def test_policy_values_are_checked(copy: Path, old: str, new: str, expected: str) -> None:
    _edit(copy / "policy.yaml", old, new)
    problems = _errors(copy)
    assert any(expected in p.message for p in problems), problems
    assert all(p.file == copy / "policy.yaml" and p.line for p in problems)


# ------------------------------------------------------------ places named as people name them


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("{name: 二档, amount: 680}", "{name: 二档, amount: -1}", "缴费档次“二档”的 amount"),
        ("    value: 190\n", "    value: -5\n", "资助“高龄”"),
        ("{name: 县, amount: 64}", "{name: 县, amount: x}", "financing 补助来源“县”的 amount"),
    ],
)
def test_policy_places_are_named(copy: Path, old: str, new: str, field: str) -> None:
    _edit(copy / "policy.yaml", old, new)
    problems = _errors(copy)
    assert any(p.field == field for p in problems), [p.field for p in problems]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "total: sum, width: 1.6",
            "total: many, width: 1.6",
            "列“各村人口数（按村报人数和户籍人数的平均）”的 total",
        ),
        ("population: 2410", "population: 二千", "第 2 行（石门村），列“population”"),
    ],
)
def test_table_places_are_named(copy: Path, old: str, new: str, field: str) -> None:
    _edit(copy / "tables" / "tasks.yaml", old, new)
    assert [p.field for p in _errors(copy)] == [field]


# ------------------------------------------------------------ too wide


def test_a_table_wider_than_the_text_block_is_an_error(copy: Path) -> None:
    _edit(
        copy / "tables" / "tasks.yaml",
        "{name: 序号, kind: row_number, width: 0.6}",
        "{name: 序号, kind: row_number, width: 6}",
    )
    (problem,) = _errors(copy)  # one per column: its widest cell
    assert problem.file == copy / "tables" / "tasks.yaml" and problem.line == 9
    assert "的“1179140”比列“个人缴费（元）”宽，表格会超出版心" in problem.message
    assert not (copy.parent / "out").exists()


# ------------------------------------------------------------ new-year and diff see the typed values


def test_new_year_lists_ages_payers_and_printed_cells(copy: Path) -> None:
    lines = checklist(new_year(copy))
    text = "\n".join(lines)
    ages = lines.index(next(line for line in lines if line.endswith("、年龄（仍为上年数值）")))
    assert lines[ages + 1 : ages + 3] == [
        "    年龄 · 60–69 周岁减半：60",
        "    年龄 · 70 周岁以上全额：70",
    ]
    assert "困难群众资助 · 低保·低保对象、监测对象 · 承担方 · 镇（街） · 承担比例：50%" in text
    assert "金额 · 人均财政补助标准不低于：550" in text
    assert "行中 {printed: …} 是上年原文印刷的数值" in text


def test_diff_compares_ages_and_payers(copy: Path) -> None:
    target = new_year(copy).target
    fill_in(target)
    _edit(target / "policy.yaml", "full_from: 70", "full_from: 65")
    _edit(target / "policy.yaml", "payers: [{name: 市财政}]", "payers: [{name: 省财政}]")
    _edit(
        target / "policy.yaml",
        "{name: 市, share: 0.5}, {name: 镇（街）, share: 0.5}",
        "{name: 市, share: 0.6}, {name: 镇（街）, share: 0.4}",
    )
    changes = {s.title: s.changes for s in compare(copy, target).sections}[
        "政策参数（policy.yaml）"
    ]
    assert Change("年龄 · 70 周岁以上全额", "70", "65") in changes
    rule = "困难群众资助 · 低保·低保对象、监测对象 · 承担方"
    assert Change(f"{rule} · 市 · 承担比例", "50%", "60%") in changes
    payer = "困难群众资助 · 特困·特困人员 · 承担方"
    assert Change(f"{payer} · 市财政 · 名称", "市财政", None) in changes
    assert Change(f"{payer} · 省财政 · 名称", None, "省财政") in changes


def test_places_read_as_a_person_counts() -> None:
    table = {
        "columns": [{"name": "村委", "unique": True}, {"name": "{{ year }}年人数", "key": "n"}],
        "rows": [{"村委": "黄莲", "n": 1}, {"村委": "陶家", "n": "x"}],
    }
    assert describe(table, ("rows", 1, "n")) == "第 2 行（陶家），列“n”"
    assert describe(table, ("columns", 1, "kind")) == "列“n”的 kind"  # a templated heading
    assert describe(table, ("columns", 0)) == "列“村委”"
    policy = {"subsidies": [{"groups": ["特困人员", "孤儿"], "per_tier": {"二档": {}}}]}
    assert describe(policy, ("subsidies", 0, "per_tier", "二档", "rule")) == (
        "资助“特困人员等”的 per_tier.二档.rule"
    )
    document = {"plan": {"attachments": [{"title": "{{ year }}"}, {}]}}
    assert describe(document, ("plan", "attachments", 1, "table")) == "plan 附件2的 table"
    assert describe({}, ("notice", "number", "serial")) == "notice.number.serial"


def test_too_wide_counts_columns_under_cells_that_span_down() -> None:
    table = Table(
        header=(
            (Cell("类别", rowspan=2), Cell("一档", colspan=2)),
            (Cell("资助"), Cell("个人缴12345678")),
        ),
        body=((Cell("特困"), Cell("1"), Cell("2")),),
        widths=(1.0, 1.0, 1.0),
    )
    # 9 characters for three equal columns, less half a character of padding: 2.5 each.
    assert too_wide(table, 9, 0.5) == [(2, "个人缴12345678")]
    assert too_wide(table, 15, 0.5) == []


def test_diff_matches_rows_by_a_keyed_unique_column(copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / "2024"
    shutil.copytree(copy, other)
    _edit(other / "tables" / "tasks.yaml", "population: 3327", "population: 3400")
    _edit(other / "tables" / "tasks.yaml", "{printed: 3226}", "{printed: 3339}")
    changes = {s.title: s.changes for s in compare(copy, other).sections}[
        "表 tasks（tables/tasks.yaml）"
    ]
    assert changes == (
        Change("村（社区）“坝芒村” · population", "3327", "3400"),
        Change(
            "村（社区）“坝芒村” · 2023年应参加居民医保人数",
            "3226（原文印刷值）",
            "3339（原文印刷值）",
        ),
    )
