"""A seal drawn as SVG (document.yaml seal.image), taken as untrusted input.

An SVG is a program of sorts: it can name files and web addresses (href,
url(), @import, xml-stylesheet), declare entities that expand a few bytes into
gigabytes, carry scripts and HTML (foreignObject). A seal needs none of that:
shapes, paths, text and at most an inline raster. parse_svg parses it with
every network, DTD and entity feature of the parser off, refuses whatever
could reach outside the file or run, bounds its size, and gives back the
checked tree re-serialised: that is what the writers embed (the DOCX) and
rasterise (cairosvg), never the file's own bytes.

rasterise draws it with cairosvg (Kozea's, on Debian's libcairo2), its URL
fetcher refusing everything but inline data: pictures, so that no file or
address is read even if a check here missed one. The PNG is deterministic:
cairo writes no time or other varying chunk.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import re
from dataclasses import dataclass

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
MAX_ELEMENTS = 10_000  # a seal exported by a drawing program has a few hundred
# Elements drawn once every reference (<use href="#a">, fill="url(#p)") is
# followed: ten groups each using the one before ten times draw 10^10 shapes
# from 100 elements, and cairosvg would draw them all.
MAX_DRAWN = 100_000
PAINT_SERVERS = frozenset({"linearGradient", "radialGradient", "solidcolor"})  # cheap to use
MAX_RASTER_PIXELS = 4096 * 4096  # an inline picture inside the SVG, decoded
# Elements that run code, embed other documents or change the drawing over
# time: none belongs in a seal. Matched by local name in any namespace.
REFUSED_ELEMENTS = frozenset(
    {
        "script",
        "foreignObject",
        "iframe",
        "embed",
        "object",
        "audio",
        "video",
        "handler",
        "listener",
        "animate",
        "animateColor",
        "animateMotion",
        "animateTransform",
        "set",
        "discard",
    }
)
INLINE_PICTURE = re.compile(r"data:image/(png|jpeg);base64,", re.IGNORECASE)
URL_REFERENCE = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
# Share of the seal's square that must be see-through (its ground): a ring,
# a star and a line of text cover well under half; a filled disc covers 79 %.
MIN_TRANSPARENT_SHARE = 0.5


class SvgProblem(ValueError):
    """What is wrong with the SVG, in Chinese, without the file's name."""


@dataclass(frozen=True)
class CheckedSvg:
    data: bytes  # the checked tree, re-serialised (UTF-8, no DOCTYPE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_blank_text=False,
    )


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _reference_problem(value: str, line: int | None) -> str | None:
    """A reference that is neither a fragment (#id) nor an inline picture."""
    value = value.strip()
    if value.startswith("#"):
        return None
    if INLINE_PICTURE.match(value):
        return _inline_picture_problem(value, line)
    shown = value if len(value) <= 60 else value[:57] + "..."
    return (
        f"第 {line} 行引用了外部资源“{shown}”；印章 SVG 只能引用本文件内的元素（#名称）"
        "或内嵌的 PNG/JPEG 图片（data:image/png;base64,…）"
    )


def _inline_picture_problem(value: str, line: int | None) -> str | None:
    """An inline PNG or JPEG that does not decode or would decode too large."""
    from PIL import Image

    try:
        data = base64.b64decode(value.split(",", 1)[1], validate=False)
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
    except (OSError, ValueError, binascii.Error, Image.DecompressionBombError):
        return f"第 {line} 行内嵌的图片已损坏，无法读取"
    if width * height > MAX_RASTER_PIXELS:
        return f"第 {line} 行内嵌的图片过大（{width}×{height} 像素）"
    return None


def _element_problem(element: etree._Element) -> str | None:
    line = element.sourceline
    name = _local(element.tag)
    if name in REFUSED_ELEMENTS:
        return f"第 {line} 行含有不允许的元素 <{name}>；印章 SVG 只能含有图形和文字"
    for key, value in element.attrib.items():
        attribute = _local(key)
        if attribute.lower().startswith("on"):
            return f"第 {line} 行含有脚本属性 {attribute}；印章 SVG 不能含有脚本"
        if attribute == "href":
            problem = _reference_problem(value, line)
            if problem:
                return problem
        problem = _css_problem(value, line)
        if problem:
            return problem
    if name == "style":
        return _css_problem(element.text or "", line)
    return None


def _css_problem(text: str, line: int | None) -> str | None:
    if "\\" in text:  # a CSS escape could spell url( or @import past the checks below
        return f"第 {line} 行的样式或属性含有反斜杠转义；印章 SVG 不需要转义字符"
    if "@import" in text.lower():
        return f"第 {line} 行的样式用 @import 引用了外部样式表；印章 SVG 不能引用外部文件"
    for match in URL_REFERENCE.finditer(text):
        problem = _reference_problem(match.group(2), line)
        if problem:
            return problem
    return None


def parse_svg(data: bytes) -> CheckedSvg:
    """The SVG checked as described above; raises SvgProblem."""
    if data.startswith(b"\x1f\x8b"):
        raise SvgProblem("是压缩的 SVG（.svgz）；请保存为普通 SVG")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        where = f"第 {error.lineno} 行" if error.lineno else ""
        raise SvgProblem(f"不是有效的 SVG 文件（{where}XML 格式错误）") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SvgProblem("含有 DOCTYPE 声明；印章 SVG 不能声明 DTD 或实体")
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgProblem("不是 SVG 图片（根元素应为 http://www.w3.org/2000/svg 命名空间的 svg）")
    count = 0
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise SvgProblem(f"第 {node.sourceline} 行使用了实体引用；印章 SVG 不能使用实体")
        if isinstance(node, etree._ProcessingInstruction):
            raise SvgProblem(f"第 {node.sourceline} 行含有处理指令 <?{node.target}?>，不能使用")
        if not isinstance(node.tag, str):
            continue
        count += 1
        if count > MAX_ELEMENTS:
            raise SvgProblem(f"元素过多（超过 {MAX_ELEMENTS} 个）；印章图片一般只有几百个元素")
        problem = _element_problem(node)
        if problem:
            raise SvgProblem(problem)
    for sibling in (*root.itersiblings(preceding=True), *root.itersiblings()):
        if isinstance(sibling, etree._ProcessingInstruction):
            raise SvgProblem(f"含有处理指令 <?{sibling.target}?>，不能使用")
    _check_drawn(root, count)
    if not _has_size(root):
        raise SvgProblem("缺少 viewBox，无法确定图形大小；请在 svg 元素上写明 viewBox")
    checked = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return CheckedSvg(checked)


def _targets(element: etree._Element) -> list[str]:
    """The ids an element refers to: its href fragment, its url(#id)s."""
    found = []
    for key, value in element.attrib.items():
        if _local(key) == "href" and value.strip().startswith("#"):
            found.append(value.strip()[1:])
        found += [
            m.group(2)[1:] for m in URL_REFERENCE.finditer(value) if m.group(2).startswith("#")
        ]
    return found


def _check_drawn(root: etree._Element, elements: int) -> None:
    """Refuse an SVG whose references, followed, draw more than MAX_DRAWN
    elements, or loop. A stylesheet's url(#id) may apply to every element."""
    # Held so that lxml keeps one proxy per element: id() below names it.
    alive = [el for el in root.iter() if isinstance(el.tag, str)]
    by_id = {el.get("id"): el for el in alive if el.get("id")}
    counted: dict[int, int] = {}
    open_: set[int] = set()

    def drawn(element: etree._Element) -> int:
        key = id(element)
        if key in counted:
            return counted[key]
        if key in open_:
            raise SvgProblem(f"第 {element.sourceline} 行的引用构成循环（元素引用了自身）")
        if _local(element.tag) in PAINT_SERVERS:
            return 1
        open_.add(key)
        total = 1 + sum(drawn(child) for child in element if isinstance(child.tag, str))
        for target in _targets(element):
            if target in by_id:
                total += drawn(by_id[target])
        open_.discard(key)
        counted[key] = total = min(total, MAX_DRAWN + 1)
        return total

    try:
        total = drawn(root)
        for style in root.iter(f"{{{SVG_NS}}}style"):
            for match in URL_REFERENCE.finditer(style.text or ""):
                target = by_id.get(match.group(2).lstrip("#"))
                total += elements * drawn(target) if target is not None else 0
    except RecursionError:
        raise SvgProblem("引用层次过深；印章 SVG 不应层层引用") from None
    if total > MAX_DRAWN:
        raise SvgProblem(
            f"展开引用后要绘制的元素过多（超过 {MAX_DRAWN} 个）；请展开或简化 use 等引用"
        )


def _has_size(root: etree._Element) -> bool:
    numbers = re.split(r"[\s,]+", (root.get("viewBox") or "").strip())
    try:
        values = [float(n) for n in numbers]
    except ValueError:
        return False
    return len(values) == 4 and values[2] > 0 and values[3] > 0


def _data_only(url: str, resource_type: str) -> bytes:
    """cairosvg's URL fetcher: inline pictures only (parse_svg let no other
    reference through; this makes sure nothing is read if one slipped by)."""
    from cairosvg.url import fetch

    if INLINE_PICTURE.match(url or ""):
        data: bytes = fetch(url, resource_type)
        return data
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


@functools.lru_cache(maxsize=8)
def rasterise(svg: CheckedSvg, pixels: int) -> bytes:
    """The checked SVG drawn as an RGBA PNG of pixels × pixels, its viewBox
    scaled to fit (centred, aspect kept, as SVG's default preserveAspectRatio)."""
    from cairosvg.surface import PNGSurface

    try:  # svg2png passes no url_fetcher on: the surface's convert does
        png = PNGSurface.convert(
            bytestring=svg.data,
            output_width=pixels,
            output_height=pixels,
            unsafe=False,
            url_fetcher=_data_only,
        )
    except Exception as error:  # cairosvg raises many kinds on drawings it cannot do
        kind = type(error).__name__
        raise SvgProblem(f"无法绘制（{kind}），图形数据可能有误；请用绘图软件重新导出") from None
    assert isinstance(png, bytes)
    return png


def transparency_problem(svg: CheckedSvg) -> str | None:
    """Drawn small, is the seal mostly see-through? A seal with an opaque
    ground would hide the issuer and the date it presses on."""
    from PIL import Image

    with Image.open(io.BytesIO(rasterise(svg, 200))) as picture:
        alpha = picture.convert("RGBA").getchannel("A")
        histogram = alpha.histogram()
    clear = sum(histogram[:8]) / max(sum(histogram), 1)
    if clear < MIN_TRANSPARENT_SHARE:
        return (
            f"没有透明背景（只有 {clear:.0%} 透明，会遮住署名和成文日期）；"
            "请去掉 SVG 中的背景色块，只保留印章图形"
        )
    return None
