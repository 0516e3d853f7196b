"""gongwen check's warnings about what is probably a mistake (generator/yearly/review.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.dataset.doubts import doubts
from generator.dataset.load import load_sources
from generator.dataset.validate import validate
from generator.problems import Problem, Severity
from generator.yearly.newyear import new_year
from generator.yearly.review import review
from tests.conftest import WUSHUI
from tests.yearly_data import edit, next_year_filled_in


def _review(new: Path) -> list[Problem]:
    previous = validate(load_sources(new.parent / "2024"))
    return review(validate(load_sources(new)), previous)


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def _messages(new: Path) -> str:
    found = _review(new)
    assert all(p.severity is Severity.WARNING for p in found)
    return "\n".join(str(p) for p in found)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """wushui/2024 and wushui/2025 (filled in), made once; tests edit copies."""
    office = tmp_path_factory.mktemp("review") / "wushui"
    shutil.copytree(WUSHUI, office / "2024")
    next_year_filled_in(office / "2024")
    return office


@pytest.fixture
def next_year(two_years: Path, tmp_path: Path) -> Path:
    office = shutil.copytree(two_years, tmp_path / "wushui")
    return office / "2025"


def test_an_unchanged_new_year_raises_no_doubts(next_year: Path) -> None:
    assert _review(next_year) == []


def _doubts(dataset: Path) -> list[Problem]:
    """The data set's own warnings (build's and check's), but the □ of the seed."""
    found = doubts(validate(load_sources(dataset)))
    return [p for p in found if "□" not in p.message]


def test_a_pending_mark_left_after_filling_in_is_questioned(dataset_copy: Path) -> None:
    new = new_year(dataset_copy).target
    edit(new / "document.yaml", "serial: null}", "serial: 5}")
    edit(new / "document.yaml", "date: null ", "date: 2024-11-20 ")
    found = _doubts(new)
    assert [(p.file, p.line) for p in found] == [
        (new / "document.yaml", _line_of(new / "document.yaml", "# 待填写：发文字号序号")),
        (new / "document.yaml", _line_of(new / "document.yaml", "# 待填写：成文日期")),
    ]
    assert all("请核对或填写这里的值，再删去这条注释" in p.message for p in found)


def test_a_tier_moved_by_a_quarter_is_questioned(next_year: Path) -> None:
    edit(next_year / "policy.yaml", "amount: 380}", "amount: 475}")
    (problem,) = _review(next_year)
    assert problem.file == next_year / "policy.yaml"
    assert problem.line == _line_of(next_year / "policy.yaml", "amount: 475")
    assert "缴费档次“一档”由上年的 380 元变为 475 元（+25.0%），变化超过 20%" in problem.message


def test_a_tier_moved_by_five_percent_is_not(next_year: Path) -> None:
    edit(next_year / "policy.yaml", "amount: 380}", "amount: 399}")
    assert _review(next_year) == []


def test_a_village_whose_population_moved_by_15_percent_is_questioned(next_year: Path) -> None:
    quota = next_year / "tables" / "quota.yaml"
    edit(quota, "{村委: 陶家, 户籍人口数: 688,", "{村委: 陶家, 户籍人口数: 791,")
    (problem,) = _review(next_year)
    assert problem.file == quota and problem.field == "第 2 行（陶家），列“户籍人口数”"
    assert "村委“陶家”的“户籍人口数”由上年的 688 变为 791（+15.0%）" in problem.message


def test_a_village_matched_by_name_not_by_position(next_year: Path) -> None:
    quota = next_year / "tables" / "quota.yaml"
    # 陶家 moves to the end with a 5% change: no doubt, although row 2 now holds 李家.
    edit(quota, "  - {村委: 陶家, 户籍人口数: 688, 基数任务: 650}\n", "")
    edit(quota, "printed:", "  - {村委: 陶家, 户籍人口数: 722, 基数任务: 650}\nprinted:")
    assert _review(next_year) == []


def test_a_village_whose_population_moved_by_5_percent_is_not(next_year: Path) -> None:
    quota = next_year / "tables" / "quota.yaml"
    edit(quota, "{村委: 陶家, 户籍人口数: 688,", "{村委: 陶家, 户籍人口数: 722,")
    assert _review(next_year) == []


def test_dates_far_from_the_policy_year_are_questioned(next_year: Path) -> None:
    edit(next_year / "policy.yaml", "end: 2025-12-31}   ", "end: 2027-12-31}   ")
    edit(next_year / "document.yaml", "date: 2024-11-20", "date: 2025-11-20")
    text = "\n".join(str(p) for p in _doubts(next_year))
    assert "日期 2027-12-31 不在 2024–2026 年（参保年度前后一年）内" in text
    assert "日期 2025-11-20 不在 2024–2025 年（参保年度或其前一年）内" not in text
    edit(next_year / "document.yaml", "date: 2025-11-20", "date: 2026-01-05")
    text = "\n".join(str(p) for p in _doubts(next_year))
    assert "日期 2026-01-05 不在 2024–2025 年（参保年度或其前一年）内" in text


def test_build_warns_as_check_does(
    next_year: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One source of warnings: every warning build gives, check gives word for
    word (check adds only the comparisons with last year)."""
    edit(next_year / "policy.yaml", "end: 2025-12-31}   ", "end: 2027-12-31}   ")
    assert main(["check", str(next_year)]) == 0
    checked = capsys.readouterr().err.splitlines()
    assert main(["build", str(next_year), "--out", str(tmp_path / "out")]) == 0
    built = capsys.readouterr().err.splitlines()
    line = _line_of(next_year / "policy.yaml", "end: 2027-12-31")
    date = [w for w in built if "日期 2027-12-31 不在 2024–2026 年" in w]
    assert len(date) == 1 and f"policy.yaml:{line}:" in date[0]
    assert built and built == checked
    assert main(["build", str(next_year), "--out", str(tmp_path / "o2"), "--strict"]) == 1
    assert any("错误" in w and "日期 2027-12-31" in w for w in capsys.readouterr().err.splitlines())


def test_check_shows_doubts_and_printed_total_mismatches(
    next_year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(next_year / "policy.yaml", "amount: 380}", "amount: 475}")
    assert main(["check", str(next_year)]) == 0
    captured = capsys.readouterr()
    assert "已与上一年度数据集" in captured.out
    line = _line_of(next_year / "policy.yaml", "amount: 475")
    assert f"policy.yaml:{line}:" in captured.err and "变化超过 20%" in captured.err
    # 户籍人口数 printed 44832, computed 44701: the hand-typed total is reported.
    assert "印刷值 44832，计算值 44701" in captured.err
    assert main(["check", "--strict", str(next_year)]) == 1


def test_check_says_when_last_year_cannot_be_compared(
    next_year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(next_year.parent / "2024" / "policy.yaml", "year: 2024", "year: 二〇二四")
    assert main(["check", str(next_year)]) == 0
    assert "上一年度数据集有 1 处错误，未与之比较" in capsys.readouterr().err
