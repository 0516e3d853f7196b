"""The PDF's GB/T 9704 layout, measured from the glyphs and rules in the PDF:
the 22 × 28 grid, the text block's place on odd and even pages, inter-character
justification, line breaking (避头尾), page numbers, the 版记 at the foot of an
even last page, headings and signatures kept with their text, tables.

Positions are PDF points from the bottom left of the page; a glyph's box is
pdfminer's: its advance across, its font's em box (descent to descent + size)
up and down.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest
from pdfminer.layout import LTLine
from weasyprint.layout import inline

from generator import model
from generator.build.pipeline import BuildResult, build, prepare, style_for
from generator.style import layout
from generator.writers.pdf import write_pdf
from generator.writers.weasyprint_internals.cjk_justify import units
from tests import conftest
from tests.conftest import WUSHUI, Char, squeeze

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
TOP, BINDING, OUTER, BOTTOM = 37 * MM, 28 * MM, 26 * MM, 35 * MM
TEXT_WIDTH = 156 * MM
LINE_PITCH = 28.95  # 579 twips, the DOCX's grid
CHAR_PITCH = TEXT_WIDTH / 28  # 15.79 pt
BODY_SIZE = 16.0
NOT_AT_LINE_START = set("，。、；：？！）」』》〉】〕”’…·")
NOT_AT_LINE_END = set("（「『《〈【〔“‘")


# --- reading the PDF ---


def block_left(page: int) -> float:
    """The text block's left edge: the binding edge is on the left of odd pages."""
    return BINDING if page % 2 else OUTER


@dataclass
class Line:
    page: int
    chars: list[Char]

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)

    @property
    def baseline(self) -> float:
        return self.chars[0].baseline

    @property
    def left(self) -> float:
        return self.chars[0].x0

    @property
    def right(self) -> float:
        return self.chars[-1].x1


@dataclass
class Page:
    number: int
    chars: list[Char]
    rects: list[tuple[float, float, float, float]]  # x0, y0, x1, y1 of filled shapes
    rules: list[LTLine]  # stroked lines (table borders)

    @property
    def left(self) -> float:
        return block_left(self.number)

    @property
    def right(self) -> float:
        return self.left + TEXT_WIDTH

    def in_block(self) -> list[Char]:
        return [c for c in self.chars if c.y0 > BOTTOM - 1]

    def below_block(self) -> list[Char]:
        return [c for c in self.chars if c.y1 < BOTTOM]

    def body_lines(self) -> list[Line]:
        """The page's lines of 16 pt text in the text block, top to bottom,
        outside tables."""
        rows: dict[float, list[Char]] = {}
        for char in self.in_block():
            if abs(char.size - BODY_SIZE) < 0.01:
                rows.setdefault(round(char.baseline, 1), []).append(char)
        return [
            Line(self.number, sorted(rows[key], key=lambda c: c.x0))
            for key in sorted(rows, reverse=True)
        ]


def read_pdf(path: Path) -> list[Page]:
    return [Page(p.number, p.chars, p.rects, p.rules) for p in conftest.read_pdf(path)]


# --- the document's paragraphs, found among the PDF's lines ---


@dataclass
class Placed:
    """A block of the model with the 16 pt lines it was set in."""

    block: model.Block
    text: str
    justified: bool
    lines: list[Line] = field(default_factory=list)


def _blocks_as_lines(block: model.Block) -> list[tuple[str, bool]]:
    """The 16 pt paragraphs a block prints as: (text, justified)."""
    match block:
        case model.Paragraph(text=text) | model.Addressee(text=text):
            return [(text, True)]
        case model.Heading(level=1, number=number, text=text, body=body):
            return [(number + text, False)] + ([(body, True)] if body else [])
        case model.Heading(number=number, text=text, body=body):
            return [(number + text + (body or ""), body is not None)]
        case model.Letterhead(number=number):
            return [(number, False)] if number else []
        case model.AttachmentList(items=items):
            return [("附件：" + items[0], False)] + [(item, False) for item in items[1:]]
        case model.Signature(issuer=issuer, date=date):
            return [(issuer, False), (date, False)]
        case model.Note(text=text):
            return [(text, False)]
        case model.AttachmentHeading(label=label):
            return [(label, False)]
    return []  # titles, tables, the 版记: not 16 pt


def place_blocks(document: model.Document, pages: list[Page]) -> list[Placed]:
    """Every 16 pt paragraph of the document with its lines, in order."""
    lines = [line for page in pages for line in page.body_lines()]
    placed: list[Placed] = []
    position = 0
    for block in document.blocks():
        for text, justified in _blocks_as_lines(block):
            wanted = squeeze(text)
            item = Placed(block, wanted, justified)
            got = ""
            while got != wanted:
                assert position < len(lines), f"PDF 中缺少：{wanted[:30]}"
                line = lines[position]
                got += line.text
                assert wanted.startswith(got), f"行与段落对不上：{line.text} / {wanted[:30]}"
                item.lines.append(line)
                position += 1
            placed.append(item)
    assert position == len(lines), "PDF 中有多余的正文行"
    return placed


# --- documents made for the tests ---

INFO = model.DocumentInfo("测试", "临武县武水镇人民政府", "2023-11-24")
IDEOGRAPHS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
SIGNATURE = model.Signature("临武县武水镇人民政府", "2023年11月24日")
IMPRINT = model.Imprint("临武县武水镇人民政府办公室", "2023年11月24日印发", "县医保局")


def text_of(chars: int, start: int = 0) -> str:
    """chars ideographs, no punctuation: every line of it is a full grid line."""
    return "".join(IDEOGRAPHS[(start + i) % len(IDEOGRAPHS)] for i in range(chars))


def lines_of(count: int, start: int = 0) -> model.Paragraph:
    """A paragraph of exactly count full lines (the first indented two characters)."""
    return model.Paragraph(text_of(26 + 28 * (count - 1), start))


def document(*blocks: model.Block) -> model.Document:
    return model.Document(INFO, (model.Part(model.PartKind.NOTICE, blocks, new_page=False),))


def write(tmp_path: Path, name: str, doc: model.Document) -> list[Page]:
    out = tmp_path / f"{name}.pdf"
    write_pdf(doc, style_for(WUSHUI), out)
    return read_pdf(out)


@pytest.fixture(scope="module")
def wushui(wushui_build: BuildResult) -> tuple[model.Document, list[Page]]:
    pdf = next(f for f in wushui_build.files if f.format == "pdf")
    _, doc, _ = prepare(WUSHUI)
    return doc, read_pdf(wushui_build.out_dir / pdf.path)


PLAIN = document(
    *[lines_of(count, start) for start, count in enumerate([5, 9, 3, 12, 8, 7, 10, 4])],
    model.Paragraph(text_of(26 + 28 * 3 + 11)),
)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    """Three pages and a bit of plain paragraphs of pure ideographs."""
    return write(tmp_path_factory.mktemp("plain"), "plain", PLAIN)


# --- the grid ---


def test_line_pitch_is_the_docx_grid(wushui: tuple[model.Document, list[Page]]) -> None:
    doc, pages = wushui
    steps = [
        upper.baseline - lower.baseline
        for item in place_blocks(doc, pages)
        for upper, lower in pairwise(item.lines)
        if upper.page == lower.page
    ]
    assert len(steps) > 100
    assert all(abs(step - LINE_PITCH) <= 0.05 for step in steps), sorted(steps)[:: len(steps) // 5]


def test_body_lines_stay_on_the_grid_across_headings(
    wushui: tuple[model.Document, list[Page]],
) -> None:
    """Past the first page, every 16 pt line outside tables sits on a line of
    the grid: its line box's top (the em box centred in a 28.95 pt line) is a
    whole number of pitches below the top margin, whatever came before it
    (headings, titles, blank lines, another part)."""
    _, pages = wushui
    checked = 0
    for page in pages[1:]:
        if page.rules:  # a table's rows have their own heights
            continue
        for line in page.body_lines():
            steps = (PAGE_HEIGHT - TOP - line_top(line)) / LINE_PITCH
            assert abs(steps - round(steps)) * LINE_PITCH <= 0.1, (page.number, line.text)
            assert 0 <= round(steps) < 22
            checked += 1
    assert checked > 100


def line_top(line: Line) -> float:
    """The top of the line box a line's em boxes are centred in."""
    char = line.chars[0]
    return (char.y0 + char.y1) / 2 + LINE_PITCH / 2


def test_full_page_holds_22_lines_in_the_text_block(plain: list[Page]) -> None:
    assert len(plain) >= 3
    for page in plain[:-1]:
        lines = page.body_lines()
        assert len(lines) == 22, page.number
        first, last = lines[0], lines[-1]
        # The em boxes are centred in 28.95 pt lines: the first line's top is
        # on the top margin, 37 mm down; 22 lines fill the 225 mm block.
        assert line_top(first) == pytest.approx(PAGE_HEIGHT - TOP, abs=0.3)
        bottom = line_top(last) - LINE_PITCH
        assert bottom == pytest.approx(PAGE_HEIGHT - TOP - 22 * LINE_PITCH, abs=0.3)
        assert bottom >= BOTTOM


def test_text_block_is_28_mm_from_the_binding_edge_mirrored_on_even_pages(
    plain: list[Page],
) -> None:
    last_lines = {
        (item.lines[-1].page, item.lines[-1].baseline) for item in place_blocks(PLAIN, plain)
    }
    for page in plain[:2]:
        full = [line for line in page.body_lines() if len(line.chars) == 28]
        assert len(full) > 10
        for line in full:
            assert line.left == pytest.approx(page.left, abs=0.3), page.number
            if (line.page, line.baseline) not in last_lines:  # the last is not justified
                assert line.right == pytest.approx(page.right, abs=0.3), page.number
    assert plain[0].left == pytest.approx(28 * MM) and plain[1].left == pytest.approx(26 * MM)


def test_full_lines_hold_28_characters_at_the_grid_pitch(plain: list[Page]) -> None:
    """Pure ideographs: the first line of a paragraph holds 26 after its
    two-character indent, every other full line 28, at 15.79 pt; the last line
    (not justified) keeps the same pitch."""
    for page in plain:
        for line in page.body_lines():
            count = len(line.chars)
            indented = line.left > page.left + CHAR_PITCH
            if indented:
                assert line.left == pytest.approx(page.left + 2 * CHAR_PITCH, abs=0.3)
            assert count <= (26 if indented else 28)
            if count > 1:
                pitch = (line.chars[-1].x0 - line.chars[0].x0) / (count - 1)
                assert pitch == pytest.approx(CHAR_PITCH, abs=0.05), (page.number, line.text)
    counts = {len(line.chars) for page in plain for line in page.body_lines()}
    assert {26, 28} <= counts


# --- justification ---


def test_every_line_but_a_paragraphs_last_ends_flush_right(
    wushui: tuple[model.Document, list[Page]],
) -> None:
    doc, pages = wushui
    by_number = {page.number: page for page in pages}
    checked, mixed, pages_seen = 0, 0, set()
    for item in place_blocks(doc, pages):
        if not item.justified:
            continue
        for index, line in enumerate(item.lines):
            page = by_number[line.page]
            indent = (
                2 * CHAR_PITCH if index == 0 and not isinstance(item.block, model.Addressee) else 0
            )
            assert line.left == pytest.approx(page.left + indent, abs=0.5), line.text
            if index == len(item.lines) - 1:
                assert line.right < page.right + 0.5, line.text
                continue
            assert line.right == pytest.approx(page.right, abs=0.5), (line.page, line.text)
            checked += 1
            mixed += bool(re.search(r"[0-9A-Za-z]", line.text))
            pages_seen.add(line.page % 2)
    assert checked > 100 and mixed > 20 and pages_seen == {0, 1}


def test_latin_and_digits_keep_their_spacing_in_a_justified_line(tmp_path: Path) -> None:
    """The free space goes beside the Chinese characters: a number and a
    Latin word keep the body's spacing inside."""
    text = "根据湘税社保APP和智能POS机的数据，2024年度参保率为95%以上，" * 6
    pages = write(tmp_path, "mixed", document(model.Paragraph(text)))
    lines = pages[0].body_lines()
    assert len(lines) >= 5
    tracking = CHAR_PITCH - BODY_SIZE
    stretched = 0
    for line in lines[:-1]:
        assert line.right == pytest.approx(pages[0].right, abs=0.5)
        inside, between = [], []
        for left, right in pairwise(line.chars):
            gap = right.x0 - left.x1
            if re.fullmatch(r"[0-9A-Z%]", left.text) and re.fullmatch(r"[0-9A-Z%]", right.text):
                inside.append(gap)
            elif left.x1 - left.x0 > 15 and right.x1 - right.x0 > 15:  # both full width
                between.append(gap)
        assert all(gap == pytest.approx(tracking, abs=0.05) for gap in inside), inside
        assert max(between) - min(between) < 0.02, between  # the shares are equal
        stretched += min(between) > tracking + 0.05
    assert stretched >= 2


def test_units_cut_beside_full_width_characters_only() -> None:
    assert units("参保率95%以上APP，") == ["参", "保", "率", "95%", "以", "上", "APP", "，"]


def test_the_justification_hook_lives_only_inside_write_pdf(tmp_path: Path) -> None:
    original = inline.justify_line
    write(tmp_path, "hook", document(lines_of(2)))
    assert inline.justify_line is original


# --- line breaking ---


def _check_line_edges(lines: Iterable[Line]) -> int:
    count = 0
    for line in lines:
        assert line.text[0] not in NOT_AT_LINE_START, (line.page, line.text)
        assert line.text[-1] not in NOT_AT_LINE_END, (line.page, line.text)
        count += 1
    return count


def test_no_line_starts_with_closing_punctuation_or_ends_with_opening(
    wushui: tuple[model.Document, list[Page]], tmp_path: Path
) -> None:
    _, pages = wushui
    assert _check_line_edges(line for page in pages for line in page.body_lines()) > 150
    # Punctuation brought to every place around the line's end.
    marks = "，。、；：？！）》”（《“"
    blocks = []
    for shift in range(20, 32):
        filler = text_of(shift, shift)
        blocks.append(model.Paragraph(filler + "，（测试）《标题》、“引文”。" + text_of(30, shift)))
        blocks.append(model.Paragraph(filler + "：" + text_of(2) + "？！" + text_of(40, shift)))
    lines = [
        line for page in write(tmp_path, "kinsoku", document(*blocks)) for line in page.body_lines()
    ]
    assert _check_line_edges(lines) > 40
    assert any(line.text[-1] in marks for line in lines)  # the marks did reach the ends
    # Where a closing mark would have started a line, the character before it
    # came down with it: the line above holds one character less than it could
    # (25 after the indent, else 27) and is stretched to the edge.
    moved = [
        upper
        for upper, lower in pairwise(lines)
        if len(lower.text) > 1
        and lower.text[1] in NOT_AT_LINE_START
        and len(upper.chars) == (25 if upper.left > block_left(upper.page) + 1 else 27)
    ]
    assert moved


# --- page numbers ---


def test_page_numbers(wushui: tuple[model.Document, list[Page]]) -> None:
    _, pages = wushui
    for page in pages:
        number = page.below_block()
        assert "".join(c.text for c in number) == f"—{page.number}—"
        for char in number:
            assert char.size == pytest.approx(14, abs=0.01)
            # The line's top, the em box's top, 7 mm below the text block.
            assert char.y1 == pytest.approx(BOTTOM - 7 * MM, abs=0.5)
        if page.number % 2:
            assert number[-1].x1 == pytest.approx(page.right - 14, abs=0.5)
        else:
            assert number[0].x0 == pytest.approx(page.left + 14, abs=0.5)


# --- the 版记 ---


def _rules(page: Page) -> list[tuple[float, float, float, float]]:
    """The 版记's rules as (x0, x1, bottom, top): WeasyPrint fills a border as
    the space between its outer and inner rectangles, so every horizontal edge
    of a rectangle as wide as the text block is a rule's edge."""
    edges = sorted(
        {
            round(y, 3)
            for x0, y0, x1, y1 in page.rects
            if x1 - x0 == pytest.approx(TEXT_WIDTH, abs=0.5)
            for y in (y0, y1)
        }
    )
    wide = [r for r in page.rects if r[2] - r[0] == pytest.approx(TEXT_WIDTH, abs=0.5)]
    x0, x1 = min(r[0] for r in wide), max(r[2] for r in wide)
    return [(x0, x1, bottom, top) for bottom, top in zip(edges[::2], edges[1::2], strict=True)]


def _check_imprint(pages: list[Page], on_page: int) -> None:
    last = pages[-1]
    assert last.number == on_page and last.number % 2 == 0
    rules = _rules(last)
    assert len(rules) == 3
    (x0, x1, bottom, top), thin, thick = rules[0], rules[1], rules[2]
    assert x0 == pytest.approx(last.left, abs=0.3) and x1 == pytest.approx(last.right, abs=0.3)
    assert bottom == pytest.approx(BOTTOM, abs=0.2)  # on the text block's bottom edge
    assert top - bottom == pytest.approx(0.35 * MM, abs=0.05)
    assert thick[3] - thick[2] == pytest.approx(0.35 * MM, abs=0.05)
    assert thin[3] - thin[2] == pytest.approx(0.25 * MM, abs=0.05)
    text = "".join(c.text for c in sorted(last.in_block(), key=lambda c: (-c.baseline, c.x0)))
    assert text.endswith("抄送：县医保局临武县武水镇人民政府办公室2023年11月24日印发")
    imprint = [c for c in last.in_block() if c.y1 < thick[3] + 1]
    assert all(c.size == pytest.approx(14, abs=0.01) for c in imprint)
    issued = [c for c in imprint if c.y1 < thin[2]]
    assert issued[0].x0 == pytest.approx(last.left + 14, abs=0.5)  # inset one character
    assert issued[-1].x1 == pytest.approx(last.right - 14, abs=0.5)


def test_imprint_shares_an_even_last_page_that_has_room(tmp_path: Path) -> None:
    pages = write(tmp_path, "even", document(lines_of(22), lines_of(8, 1), SIGNATURE, IMPRINT))
    _check_imprint(pages, 2)
    assert "".join(c.text for c in pages[-1].below_block()) == "—2—"
    assert "临武县武水镇人民政府" in "".join(c.text for c in pages[-1].chars)


def test_imprint_after_an_odd_last_page_takes_the_next_page_unnumbered(
    tmp_path: Path,
) -> None:
    pages = write(tmp_path, "odd", document(lines_of(12), SIGNATURE, IMPRINT))
    _check_imprint(pages, 2)
    assert pages[-1].below_block() == []
    assert len(pages[-1].body_lines()) == 0  # the 版记 alone


def test_imprint_that_does_not_fit_an_even_page_goes_on_after_a_blank_page(
    tmp_path: Path,
) -> None:
    pages = write(tmp_path, "full", document(lines_of(22), lines_of(18, 1), SIGNATURE, IMPRINT))
    _check_imprint(pages, 4)
    assert pages[2].chars == [] and pages[2].rects == []  # blank, no page number
    assert pages[-1].below_block() == []
    assert "".join(c.text for c in pages[1].below_block()) == "—2—"


def test_imprint_in_the_data_set_lands_on_an_even_last_page(
    dataset_copy: Path, tmp_path: Path
) -> None:
    path = dataset_copy / "document.yaml"
    text = path.read_text("utf-8")
    text = text.replace(
        "notice:\n",
        "notice:\n  imprint: {printer: 临武县武水镇人民政府办公室, date: 2023-11-24, "
        "copy_to: 县医保局}\n",
        1,
    )
    path.write_text(text, "utf-8")
    result = build(dataset_copy, tmp_path / "out")
    pdf = next(f for f in result.files if f.format == "pdf")
    pages = read_pdf(result.out_dir / pdf.path)
    _check_imprint(pages, len(pages))
    numbered = [p for p in pages if p.below_block()]
    assert [p.number for p in numbered] == list(range(1, len(numbered) + 1))


# --- keeping together ---


def _headings_not_last(doc: model.Document, pages: list[Page]) -> int:
    """Check that no heading's first line is the last line of its page; return
    how many headings were checked."""
    last = {(page.number, page.body_lines()[-1].baseline) for page in pages if page.body_lines()}
    count = 0
    for item in place_blocks(doc, pages):
        block = item.block
        heading = (
            isinstance(block, model.Heading)
            and bool(block.text)  # not a paragraph that is only numbered
            and item.text.startswith(squeeze(block.number + block.text))
        )
        if heading:
            first = item.lines[0]
            assert (first.page, first.baseline) not in last, (first.page, first.text)
            count += 1
    return count


def test_headings_are_never_the_last_line_of_a_page(
    wushui: tuple[model.Document, list[Page]], tmp_path: Path
) -> None:
    assert _headings_not_last(*wushui) > 10
    # A level-1 heading and a run-in heading brought to a page's last line
    # (after 21 lines) and to the line before it (after 20).
    for filler in (20, 21):
        for level, heading in enumerate(
            (
                model.Heading(1, "一、", "目标任务"),
                model.Heading(2, "（一）", "参保对象。", text_of(60)),
            )
        ):
            blocks = [lines_of(filler // 2 + filler % 2), lines_of(filler // 2, 3)]
            doc = document(*blocks, heading, lines_of(3))
            assert _headings_not_last(doc, write(tmp_path, f"heading{filler}-{level}", doc)) == 1


def _kept_with_text_before(doc: model.Document, pages: list[Page], kind: type) -> int:
    """Check that every block of kind starts on a page that also holds the last
    two lines (or all, if fewer) of the paragraph before it; return how many
    blocks were checked."""
    placed = place_blocks(doc, pages)
    count = 0
    for index, item in enumerate(placed):
        if isinstance(item.block, kind) and placed[index - 1].block is not item.block:
            before = placed[index - 1]
            page = item.lines[0].page
            on_page = [line for line in before.lines if line.page == page]
            assert len(on_page) >= min(2, len(before.lines)), (page, item.text)
            count += 1
    return count


def test_signature_and_attachment_list_never_stand_alone_on_a_page(
    wushui: tuple[model.Document, list[Page]], tmp_path: Path
) -> None:
    """The 附件说明 and the signature with its date and 附注 are kept together
    and with the last lines of the paragraph before them."""
    attachments = model.AttachmentList(("1.附件一的名称", "2.附件二的名称"))
    note = model.Note("（此件公开发布）")
    for filler in range(14, 21):
        for blocks in ((SIGNATURE, note), (attachments, SIGNATURE, note)):
            doc = document(lines_of(filler), lines_of(3, 5), *blocks)
            pages = write(tmp_path, f"closing{filler}-{len(blocks)}", doc)
            assert _kept_with_text_before(doc, pages, type(blocks[0])) == 1
            placed = place_blocks(doc, pages)
            last_page = {line.page for item in placed[-3:] for line in item.lines}
            assert len(last_page) == 1, filler  # issuer, date and note together
    assert _kept_with_text_before(*wushui, model.Signature) == 1
    assert _kept_with_text_before(*wushui, model.AttachmentList) == 1


# --- tables ---


def _cells(page: Page) -> tuple[list[float], list[float]]:
    """The x of the table's vertical rules and the y of its horizontal ones."""
    xs = sorted({round(r.x0, 1) for r in page.rules if abs(r.x0 - r.x1) < 0.1})
    ys = sorted({round(r.y0, 1) for r in page.rules if abs(r.y0 - r.y1) < 0.1}, reverse=True)
    return xs, ys


def test_tables_repeat_their_header_and_align_numbers_right(
    wushui: tuple[model.Document, list[Page]],
) -> None:
    doc, pages = wushui
    tables = [b for b in doc.blocks() if isinstance(b, model.Table)]
    table_pages = [page for page in pages if page.rules]
    headers = {squeeze("".join(c.text for c in row)) for t in tables for row in t.header}
    continued = 0
    for page in table_pages:
        xs, ys = _cells(page)
        top_row = [c for c in page.chars if ys[1] < c.baseline < ys[0]]
        row_text = "".join(c.text for c in sorted(top_row, key=lambda c: c.x0))
        assert row_text in headers, (page.number, row_text)
        if not any(c.size > 13 for c in page.chars if c.y0 > ys[0]):  # no title above
            continued += 1
        for char in page.chars:
            if ys[-1] < char.baseline < ys[0]:
                # Every glyph inside its cell: the table font fits the columns.
                assert any(a <= char.x0 and char.x1 <= b for a, b in pairwise(xs)), char
    assert continued >= 1  # a table ran onto a second page
    # Numbers align right: in the quota table every number's right edge sits
    # the same distance from its cell's right rule.
    page = table_pages[0]
    xs, ys = _cells(page)
    insets: dict[int, set[float]] = {}
    lengths: dict[int, set[int]] = {}
    for top, bottom in pairwise(ys[1:]):
        row = [c for c in page.chars if bottom < c.baseline < top]
        for column, (a, b) in enumerate(pairwise(xs)):
            cell = [c for c in row if a <= c.x0 and c.x1 <= b]
            text = "".join(c.text for c in cell)
            if text.isdigit() and column >= 2:
                insets.setdefault(column, set()).add(round(b - cell[-1].x1, 1))
                lengths.setdefault(column, set()).add(len(text))
    lengths_differ = any(len(values) > 1 for values in lengths.values())
    assert insets and all(len(values) == 1 for values in insets.values()), insets
    assert lengths_differ, "no column mixes numbers of different lengths: nothing was shown"


def test_the_mark_stands_35_mm_below_the_top_of_the_text_block(
    wushui: tuple[model.Document, list[Page]],
) -> None:
    """GB/T 9704 7.2.3: the 标志's top edge (its characters' em box) 35 mm down."""
    _, pages = wushui
    mark = [c for c in pages[0].chars if c.size > 30]
    assert "".join(c.text for c in mark) == "临武县武水镇人民政府文件"
    top_below_block = (PAGE_HEIGHT - TOP - max(c.y1 for c in mark)) / MM
    assert abs(top_below_block - 35) < 0.3, f"{top_below_block:.2f} mm"


# --- 附件说明 ---


@pytest.mark.parametrize("dot", [".", "．"])
def test_attachment_numbers_are_set_tight_and_names_wrap_under_themselves(
    tmp_path: Path, dot: str
) -> None:
    """`附件：1.名称`: the number as typed, no gap before the name (the DOCX
    has none either); a name that wraps lines up under its own first
    character, one number's width (on the grid) further in."""
    items = (f"1{dot}{text_of(40)}", f"2{dot}{text_of(5, 3)}")
    doc = document(lines_of(2), model.AttachmentList(items))
    page = write(tmp_path, f"attachments{ord(dot)}", doc)[0]
    lines = page.body_lines()
    first, wrapped, second = lines[-3:]
    assert first.text.startswith("附件：1" + dot) and second.text.startswith("2" + dot)
    chars = first.chars
    name = chars[5]  # 附 件 ： 1 dot | name
    assert name.x0 - chars[4].x1 < 1.0, (chars[4], name)  # tight
    number = layout.item_number_width(items[0]) * CHAR_PITCH
    assert wrapped.left == pytest.approx(second.left + number, abs=0.3)
    assert second.left == pytest.approx(chars[3].x0, abs=0.3)  # 2 under 1


# --- numbered paragraphs ---


def test_heading_words_take_the_heading_face_and_numbered_text_the_body_face(
    tmp_path: Path,
) -> None:
    """（一）加强组织领导。 in 楷体 up to its 。, the text after it in 仿宋; a
    paragraph only numbered (a bare ## in the markup) in 仿宋 throughout."""
    doc = document(
        model.Heading(2, "（一）", "加强组织领导。", text_of(30)),
        model.Heading(2, "（二）", "", "居民医保参保缴费结果纳入考核内容。"),
    )
    page = write(tmp_path, "numbered", doc)[0]
    chars = [c for line in page.body_lines() for c in line.chars]
    text = "".join(c.text for c in chars)
    run_in, numbered = text.index("（一）"), text.index("（二）")
    faces = [c.font.lower() for c in chars]
    assert all("kai" in f for f in faces[run_in : run_in + len("（一）加强组织领导。")])
    assert all("fang" in f for f in faces[run_in + len("（一）加强组织领导。") : numbered])
    assert all("fang" in f for f in faces[numbered:])
