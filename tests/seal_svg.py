"""A stand-in seal as SVG, made here (no real office's seal): a red ring, a
five-pointed star and a line of text on an arc, every shape a path (the
glyphs' outlines from FandolSong, which the PDF writer needs installed
anyway), on a transparent ground. Deterministic: the same bytes every time."""

from __future__ import annotations

import math
from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

FONT = Path("/usr/local/share/fonts/gongwen-fandol/FandolSong-Regular.otf")
RED = "#e60012"
TEXT = "样例测试专用章"


def _star(cx: float, cy: float, outer: float) -> str:
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append(f"{cx + radius * math.cos(angle):.2f} {cy + radius * math.sin(angle):.2f}")
    return "M" + " L".join(points) + " Z"


def _arc_text(text: str, radius: float, size: float) -> str:
    """Each character's outline, upright along an arc over the star."""
    font = TTFont(FONT)
    glyphs = font.getGlyphSet()
    cmap = font.getBestCmap()
    units = font["head"].unitsPerEm
    span = 200.0  # degrees the text covers, centred on the top
    paths = []
    for index, char in enumerate(text):
        angle = math.radians(-90 - span / 2 + span * (index + 0.5) / len(text))
        rotation = angle + math.pi / 2
        scale = size / units
        cos, sin = math.cos(rotation), math.sin(rotation)
        # glyph units (y up, origin at the baseline's left) -> seal: centred
        # on the arc point, rotated to face outwards.
        ox, oy = -size / 2, size * 0.38
        px, py = 100 + radius * math.cos(angle), 100 + radius * math.sin(angle)
        pen = SVGPathPen(glyphs)
        transform = (
            scale * cos,
            scale * sin,
            scale * sin,
            -scale * cos,
            px + ox * cos - oy * sin,
            py + ox * sin + oy * cos,
        )
        glyphs[cmap[ord(char)]].draw(TransformPen(pen, transform))
        paths.append(f'<path d="{pen.getCommands()}"/>')
    return "".join(paths)


def seal_svg() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="42mm" height="42mm">'
        f'<circle cx="100" cy="100" r="93" fill="none" stroke="{RED}" stroke-width="7"/>'
        f'<g fill="{RED}">'
        f'<path d="{_star(100, 100, 30)}"/>'
        f"{_arc_text(TEXT, 68, 26)}"
        "</g></svg>\n"
    )


def write_seal_svg(path: Path) -> Path:
    path.write_text(seal_svg(), "utf-8")
    return path
