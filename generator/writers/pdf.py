"""The PDF writer: the document model as HTML and CSS, laid out by WeasyPrint.

The 版记 belongs at the foot of the last page, and the last page must be an
even one (the back of the last sheet). The HTML makes the 版记 a footnote, so
it sits at the foot of the page it falls on; when that page is odd, the
document is laid out a second time with the 版记 on an even page of its own
(WeasyPrint inserts a blank page before it when needed). Neither that page nor
a blank one carries a page number (css.py); a page the 版记 shares with text
keeps its number.
"""

from __future__ import annotations

import threading
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from generator.writers.fastload import import_weasyprint

import_weasyprint()  # before the first import of WeasyPrint: see fastload.py

import cssselect2  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

from generator.writers.cjk_justify import cjk_justification  # noqa: E402
from generator.writers.css import IMPRINT_ID  # noqa: E402
from generator.writers.speedups import weasyprint_speedups  # noqa: E402

if TYPE_CHECKING:
    from generator.model import Document
    from generator.style import StyleProfile


@cache
def _user_agent_stylesheet() -> Any:
    return CSS(string=files("generator.writers").joinpath("ua.css").read_text("utf-8"))


@lru_cache(maxsize=8)
def _document_stylesheet(css: str) -> Any:
    """The stylesheet of our HTML, parsed once: html.py writes the same one
    for every notice of a style profile. A CSS object serves any number of
    documents; ours has no @font-face or @counter-style rules, the only ones
    that would tie it to one document's font configuration or counters."""
    return CSS(string=css)


class _DocumentHTML(HTML):  # type: ignore[misc]
    """Our HTML, parsed as XML, with the user-agent stylesheet for just the
    elements html.py writes (see ua.css); _ua_stylesheets is WeasyPrint's
    (pinned) hook.

    html.py writes polyglot markup, so expat gives the tree WeasyPrint's HTML5
    parser would, in 0.3 ms instead of 13 for the notice. The attributes are
    set as HTML.__init__ sets them for a string without a <base> element
    (WeasyPrint 70).

    Its <style> element is taken out and its stylesheet, parsed once per
    process, given to render() as a user stylesheet: its rules still beat the
    user agent's and yield to the style attributes, the only author styles
    left (none is !important)."""

    def __init__(self, markup: str, base_url: str) -> None:
        root = ElementTree.fromstring(markup)
        head = root.find("head")
        style = head.find("style") if head is not None else None
        self._stylesheets: list[Any] = []
        if head is not None and style is not None:
            head.remove(style)
            self._stylesheets.append(_document_stylesheet(style.text or ""))
        self.base_url = base_url
        self.url_fetcher = URLFetcher()
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
        return [_user_agent_stylesheet()]

    def render(self, **options: Any) -> Any:
        return super().render(stylesheets=self._stylesheets, **options)


_thread = threading.local()


def _fonts() -> Any:
    """This thread's font configuration, kept across documents. WeasyPrint
    makes a new one per render unless given one: a new Pango font map, every
    face loaded and every glyph measured again, a fifth of a warm build. Our
    HTML has no @font-face rules, the only state a document adds to it; a
    face installed while the process runs is seen by the next process."""
    if not hasattr(_thread, "fonts"):
        _thread.fonts = FontConfiguration()
    return _thread.fonts


def _layout(html: str, base_url: Path) -> Any:
    with weasyprint_speedups(), cjk_justification():
        return _DocumentHTML(html, str(base_url)).render(font_config=_fonts())


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
