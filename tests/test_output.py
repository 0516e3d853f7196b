"""The built 武水镇 notice: the same text in both files, the GB/T 9704 settings
in the DOCX XML, and every font embedded in the PDF. The repaired seed text,
paragraph for paragraph, is checked for every office in tests/test_offices.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from generator.build.pipeline import BuildResult, build
from tests.conftest import WUSHUI, W, docx_paragraphs, docx_xml, pdf_pages_text, squeeze

MM = 1440 / 25.4  # twips per millimetre


def _files(result: BuildResult) -> tuple[Path, Path]:
    by_format = {f.format: result.out_dir / f.path for f in result.files}
    return by_format["docx"], by_format["pdf"]


def test_manifest_lists_every_file_with_its_hash(wushui_build: BuildResult) -> None:
    manifest = json.loads((wushui_build.out_dir / "manifest.json").read_text("utf-8"))
    formats = sorted(entry["format"] for entry in manifest["files"])
    assert formats == ["docx", "pdf"]
    for entry in manifest["files"]:
        data = (wushui_build.out_dir / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["pages"] == len(pdf_pages_text(_files(wushui_build)[1]))


def test_docx_and_pdf_hold_the_same_text(wushui_build: BuildResult) -> None:
    docx, pdf = _files(wushui_build)
    docx_text = squeeze("".join(docx_paragraphs(docx)))
    pages = pdf_pages_text(pdf)
    # A table running onto the next page repeats its header row there (as it
    # must); the DOCX holds it once, so drop each repetition before comparing.
    headers = {"序号村委户籍人口数基数任务", "村委镇责任领导镇责任干部村委责任人村经办员"}
    for index in range(1, len(pages)):
        for header in headers:
            if pages[index].startswith(header) and header in "".join(pages[:index]):
                pages[index] = pages[index].removeprefix(header)
    pdf_text = "".join(pages)
    assert docx_text == pdf_text
    assert len(pdf_text) > 4500  # the whole notice, plan and both tables


def test_parts_and_attachments_start_on_new_pages(wushui_build: BuildResult) -> None:
    pages = pdf_pages_text(_files(wushui_build)[1])
    starts = [
        "临武县武水镇人民政府文件",
        "武水镇2024年度城乡居民基本医疗保险",
        "附件1武水镇2024年度居民医保缴费各村人口参考基数表",
        "附件2武水镇2024年度居民医保筹资任务人员安排表",
    ]
    assert all(any(page.startswith(s) for page in pages) for s in starts)


def test_docx_page_setup_and_grid(wushui_build: BuildResult) -> None:
    document = docx_xml(_files(wushui_build)[0], "word/document.xml")
    sect = document.find(f"{W}body/{W}sectPr")
    assert sect is not None
    size, margins, grid = (sect.find(f"{W}{tag}") for tag in ("pgSz", "pgMar", "docGrid"))
    assert size is not None and margins is not None and grid is not None
    assert (int(size.get(f"{W}w")), int(size.get(f"{W}h"))) == (round(210 * MM), round(297 * MM))
    for side, mm in (("top", 37), ("bottom", 35), ("left", 28), ("right", 26)):
        assert abs(int(margins.get(f"{W}{side}")) - mm * MM) <= 1, side
    assert grid.get(f"{W}type") == "lines"
    assert grid.get(f"{W}linePitch") == "579"


def test_docx_styles_name_east_asian_faces(wushui_build: BuildResult) -> None:
    styles = docx_xml(_files(wushui_build)[0], "word/styles.xml")
    east_asian = {
        fonts.get(f"{W}eastAsia")
        for fonts in styles.iter(f"{W}rFonts")
        if fonts.get(f"{W}eastAsia")
    }
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"} <= east_asian


def test_docx_odd_and_even_footers_carry_page_fields(wushui_build: BuildResult) -> None:
    docx = _files(wushui_build)[0]
    settings = docx_xml(docx, "word/settings.xml")
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    sect = docx_xml(docx, "word/document.xml").find(f"{W}body/{W}sectPr")
    assert sect is not None
    kinds = {ref.get(f"{W}type") for ref in sect.iter(f"{W}footerReference")}
    assert {"default", "even"} <= kinds
    rels = docx_xml(docx, "word/_rels/document.xml.rels")
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    for ref in sect.iter(f"{W}footerReference"):
        footer = docx_xml(docx, "word/" + targets[ref.get(f"{R}id")])
        instructions = "".join(footer.itertext(f"{W}instrText"))
        assert "PAGE" in instructions
        assert "—" in "".join(footer.itertext(f"{W}t"))


def test_every_pdf_font_is_embedded(wushui_build: BuildResult) -> None:
    with _files(wushui_build)[1].open("rb") as handle:
        document = PDFDocument(PDFParser(handle))
        fonts = {}
        for page in PDFPage.create_pages(document):
            for name, ref in resolve1(page.resources.get("Font", {})).items():
                fonts[name] = resolve1(ref)
        assert fonts
        for font in fonts.values():
            descendant = (
                resolve1(resolve1(font["DescendantFonts"])[0])
                if "DescendantFonts" in font
                else font
            )
            descriptor = resolve1(descendant["FontDescriptor"])
            assert {"FontFile", "FontFile2", "FontFile3"} & set(descriptor), font.get("BaseFont")


def test_builds_are_byte_identical_from_any_directory(
    wushui_build: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # shared templates come from the package, not the cwd
    again = build(WUSHUI, tmp_path / "again")
    for first, second in zip(wushui_build.files, again.files, strict=True):
        assert first.sha256 == second.sha256, first.path
