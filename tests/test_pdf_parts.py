"""The PDF laid out part by part (pdf.render_parts: each part that starts on a
new page laid out as a document of its own, from the page it starts on, the
pages joined) is byte for byte the PDF of the whole document laid out at once;
and a part whose HTML and first page did not change is not laid out again."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from weasyprint.text.ffi import ffi, harfbuzz

from generator import model
from generator.build.pipeline import prepare, style_for
from generator.cli import main
from generator.style.profile import StyleProfile as Style
from generator.writers import pdf
from generator.writers.css import stylesheet
from generator.writers.html import pdf_html, to_html
from generator.writers.laid_out import MAX_NAMES, LaidOut
from generator.writers.weasyprint_internals import reuse
from tests.conftest import WUSHUI, read_pdf
from tests.test_seal import ISSUER, full_lines, red_ring, sealed_copy

REPO = Path(__file__).resolve().parents[1]
A4_WIDTH = 595.28
STYLE = style_for(WUSHUI)


def _whole(
    document: model.Document, folder: Path, variant: str | None = None, style: Style = STYLE
) -> bytes:
    """The PDF of the whole document laid out at once (WeasyPrint's route; its
    own parser and stylesheets give the same bytes, test_pdf_speedups.py)."""
    css = stylesheet(style)
    html = to_html(document, style, css)
    has_imprint = any(isinstance(b, model.Imprint) for b in document.blocks())
    own_page = to_html(document, style, css, imprint_own_page=True) if has_imprint else None
    rendered = pdf.render_html(html, own_page, folder)
    out = folder / "whole.pdf"
    pdf.write_rendered(rendered, out, variant, reuse=False)
    return out.read_bytes()


def _by_parts(
    document: model.Document,
    folder: Path,
    variant: str | None = None,
    keep_as: str | None = None,
    style: Style = STYLE,
) -> tuple[bytes, tuple[int, ...]]:
    out = folder / "parts.pdf"
    written = pdf.write_parts(pdf_html(document, style), out, variant, keep_as)
    data = out.read_bytes()
    assert written.pages == len(read_pdf(out))
    return data, written.laid_out


def _prepared(dataset: Path) -> model.Document:
    assert style_for(dataset) == STYLE  # every data set here has wushui's style
    return prepare(dataset)[1]


# ---------------------------------------------------------------- the data sets


@pytest.mark.parametrize(
    "dataset",
    [
        "data/wushui/2024",
        "data/wuhe/2024",
        "data/lidu/2024",
        "data/yunxi/2025",
        "tests/data/qingshan/2024",
    ],
)
def test_every_data_set_gives_the_whole_documents_bytes(dataset: str, tmp_path: Path) -> None:
    style = style_for(REPO / dataset)
    document = prepare(REPO / dataset)[1]
    assert len(pdf_html(document, style)) > 1  # parts to join
    ours = _by_parts(document, tmp_path, style=style)[0]
    assert ours == _whole(document, tmp_path, style=style)


def test_the_scaffold_gives_the_whole_documents_bytes(tmp_path: Path) -> None:
    target = tmp_path / "data" / "示例镇" / "2025"
    assert main(["init", str(target), "--name", "示例镇", "--year", "2025"]) == 0
    style, document = style_for(target), prepare(target)[1]
    assert _by_parts(document, tmp_path, style=style)[0] == _whole(document, tmp_path, style=style)


def test_a_sealed_notice_and_the_archival_variant_give_the_whole_documents_bytes(
    tmp_path: Path,
) -> None:
    document = _prepared(sealed_copy(tmp_path, "{image: 印章.png, diameter_mm: 42}"))
    assert any(isinstance(b, model.Signature) and b.seal for b in document.blocks())
    for variant in (None, "pdf/a-2u"):
        assert _by_parts(document, tmp_path, variant)[0] == _whole(document, tmp_path, variant)


# ------------------------------------------- 版记, page numbers, sealed fitting

INFO = model.DocumentInfo("标题", "作者", "2023-11-24", "zh-CN")
IMPRINT = model.Imprint("某某镇党政综合办公室", "2023年11月24日印发", "县医保局")


def _attachment(number: int, lines: int, *more: model.Block) -> model.Part:
    heading = model.AttachmentHeading(f"附件{number}", model.Title((f"附件标题{number}",)))
    return model.Part(model.PartKind.ATTACHMENT, (heading, full_lines(lines, number), *more))


def _document(notice_lines: int, attachment_lines: int, seal: model.Seal | None = None) -> Any:
    notice = model.Part(
        model.PartKind.NOTICE,
        (
            model.Title(("关于某事的通知",)),
            model.Addressee("各村："),
            full_lines(notice_lines),
            model.Signature(ISSUER, "2023年11月24日", seal),
        ),
        new_page=False,
    )
    plan = model.Part(model.PartKind.PLAN, (model.Title(("方案",)), full_lines(30, 7)))
    return model.Document(
        INFO, (notice, plan, _attachment(1, 3), _attachment(2, attachment_lines, IMPRINT))
    )


def _layout_of(data: bytes, folder: Path) -> tuple[int, int, list[int]]:
    """The page the 版记 is on, the page count and the blank pages, read from
    the PDF."""
    out = folder / "read.pdf"
    out.write_bytes(data)
    pages = read_pdf(out)
    texts = ["".join(c.text for c in p.chars) for p in pages]
    on = [number for number, text in enumerate(texts, 1) if "印发" in text]
    return on[-1], len(pages), [number for number, text in enumerate(texts, 1) if not text]


@pytest.mark.parametrize(
    ("notice_lines", "attachment_lines", "where"),
    [
        (5, 3, (6, 6, [])),  # the last part starts on page 5, the 版记 has page 6 to itself
        (5, 30, (6, 6, [])),  # … and shares page 6 with the text
        (30, 3, (6, 6, [])),  # the last part starts on page 6, the 版记 shares it
        (30, 16, (8, 8, [7])),  # … and has page 8 to itself, after a blank page 7
        (30, 20, (8, 8, [])),  # … has page 8 to itself, the text going on to page 7
    ],
)
def test_the_imprint_lands_on_an_even_page_as_in_the_whole_document(
    notice_lines: int, attachment_lines: int, where: tuple[int, int, list[int]], tmp_path: Path
) -> None:
    document = _document(notice_lines, attachment_lines)
    ours, _ = _by_parts(document, tmp_path)
    assert _layout_of(ours, tmp_path) == where
    assert ours == _whole(document, tmp_path)


@pytest.mark.parametrize("filler", [16, 18, 21])
def test_a_sealed_signature_fitted_gives_the_whole_documents_bytes(
    filler: int, tmp_path: Path
) -> None:
    """test_seal.py's cases (fitted closer at 16 and 18 lines, kept with text
    at 21), followed by a plan and attachments."""
    seal = model.Seal(red_ring(tmp_path / "seal.png"), 42.0)
    document = _document(filler, 3, seal)
    notice = document.parts[0]
    blocks = (*notice.blocks[:2], full_lines(filler), full_lines(3, 5), *notice.blocks[3:])
    document = replace(document, parts=(replace(notice, blocks=blocks), *document.parts[1:]))
    assert _by_parts(document, tmp_path)[0] == _whole(document, tmp_path)


def test_a_run_of_parts_after_the_first_is_laid_out_as_one(tmp_path: Path) -> None:
    """A part that does not start on a new page goes on the page of the part
    before it, in the whole document and part by part."""
    document = _document(5, 3)
    continued = replace(document.parts[3], new_page=False)
    document = replace(document, parts=(*document.parts[:3], continued))
    assert len(pdf_html(document, STYLE)) == 3
    assert _by_parts(document, tmp_path)[0] == _whole(document, tmp_path)


def test_each_part_carries_its_page_numbers_on_its_sides(tmp_path: Path) -> None:
    """Page numbers run on across the parts, on the outer side: right on odd
    pages, left on even ones."""
    ours, _ = _by_parts(_document(30, 3), tmp_path)
    (tmp_path / "read.pdf").write_bytes(ours)
    pages = read_pdf(tmp_path / "read.pdf")
    for number, page in enumerate(pages[:5], 1):
        foot = [c for c in page.chars if c.y1 < 100]
        assert "".join(c.text for c in foot).replace(" ", "") == f"—{number}—"
        centre = (min(c.x0 for c in foot) + max(c.x1 for c in foot)) / 2
        assert (centre > A4_WIDTH / 2) == (number % 2 == 1), number


# ------------------------------------------------------------- kept parts


class Layouts:
    """Counts pdf._layout calls (each a layout of one part's HTML)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        layout = pdf._layout

        def counted(html: str, base_url: Path, first_page: int) -> Any:
            self.count += 1
            return layout(html, base_url, first_page)

        monkeypatch.setattr(pdf, "_layout", counted)

    def taken(self) -> int:
        count, self.count = self.count, 0
        return count


def _edit(dataset: Path, name: str, old: str, new: str) -> None:
    path = dataset / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_an_office_sharing_anothers_wording_reuses_its_subsets_and_pages(
    tmp_path: Path,
) -> None:
    """As a batch's worker does: where the second office's faces keep the same
    glyphs and its pages are the same, their subsets and compressed streams
    are the first office's, and its PDF is still WeasyPrint's, byte for byte."""
    offices = []
    for name, issuer in (("one", "甲乙"), ("two", "丙丁")):
        copy = tmp_path / name / "2024"
        shutil.copytree(WUSHUI, copy)
        document_yaml = copy / "document.yaml"
        document_yaml.write_text(
            document_yaml.read_text("utf-8").replace("武水", issuer), encoding="utf-8"
        )
        offices.append(_prepared(copy))
    _by_parts(offices[0], tmp_path / "one")  # the build's route: painted ahead
    subsets, compressed = reuse.subsets.hits, reuse.compressed.hits
    ours, _ = _by_parts(offices[1], tmp_path / "two")
    assert ours == _whole(offices[1], tmp_path / "two")
    assert reuse.subsets.hits - subsets >= 3  # 楷体 and 黑体 headings, page numbers
    assert reuse.compressed.hits - compressed >= 3 + 5  # those subsets, the tables' pages


def test_faces_are_told_apart_by_their_tables_not_only_their_head() -> None:
    """A font tool that changed a table and left the head table as it was
    (its checksum stale) makes another face: its subsets are its own."""
    original = _tiny_font("甲")
    renamed = _tiny_font("甲乙丙")
    # the first font's head table in the second: the same bytes, same length
    head = _table_offset(original, b"head")
    renamed_head = _table_offset(renamed, b"head")
    renamed = renamed[:renamed_head] + original[head : head + 54] + renamed[renamed_head + 54 :]
    identities = [reuse._face_identity(_hb_face(font)) for font in (original, renamed)]
    assert identities[0][:54] == identities[1][:54]  # the same head table
    assert identities[0] != identities[1]
    assert identities[0] == reuse._face_identity(_hb_face(_tiny_font("甲")))


def _tiny_font(family: str) -> bytes:
    """A one-glyph TrueType font named family (the name table's length)."""
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef"])
    builder.setupCharacterMap({})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.font["head"].created = builder.font["head"].modified = 0
    out = io.BytesIO()
    builder.font.save(out, reorderTables=True)
    return out.getvalue()


def _table_offset(font: bytes, tag: bytes) -> int:
    count = int.from_bytes(font[4:6], "big")
    for entry in range(12, 12 + 16 * count, 16):
        if font[entry : entry + 4] == tag:
            return int.from_bytes(font[entry + 8 : entry + 12], "big")
    raise AssertionError(tag)


_kept_alive: list[Any] = []


def _hb_face(font: bytes) -> Any:
    """A HarfBuzz face of font's bytes, through WeasyPrint's own cffi handle."""
    ffi.cdef(
        "hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode,"
        " void *user_data, void *destroy);"
        "hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);",
        override=True,
    )
    data = ffi.new("char[]", font)
    blob = harfbuzz.hb_blob_create(data, len(font), 1, ffi.NULL, ffi.NULL)  # read-only
    face = ffi.gc(harfbuzz.hb_face_create(blob, 0), harfbuzz.hb_face_destroy)
    harfbuzz.hb_blob_destroy(blob)
    _kept_alive.append(data)  # the face reads the bytes in place
    return face


def test_only_the_parts_that_changed_are_laid_out_again(
    dataset_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts = Layouts(monkeypatch)
    document = _prepared(dataset_copy)
    parts = len(pdf_html(document, STYLE))
    assert parts == 4  # notice, plan, two attachments
    first, laid_out = _by_parts(document, tmp_path, keep_as="wushui")
    assert laid_out == (0, 1, 2, 3) and layouts.taken() == 4

    # Nothing changed: nothing laid out, nothing subset or compressed again,
    # the same bytes.
    subsets, compressed = reuse.subsets.hits, reuse.compressed.hits
    again, laid_out = _by_parts(document, tmp_path, keep_as="wushui")
    assert (again, laid_out, layouts.taken()) == (first, (), 0)
    assert reuse.subsets.hits - subsets >= 5  # every face (黑体, 楷体, 仿宋, 小标宋, …)
    assert reuse.compressed.hits - compressed >= 13 + 5  # every page and every subset

    # A few words in the plan: the plan alone (its page count is the same).
    _edit(dataset_copy, "plan.md.j2", "制定本方案", "特制定本方案")
    document = _prepared(dataset_copy)
    ours, laid_out = _by_parts(document, tmp_path, keep_as="wushui")
    assert (laid_out, layouts.taken()) == ((1,), 1)
    assert ours == _whole(document, tmp_path) != first
    layouts.taken()

    # A character not in the document before: its face subset anew.
    _edit(dataset_copy, "plan.md.j2", "特制定本方案", "特制定本方案（龘）")
    document = _prepared(dataset_copy)
    ours, laid_out = _by_parts(document, tmp_path, keep_as="wushui")
    assert (laid_out, layouts.taken()) == ((1,), 1)
    assert ours == _whole(document, tmp_path)
    layouts.taken()

    # A page more in the plan: the plan and every part after it.
    _edit(dataset_copy, "plan.md.j2", "特制定本方案", "特制定本方案" + "的" * 700)
    document = _prepared(dataset_copy)
    ours, laid_out = _by_parts(document, tmp_path, keep_as="wushui")
    assert (laid_out, layouts.taken()) == ((1, 2, 3), 3)
    assert ours == _whole(document, tmp_path)


def test_a_parameter_lays_out_the_parts_that_show_it(
    dataset_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts = Layouts(monkeypatch)
    before = pdf_html(_prepared(dataset_copy), STYLE)
    _by_parts(_prepared(dataset_copy), tmp_path, keep_as="wushui")
    layouts.taken()
    _edit(dataset_copy, "policy.yaml", "amount: 380", "amount: 382")
    document = _prepared(dataset_copy)
    after = pdf_html(document, STYLE)
    changed = tuple(i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a)
    assert changed and len(changed) < len(after)
    ours, laid_out = _by_parts(document, tmp_path, keep_as="wushui")
    assert laid_out == changed and layouts.taken() == len(changed)
    assert ours == _whole(document, tmp_path)


def test_only_the_last_version_of_each_document_is_kept() -> None:
    kept = LaidOut()
    kept.keep("a", {b"1": 1})
    kept.keep("a", {b"2": 2})
    assert kept.last("a") == {b"2": 2}
    for name in range(MAX_NAMES):
        kept.keep(str(name), {b"n": name})
    assert kept.last("a") == {} and kept.last("0") == {b"n": 0}
    assert kept.last(str(MAX_NAMES - 1)) == {b"n": MAX_NAMES - 1}


def test_keys_tell_apart_what_a_layout_depends_on() -> None:
    base = ("<html/>", None, "/tmp", 1, 7)
    keys = {
        LaidOut.key(*base),
        LaidOut.key("<html />", None, "/tmp", 1, 7),
        LaidOut.key("<html/>", "<html/>", "/tmp", 1, 7),
        LaidOut.key("<html/>", None, "/tmp2", 1, 7),
        LaidOut.key("<html/>", None, "/tmp", 2, 7),
        LaidOut.key("<html/>", None, "/tmp", 1, 8),
        LaidOut.key("<html/>", "None", "/tmp", 1, 7),
    }
    assert len(keys) == 7 and LaidOut.key(*base) == LaidOut.key(*base)
