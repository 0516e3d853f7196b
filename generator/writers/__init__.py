"""Stage 5: writers render the one document model as DOCX (docx.py) and as PDF
(pdf.py, through html.py and css.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.model import Document
    from generator.style import StyleProfile


def write_pdf_later(
    document: Document, style: StyleProfile, out: Path, pdf_variant: str | None = None
) -> int:
    """pdf.write_pdf, imported when called. build() hands this to the side
    process (side.py): a reference to it unpickles there without importing the
    pipeline, and the process that hands it over never imports WeasyPrint."""
    from generator.writers.pdf import write_pdf

    return write_pdf(document, style, out, pdf_variant=pdf_variant)
