"""Stage 5, write: the one document model as DOCX (docx.py, raw XML in
ooxml.py) and as PDF (pdf.py, through html.py and css.py, laid out by
WeasyPrint; what we do inside WeasyPrint is in weasyprint_internals/)."""

from __future__ import annotations

from pathlib import Path


def write_html_later(
    html: str, imprint_own_page: str | None, out: Path, pdf_variant: str | None = None
) -> int:
    """pdf.write_html, imported when called. build() hands this and the HTML to
    the side process (side.py): they unpickle there without the pipeline or the
    style profile's pydantic models, and the process that hands them over never
    imports WeasyPrint."""
    from generator.writers.pdf import write_html

    return write_html(html, imprint_own_page, out, pdf_variant)
