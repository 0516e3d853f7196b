"""Shared fixtures: the 武水镇 data set, one build of it, and text extraction
from the DOCX (its XML) and the PDF (its glyphs, in drawing order)."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTItem, LTLine
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from generator.build import BuildResult, build

REPO = Path(__file__).resolve().parents[1]
WUSHUI = REPO / "data" / "wushui" / "2024"
SEEDS = Path(__file__).resolve().parent / "seeds"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="session")
def wushui_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(WUSHUI, tmp_path_factory.mktemp("wushui"))


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A copy of the 武水镇 data set, for tests that break it on purpose."""
    target = tmp_path / "wushui" / "2024"
    shutil.copytree(WUSHUI, target)
    return target


def docx_xml(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(part))


def docx_paragraphs(path: Path) -> list[str]:
    """The text of every paragraph of the body, tables included, in order."""
    body = docx_xml(path, "word/document.xml").find(f"{W}body")
    assert body is not None
    return ["".join(p.itertext(f"{W}t")) for p in body.iter(f"{W}p")]


PAGE_NUMBER = re.compile(r"—\d+—")


@dataclass(frozen=True)
class Glyph:
    text: str
    x: float  # centre
    y: float  # centre, PDF units (up is positive)
    baseline: float  # the same for every glyph of a line, whatever its font


def _items(container: Iterable[LTItem]) -> Iterator[LTItem]:
    for item in container:
        if isinstance(item, LTContainer) and not isinstance(item, LTChar):
            yield from _items(item)
        else:
            yield item


def pdf_page_items(path: Path) -> Iterator[tuple[list[Glyph], list[LTLine]]]:
    """Each page's glyphs and ruled lines, exactly as drawn (no layout analysis)."""
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    with path.open("rb") as handle:
        for page in PDFPage.get_pages(handle):
            interpreter.process_page(page)
            glyphs, lines = [], []
            for item in _items(device.get_result()):
                if isinstance(item, LTChar) and item.get_text().strip():
                    x0, y0, x1, y1 = item.bbox
                    glyphs.append(
                        Glyph(item.get_text(), (x0 + x1) / 2, (y0 + y1) / 2, item.matrix[5])
                    )
                elif isinstance(item, LTLine):
                    lines.append(item)
            yield glyphs, lines


def _cell_of(glyph: Glyph, lines: list[LTLine]) -> tuple[float, float] | None:
    """(top, left) of the ruled table cell around a glyph, or None outside tables."""
    vertical = [
        ln for ln in lines if abs(ln.x0 - ln.x1) < 0.1 and ln.y0 - 1 <= glyph.y <= ln.y1 + 1
    ]
    horizontal = [
        ln for ln in lines if abs(ln.y0 - ln.y1) < 0.1 and ln.x0 - 1 <= glyph.x <= ln.x1 + 1
    ]
    left = [ln.x0 for ln in vertical if ln.x0 < glyph.x]
    right = [ln.x0 for ln in vertical if ln.x0 > glyph.x]
    above = [ln.y0 for ln in horizontal if ln.y0 > glyph.y]
    below = [ln.y0 for ln in horizontal if ln.y0 < glyph.y]
    if not (left and right and above and below):
        return None
    return round(min(above), 1), round(max(left), 1)


def pdf_pages_text(path: Path) -> list[str]:
    """Each page's text in reading order: lines top to bottom, and in tables
    cell by cell, row by row; whitespace and the page number left out."""
    pages = []
    for glyphs, lines in pdf_page_items(path):
        units: dict[tuple[float, float], list[Glyph]] = {}
        for glyph in glyphs:
            cell = _cell_of(glyph, lines)
            key = (cell[0], cell[1]) if cell else (round(glyph.baseline, 0), -1.0)
            units.setdefault(key, []).append(glyph)
        text = ""
        for key in sorted(units, key=lambda k: (-k[0], k[1])):
            ordered = sorted(units[key], key=lambda g: (-round(g.baseline, 0), g.x))
            text += "".join(g.text for g in ordered)
        pages.append(PAGE_NUMBER.sub("", text))
    return pages


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
