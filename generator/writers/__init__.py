"""Stage 5, write: the one document model as DOCX (docx.py, raw XML in
ooxml.py) and as PDF (pdf.py, through html.py and css.py, laid out by
WeasyPrint; what we do inside WeasyPrint is in weasyprint_internals/)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.model import SealFit


@dataclass(frozen=True)
class PartHtml:
    """What the PDF writer lays out for one part of the document, or for a run
    of parts of which only the first starts on a new page (html.pdf_html): its
    HTML and, when it holds the 版记, the HTML with the 版记 on an even page
    of its own (laid out instead when the first puts it on an odd page)."""

    html: str
    imprint_own_page: str | None = None


@dataclass(frozen=True)
class PdfWritten:
    """What writing the PDF tells the caller: its page count, which parts
    (indexes into the PartHtml given) were laid out rather than taken as laid
    out before, and the GB/T 9704 7.3.5.4 fit its layout chose (None: none
    needed), which the DOCX must then set alike. Defined here, not in pdf.py,
    so that the caller unpickles it without importing WeasyPrint."""

    pages: int
    laid_out: tuple[int, ...]
    seal_fit: SealFit | None = None


def write_parts_later(
    parts: tuple[PartHtml, ...],
    out: Path,
    pdf_variant: str | None = None,
    keep_as: str | None = None,
) -> PdfWritten:
    """pdf.write_parts, imported when called. build() hands this and the HTML
    to the side process (side.py): they unpickle there without the pipeline or
    the style profile's pydantic models, and the process that hands them over
    never imports WeasyPrint."""
    from generator.writers.pdf import write_parts

    return write_parts(parts, out, pdf_variant, keep_as)
