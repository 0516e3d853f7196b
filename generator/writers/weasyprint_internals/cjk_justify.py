"""Inter-character justification of Chinese text for WeasyPrint.

WeasyPrint 70 justifies a line only at spaces: ``justify_line`` in
``weasyprint/layout/inline.py`` shares the line's free space out among U+0020
and U+00A0 (it knows no ``text-justify``), so a justified line of Chinese,
which has none, stays ragged on the right. GB/T 9704 wants every line of a
paragraph but its last to end flush at the right edge of the text block, as
Word does it: the free space goes between the characters.

``cjk_justification()`` replaces that function for the time of a layout only.
A justified line that holds full-width (CJK) characters is read as units: each
full-width character or space is a unit of its own, and each run of other
characters (a number, a Latin word) is one unit, so that it keeps its own
spacing. The line's free space goes into the gaps between units, one share for
each full-width character or space facing the gap (two between two Chinese
characters, one between a Chinese character and a digit), so that the last
glyph ends on the right edge of the line. Lines without full-width characters
are left to WeasyPrint's own function.

A gap inside a text box widens the Pango advance of the glyph before it; a gap
between two boxes moves the boxes that follow. Each text box of such a line
gets a layout of its own that is shaped once, edited and drawn as it is
(``_KeptLayout``): WeasyPrint would otherwise shape the text again to draw it
and lose the edits (and it saves that shaping).

Precision: WeasyPrint writes each glyph's advance into the PDF as the face's
advance less an adjustment truncated to 1/1000 em (``int(kerning)`` in
``draw.text.draw_first_line``), which would drift by up to 0.016 pt a glyph at
16 pt, half a point over a line. ``_fit`` picks, glyph by glyph, the whole
adjustment that keeps the PDF's pen within half of 1/1000 em of its ideal
place (an error is made good on the next glyph) and the Pango advance that
WeasyPrint turns into exactly that adjustment. The glyph itself is drawn at
the pen plus its x offset, which WeasyPrint writes unrounded: ``_fit`` sets
it to put the glyph at its ideal place to 1/1000 px.

The WeasyPrint internals this relies on are listed in __init__.py.
"""

from __future__ import annotations

import threading
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, pairwise
from typing import Any

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango
from weasyprint.text.fonts import get_pango_font_key
from weasyprint.text.line_break import Layout

_LOCK = threading.RLock()
_OLD_PANGO = pango.pango_version() < 14802  # draw_first_line's workaround for Pango bug 530

Justify = Callable[[Any, Any, float], None]


@cache
def full_width(char: str) -> bool:
    """Whether char is set full width in a CJK face: ideographs, full-width
    punctuation and the East Asian ambiguous characters (— □ “)."""
    return unicodedata.east_asian_width(char) in ("W", "F", "A")


@cache
def expandable(char: str) -> bool:
    """Whether justification may widen the gaps beside char."""
    return char in " \u00a0" or full_width(char)


def units(text: str) -> list[str]:
    """text cut where justification may add space: around every expandable
    character, never inside a run of other characters."""
    out: list[str] = []
    before = True
    for char in text:
        here = expandable(char)
        if here or before:
            out.append(char)
        else:
            out[-1] += char
        before = here
    return out


@contextmanager
def cjk_justification() -> Iterator[None]:
    """Justify lines of Chinese between characters while the block runs.

    The replaced function is a module global of WeasyPrint's, so layouts in
    other threads wait until this one is done."""
    with _LOCK:
        original: Justify = inline.justify_line
        advances = _PdfAdvances()

        def justify_line(context: Any, line: Any, extra_width: float) -> None:
            if not _justify_between_characters(line, extra_width, advances):
                original(context, line, extra_width)

        inline.justify_line = justify_line
        try:
            yield
        finally:
            inline.justify_line = original


# A PangoGlyphInfo as ints: the glyph, then its width and x offset.
_STRIDE = ffi.sizeof("PangoGlyphInfo") // 4
_WIDTH = ffi.offsetof("PangoGlyphInfo", "geometry", "width") // 4
_X_OFFSET = ffi.offsetof("PangoGlyphInfo", "geometry", "x_offset") // 4
_LEADS = bytes(0 if 0x80 <= byte < 0xC0 else 1 for byte in range(256))  # UTF-8


@dataclass
class _Run:
    """A Pango glyph run of a text box, as draw_first_line will write it."""

    infos: memoryview  # its PangoGlyphInfo array as ints, _STRIDE a glyph
    glyphs: list[int]  # the glyph ids
    widths: list[int]  # Pango's advances, Pango units
    x_offsets: list[int]  # Pango units
    starts: list[int]  # the index in the text of each glyph's cluster's first character
    advances: list[int]  # each glyph's advance as written in the PDF, 1/1000 em
    size: float  # the font size WeasyPrint writes for the run


class _PdfAdvances:
    """The glyph advances WeasyPrint writes into the PDF, as it computes them
    (draw.text.draw_first_line): one per face and glyph, 0 for the glyphs it
    writes without."""

    def __init__(self) -> None:
        self._faces: dict[int, dict[int, int]] = {}
        self._ink = ffi.new("PangoRectangle *")
        self._logical = ffi.new("PangoRectangle *")

    def advances(self, font: Any, key: int, glyphs: list[int], size: float) -> list[int]:
        face = self._faces.setdefault(key, {})
        for glyph in glyphs:
            if glyph in face:
                continue
            if glyph == pango.PANGO_GLYPH_EMPTY or glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                face[glyph] = 0
            else:
                pango.pango_font_get_glyph_extents(font, glyph, self._ink, self._logical)
                face[glyph] = round(self._logical.width * 1000 * FROM_UNITS / size)
        return [face[glyph] for glyph in glyphs]


class _KeptLayout(Layout):  # type: ignore[misc]
    """A justified text box's layout: shaped once, its glyphs edited, drawn as
    it is. WeasyPrint frees a text box's Pango layout after line layout and
    shapes the text again to draw it; this one stays, and is shaped (and
    edited) again only if drawn with another style."""

    def __init__(self, style: Any, text: str, justification_spacing: float, max_width: Any):
        super().__init__(style, justification_spacing, max_width)
        self._shape(text)
        self.runs: list[_Run] = []
        self._edited: list[bytes] = []

    def _shape(self, text: str) -> None:
        # draw_first_line sets this mode too: set now, it changes nothing then.
        pango.pango_layout_set_single_paragraph_mode(self.layout, True)
        self.set_text(text, justify=True)

    def read(self, advances: _PdfAdvances) -> bool:
        """Read the first line's runs; False if any goes right to left."""
        # The characters up to each byte of the text: a count of lead bytes.
        counts = list(accumulate(self.text.encode().translate(_LEADS)))
        first_line, _ = self.get_first_line()
        self.runs = []
        for glyph_item in _glyph_items(first_line):
            item = glyph_item.item
            if item.analysis.level % 2:
                return False
            font = item.analysis.font
            key, _, size = get_pango_font_key(font)
            if _OLD_PANGO:
                size = self.style["font_size"]
            glyph_string = glyph_item.glyphs
            count = glyph_string.num_glyphs
            infos = memoryview(ffi.buffer(glyph_string.glyphs, count * _STRIDE * 4)).cast("i")
            glyphs = infos[::_STRIDE].tolist()
            offset = item.offset
            clusters = ffi.unpack(glyph_string.log_clusters, count)
            self.runs.append(
                _Run(
                    infos,
                    glyphs,
                    infos[_WIDTH::_STRIDE].tolist(),
                    infos[_X_OFFSET::_STRIDE].tolist(),
                    [counts[offset + byte] - 1 for byte in clusters],
                    advances.advances(font, key, glyphs, size),
                    size,
                )
            )
        return True

    def edit(self, widths: list[list[int]], x_offsets: list[list[int]]) -> None:
        """Give the runs' glyphs these advances and x offsets, for good."""
        for run, run_widths, run_x_offsets in zip(self.runs, widths, x_offsets, strict=True):
            run.infos[_WIDTH::_STRIDE] = array("i", run_widths)
            run.infos[_X_OFFSET::_STRIDE] = array("i", run_x_offsets)
        self._edited = [run.infos.tobytes() for run in self.runs]
        self.runs = []  # views into Pango's memory, of no more use

    def deactivate(self) -> None:
        pass

    def reactivate(self, style: Any) -> None:
        if style is not self.style:
            self.setup(style)
            self._shape(self.text)
            first_line, _ = self.get_first_line()
            for glyph_item, edited in zip(_glyph_items(first_line), self._edited, strict=True):
                ffi.buffer(glyph_item.glyphs.glyphs, len(edited))[:] = edited


def _glyph_items(line: Any) -> Iterator[Any]:
    """A Pango layout line's runs (PangoGlyphItem), left to right."""
    runs = line.runs
    while runs != ffi.NULL:
        yield runs.data
        runs = runs.next


@dataclass
class _Text:
    """A text box of a justified line with its glyphs, read before it moves."""

    layout: _KeptLayout | None  # None for a box that draws nothing
    units: list[str]


def _leaves(box: Any) -> Iterator[Any]:
    """The line's text boxes and atomic inline boxes, left to right."""
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _leaves(child)
    else:
        yield box


def _read(box: Any, advances: _PdfAdvances) -> _Text | None:
    """The text box's units and glyphs; None if it cannot be justified here."""
    parts = units(box.text)
    if not box.text.strip():
        return _Text(None, parts)
    old = box.pango_layout
    # WeasyPrint draws the layout's text: the box's, and any trailing spaces.
    text = old.text if old.text.startswith(box.text) else box.text
    layout = _KeptLayout(box.style, text, old.justification_spacing, old.max_width)
    return _Text(layout, parts) if layout.read(advances) else None


def _right_edge(layout: _KeptLayout, chars: int) -> float:
    """Where the right edge of the glyph of character chars - 1 belongs, from
    the left of its box."""
    pen, edge = 0, 0.0
    for run in layout.runs:
        for start, width, x_offset, advance in zip(
            run.starts, run.widths, run.x_offsets, run.advances, strict=True
        ):
            if start >= chars:
                return edge
            edge = (pen + x_offset) * FROM_UNITS + advance * run.size / 1000
            pen += width
    return edge


def _justify_between_characters(line: Any, extra_width: float, advances: _PdfAdvances) -> bool:
    """Justify line between units; False, leaving it alone, if it has no
    full-width character or does not run left to right."""
    if line.style["direction"] != "ltr":
        return False
    leaves = list(_leaves(line))
    if not any(
        any(map(full_width, leaf.text)) for leaf in leaves if isinstance(leaf, boxes.TextBox)
    ):
        return False
    # Every leaf as units, with the gap weights between consecutive units.
    texts: dict[int, _Text] = {}
    edges: list[tuple[bool, bool]] = []  # whether each unit starts, ends expandable
    for leaf in leaves:
        if isinstance(leaf, boxes.TextBox):
            text = _read(leaf, advances)
            if text is None:
                return False
            texts[id(leaf)] = text
            edges.extend((expandable(part[0]), expandable(part[-1])) for part in text.units)
        else:
            edges.append((False, False))  # an object: never widened
    weights = [left[1] + right[0] for left, right in pairwise(edges)]
    total = sum(weights)
    if total == 0:
        return False
    # The space to share out runs from the last glyph's right edge, not its
    # box's end (letter-spacing lies between them), to the line's end.
    trailing = 0.0
    last = [leaf for leaf in leaves if not isinstance(leaf, boxes.TextBox) or leaf.text][-1]
    if isinstance(last, boxes.TextBox):
        layout = texts[id(last)].layout
        if layout is not None:
            trailing = last.width - _right_edge(layout, len(last.text))
    share = (extra_width + trailing) / total
    gaps = iter([share * weight for weight in weights] + [0.0])
    _place(line, texts, gaps, 0.0)
    return True


def _place(box: Any, texts: dict[int, _Text], gaps: Iterator[float], advance: float) -> float:
    """Move box by advance and spread its text by gaps; return the advance of
    what follows."""
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += advance
        before = advance
        for child in box.children:
            if child.is_in_normal_flow():
                advance = _place(child, texts, gaps, advance)
        box.width += advance - before
        return advance
    if isinstance(box, boxes.TextBox):
        box.position_x += advance
        text = texts[id(box)]
        inside = [0.0] * len(box.text)  # the gap after each character
        for end in list(accumulate(len(part) for part in text.units))[:-1]:
            inside[end - 1] = next(gaps)
        after = next(gaps) if text.units else 0.0
        if text.layout is not None:
            _spread(text.layout, inside)
            box.pango_layout = text.layout
        spread = sum(inside)
        box.width += spread
        return advance + spread + after
    box.translate(advance, 0)  # an atomic inline box
    return advance + next(gaps)


def _spread(layout: _KeptLayout, gaps: list[float]) -> None:
    """Set each glyph's Pango advance and x offset so that WeasyPrint draws it
    where gaps (after each character) take it."""
    natural = 0  # Pango's pen, Pango units
    spread = 0.0  # the gaps so far
    pen = 0.0  # the PDF's pen
    character = 0  # the first character whose gap is not yet counted
    starts = [start for run in layout.runs for start in run.starts]
    ends = iter([*starts[1:], len(gaps)])  # where the next glyph's cluster starts
    widths, x_offsets = [], []
    for run in layout.runs:
        size = run.size
        run_widths, run_x_offsets = [], []
        for glyph, width, x_offset, advance in zip(
            run.glyphs, run.widths, run.x_offsets, run.advances, strict=True
        ):
            origin = (natural + x_offset) * FROM_UNITS + spread  # where Pango draws it
            natural += width
            end = next(ends)
            if end > character:  # the glyph ends its cluster
                spread += sum(gaps[character:end])
                character = end
            wanted = natural * FROM_UNITS + spread - pen
            if glyph == pango.PANGO_GLYPH_EMPTY:  # written as a move of width / 1000
                width = round(wanted * 1000)
                moved = width / 1000
            elif glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:  # .notdef, its advance made up
                width = round(wanted * TO_UNITS)
                moved = width * FROM_UNITS  # near enough: the build refuses such text
            else:
                x_offset, width, moved = _fit(advance, size, origin - pen, wanted)
            run_widths.append(width)
            run_x_offsets.append(x_offset)
            pen += moved
        widths.append(run_widths)
        x_offsets.append(run_x_offsets)
    layout.edit(widths, x_offsets)


def _fit(advance: int, size: float, shift: float, wanted: float) -> tuple[int, int, float]:
    """The x offset that draws a glyph shift from the PDF's pen, the Pango
    advance for which draw_first_line then moves the pen as near wanted as a
    whole kerning allows, and the move it makes."""
    # WeasyPrint writes the offset as x_offset / size thousandths of size.
    x_offset = round(shift * 1000)
    offset = x_offset / size
    target = round(offset + advance - wanted * 1000 / size)  # the int(kerning) wanted
    # int() truncates towards zero: aim at the middle of the interval it maps
    # to target, a Pango unit (under 1/16 of it at 16 px and up) is finer.
    middle = target + 0.5 if target > 0 else target - 0.5 if target < 0 else 0.0
    width = round((advance + offset - middle) * size / (1000 * FROM_UNITS))
    for _ in range(8):
        kerning = advance + offset - width * 1000 * FROM_UNITS / size  # as WeasyPrint
        written = int(kerning)
        if written == target:
            break
        width += 1 if written > target else -1
    return x_offset, width, (offset + advance - written) * size / 1000
