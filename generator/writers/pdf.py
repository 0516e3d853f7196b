"""The PDF writer: the document model as HTML and CSS, laid out by WeasyPrint.

The 版记 belongs at the foot of the last page, and the last page must be an
even one (the back of the last sheet). The HTML makes the 版记 a footnote, so
it sits at the foot of the page it falls on; when that page is odd, the
document is laid out a second time with the 版记 on an even page of its own
(WeasyPrint inserts a blank page before it when needed). Neither that page nor
a blank one carries a page number (css.py); a page the 版记 shares with text
keeps its number.

What this writer does inside WeasyPrint lives in weasyprint_internals/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.model import SealFit
from generator.writers import PdfWritten
from generator.writers.css import (
    FIT_CLASSES,
    IMPRINT_ID,
    SEAL_ID,
    TEXT_ID,
    TIGHTEN,
    text_id,
    text_key,
)
from generator.writers.weasyprint_internals.cjk_justify import cjk_justification
from generator.writers.weasyprint_internals.document import DocumentHTML, font_configuration
from generator.writers.weasyprint_internals.speedups import weasyprint_speedups

if TYPE_CHECKING:
    from generator.model import Document
    from generator.style.profile import StyleProfile


def _layout(html: str, base_url: Path) -> Any:
    with weasyprint_speedups(), cjk_justification():
        return DocumentHTML(html, str(base_url)).render(font_config=font_configuration())


def write_rendered(rendered: Any, out: Path, pdf_variant: str | None = None) -> None:
    """rendered.write_pdf, with the shortcuts of speedups.py."""
    with weasyprint_speedups():
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


def fit_seal(rendered: Any, html: str, base_url: Path) -> tuple[Any, SealFit | None]:
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
    if not page:  # no sealed signature, or on the first page: nothing above to tighten
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
        tried = _layout(apply_fit(html, fit), base_url)
        if _anchor_page(tried, SEAL_ID) == page - 1:
            return tried, fit
    return rendered, None


def render_html_fitted(
    html: str, imprint_own_page: str | None, base_url: Path
) -> tuple[Any, SealFit | None]:
    """The laid-out pages (a weasyprint.Document), not yet written: WeasyPrint's
    render() of html, or of imprint_own_page when html puts the 版记 on an odd
    page (see html.pdf_html); a sealed signature fitted (fit_seal), and the
    fit chosen."""
    rendered = _layout(html, base_url)
    fit = None
    if SEAL_ID in html:
        rendered, fit = fit_seal(rendered, html, base_url)
        if imprint_own_page is not None and fit is not None:
            imprint_own_page = apply_fit(imprint_own_page, fit)
    if imprint_own_page is not None:
        page = imprint_page(rendered)
        if page is None or page % 2 == 1:
            del rendered  # not held while the second is laid out: half the peak memory
            rendered = _layout(imprint_own_page, base_url)
    return rendered, fit


def render_html(html: str, imprint_own_page: str | None, base_url: Path) -> Any:
    """The laid-out pages of render_html_fitted."""
    return render_html_fitted(html, imprint_own_page, base_url)[0]


def write_html(
    html: str, imprint_own_page: str | None, out: Path, pdf_variant: str | None = None
) -> PdfWritten:
    """Write the PDF, e.g. as pdf_variant="pdf/a-2u"; return its page count
    and the seal's fit (for the DOCX)."""
    rendered, fit = render_html_fitted(html, imprint_own_page, out.parent)
    write_rendered(rendered, out, pdf_variant)
    return PdfWritten(len(rendered.pages), fit)


# The document's HTML is made where these are called: html.py imports the style
# profile's pydantic models, which the side process (side.py) can do without.


def render_pdf(document: Document, style: StyleProfile, base_url: Path) -> Any:
    """render_html of the document; separate from write_pdf so that bench/ can
    time layout and writing apart."""
    from generator.writers.html import pdf_html

    return render_html(*pdf_html(document, style), base_url)


def write_pdf(
    document: Document, style: StyleProfile, out: Path, pdf_variant: str | None = None
) -> int:
    """write_html of the document."""
    from generator.writers.html import pdf_html

    return write_html(*pdf_html(document, style), out, pdf_variant).pages
