"""Document shapes chosen by data (document.yaml `shape`): a notice issuing a
plan (the three seeds), a plan published on its own (data/yunxi/2025), a notice
with its own body and attachments; the letterhead optional in each. And the
notice's set phrases and the 附件说明's form as data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.build.pipeline import BuildResult, build, prepare
from generator.model import AttachmentList, Letterhead, Paragraph, PartKind, Signature, Title
from generator.problems import DataError
from tests.conftest import (
    REPO,
    Char,
    W,
    docx_paragraphs,
    docx_xml,
    pdf_pages_text,
    read_pdf,
    squeeze,
)
from tests.test_pdf_layout import LINE_PITCH, PAGE_HEIGHT, TOP

YUNXI = REPO / "data" / "yunxi" / "2025"
PLAN_TITLE = "云溪市2025年度城乡居民基本医疗保险参保缴费工作方案"


@pytest.fixture(scope="module")
def yunxi(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(YUNXI, tmp_path_factory.mktemp("yunxi"))


def _files(result: BuildResult) -> tuple[Path, Path]:
    by_format = {f.format: result.out_dir / f.path for f in result.files}
    return by_format["docx"], by_format["pdf"]


def _styles(docx: Path) -> list[str]:
    """The paragraph style of each body paragraph, in order."""
    body = docx_xml(docx, "word/document.xml").find(f"{W}body")
    assert body is not None
    found = []
    for paragraph in body.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        found.append(style.get(f"{W}val", "") if style is not None else "")
    return found


def _pdf_lines(pdf: Path) -> list[list[Char]]:
    """Every line of glyphs in the PDF, page by page, top to bottom."""
    lines = []
    for page in read_pdf(pdf):
        rows: dict[float, list[Char]] = {}
        for char in page.chars:
            rows.setdefault(round(char.baseline, 1), []).append(char)
        lines += [sorted(rows[key], key=lambda c: c.x0) for key in sorted(rows, reverse=True)]
    return lines


def _from_block_left(pdf: Path, index: int, lines: list[list[Char]]) -> float:
    """How far the line at index (of _pdf_lines) starts from the left edge of
    its page's text block: 28 mm on odd pages, 26 mm on even ones."""
    seen = 0
    for page in read_pdf(pdf):
        count = len({round(char.baseline, 1) for char in page.chars})
        if index < seen + count:
            left = (28 if page.number % 2 else 26) * 72 / 25.4
            return lines[index][0].x0 - left
        seen += count
    raise AssertionError(f"no line {index}")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.parent.name / source.name
    shutil.copytree(source, target)
    return target


# --- a plan published on its own: data/yunxi/2025 ---------------------------


def test_a_plan_alone_builds_without_warnings_even_strictly(yunxi: BuildResult) -> None:
    assert yunxi.warnings == ()
    prepare(YUNXI, strict=True)  # the README's --strict example: nothing to refuse


def test_a_plan_alone_starts_with_its_title_and_has_no_letterhead_nor_number(
    yunxi: BuildResult,
) -> None:
    docx, pdf = _files(yunxi)
    paragraphs = docx_paragraphs(docx)
    assert squeeze(paragraphs[0]) == PLAN_TITLE
    assert "gw-mark" not in _styles(docx)  # no 发文机关标志
    # no 文号 line, no notice (addressee, 现将…印发): the body follows the title
    assert not any(re.fullmatch(r".+〔\d{4}〕\d+号", squeeze(p)) for p in paragraphs)
    assert paragraphs[1].startswith("为做好我市2025年度城乡居民基本医疗保险")
    assert "印发给你们" not in "".join(paragraphs)
    first = read_pdf(pdf)[0]
    assert first.rects == []  # no red rule under a letterhead
    top = max(first.chars, key=lambda c: c.y1)
    assert top.size == pytest.approx(22, abs=0.1)  # the title's 22 pt face
    title = "".join(c.text for c in sorted(first.chars, key=lambda c: (-c.baseline, c.x0)))
    assert title.startswith(PLAN_TITLE)
    # on the first line of the text block, 37 mm down: nothing above it
    assert PAGE_HEIGHT - TOP - LINE_PITCH <= top.y1 <= PAGE_HEIGHT - TOP + 1


def test_a_plan_alone_is_signed_and_dated_after_its_attachment_list(yunxi: BuildResult) -> None:
    _, document, _ = prepare(YUNXI)
    kinds = [p.kind for p in document.parts]
    assert kinds == [PartKind.PLAN, PartKind.ATTACHMENT, PartKind.ATTACHMENT]
    plan = document.parts[0].blocks
    assert isinstance(plan[0], Title)
    assert isinstance(plan[-2], AttachmentList) and isinstance(plan[-1], Signature)
    assert plan[-1] == Signature("云溪市医疗保障局", "2024年9月10日")
    assert document.info.date == "2024-09-10" and document.info.title == PLAN_TITLE
    pages = pdf_pages_text(_files(yunxi)[1])
    plan_end = pages[1]
    assert plan_end.endswith("云溪市医疗保障局2024年9月10日")
    assert pages[2].startswith("附件1" + "云溪市2025年度城乡居民基本医疗保险参保任务分解表")


def test_the_attachment_list_form_is_data(yunxi: BuildResult) -> None:
    """附件1：…, 附件2：… (attachment_list: 附件1：), each item its own label."""
    docx, _ = _files(yunxi)
    paragraphs = [squeeze(p) for p in docx_paragraphs(docx)]
    assert "附件1：云溪市2025年度城乡居民基本医疗保险参保任务分解表" in paragraphs
    assert "附件2：云溪市城乡居民医保参保缴费工作专班成员名单" in paragraphs
    assert not any(p.startswith("附件：") for p in paragraphs)
    # In the PDF, two characters in, and the wrapped line under the name, not the label.
    lines = _pdf_lines(_files(yunxi)[1])
    texts = ["".join(c.text for c in line) for line in lines]
    first = texts.index("附件1：云溪市2025年度城乡居民基本医疗保险参保任务分")
    assert texts[first + 1] == "解表" and texts[first + 2].startswith("附件2：")
    label, wrapped = lines[first], lines[first + 1]
    assert label[0].x0 == pytest.approx(lines[first + 2][0].x0, abs=0.1)
    assert wrapped[0].x0 == pytest.approx(label[4].x0, abs=0.5)  # under 云, after 附件1：


def test_the_task_table_is_computed(yunxi: BuildResult) -> None:
    from generator.compute import compute
    from generator.dataset.load import load_sources
    from generator.dataset.validate import validate

    table = compute(validate(load_sources(YUNXI))).tables["tasks"]
    # 412530 × 0.96 = 396028.8 → 396029
    assert table.rows[0]["参保任务数"] == 396029
    assert table.total == {"户籍人口数": 1831973, "参保任务数": 1758694}


def _title_to_body(pdf: Path) -> float:
    """From the title's last line down to the body's first, in points."""
    lines = _pdf_lines(pdf)
    body = next(i for i, line in enumerate(lines) if line[0].size == pytest.approx(16, abs=0.1))
    return lines[body - 1][0].baseline - lines[body][0].baseline


def test_a_plan_alone_may_have_a_letterhead(tmp_path: Path, yunxi: BuildResult) -> None:
    dataset = _copy(YUNXI, tmp_path)
    _edit(
        dataset / "document.yaml",
        "  short_name: 云溪市",
        "  short_name: 云溪市\n  mark: 云溪市医疗保障局文件",
    )
    _, document, warnings = prepare(dataset)
    assert warnings == []
    assert document.parts[0].blocks[0] == Letterhead("云溪市医疗保障局文件", None)
    docx, pdf = _files(build(dataset, tmp_path / "out"))
    assert _styles(docx)[0] == "gw-mark"
    assert read_pdf(pdf)[0].rects  # the red rule
    # a blank line between title and body, as without the letterhead
    assert _title_to_body(pdf) == pytest.approx(_title_to_body(_files(yunxi)[1]), abs=0.5)
    assert _title_to_body(pdf) > 1.5 * LINE_PITCH


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("  date: 2024-09-10 ", "  ", "plan.date", "需要填写 plan.date（成文日期）"),
        (
            "shape: plan ",
            "notice: {date: 2024-09-10, addressees: 各县（市、区）医疗保障局}\nshape: plan ",
            "notice",
            "不应有 notice；成文日期写在 plan.date 下",
        ),
        ("shape: plan ", "shape: notice_with_plan ", "notice", "需要填写 notice（通知）"),
        ("shape: plan ", "shape: notice ", "plan", "不应有 plan；附件写在 notice.attachments 下"),
    ],
)
def test_a_shape_is_validated_in_chinese(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    dataset = _copy(YUNXI, tmp_path)
    _edit(dataset / "document.yaml", old, new)
    with pytest.raises(DataError) as error:
        prepare(dataset)
    found = [p for p in error.value.problems if p.field == field]
    assert found and message in found[0].message, [str(p) for p in error.value.problems]
    assert found[0].file == dataset / "document.yaml"


# --- a notice with its own body and attachments -------------------------------

OWN_NOTICE = """\
shape: notice
issuer:
  name: 临武县武水镇人民政府
  mark: 临武县武水镇人民政府文件
  short_name: 武水镇
notice:
  number: {prefix: 武政发, year: 2023, serial: 81}
  date: 2023-11-28
  addressees: 各村（社区）
  subject: 做好{{ year }}年度居民医保参保缴费工作
  template: notice.md.j2
  attachments:
    - title: "{{ issuer.short_name }}{{ year }}年度居民医保缴费各村人口参考基数表"
      table: quota
    - title: "{{ issuer.short_name }}{{ year }}年度居民医保筹资任务人员安排表"
      table: assignments
attachment_list: 附件：1．
"""


@pytest.fixture
def own_notice(dataset_copy: Path) -> Path:
    (dataset_copy / "document.yaml").write_text(OWN_NOTICE, "utf-8")
    (dataset_copy / "notice.md.j2").write_text(
        "{{ year }}年度居民医保个人缴费标准为{{ policy.tiers[0].amount | num }}元/人，"
        "请各村按附件所列任务抓好落实。\n",
        "utf-8",
    )
    return dataset_copy


def test_a_notice_of_its_own_has_body_attachment_list_and_signature(own_notice: Path) -> None:
    _, document, _ = prepare(own_notice)
    assert [p.kind for p in document.parts] == [
        PartKind.NOTICE,
        PartKind.ATTACHMENT,
        PartKind.ATTACHMENT,
    ]
    notice = document.parts[0].blocks
    assert notice[0] == Letterhead("临武县武水镇人民政府文件", "武政发〔2023〕81号")
    assert isinstance(notice[1], Title)
    assert notice[1].text == "临武县武水镇人民政府关于做好2024年度居民医保参保缴费工作的通知"
    assert isinstance(notice[-2], AttachmentList) and isinstance(notice[-1], Signature)
    # attachment_list: 附件：1．, the full-width point
    assert notice[-2].items == (
        "1．武水镇2024年度居民医保缴费各村人口参考基数表",
        "2．武水镇2024年度居民医保筹资任务人员安排表",
    )
    docx, pdf = _files(build(own_notice, own_notice.parent / "out"))
    lines = _pdf_lines(pdf)
    texts = ["".join(c.text for c in line) for line in lines]
    first = texts.index("附件：1．武水镇2024年度居民医保缴费各村人口参考基数")
    assert texts[first + 1] == "表"  # wrapped: under the name, after 1．
    assert lines[first + 1][0].x0 == pytest.approx(lines[first][5].x0, abs=0.5)
    # 2． under 1．, measured from the text block's left edge: the list may
    # run onto the next page, whose binding edge is mirrored (28 / 26 mm).
    second = next(i for i, text in enumerate(texts) if text.startswith("2．"))
    assert _from_block_left(pdf, second, lines) == pytest.approx(
        _from_block_left(pdf, first, lines) + lines[first][3].x0 - lines[first][0].x0, abs=0.5
    )
    paragraphs = [squeeze(p) for p in docx_paragraphs(docx)]
    assert "附件：1．武水镇2024年度居民医保缴费各村人口参考基数表" in paragraphs
    assert "2．武水镇2024年度居民医保筹资任务人员安排表" in paragraphs
    assert "2024年度居民医保个人缴费标准为380元/人，请各村按附件所列任务抓好落实。" in paragraphs
    assert "现将" not in "".join(paragraphs)  # not the shared notice issuing a plan


def test_a_notice_of_its_own_may_go_without_letterhead(own_notice: Path) -> None:
    _edit(own_notice / "document.yaml", "  mark: 临武县武水镇人民政府文件\n", "")
    _edit(own_notice / "document.yaml", "  number: {prefix: 武政发, year: 2023, serial: 81}\n", "")
    _, document, _ = prepare(own_notice)
    assert isinstance(document.parts[0].blocks[0], Title)


def test_a_notice_of_its_own_needs_its_template_and_subject(own_notice: Path) -> None:
    _edit(own_notice / "document.yaml", "  template: notice.md.j2\n", "")
    _edit(own_notice / "document.yaml", "  subject: 做好{{ year }}年度居民医保参保缴费工作\n", "")
    with pytest.raises(DataError) as error:
        prepare(own_notice)
    fields = {p.field: p.message for p in error.value.problems}
    assert "需要填写 notice.template" in fields["notice.template"]
    assert "需要填写 notice.subject" in fields["notice.subject"]


# --- the notice issuing a plan --------------------------------------------------


def test_a_blank_notice_template_is_an_error_not_an_empty_page(dataset_copy: Path) -> None:
    (dataset_copy / "notice").mkdir()
    blank = dataset_copy / "notice" / "issue-plan.md.j2"
    blank.write_text("{# 本单位的通知正文（还没写） #}\n\n", "utf-8")
    with pytest.raises(DataError) as error:
        prepare(dataset_copy)
    (problem,) = error.value.problems
    assert problem.file == blank
    assert "生成的正文为空" in problem.message


def test_the_notice_wording_is_data(dataset_copy: Path) -> None:
    """An office writing 印发你们 changes one phrase, not the shared template."""
    _edit(
        dataset_copy / "document.yaml",
        "  request: 请结合实际抓好贯彻落实\n",
        "  request: 请结合实际抓好贯彻落实\n  wording: {issued_to: 印发你们, title_verb: 转发}\n",
    )
    _, document, _ = prepare(dataset_copy)
    text = "".join(b.text for b in document.parts[0].blocks if isinstance(b, Title | Paragraph))
    assert "现将《武水镇2024年居民基本医疗保险参保缴费实施方案》印发你们，请结合实际" in text
    assert "印发给你们" not in text
    assert "关于转发《" in text


def test_new_year_clears_a_plan_alones_date(tmp_path: Path) -> None:
    from generator.yearly.newyear import new_year

    target = new_year(_copy(YUNXI, tmp_path)).target
    with pytest.raises(DataError) as error:
        prepare(target)
    (problem,) = error.value.problems
    assert (problem.field, problem.message) == ("plan.date", "成文日期待填写")
    _edit(target / "document.yaml", "  date: null ", "  date: 2025-09-12 ")
    _, document, warnings = prepare(target)
    assert document.info.date == "2025-09-12"
    assert [w.message for w in warnings] == ["仍标着“待填写”：请核对或填写这里的值，再删去这条注释"]


def test_placeholders_in_templates_are_warned_with_their_line(tmp_path: Path) -> None:
    from generator.dataset.doubts import placeholders
    from generator.dataset.load import load_sources
    from generator.dataset.validate import validate

    dataset = _copy(YUNXI, tmp_path)
    _edit(dataset / "plan.md.j2", "统筹推进全市", "由待填写统筹推进全□")
    (dataset / "unused.md.j2").write_bytes("\u25a1".encode() + b"\xff\n")  # not UTF-8
    (dataset / "folder.j2").mkdir()
    found = placeholders(validate(load_sources(dataset)))
    line = next(
        n
        for n, text in enumerate((dataset / "plan.md.j2").read_text("utf-8").splitlines(), 1)
        if "待填写" in text
    )
    assert [(p.file, p.line) for p in found] == [
        (dataset / "plan.md.j2", line),
        (dataset / "unused.md.j2", 1),
    ]
    assert "占位文字“待填写”" in found[0].message and "□" in found[1].message
