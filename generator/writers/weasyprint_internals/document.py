"""Our HTML as WeasyPrint's HTML document: parsed as XML, styled by a user-agent
stylesheet for just our elements (ua.css) and a document stylesheet parsed
once, laid out with one font configuration per thread."""

from __future__ import annotations

import threading
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any
from xml.etree import ElementTree

import cssselect2
from weasyprint import CSS, DEFAULT_OPTIONS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher


@cache
def _user_agent_stylesheet() -> Any:
    return CSS(string=files(__package__).joinpath("ua.css").read_text("utf-8"))


@lru_cache(maxsize=8)
def _document_stylesheet(css: str) -> Any:
    """The stylesheet of our HTML, parsed once: html.py writes the same one
    for every notice of a style profile. A CSS object serves any number of
    documents; ours has no @font-face or @counter-style rules, the only ones
    that would tie it to one document's font configuration or counters."""
    return CSS(string=css)


_contexts = threading.local()


class _Rendering(Document):  # type: ignore[misc]
    """weasyprint.Document, its layout context let go as soon as it is laid
    out. The context holds a partial of a function over itself (its
    ``get_image_from_uri``): a reference cycle that kept it, and the last
    page it laid out, until the next full garbage collection."""

    @classmethod
    def _build_layout_context(cls, *args: Any) -> Any:
        context = super()._build_layout_context(*args)
        _contexts.made.append(context)
        return context

    @classmethod
    def _render(cls, *args: Any) -> Any:
        _contexts.made = []
        try:
            return super()._render(*args)
        finally:
            for context in _contexts.made:
                context.__dict__.pop("get_image_from_uri", None)
            _contexts.made = []


class DocumentHTML(HTML):  # type: ignore[misc]
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

    def render(self, font_config: Any = None, **options: Any) -> Any:
        """HTML.render (WeasyPrint 70: the options over DEFAULT_OPTIONS, then
        Document._render), with our stylesheet and as a _Rendering."""
        options = {**DEFAULT_OPTIONS, "stylesheets": self._stylesheets, **options}
        return _Rendering._render(self, font_config, None, None, options)


_thread = threading.local()


def font_configuration() -> Any:
    """This thread's font configuration, kept across documents. WeasyPrint
    makes a new one per render unless given one: a new Pango font map, every
    face loaded and every glyph measured again, a fifth of a warm build. Our
    HTML has no @font-face rules, the only state a document adds to it; a
    face installed while the process runs is seen by the next process."""
    if not hasattr(_thread, "fonts"):
        _thread.fonts = FontConfiguration()
    return _thread.fonts
