"""The sealed layout (GB/T 9704 7.3.5.1), measured in the PDF and read from
the DOCX's XML: the date four characters from the right, the issuer centred
over it, the seal's picture centred over both with its top within one line of
the text above; spacing tightened when seal and date do not fit the page
(7.3.5.4); a bad seal picture refused in Chinese; deterministic bytes."""

from __future__ import annotations

import io
import itertools
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTImage, LTItem
from PIL import Image, ImageDraw

from generator import model
from generator.build.pipeline import (
    BuildResult,
    build,
    style_for,
    word_template_for,
    write_pdf_and_docx,
)
from generator.cli import main
from generator.writers.docx import write_docx
from generator.writers.pdf import write_pdf
from tests.conftest import WUSHUI, Char, docx_xml, read_pdf
from tests.pdfa import pdfa_2u_problems
from tests.test_parity import _convert
from tests.test_shapes import OWN_NOTICE

MM = 72 / 25.4
BINDING, OUTER = 28 * MM, 26 * MM
TEXT_WIDTH = 156 * MM
CHAR_PITCH = TEXT_WIDTH / 28  # 15.79 pt
LINE_PITCH = 28.95
EMU_PER_PT = 12700
ISSUER, DATE = "临武县武水镇人民政府", "2023年11月24日"
NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def red_ring(path: Path) -> Path:
    """A stand-in seal: a red ring on a transparent ground (no real office's)."""
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((8, 8, 292, 292), outline=(230, 0, 18, 255), width=16)
    image.save(path)
    return path


def sealed_copy(
    root: Path,
    seal: str,
    picture: Callable[[Path], object] = red_ring,
    name: str = "印章.png",
) -> Path:
    """A copy of the 武水镇 data set with a seal entry (seal is its YAML) and
    the picture drawn as name (by default the ring as 印章.png)."""
    target = root / "wushui" / "2024"
    shutil.copytree(WUSHUI, target)
    picture(target / name)
    document = target / "document.yaml"
    document.write_text(document.read_text("utf-8") + f"\nseal: {seal}\n", "utf-8")
    return target


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = tmp_path_factory.mktemp("sealed")
    return build(sealed_copy(root, "{image: 印章.png}"), root / "out", ofd=True)


def output(result: BuildResult, fmt: str) -> Path:
    return result.out_dir / next(f for f in result.files if f.format == fmt).path


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


def line_box(chars: list[Char], text: str) -> Box:
    """The em boxes of the lowest line (one baseline) whose text is text (the
    issuer's name is the title's first line too)."""
    lines: dict[float, list[Char]] = {}
    for char in chars:
        lines.setdefault(round(char.baseline, 1), []).append(char)
    for _, glyphs in sorted(lines.items()):
        glyphs.sort(key=lambda c: c.x0)
        if "".join(c.text for c in glyphs) == text:
            return Box(glyphs[0].x0, glyphs[0].y0, glyphs[-1].x1, glyphs[-1].y1)
    raise AssertionError(f"no line {text!r}")


def images(path: Path) -> dict[int, list[Box]]:
    """The pictures drawn on each page (1-based), as pdfminer places them."""

    def walk(item: LTItem) -> list[LTImage]:
        found = [item] if isinstance(item, LTImage) else []
        for child in getattr(item, "_objs", []):
            found += walk(child)
        return found

    return {
        number: [Box(*image.bbox) for image in walk(page)]
        for number, page in enumerate(extract_pages(path), start=1)
    }


def test_date_issuer_and_seal_are_placed_as_gbt9704_7351_says(sealed: BuildResult) -> None:
    assert_sealed_layout(output(sealed, "pdf"))


def assert_sealed_layout(pdf: Path) -> None:
    """GB/T 9704 7.3.5.1 measured in the PDF: date, issuer and seal."""
    pages = read_pdf(pdf)
    drawn = images(pdf)
    assert sum(len(found) for found in drawn.values()) == 1  # the seal, once
    number = next(n for n, found in drawn.items() if found)
    (seal,) = drawn[number]
    chars = pages[number - 1].chars
    issuer, date = line_box(chars, ISSUER), line_box(chars, DATE)
    right_edge = (BINDING if number % 2 else OUTER) + TEXT_WIDTH
    # 成文日期 four characters from the right edge of the text block.
    assert right_edge - date.x1 == pytest.approx(4 * CHAR_PITCH, abs=0.5)
    # 署名 centred over the date.
    assert issuer.centre == pytest.approx(date.centre, abs=0.5)
    assert issuer.y0 > date.y1 - 1  # above it, on the line before
    # The seal (42 mm) centred over both, pressing on them.
    assert seal.x1 - seal.x0 == pytest.approx(42 * MM, abs=0.1)
    assert seal.centre == pytest.approx(date.centre, abs=1.0)
    assert seal.y0 < date.y0 and seal.y1 > issuer.y1
    # Its top within one line below the last line of text above.
    above = [c for c in chars if c.y0 > issuer.y1 + 1]
    text_bottom = min(c.y0 for c in above)
    assert 0 < text_bottom - seal.y1 <= LINE_PITCH


def test_the_docx_floats_the_seal_in_front_of_the_text(sealed: BuildResult) -> None:
    docx = output(sealed, "docx")
    body = docx_xml(docx, "word/document.xml")
    (anchor,) = body.findall(".//wp:anchor", NS)
    assert anchor.get("behindDoc") == "0"
    assert anchor.find("wp:wrapNone", NS) is not None
    paragraph = anchor.getparent().getparent().getparent()
    texts = paragraph.iter(f"{{{NS['w']}}}t")
    assert "".join(t.text or "" for t in texts) == ISSUER  # anchored to the issuer's paragraph
    size = 42 * MM * EMU_PER_PT
    extent = anchor.find("wp:extent", NS)
    assert int(extent.get("cx")) == pytest.approx(size, abs=EMU_PER_PT)
    assert int(extent.get("cy")) == int(extent.get("cx"))
    horizontal, vertical = anchor.find("wp:positionH", NS), anchor.find("wp:positionV", NS)
    assert (horizontal.get("relativeFrom"), vertical.get("relativeFrom")) == ("column", "paragraph")
    # Centred over the date: 4 + 3.5 characters from the right of the column.
    x = int(horizontal.findtext("wp:posOffset", namespaces=NS))
    centre = (TEXT_WIDTH - 7.5 * CHAR_PITCH) * EMU_PER_PT
    assert x + size / 2 == pytest.approx(centre, abs=2 * EMU_PER_PT)
    # Half a line below the text: where the issuer's paragraph, its two blank
    # lines before included, begins.
    y = int(vertical.findtext("wp:posOffset", namespaces=NS))
    assert 0 < y <= LINE_PITCH * EMU_PER_PT
    blip = anchor.find(".//a:blip", NS)
    r_id = blip.get(f"{{{NS['r']}}}embed")
    rels = docx_xml(docx, "word/_rels/document.xml.rels")
    (target,) = [r.get("Target") for r in rels if r.get("Id") == r_id]
    with zipfile.ZipFile(docx) as archive:
        stored = archive.read(f"word/{target}")
    source = sealed.out_dir.parent / "wushui" / "2024" / "印章.png"
    assert stored == source.read_bytes()


def test_the_ofd_draws_the_seal(sealed: BuildResult) -> None:
    with zipfile.ZipFile(output(sealed, "ofd")) as archive:
        names = archive.namelist()
        pictures = [n for n in names if n.endswith(".png")]
        assert len(pictures) == 1
        stored = Image.open(io.BytesIO(archive.read(pictures[0]))).convert("RGBA")
        objects = [
            n for n in names if n.endswith("Content.xml") and b"ImageObject" in archive.read(n)
        ]
    assert len(objects) == 1
    source = Image.open(sealed.out_dir.parent / "wushui" / "2024" / "印章.png")
    assert stored.tobytes() == source.convert("RGBA").tobytes()  # transparency kept


def test_without_a_picture_the_space_is_left_for_a_hand_stamp(tmp_path: Path) -> None:
    result = build(sealed_copy(tmp_path, ""), tmp_path / "out")  # a bare `seal:`
    pdf = output(result, "pdf")
    assert not any(images(pdf).values())
    body = docx_xml(output(result, "docx"), "word/document.xml")
    assert not body.findall(".//wp:anchor", NS)
    for page in read_pdf(pdf):
        if any(c.text == ISSUER[0] for c in page.chars):
            try:
                issuer = line_box(page.chars, ISSUER)
            except AssertionError:
                continue
            above = [c for c in page.chars if c.y0 > issuer.y1 + 1]
            # two blank lines between the text and the issuer
            gap = min(c.baseline for c in above) - issuer.y1
            assert gap > LINE_PITCH * 2 - 1


def test_the_same_inputs_give_the_same_bytes(sealed: BuildResult, tmp_path: Path) -> None:
    again = build(sealed.out_dir.parent / "wushui" / "2024", tmp_path / "out", ofd=True)
    for fmt in ("docx", "pdf", "ofd"):
        assert output(again, fmt).read_bytes() == output(sealed, fmt).read_bytes(), fmt


# --- 7.3.5.4: seal and date that do not fit ---

IDEOGRAPHS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"


def full_lines(count: int, start: int = 0) -> model.Paragraph:
    """A paragraph of exactly count full lines (its first indented two characters)."""
    chars = 26 + 28 * (count - 1)
    return model.Paragraph("".join(IDEOGRAPHS[(start + i) % len(IDEOGRAPHS)] for i in range(chars)))


def notice(*blocks: model.Block) -> model.Document:
    info = model.DocumentInfo("标题", "作者", "2023-11-24", "zh-CN")
    return model.Document(info, (model.Part(model.PartKind.NOTICE, blocks, new_page=False),))


@pytest.mark.parametrize("filler", [16, 18])
def test_a_seal_that_would_not_fit_gets_closer_spacing_not_a_near_empty_page(
    filler: int, tmp_path: Path
) -> None:
    """Unsealed, the signature takes the text's last two lines to a second
    page; sealed, the text of the page is set closer and all stays on one."""
    seal = model.Seal(red_ring(tmp_path / "seal.png"), 42.0)
    blocks = (full_lines(filler), full_lines(3, 5))
    plain, sealed = tmp_path / "plain.pdf", tmp_path / "sealed.pdf"
    write_pdf(notice(*blocks, model.Signature(ISSUER, DATE)), style_for(WUSHUI), plain)
    write_pdf(notice(*blocks, model.Signature(ISSUER, DATE, seal)), style_for(WUSHUI), sealed)
    assert len(read_pdf(plain)) == 2
    (page,) = read_pdf(sealed)
    issuer, date = line_box(page.chars, ISSUER), line_box(page.chars, DATE)
    assert issuer.centre == pytest.approx(date.centre, abs=0.5)
    (seal_box,) = images(sealed)[1]
    text = [c for c in page.chars if c.y0 > issuer.y1 + 1]
    assert 0 < min(c.y0 for c in text) - seal_box.y1 <= LINE_PITCH
    assert len({round(c.baseline, 1) for c in text}) == filler + 3  # no line lost


def test_a_seal_that_cannot_fit_keeps_text_with_it(tmp_path: Path) -> None:
    """Too much to tighten away: the signature still takes lines of the text
    with it to the next page (never 此页无正文)."""
    seal = model.Seal(red_ring(tmp_path / "seal.png"), 42.0)
    out = tmp_path / "sealed.pdf"
    doc = notice(full_lines(21), full_lines(3, 5), model.Signature(ISSUER, DATE, seal))
    write_pdf(doc, style_for(WUSHUI), out)
    _, second = read_pdf(out)
    issuer = line_box(second.chars, ISSUER)
    assert len({round(c.baseline, 1) for c in second.chars if c.y0 > issuer.y1 + 1}) >= 2


# --- a bad seal picture ---


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("无此文件.png", "印章图片“无此文件.png”不存在"),
        ("../../outside.png", "印章图片“../../outside.png”应在数据集目录中"),
        ("link.png", "印章图片“link.png”是符号链接"),
        ("policy.yaml", "印章图片“policy.yaml”不是 PNG 或 SVG 图片"),
        ("tables", "印章图片“tables”不是文件"),
        ("印章.svg", "印章图片“印章.svg”缺少 viewBox"),
        ("opaque.png", "印章图片“opaque.png”没有透明背景"),
        ("broken.png", "印章图片“broken.png”已损坏或过大"),
        ("huge.png", "印章图片“huge.png”过大（超过 5 MB）"),
    ],
)
def test_a_bad_seal_picture_is_refused_in_chinese(
    image: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = sealed_copy(tmp_path, f"{{image: {image}}}")
    red_ring(tmp_path / "outside.png")
    (dataset / "link.png").symlink_to(dataset / "印章.png")
    (dataset / "印章.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    Image.new("RGB", (50, 50), (230, 0, 18)).save(dataset / "opaque.png")
    (dataset / "broken.png").write_bytes((dataset / "印章.png").read_bytes()[:60])
    with (dataset / "huge.png").open("wb") as huge:
        huge.truncate(5 * 2**20 + 1)
    out = tmp_path / "out"
    assert main(["build", str(dataset), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    line = len((dataset / "document.yaml").read_text("utf-8").splitlines())
    assert message in err
    assert f"document.yaml:{line}" in err, err
    assert "seal.image" in err or "seal" in err
    assert not out.exists() or not any(out.iterdir())


def assert_archival_pdf_is_pdfa(sealed: BuildResult, tmp_path: Path) -> None:
    """The sealed data set built as the archive's PDF/A-2u: one picture, no problem."""
    dataset = sealed.out_dir.parent / "wushui" / "2024"
    result = build(dataset, tmp_path / "out", pdf_variant="pdf/a-2u")
    pdf = output(result, "pdf")
    assert sum(len(found) for found in images(pdf).values()) == 1
    assert pdfa_2u_problems(pdf) == []


def test_the_sealed_archival_pdf_stays_pdfa(sealed: BuildResult, tmp_path: Path) -> None:
    """The seal's transparency (a soft mask) is allowed in PDF/A-2u."""
    assert_archival_pdf_is_pdfa(sealed, tmp_path)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="未安装 LibreOffice")
def test_libreoffice_places_the_docx_seal_as_the_pdf_does(
    sealed: BuildResult, tmp_path: Path
) -> None:
    """The DOCX's anchor, rendered by LibreOffice: centred over the issuer
    and 7.5 characters from the right edge (the date's centre on the grid:
    LibreOffice 7.4 spaces its digits apart, see test_parity.py), its top
    within one line below the text above, as in our PDF."""
    rendering = _convert(output(sealed, "docx"), tmp_path)
    drawn = images(rendering.pdf)
    number = next(n for n, found in drawn.items() if found)
    (seal,) = drawn[number]
    chars = read_pdf(rendering.pdf)[number - 1].chars
    issuer, date = line_box(chars, ISSUER), line_box(chars, DATE)
    assert seal.x1 - seal.x0 == pytest.approx(42 * MM, abs=0.5)
    right_edge = (BINDING if number % 2 else OUTER) + TEXT_WIDTH
    assert seal.centre == pytest.approx(right_edge - 7.5 * CHAR_PITCH, abs=1.0)
    assert seal.centre == pytest.approx(issuer.centre, abs=2.0)
    assert date.y1 < issuer.y0 + 1  # the date below the issuer, under the seal
    assert seal.y0 < date.y0
    text_bottom = min(c.y0 for c in chars if c.y0 > issuer.y1 + 1)
    assert 0 < text_bottom - seal.y1 <= LINE_PITCH


# --- 7.3.5.4 in the DOCX: the PDF's fit, set alike ---

FIT_PITCH_TWIPS = round(0.9 * 579)  # layout.FIT_LINE_HEIGHTS[2] of the grid's line


def _baseline_gaps(chars: list[Char], above: float) -> list[float]:
    """The gaps between the baselines of the text's lines (lines of the
    filler's characters only: not the page number, the 附件说明, the issuer
    or the date) above the height above."""
    lines: dict[float, list[Char]] = {}
    for char in chars:
        if char.y0 > above:
            lines.setdefault(round(char.baseline, 2), []).append(char)
    text = [b for b, line in lines.items() if all(c.text in IDEOGRAPHS for c in line)]
    return [a - b for a, b in itertools.pairwise(sorted(text, reverse=True))]


def _page_of(pages: list[Any], text: str) -> int:
    """The last page with a line text (the issuer's name may be the title's
    first line too)."""
    for number in range(len(pages), 0, -1):
        try:
            line_box(pages[number - 1].chars, text)
        except AssertionError:
            continue
        return number
    raise AssertionError(f"no line {text!r}")


def _exact_spacing(paragraph: Any) -> str | None:
    spacing = paragraph.find("w:pPr/w:spacing", NS)
    if spacing is None or spacing.get(f"{{{NS['w']}}}lineRule") != "exact":
        return None
    return str(spacing.get(f"{{{NS['w']}}}line"))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="未安装 LibreOffice")
def test_the_docx_takes_the_pdfs_fit_and_keeps_the_signature_on_its_page(tmp_path: Path) -> None:
    """A page of text, then two paragraphs and a sealed signature that only
    fit on the second page at 0.9 of the line pitch (fit step 3). The PDF
    sets the second page's paragraphs closer and not the first's; the DOCX
    (written by the pipeline's own writing step) carries that spacing on
    exactly those paragraphs and one blank line above the issuer; LibreOffice
    then puts issuer and date on the second page, as the PDF does; the DOCX
    without the fit would have them on a third."""
    seal = model.Seal(red_ring(tmp_path / "seal.png"), 42.0)
    blocks = (full_lines(22, 7), full_lines(18), full_lines(3, 5))
    doc = notice(*blocks, model.Signature(ISSUER, DATE, seal))
    pdf, docx = tmp_path / "fit.pdf", tmp_path / "fit.docx"
    template = word_template_for(WUSHUI)
    assert write_pdf_and_docx(doc, style_for(WUSHUI), template, pdf, docx) == 2
    pages = read_pdf(pdf)
    assert _page_of(pages, ISSUER) == _page_of(pages, DATE) == 2
    issuer = line_box(pages[1].chars, ISSUER)
    first, second = _baseline_gaps(pages[0].chars, 0), _baseline_gaps(pages[1].chars, issuer.y1)
    assert all(gap == pytest.approx(LINE_PITCH, abs=0.05) for gap in first)  # untouched
    assert all(gap == pytest.approx(FIT_PITCH_TWIPS / 20, abs=0.1) for gap in second)
    assert len(first) + 1 == 22 and len(second) + 1 == 18 + 3

    body = docx_xml(docx, "word/document.xml")
    spaced = {
        "".join(t.text or "" for t in p.iter(f"{{{NS['w']}}}t")): _exact_spacing(p)
        for p in body.iter(f"{{{NS['w']}}}p")
    }
    texts = [block.text for block in blocks]
    assert spaced[texts[0]] is None  # the first page's paragraph keeps the style's pitch
    assert spaced[texts[1]] == spaced[texts[2]] == str(FIT_PITCH_TWIPS)
    assert [t for t, line in spaced.items() if line == str(FIT_PITCH_TWIPS)] == texts[1:]
    (issuer_p,) = [p for p in body.iter(f"{{{NS['w']}}}p") if ISSUER in "".join(p.itertext())]
    before = issuer_p.find("w:pPr/w:spacing", NS).get(f"{{{NS['w']}}}before")
    assert before == "579"  # one blank line above the issuer, as the PDF's fit

    rendering = _convert(docx, tmp_path)
    rendered = read_pdf(rendering.pdf)
    assert len(rendered) == 2
    assert _page_of(rendered, ISSUER) == _page_of(rendered, DATE) == 2

    unfitted = tmp_path / "unfitted" / "fit.docx"
    unfitted.parent.mkdir()
    write_docx(doc, style_for(WUSHUI), template, unfitted)
    plain = read_pdf(_convert(unfitted, unfitted.parent).pdf)
    assert _page_of(plain, ISSUER) == 3  # what the fit saves


def _text(count: int, start: int) -> str:
    return "".join(IDEOGRAPHS[(start + i) % len(IDEOGRAPHS)] for i in range(count))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="未安装 LibreOffice")
def test_a_data_set_whose_seal_fits_only_tightened_gets_it_in_both_files(tmp_path: Path) -> None:
    """A sealed notice data set (shape notice, its own body of 22, 20 and 3
    full lines, 附件说明, two attachments) whose signature fits below the
    text only at 0.9 of the line pitch: gongwen build sets the last two
    paragraphs closer in the PDF and in the DOCX alike, the first not, and
    LibreOffice puts issuer and date on the PDF's page."""
    dataset = tmp_path / "wushui" / "2024"
    shutil.copytree(WUSHUI, dataset)
    red_ring(dataset / "印章.png")
    (dataset / "document.yaml").write_text(OWN_NOTICE + "seal: {image: 印章.png}\n", "utf-8")
    paragraphs = [_text(26 + 28 * 21, 3), _text(26 + 28 * 19, 11), _text(26 + 28 * 2, 5)]
    (dataset / "notice.md.j2").write_text("\n\n".join(paragraphs) + "\n", "utf-8")
    result = build(dataset, tmp_path / "out")

    pages = read_pdf(output(result, "pdf"))
    date = "2023年11月28日"  # OWN_NOTICE's
    number = _page_of(pages, ISSUER)
    assert _page_of(pages, date) == number
    issuer = line_box(pages[number - 1].chars, ISSUER)
    gaps = _baseline_gaps(pages[number - 1].chars, issuer.y1)
    assert gaps and all(gap == pytest.approx(FIT_PITCH_TWIPS / 20, abs=0.1) for gap in gaps)
    first_page = _baseline_gaps(pages[0].chars, 0)
    assert first_page and all(gap == pytest.approx(LINE_PITCH, abs=0.05) for gap in first_page)

    body = docx_xml(output(result, "docx"), "word/document.xml")
    tightened = [
        "".join(t.text or "" for t in p.iter(f"{{{NS['w']}}}t"))
        for p in body.iter(f"{{{NS['w']}}}p")
        if _exact_spacing(p) == str(FIT_PITCH_TWIPS)
    ]
    assert tightened == paragraphs[1:]

    rendered = read_pdf(_convert(output(result, "docx"), tmp_path).pdf)
    assert _page_of(rendered, ISSUER) == _page_of(rendered, date) == number
