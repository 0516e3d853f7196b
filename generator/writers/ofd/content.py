"""One page's Content.xml (GB/T 33190-2016, 7.7 and clauses 9-11): the PDF
page's glyphs as TextObjects, its paths as PathObjects, its pictures (a
seal) as ImageObjects, in the PDF's drawing order, in millimetres with y down.

A run of glyphs on one baseline in one font, size and colour is one
TextObject whose TextCode holds the text (so readers select and search it)
and the gap from each character to the next (DeltaX), taken from the PDF's
glyph positions: justified Chinese lines keep their exact spacing. Where a
character's glyph is not the one the font's cmap gives it, a CGTransform names
the glyph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from generator.writers.ofd.pdfpages import Glyph, PdfPage, RasterImage, Rgb, VectorPath

NS = "http://www.ofdspec.org/2016"
OFD = f"{{{NS}}}"
MM_PER_PT = 25.4 / 72
# A TextObject's boundary clips it (GB/T 33190 8.1): an em above the baseline
# and a third of one below hold every glyph of the faces used.
ASCENT_EM, DESCENT_EM = 1.0, 0.35


def mm(value: float) -> str:
    """A length in millimetres as OFD writes numbers: up to 3 decimals."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# For a glyph as the PDF draws it: the glyph id the font's cmap gives its
# character (None without one), and the glyph id the PDF draws.
CmapLookup = Callable[[Glyph], tuple[int | None, int]]


class Ids:
    def __init__(self, start: int) -> None:
        self.last = start

    def next(self) -> str:
        self.last += 1
        return str(self.last)


def _runs(glyphs: list[Glyph]) -> Iterator[list[Glyph]]:
    """Consecutive glyphs that share font, size, colour and baseline, left to right."""
    run: list[Glyph] = []
    for glyph in glyphs:
        if run:
            last = run[-1]
            same = (
                glyph.font is last.font
                and abs(glyph.size - last.size) < 1e-6
                and glyph.color == last.color
                and abs(glyph.y - last.y) < 1e-3
                and glyph.x > last.x
            )
            if not same:
                yield run
                run = []
        run.append(glyph)
    if run:
        yield run


def _color(parent: etree._Element, tag: str, rgb: Rgb) -> None:
    etree.SubElement(parent, OFD + tag, Value=" ".join(str(v) for v in rgb))


def _text_object(
    layer: etree._Element,
    run: list[Glyph],
    page_height: float,
    font_id: str,
    ids: Ids,
    glyph_of: CmapLookup,
) -> None:
    size = run[0].size * MM_PER_PT
    left = run[0].x * MM_PER_PT
    baseline = (page_height - run[0].y) * MM_PER_PT
    last = run[-1]
    right = max(last.x + max(last.advance, last.size), max(g.x + g.advance for g in run))
    top = baseline - ASCENT_EM * size
    box = (
        f"{mm(left)} {mm(top)} {mm(right * MM_PER_PT - left)} {mm((ASCENT_EM + DESCENT_EM) * size)}"
    )
    text = etree.SubElement(
        layer, OFD + "TextObject", ID=ids.next(), Boundary=box, Font=font_id, Size=mm(size)
    )
    if run[0].color != (0, 0, 0):
        _color(text, "FillColor", run[0].color)
    # Positions rounded first, gaps taken between rounded positions: no drift.
    xs = [round(g.x * MM_PER_PT - left, 3) for g in run]
    characters: list[str] = []
    deltas: list[str] = []
    transforms: list[tuple[int, int, int]] = []  # code position, code count, glyph
    for index, glyph in enumerate(run):
        code = glyph.text or "\ufffd"  # PDF/A-2u maps every glyph; never empty
        by_cmap, drawn = glyph_of(glyph)
        if by_cmap != drawn or len(code) != 1:
            transforms.append((len(characters), len(code), drawn))
        if index:
            deltas.append(mm(xs[index] - xs[index - 1]))
        deltas.extend("0" for _ in code[1:])  # a glyph for several characters
        characters.extend(code)
    for position, count, glyph_id in transforms:
        transform = etree.SubElement(
            text, OFD + "CGTransform", CodePosition=str(position), CodeCount=str(count)
        )
        transform.set("GlyphCount", "1")
        etree.SubElement(transform, OFD + "Glyphs").text = str(glyph_id)
    code = etree.SubElement(text, OFD + "TextCode", X="0", Y=mm(ASCENT_EM * size))
    if deltas:
        code.set("DeltaX", " ".join(deltas))
    code.text = "".join(characters)


def _path_object(layer: etree._Element, path: VectorPath, page_height: float, ids: Ids) -> None:
    points = [
        (x * MM_PER_PT, (page_height - y) * MM_PER_PT) for s in path.segments for x, y in s.points
    ]
    half = path.line_width * MM_PER_PT / 2 if path.stroke else 0.0
    left = min(x for x, _ in points) - half
    top = min(y for _, y in points) - half
    width = max(x for x, _ in points) + half - left
    height = max(y for _, y in points) + half - top
    data = []
    for segment in path.segments:
        coords = " ".join(
            f"{mm(x * MM_PER_PT - left)} {mm((page_height - y) * MM_PER_PT - top)}"
            for x, y in segment.points
        )
        data.append(f"{segment.op} {coords}".strip())
    obj = etree.SubElement(
        layer,
        OFD + "PathObject",
        ID=ids.next(),
        Boundary=f"{mm(left)} {mm(top)} {mm(width)} {mm(height)}",
    )
    if path.stroke:
        obj.set("LineWidth", mm(path.line_width * MM_PER_PT))
        if path.dash:
            obj.set("DashPattern", " ".join(mm(v * MM_PER_PT) for v in path.dash))
            obj.set("DashOffset", mm(path.dash_phase * MM_PER_PT))
    else:
        obj.set("Stroke", "false")
    if path.fill:
        obj.set("Fill", "true")
        if path.even_odd:
            obj.set("Rule", "Even-Odd")
    if path.stroke:
        _color(obj, "StrokeColor", path.stroke)
    if path.fill:
        _color(obj, "FillColor", path.fill)
    etree.SubElement(obj, OFD + "AbbreviatedData").text = " ".join(data)


def _image_object(
    layer: etree._Element, image: RasterImage, page_height: float, resource: str, ids: Ids
) -> None:
    x0, y0, x1, y1 = image.box
    x, y = x0 * MM_PER_PT, (page_height - y1) * MM_PER_PT
    width, height = (x1 - x0) * MM_PER_PT, (y1 - y0) * MM_PER_PT
    etree.SubElement(
        layer,
        OFD + "ImageObject",
        ID=ids.next(),
        Boundary=f"{mm(x)} {mm(y)} {mm(width)} {mm(height)}",
        # The image fills the unit square; CTM scales it to the boundary.
        CTM=f"{mm(width)} 0 0 {mm(height)} 0 0",
        ResourceID=resource,
    )


def page_content(
    page: PdfPage,
    font_ids: dict[int, str],
    glyph_of: CmapLookup,
    ids: Ids,
    media_ids: dict[bytes, str],
    document_size: tuple[float, float],
) -> etree._Element:
    """The page's <ofd:Page>; font_ids maps id(FontProgram) to the font's OFD
    ID, media_ids an image's bytes to its MultiMedia's. A page whose size is
    not the document's (its PageArea, in points) has its own Area."""
    root = etree.Element(OFD + "Page", nsmap={"ofd": NS})
    if max(abs(page.width - document_size[0]), abs(page.height - document_size[1])) > 0.01:
        area = etree.SubElement(root, OFD + "Area")
        box = f"0 0 {mm(page.width * MM_PER_PT)} {mm(page.height * MM_PER_PT)}"
        etree.SubElement(area, OFD + "PhysicalBox").text = box
    content = etree.SubElement(root, OFD + "Content")
    layer = etree.SubElement(content, OFD + "Layer", ID=ids.next(), Type="Body")
    glyphs: list[Glyph] = []

    def flush() -> None:
        for run in _runs(glyphs):
            _text_object(layer, run, page.height, font_ids[id(run[0].font)], ids, glyph_of)
        glyphs.clear()

    for item in page.items:
        if isinstance(item, Glyph):
            glyphs.append(item)
        elif isinstance(item, RasterImage):
            flush()
            _image_object(layer, item, page.height, media_ids[item.data], ids)
        else:
            flush()
            _path_object(layer, item, page.height, ids)
    flush()
    return root
