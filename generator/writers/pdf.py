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

from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.writers.css import IMPRINT_ID
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


def render_html(html: str, imprint_own_page: str | None, base_url: Path) -> Any:
    """The laid-out pages (a weasyprint.Document), not yet written: WeasyPrint's
    render() of html, or of imprint_own_page when html puts the 版记 on an odd
    page (see html.pdf_html)."""
    rendered = _layout(html, base_url)
    if imprint_own_page is not None:
        page = imprint_page(rendered)
        if page is None or page % 2 == 1:
            del rendered  # not held while the second is laid out: half the peak memory
            rendered = _layout(imprint_own_page, base_url)
    return rendered


def write_html(
    html: str, imprint_own_page: str | None, out: Path, pdf_variant: str | None = None
) -> int:
    """Write the PDF, e.g. as pdf_variant="pdf/a-2u"; return its page count."""
    rendered = render_html(html, imprint_own_page, out.parent)
    write_rendered(rendered, out, pdf_variant)
    return len(rendered.pages)


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

    return write_html(*pdf_html(document, style), out, pdf_variant)
