"""The OFD writer (gongwen build --ofd): GB/T 33190's package structure, the
PDF's pages with the same text at the same positions, the fonts inside,
vector rules, the document's metadata, deterministic bytes; read by an
independent reader (easyofd)."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image as PilImage

from generator.build.pipeline import BuildResult, build
from generator.cli import main
from generator.writers.ofd.package import Metadata, package
from generator.writers.ofd.pdfpages import read_pages
from tests.conftest import WUSHUI, copy_publishable_wushui, read_pdf, squeeze

NS = "{http://www.ofdspec.org/2016}"
MM = 25.4 / 72
RED = "230 0 18"  # the letterhead's and the red line's colour in the style profile


@dataclass(frozen=True)
class Built:
    result: BuildResult
    pdf: Path
    ofd: Path
    entries: dict[str, bytes]

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.entries[name])

    def page_names(self) -> list[str]:
        pages = self.xml("Doc_0/Document.xml").find(f"{NS}Pages")
        assert pages is not None
        return [f"Doc_0/{page.get('BaseLoc')}" for page in pages]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    result = build(WUSHUI, tmp_path_factory.mktemp("ofd"), ofd=True)
    pdf = result.out_dir / "wushui-2024.pdf"
    ofd = result.out_dir / "wushui-2024.ofd"
    with zipfile.ZipFile(ofd) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    return Built(result, pdf, ofd, entries)


@dataclass(frozen=True)
class OfdGlyph:
    text: str
    x: float  # origin, mm from the page's left edge
    baseline: float  # mm from the page's top edge
    size: float
    font: str


def ofd_glyphs(content: etree._Element) -> list[OfdGlyph]:
    """Every character of a Content.xml with its origin, as a reader places it."""
    glyphs = []
    for text in content.iter(f"{NS}TextObject"):
        left, top, _, _ = (float(v) for v in text.get("Boundary", "").split())
        for code in text.iter(f"{NS}TextCode"):
            deltas = [float(v) for v in (code.get("DeltaX") or "").split()]
            x = left + float(code.get("X", "0"))
            y = top + float(code.get("Y", "0"))
            for char, step in zip(code.text or "", [0.0, *deltas], strict=True):
                x += step
                glyphs.append(
                    OfdGlyph(char, x, y, float(text.get("Size", "0")), text.get("Font", ""))
                )
    return glyphs


def test_the_package_follows_gbt_33190s_structure(built: Built) -> None:
    """OFD.xml → DocBody → DocRoot → Document.xml → Pages → Content.xml, the
    resource files it names, IDs unique and within MaxUnitID."""
    entry = built.xml("OFD.xml")
    assert entry.tag == f"{NS}OFD" and entry.get("DocType") == "OFD"
    assert entry.get("Version") == "1.0"
    body = entry.find(f"{NS}DocBody")
    assert body is not None
    assert [child.tag for child in body] == [f"{NS}DocInfo", f"{NS}DocRoot"]
    assert body.findtext(f"{NS}DocRoot") == "Doc_0/Document.xml"
    info = body.find(f"{NS}DocInfo")
    assert info is not None
    assert [c.tag.removeprefix(NS) for c in info] == [
        "DocID",
        "Title",
        "Author",
        "CreationDate",
        "Creator",
        "CreatorVersion",
        "CustomDatas",
    ]  # the order of CT_DocInfo's sequence

    document = built.xml("Doc_0/Document.xml")
    common = document.find(f"{NS}CommonData")
    assert common is not None
    assert [c.tag.removeprefix(NS) for c in common] == [
        "MaxUnitID",
        "PageArea",
        "PublicRes",
        "DocumentRes",
    ]
    assert common.findtext(f"{NS}PageArea/{NS}PhysicalBox") == "0 0 210 297"  # A4, mm
    for res in ("PublicRes", "DocumentRes"):
        assert f"Doc_0/{common.findtext(f'{NS}{res}')}" in built.entries
    pages = built.page_names()
    assert len(pages) == len(read_pdf(built.pdf)) == built.result.files[1].pages
    assert all(name in built.entries for name in pages)
    assert pages == [f"Doc_0/Pages/Page_{n}/Content.xml" for n in range(len(pages))]

    ids: list[int] = []
    for name, data in built.entries.items():
        if name.endswith(".xml"):
            root = etree.fromstring(data)
            ids += [int(e.get("ID", "")) for e in root.iter() if e.get("ID") is not None]
    assert len(ids) == len(set(ids))
    assert max(ids) == int(common.findtext(f"{NS}MaxUnitID") or 0)
    for name in pages:
        page = built.xml(name)
        assert page.tag == f"{NS}Page"
        layers = page.findall(f"{NS}Content/{NS}Layer")
        assert len(layers) == 1 and layers[0].get("Type") == "Body"
        for obj in layers[0]:
            assert obj.tag in (f"{NS}TextObject", f"{NS}PathObject")
            assert len(obj.get("Boundary", "").split()) == 4


def test_each_page_has_the_pdf_pages_text_as_easyofd_reads_it(built: Built) -> None:
    """An independent reader, easyofd's parser, finds on each page the text
    of the PDF's page, in the same order."""
    from easyofd.parser_ofd import OFDParser

    logging.disable(logging.WARNING)  # easyofd logs every font it cannot find
    try:
        import base64

        documents = OFDParser(base64.b64encode(built.ofd.read_bytes()).decode())()
    finally:
        logging.disable(logging.NOTSET)
    pages = documents[0]["page_info"]
    pdf = read_pdf(built.pdf)
    assert len(pages) == len(pdf)
    for number, page in enumerate(pdf):
        ofd_text = "".join(cell["text"] for cell in pages[number]["text_list"])
        assert squeeze(ofd_text) == squeeze("".join(c.text for c in page.chars)), number + 1
    assert "临武县武水镇人民政府文件" in pages[0]["text_list"][0]["text"]


def test_every_glyph_is_where_the_pdf_draws_it(built: Built) -> None:
    """Origins and sizes equal the PDF's glyphs', to a thousandth of a
    millimetre: the layout's own positions, justified lines included."""
    pdf = read_pdf(built.pdf)
    height = 841.889764
    for number, name in enumerate(built.page_names()):
        ofd = [g for g in ofd_glyphs(built.xml(name)) if g.text.strip()]
        chars = pdf[number].chars
        assert [g.text for g in ofd] == [c.text for c in chars]
        for glyph, char in zip(ofd, chars, strict=True):
            assert glyph.x == pytest.approx(char.x0 * MM, abs=0.0015), (number, char)
            assert glyph.baseline == pytest.approx((height - char.baseline) * MM, abs=0.0015)
            assert glyph.size == pytest.approx(char.size * MM, abs=0.0015)


def test_the_fonts_are_inside_as_subsets_covering_their_text(built: Built) -> None:
    public = built.xml("Doc_0/PublicRes.xml")
    base = public.get("BaseLoc")
    fonts = {}
    for font in public.iter(f"{NS}Font"):
        data = built.entries[f"Doc_0/{base}/{font.findtext(f'{NS}FontFile')}"]
        fonts[font.get("ID")] = TTFont(io.BytesIO(data))
    assert {"FandolFang", "FandolSong-Bold", "FandolHei", "FandolKai"} <= {
        f.get("FontName") for f in public.iter(f"{NS}Font")
    }
    used: dict[str, set[str]] = {}
    for name in built.page_names():
        for glyph in ofd_glyphs(built.xml(name)):
            used.setdefault(glyph.font, set()).add(glyph.text)
    assert set(used) == set(fonts)
    for font_id, chars in used.items():
        font = fonts[font_id]
        cmap = font.getBestCmap()
        glyphs = font.getGlyphSet()
        for char in chars - {" "}:
            assert ord(char) in cmap, (font_id, char)
            assert glyphs[cmap[ord(char)]].width > 0
        # A subset: the glyphs of the characters the document uses, not the
        # face's thousands (a radical's code point may share its character's glyph).
        assert len(set(cmap.values())) <= len(chars), (font_id, len(cmap), len(chars))


def test_the_red_line_and_the_table_rules_are_vector_paths(built: Built) -> None:
    pdf = read_pdf(built.pdf)
    first = built.xml(built.page_names()[0])
    red = [p for p in first.iter(f"{NS}PathObject") if p.find(f"{NS}FillColor") is not None]
    assert red and all(p.find(f"{NS}FillColor").get("Value") == RED for p in red)
    x0, _, x1, y1 = pdf[0].rects[0]
    box = [float(v) for v in red[-1].get("Boundary", "").split()]
    assert box[0] == pytest.approx(x0 * MM, abs=0.001)
    assert box[2] == pytest.approx((x1 - x0) * MM, abs=0.001)
    assert box[1] == pytest.approx((841.889764 - y1) * MM, abs=0.001)
    for number, name in enumerate(built.page_names()):
        stroked = [
            p
            for p in built.xml(name).iter(f"{NS}PathObject")
            if p.find(f"{NS}StrokeColor") is not None
        ]
        assert len(stroked) == len(pdf[number].rules)
        for path in stroked:
            assert path.get("LineWidth") == "0.176"  # 0.5 pt
            assert path.findtext(f"{NS}AbbreviatedData", "").startswith("M ")
    assert sum(len(p.rules) for p in pdf) > 100  # the plan's tables are ruled


def test_the_document_metadata_has_title_issuer_date_and_number(built: Built) -> None:
    info = built.xml("OFD.xml").find(f"{NS}DocBody/{NS}DocInfo")
    assert info is not None
    assert info.findtext(f"{NS}Title", "").startswith("临武县武水镇人民政府关于印发")
    assert info.findtext(f"{NS}Author") == "临武县武水镇人民政府"
    assert info.findtext(f"{NS}CreationDate") == "2023-11-24"
    custom = {c.get("Name"): c.text for c in info.iter(f"{NS}CustomData")}
    assert custom == {
        "发文字号": "武政发〔2023〕80号",
        "发文机关": "临武县武水镇人民政府",
        "成文日期": "2023年11月24日",
    }
    assert len(info.findtext(f"{NS}DocID", "")) == 32


def test_the_bytes_are_deterministic(built: Built, tmp_path: Path) -> None:
    again = build(WUSHUI, tmp_path, ofd=True)
    assert (again.out_dir / built.ofd.name).read_bytes() == built.ofd.read_bytes()
    with zipfile.ZipFile(built.ofd) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_the_manifest_lists_the_ofd_and_a_build_without_it_removes_it(
    built: Built, tmp_path: Path
) -> None:
    listed = {f.path: f for f in built.result.files}
    assert listed[built.ofd.name].format == "ofd"
    manifest = json.loads((built.result.out_dir / "manifest.json").read_text("utf-8"))
    assert built.ofd.name in [f["path"] for f in manifest["files"]]

    out = tmp_path / "out"
    assert main(["build", str(WUSHUI), "--out", str(out), "--ofd"]) == 0
    assert (out / built.ofd.name).read_bytes() == built.ofd.read_bytes()
    assert main(["build", str(WUSHUI), "--out", str(out)]) == 0
    assert not (out / built.ofd.name).exists()
    assert main(["verify", str(out)]) == 0


def test_easyofd_renders_it(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """easyofd draws the first page through reportlab: the page's size and its
    red line where the PDF has them. (reportlab cannot draw CFF fonts, so
    easyofd's picture has no text; the text is checked above.)"""
    import base64

    import pymupdf
    from easyofd.ofd import OFD

    monkeypatch.chdir(tmp_path)  # easyofd writes the fonts it tries into the working folder
    logging.disable(logging.WARNING)
    try:
        ofd = OFD()
        ofd.read(base64.b64encode(built.ofd.read_bytes()).decode(), fmt="b64")
        pages = ofd.data[0]["page_info"]
        for number in list(pages)[1:]:  # one page: reportlab's font lookups are slow
            del pages[number]
        rendered = ofd.to_pdf()
    finally:
        logging.disable(logging.NOTSET)
    document = pymupdf.open(stream=rendered, filetype="pdf")  # type: ignore[no-untyped-call]
    assert document.page_count == 1
    page = document[0]
    scale = page.rect.width / 210  # easyofd's pixels per millimetre
    assert page.rect.height / scale == pytest.approx(297, abs=0.01)
    lines = [
        d
        for d in page.get_drawings()
        if d.get("color") == pytest.approx((0.902, 0, 0.071), abs=0.001)
    ]
    assert len(lines) == 1
    x0, _, x1, y1 = read_pdf(built.pdf)[0].rects[0]
    assert lines[0]["rect"].x0 / scale == pytest.approx(x0 * MM, abs=0.3)
    assert lines[0]["rect"].x1 / scale == pytest.approx(x1 * MM, abs=0.3)
    assert lines[0]["rect"].y0 / scale == pytest.approx((841.889764 - y1) * MM, abs=0.5)


def test_a_picture_in_the_pdf_becomes_an_image_object_with_its_file(tmp_path: Path) -> None:
    """How a seal goes in: a PNG with transparency drawn in the PDF is stored
    once in DocumentRes and placed where the PDF draws it, over the text."""
    import base64

    from weasyprint import HTML

    seal = PilImage.new("RGBA", (40, 40), (0, 0, 0, 0))
    for x in range(40):
        for y in range(40):
            if (x - 20) ** 2 + (y - 20) ** 2 < 300:
                seal.putpixel((x, y), (230, 0, 18, 200))
    png = io.BytesIO()
    seal.save(png, "PNG")
    source = base64.b64encode(png.getvalue()).decode()
    html = (
        "<style>@page { size: A4; margin: 0 } img { position: absolute; left: 120mm;"
        " top: 230mm; width: 42mm; height: 42mm }</style><p>签名</p>"
        f'<img src="data:image/png;base64,{source}"><img src="data:image/png;base64,{source}">'
    )
    pdf = tmp_path / "seal.pdf"
    HTML(string=html).write_pdf(pdf)
    pages = read_pages(pdf)
    data = package(pages, Metadata("t", "a", "2024-01-01", "g", "0"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        res = etree.fromstring(archive.read("Doc_0/DocumentRes.xml"))
        (media,) = res.iter(f"{NS}MultiMedia")  # the same picture stored once
        assert media.get("Type") == "Image" and media.get("Format") == "PNG"
        stored = archive.read(f"Doc_0/{res.get('BaseLoc')}/{media.findtext(f'{NS}MediaFile')}")
        layer = etree.fromstring(archive.read("Doc_0/Pages/Page_0/Content.xml"))[0][0]
    assert PilImage.open(io.BytesIO(stored)).convert("RGBA").tobytes() == seal.tobytes()
    images = layer.findall(f"{NS}ImageObject")
    assert len(images) == 2 and layer[0].tag == f"{NS}TextObject"
    for image in images:
        assert image.get("ResourceID") == media.get("ID")
        box = [float(v) for v in image.get("Boundary", "").split()]
        assert box == pytest.approx([120, 230, 42, 42], abs=0.01)
        assert image.get("CTM") == f"{box[2]:g} 0 0 {box[3]:g} 0 0"


def test_publish_with_ofd_archives_it_and_a_later_ofd_request_makes_a_revision(
    tmp_path: Path,
) -> None:

    from generator.archive.publish import publish

    dataset = copy_publishable_wushui(tmp_path / "wushui" / "2024")
    root = tmp_path / "archive"
    plain = publish(dataset, root)
    with_ofd = publish(dataset, root, ofd=True)
    assert with_ofd.created and with_ofd.revision == plain.revision + 1
    manifest = json.loads((with_ofd.folder / "manifest.json").read_text("utf-8"))
    (entry,) = [f for f in manifest["files"] if f["path"].endswith(".ofd")]
    assert entry["format"] == "ofd" and entry["pages"] == 13
    assert not publish(dataset, root, ofd=True).created
    assert main(["verify", str(root)]) == 0


def test_a_glyph_the_cmap_would_not_choose_is_named_by_a_cgtransform(built: Built) -> None:
    """Where the PDF draws a character with another glyph than the font's cmap
    gives it (a variant form), the OFD names that glyph: readers draw what the
    PDF draws."""
    import dataclasses

    from generator.writers.ofd.pdfpages import Glyph

    page = read_pages(built.pdf)[0]
    glyphs = [i for i in page.items if isinstance(i, Glyph)]
    target = glyphs[2]  # the letterhead's third character
    variant = next(g.cid for g in glyphs if g.font is target.font and g.text != target.text)
    page.items[page.items.index(target)] = dataclasses.replace(target, cid=variant)
    data = package([page], Metadata("t", "a", "2024-01-01", "g", "0"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = etree.fromstring(archive.read("Doc_0/Pages/Page_0/Content.xml"))
    (transform,) = content.iter(f"{NS}CGTransform")
    assert transform.get("CodePosition") == "2" and transform.get("CodeCount") == "1"
    assert transform.findtext(f"{NS}Glyphs") == str(variant)
    parent = transform.getparent()
    assert parent is not None and parent.findtext(f"{NS}TextCode") == "临武县武水镇人民政府文件"


def test_a_page_of_another_size_has_its_own_area(built: Built) -> None:
    import dataclasses

    first, second = read_pages(built.pdf)[:2]
    wide = dataclasses.replace(second, width=second.height, height=second.width)
    data = package([first, wide], Metadata("t", "a", "2024-01-01", "g", "0"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pages = [
            etree.fromstring(archive.read(f"Doc_0/Pages/Page_{n}/Content.xml")) for n in (0, 1)
        ]
    assert pages[0].find(f"{NS}Area") is None
    assert pages[1][0].tag == f"{NS}Area"  # before Content, as CT_Page orders them
    assert pages[1].findtext(f"{NS}Area/{NS}PhysicalBox") == "0 0 297 210"
