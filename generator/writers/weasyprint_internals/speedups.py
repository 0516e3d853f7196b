"""Shortcuts through WeasyPrint's PDF writing that leave the PDF byte for byte
as it was (tests/test_pdf_speedups.py checks each against the plain route).

``weasyprint_speedups()`` puts them in place while a document is laid out and
written:

- **No whole copy of each font file.** ``Font.__init__`` copies every face it
  meets into ``file_content`` (a Fandol or Noto CJK face is 2 to 25 MB, some
  60 MB a document), which only a failed subsetting ever embeds. ``_Font``
  reads it from the face when asked, so in practice never.
- **Fonts subset on every core.** Subsetting the faces of a notice takes some
  50 ms one after the other; HarfBuzz lets other threads run meanwhile, so
  ``_build_fonts_dictionary`` subsets them all ahead in a thread pool, the
  largest faces first, and ``_Font.subset`` then finds its work done.
- **Used lengths in one call.** ``resolve_percentages`` runs for every box
  each time it is laid out (some 1700 times a notice), and makes two calls
  for each of its 14 lengths; ``_resolve_percentages`` does the same in one
  loop and skips the box-sizing step for content-box boxes, where it changes
  nothing.
- **Collapsed borders resolved once per style.** ``collapse_table_borders``
  works out each side's border (style, width, colour and score) anew for
  every cell, row and column it meets, some ten times a table row;
  ``_collapse_table_borders`` does the same with each style's sides worked
  out once (the cells of a column share one computed style).
- **Collapsed borders drawn directly.** Each border segment of a table was
  some ten stream method calls, its colour converted to sRGB anew each time;
  ``borders.py`` writes a solid segment's operators itself, the same bytes.
- **Shared styles not cascaded.** WeasyPrint gives elements whose parent's
  style and matched rules are the same one computed style, but cascades
  every element's declarations first (a dict of weighted values each), and
  its pseudo-elements' (the user-agent stylesheet's ``::footnote-call`` and
  ``::footnote-marker`` match every element) with a computed style each:
  some 30 KB a table row, 120 MB for 2,000 villages. ``_StyleFor`` matches
  first, and an element that shares its style shares its pseudo-elements'
  styles too, with nothing cascaded.
- **Streams compressed on every core.** pydyf compresses each stream (page
  contents, font subsets) at zlib level 9 as it writes it, one after the
  other: some 40 ms a notice. zlib lets other threads run meanwhile, so
  ``_write`` compresses them all in a thread pool first and the writing
  takes each result as it comes to it.
- **Text layouts set up from shared Pango objects.** A Pango context per
  direction and language and a font description per font, not new ones for
  every text box laid out and drawn; the line heights of ``strut`` cached by
  the values of its properties (``shared_pango.py``).
- **Text shaped once.** A text box is drawn with the Pango layout it was
  laid out with, where WeasyPrint sets up and shapes a new one
  (``kept_layouts.py``).
- **No full garbage collections.** Laying out and writing a long table makes
  hundreds of thousands of objects that live to the end, and Python's
  collector goes through every object of the process (some million, most of
  them modules) each time the old ones have grown by a quarter: seven times,
  a fifth of the CPU time of a build with 1,000 table rows. ``_no_full_collections``
  leaves the young generations collected as usual (they catch the short-lived
  cycles) and postpones the full collection until the block is done; what it
  would have freed meanwhile is little (some 5 MB for 1,000 rows).

The WeasyPrint and pydyf internals this relies on are listed in __init__.py.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from math import inf
from types import ModuleType
from typing import Any, TypeVar

import pydyf
from weasyprint import css as weasyprint_css
from weasyprint import draw
from weasyprint import pdf as weasyprint_pdf
from weasyprint.css import computed_values, units
from weasyprint.css.functions import check_math
from weasyprint.draw.color import get_color
from weasyprint.formatting_structure import boxes, build
from weasyprint.layout import absolute, block, column, grid, inline, page, percent, table
from weasyprint.layout import float as float_layout
from weasyprint.pdf import fonts, stream
from weasyprint.text import line_break

from generator.writers.weasyprint_internals.borders import draw_collapsed_borders_directly
from generator.writers.weasyprint_internals.kept_layouts import (
    create_layout_to_keep,
    deactivate_keeping,
    reactivate_kept,
)
from generator.writers.weasyprint_internals.shared_pango import setup_shared, strut_by_value

_LOCK = threading.RLock()  # the shortcuts replace module globals: one document at a time
_state = threading.local()
_get_hb_object_data = fonts.get_hb_object_data


def _face_data(hb_object: Any, ot_color: str | None = None, glyph: int | None = None) -> Any:
    """get_hb_object_data, answering None for the whole face while a _Font
    is being made (it reads the face itself when asked)."""
    if ot_color is None and getattr(_state, "making_font", False):
        return None
    return _get_hb_object_data(hb_object, ot_color, glyph)


class _Font(fonts.Font):  # type: ignore[misc]
    """WeasyPrint's Font without the copy of the face (see the module's
    docstring)."""

    _file_content: bytes | None = None

    def __init__(self, pango_font: Any, description: Any, font_size: float) -> None:
        _state.making_font = True
        try:
            super().__init__(pango_font, description, font_size)
        finally:
            _state.making_font = False

    @property
    def file_content(self) -> bytes:
        if self._file_content is None:
            self._file_content = _get_hb_object_data(self.hb_face)
        return self._file_content

    @file_content.setter
    def file_content(self, content: bytes | None) -> None:
        self._file_content = content

    _subset_ahead: tuple[dict[int, str], bool] | None = None

    def subset_ahead(self, to_unicode: dict[int, str], hinting: bool) -> None:
        super().subset(to_unicode, hinting)
        self._subset_ahead = (to_unicode, hinting)

    def subset(self, to_unicode: dict[int, str], hinting: bool) -> None:
        ahead, self._subset_ahead = self._subset_ahead, None
        if ahead != (to_unicode, hinting):
            super().subset(to_unicode, hinting)


def _build_fonts_dictionary(
    pdf: pydyf.PDF, fonts_by_key: dict[Any, _Font], compress: bool, subset: bool, options: Any
) -> Any:
    """build_fonts_dictionary, with its fonts subset ahead in a thread pool."""
    if subset and fonts.harfbuzz_subset:
        by_file: dict[str, list[_Font]] = {}
        for font in fonts_by_key.values():
            by_file.setdefault(font.hash, []).append(font)
        jobs = []
        for same_file in by_file.values():
            font = same_file[0]
            if not font.bitmap and not font.used_in_forms:
                to_unicode: dict[int, str] = {}
                for file_font in same_file:
                    to_unicode |= file_font.to_unicode
                jobs.append((font, to_unicode))
        jobs.sort(key=lambda job: job[0].glyph_count, reverse=True)
        _in_pool(lambda job: job[0].subset_ahead(job[1], options["hinting"]), jobs)
    return _original_build_fonts_dictionary(pdf, fonts_by_key, compress, subset, options)


_original_build_fonts_dictionary = weasyprint_pdf.build_fonts_dictionary


def _resolve_percentages(box: Any, containing_block: Any) -> None:
    """percent.resolve_percentages: the used margins, paddings, widths,
    heights and borders of box, as attributes."""
    if isinstance(containing_block, boxes.Box):
        cb_width, cb_height = containing_block.width, containing_block.height
    else:
        cb_width, cb_height = containing_block
    maybe_height = cb_height if isinstance(box, boxes.PageBox) else cb_width
    style = box.style
    auto_height = cb_height == "auto"
    lengths = (
        ("margin_left", cb_width),
        ("margin_right", cb_width),
        ("margin_top", maybe_height),
        ("margin_bottom", maybe_height),
        ("padding_left", cb_width),
        ("padding_right", cb_width),
        ("padding_top", maybe_height),
        ("padding_bottom", maybe_height),
        ("width", cb_width),
        ("min_width", cb_width),
        ("max_width", cb_width),
        ("min_height", 0 if auto_height else cb_height),
        ("max_height", inf if auto_height else cb_height),
    )
    for name, refer_to in lengths:
        value = style[name]
        if value is not None and value != "auto":
            unit = getattr(value, "unit", None)
            if unit is None:  # a math function
                value = percent.percentage(value, style, refer_to)
            elif unit == "%":
                value = refer_to * value.value / 100
            else:
                value = value.value
        if value == "auto" and name in ("min_width", "min_height"):
            value = 0
        setattr(box, name, value)
    if auto_height:
        height = style["height"]
        if height == "auto" or check_math(height) or height.unit == "%":
            box.height = "auto"
        else:
            box.height = height.value
    else:
        percent.resolve_one_percentage(box, "height", cb_height)
    collapse = style["border_collapse"] == "collapse"
    for prop in _BORDER_WIDTHS:
        # set by the border conflict resolution of collapsed borders
        if not (collapse and hasattr(box, prop)):
            setattr(box, prop, style[prop])
    if style["box_sizing"] != "content-box":
        percent.adjust_box_sizing(box, "width")
        percent.adjust_box_sizing(box, "height")


_BORDER_WIDTHS = tuple(f"border_{side}_width" for side in ("top", "right", "bottom", "left"))
_LAYOUT_MODULES: tuple[ModuleType, ...] = (
    percent,
    absolute,
    block,
    column,
    float_layout,
    grid,
    inline,
    page,
    table,
)


# collapse_table_borders' ranking of border styles, and the styles drawn as others.
_BORDER_STYLE_SCORES = {
    style: score
    for score, style in enumerate(
        reversed(
            [
                "hidden",
                "double",
                "solid",
                "dashed",
                "dotted",
                "ridge",
                "outset",
                "groove",
                "inset",
                "none",
            ]
        )
    )
}
_BORDER_STYLE_DRAWN_AS = {"inset": "ridge", "outset": "groove"}
_original_collapse_table_borders = table.collapse_table_borders

Border = tuple[tuple[int, float, int], tuple[str, float, Any]]


def _collapse_table_borders(box: Any, grid_width: int, grid_height: int) -> Any:
    """table.collapse_table_borders, each style's borders worked out once: the
    same grid of borders and the same used border widths. Right-to-left
    tables (which our documents never have) take WeasyPrint's own."""
    if not (grid_width and grid_height) or box.style["direction"] != "ltr":
        return _original_collapse_table_borders(box, grid_width, grid_height)
    weak_null: Border = ((0, 0, _BORDER_STYLE_SCORES["none"]), ("none", 0, table.TRANSPARENT))
    strong_null: Border = (
        (1, 0, _BORDER_STYLE_SCORES["hidden"]),
        ("hidden", 0, table.TRANSPARENT),
    )
    vertical = [[weak_null] * (grid_width + 1) for _ in range(grid_height)]
    horizontal = [[weak_null] * grid_width for _ in range(grid_height + 1)]
    sides: dict[int, tuple[Border, Border, Border, Border]] = {}

    def border(style: Any, side: str) -> Border:
        border_style = style[f"border_{side}_style"]
        width = style[f"border_{side}_width"]
        color = get_color(style, f"border_{side}_color")
        score = (1 if border_style == "hidden" else 0, width, _BORDER_STYLE_SCORES[border_style])
        return score, (_BORDER_STYLE_DRAWN_AS.get(border_style, border_style), width, color)

    def set_borders(part: Any, x: int, y: int, w: int, h: int) -> None:
        style = part.style
        known = sides.get(id(style))
        if known is None:  # the style lives on its box while this runs: its id is its own
            known = sides[id(style)] = (
                border(style, "left"),
                border(style, "right"),
                border(style, "top"),
                border(style, "bottom"),
            )
        left, right, top, bottom = known
        # As WeasyPrint's set_one_border: strict < so that the earlier call wins a tie.
        for row in vertical[y : y + h]:
            if row[x][0] < left[0]:
                row[x] = left
            if row[x + w][0] < right[0]:
                row[x + w] = right
        top_row, bottom_row = horizontal[y], horizontal[y + h]
        for xx in range(x, x + w):
            if top_row[xx][0] < top[0]:
                top_row[xx] = top
            if bottom_row[xx][0] < bottom[0]:
                bottom_row[xx] = bottom

    # Cells, rows, row groups, columns, column groups, the table: in this order.
    grid_y = 0
    for row_group in box.children:
        for row in row_group.children:
            for cell in row.children:
                # No border inside a cell that spans rows or columns.
                grid_x, colspan, rowspan = cell.grid_x, cell.colspan, cell.rowspan
                for xx in range(grid_x + 1, grid_x + colspan):
                    for yy in range(grid_y, grid_y + rowspan):
                        vertical[yy][xx] = strong_null
                for xx in range(grid_x, grid_x + colspan):
                    for yy in range(grid_y + 1, grid_y + rowspan):
                        horizontal[yy][xx] = strong_null
                set_borders(cell, grid_x, grid_y, colspan, rowspan)
            grid_y += 1
    grid_y = 0
    for row_group in box.children:
        for row in row_group.children:
            set_borders(row, 0, grid_y, grid_width, 1)
            grid_y += 1
    grid_y = 0
    for row_group in box.children:
        rowspan = len(row_group.children)
        set_borders(row_group, 0, grid_y, grid_width, rowspan)
        grid_y += rowspan
    for column_group in box.column_groups:
        for grid_column in column_group.children:
            set_borders(grid_column, grid_column.grid_x, 0, 1, grid_height)
    for column_group in box.column_groups:
        set_borders(column_group, column_group.grid_x, 0, column_group.span, grid_height)
    set_borders(box, 0, 0, grid_width, grid_height)

    # The used border widths: half the widest border met on each side.
    def vertical_width(x: int, y1: int, y2: int) -> float:
        return max(grid_row[x][1][1] for grid_row in vertical[y1:y2])

    def horizontal_width(x1: int, y: int, x2: int) -> float:
        return max(width for _, (_, width, _) in horizontal[y][x1:x2])

    def set_widths(part: Any, top: float, right: float, bottom: float, left: float) -> None:
        part.border_top_width = top / 2
        part.border_right_width = right / 2
        part.border_bottom_width = bottom / 2
        part.border_left_width = left / 2

    grid_y = 0
    for row_group in box.children:
        set_widths(row_group, 0, 0, 0, 0)
        for row in row_group.children:
            set_widths(row, 0, 0, 0, 0)
            for cell in row.children:
                x, y, colspan, rowspan = cell.grid_x, grid_y, cell.colspan, cell.rowspan
                set_widths(
                    cell,
                    horizontal_width(x, y, x + colspan),
                    vertical_width(x + colspan, y, y + rowspan),
                    horizontal_width(x, y + rowspan, x + colspan),
                    vertical_width(x, y, y + rowspan),
                )
            grid_y += 1
    for column_group in box.column_groups:
        set_widths(column_group, 0, 0, 0, 0)
        for grid_column in column_group.children:
            set_widths(grid_column, 0, 0, 0, 0)
    # CSS 2.1 17.6.2: the table's left and right from the first row only.
    set_widths(
        box,
        horizontal_width(0, 0, grid_width),
        vertical_width(grid_width, 0, 1),
        horizontal_width(0, grid_height, grid_width),
        vertical_width(0, 0, 1),
    )
    return vertical, horizontal


class _StyleFor(weasyprint_css.StyleFor):  # type: ignore[misc]
    """css.StyleFor whose __init__ (WeasyPrint 70's, replicated) matches an
    element's rules before cascading their declarations, and cascades them
    only for an element whose computed style is not shared: one that shares
    its style shares its pseudo-elements' too."""

    def __init__(
        self,
        html: Any,
        sheets: Any,
        presentational_hints: bool,
        font_config: Any,
        target_collector: Any,
    ) -> None:
        cascaded_styles: dict[tuple[Any, str | None], dict[str, Any]] = {}
        computed_styles: dict[tuple[Any, str | None], Any] = {}
        self._cascaded_styles = cascaded_styles
        self._computed_styles = computed_styles
        self.initial_page_sizes = {"box": None, "area": None}
        self._sheets = sheets
        self.font_config = font_config
        weasyprint_css.PROGRESS_LOGGER.info("Step 3 - Applying CSS")
        elements_declarations: dict[Any, tuple[Any, ...]] = {}
        for specificity, element, declarations, base_url in weasyprint_css.find_style_attributes(
            html.etree_element, presentational_hints, html.base_url
        ):
            style = cascaded_styles.setdefault((element, None), {})
            elements_declarations[element] = tuple(declarations)
            for name, values, importance in weasyprint_css.preprocess_declarations(
                base_url, declarations
            ):
                weight = (
                    weasyprint_css.declaration_precedence("author", importance),
                    inf,
                    specificity,
                )
                _cascade(style, name, values, weight)

        # Elements in tree order: a parent's computed style comes before its children's.
        # The first element of each computed style, and the later ones sharing it.
        computed_cache: dict[Any, Any] = {}
        sharing: list[tuple[Any, Any]] = []
        for element in html.wrapper_element.iter_subtree():
            etree_element = element.etree_element
            parent = element.parent.etree_element if element.parent else None
            parent_id = id(computed_styles[parent, None]) if element.parent else None
            matched = []
            selectors_keys = []
            for sheet, origin, sheet_specificity in sheets:
                for selector in sheet.matcher.match(element):
                    specificity, _, pseudo_type, (declarations, layer) = selector
                    layer_order = inf if layer is None else sheet.layers.index(layer)
                    selectors_keys.append((sheet, specificity, id(declarations), layer_order))
                    rank = (origin, layer_order, sheet_specificity or specificity)
                    matched.append((pseudo_type, declarations, rank))
            key = (parent_id, elements_declarations.get(etree_element), tuple(selectors_keys))
            # The key leaves out the pseudo-element each rule matched for (one
            # rule can name several): the same ones too, and the pseudo-elements
            # are the same as well.
            pseudo_types = tuple(pseudo_type for pseudo_type, _, _ in matched)
            first = computed_cache.get(key)
            if first is not None:
                # The same rules over the same parent style: the element's style is
                # the first element's, as WeasyPrint shares it.
                computed_styles[etree_element, None] = computed_styles[first[0], None]
                if first[1] == pseudo_types:
                    sharing.append((etree_element, first[0]))  # see below
                    continue
            for pseudo_type, declarations, (origin, layer_order, specificity) in matched:
                if pseudo_type is None and first is not None:
                    continue  # the element's own cascade: its computed style is shared
                style = cascaded_styles.setdefault((etree_element, pseudo_type), {})
                for name, values, importance in declarations:
                    precedence = weasyprint_css.declaration_precedence(origin, importance)
                    _cascade(style, name, values, (precedence, layer_order, specificity))
            if first is None:
                self.set_computed_styles(
                    etree_element,
                    root=html.etree_element,
                    parent=parent,
                    base_url=html.base_url,
                    target_collector=target_collector,
                )
                computed_cache[key] = (etree_element, pseudo_types)

        # Pseudo-elements, which inherit from their element, last.
        element_pseudo_types: dict[Any, list[str]] = {}
        for element, pseudo_type in cascaded_styles:
            if pseudo_type:
                element_pseudo_types.setdefault(element, []).append(pseudo_type)
                self.set_computed_styles(
                    element,
                    pseudo_type=pseudo_type,
                    root=html.etree_element,
                    parent=element,
                    base_url=html.base_url,
                    target_collector=target_collector,
                )
        # A pseudo-element's computed style depends on its cascade (the same
        # matched rules give the same), its element's computed style (shared)
        # and the root's, never on the element itself: shared as well.
        for element, first_element in sharing:
            for pseudo_type in element_pseudo_types.get(first_element, ()):
                computed_styles[element, pseudo_type] = computed_styles[first_element, pseudo_type]
        self._cascaded_styles.clear()  # kept: page styles are cascaded into it later


def _cascade(style: dict[str, Any], name: str, values: Any, weight: Any) -> None:
    """A declaration into an element's cascaded style: the later of equal
    weights wins."""
    old_weight = style.get(name, (None, None))[1]
    if old_weight is None or old_weight <= weight:
        style[name] = values, weight


_stream_data = pydyf.Stream.data.fget
_pdf_write = pydyf.PDF.write


def _data(stream: pydyf.Stream) -> bytes:
    """Stream.data: the bytes _write made ahead, if any (taken once)."""
    made: bytes | None = stream.__dict__.pop("_made_ahead", None)
    return made if made is not None else _stream_data(stream)


def _raw_size(stream: pydyf.Stream) -> int:
    return sum(len(item) if isinstance(item, bytes | str) else 1 for item in stream.stream)


def _write(pdf: pydyf.PDF, *args: Any, **kwargs: Any) -> None:
    """PDF.write, with every compressed stream made ahead in a thread pool."""
    streams = [o for o in pdf.objects if isinstance(o, pydyf.Stream) and o.compress]
    streams.sort(key=_raw_size, reverse=True)  # the largest (a font) first, not last
    for pdf_stream, data in zip(streams, _in_pool(_stream_data, streams), strict=True):
        pdf_stream._made_ahead = data
    _pdf_write(pdf, *args, **kwargs)


T = TypeVar("T")
R = TypeVar("R")


def _in_pool(function: Callable[[T], R], items: list[T]) -> list[R]:
    """function of each item, in a thread pool of a thread per core."""
    workers = min(len(items), os.cpu_count() or 1)
    if workers < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(function, items))


@contextmanager
def _replaced(module: ModuleType, name: str, value: Any) -> Iterator[None]:
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


# More collections of the middle generation than a document ever makes: the
# full collection waits until _no_full_collections gives the threshold back.
_NEVER = 1 << 30


@contextmanager
def _no_full_collections() -> Iterator[None]:
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


@contextmanager
def weasyprint_speedups() -> Iterator[None]:
    """The shortcuts in place while the block runs; WeasyPrint work in other
    threads waits until this one is done."""
    with _LOCK, ExitStack() as stack:
        stack.enter_context(_no_full_collections())
        stack.enter_context(_replaced(weasyprint_css, "StyleFor", _StyleFor))
        stack.enter_context(_replaced(stream, "Font", _Font))
        stack.enter_context(_replaced(fonts, "get_hb_object_data", _face_data))
        stack.enter_context(
            _replaced(weasyprint_pdf, "build_fonts_dictionary", _build_fonts_dictionary)
        )
        stack.enter_context(_replaced(pydyf.Stream, "data", property(_data)))
        stack.enter_context(_replaced(pydyf.PDF, "write", _write))
        stack.enter_context(_replaced(build, "collapse_table_borders", _collapse_table_borders))
        stack.enter_context(
            _replaced(draw, "draw_collapsed_borders", draw_collapsed_borders_directly)
        )
        for module in _LAYOUT_MODULES:
            stack.enter_context(_replaced(module, "resolve_percentages", _resolve_percentages))
        stack.enter_context(_replaced(line_break.Layout, "setup", setup_shared))
        for module in (line_break, inline, units, computed_values):
            stack.enter_context(_replaced(module, "strut", strut_by_value))
        for module in (line_break, inline):
            stack.enter_context(_replaced(module, "create_layout", create_layout_to_keep))
        stack.enter_context(_replaced(line_break.Layout, "deactivate", deactivate_keeping))
        stack.enter_context(_replaced(line_break.Layout, "reactivate", reactivate_kept))
        yield
