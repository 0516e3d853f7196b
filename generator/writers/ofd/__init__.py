"""The OFD writer (GB/T 33190-2016, the format of Chinese electronic official
documents): the pages of the PDF we just wrote, as OFD.

No library on PyPI writes OFD faithfully: easyofd's PDF route rasterises pages
or refers to fonts by name only, without their files, and dates its output by
the clock. So this writer reads the PDF's pages back (`pdfpages.py`: every
glyph with its position, font subset and colour, every vector path), writes
each page's Content.xml from them (`content.py`) and packs the document with its
fonts and metadata (`package.py`). The PDF is the layout's one written record,
so the OFD has its exact positions and embedded font subsets, and needs nothing
of WeasyPrint's internals.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__

if TYPE_CHECKING:
    from generator.model import Document

from generator.writers.ofd.package import Metadata, package
from generator.writers.ofd.pdfpages import UnsupportedImage, read_pages


def metadata_of(document: Document) -> Metadata:
    """DocInfo from the model: title, issuer, date of issue, and as custom
    entries the 发文字号, 发文机关 and 成文日期 as printed."""
    from generator.model import Letterhead, Signature

    blocks = document.blocks()
    custom: list[tuple[str, str]] = []
    number = next((b.number for b in blocks if isinstance(b, Letterhead) and b.number), None)
    if number:
        custom.append(("发文字号", number))
    custom.append(("发文机关", document.info.author))
    signature = next((b for b in blocks if isinstance(b, Signature)), None)
    if signature is not None:
        custom.append(("成文日期", signature.date))
    info = document.info
    return Metadata(info.title, info.author, info.date, "gongwen", __version__, tuple(custom))


def write_ofd(pdf: Path, document: Document, out: Path) -> None:
    """Write the pages of the PDF at pdf as an OFD file at out."""
    from generator.problems import DataError, Problem

    try:
        pages = read_pages(pdf)
    except UnsupportedImage as error:
        message = f"OFD 无法收入文中的图片（{error}），请改用 8 位的 PNG 或 JPEG 图片"
        raise DataError([Problem(message)]) from None
    out.write_bytes(package(pages, metadata_of(document)))
