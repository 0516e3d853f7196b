"""The PDF writer: the document model as HTML and CSS, laid out by WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML

from generator.model import Document
from generator.style import StyleProfile
from generator.writers.css import stylesheet
from generator.writers.html import to_html


def write_pdf(document: Document, style: StyleProfile, out: Path) -> int:
    """Write the PDF; return its page count."""
    html = to_html(document, style, stylesheet(style))
    rendered = HTML(string=html, base_url=str(out.parent)).render()
    rendered.write_pdf(out)
    return len(rendered.pages)
