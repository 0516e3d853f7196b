"""Pages painted as soon as their part is laid out, so that a part's box tree
is let go before the next part is laid out: a build holds the boxes of one
part at a time, not of the whole document (two long tables are most of it).

WeasyPrint paints every page while it writes the PDF (``generate_pdf``), into
a ``Stream`` made per page from the document's fonts and from resources and
images made for that PDF. ``PaintAhead`` paints each page, in document order,
into such a stream made with the same font dictionary (the document's, which
``generate_pdf`` then uses) and with resources and images of its own; a
``PaintedPage`` keeps the operators and what the page added to the resources
and images, and ``generate_pdf`` calling its ``paint`` hands them over in the
same order. The PDF is byte for byte the one painting while writing gives
(tests/test_pdf_parts.py). A page painted lets its boxes go at once: the one
reference cycle that would keep a table's whole box tree until the next full
garbage collection is broken (``_release_tables``).

What painting ahead cannot do the same way, it does not do: a page that
makes a transparency group, a pattern, a shading or a graphics state other
than an opacity (their objects refer to the PDF's colour space, which does not
exist yet, and their names count what came before) ends painting ahead for
that page and every later one, which are painted while writing as usual.
The glyphs and images the interrupted page recorded are recorded again, the
same, when it is painted while writing. Nor is a page with form fields
painted ahead, or a document written with PDF tags (``PaintAhead.possible``).
"""

from __future__ import annotations

from typing import Any

import pydyf
from weasyprint.document import Page
from weasyprint.formatting_structure.boxes import LineBox, TableBox
from weasyprint.pdf import VARIANTS
from weasyprint.pdf.stream import Stream

SCALE = 0.75  # generate_pdf's scale at zoom 1: 72 PDF points to 96 CSS pixels
_RESOURCE_KINDS = ("ExtGState", "XObject", "Pattern", "Shading")


class _NotAhead(Exception):
    """The page asked for what painting ahead does not do."""


class _AheadStream(Stream):  # type: ignore[misc]
    """A page's stream painted ahead: only what needs no PDF object."""

    def add_group(self, *args: Any, **kwargs: Any) -> Any:
        raise _NotAhead

    def add_pattern(self, *args: Any, **kwargs: Any) -> Any:
        raise _NotAhead

    def add_shading(self, *args: Any, **kwargs: Any) -> Any:
        raise _NotAhead

    def set_state(self, state: Any) -> None:
        raise _NotAhead


class PaintedPage(Page):  # type: ignore[misc]
    """A Page painted ahead: all of it but its box tree, and what painting it
    gave (the operators, and the resources and images it added, in order)."""

    def __init__(self, page: Page, operators: bytes, added: list[tuple[str, str, Any]]) -> None:
        self.__dict__.update(page.__dict__)
        self._page_box = None
        self._operators = operators
        self._added = added

    def paint(self, stream: Any, scale: float = 1) -> None:
        if scale != SCALE:
            raise ValueError(f"painted ahead at scale {SCALE}, written at {scale}")
        for kind, key, value in self._added:
            if kind == "images":
                # A copy: writing sets its x_object, an object of that PDF
                # only (another write of the document makes its own).
                if key not in stream._images:
                    stream._images[key] = {**value, "dpi_ratios": set(value["dpi_ratios"])}
            else:
                stream._resources[kind].setdefault(key, value)
        if self._operators:
            stream.stream.append(self._operators)


class PaintAhead:
    """Painting ahead for one document: its pages handed over in order."""

    def __init__(self, fonts: dict[str, Any], color_profiles: Any, output_intent: Any) -> None:
        self.fonts = fonts  # becomes the written document's Document.fonts
        self._color_profiles = color_profiles
        self._output_intent = output_intent
        self._resources = pydyf.Dictionary({kind: pydyf.Dictionary() for kind in _RESOURCE_KINDS})
        self._images: dict[str, Any] = {}
        self._stopped = False

    @staticmethod
    def possible(pdf_variant: str | None, pdf_tags: bool = False) -> bool:
        """Whether a PDF of this variant can be painted ahead (no PDF tags)."""
        if pdf_variant:
            pdf_tags = VARIANTS[pdf_variant][1].get("pdf_tags", pdf_tags)
        return not pdf_tags

    def paint(self, pages: list[Page]) -> list[Page]:
        """pages (the next ones of the document) painted, as PaintedPages,
        until one cannot be; that one and the rest as they were."""
        painted = []
        for page in pages:
            if self._stopped or any(page.forms.values()):
                self._stopped = True
                painted.append(page)
                continue
            try:
                painted.append(self._painted(page))
            except _NotAhead:
                self._stopped = True
                painted.append(page)
        return painted

    def _painted(self, page: Page) -> PaintedPage:
        # The stream as generate_pdf makes it (zoom 1), and what it does to it
        # before painting: the operators after that are the page's.
        left = -SCALE * page.bleed["left"]
        top = -SCALE * page.bleed["top"]
        right = left + SCALE * (page.width + page.bleed["left"] + page.bleed["right"])
        bottom = top + SCALE * (page.height + page.bleed["top"] + page.bleed["bottom"])
        rectangle = (left / SCALE, top / SCALE, (right - left) / SCALE, (bottom - top) / SCALE)
        stream = _AheadStream(
            self.fonts,
            rectangle,
            self._resources,
            self._images,
            None,
            self._color_profiles,
            self._output_intent,
        )
        stream.transform(d=-1, f=(page.height * SCALE))
        before = len(stream.stream)
        known = {kind: len(self._resources[kind]) for kind in _RESOURCE_KINDS}
        known_images = len(self._images)
        page.paint(stream, SCALE)
        operators = b"\n".join(pydyf._to_bytes(item) for item in stream.stream[before:])
        added = [
            (kind, key, self._resources[kind][key])
            for kind in _RESOURCE_KINDS
            for key in list(self._resources[kind])[known[kind] :]
        ]
        added += [("images", key, self._images[key]) for key in list(self._images)[known_images:]]
        _release_tables(page._page_box)
        return PaintedPage(page, operators, added)


def _release_tables(page_box: Any) -> None:
    """The reference cycle through which a laid-out table holds its whole
    box tree broken: table_layout gives each column a ``get_cells`` closure
    over the table box it laid out (all its rows, the column among its
    column groups), read only while the page is laid out. Without it the
    boxes of a painted page go when their last reference does, not at the
    next full garbage collection."""
    stack = [page_box]
    while stack:
        box = stack.pop()
        if isinstance(box, TableBox):
            for group in box.column_groups:
                for column in group.children:
                    column.__dict__.pop("get_cells", None)
        elif not isinstance(box, LineBox):  # no table inside a line of ours
            stack.extend(getattr(box, "children", ()))
