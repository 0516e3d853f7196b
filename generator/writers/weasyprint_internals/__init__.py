"""What the PDF writer does inside WeasyPrint: everything that depends on
WeasyPrint's internals, in one place. Importing this package imports
WeasyPrint the fast way (fastload.py).

Pinned in pyproject.toml: WeasyPrint 70.0, pydyf 0.13.0, cssselect2 0.10.1.
Upgrading any of them means checking every item below, then running
tests/test_pdf_speedups.py (the same bytes as WeasyPrint's plain route) and
tests/test_cjk_justify.py.

- fastload.py: WeasyPrint imported without ``ctypes.util.find_library``'s
  subprocesses, and with ``fontTools.subset`` as a lazy module.
- document.py: our HTML as a ``weasyprint.HTML`` parsed as XML, its
  stylesheet parsed once, one ``FontConfiguration`` per thread.
- ua.css: WeasyPrint's user-agent stylesheet cut down to our elements.
- cjk_justify.py: Chinese lines justified between characters.
- speedups.py: fonts not copied, faces subset and streams compressed in a
  thread pool, shared styles cascaded once, used lengths resolved in one
  loop, collapsed table borders worked out once per style and drawn
  directly (borders.py), no full garbage collection while a document is laid
  out and written.
- borders.py: collapsed table borders drawn with a solid segment's
  operators written directly (part of speedups.py's shortcuts).
- shared_pango.py: text layouts set up from a shared Pango context and font
  description, line heights cached by value (part of speedups.py's
  shortcuts).
- kept_layouts.py: a text box drawn with the Pango layout it was laid out
  with, not shaped again (part of speedups.py's shortcuts).
- first_page.py: a part of the document laid out from the page it starts on
  (its page numbers and sides), for the PDF writer's part-by-part layout.
- reuse.py: font subsets and compressed streams of the PDFs a process wrote
  before (the editor's preview, a batch's offices) reused, found by what they
  are made from.
- paint_ahead.py: each part's pages painted as soon as it is laid out, so a
  build holds one part's boxes at a time.

Internals relied on, by module:

fastload.py
- ``weasyprint.text.ffi`` opens each library through cffi's ``ffi.dlopen``
  with a list of names that, on Linux, holds its soname; cffi hands a name it
  cannot open to ``ctypes.util.find_library``, looked up as a module
  attribute;
- ``weasyprint.pdf.fonts`` imports ``fontTools.subset`` at its top and uses it
  only where HarfBuzz's subsetter is missing.

document.py and ua.css
- ``HTML.__init__`` for a string without a <base> element sets just
  ``base_url``, ``url_fetcher`` (a ``weasyprint.urls.URLFetcher``),
  ``media_type``, ``wrapper_element`` (``cssselect2.ElementWrapper.from_html_root``)
  and ``etree_element``; ``HTML._ua_stylesheets(forms)`` is the hook for the
  user-agent stylesheets; ``HTML.render`` lays out with
  ``Document._render(html, font_config, counter_style, color_profiles,
  options)``, the options over ``DEFAULT_OPTIONS``, which builds the
  ``LayoutContext`` with the classmethod ``_build_layout_context`` and reads
  it no more once laid out; the context's ``get_image_from_uri`` is a
  partial over the context (a reference cycle, broken after the layout);
- ``weasyprint/css/html5_ua.css``: ua.css copies its rules for our elements,
  unchanged and in order;
- ``FontConfiguration`` holds no per-document state for HTML without
  @font-face rules.

cjk_justify.py
- ``weasyprint.layout.inline.justify_line(context, line, extra_width)``, looked
  up as a module global by ``text_align`` in the same module, called with the
  line box before the line is moved into place, and only for lines that are
  justified (not a paragraph's last line under ``text-align: justify``);
- the box tree: ``LineBox`` and ``InlineBox`` with ``children`` (a list the
  line owns), ``position_x`` and ``width``; ``TextBox`` with ``text``,
  ``style`` and ``pango_layout`` (a deactivated ``Layout`` that still holds
  ``text``, ``justification_spacing`` and ``max_width``); ``translate`` on
  atomic inline boxes;
- ``weasyprint.text.line_break.Layout``: ``Layout(style, justification_spacing,
  max_width)``, ``setup(style)``, ``set_text(text, justify=True)`` and
  ``get_first_line()``, its ``layout`` and ``text``; ``draw.text.draw_text``
  calls its ``reactivate(style)`` before drawing (which shapes the text anew)
  and ``deactivate()`` after; ``draw_first_line`` sets single-paragraph mode
  (a no-op when already set) and changes the layout otherwise only for
  ellipses, which the document never asks for;
- ``draw_first_line``'s arithmetic, replicated by ``_fit``: per run,
  ``font_size`` is ``text.fonts.get_pango_font_key(font)[2]`` (the style's
  font size before Pango 1.48.2); per glyph, ``offset = x_offset /
  font_size`` written as is before the glyph, the PDF advance
  ``logical_width = round(logical extents width * 1000 * FROM_UNITS /
  font_size)``, ``kerning = logical_width + offset - width * 1000 *
  FROM_UNITS / font_size`` written as ``int(kerning)`` unless zero; an empty
  glyph is written as a move of ``-width / font_size``; nothing else reads
  the edited advances and x offsets; bitmap and colour faces, written
  otherwise, are not used;
- ``pdf.stream.Stream.add_font`` keeps one ``logical_width`` per glyph and
  face, from the size it is first drawn at; ``_PdfAdvances`` likewise, from
  the size it first meets. The faces used (Fandol, Noto CJK) round every
  advance alike from 10.5 to 36 pt; were one not to, a glyph whose
  adjustment is under 1/1000 em could land 1/1000 em off;
- the Pango structures as ``text.ffi`` declares them: a layout line's
  ``runs``, each a glyph item with its ``item`` (``offset``,
  ``analysis.font``, ``analysis.level``) and glyph string (``num_glyphs``,
  ``log_clusters`` and the ``PangoGlyphInfo`` array, read and written in
  bulk).

speedups.py
- ``css.StyleFor.__init__`` as in 70.0 (``_StyleFor`` replicates it, with
  no cascade for an element whose computed style is shared, and its
  pseudo-elements' computed styles shared as well: a ``_cascaded_styles``
  entry is read only by ``set_computed_styles`` for its own element or
  pseudo-element, and a ``ComputedStyle`` depends on its parent style, its
  cascade, its pseudo-element type and the root style, never on its element;
  ``target_collector.collect_anchor``, called once a shared style, keeps the
  first of equal names and only warns about the others), looked up as a
  module global by ``css.get_all_computed_styles``; ``find_style_attributes``,
  ``preprocess_declarations``, ``declaration_precedence``, each matched
  selector as ``(specificity, order, pseudo_type, (declarations, layer))``
  and ``sheet.layers``, the attributes ``_cascaded_styles``,
  ``_computed_styles``, ``initial_page_sizes``, ``_sheets`` and
  ``font_config`` that the other methods read;
- ``pdf.stream.Font``, the class ``Stream.add_font`` instantiates, looked up
  as a module global; ``pdf.fonts.Font`` sets ``file_content`` once in
  ``__init__`` from ``get_hb_object_data(self.hb_face)`` (a module global of
  ``pdf.fonts``), replaces it after subsetting, and reads it only after;
- ``pdf.build_fonts_dictionary(pdf, fonts, compress, subset, options)``, a
  module global of ``pdf``, calls ``clean(to_unicode, options["hinting"])``
  on the first font of each ``hash`` that is not ``bitmap``, with the
  ``to_unicode`` of all of them merged when ``subset`` is set and it is not
  ``used_in_forms``, and ``clean`` calls ``subset`` with the same arguments;
  with HarfBuzz's subsetter, subsetting reads only ``hb_face`` (a subset made
  with other arguments is made again, so a change there costs time, not
  bytes);
- ``layout.percent``: ``resolve_percentages``, ``percentage`` and
  ``adjust_box_sizing`` as in 70.0 (``_resolve_percentages`` replicates the
  first), and every layout module that imports ``resolve_percentages``
  looks it up as a module global (``flex`` through ``percent``);
- ``layout.table.collapse_table_borders`` as in 70.0 (``_collapse_table_borders``
  replicates it for left-to-right tables: the border grid it returns, the used
  border widths it sets), looked up as a module global by
  ``formatting_structure.build`` (``wrap_table``), the only caller, with the
  computed style of each box unchanged while it runs; ``draw.color.get_color``;
- pydyf 0.13: ``PDF.write`` writes ``self.objects`` (and streams it makes
  itself) through ``Stream.data``, a property that compresses when
  ``compress`` is set and changes no state.

borders.py
- ``draw.draw_collapsed_borders(stream, table)`` as in 70.0 (``_segments``
  replicates its arithmetic and order), looked up as a module global by
  ``draw_table``; for a ``solid`` segment it calls ``stream.stacked()`` twice
  (``artifact()`` writes nothing without tags), ``set_color(color,
  stroke=True)`` (``Stream.set_alpha`` with the ``A{alpha}`` state, then
  ``set_color_rgb`` of ``color.to("srgb").coordinates`` for sRGB, HSL and HWB
  colours, each skipped when it is the current one), ``set_line_width``,
  ``move_to``, ``line_to`` and ``stroke``; ``Stream.pop_state`` writes ``Q``
  when the last operator is not ``q`` and resets the current colours,
  opacities and font; the ``ctm`` stack is read by nothing in between;
- pydyf 0.13: the operators those methods write (``_to_bytes`` of each
  operand).

shared_pango.py
- ``text.line_break.Layout.setup(style)`` as in 70.0 (``setup_shared`` replicates
  it): a new Pango context from ``style.font_config.font_map`` with glyph
  positions not rounded, the base direction and the language set, read and
  never changed after; a font description from ``get_font_description``,
  which reads only the seven properties of ``_FONT`` and which
  ``pango_layout_set_font_description`` copies; ``font_features`` of the
  eight properties of ``_FEATURES``; ``Layout`` looks ``setup`` up on its
  class, ``reactivate`` through ``setup``;
- ``text.line_break.strut(style)`` as in 70.0: the result depends only on the
  sixteen properties of ``_STRUT`` (its own key, ``_font_style_cache_key``
  with the size and line height), looked up as a module global by
  ``layout.inline``, ``css.units`` and ``css.computed_values``.

kept_layouts.py
- ``text.line_break.create_layout`` (looked up as a module global by
  ``split_first_line`` and ``layout.inline``) makes a ``Layout`` and sets its
  text, and nothing shapes it before it returns; ``first_line_metrics``
  calls ``deactivate()`` once the line is laid out (with the width set to -1
  and the line's text set again when the text goes on), ``add_word_spacing``
  makes layouts with justification spacing; ``Layout.set_text`` keeps the
  first line and one character of a text with ``\n``;
- ``draw.text.draw_text`` calls ``reactivate(textbox.style)`` (``setup`` then
  ``set_text(self.text, justify=True)``), then ``draw_first_line``, which
  sets single-paragraph mode, changes width, ellipsis and text only for an
  ellipsis, reads the first line's runs and never the line's offset, then
  ``deactivate()``; ``Layout.ascent`` and the decoration metrics outlive
  ``deactivate``.

first_page.py
- ``weasyprint.layout.initialize_page_maker(context, root_box)``, looked up
  as a module global by ``layout_document`` in the same module, sets
  ``context.page_maker`` to one entry ``(resume_at, next_page, right_page,
  page_state, remake_state)``, ``page_state`` being ``(quote_depth,
  counter_values, counter_scopes, page_groups)`` with ``counter_values``
  ``{"pages": [0]}``; every page's ``@page`` style increments the ``page``
  counter (``_standardize_page_based_counters``, the counter made at 0 in
  the last scope by ``build.update_counters`` the first time) after its
  content is laid out, and ``remake_page`` flips ``right_page`` from one page
  to the next; the ``pages`` counter (the page count) is not used by css.py;
- what else depends on a page's number: ``context.current_page > 1``
  truncates the margins at the top of a page after an unforced break
  (``layout/block.py``: the first page of a part follows a forced break in
  the whole document, where they are kept too); ``initial_page_sizes``, set
  on page 1, are every page's in a notice; ``PageType``'s index serves the
  ``:first`` and ``:nth()`` page selectors, which neither css.py nor ua.css
  uses.

reuse.py
- ``pdf.fonts.Font.subset`` calls ``self._harfbuzz_subset(to_unicode,
  hinting)`` (HarfBuzz's subsetter present), which reads ``hb_face``,
  ``missing`` and the glyph ids (``to_unicode``'s keys), and sets
  ``file_content`` and nothing else; the faces are static (no variations are
  applied before subsetting);
- pydyf 0.13: ``Stream.data`` compresses with ``zlib.compressobj(level=9)``,
  ``zlib`` a module global of ``pydyf``, one ``compress`` call then
  ``flush``; ``PDF.write``'s object streams call ``zlib.compress``, left as
  it is;
- the HarfBuzz functions ``weasyprint.text.ffi`` declares:
  ``hb_face_reference_table``, ``hb_face_get_table_tags``,
  ``hb_blob_get_data``, ``hb_blob_get_length``, ``hb_blob_destroy``.

pdf.py (through the documents WeasyPrint renders; public, but relied on)
- ``Document.copy(pages)`` joins the pages of several renderings into one
  document with the first's metadata (WeasyPrint's documented way to combine
  documents); it shares the first's ``color_profiles``, to which
  ``generate_pdf`` adds the sRGB profile of PDF/A, so the writer gives the
  joined document a copy;
- a page laid out once is written the same way any number of times, alone or
  among other pages: ``Page.paint`` changes nothing a later paint reads, and
  fonts (``Document.fonts``), images and the resource names of a PDF are
  made anew by each ``write_pdf``, in the order of the pages painted
  (tests/test_pdf_parts.py: the same bytes as the whole document, again and
  again from the pages kept).

paint_ahead.py
- ``generate_pdf`` (``pdf/__init__.py``) makes one ``pdf.stream.Stream(fonts,
  page_rectangle, resources, images, tags, color_profiles, output_intent)``
  per page, in page order, from ``Document.fonts`` and a resources dictionary
  and an images dictionary of its own, applies ``transform(d=-1,
  f=height * scale)`` to it, then calls ``page.paint(stream, scale)``; the
  links, annotations and form fields it adds for a page touch neither the
  stream nor the resources (form fields do, and their pages are not painted
  ahead); it reads a page's ``width``, ``height``, ``bleed``, ``links``,
  ``anchors``, ``bookmarks`` and ``forms``, never its box tree otherwise;
- painting names what it adds to the resources by content (``a``/``A`` and
  the opacity, ``i`` and the image id), except ``set_state``, ``add_group``,
  ``add_pattern`` and ``add_shading``, which count what came before and make
  objects referring to the PDF's colour space: those stop painting ahead;
- ``VARIANTS[variant][1]`` may set ``pdf_tags``; a stream with tags records
  marked content per page, so a tagged PDF is not painted ahead;
- pydyf 0.13: ``Stream.data`` joins ``_to_bytes`` of each item with newlines,
  so a page's operators joined ahead are the same bytes;
- ``layout.table.table_layout`` sets ``column.get_cells``, a closure over the
  table box laid out (all its rows), on each column of ``table.column_groups``
  (shared by the table's boxes on every page); it is read while the table is
  laid out (``layout.background``), never while it is painted.

html.py (not an internal it touches, a cost it avoids)
- ``layout.table.table_layout``'s ``group_layout`` does work in proportion to
  all the rows of a row group each time it lays out part of it (once a page),
  so html.py writes a long table body as row groups of ``ROWS_PER_GROUP``
  rows; row groups without borders, backgrounds or break rules change no
  page (tests/test_pdf_speedups.py, the long table).
"""

from generator.writers.weasyprint_internals.fastload import import_weasyprint

import_weasyprint()
