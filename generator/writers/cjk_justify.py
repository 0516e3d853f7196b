"""Inter-character justification of Chinese text for WeasyPrint.

WeasyPrint 70 justifies a line only at spaces: ``justify_line`` in
``weasyprint/layout/inline.py`` shares the line's free space out among U+0020
and U+00A0 (it knows no ``text-justify``), so a justified line of Chinese,
which has none, stays ragged on the right. GB/T 9704 wants every line of a
paragraph but its last to end flush at the right edge of the text block, as
Word does it: the free space goes between the characters.

``cjk_justification()`` replaces that function for the time of a layout only.
A justified line that holds full-width (CJK) characters is cut into units: each
full-width character or space is a unit of its own, and each run of other
characters (a number, a Latin word) is one unit, so that it keeps its own
spacing. Every unit becomes a text box of its own, placed by the writer: the
line's free space goes into the gaps between units, one share for each
full-width character or space facing the gap (two between two Chinese
characters, one between a Chinese character and a digit), so that the last
glyph ends on the right edge of the line. Lines without full-width characters
are left to WeasyPrint's own function.

Why boxes and not Pango letter-spacing: WeasyPrint writes the glyph advances of
a text box into the PDF rounded towards zero to 1/1000 em (``int(kerning)`` in
``draw.text.draw_first_line``), so a widened line drifts by up to 0.016 pt a
glyph, half a point on a line of digits. A box's own position is written
exactly, so a unit box lands where it is put.

WeasyPrint internals relied on (the version is pinned in pyproject.toml; check
these when moving it):
- ``weasyprint.layout.inline.justify_line(context, line, extra_width)``, looked
  up as a module global by ``text_align`` in the same module, called with the
  line box before the line is moved into place, and only for lines that are
  justified (not a paragraph's last line under ``text-align: justify``);
- the box tree: ``LineBox`` and ``InlineBox`` with ``children`` (a list the
  line owns), ``position_x`` and ``width``; ``TextBox`` with ``text``,
  ``style`` (``letter_spacing``), ``pango_layout`` and ``copy_with_text``;
  ``translate`` on atomic inline boxes;
- ``weasyprint.text.line_break``: ``Layout(style)`` with ``set_text(text)``
  and ``get_first_line()``, and ``line_size(line, style)``, a text's width with
  one ``letter-spacing`` after its last character; ``draw.text.draw_text``
  calls the box layout's ``reactivate(style)`` before drawing it at the box's
  ``position_x`` and ``deactivate()`` after (``_UnitLayout`` keeps its Pango
  layout across draws).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text.line_break import Layout, line_size

_LOCK = threading.RLock()

Justify = Callable[[Any, Any, float], None]


def full_width(char: str) -> bool:
    """Whether char is set full width in a CJK face: ideographs, full-width
    punctuation and the East Asian ambiguous characters (— □ “)."""
    return unicodedata.east_asian_width(char) in ("W", "F", "A")


def expandable(char: str) -> bool:
    """Whether justification may widen the gaps beside char."""
    return char in " \u00a0" or full_width(char)


def units(text: str) -> list[str]:
    """text cut where justification may add space: around every expandable
    character, never inside a run of other characters."""
    out: list[str] = []
    for index, char in enumerate(text):
        if index == 0 or expandable(char) or expandable(text[index - 1]):
            out.append(char)
        else:
            out[-1] += char
    return out


@contextmanager
def cjk_justification() -> Iterator[None]:
    """Justify lines of Chinese between characters while the block runs.

    The replaced function is a module global of WeasyPrint's, so layouts in
    other threads wait until this one is done."""
    with _LOCK:
        original: Justify = inline.justify_line
        cache = _Measures()

        def justify_line(context: Any, line: Any, extra_width: float) -> None:
            if not _justify_between_characters(line, extra_width, cache):
                original(context, line, extra_width)

        inline.justify_line = justify_line
        try:
            yield
        finally:
            inline.justify_line = original


@dataclass
class _Unit:
    text: str
    layout: Any
    width: float  # letter-spacing after the last character included


class _UnitLayout(Layout):  # type: ignore[misc]
    """A unit's layout, shared by every box that shows the unit (a page holds
    the same characters many times over). WeasyPrint frees a text box's Pango
    layout after drawing it and builds it afresh for the next draw; a unit's
    stays built, which keeps the many small boxes as cheap to draw as a few
    long ones. Only for unit boxes: they never wrap and never take ellipses,
    the only ways drawing changes a layout."""

    def deactivate(self) -> None:
        pass

    def reactivate(self, style: Any) -> None:
        if style is not self.style:
            super().reactivate(style)


class _Measures:
    """One laid-out unit per unit text and style."""

    def __init__(self) -> None:
        self._units: dict[tuple[str, int], tuple[Any, _Unit]] = {}

    def unit(self, text: str, style: Any) -> _Unit:
        key = (text, id(style))
        found = self._units.get(key)
        if found is None or found[0] is not style:
            layout = _UnitLayout(style)
            layout.set_text(text)
            first_line, _ = layout.get_first_line()
            width, _ = line_size(first_line, style)
            found = (style, _Unit(text, layout, width))  # the style is kept alive
            self._units[key] = found
        return found[1]


def _leaves(box: Any) -> Iterator[Any]:
    """The line's text boxes and atomic inline boxes, left to right."""
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _leaves(child)
    else:
        yield box


def _spacing(style: Any) -> float:
    value = style["letter_spacing"]
    return 0.0 if value == "normal" else float(value)


def _justify_between_characters(line: Any, extra_width: float, cache: _Measures) -> bool:
    """Justify line unit by unit; False, leaving it alone, if it has no
    full-width character or does not run left to right."""
    if line.style["direction"] != "ltr":
        return False
    leaves = list(_leaves(line))
    texts = [leaf.text for leaf in leaves if isinstance(leaf, boxes.TextBox)]
    if not any(full_width(char) for text in texts for char in text):
        return False
    # Every leaf as units, with the gap weights between consecutive units.
    split: dict[int, list[_Unit]] = {}
    edges: list[tuple[str, str]] = []  # (first, last) character of each unit
    difference = 0.0  # the units' widths against their boxes'
    for leaf in leaves:
        if isinstance(leaf, boxes.TextBox):
            parts = [cache.unit(text, leaf.style) for text in units(leaf.text)]
            split[id(leaf)] = parts
            difference += sum(part.width for part in parts) - leaf.width
            edges.extend((part.text[0], part.text[-1]) for part in parts)
        else:
            edges.append(("\ufffc", "\ufffc"))  # an object: never widened
    weights = [expandable(left[1]) + expandable(right[0]) for left, right in pairwise(edges)]
    total = sum(weights)
    if total == 0:
        return False
    # The last glyph ends letter-spacing short of its box's end: extra_width
    # counts to the box's end, the flush edge is the glyph's.
    last = leaves[-1]
    trailing = _spacing(last.style) if isinstance(last, boxes.TextBox) else 0.0
    share = (extra_width + trailing - difference) / total
    gaps = iter([share * weight for weight in weights] + [0.0])
    _place(line, split, gaps, 0.0)
    return True


def _place(box: Any, split: dict[int, list[_Unit]], gaps: Iterator[float], advance: float) -> float:
    """Move box by advance, cut its text boxes into unit boxes spread by gaps;
    return the advance of what follows."""
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += advance
        before = advance
        children = []
        for child in box.children:
            if child.is_in_normal_flow() and isinstance(child, boxes.TextBox):
                pieces, advance = _cut(child, split[id(child)], gaps, advance)
                children.extend(pieces)
            else:
                if child.is_in_normal_flow():
                    advance = _place(child, split, gaps, advance)
                children.append(child)
        box.children = children
        box.width += advance - before
        return advance
    box.translate(advance, 0)  # an atomic inline box
    return advance + next(gaps)


def _cut(
    box: Any, parts: list[_Unit], gaps: Iterator[float], advance: float
) -> tuple[list[Any], float]:
    """The text box as one box per unit, each at its place."""
    pieces = []
    x = box.position_x + advance
    for part in parts:
        piece = box.copy_with_text(part.text)
        piece.pango_layout = part.layout
        piece.position_x = x
        piece.width = part.width
        pieces.append(piece)
        x += part.width + next(gaps)
    return pieces, x - (box.position_x + box.width)
