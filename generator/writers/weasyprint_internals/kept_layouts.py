"""A text box drawn with the Pango layout it was laid out with (part of
speedups.py's shortcuts); the same glyphs, so the same PDF bytes.

WeasyPrint frees a text box's Pango layout once the line is laid out
(``Layout.deactivate``) and, to draw the box, sets up a new one with the same
style and text and shapes it again (``reactivate``): a second shaping of
every text, some 16 microseconds a text box, 5 % of laying out and painting
a long table (500 villages: 1.67 s against 1.59 s). Since each part's pages are painted right after its layout
(paint_ahead.py), a layout kept until then is held for one part at a time.

The layout drawn is the one laid out when nothing differs between the two:

- the text has no paragraph separator, so the single-paragraph mode that
  ``draw_first_line`` sets changes nothing, and is set here before the text
  is first shaped (setting it later would shape the text again);
- no justification spacing, which drawing adds and line layout does not;
- the same style and text when drawn, and drawn once: a second drawing of
  the same layout (a copied box) sets up a new one, as WeasyPrint does.

Only the width differs: a layout of one line keeps the width it was laid out
in, where drawing sets none. One line is the whole text either way, with the
same glyphs and advances (the line's alignment offset, which the width
moves, is not read by drawing).
"""

from __future__ import annotations

from typing import Any

from weasyprint.text import line_break
from weasyprint.text.ffi import pango

_PARAGRAPH_SEPARATORS = frozenset("\n\r\u2029")
_original_create_layout = line_break.create_layout
_original_reactivate = line_break.Layout.reactivate


def create_layout_to_keep(
    text: str, style: Any, context: Any, max_width: Any, justification_spacing: float
) -> Any:
    """line_break.create_layout, the layout marked to be kept for drawing
    when it can be."""
    layout = _original_create_layout(text, style, context, max_width, justification_spacing)
    if (
        type(layout) is line_break.Layout
        and not justification_spacing
        and _PARAGRAPH_SEPARATORS.isdisjoint(layout.text)
    ):
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        layout._to_keep = True
    return layout


def deactivate_keeping(self: Any) -> None:
    """Layout.deactivate, the Pango layout kept for drawing if marked so."""
    # One line, so that what it draws is the whole text, as a layout without a
    # width would (WeasyPrint's line breaking leaves a layout of one line: a
    # guard, cheap once the lines are made).
    if self.__dict__.pop("_to_keep", False) and self.get_first_line()[1] is None:
        self._kept = (self.layout, self.language, self.style, self.text)
    del self.layout, self.language, self.style


def reactivate_kept(self: Any, style: Any) -> None:
    """Layout.reactivate, with the kept Pango layout when it is the one a new
    set-up would shape alike."""
    kept = self.__dict__.pop("_kept", None)
    # A text kept has no paragraph separator (create_layout_to_keep).
    if (
        kept is not None
        and kept[2] is style
        and kept[3] == self.text
        and not self.justification_spacing
    ):
        self.layout, self.language, self.style, _ = kept
        return
    _original_reactivate(self, style)
