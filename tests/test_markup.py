"""Heading numbers are generated: inserting a section renumbers the rest."""

from __future__ import annotations

import pytest

from generator.compose.markup import MarkupError, parse
from generator.compose.titles import break_title
from generator.model import Heading, Paragraph

TEXT = """\
# 目标任务
全面贯彻。

# 政策
## 参保对象。
城乡居民。
## 缴费标准。
380元。
### 细则
##
无标题的段落。
"""


def _numbers(text: str) -> list[str]:
    return [b.number for b in parse(text) if isinstance(b, Heading)]


def test_levels_are_numbered_and_nested_counters_reset() -> None:
    assert _numbers(TEXT) == ["一、", "二、", "（一）", "（二）", "1.", "（三）"]


def test_inserting_a_section_renumbers_everything_after_it() -> None:
    inserted = TEXT.replace("# 政策", "# 新增\n新的一节。\n\n# 政策")
    assert _numbers(inserted) == ["一、", "二、", "三、", "（一）", "（二）", "1.", "（三）"]


def test_run_in_headings_and_numbered_paragraphs() -> None:
    blocks = parse(TEXT)
    assert blocks[1] == Paragraph("全面贯彻。")
    assert Heading(2, "（一）", "参保对象。", "城乡居民。") in blocks
    assert blocks[-1] == Heading(2, "（三）", "", "无标题的段落。")


def test_heading_words_end_at_their_first_full_stop() -> None:
    """（一）参保对象。城乡居民…: 参保对象。 is the heading, the rest its text,
    whether on the heading's line or the next."""
    assert parse("## 参保对象。城乡居民。本地户籍。\n在校学生。") == [
        Heading(2, "（一）", "参保对象。", "城乡居民。本地户籍。在校学生。")
    ]
    assert parse("### 细则。") == [Heading(3, "1.", "细则。")]
    assert parse("# 目标。任务") == [Heading(1, "一、", "目标。任务")]


def test_lines_of_a_block_join_without_spaces_except_between_latin_words() -> None:
    assert parse("甲乙\n丙丁") == [Paragraph("甲乙丙丁")]
    assert parse("通过 POS\nmachine 缴费") == [Paragraph("通过 POS machine 缴费")]


def test_a_heading_without_text_is_an_error_with_its_line() -> None:
    with pytest.raises(MarkupError) as error:
        parse("段落。\n\n#\n")
    assert error.value.line == 3


def test_long_titles_break_between_words_never_inside_one() -> None:
    lines = break_title(
        "临武县武水镇人民政府关于印发《武水镇2024年居民基本医疗保险参保缴费实施方案》的通知", 20
    )
    assert all(len(line) <= 20 for line in lines)
    assert "".join(lines).count("医疗保险") == 1
    assert not any(line.endswith("医疗") or line.startswith("保险") for line in lines)
    assert lines[0] == "临武县武水镇人民政府"
