"""The pages of the PDF we wrote, read back as what was drawn: every glyph
(its font program, glyph id, text, baseline origin, size and colour), every
path (its segments, fill and stroke), every picture (a seal) — in PDF points, y up, as pdfminer's
interpreter gives them.

Reading the finished PDF rather than WeasyPrint's boxes gives the OFD exactly
the PDF's positions, glyphs and font subsets, without depending on WeasyPrint's
internals: the PDF is the layout's one written record.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import literal_name
from pdfminer.utils import apply_matrix_pt

Rgb = tuple[int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class FontProgram:
    """An embedded font as the PDF holds it: name without the subset tag, and
    the font file's bytes (OpenType/CFF or TrueType)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Glyph:
    font: FontProgram
    cid: int
    text: str
    x: float  # baseline origin
    y: float
    size: float  # in points, after every transformation
    advance: float  # the PDF's advance, in points
    color: Rgb


@dataclass(frozen=True)
class Segment:
    op: str  # "M" move, "L" line, "B" cubic Bézier, "C" close (OFD's letters)
    points: tuple[Point, ...]


@dataclass(frozen=True)
class VectorPath:
    segments: tuple[Segment, ...]
    fill: Rgb | None
    stroke: Rgb | None
    line_width: float  # points
    even_odd: bool
    dash: tuple[float, ...] = ()
    dash_phase: float = 0.0


@dataclass(frozen=True)
class RasterImage:
    """A picture as drawn (a seal): PNG or JPEG bytes, and where its unit
    square lands (x0, y0, x1, y1 in points, y up)."""

    data: bytes
    format: str  # "PNG" or "JPEG", as OFD's MultiMedia Format names them
    box: tuple[float, float, float, float]


@dataclass
class PdfPage:
    width: float
    height: float
    items: list[Glyph | VectorPath | RasterImage] = field(default_factory=list)  # drawing order


def _rgb(color: Any) -> Rgb:
    """A PDF colour (gray, RGB or CMYK components in 0..1) as 0..255 RGB."""
    values = list(color) if isinstance(color, Sequence) else [color]
    numbers = [float(v) if isinstance(v, (int, float)) else 0.0 for v in values]
    if len(numbers) == 3:
        r, g, b = numbers
    elif len(numbers) == 4:
        c, m, y, k = numbers
        r, g, b = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    else:
        r = g = b = numbers[0] if numbers else 0.0
    return (round(r * 255), round(g * 255), round(b * 255))


def _scale(matrix: Sequence[float]) -> float:
    a, b, c, d = matrix[:4]
    return math.sqrt(abs(a * d - b * c))


class _Recorder(PDFTextDevice):
    """A pdfminer device that keeps what each page draws."""

    def __init__(self, rsrcmgr: PDFResourceManager) -> None:
        super().__init__(rsrcmgr)
        self.page: PdfPage | None = None
        self._fonts: dict[int, FontProgram] = {}
        self._programs: dict[bytes, FontProgram] = {}

    def begin_page(self, page: PDFPage, ctm: Any) -> None:
        x0, y0, x1, y1 = page.mediabox
        self.page = PdfPage(abs(x1 - x0), abs(y1 - y0))

    def _program(self, font: PDFFont) -> FontProgram:
        known = self._fonts.get(id(font))
        if known is None:
            descriptor = resolve1(getattr(font, "descriptor", {})) or {}
            stream = None
            for key in ("FontFile3", "FontFile2", "FontFile"):
                stream = resolve1(descriptor.get(key))
                if isinstance(stream, PDFStream):
                    break
            if not isinstance(stream, PDFStream):
                raise ValueError(f"font {font.fontname!r} is not embedded")
            data = stream.get_data()
            name = str(font.fontname).split("+", 1)[-1]
            known = self._programs.setdefault(data, FontProgram(name, data))
            self._fonts[id(font)] = known
        return known

    def render_char(
        self,
        matrix: Any,
        font: PDFFont,
        fontsize: float,
        scaling: float,
        rise: float,
        cid: int,
        ncs: Any,
        graphicstate: Any,
    ) -> float:
        assert self.page is not None
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = ""
        advance = font.char_width(cid) * fontsize * scaling
        x, y = apply_matrix_pt(matrix, (0, rise))
        scale = _scale(matrix)
        glyph = Glyph(
            font=self._program(font),
            cid=cid,
            text=text,
            x=x,
            y=y,
            size=fontsize * scale,
            advance=advance * scale,
            color=_rgb(graphicstate.ncolor),
        )
        self.page.items.append(glyph)
        return advance

    def render_image(self, name: str, stream: PDFStream) -> None:
        assert self.page is not None and self.ctm is not None
        corners = [apply_matrix_pt(self.ctm, p) for p in ((0, 0), (1, 0), (0, 1), (1, 1))]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        data, kind = _png(stream)
        self.page.items.append(RasterImage(data, kind, (min(xs), min(ys), max(xs), max(ys))))

    def paint_path(
        self, gstate: Any, stroke: bool, fill: bool, evenodd: bool, path: Sequence[Any]
    ) -> None:
        assert self.page is not None and self.ctm is not None
        ctm = self.ctm

        def pt(x: Any, y: Any) -> Point:
            return apply_matrix_pt(ctm, (float(x), float(y)))

        segments: list[Segment] = []
        current: Point = (0.0, 0.0)
        start: Point = (0.0, 0.0)
        for op, *args in path:
            if op == "m":
                current = start = pt(*args)
                segments.append(Segment("M", (current,)))
            elif op == "l":
                current = pt(*args)
                segments.append(Segment("L", (current,)))
            elif op in ("c", "v", "y"):
                points = [pt(args[i], args[i + 1]) for i in range(0, len(args), 2)]
                if op == "v":  # first control point: the current point
                    points.insert(0, current)
                elif op == "y":  # second control point: the end point
                    points.insert(1, points[1])
                current = points[-1]
                segments.append(Segment("B", tuple(points)))
            elif op == "h":
                segments.append(Segment("C", ()))
                current = start
        if not segments or not (stroke or fill):
            return
        dash: tuple[float, ...] = ()
        phase = 0.0
        scale = _scale(ctm)
        if gstate.dash:
            array, offset = gstate.dash
            dash = tuple(float(v) * scale for v in resolve1(array) or ())
            phase = float(offset or 0) * scale
        self.page.items.append(
            VectorPath(
                segments=tuple(segments),
                fill=_rgb(gstate.ncolor) if fill else None,
                stroke=_rgb(gstate.scolor) if stroke else None,
                line_width=float(gstate.linewidth),  # pdfminer applies the CTM at `w`
                even_odd=evenodd,
                dash=dash,
                dash_phase=phase,
            )
        )


class UnsupportedImage(ValueError):
    """A picture in the PDF whose pixels this reader cannot turn into PNG."""


def _png(stream: PDFStream) -> tuple[bytes, str]:
    """An image XObject as PNG (its soft mask as alpha), or its JPEG as is."""
    import io

    from PIL import Image

    filters = stream.get_filters()
    if filters and literal_name(filters[-1][0]) == "DCTDecode" and "SMask" not in stream:
        return stream.get_rawdata() or b"", "JPEG"
    width, height = int(stream["Width"]), int(stream["Height"])
    components = {1: "L", 3: "RGB", 4: "CMYK"}
    space = resolve1(stream.get("ColorSpace"))
    if isinstance(space, list) and literal_name(space[0]) == "ICCBased":
        count = int(resolve1(space[1]).get("N", 3))
    else:
        count = {"DeviceGray": 1, "DeviceRGB": 3, "DeviceCMYK": 4}.get(literal_name(space), 0)
    if count not in components or int(stream.get("BitsPerComponent", 8)) != 8:
        raise UnsupportedImage(f"colour space {space!r}, {stream.get('BitsPerComponent')} bits")
    try:
        image = Image.frombytes(components[count], (width, height), stream.get_data())
    except ValueError as error:
        raise UnsupportedImage(str(error)) from None
    if image.mode == "CMYK":
        image = image.convert("RGB")
    mask = resolve1(stream.get("SMask"))
    if isinstance(mask, PDFStream):
        alpha = Image.frombytes("L", (int(mask["Width"]), int(mask["Height"])), mask.get_data())
        image = image.convert("RGBA")
        image.putalpha(alpha.resize(image.size))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)  # Pillow's PNG bytes are deterministic
    return out.getvalue(), "PNG"


def read_pages(pdf: Path) -> list[PdfPage]:
    """What each page of the PDF draws, in order."""
    manager = PDFResourceManager(caching=True)
    recorder = _Recorder(manager)
    interpreter = PDFPageInterpreter(manager, recorder)
    pages = []
    with pdf.open("rb") as handle:
        for page in PDFPage.get_pages(handle):
            interpreter.process_page(page)
            assert recorder.page is not None
            pages.append(recorder.page)
    return pages
