"""A seal drawn as SVG (document.yaml seal: {image: 印章.svg}): the DOCX
carries the SVG (Office 2016's svgBlip) with a PNG fallback rasterised by
cairosvg, the PDF and the OFD draw that raster where the PNG seal goes,
LibreOffice's rendering of the DOCX shows the red seal there, the bytes are
deterministic; hostile SVGs are refused in Chinese before anything is written."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from generator.build.pipeline import BuildResult, build
from generator.cli import main
from tests.conftest import docx_xml, read_pdf
from tests.seal_svg import seal_svg, write_seal_svg
from tests.test_parity import _convert
from tests.test_seal import (
    BINDING,
    CHAR_PITCH,
    ISSUER,
    MM,
    NS,
    OUTER,
    TEXT_WIDTH,
    assert_archival_pdf_is_pdfa,
    assert_sealed_layout,
    images,
    line_box,
    output,
    sealed_copy,
)

SVG_BLIP = "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip"
R_EMBED = f"{{{NS['r']}}}embed"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def svg_sealed_copy(root: Path) -> Path:
    return sealed_copy(root, "{image: 印章.svg}", write_seal_svg, "印章.svg")


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = tmp_path_factory.mktemp("svg-sealed")
    return build(svg_sealed_copy(root), root / "out", ofd=True)


def docx_pictures(docx: Path) -> tuple[bytes, bytes, str]:
    """The seal's main blip's picture, its svgBlip's, and the SVG part's content type."""
    body = docx_xml(docx, "word/document.xml")
    (blip,) = body.findall(".//wp:anchor//a:blip", NS)
    (svg_blip,) = blip.iter(SVG_BLIP)
    rels = {r.get("Id"): r.get("Target") for r in docx_xml(docx, "word/_rels/document.xml.rels")}
    main_target, svg_target = rels[blip.get(R_EMBED)], rels[svg_blip.get(R_EMBED)]
    types = docx_xml(docx, "[Content_Types].xml")
    overrides = {
        o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CONTENT_TYPES}Override")
    }
    defaults = {
        d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CONTENT_TYPES}Default")
    }
    svg_type = overrides.get(f"/word/{svg_target}") or defaults.get(
        svg_target.rsplit(".", 1)[-1], ""
    )
    with zipfile.ZipFile(docx) as archive:
        return archive.read(f"word/{main_target}"), archive.read(f"word/{svg_target}"), svg_type


def test_the_docx_carries_the_svg_with_a_png_fallback(sealed: BuildResult) -> None:
    png, svg, svg_type = docx_pictures(output(sealed, "docx"))
    assert svg_type == "image/svg+xml"
    root = etree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # The checked drawing, every path of the source kept.
    source = etree.fromstring(seal_svg().encode())
    assert len(root.findall(".//{*}path")) == len(source.findall(".//{*}path")) > 5
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG" and picture.mode == "RGBA"
    assert picture.size == (992, 992)  # 42 mm at 600 dpi
    alpha = picture.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0 and alpha.getpixel((496, 700)) == 0  # corner, inside
    r, g, b, a = picture.getpixel((496, 496))  # type: ignore[misc]  # the star's centre
    assert a == 255 and r > 200 and g < 40 and b < 60


def test_the_pdf_and_the_ofd_draw_the_raster_where_the_seal_goes(sealed: BuildResult) -> None:
    pdf = output(sealed, "pdf")
    assert_sealed_layout(pdf)
    png, _, _ = docx_pictures(output(sealed, "docx"))
    with zipfile.ZipFile(output(sealed, "ofd")) as archive:
        (picture,) = [n for n in archive.namelist() if n.endswith(".png")]
        stored = Image.open(io.BytesIO(archive.read(picture))).convert("RGBA")
    assert stored.tobytes() == Image.open(io.BytesIO(png)).convert("RGBA").tobytes()


def test_the_same_svg_gives_the_same_bytes(sealed: BuildResult, tmp_path: Path) -> None:
    again = build(sealed.out_dir.parent / "wushui" / "2024", tmp_path / "out", ofd=True)
    for fmt in ("docx", "pdf", "ofd"):
        assert output(again, fmt).read_bytes() == output(sealed, fmt).read_bytes(), fmt
    assert docx_pictures(output(again, "docx")) == docx_pictures(output(sealed, "docx"))


def test_cairosvg_draws_the_same_png_in_another_process(sealed: BuildResult) -> None:
    """The raster is cached within a process (svg.rasterise): another
    process, drawing afresh, must give the same bytes."""
    png, _, _ = docx_pictures(output(sealed, "docx"))
    source = sealed.out_dir.parent / "wushui" / "2024" / "印章.svg"
    code = (
        "import sys, hashlib\n"
        "from pathlib import Path\n"
        "from generator.dataset.svg import parse_svg, rasterise\n"
        "svg = parse_svg(Path(sys.argv[1]).read_bytes())\n"
        "print(hashlib.sha256(rasterise(svg, 992)).hexdigest())\n"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code, str(source)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert runs == {hashlib.sha256(png).hexdigest()}


def test_the_archival_pdf_with_an_svg_seal_stays_pdfa(sealed: BuildResult, tmp_path: Path) -> None:
    assert_archival_pdf_is_pdfa(sealed, tmp_path)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="未安装 LibreOffice")
def test_libreoffice_shows_the_red_seal_over_the_signature(
    sealed: BuildResult, tmp_path: Path
) -> None:
    """LibreOffice's PDF of the DOCX, drawn at 100 dpi: in the band of the
    page 40 mm above and below the issuer (the letterhead's red is far
    above), the red pixels form the seal's ring, 42 mm across, around the
    point 7.5 characters from the right edge, pressing on the issuer."""
    import pymupdf

    rendering = _convert(output(sealed, "docx"), tmp_path)
    pages = read_pdf(rendering.pdf)
    number = next(
        n
        for n, page in enumerate(pages, 1)
        if any(c.text == ISSUER[-1] for c in page.chars) and _has_line(page.chars, ISSUER)
    )
    issuer = line_box(pages[number - 1].chars, ISSUER)
    right_edge = (BINDING if number % 2 else OUTER) + TEXT_WIDTH
    centre_x = right_edge - 7.5 * CHAR_PITCH
    page = pymupdf.open(rendering.pdf)[number - 1]  # type: ignore[no-untyped-call]
    height = page.rect.height
    scale = 100 / 72
    pixmap = page.get_pixmap(dpi=100)
    picture = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)
    pixels = picture.load()
    assert pixels is not None
    red = [
        (x / scale, height - y / scale)
        for y in range(0, pixmap.height, 2)
        for x in range(0, pixmap.width, 2)
        if _is_red(pixels[x, y]) and abs(height - y / scale - issuer.y0) < 40 * MM
    ]
    assert len(red) > 200
    xs, ys = [p[0] for p in red], [p[1] for p in red]
    # The ring's extent: 96.5 % of the 42 mm square (its outer edge at
    # radius 93 + 3.5 of 100, tests/seal_svg.py), centred over the issuer.
    assert max(xs) - min(xs) == pytest.approx(0.965 * 42 * MM, abs=3)
    assert (max(xs) + min(xs)) / 2 == pytest.approx(centre_x, abs=2)
    assert (max(xs) + min(xs)) / 2 == pytest.approx(issuer.centre, abs=3)
    assert min(ys) < issuer.y0 < max(ys)  # pressing on the issuer


def _has_line(chars: list, text: str) -> bool:  # type: ignore[type-arg]
    try:
        line_box(chars, text)
    except AssertionError:
        return False
    return True


def _is_red(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    r, g, b = (int(v) for v in pixel)
    return r > 180 and g < 110 and b < 110 and r - g > 100


# --- hostile or unfit SVGs ---

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 200 200">'
RING = '<circle cx="100" cy="100" r="90" fill="none" stroke="red" stroke-width="8"/>'


def tiny_png() -> str:
    picture = io.BytesIO()
    Image.new("RGBA", (4, 4), (230, 0, 18, 255)).save(picture, "PNG")
    return base64.b64encode(picture.getvalue()).decode()


def use_bomb(levels: int) -> str:
    """Groups each using the one before ten times: 10^levels circles drawn."""
    out = '<defs><circle id="l0" r="1"/>'
    for level in range(1, levels + 1):
        out += f'<g id="l{level}">' + f'<use href="#l{level - 1}"/>' * 10 + "</g>"
    return out + f'</defs><use href="#l{levels}"/>'


def _svg(inner: str, head: str = "") -> str:
    return f"{head}{SVG_OPEN}{RING}{inner}</svg>"


HOSTILE = [
    (
        "外部图片",
        _svg('<image href="http://example.com/seal.png" width="10" height="10"/>'),
        "引用了外部资源“http://example.com/seal.png”",
    ),
    (
        "本机文件",
        _svg('<image xlink:href="file:///etc/passwd" width="10" height="10"/>'),
        "引用了外部资源“file:///etc/passwd”",
    ),
    ("相对路径", _svg('<use href="other.svg#a"/>'), "引用了外部资源“other.svg#a”"),
    (
        "样式中的地址",
        _svg('<rect width="5" height="5" style="fill: url(https://example.com/x.svg#p)"/>'),
        "引用了外部资源“https://example.com/x.svg#p”",
    ),
    ("样式表导入", _svg("<style>@import url(#x);</style>"), "@import"),
    (
        "样式转义",
        _svg(r'<rect width="5" height="5" style="fill: \75 rl(http://example.com/p)"/>'),
        "反斜杠转义",
    ),
    ("脚本", _svg("<script>alert(1)</script>"), "不允许的元素 <script>"),
    ("事件属性", _svg('<rect width="5" height="5" onclick="alert(1)"/>'), "脚本属性 onclick"),
    (
        "HTML",
        _svg(
            '<foreignObject width="9" height="9"><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'
        ),
        "不允许的元素 <foreignObject>",
    ),
    ("动画", _svg('<set attributeName="fill" to="blue"/>'), "不允许的元素 <set>"),
    (
        "实体",
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + _svg("<text>&b;</text>"),
        "DOCTYPE",
    ),
    ("外部DTD", '<!DOCTYPE svg SYSTEM "http://example.com/svg.dtd">' + _svg(""), "DOCTYPE"),
    (
        "样式表指令",
        '<?xml-stylesheet href="http://example.com/s.css"?>' + _svg(""),
        "处理指令 <?xml-stylesheet?>",
    ),
    (
        "不透明背景",
        _svg('<rect width="200" height="200" fill="#fff"/>'),
        "没有透明背景",
    ),
    ("无尺寸", '<svg xmlns="http://www.w3.org/2000/svg">' + RING + "</svg>", "缺少 viewBox"),
    ("非SVG", '<html xmlns="http://www.w3.org/1999/xhtml"/>', "不是 SVG 图片"),
    ("格式错误", _svg("<g>"), "不是有效的 SVG 文件"),
    (
        "损坏的内嵌图片",
        _svg(
            '<image href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=" width="4" height="4"/>'
        ),
        "内嵌的图片已损坏",
    ),
    ("元素过多", _svg("<g/>" * 10_001), "元素过多（超过 10000 个）"),
    ("引用炸弹", _svg(use_bomb(6)), "展开引用后要绘制的元素过多"),
    ("循环引用", _svg('<g id="a"><use href="#a"/></g>'), "引用构成循环"),
    (
        "样式引用炸弹",
        _svg(use_bomb(3) + "<style>rect { fill: url(#l3) }</style>" + "<rect/>" * 200),
        "展开引用后要绘制的元素过多",
    ),
    (
        "内嵌SVG",
        _svg('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="9" height="9"/>'),
        "引用了外部资源“data:image/svg+xml;base64,PHN2Zy8+”",
    ),
]


@pytest.mark.parametrize(("case", "svg", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_or_unfit_svg_is_refused_in_chinese(
    case: str, svg: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = svg_sealed_copy(tmp_path)
    (dataset / "印章.svg").write_text(svg, "utf-8")
    out = tmp_path / "out"
    assert main(["build", str(dataset), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    line = len((dataset / "document.yaml").read_text("utf-8").splitlines())
    assert "印章图片“印章.svg”" in err
    assert message in err, err
    assert f"document.yaml:{line}" in err and "seal.image" in err, err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_an_inline_png_inside_the_svg_is_taken(tmp_path: Path) -> None:
    dataset = svg_sealed_copy(tmp_path)
    inline = f'<image href="data:image/png;base64,{tiny_png()}" width="4" height="4"/>'
    shapes = f'<g id="r" style="fill: url(#none)">{inline}</g><use xlink:href="#r" x="9"/>'
    (dataset / "印章.svg").write_text(_svg(shapes), "utf-8")
    result = build(dataset, tmp_path / "out")
    assert sum(len(found) for found in images(output(result, "pdf")).values()) == 1


def test_a_gzipped_svg_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import gzip

    dataset = svg_sealed_copy(tmp_path)
    (dataset / "印章.svg").write_bytes(gzip.compress(_svg("").encode(), mtime=0))
    assert main(["build", str(dataset), "--out", str(tmp_path / "out")]) == 1
    assert "压缩的 SVG" in capsys.readouterr().err
