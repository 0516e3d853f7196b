"""The DOCX writer: a small hand-built document, checked in its XML."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from generator.model import (
    Addressee,
    Align,
    AttachmentHeading,
    AttachmentList,
    Cell,
    Document,
    DocumentInfo,
    Heading,
    Imprint,
    Letterhead,
    Note,
    Paragraph,
    Part,
    PartKind,
    Signature,
    Table,
    Title,
)
from generator.style.profile import StyleProfile, load_style
from generator.writers.docx import write_docx

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "docx" / "gongwen.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
SPECIAL = "A&B <C> \"D\" 'E'"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def sample() -> Document:
    header = (
        (Cell("序号", rowspan=2), Cell("单位", rowspan=2), Cell("人数", colspan=2)),
        (Cell("男"), Cell("女")),
    )
    body = (
        (Cell("1"), Cell("办公室", align=Align.LEFT), Cell("3"), Cell("2")),
        (Cell("2"), Cell("财务处", align=Align.LEFT), Cell("1"), Cell("4")),
    )
    notice = Part(
        PartKind.NOTICE,
        (
            Letterhead("某某市人民政府办公室文件", "某政办发〔2023〕80号"),
            Title(("某某市人民政府办公室", "关于印发某某方案的通知")),
            Addressee("各区人民政府，市政府各部门："),
            Heading(1, "一、", "目标任务"),
            Heading(2, "（一）", "加强组织领导。", body="各单位要高度重视。"),
            Paragraph(f"特殊字符：{SPECIAL}"),
            AttachmentList(("1.某某方案", "2.某某名单")),
            Signature("某某市人民政府办公室", "2023年11月24日"),
            Note("（此件公开发布）"),
        ),
    )
    attachment = Part(
        PartKind.ATTACHMENT,
        (
            AttachmentHeading("附件1", Title(("某某名单",))),
            Table(header, body, (1, 3, 2, 2), unit="单位：人", footnotes=("注：数据截至年底。",)),
            Imprint("某某市人民政府办公室", "2023年11月24日印发", copy_to="市委各部门。"),
        ),
    )
    info = DocumentInfo("关于印发某某方案的通知", "某某市人民政府办公室", "2023-11-24")
    return Document(info, (notice, attachment))


@pytest.fixture(scope="module")
def style() -> StyleProfile:
    return load_style(ROOT / "templates" / "style.yaml")


@pytest.fixture(scope="module")
def written(style: StyleProfile, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docx") / "out.docx"
    write_docx(sample(), style, TEMPLATE, out)
    return out


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def paragraphs(path: Path) -> list[etree._Element]:
    found: list[etree._Element] = part(path, "word/document.xml").findall(".//w:body/w:p", NS)
    return found


def text(element: etree._Element) -> str:
    return "".join(element.itertext())


def find_paragraph(path: Path, wanted: str) -> etree._Element:
    """The first paragraph whose text is wanted, or starts with it when wanted ends with …"""
    prefix = wanted.removesuffix("…")
    matches = [
        p
        for p in paragraphs(path)
        if (text(p).startswith(prefix) if prefix != wanted else text(p) == wanted)
    ]
    assert matches, f"no paragraph {wanted!r}"
    return matches[0]


def style_of(paragraph: etree._Element) -> str | None:
    style = paragraph.find("w:pPr/w:pStyle", NS)
    return None if style is None else style.get(w("val"))


def test_page_setup(written: Path) -> None:
    sect = part(written, "word/document.xml").find(".//w:body/w:sectPr", NS)
    size, margins = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")  # A4
    assert {side: margins.get(w(side)) for side in ("top", "bottom", "left", "right")} == {
        "top": "2098",  # 37 mm
        "bottom": "1984",  # 35 mm
        "left": "1587",  # 28 mm
        "right": "1474",  # 26 mm
    }
    grid = sect.find("w:docGrid", NS)
    # A line grid only: the body style's character spacing gives the pitch.
    assert grid.get(w("type")) == "lines"
    assert grid.get(w("linePitch")) == "579"
    assert grid.get(w("charSpace")) is None
    # The page number's line starts about 7 mm below the text block.
    footer_top_mm = (int(margins.get(w("footer"))) + 280) / 1440 * 25.4
    assert 35 - footer_top_mm == pytest.approx(7, abs=0.5)


def test_settings(written: Path) -> None:
    settings = part(written, "word/settings.xml")
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    assert settings.find("w:mirrorMargins", NS) is not None


def test_footers_have_page_fields(written: Path) -> None:
    sect = part(written, "word/document.xml").find(".//w:body/w:sectPr", NS)
    references = {ref.get(w("type")) for ref in sect.findall("w:footerReference", NS)}
    assert references == {"default", "even"}
    with zipfile.ZipFile(written) as package:
        names = [n for n in package.namelist() if n.startswith("word/footer")]
    alignments = set()
    for name in names:
        footer = part(written, name)
        runs = footer.findall(".//w:r", NS)
        kinds = [r.find("w:fldChar", NS) for r in runs]
        types = [k.get(w("fldCharType")) for k in kinds if k is not None]
        assert types == ["begin", "separate", "end"]
        assert [
            r.findtext("w:instrText", namespaces=NS)
            for r in runs
            if r.find("w:instrText", NS) is not None
        ] == [" PAGE "]
        assert text(footer) == "\u2014  PAGE 1 \u2014"
        alignments.add(footer.find(".//w:pPr/w:jc", NS).get(w("val")))
    assert alignments == {"left", "right"}


def test_role_styles(written: Path, style: StyleProfile) -> None:
    styles = part(written, "word/styles.xml")

    def rpr(style_id: str) -> etree._Element:
        element = styles.find(f"w:style[@w:styleId='{style_id}']/w:rPr", NS)
        assert element is not None, style_id
        return element

    for role, role_style in style.roles.items():
        style_id = "gw-" + role.replace("_", "-")
        fonts = rpr(style_id).find("w:rFonts", NS)
        assert fonts.get(w("eastAsia")) == style.face(role).docx
        assert rpr(style_id).find("w:sz", NS).get(w("val")) == str(round(role_style.size_pt * 2))
        assert rpr(style_id).find("w:b", NS).get(w("val")) == "0"
    assert rpr("gw-mark").find("w:color", NS).get(w("val")) == "E60012"
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:rFonts", NS).get(w("eastAsia")) == "仿宋_GB2312"
    assert defaults.find("w:lang", NS).get(w("eastAsia")) == "zh-CN"
    body = styles.find("w:style[@w:styleId='gw-body']/w:pPr", NS)
    assert body.find("w:jc", NS).get(w("val")) == "both"
    assert body.find("w:ind", NS).get(w("firstLineChars")) == "200"
    assert body.find("w:spacing", NS).get(w("line")) == "579"
    # No space between Chinese and digits or Latin letters: the PDF has none.
    # Nor punctuation hanging past the edge: the PDF has none.
    for autospace in ("w:autoSpaceDE", "w:autoSpaceDN", "w:overflowPunct"):
        assert body.find(autospace, NS).get(w("val")) == "0"
    # The body style carries the character pitch: -0.25 pt, 28 a line.
    tracking = int(rpr("gw-body").find("w:spacing", NS).get(w("val"))) / 20
    assert int(8845 / 20 / (16 + tracking)) == 28


def test_letterhead(written: Path) -> None:
    body = paragraphs(written)
    assert "{%" not in text(part(written, "word/document.xml"))
    mark, number, rule = body[0], body[1], body[2]
    assert (text(mark), style_of(mark)) == ("某某市人民政府办公室文件", "gw-mark")
    assert (text(number), style_of(number)) == ("某政办发〔2023〕80号", "gw-number")
    border = rule.find("w:pPr/w:pBdr/w:bottom", NS)
    assert border.get(w("color")) == "E60012"


def test_letterhead_escapes_and_is_optional(style: StyleProfile, tmp_path: Path) -> None:
    document = sample()
    notice = document.parts[0]
    blocks = (Letterhead("A&B<C>"), *notice.blocks[1:])
    escaped = Document(document.info, (Part(notice.kind, blocks), *document.parts[1:]))
    write_docx(escaped, style, TEMPLATE, tmp_path / "escaped.docx")
    first = paragraphs(tmp_path / "escaped.docx")[0]
    assert text(first) == "A&B<C>"
    rule = paragraphs(tmp_path / "escaped.docx")[1]  # no number: the red rule follows
    assert style_of(rule) is None
    assert rule.find("w:pPr/w:pBdr/w:bottom", NS).get(w("color")) == "E60012"

    plain = Document(document.info, (Part(notice.kind, notice.blocks[1:]), *document.parts[1:]))
    write_docx(plain, style, TEMPLATE, tmp_path / "plain.docx")
    assert style_of(paragraphs(tmp_path / "plain.docx")[0]) == "gw-title"


def test_title_and_addressee(written: Path) -> None:
    title = find_paragraph(written, "某某市人民政府办公室关于…")
    assert style_of(title) == "gw-title"
    assert len(title.findall(".//w:br", NS)) == 1  # two lines, one paragraph
    assert title.find("w:pPr/w:spacing", NS).get(w("before")) == str(2 * 579)
    addressee = find_paragraph(written, "各区人民政府，市政府各部门：")
    assert addressee.find("w:pPr/w:ind", NS).get(w("firstLineChars")) == "0"


def test_headings(written: Path) -> None:
    heading1 = find_paragraph(written, "一、目标任务")
    assert style_of(heading1) == "gw-heading1"
    run_in = find_paragraph(written, "（一）加强组织领导。…")
    assert style_of(run_in) == "gw-body"
    runs = run_in.findall("w:r", NS)
    assert [text(r) for r in runs] == ["（一）加强组织领导。", "各单位要高度重视。"]
    assert runs[0].find("w:rPr/w:rStyle", NS).get(w("val")) == "gw-heading2-char"
    assert runs[1].find("w:rPr", NS) is None


def test_special_characters_are_literal(written: Path) -> None:
    assert text(find_paragraph(written, "特殊字符…")) == f"特殊字符：{SPECIAL}"


def test_attachment_list_aligns(written: Path) -> None:
    first = find_paragraph(written, "附件：1.某某方案")
    second = find_paragraph(written, "2.某某名单")
    first_ind, second_ind = first.find("w:pPr/w:ind", NS), second.find("w:pPr/w:ind", NS)
    # 附件： starts two characters in; 2. starts under 1.; a wrapped name
    # lines up under its first character, one character ("1.") further in.
    assert int(first_ind.get(w("leftChars"))) - int(first_ind.get(w("hangingChars"))) == 200
    assert second_ind.get(w("leftChars")) == first_ind.get(w("leftChars")) == "600"
    assert second_ind.get(w("hangingChars")) == "100"
    # The number is typed tight against the name: no space, no tab.
    assert text(first) == "附件：1.某某方案" and first.find(".//w:tab", NS) is None


def test_signature_and_note(written: Path) -> None:
    issuer = find_paragraph(written, "某某市人民政府办公室")
    date = find_paragraph(written, "2023年11月24日")
    for paragraph in (issuer, date):
        assert paragraph.find("w:pPr/w:jc", NS).get(w("val")) == "right"
    assert date.find("w:pPr/w:ind", NS).get(w("rightChars")) == "400"
    # The issuer (10 characters) is centred over the date (8 half-width digits and
    # 3 characters: 7 wide, its centre 4 + 3.5 from the right): 7.5 - 5 = 2.5.
    assert issuer.find("w:pPr/w:ind", NS).get(w("rightChars")) == "250"
    texts = [text(p) for p in paragraphs(written)]
    assert texts.index("（此件公开发布）") == texts.index("2023年11月24日") + 1


def test_attachment_part_starts_a_new_page(written: Path) -> None:
    label = find_paragraph(written, "附件1")
    assert label.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert style_of(label) == "gw-attachment-label"
    breaks = part(written, "word/document.xml").findall(".//w:pageBreakBefore", NS)
    assert len(breaks) == 1
    title = find_paragraph(written, "某某名单")
    assert style_of(title) == "gw-title"


def test_table(written: Path) -> None:
    table = part(written, "word/document.xml").find(".//w:tbl", NS)
    rows = table.findall("w:tr", NS)
    assert len(rows) == 4
    assert [r.find("w:trPr/w:tblHeader", NS) is not None for r in rows] == [
        True,
        True,
        False,
        False,
    ]
    assert all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows)
    widths = [int(c.get(w("w"))) for c in table.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(widths) == 8845  # the text block's width
    assert widths[1] == pytest.approx(3 * widths[0], abs=3)  # widths 1 : 3 : 2 : 2
    first_row = rows[0].findall("w:tc", NS)
    assert [text(c) for c in first_row] == ["序号", "单位", "人数"]
    assert first_row[2].find("w:tcPr/w:gridSpan", NS).get(w("val")) == "2"
    assert first_row[0].find("w:tcPr/w:vMerge", NS).get(w("val")) == "restart"
    covered = rows[1].findall("w:tc", NS)[0]
    assert covered.find("w:tcPr/w:vMerge", NS).get(w("val"), "continue") == "continue"
    assert [text(c) for c in rows[1].findall("w:tc", NS)] == ["", "", "男", "女"]
    # Cells take their look from a style per role and alignment, with no
    # formatting of their own.
    header_p = first_row[0].find("w:p", NS)
    assert style_of(header_p) == "gw-table-header-center"
    body_cell = rows[2].findall("w:tc", NS)[1]
    assert style_of(body_cell.find("w:p", NS)) == "gw-table-left"
    for cell in table.iter(w("tc")):
        if text(cell):  # not a cell a merge covers
            p_pr = cell.find("w:p/w:pPr", NS)
            assert [child.tag for child in p_pr] == [w("pStyle")], text(cell)
    styles = part(written, "word/styles.xml")
    left = styles.find("w:style[@w:styleId='gw-table-left']", NS)
    assert left.find("w:name", NS).get(w("val")) == "表格文字（居左）"
    assert left.find("w:basedOn", NS).get(w("val")) == "gw-table"
    assert left.find("w:pPr/w:jc", NS).get(w("val")) == "left"
    # 1.5 lines of 12 pt, as the PDF's table rows.
    spacing = styles.find("w:style[@w:styleId='gw-table']/w:pPr/w:spacing", NS)
    assert (spacing.get(w("line")), spacing.get(w("lineRule"))) == ("360", "exact")
    assert body_cell.find("w:tcPr/w:vAlign", NS).get(w("val")) == "center"
    borders = table.find("w:tblPr/w:tblBorders", NS)
    assert {b.get(w("sz")) for b in borders} == {"4"}
    unit = table.getprevious()
    assert (text(unit), unit.find("w:pPr/w:jc", NS).get(w("val"))) == ("单位：人", "right")
    assert text(table.getnext()) == "注：数据截至年底。"


def test_imprint(written: Path) -> None:
    imprint = part(written, "word/document.xml").findall(".//w:tbl", NS)[-1]
    assert imprint.getnext().tag == w("sectPr")  # the end of the document
    rows = [[text(c) for c in row.findall("w:tc", NS)] for row in imprint.findall("w:tr", NS)]
    assert rows == [["抄送：市委各部门。"], ["某某市人民政府办公室", "2023年11月24日印发"]]
    copy_to, printer, date = imprint.findall(".//w:tc", NS)
    assert copy_to.find("w:tcPr/w:gridSpan", NS).get(w("val")) == "2"
    assert date.find("w:p/w:pPr/w:jc", NS).get(w("val")) == "right"
    assert {style_of(c.find("w:p", NS)) for c in (copy_to, printer, date)} == {"gw-imprint"}
    # Rules as wide as the text block: thick first and last, thin between.
    assert imprint.find("w:tblPr/w:tblW", NS).get(w("w")) == "8845"
    borders = {b.tag.split("}")[1]: b for b in imprint.find("w:tblPr/w:tblBorders", NS)}
    assert borders["top"].get(w("sz")) == borders["bottom"].get(w("sz")) == "8"
    assert borders["insideH"].get(w("sz")) == "6"
    assert {borders[s].get(w("val")) for s in ("left", "right", "insideV")} == {"nil"}
    # Text inset one 14 pt character from both edges.
    margins = imprint.find("w:tblPr/w:tblCellMar", NS)
    assert [margins.find(f"w:{s}", NS).get(w("w")) for s in ("left", "right")] == ["280", "280"]


def test_core_properties(written: Path) -> None:
    core = part(written, "docProps/core.xml")
    assert core.findtext("dc:title", namespaces=NS) == "关于印发某某方案的通知"
    assert core.findtext("dc:creator", namespaces=NS) == "某某市人民政府办公室"
    assert core.findtext("cp:lastModifiedBy", namespaces=NS) == "某某市人民政府办公室"
    assert core.findtext("dc:language", namespaces=NS) == "zh-CN"
    assert core.findtext("dcterms:created", namespaces=NS) == "2023-11-24T00:00:00Z"
    assert core.findtext("dcterms:modified", namespaces=NS) == "2023-11-24T00:00:00Z"
    assert core.findtext("cp:revision", namespaces=NS) == "1"


def test_output_is_reproducible(written: Path, style: StyleProfile, tmp_path: Path) -> None:
    again = tmp_path / "again.docx"
    write_docx(sample(), style, TEMPLATE, again)
    assert again.read_bytes() == written.read_bytes()
    with zipfile.ZipFile(again) as package:
        infos = package.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_template_is_reproducible_and_current(tmp_path: Path) -> None:
    """The template builder gives the same small file every run: the committed one."""
    outputs = [tmp_path / "first.docx", tmp_path / "second.docx"]
    for out in outputs:
        subprocess.run(
            [sys.executable, str(ROOT / "tools" / "make_word_template.py"), "--out", str(out)],
            check=True,
            capture_output=True,
        )
    assert outputs[0].read_bytes() == outputs[1].read_bytes() == TEMPLATE.read_bytes()
    assert TEMPLATE.stat().st_size < 50_000


def test_pages_fill_as_in_the_pdf(written: Path) -> None:
    """Single lines may end or start a page (the PDF's orphans and widows 1),
    except where the PDF keeps two: a run-in heading's first lines, and the
    last lines of the paragraph before the 附件说明, the signature and the 附注,
    which are kept with what follows."""
    styles = part(written, "word/styles.xml")
    widow = styles.find("w:style[@w:styleId='gw-body']/w:pPr/w:widowControl", NS)
    assert widow.get(w("val")) == "0"
    body = paragraphs(written)
    texts = [text(p) for p in body]

    def kept(index: int) -> bool:
        p_pr = body[index].find("w:pPr", NS)
        keep, control = p_pr.find("w:keepNext", NS), p_pr.find("w:widowControl", NS)
        return keep is not None and control is not None and control.get(w("val")) is None

    for start in ("附件：", "某某市人民政府办公室", "2023年11月24日", "（此件公开发布）"):
        index = next(i for i, t in enumerate(texts) if t.startswith(start) and i > 3)
        assert kept(index - 1), texts[index - 1]
    run_in = find_paragraph(written, "（一）加强组织领导。…")
    assert run_in.find("w:pPr/w:widowControl", NS).get(w("val")) is None
    assert not kept(texts.index(f"特殊字符：{SPECIAL}") - 1)


def test_a_paragraph_only_numbered_is_body_text(style: StyleProfile, tmp_path: Path) -> None:
    """A bare ## numbers a paragraph without heading words: one run in the
    body style, no heading face, no outline level; a run-in heading keeps its
    face up to its 。 and an outline level for the navigation pane."""
    notice = sample().parts[0]
    blocks = (*notice.blocks[:5], Heading(2, "（二）", "", "居民医保参保缴费结果纳入考核。"))
    document = Document(sample().info, (Part(PartKind.NOTICE, blocks),))
    out = tmp_path / "numbered.docx"
    write_docx(document, style, TEMPLATE, out)
    numbered = find_paragraph(out, "（二）居民医保…")
    assert style_of(numbered) == "gw-body"
    assert len(numbered.findall("w:r", NS)) == 1
    assert numbered.find("w:r/w:rPr", NS) is None
    assert numbered.find("w:pPr/w:outlineLvl", NS) is None
    run_in = find_paragraph(out, "（一）加强组织领导。…")
    assert run_in.find("w:pPr/w:outlineLvl", NS).get(w("val")) == "1"


@pytest.mark.parametrize("ruled", [True, False])
def test_table_rows_are_the_xml_python_docx_makes(style: StyleProfile, ruled: bool) -> None:
    """The writer builds table rows straight into the XML (ooxml.append_row);
    they must be what python-docx's cells, merges and runs make: spans across
    and down, a short row, text with a tab, line breaks and outer spaces, an
    empty cell, and a left alignment the template has no style for."""
    import docx as python_docx

    from generator.writers import ooxml
    from generator.writers.docx import (
        TABLE_BORDER_PT,
        TABLE_PADDING_PT,
        _BlockWriter,
        _column_widths,
        _place_cells,
    )

    header = (
        (Cell("序号", rowspan=2), Cell("单位\n名称", rowspan=2), Cell("人数", colspan=2)),
        (Cell("男"), Cell("女")),
    )
    body = (
        (Cell("1"), Cell(" 办公室\t甲 ", align=Align.LEFT), Cell("3", rowspan=3), Cell("")),
        (Cell("2"), Cell("财务处\r\n乙", align=Align.LEFT), Cell("4")),
        (Cell("合计", colspan=2), Cell(SPECIAL, align=Align.RIGHT)),
        (Cell("3"),),
    )
    table = Table(header=header if ruled else (), body=body, widths=(1, 3, 2, 2), ruled=ruled)

    fast = _BlockWriter(python_docx.Document(str(TEMPLATE)), style)
    fast.style_ids.discard("gw-table-left")  # aligned directly instead
    fast.table(table)
    slow = _BlockWriter(python_docx.Document(str(TEMPLATE)), style)
    slow.style_ids.discard("gw-table-left")
    rows = [*table.header, *table.body]
    columns = _column_widths(table.widths, slow.text_width)
    border = ooxml.eighth_points(TABLE_BORDER_PT)
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    borders = dict.fromkeys(sides, border) if ruled else {}
    word_table = slow.new_table(len(rows), columns, borders, header_rows=len(table.header))
    if ruled:
        top, side = (ooxml.twips_from_pt(pt) for pt in TABLE_PADDING_PT)
        ooxml.set_cell_margins(word_table._tbl, top=top, bottom=top, left=side, right=side)
    grid = [row.cells for row in word_table.rows]
    for row_index, column_index, cell in _place_cells(rows, len(columns)):
        target = grid[row_index][column_index]
        if cell.rowspan > 1 or cell.colspan > 1:
            corner = (row_index + cell.rowspan - 1, column_index + cell.colspan - 1)
            target = target.merge(grid[corner[0]][corner[1]])
        header_row = row_index < len(table.header)
        role = "roster" if not ruled else "table_header" if header_row else "table"
        slow.cell_text(target, role, cell.text, cell.align)  # type: ignore[arg-type]

    def tables(writer: _BlockWriter) -> list[bytes]:
        return [etree.tostring(t) for t in writer.word.element.body.iter(w("tbl"))]

    assert tables(fast) == tables(slow)
    xml = b"".join(tables(fast))
    for made in (b"<w:tab/>", b"<w:br/>", b'xml:space="preserve"', b"<w:vMerge/>", b"w:jc"):
        assert made in xml, made
