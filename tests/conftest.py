"""Shared fixtures: the 武水镇 data set, one build of it, and text extraction
from the DOCX (its XML) and the PDF (its glyphs, in drawing order)."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTItem, LTLine, LTRect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from generator.build.pipeline import BuildResult, build
from generator.dataset.doubts import LOST

# No test's `gongwen` command hands its work to, or leaves behind, a warm build
# server (generator/daemon/); tests/test_daemon.py starts its own, in a
# folder of its own, and stops it.
os.environ["GONGWEN_NO_DAEMON"] = "1"

REPO = Path(__file__).resolve().parents[1]
WUSHUI = REPO / "data" / "wushui" / "2024"
SEEDS = Path(__file__).resolve().parent / "seeds"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="session")
def wushui_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(WUSHUI, tmp_path_factory.mktemp("wushui"))


def copy_publishable_wushui(target: Path) -> Path:
    """A copy of the 武水镇 data set at target that publish accepts: publishing
    refuses the □ the seed has for characters lost in it, so they are filled in
    (with 某, as wide as □, so the text sits as in wushui_build)."""
    shutil.copytree(WUSHUI, target)
    return fill_lost_characters(target)


def fill_lost_characters(dataset: Path) -> Path:
    """Fill in the □ of a copy of the 武水镇 data set (see copy_publishable_wushui)."""
    tables = dataset / "tables" / "assignments.yaml"
    tables.write_text(tables.read_text("utf-8").replace(LOST, "某"), "utf-8")
    return dataset


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
class Char:
    """A glyph as drawn: its em box, baseline, size and face."""

    text: str
    x0: float
    x1: float
    y0: float  # em box bottom, PDF units (up is positive)
    y1: float  # em box top
    baseline: float  # the same for every glyph of a line, whatever its font
    size: float
    font: str

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def y(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class PdfPage:
    number: int  # 1-based
    chars: list[Char]
    rects: list[tuple[float, float, float, float]]  # x0, y0, x1, y1 of filled shapes
    rules: list[LTLine]  # stroked lines (table borders)


def _items(container: Iterable[LTItem]) -> Iterator[LTItem]:
    for item in container:
        if isinstance(item, LTContainer) and not isinstance(item, LTChar):
            yield from _items(item)
        else:
            yield item


def read_pdf(path: Path) -> list[PdfPage]:
    """Each page's glyphs, filled shapes and ruled lines, exactly as drawn
    (pdfminer without layout analysis)."""
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    pages = []
    with path.open("rb") as handle:
        for number, pdf_page in enumerate(PDFPage.get_pages(handle), start=1):
            interpreter.process_page(pdf_page)
            chars, rects, rules = [], [], []
            for item in _items(device.get_result()):
                if isinstance(item, LTChar) and item.get_text().strip():
                    chars.append(
                        Char(
                            item.get_text(),
                            item.x0,
                            item.x1,
                            item.y0,
                            item.y1,
                            item.matrix[5],
                            item.size,
                            item.fontname.partition("+")[2],
                        )
                    )
                elif isinstance(item, LTRect) and item.fill:
                    rects.append(item.bbox)
                elif isinstance(item, LTLine):
                    rules.append(item)
            pages.append(PdfPage(number, chars, rects, rules))
    return pages


def _cell_of(glyph: Char, lines: list[LTLine]) -> tuple[float, float] | None:
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
    for page in read_pdf(path):
        units: dict[tuple[float, float], list[Char]] = {}
        for glyph in page.chars:
            cell = _cell_of(glyph, page.rules)
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
