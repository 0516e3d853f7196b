"""GB/T 9704 measured in a PDF: where each glyph is drawn, its size and colour.

Works on any PDF, not only ours: nothing is taken from the data or the style
profile. The body is found as the most common glyph size; the text block's
edges from where body lines start; the line pitch from the baselines of lines
that continue a paragraph; justified lines as full-width lines followed by a
continuation line. Positions are in PDF points, y upwards, unless named _mm.

A glyph's em box is taken as the ideographic one of CJK fonts: from 0.12 em
below the baseline to 0.88 em above it (OpenType's convention, which Fandol,
Noto CJK and the Windows Chinese faces follow), so the centre of a line of
text is 0.38 em above its baseline whatever the PDF says about the font.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTItem
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from generator.lint.rules import (
    FLUSH_TOL_PT,
    LINE_EDGE_TOL_MM,
    MARGIN_TOL_MM,
    MM_TO_PT,
    PITCH_TOL_PT,
    SIZE_TOL_PT,
    Check,
    Names,
    Report,
    Standard,
    fmt,
    pages_text,
    skipped,
    verdict,
    within,
)

EM_TOP = 0.88  # ideographic em box top, in em above the baseline
EM_CENTRE = EM_TOP - 0.5
RGB = tuple[float, float, float]
PAGE_NUMBER = re.compile(r"([—–\-－]?)\s*(\d{1,4})\s*([—–\-－]?)")
PUNCTUATION = set("，。、；：？！”’）》〉」』】〕…—,.;:?!)")


class PdfError(Exception):
    """The file is not a PDF pdfminer can read."""


# --- what is drawn ------------------------------------------------------------------


@dataclass(frozen=True)
class Glyph:
    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    font: str
    color: RGB | None

    @property
    def wide(self) -> bool:
        """Full width: an ideograph or full-width punctuation."""
        return unicodedata.east_asian_width(self.text) in ("F", "W")


@dataclass(frozen=True)
class Stroke:
    """A ruled line: a stroked segment or a thin filled rectangle."""

    x0: float
    y0: float
    x1: float
    y1: float
    color: RGB | None

    @property
    def horizontal(self) -> bool:
        return self.y1 - self.y0 < 2 and self.x1 - self.x0 > 2

    @property
    def vertical(self) -> bool:
        return self.x1 - self.x0 < 2 and self.y1 - self.y0 > 2


@dataclass(frozen=True)
class Line:
    """Glyphs on one baseline with no wide gap between them."""

    page: int  # 1-based
    glyphs: tuple[Glyph, ...]
    in_table: bool

    @property
    def baseline(self) -> float:
        return self.glyphs[0].baseline

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1].x1

    @property
    def size(self) -> float:
        return Counter(round(g.size, 1) for g in self.glyphs).most_common(1)[0][0]

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def centre(self) -> float:
        """The vertical centre of the line's em boxes."""
        return self.baseline + EM_CENTRE * self.size

    def flush_right(self, edge: float) -> float:
        """The right end of the line's text: a punctuation mark hanging past the
        edge (Word's and LibreOffice's 标点溢出) does not count."""
        last = self.glyphs[-1]
        if len(self.glyphs) > 1 and last.text in PUNCTUATION and last.x0 >= edge - FLUSH_TOL_PT:
            return self.glyphs[-2].x1
        return last.x1

    def cells(self) -> float:
        """Width in characters: a full-width glyph is 1, any other 1/2."""
        return sum(1.0 if g.wide else 0.5 for g in self.glyphs)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    strokes: list[Stroke] = field(default_factory=list)
    page_number: Line | None = None

    @property
    def odd(self) -> bool:
        return self.number % 2 == 1


def _rgb(value: Any) -> RGB | None:
    """A colour as pdfminer gives it (gray, RGB or CMYK components) in RGB."""
    if isinstance(value, int | float):
        return (float(value),) * 3
    if not isinstance(value, tuple) or not all(isinstance(v, int | float) for v in value):
        return None
    if len(value) == 1:
        return (float(value[0]),) * 3
    if len(value) == 3:
        return (float(value[0]), float(value[1]), float(value[2]))
    if len(value) == 4:
        c, m, y, k = (float(v) for v in value)
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def is_red(color: RGB | None) -> bool:
    return color is not None and color[0] >= 0.6 and color[1] <= 0.35 and color[2] <= 0.35


def hex_color(color: RGB | None) -> str:
    if color is None:
        return "未知"
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02X}" for c in color)


def _items(container: Iterable[LTItem]) -> Iterator[LTItem]:
    for item in container:
        if isinstance(item, LTContainer) and not isinstance(item, LTChar):
            yield from _items(item)
        else:
            yield item


def _stroke(item: Any) -> Stroke | None:
    x0, y0, x1, y1 = item.bbox
    if item.stroke and item.linewidth is not None:
        color = _rgb(item.stroking_color)
    elif item.fill:
        color = _rgb(item.non_stroking_color)
    else:
        return None
    stroke = Stroke(x0, y0, x1, y1, color)
    return stroke if stroke.horizontal or stroke.vertical else None


def _in_table(glyph: Glyph, verticals: Sequence[Stroke]) -> bool:
    """Inside a ruled table cell: a vertical rule on each side at its height."""
    middle = glyph.baseline + EM_CENTRE * glyph.size
    centre = (glyph.x0 + glyph.x1) / 2
    around = [s for s in verticals if s.y0 - 1 <= middle <= s.y1 + 1]
    return any(s.x0 < centre for s in around) and any(s.x0 > centre for s in around)


def _lines(number: int, glyphs: list[Glyph], verticals: Sequence[Stroke]) -> list[Line]:
    """Glyphs grouped by baseline, split where the gap is wider than 1.5 em."""
    lines: list[Line] = []
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: -g.baseline):
        if rows and abs(rows[-1][0].baseline - glyph.baseline) <= 0.3:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    for row in rows:
        row.sort(key=lambda g: g.x0)
        run = [row[0]]
        for glyph in row[1:]:
            if glyph.x0 - run[-1].x1 > 1.5 * max(glyph.size, run[-1].size):
                lines.append(_line(number, run, verticals))
                run = []
            run.append(glyph)
        lines.append(_line(number, run, verticals))
    return lines


def _line(number: int, glyphs: list[Glyph], verticals: Sequence[Stroke]) -> Line:
    inside = sum(_in_table(g, verticals) for g in glyphs)
    return Line(number, tuple(glyphs), in_table=inside * 2 > len(glyphs))


def read_pages(path: Path) -> list[Page]:
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    pages: list[Page] = []
    try:
        with path.open("rb") as handle:
            for index, pdf_page in enumerate(PDFPage.get_pages(handle), start=1):
                interpreter.process_page(pdf_page)
                layout = device.get_result()
                x0, y0, x1, y1 = layout.bbox
                page = Page(index, x1 - x0, y1 - y0)
                glyphs: list[Glyph] = []
                for item in _items(layout):
                    if isinstance(item, LTChar):
                        if item.get_text().strip() and item.upright:
                            glyphs.append(
                                Glyph(
                                    item.get_text(),
                                    item.x0 - x0,
                                    item.x1 - x0,
                                    item.matrix[5] - y0,
                                    item.size,
                                    item.fontname,
                                    _rgb(item.graphicstate.ncolor),
                                )
                            )
                    elif isinstance(item, LTCurve):
                        stroke = _stroke(item)
                        if stroke is not None:
                            page.strokes.append(stroke)
                verticals = [s for s in page.strokes if s.vertical]
                page.lines = _lines(index, glyphs, verticals)
                pages.append(page)
    except Exception as error:  # pdfminer raises many kinds for a damaged file
        raise PdfError(str(error) or type(error).__name__) from error
    return pages


def font_embedding(path: Path) -> tuple[list[str], list[str]]:
    """The fonts the pages use: (embedded, not embedded), by BaseFont name."""
    embedded: set[str] = set()
    missing: set[str] = set()
    seen: set[int] = set()

    def visit(resources: Any) -> None:
        resources = resolve1(resources) or {}
        for ref in (resolve1(resources.get("Font")) or {}).values():
            font = resolve1(ref)
            name = str(resolve1(font.get("BaseFont", "?"))).lstrip("/").strip("'")
            if resolve1(font.get("Subtype")) is not None and "Type3" in str(font.get("Subtype")):
                embedded.add(name)  # drawn by its own glyph procedures
                continue
            descendants = resolve1(font.get("DescendantFonts"))
            target = resolve1(descendants[0]) if descendants else font
            descriptor = resolve1(target.get("FontDescriptor")) or {}
            if {"FontFile", "FontFile2", "FontFile3"} & set(descriptor):
                embedded.add(name)
            else:
                missing.add(name)
        for ref in (resolve1(resources.get("XObject")) or {}).values():
            xobject = resolve1(ref)
            if id(xobject) in seen or not hasattr(xobject, "attrs"):
                continue
            seen.add(id(xobject))
            if "Resources" in xobject.attrs:
                visit(xobject.attrs["Resources"])

    with path.open("rb") as handle:
        document = PDFDocument(PDFParser(handle))
        for page in PDFPage.create_pages(document):
            visit(page.resources)
    return sorted(embedded), sorted(missing - embedded)


# --- measuring ------------------------------------------------------------------------


def _mode(values: Iterable[float], digits: int = 1) -> float | None:
    counts = Counter(round(v, digits) for v in values)
    return counts.most_common(1)[0][0] if counts else None


def _edge(values: Sequence[float]) -> float | None:
    """The leftmost x at which at least two lines start (one, if only one does)."""
    if not values:
        return None
    counts = Counter(round(v * 2) / 2 for v in values)
    shared = [x for x, n in counts.items() if n >= 2]
    edge = min(shared) if shared else min(counts)
    return min(v for v in values if round(v * 2) / 2 == edge)


def _mm(points: float) -> float:
    return points / MM_TO_PT


class _Measure:
    """The measurements the rules share, worked out once."""

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        self._find_page_numbers()
        text = [line for page in pages for line in page.lines if line is not page.page_number]
        outside = [g for line in text if not line.in_table for g in line.glyphs]
        self.body_size = _mode(g.size for g in (outside or [g for ln in text for g in ln.glyphs]))
        size = self.body_size or Standard.BODY_PT
        self.body = [ln for ln in text if not ln.in_table and abs(ln.size - size) <= 0.25]
        self._body_ids = {id(ln) for ln in self.body}
        self.left = {
            parity: _edge([ln.x0 for ln in self.body if pages[ln.page - 1].odd == parity])
            for parity in (True, False)
        }
        self.width = Standard.TEXT_WIDTH_MM * MM_TO_PT
        self.pitch = self._pitch()
        self.justified = self._justified()

    def _find_page_numbers(self) -> None:
        for page in self.pages:
            candidates = [
                ln
                for ln in page.lines
                if PAGE_NUMBER.fullmatch(ln.text) and ln.baseline < page.height * 0.2
            ]
            if candidates and page.lines:
                lowest = min(page.lines, key=lambda ln: ln.baseline)
                if lowest in candidates:
                    page.page_number = lowest

    def left_of(self, line: Line) -> float | None:
        return self.left[self.pages[line.page - 1].odd]

    def continues(self, line: Line) -> bool:
        """The line starts at the text block's left edge: it continues a paragraph
        (or starts one set flush left)."""
        left = self.left_of(line)
        return left is not None and abs(line.x0 - left) <= 1.0

    def by_page(self) -> dict[int, list[Line]]:
        """Body lines per page, top to bottom."""
        pages: dict[int, list[Line]] = {}
        for line in sorted(self.body, key=lambda ln: (ln.page, -ln.baseline)):
            pages.setdefault(line.page, []).append(line)
        return pages

    def _pitch(self) -> float | None:
        """Median baseline distance between a line and the next one of the same
        paragraph."""
        distances = []
        fallback = []
        for lines in self.by_page().values():
            for line, after in pairwise(lines):
                distance = line.baseline - after.baseline
                if 0 < distance < 2.5 * line.size:
                    fallback.append(distance)
                    if self.continues(after):
                        distances.append(distance)
        chosen = distances or fallback
        if not chosen:
            return None
        # The mean of the distances near the median: a renderer that places
        # baselines on a coarse raster alternates (LibreOffice: 29.0, 28.9,
        # 29.0 ... for 28.95 pt), and the median alone would pick one side.
        middle = statistics.median(chosen)
        return statistics.fmean(d for d in chosen if abs(d - middle) <= 0.5)

    def _justified(self) -> list[Line]:
        """Lines that are not the last of their paragraph: nearly as wide as the
        text block and followed, one pitch down or at the top of the next page,
        by a line continuing the paragraph."""
        pitch = self.pitch or Standard.LINE_PITCH_PT
        by_page = self.by_page()
        found = []
        for number, lines in by_page.items():
            for index, line in enumerate(lines):
                if line.x1 - line.x0 < 0.8 * self.width:
                    continue
                if index + 1 < len(lines):
                    after = lines[index + 1]
                    step = line.baseline - after.baseline
                    if abs(step - pitch) < 0.25 * pitch and self.continues(after):
                        found.append(line)
                elif self.first_continues(number + 1):
                    found.append(line)
        return found

    def first_continues(self, number: int) -> bool:
        """The first line of text on page `number` continues a paragraph."""
        if number > len(self.pages):
            return False
        page = self.pages[number - 1]
        text = [ln for ln in page.lines if ln is not page.page_number]
        if not text:
            return False
        first = max(text, key=lambda ln: ln.baseline)
        return self.is_body(first) and self.continues(first)

    def is_body(self, line: Line) -> bool:
        return id(line) in self._body_ids

    def text_bottom(self, page: Page) -> float:
        """The bottom of the text block as the standard places it."""
        return Standard.BOTTOM_MM * MM_TO_PT + (page.height - Standard.PAGE_HEIGHT_MM * MM_TO_PT)


# --- the rules -------------------------------------------------------------------------


def _page_size(pages: list[Page]) -> Check:
    name = Names.PAGE_SIZE
    want_w, want_h = Standard.PAGE_WIDTH_MM, Standard.PAGE_HEIGHT_MM
    sizes = Counter((round(_mm(p.width), 1), round(_mm(p.height), 1)) for p in pages)
    (width, height), _ = sizes.most_common(1)[0]
    wrong = [
        p.number
        for p in pages
        if abs(_mm(p.width) - want_w) > MARGIN_TOL_MM or abs(_mm(p.height) - want_h) > MARGIN_TOL_MM
    ]
    return verdict(
        "pdf.page-size",
        name,
        f"{fmt(width)} × {fmt(height)} mm",
        f"A4 {want_w:.0f} × {want_h:.0f} mm ± {MARGIN_TOL_MM} mm",
        not wrong,
        pages_text(wrong) + "尺寸不符" if wrong else "",
    )


def _left_edges(m: _Measure) -> list[Check]:
    checks = []
    for parity, check_id, name, expected in (
        (True, "pdf.left-odd", "版心左边缘（奇数页订口）", Standard.BINDING_MM),
        (False, "pdf.left-even", "版心左边缘（偶数页，与奇数页对称）", Standard.OUTER_MM),
    ):
        left = m.left[parity]
        checks.append(
            within(
                check_id,
                name,
                None if left is None else _mm(left),
                expected,
                MARGIN_TOL_MM,
                "mm",
                missing="没有正文行" + ("（无偶数页）" if not parity else ""),
            )
        )
    return checks


def _top_edge(m: _Measure) -> Check:
    """From each page whose first line is body text: that line's centre plus
    half a line pitch is the top of the text block."""
    pitch = m.pitch or Standard.LINE_PITCH_PT
    tops = []
    for page in m.pages:
        text = [ln for ln in page.lines if ln is not page.page_number]
        if not text:
            continue
        first = max(text, key=lambda ln: ln.baseline)
        if m.is_body(first):
            tops.append(_mm(page.height - (first.centre + pitch / 2)))
    return within(
        "pdf.top-margin",
        "版心上边距（天头）",
        statistics.median(tops) if tops else None,
        Standard.TOP_MM,
        LINE_EDGE_TOL_MM,
        "mm",
        missing="没有以正文开头的页",
    )


def _bottom_edge(m: _Measure) -> Check:
    """No body line reaches below the text block."""
    pitch = m.pitch or Standard.LINE_PITCH_PT
    lowest: tuple[float, int] | None = None
    for line in m.body:
        page = m.pages[line.page - 1]
        bottom = _mm(line.centre - pitch / 2 - (page.height - Standard.PAGE_HEIGHT_MM * MM_TO_PT))
        if lowest is None or bottom < lowest[0]:
            lowest = (bottom, line.page)
    if lowest is None:
        return skipped("pdf.bottom-margin", "正文不低于版心下边缘", "没有正文行")
    bottom, page_number = lowest
    return verdict(
        "pdf.bottom-margin",
        "正文不低于版心下边缘",
        f"最低一行下缘距页面底边 {fmt(bottom)} mm（第 {page_number} 页）",
        f"不小于 {Standard.BOTTOM_MM:.0f} mm（容差 {LINE_EDGE_TOL_MM:.0f} mm）",
        bottom >= Standard.BOTTOM_MM - LINE_EDGE_TOL_MM,
    )


def _body_size(m: _Measure) -> Check:
    return within(
        "pdf.body-size",
        Names.BODY_SIZE,
        m.body_size,
        Standard.BODY_PT,
        SIZE_TOL_PT,
        "pt",
        missing="没有文字",
    )


def _line_pitch(m: _Measure) -> Check:
    return within(
        "pdf.line-pitch",
        "行距（版心高 225 mm ÷ 22 行）",
        m.pitch,
        Standard.LINE_PITCH_PT,
        PITCH_TOL_PT,
        "pt",
        digits=2,
        expected_digits=2,
        missing="没有连续的正文行",
    )


def _char_pitch(m: _Measure) -> Check:
    steps = []
    for line in m.body:
        for glyph, after in pairwise(line.glyphs):
            if glyph.wide and after.wide and abs(glyph.size - after.size) < 0.1:
                steps.append(after.x0 - glyph.x0)
    return within(
        "pdf.char-pitch",
        "字距（版心宽 156 mm ÷ 28 字）",
        statistics.median(steps) if steps else None,
        Standard.CHAR_PITCH_PT,
        PITCH_TOL_PT,
        "pt",
        digits=2,
        expected_digits=2,
        missing="没有全角字",
    )


# Marks a line may not start with, or end with (GB/T 15834 line breaking): a
# line before one of these was broken early, not where the grid ends.
NO_START = frozenset("，。、；：？！）》」』】〕…—”’·")
NO_END = frozenset("（《「『【〔“‘")


def _broken_freely(m: _Measure) -> set[int]:
    """ids of the body lines the line-breaking rules left whole: the next line
    of the page starts with no mark that may not start a line nor one that may
    not end one, and holds none of the former second."""
    whole = set()
    for lines in m.by_page().values():
        for line, after in pairwise(lines):
            head = after.text[:2]
            if not (head[:1] in NO_START | NO_END or head[1:2] in NO_START):
                whole.add(id(line))
    return whole


def _chars_per_line(m: _Measure) -> Check:
    """Glyphs on full lines of full-width characters that start at the left
    edge and that the line-breaking rules did not break early."""
    whole = _broken_freely(m)
    full = [ln for ln in m.justified if m.continues(ln) and id(ln) in whole]
    wide = [ln for ln in full if all(g.wide for g in ln.glyphs)]
    counts = Counter(
        len(ln.glyphs) - (1 if ln.flush_right(ln.x0 + m.width) != ln.x1 else 0) for ln in wide
    )
    if not counts:  # every line holds digits or Latin letters: count cells
        counts = Counter(round(ln.cells()) for ln in full)
    if not counts:
        return skipped(
            "pdf.chars-per-line", "每行字数", "没有排满的正文行", f"{Standard.CHARS_PER_LINE} 字"
        )
    count, _ = counts.most_common(1)[0]
    spread = "、".join(f"{n} 字 {k} 行" for n, k in sorted(counts.items(), reverse=True)[:4])
    return verdict(
        "pdf.chars-per-line",
        "每行字数",
        f"{count} 字（{spread}）",
        f"{Standard.CHARS_PER_LINE} 字",
        count == Standard.CHARS_PER_LINE,
    )


def _right_edge(m: _Measure) -> Check:
    name = "两端对齐：段中各行末字与版心右边缘齐平"
    want = f"偏差 ≤ {FLUSH_TOL_PT} pt"
    offsets: list[tuple[float, Line]] = []
    for line in m.justified:
        left = m.left_of(line)
        if left is None:
            continue
        edge = left + m.width
        offsets.append((line.flush_right(edge) - edge, line))
    if not offsets:
        return skipped("pdf.right-edge", name, "没有段中行", want)
    off = [(d, ln) for d, ln in offsets if abs(d) > FLUSH_TOL_PT]
    worst = max(abs(d) for d, _ in offsets)
    return verdict(
        "pdf.right-edge",
        name,
        f"{len(offsets)} 行中 {len(off)} 行不齐，最大偏差 {fmt(worst)} pt",
        want,
        not off,
        pages_text(ln.page for _, ln in off) + "右侧参差" if off else "",
    )


def _lines_per_page(m: _Measure) -> list[Check]:
    """At most 22 lines on any page, and 22 on a page that a paragraph runs off."""
    pitch = m.pitch or Standard.LINE_PITCH_PT
    size = m.body_size or Standard.BODY_PT
    counts: dict[int, int] = {}
    slots: dict[int, int] = {}
    for page in m.pages:
        text = [
            ln
            for ln in page.lines
            if ln is not page.page_number and not ln.in_table and ln.size >= size - 0.25
        ]
        baselines = sorted({round(ln.baseline, 1) for ln in text}, reverse=True)
        counts[page.number] = len(baselines)
        if baselines:
            slots[page.number] = round((baselines[0] - baselines[-1]) / pitch) + 1
    most = max(counts.values(), default=0)
    over = [n for n, count in counts.items() if count > Standard.LINES_PER_PAGE]
    checks = [
        verdict(
            "pdf.lines-max",
            "每页行数不超过 22 行",
            f"最多 {most} 行",
            f"≤ {Standard.LINES_PER_PAGE} 行",
            not over,
            pages_text(over) + "超过 22 行" if over else "",
        )
    ]
    by_page = m.by_page()
    full = []
    for number, lines in by_page.items():
        last = lines[-1]
        if last.x1 - last.x0 >= 0.8 * m.width and m.first_continues(number + 1):
            full.append(number)
    name = "满页行数（段落跨页处）"
    if not full:
        checks.append(
            skipped("pdf.lines-full", name, "没有段落跨页", f"{Standard.LINES_PER_PAGE} 行")
        )
        return checks
    # Every such page must be full: one short page fails the check, however
    # many others are full (the status never contradicts the detail).
    fewest = min(slots[n] for n in full)
    short = [n for n in full if slots[n] < Standard.LINES_PER_PAGE]
    checks.append(
        verdict(
            "pdf.lines-full",
            name,
            f"最少 {fewest} 行（{len(full)} 个跨页处）",
            f"{Standard.LINES_PER_PAGE} 行",
            all(slots[n] == Standard.LINES_PER_PAGE for n in full),
            pages_text(short) + f"不足 {Standard.LINES_PER_PAGE} 行" if short else "",
        )
    )
    return checks


def _imprint_page(page: Page, width: float) -> bool:
    """The 版记 page: 印发 in its text between full-width rules."""
    text = "".join(ln.text for ln in page.lines)
    rules = [s for s in page.strokes if s.horizontal and s.x1 - s.x0 >= 0.9 * width]
    return "印发" in text and len(rules) >= 2


def _page_numbers(m: _Measure) -> list[Check]:
    pages = m.pages
    numbered = [p for p in pages if p.page_number is not None]
    content = [p for p in pages if any(ln is not p.page_number for ln in p.lines)]
    exempt = {p.number for p in content if p.number == len(pages) and _imprint_page(p, m.width)}
    missing = [p.number for p in content if p.page_number is None and p.number not in exempt]
    checks = [
        verdict(
            "pdf.page-number-present",
            "页码：每页都有（空白页、版记页除外）",
            f"{len(content) - len(exempt)} 页中 {len(content) - len(exempt) - len(missing)} 页有页码",
            "每页都有",
            not missing,
            pages_text(missing) + "没有页码" if missing else "",
        )
    ]
    if not numbered:
        for check_id, name in (
            ("pdf.page-number-sequence", "页码与页序一致"),
            ("pdf.page-number-form", Names.PAGE_NUMBER_FORM),
            ("pdf.page-number-size", Names.PAGE_NUMBER_SIZE),
            ("pdf.page-number-vertical", Names.PAGE_NUMBER_GAP),
            ("pdf.page-number-side", Names.PAGE_NUMBER_SIDE),
        ):
            checks.append(skipped(check_id, name, "没有页码"))
        return checks

    def value(page: Page) -> int:
        assert page.page_number is not None
        match = PAGE_NUMBER.fullmatch(page.page_number.text)
        assert match is not None
        return int(match.group(2))

    wrong = [p.number for p in numbered if value(p) != p.number]
    checks.append(
        verdict(
            "pdf.page-number-sequence",
            "页码与页序一致",
            "一致" if not wrong else f"{len(wrong)} 页不一致",
            "第 N 页印 N",
            not wrong,
            pages_text(wrong) + "页码与页序不符" if wrong else "",
        )
    )
    forms = {p.number: p.page_number.text for p in numbered if p.page_number is not None}
    bad = [n for n, text in forms.items() if not re.fullmatch(r"—\d+—", text)]
    sample = next(iter(forms.values()))
    checks.append(
        verdict(
            "pdf.page-number-form",
            Names.PAGE_NUMBER_FORM,
            f"“{sample[0]} {sample[1:-1]} {sample[-1]}”" if len(sample) > 2 else f"“{sample}”",
            "“— N —”（U+2014）",
            not bad,
            pages_text(bad) + "格式不符" if bad else "",
        )
    )
    sizes = [g.size for p in numbered if p.page_number for g in p.page_number.glyphs]
    checks.append(
        within(
            "pdf.page-number-size",
            Names.PAGE_NUMBER_SIZE,
            _mode(sizes),
            Standard.PAGE_NUMBER_PT,
            SIZE_TOL_PT,
            "pt",
        )
    )
    gaps = []
    for page in numbered:
        assert page.page_number is not None
        line = page.page_number
        top = line.baseline + EM_TOP * line.size
        gaps.append(_mm(m.text_bottom(page) - top))
    checks.append(
        within(
            "pdf.page-number-vertical",
            Names.PAGE_NUMBER_GAP,
            statistics.median(gaps),
            Standard.PAGE_NUMBER_GAP_MM,
            LINE_EDGE_TOL_MM,
            "mm",
        )
    )
    checks.append(_page_number_side(numbered))
    return checks


def _page_number_side(numbered: list[Page]) -> Check:
    """Odd pages: the number's right end one character in from the text block's
    right edge; even pages: its left end one character in from the left edge."""
    outer = Standard.OUTER_MM * MM_TO_PT
    insets: dict[bool, list[float]] = {True: [], False: []}
    bad = []
    for page in numbered:
        line = page.page_number
        assert line is not None
        if page.odd:
            inset = page.width - outer - line.x1
            right_side = line.x0 > page.width / 2
        else:
            inset = line.x0 - outer
            right_side = line.x1 > page.width / 2
        inset_mm = _mm(inset)
        insets[page.odd].append(inset_mm)
        want = Standard.PAGE_NUMBER_INSET_CHARS * Standard.PAGE_NUMBER_PT / MM_TO_PT
        if right_side != page.odd or abs(inset_mm - want) > LINE_EDGE_TOL_MM:
            bad.append(page.number)
    parts = []
    for odd, label in ((True, "单页居右"), (False, "双页居左")):
        if insets[odd]:
            parts.append(f"{label}空 {fmt(statistics.median(insets[odd]))} mm")
    one_char = Standard.PAGE_NUMBER_PT / MM_TO_PT
    return verdict(
        "pdf.page-number-side",
        Names.PAGE_NUMBER_SIDE,
        "，".join(parts),
        f"空一字（{fmt(one_char)} mm ± {LINE_EDGE_TOL_MM:.0f} mm）",
        not bad,
        pages_text(bad) + "位置不符" if bad else "",
    )


def _fonts(path: Path) -> Check:
    embedded, missing = font_embedding(path)
    measured = f"{len(embedded) + len(missing)} 种字体"
    measured += "，全部嵌入" if not missing else f"，未嵌入：{'、'.join(missing)}"
    return verdict("pdf.fonts-embedded", "字体全部嵌入", measured, "全部嵌入", not missing)


def _separator(m: _Measure) -> Stroke | None:
    """The 版头's separator on page 1: a rule nearly as wide as the text block in
    the upper part of the page, below some text."""
    if not m.pages:
        return None
    page = m.pages[0]
    rules = [
        s
        for s in page.strokes
        if s.horizontal and s.x1 - s.x0 >= 0.8 * m.width and s.y0 > page.height * 0.35
    ]
    rules = [s for s in rules if any(ln.baseline > s.y1 for ln in page.lines)]
    return max(rules, key=lambda s: s.y0) if rules else None


def _titles(m: _Measure) -> Check:
    """Lines centred in the text block, larger than the body and not red, below
    the 版头 if there is one."""
    size = m.body_size or Standard.BODY_PT
    separator = _separator(m)
    found: list[Line] = []
    for page in m.pages:
        left = m.left[page.odd]
        if left is None:
            left = (Standard.BINDING_MM if page.odd else Standard.OUTER_MM) * MM_TO_PT
        middle = left + m.width / 2
        for line in page.lines:
            if line.in_table or line.size <= size + 1 or is_red(line.glyphs[0].color):
                continue
            if page.number == 1 and separator is not None and line.baseline > separator.y0:
                continue
            if abs((line.x0 + line.x1) / 2 - middle) <= size:
                found.append(line)
    name = Names.TITLE_SIZE
    if not found:
        return skipped("pdf.title-size", name, Names.NO_TITLE, f"{Standard.TITLE_PT:.0f} pt")
    sizes = Counter(ln.size for ln in found)
    off = [ln for ln in found if abs(ln.size - Standard.TITLE_PT) > SIZE_TOL_PT]
    shown = "、".join(f"{fmt(s)} pt" for s, _ in sizes.most_common())
    return verdict(
        "pdf.title-size",
        name,
        f"{shown}（{len(found)} 行）",
        f"{Standard.TITLE_PT:.0f} pt ± {SIZE_TOL_PT} pt",
        not off,
        pages_text(ln.page for ln in off) + "有标题字号不符" if off else "",
    )


def _letterhead(m: _Measure) -> list[Check]:
    separator = _separator(m)
    if separator is None:
        reason = Names.NO_LETTERHEAD
        return [
            skipped("pdf.mark-color", Names.MARK_COLOR, reason, "红色"),
            skipped("pdf.separator", Names.SEPARATOR, reason, Names.SEPARATOR_EXPECTED),
        ]
    above = [ln for ln in m.pages[0].lines if ln.baseline > separator.y1]
    mark = max(above, key=lambda ln: (ln.size, ln.baseline))
    colors = Counter(g.color for g in mark.glyphs)
    color = colors.most_common(1)[0][0]
    width = _mm(separator.x1 - separator.x0)
    return [
        verdict(
            "pdf.mark-color",
            Names.MARK_COLOR,
            f"{hex_color(color)}（“{mark.text}”）",
            "红色",
            is_red(color),
        ),
        verdict(
            "pdf.separator",
            Names.SEPARATOR,
            f"{hex_color(separator.color)}，{fmt(width)} mm",
            f"红色，{Standard.TEXT_WIDTH_MM:.0f} mm ± {MARGIN_TOL_MM} mm",
            is_red(separator.color) and abs(width - Standard.TEXT_WIDTH_MM) <= MARGIN_TOL_MM,
        ),
    ]


def lint_pdf(path: Path) -> Report:
    pages = read_pages(path)
    if not pages:
        raise PdfError("没有页面")
    m = _Measure(pages)
    checks: list[Check] = [_page_size(pages), *_left_edges(m), _top_edge(m), _bottom_edge(m)]
    checks += [_body_size(m), _line_pitch(m), _char_pitch(m), _chars_per_line(m), _right_edge(m)]
    checks += _lines_per_page(m)
    checks += _page_numbers(m)
    checks += [_fonts(path), _titles(m), *_letterhead(m)]
    return Report(path, "pdf", len(pages), tuple(checks))
