"""gongwen new-year (next year's data set from this year's) and gongwen diff."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from generator.build.pipeline import build
from generator.cli import main
from generator.dataset.yamlio import load_yaml
from generator.yearly import newyear
from generator.yearly.checklist import checklist
from generator.yearly.diff import Comparison, compare
from generator.yearly.diff.data import Change
from generator.yearly.diff.terminal import render
from generator.yearly.newyear import new_year, next_year, shift_years
from generator.yearly.yamledit import scan
from tests.conftest import WUSHUI, docx_paragraphs
from tests.yearly_data import edit, fill_in, hashes, next_year_filled_in

# ---------------------------------------------------------------- dates and years


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2023-09-01", "2024-09-01"),
        ("2023-12-31", "2024-12-31"),
        ("2024-02-29", "2025-02-28"),  # the end of February stays the end
        ("2023-02-28", "2024-02-29"),  # ... into a leap year too
        ("2024-02-28", "2025-02-28"),  # not the end of a leap February: the same day
        ("2022-02-28", "2023-02-28"),  # end of February in two common years
        ("2023-03-01", "2024-03-01"),
    ],
)
def test_next_year_keeps_the_end_of_february(day: str, expected: str) -> None:
    assert next_year(dt.date.fromisoformat(day)) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("武水镇2024年度工作方案", "武水镇2025年度工作方案"),
        ("# 2024 年度政策参数", "# 2025 年度政策参数"),
        ("2023年11月24日", "2024年11月24日"),  # moved once, not once per year it names
        ("2024年2月29日", "2025年2月28日"),
        ("2023-2024学年", "2024-2025学年"),
        ("2019年的文件", "2019年的文件"),  # not this data set's year
        ("共2024人，380元", "共2024人，380元"),  # numbers that are not years
        ("湘医保发〔2023〕41号", "湘医保发〔2023〕41号"),
    ],
)
def test_shift_years_moves_only_the_data_sets_years(text: str, expected: str) -> None:
    assert shift_years(text, {2023, 2024}) == expected


# ---------------------------------------------------------------- new-year


def test_new_year_copies_every_file_and_leaves_the_source_untouched(dataset_copy: Path) -> None:
    before = hashes(dataset_copy)
    result = new_year(dataset_copy)
    assert hashes(dataset_copy) == before
    assert result.target == dataset_copy.parent / "2025"
    copied = hashes(result.target)
    assert copied.keys() == before.keys()
    for unchanged in ("plan.md.j2", "organisation.yaml", "tables/quota.yaml"):
        assert copied[unchanged] == before[unchanged]
    assert sorted(p.name for p in dataset_copy.parent.iterdir()) == ["2024", "2025"]


def test_new_year_moves_dates_and_years_and_keeps_layout(dataset_copy: Path) -> None:
    target = new_year(dataset_copy).target
    old = (dataset_copy / "policy.yaml").read_text("utf-8").splitlines()
    new = (target / "policy.yaml").read_text("utf-8").splitlines()
    assert len(old) == len(new)
    for was, now in zip(old, new, strict=True):
        if not re.search(r"20\d\d", was) or was.startswith("#"):
            assert was == now  # only values that name a year or date change
    assert "year: 2025" in new
    assert "  enrolment: {start: 2024-09-01, end: 2024-12-31}        # 集中参保缴费期" in new
    assert "  subsidy_due: 2025-07-31      # 县财政补助资金拨付期限（7月底前）" in new
    # Cited documents are other offices' and keep their years.
    assert "临武县2024年居民基本医疗保险参保缴费工作方案" in "\n".join(new)
    assert "湘医保发〔2023〕41号" in "\n".join(new)


@pytest.mark.parametrize("name", ["document.yaml", "policy.yaml", "organisation.yaml"])
def test_new_year_keeps_every_comment_as_written(dataset_copy: Path, name: str) -> None:
    def comments(path: Path) -> list[str]:
        scanned = scan(path.read_text("utf-8"))
        return [scanned.text[c.start : c.end] for c in scanned.comments]

    target = new_year(dataset_copy).target
    added = [c for c in comments(target / name) if c.startswith("# 待填写")]
    assert [c for c in comments(target / name) if c not in added] == comments(dataset_copy / name)
    assert len(added) == (2 if name == "document.yaml" else 0)


def test_new_year_clears_serial_and_date_and_marks_them(dataset_copy: Path) -> None:
    target = new_year(dataset_copy).target
    notice = load_yaml(target / "document.yaml").data["notice"]
    assert notice["number"] == {"prefix": "武政发", "year": 2024, "serial": None}
    assert notice["date"] is None
    assert notice["plan_cited_as"] == "武水镇2025年居民基本医疗保险参保缴费实施方案"
    text = (target / "document.yaml").read_text("utf-8")
    assert (
        "  # 待填写：发文字号序号（上年为 80）\n"
        "  number: {prefix: 武政发, year: 2024, serial: null}   # 武政发〔2023〕80号\n"
        "  # 待填写：成文日期（上年为 2023-11-24）\n"
        "  date: null                                          # 成文日期\n"
    ) in text


def test_new_year_moves_february_29_to_february_28(dataset_copy: Path) -> None:
    edit(dataset_copy / "policy.yaml", "subsidy_due: 2024-07-31", "subsidy_due: 2024-02-29")
    target = new_year(dataset_copy).target
    assert load_yaml(target / "policy.yaml").data["dates"]["subsidy_due"] == "2025-02-28"


def test_checklist_names_amounts_documents_people_dates_and_fields_to_fill(
    dataset_copy: Path,
) -> None:
    text = "\n".join(checklist(new_year(dataset_copy)))
    for expected in (
        "缴费档次 · 一档 · 金额：380",
        # Keys the office named are shown by the names its comments give them,
        # shares as percentages (issue 18).
        "比例 · 常住人口参保率目标：95%",
        "困难群众资助 · 低保对象、监测对象、最低生活保障边缘家庭成员 · 数值：50%",
        "金额 · 每参保1人工作经费（元）：1",
        "湘医保发〔2023〕41号",
        "组长：党委书记胡玉萍",
        "tables/assignments.yaml 中的姓名",
        "policy.yaml 期间 · 集中参保缴费期 · 开始：2023-09-01 → 2024-09-01",
        "policy.yaml 日期 · 县财政补助资金拨付期限（7月底前）：2024-07-31 → 2025-07-31",
        "document.yaml 通知 · 发文字号 · 序号：发文字号序号（上年为 80）",
        "document.yaml 通知 · 成文日期：成文日期（上年为 2023-11-24）",
        "行注释：# 武水镇 2024 年度居民医保参保缴费",
    ):
        assert expected in text
    lines = text.splitlines()[1:]
    internal = re.compile(r"\b(?:fund_base|enrolment|subsidy_due|coverage_target)\b|0\.5\b|0\.95\b")
    assert not [line for line in lines if internal.search(line) and "注释" not in line]


def test_diff_shows_a_clerks_names_and_percentages(
    dataset_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = new_year(dataset_copy).target
    edit(target / "policy.yaml", "value: 0.5", "value: 0.6")
    edit(target / "policy.yaml", "coverage_target: 0.95", "coverage_target: 0.96")
    edit(target / "policy.yaml", "fund_base: 1 ", "fund_base: 2 ")
    main(["diff", str(dataset_copy), str(target)])
    out = capsys.readouterr().out
    assert "数值：50% → 60%" in out
    assert "比例 · 常住人口参保率目标：95% → 96%" in out
    assert "金额 · 每参保1人工作经费（元）：1 → 2" in out
    assert "期间 · 集中参保缴费期 · 开始" in out
    assert not re.search(r"fund_base|enrolment|subsidy_due|coverage_target", out)


def test_new_year_refuses_when_the_target_exists(
    dataset_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = dataset_copy.parent / "2025"
    target.mkdir()
    (target / "mine.txt").write_text("已有内容", "utf-8")
    before = hashes(dataset_copy)
    assert main(["new-year", str(dataset_copy)]) == 1
    assert "已存在" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["mine.txt"]
    assert hashes(dataset_copy) == before


def test_new_year_leaves_nothing_behind_when_it_fails(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(newyear, "edit_file", broken)
    with pytest.raises(OSError):
        new_year(dataset_copy)
    assert [p.name for p in dataset_copy.parent.iterdir()] == ["2024"]


def test_check_says_which_fields_are_to_be_filled_in(
    dataset_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = new_year(dataset_copy).target
    assert main(["check", str(target)]) == 1
    err = capsys.readouterr().err
    assert "字段 notice.number.serial：发文字号序号待填写" in err
    assert "字段 notice.date：成文日期待填写" in err
    assert err.count("错误：") == 2


def test_filled_in_new_year_builds(dataset_copy: Path, tmp_path: Path) -> None:
    target = new_year(dataset_copy).target
    fill_in(target, serial=12, date="2024-11-20")
    result = build(target, tmp_path / "out")
    assert {f.format for f in result.files} == {"docx", "pdf"}
    text = "".join(docx_paragraphs(tmp_path / "out" / "wushui-2025.docx"))
    assert "武政发〔2024〕12号" in text
    assert "武水镇2025年度城乡居民基本医疗保险参保缴费工作方案" in text
    assert "2025年度居民医保集中参保缴费期为2024年9月1日至12月31日" in text
    assert "2024年11月20日" in text


# ---------------------------------------------------------------- diff


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """2024 and a filled-in 2025 with a new tier amount, leader and population.
    Shared by the tests below, which only read them."""
    old = tmp_path_factory.mktemp("two-years") / "wushui" / "2024"
    shutil.copytree(WUSHUI, old)
    new = next_year_filled_in(old)
    edit(new / "policy.yaml", "amount: 380}", "amount: 400}")
    edit(new / "organisation.yaml", "name: 胡玉萍}", "name: 张<三>&}")
    edit(new / "tables" / "quota.yaml", "户籍人口数: 1237,", "户籍人口数: 1300,")
    return old, new


@pytest.fixture(scope="module")
def comparison(two_years: tuple[Path, Path]) -> Comparison:
    return compare(*two_years)


def test_diff_reports_amount_person_cell_and_paragraph(comparison: Comparison) -> None:
    changes = {s.title: s.changes for s in comparison.sections}
    assert Change("缴费档次 · 一档 · 金额", "380", "400") in changes["政策参数（policy.yaml）"]
    assert (
        Change("领导小组 · 成员 · 组长·党委书记 · 姓名", "胡玉萍", "张<三>&")
        in changes["人员（organisation.yaml）"]
    )
    assert changes["表 quota（tables/quota.yaml）"] == (
        Change("村委“黄莲” · 户籍人口数", "1237", "1300"),
    )
    assert "表 assignments（tables/assignments.yaml）" not in changes
    assert comparison.text_note is None
    tier = [t for t in comparison.text if t.old and "统一为380元/人" in t.old]
    assert len(tier) == 1 and tier[0].part == "方案"
    assert tier[0].new is not None and "2025年城乡居民医保个人缴费标准统一为400元/人" in tier[0].new


def test_diff_of_a_data_set_with_itself_finds_nothing(dataset_copy: Path) -> None:
    comparison = compare(dataset_copy, dataset_copy)
    assert comparison.count == 0
    assert "两个数据集没有差别" in render(comparison, colour=False)


def test_diff_shows_added_and_removed_rows_and_says_when_text_is_not_compared(
    dataset_copy: Path,
) -> None:
    new = next_year_filled_in(dataset_copy)
    quota = new / "tables" / "quota.yaml"
    edit(quota, "  - {村委: 沙溪, 户籍人口数: 123, 基数任务: 98}\n", "")
    edit(quota, "rows:\n", "rows:\n  - {村委: 新村, 户籍人口数: 10, 基数任务: 9}\n")
    comparison = compare(dataset_copy, new)
    changes = {s.title: s.changes for s in comparison.sections}["表 quota（tables/quota.yaml）"]
    assert Change("村委“新村”", None, "村委 新村，户籍人口数 10，基数任务 9") in changes
    assert Change("村委“沙溪”", "村委 沙溪，户籍人口数 123，基数任务 98", None) in changes
    # assignments still names 沙溪, not 新村: the new data set does not validate.
    assert comparison.text == ()
    assert comparison.text_note is not None and "正文未比较" in comparison.text_note


def test_diff_in_the_terminal_marks_changes_without_colour_when_piped(
    two_years: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", *map(str, two_years)]) == 0
    out = capsys.readouterr().out
    assert "【政策参数（policy.yaml）】" in out
    assert "  ~ 缴费档次 · 一档 · 金额：380 → 400" in out
    assert "  ~ 村委“黄莲” · 户籍人口数：1237 → 1300" in out
    assert re.search(r"^  - .*统一为380元/人。$", out, re.MULTILINE)
    assert re.search(r"^  \+ .*统一为400元/人。$", out, re.MULTILINE)
    assert "\033[" not in out


def test_diff_colours_only_on_request(comparison: Comparison) -> None:
    assert "\033[" in render(comparison, colour=True)
    assert "\033[" not in render(comparison, colour=False)


def test_diff_html_marks_changes_and_escapes_data(
    two_years: tuple[Path, Path], tmp_path: Path
) -> None:
    page = tmp_path / "diff.html"
    assert main(["diff", *map(str, two_years), "--format", "html", "--out", str(page)]) == 0
    html = page.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<del>380</del> → <ins>400</ins>" in html
    assert "统一为<del>380</del><ins>400</ins>元/人" in html
    assert "<del>胡玉萍</del> → <ins>张&lt;三&gt;&amp;</ins>" in html
    assert "张<三>" not in html


def test_new_year_never_reads_a_linked_template(dataset_copy: Path, tmp_path: Path) -> None:
    """The checklist quotes template lines with years: not those of a file
    elsewhere that a link in the data set points to (issue 18)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("机密 2024 年的内容\n", "utf-8")
    (dataset_copy / "x.md.j2").symlink_to(secret)
    text = "\n".join(checklist(new_year(dataset_copy)))
    assert "机密" not in text


def test_an_interrupted_new_year_leaves_nothing_and_a_killed_ones_folder_goes_next_time(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.build.staging import is_stage

    def interrupted(*args: object) -> str:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(newyear, "edit_file", interrupted)
        with pytest.raises(KeyboardInterrupt):
            new_year(dataset_copy)
    assert [p.name for p in dataset_copy.parent.iterdir()] == ["2024"]
    # A folder a killed new-year left (no live process holds it) goes at once.
    left = dataset_copy.parent / ".gongwen-abcd1234"
    left.mkdir()
    new_year(dataset_copy)
    assert sorted(p.name for p in dataset_copy.parent.iterdir() if not is_stage(p)) == [
        "2024",
        "2025",
    ]
    assert not left.exists()
