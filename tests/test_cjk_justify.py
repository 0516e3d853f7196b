"""Inter-character justification measured to the hundredth of a point in the
PDFs of the three data sets: every justified line ends flush with the text
block, its Chinese characters evenly spaced (generator/writers/weasyprint_internals/cjk_justify.py
places each glyph, working round WeasyPrint's rounding of glyph advances)."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from weasyprint.text.ffi import ffi

from generator import model
from generator.build.pipeline import prepare, style_for
from generator.writers.pdf import render_pdf, write_pdf
from generator.writers.weasyprint_internals import cjk_justify
from tests.conftest import REPO, squeeze
from tests.test_pdf_layout import Line, Page, _blocks_as_lines, read_pdf

TOLERANCE = 0.05  # pt; WeasyPrint's rounding drifts a line by up to 0.45 pt


def _build(office: str, out: Path) -> tuple[model.Document, list[Page]]:
    dataset = REPO / "data" / office / "2024"
    _, document, _ = prepare(dataset)
    pdf = out / f"{office}.pdf"
    write_pdf(document, style_for(dataset), pdf)
    return document, read_pdf(pdf)


def justified_lines(document: model.Document, pages: list[Page]) -> list[tuple[Line, set[int]]]:
    """The lines of the justified paragraphs but their last, each with the
    indexes of its glyphs that follow a space (a space is widened too). Each
    paragraph is found as consecutive 16 pt lines, skipping lines of anything
    else (tables of 16 pt text, say)."""
    lines = [line for page in pages for line in page.body_lines()]
    found: list[tuple[Line, set[int]]] = []
    position = 0
    for block in document.blocks():
        for text, justified in _blocks_as_lines(block):
            wanted = squeeze(text)
            if not justified or not wanted:
                continue
            while not wanted.startswith(lines[position].text):
                position += 1
            got, paragraph = "", []
            while got != wanted:
                got += lines[position].text
                assert wanted.startswith(got), (lines[position].text, wanted[:30])
                paragraph.append(lines[position])
                position += 1
            # A glyph follows a space if its character does in the text.
            spaced = [
                m.start() > 0 and text[m.start() - 1].isspace() for m in re.finditer(r"\S", text)
            ]
            start = 0
            for line in paragraph[:-1]:
                after = spaced[start : start + len(line.chars)]
                found.append((line, {index for index, space in enumerate(after) if space}))
                start += len(line.chars)
    return found


def justification_errors(document: model.Document, pages: list[Page]) -> list[str]:
    """How each justified line misses: its last glyph off the text block's
    right edge, or the gaps between its full-width glyphs unequal."""
    by_number = {page.number: page for page in pages}
    errors = []
    lines = justified_lines(document, pages)
    assert len(lines) > 20
    for line, spaced in lines:
        edge = line.right - by_number[line.page].right
        if abs(edge) > TOLERANCE:
            errors.append(f"{line.page} {line.text}: {edge:+.3f} pt from the edge")
        gaps = [
            right.x0 - left.x1
            for index, (left, right) in enumerate(pairwise(line.chars), start=1)
            if index not in spaced and min(left.x1 - left.x0, right.x1 - right.x0) > 0.9 * left.size
        ]
        if gaps and max(gaps) - min(gaps) > TOLERANCE:
            errors.append(f"{line.page} {line.text}: gaps {min(gaps):.3f}–{max(gaps):.3f} pt")
    return errors


@pytest.mark.parametrize("office", ["wushui", "wuhe", "lidu"])
def test_justified_lines_end_flush_with_even_gaps(office: str, tmp_path: Path) -> None:
    assert justification_errors(*_build(office, tmp_path)) == []


def test_the_check_sees_weasyprints_rounding_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same glyph advances without the rounding made good: WeasyPrint
    writes each truncated to 1/1000 em, and the lines miss the edge (and a
    run-in heading stands off the text after it)."""

    def truncated(advance: int, size: float, shift: float, wanted: float) -> tuple[int, int, float]:
        width = round(wanted * 1024)  # Pango units
        return round(shift * 1000), width, width / 1024

    monkeypatch.setattr(cjk_justify, "_fit", truncated)
    errors = justification_errors(*_build("wushui", tmp_path))
    assert len([error for error in errors if "from the edge" in error]) > 20


def test_a_justified_box_drawn_with_another_style_keeps_its_glyph_placement(
    tmp_path: Path,
) -> None:
    """Drawing shapes a kept layout again only for another style, and then
    edits its glyphs as they were."""
    dataset = REPO / "data" / "wushui" / "2024"
    _, document, _ = prepare(dataset)
    rendered = render_pdf(document, style_for(dataset), tmp_path)
    kept = [
        box
        for page in rendered.pages
        for box in page._page_box.descendants()
        if isinstance(getattr(box, "pango_layout", None), cjk_justify._KeptLayout)
    ]
    assert len(kept) > 100

    def glyphs(box: Any) -> list[bytes]:
        first_line, _ = box.pango_layout.get_first_line()
        return [
            bytes(
                ffi.buffer(
                    item.glyphs.glyphs, item.glyphs.num_glyphs * ffi.sizeof("PangoGlyphInfo")
                )
            )
            for item in cjk_justify._glyph_items(first_line)
        ]

    box = kept[len(kept) // 2]
    before, layout = glyphs(box), box.pango_layout.layout
    box.pango_layout.reactivate(box.style)
    assert box.pango_layout.layout is layout  # the same style: as it is
    box.pango_layout.reactivate(box.style.copy())
    assert box.pango_layout.layout is not layout and glyphs(box) == before
