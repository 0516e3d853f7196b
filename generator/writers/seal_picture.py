"""The seal's picture as the writers draw it (document.yaml seal.image).

A PNG is drawn as it is. An SVG is checked again (dataset/svg.py: the file
may have changed since it was validated) and rasterised once by cairosvg at
SEAL_DPI: the PDF and the OFD draw that PNG, and the DOCX carries it as the
picture older Word and WPS show, with the checked SVG beside it for Word 2016+
and LibreOffice (ooxml.floating_picture).

Why the PDF takes the raster and not the vector: one renderer (cairosvg, with
a far wider coverage of SVG than WeasyPrint's own) gives the same pixels in
the PDF, the OFD and the DOCX's fallback; the OFD is read from the PDF's
drawing (ofd/pdfpages.py), which keeps a picture whole but would flatten a
vector drawing's opacity and clipping; and a PNG with an alpha channel is the
form of transparency already checked to stay PDF/A-2u. At 600 dpi, a laser
printer's resolution, the raster prints as sharp as the vector would.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from generator.dataset.svg import SvgProblem, parse_svg, rasterise
from generator.dataset.validate import PNG_SIGNATURE
from generator.model import Seal
from generator.problems import DataError, Problem
from generator.style.profile import MM_TO_PT

SEAL_DPI = 600


@dataclass(frozen=True)
class SealPicture:
    png: bytes  # drawn by the PDF and the OFD, and the DOCX's fallback
    svg: bytes | None  # the checked SVG (None for a PNG seal), for the DOCX


def seal_picture(seal: Seal) -> SealPicture:
    """The picture of a seal that has one (seal.image set)."""
    assert seal.image is not None
    data = seal.image.read_bytes()
    if data.startswith(PNG_SIGNATURE):
        return SealPicture(data, None)
    pixels = round(seal.diameter_mm * MM_TO_PT / 72 * SEAL_DPI)
    return _svg_picture(data, pixels, seal.image)


@functools.lru_cache(maxsize=4)
def _svg_picture(data: bytes, pixels: int, image: Path) -> SealPicture:
    """The SVG checked and rasterised once for the HTML and the DOCX of a
    build (by the file's bytes: a seal file changed since is checked anew)."""
    try:
        checked = parse_svg(data)
    except SvgProblem as error:  # changed since it was validated
        raise DataError([Problem(f"印章图片“{image.name}”{error}", image)]) from None
    return SealPicture(rasterise(checked, pixels), checked.data)
