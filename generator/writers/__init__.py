"""Stage 5, write: the one document model as DOCX (docx.py, raw XML in
ooxml.py) and as PDF (pdf.py, through html.py and css.py, laid out by
WeasyPrint; what we do inside WeasyPrint is in weasyprint_internals/)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.model import SealFit


@dataclass(frozen=True)
class PdfWritten:
    """What writing the PDF tells the caller: its page count, and the GB/T
    9704 7.3.5.4 fit its layout chose (None: none needed), which the DOCX
    must then set alike. Defined here, not in pdf.py, so that the caller
    unpickles it without importing WeasyPrint."""

    pages: int
    seal_fit: SealFit | None = None


def write_html_later(
    html: str, imprint_own_page: str | None, out: Path, pdf_variant: str | None = None
) -> PdfWritten:
    """pdf.write_html, imported when called. build() hands this and the HTML to
    the side process (side.py): they unpickle there without the pipeline or the
    style profile's pydantic models, and the process that hands them over never
    imports WeasyPrint."""
    from generator.writers.pdf import write_html

    return write_html(html, imprint_own_page, out, pdf_variant)
