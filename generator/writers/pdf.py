"""The PDF writer: the document model as HTML and CSS, laid out by WeasyPrint.

The 版记 belongs at the foot of the last page, and the last page must be an
even one (the back of the last sheet). The HTML makes the 版记 a footnote, so
it sits at the foot of the page it falls on; when that page is odd, the
document is laid out a second time with the 版记 on an even page of its own
(WeasyPrint inserts a blank page before it when needed). Neither that page nor
a blank one carries a page number (css.py); a page the 版记 shares with text
keeps its number.

Each part of the document (the notice, the plan, each attachment) starts on a
new page, and is laid out as an HTML document of its own (html.pdf_html),
from the page number it starts on (weasyprint_internals/first_page.py); the
pages are joined into one document and written. The PDF is byte for byte the
one the whole document laid out at once gives (tests/test_pdf_parts.py), and
a part whose HTML and first page did not change since the document was last
written need not be laid out again (keep_as, for the editor's preview).

What this writer does inside WeasyPrint lives in weasyprint_internals/.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.model import SealFit
from generator.writers import PartHtml, PdfWritten
from generator.writers.css import (
    FIT_CLASSES,
    IMPRINT_ID,
    SEAL_ID,
    TEXT_ID,
    TIGHTEN,
    text_id,
    text_key,
)
from generator.writers.laid_out import LaidOut
from generator.writers.roomy_stack import roomy_stack
from generator.writers.weasyprint_internals.cjk_justify import cjk_justification
from generator.writers.weasyprint_internals.document import DocumentHTML, font_configuration
from generator.writers.weasyprint_internals.first_page import starting_at
from generator.writers.weasyprint_internals.paint_ahead import PaintAhead
from generator.writers.weasyprint_internals.reuse import reused_work
from generator.writers.weasyprint_internals.speedups import weasyprint_speedups

if TYPE_CHECKING:
    from generator.model import Document
    from generator.style.profile import StyleProfile


def _layout(html: str, base_url: Path, first_page: int) -> Any:
    with weasyprint_speedups(), cjk_justification(), starting_at(first_page):
        return DocumentHTML(html, str(base_url)).render(font_config=font_configuration())


@roomy_stack
def write_rendered(
    rendered: Any, out: Path, pdf_variant: str | None = None, reuse: bool = True
) -> None:
    """rendered.write_pdf, with the shortcuts of speedups.py; with reuse, the
    font subsets and compressed streams of the PDFs this process wrote before
    reused where they are the same (reuse.py); without, WeasyPrint's work
    alone (the tests' reference)."""
    with weasyprint_speedups(), reused_work() if reuse else nullcontext():
        rendered.write_pdf(out, pdf_variant=pdf_variant)


def imprint_page(rendered: Any) -> int | None:
    """The 1-based number of the page holding the 版记, None without one."""
    for number, page in enumerate(rendered.pages, start=1):
        if IMPRINT_ID in page.anchors:
            return number
    return None


def _anchor_page(rendered: Any, anchor: str) -> int | None:
    """The 0-based index of the page where the element with id anchor begins."""
    return next((i for i, page in enumerate(rendered.pages) if anchor in page.anchors), None)


def apply_fit(html: str, fit: SealFit) -> str:
    """html laid out tighter (css.FIT_CLASSES): the fit step's class on
    <html>, the paragraphs fit.tightened marked TIGHTEN."""
    html = html.replace("<html ", f'<html class="{FIT_CLASSES[fit.step - 1]}" ', 1)
    for key in fit.tightened:
        html = re.sub(
            rf'(<p id="{re.escape(text_id(key))}" class="[^"]*)"', rf'\1 {TIGHTEN}"', html, count=1
        )
    return html


def fit_seal(
    rendered: Any, html: str, base_url: Path, first_page: int = 1
) -> tuple[Any, SealFit | None]:
    """GB/T 9704 7.3.5.4: a sealed signature that was pushed to the next page
    (taking the last lines of the text with it, css.py) is brought back by
    closer spacing, never left below a near-empty page or an empty one (此页
    无正文). The laid-out pages, and the fit chosen (None when none was
    needed or none helped): what to do to another HTML of the same document
    (the 版记 on a page of its own, apply_fit) and to the DOCX.

    The steps of css.FIT_CLASSES are tried in turn, tightening the text
    paragraphs that begin on the page before the signature's or on its page
    (those the signature carried along); the first that puts the signature on
    the page before is kept. When none does (more text would have to move
    than closer lines make room for), the layout stays as it was: the
    signature with the last lines of the text on a page of their own."""
    page = _anchor_page(rendered, SEAL_ID)
    if not page:  # no sealed signature, or on the part's first page: nothing above to tighten
        return rendered, None
    anchors = [
        anchor
        for laid_out in rendered.pages[page - 1 : page + 1]
        for anchor in laid_out.anchors
        if anchor.startswith(TEXT_ID)
    ]
    if not any(a in rendered.pages[page - 1].anchors for a in anchors):
        return rendered, None  # the part begins on the signature's page
    tightened = tuple(sorted({text_key(anchor) for anchor in anchors}))
    for step in range(1, len(FIT_CLASSES) + 1):
        fit = SealFit(step, tightened)
        tried = _layout(apply_fit(html, fit), base_url, first_page)
        if _anchor_page(tried, SEAL_ID) == page - 1:
            return tried, fit
    return rendered, None


def render_html_fitted(
    html: str, imprint_own_page: str | None, base_url: Path, first_page: int = 1
) -> tuple[Any, SealFit | None]:
    """The laid-out pages (a weasyprint.Document), not yet written: WeasyPrint's
    render() of html from page first_page on, or of imprint_own_page when html
    puts the 版记 on an odd page (see html.pdf_html); a sealed signature fitted
    (fit_seal), and the fit chosen."""
    rendered = _layout(html, base_url, first_page)
    fit = None
    if SEAL_ID in html:
        rendered, fit = fit_seal(rendered, html, base_url, first_page)
        if imprint_own_page is not None and fit is not None:
            imprint_own_page = apply_fit(imprint_own_page, fit)
    if imprint_own_page is not None:
        page = imprint_page(rendered)
        if page is None or (first_page + page - 1) % 2 == 1:
            del rendered  # not held while the second is laid out: half the peak memory
            rendered = _layout(imprint_own_page, base_url, first_page)
    return rendered, fit


def render_html(
    html: str, imprint_own_page: str | None, base_url: Path, first_page: int = 1
) -> Any:
    """The laid-out pages of render_html_fitted."""
    return render_html_fitted(html, imprint_own_page, base_url, first_page)[0]


_kept = LaidOut()


@roomy_stack
def render_parts(
    parts: tuple[PartHtml, ...],
    base_url: Path,
    keep_as: str | None = None,
    paint_ahead: bool = False,
) -> tuple[Any, tuple[int, ...], SealFit | None]:
    """The parts laid out one after the other, each from the page after the
    last one's, joined into one weasyprint.Document (its metadata from the
    first part's head, the same in every part); and the indexes of the parts
    laid out. With keep_as (a name for the document, e.g. its data set), the
    parts are kept as laid out under that name, and a part laid out for the
    last document kept under it is taken as it is when its HTML and its first
    page are the same (laid_out.py). Third, the seal's fit (fit_seal) of the
    part that needed one, which the DOCX must then set alike: a document
    signs and seals once, so there is one at most.

    With paint_ahead, each part's pages are painted as soon as it is laid
    out and its boxes let go (paint_ahead.py): for a PDF written once, not
    kept (what a page is painted with belongs to the one document)."""
    if keep_as and paint_ahead:
        raise ValueError("parts kept as laid out cannot be painted ahead")
    ahead: PaintAhead | None = None
    kept = _kept.last(keep_as) if keep_as else {}
    # What the pages are laid out with, a part of the key: the pages kept hold
    # it (Document.font_config), so its id is not another's while they are kept.
    fonts = font_configuration()
    pages: list[Any] = []
    rendered: list[tuple[Any, SealFit | None]] = []
    keys = []
    laid_out = []
    for index, part in enumerate(parts):
        first_page = len(pages) + 1
        key = LaidOut.key(part.html, part.imprint_own_page, str(base_url), first_page, id(fonts))
        document_fit = kept.get(key)
        if document_fit is None:
            document_fit = render_html_fitted(
                part.html, part.imprint_own_page, base_url, first_page
            )
            laid_out.append(index)
        if paint_ahead:
            document = document_fit[0]
            if ahead is None:
                ahead = PaintAhead({}, document.color_profiles, document.output_intent)
            with weasyprint_speedups():  # as write_rendered paints
                document.pages = ahead.paint(document.pages)
        keys.append(key)
        rendered.append(document_fit)
        pages.extend(document_fit[0].pages)
    if keep_as:
        _kept.keep(keep_as, dict(zip(keys, rendered, strict=True)))
    joined = rendered[0][0].copy(pages)
    # write_pdf adds to color_profiles (for PDF/A): the first part's stays as it was.
    joined.color_profiles = dict(joined.color_profiles)
    if ahead is not None:
        joined.fonts = ahead.fonts
    fit = next((fit for _, fit in rendered if fit is not None), None)
    return joined, tuple(laid_out), fit


def write_html(
    html: str, imprint_own_page: str | None, out: Path, pdf_variant: str | None = None
) -> int:
    """Write one HTML document (and its 版记 variant) as the PDF, e.g. as
    pdf_variant="pdf/a-2u"; return its page count."""
    return write_parts((PartHtml(html, imprint_own_page),), out, pdf_variant).pages


def write_parts(
    parts: tuple[PartHtml, ...],
    out: Path,
    pdf_variant: str | None = None,
    keep_as: str | None = None,
) -> PdfWritten:
    """Write the document laid out part by part (render_parts) as the PDF;
    with keep_as, the parts kept as laid out (for the editor's preview, which
    writes the document after every save)."""
    ahead = keep_as is None and PaintAhead.possible(pdf_variant)
    rendered, laid_out, fit = render_parts(parts, out.parent, keep_as, ahead)
    write_rendered(rendered, out, pdf_variant)
    return PdfWritten(len(rendered.pages), laid_out, fit)


# The document's HTML is made where these are called: html.py imports the style
# profile's pydantic models, which the side process (side.py) can do without.


def render_pdf(
    document: Document, style: StyleProfile, base_url: Path, paint_ahead: bool = False
) -> Any:
    """render_parts of the document; separate from write_pdf so that bench/ can
    time layout and writing apart."""
    from generator.writers.html import pdf_html

    return render_parts(pdf_html(document, style), base_url, paint_ahead=paint_ahead)[0]


def write_pdf(
    document: Document, style: StyleProfile, out: Path, pdf_variant: str | None = None
) -> int:
    """write_parts of the document."""
    from generator.writers.html import pdf_html

    return write_parts(pdf_html(document, style), out, pdf_variant).pages
