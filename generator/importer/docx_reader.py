"""A DOCX read as a clerk made it: paragraphs and tables in order, each with
its look (colour, size, bold, alignment, a bottom border), whatever the styles.

Clerks format directly and rarely use styles, so the look is taken from the
runs and the paragraph properties; a text box's paragraphs are read where the
box is anchored, a table's cells keep their spans. The file is untrusted: its
size, its ZIP entries (a zip bomb), encryption and its XML are checked first,
and every failure is an ImportFailure with a Chinese message.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING_FACES = ("黑体", "楷体", "hei", "kai", "小标宋")
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PART_BYTES = 50 * 1024 * 1024  # word/document.xml unpacked
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed for one entry: text XML packs ~10:1, bombs ~1000:1
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFailure(Exception):
    """Input that cannot be imported; the message is Chinese and names the file."""


@dataclass(frozen=True)
class Para:
    text: str  # manual line breaks are "\n"
    red: bool = False
    size: float | None = None  # points, the largest run's
    bold: bool = False
    align: str = "left"  # left, center, right, both
    indent_chars: int = 0  # leading spaces typed (full-width counts two)
    rule_below: bool = False  # a bottom border: the red line drawn as a border
    rule_red: bool = False
    # Where a heading ends: the leading text in another font (or weight) than
    # the paragraph's last run, as （一）征缴方式。 in 楷体 before 仿宋 text.
    lead: str = ""
    fonts_known: bool = False  # some run names its Chinese font or weight
    heading_look: bool = False  # the last run is in a heading face (黑体, 楷体) or bold
    auto_numbered: bool = False  # Word's own numbering (w:numPr): its number is not in the text


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    continues: bool = False  # vMerge continuation: merged with the cell above
    red: bool = False


@dataclass
class Grid:
    rows: list[list[Cell]] = field(default_factory=list)
    borders: bool = True
    widths: list[int] = field(default_factory=list)  # the grid's columns, twips


Block = Para | Grid


def read_docx(path: Path) -> list[Block]:
    data = _checked_bytes(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportFailure(f"{path}：不是有效的 DOCX 文件（文件已损坏或格式不对）") from None
    with archive:
        _check_entries(path, archive)
        try:
            xml = archive.read("word/document.xml")
        except KeyError:
            raise ImportFailure(f"{path}：不是 Word 文档（缺少 word/document.xml）") from None
        except (zipfile.BadZipFile, OSError, EOFError):
            raise ImportFailure(f"{path}：DOCX 文件已损坏，无法解压") from None
        try:
            styles_xml: bytes | None = archive.read("word/styles.xml")
        except (KeyError, zipfile.BadZipFile, OSError, EOFError):
            styles_xml = None
    del data
    root = _parse(xml, path)
    body = root.find(f"{W}body")
    if body is None:
        raise ImportFailure(f"{path}：不是 Word 文档（没有正文）")
    styles = Styles(_parse(styles_xml, path) if styles_xml else None)
    blocks: list[Block] = []
    for element in body:
        _read_element(element, blocks, styles)
    return blocks


def _parse(xml: bytes, path: Path) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        raise ImportFailure(f"{path}：DOCX 文件已损坏（XML 无法解析）") from None


class Styles:
    """Paragraph and character styles, for the few documents that use them
    (gongwen's own DOCX does): a property not set directly comes from the
    style, then the style it is based on."""

    def __init__(self, root: etree._Element | None) -> None:
        self.styles: dict[str, etree._Element] = {}
        if root is not None:
            for style in root.iter(f"{W}style"):
                style_id = style.get(f"{W}styleId")
                if style_id:
                    self.styles[str(style_id)] = style

    def find(self, style_id: str | None, path: str) -> etree._Element | None:
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            style = self.styles[style_id]
            found = style.find(path)
            if found is not None:
                return found
            based = style.find(f"{W}basedOn")
            style_id = _val(based, "val")
        return None


def _checked_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError:
        raise ImportFailure(f"{path}：文件不存在或无法读取") from None
    if size > MAX_FILE_BYTES:
        raise ImportFailure(
            f"{path}：文件过大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB），"
            "不像一份通知"
        )
    with path.open("rb") as file:
        head = file.read(8)
    if head == OLE_MAGIC:
        raise ImportFailure(
            f"{path}：文件设有打开密码（已加密），或是旧版 Word 格式却以 .docx 命名；"
            "请在 Word/WPS 中取消密码或另存为 .docx 后再导入"
        )
    if not head.startswith(b"PK"):
        raise ImportFailure(f"{path}：不是有效的 DOCX 文件（文件已损坏或格式不对）")
    return head


def _check_entries(path: Path, archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise ImportFailure(f"{path}：文件已加密，请取消密码后再导入")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO and info.file_size > 1024 * 1024:
            raise ImportFailure(
                f"{path}：文件中的 {info.filename} 压缩比异常（疑似压缩炸弹），拒绝导入"
            )
        if info.filename == "word/document.xml" and info.file_size > MAX_PART_BYTES:
            raise ImportFailure(f"{path}：正文过大，不像一份通知")
    if total > MAX_TOTAL_BYTES:
        raise ImportFailure(f"{path}：解压后过大（疑似压缩炸弹），拒绝导入")


def _read_element(element: etree._Element, blocks: list[Block], styles: Styles) -> None:
    if element.tag == f"{W}p":
        # A text box anchored in this paragraph: its paragraphs first, once
        # (the VML fallback of the same box is skipped).
        for box in element.iter(f"{W}txbxContent"):
            if any(a.tag == MC_FALLBACK for a in box.iterancestors()):
                continue
            for inner in box:
                _read_element(inner, blocks, styles)
        blocks.append(_para(element, styles))
    elif element.tag == f"{W}tbl":
        blocks.append(_grid(element, styles))
    elif element.tag == f"{W}sdt":
        content = element.find(f"{W}sdtContent")
        for inner in content if content is not None else []:
            _read_element(inner, blocks, styles)


def _nested(run: etree._Element, p: etree._Element) -> bool:
    """A run of a text box (or its fallback copy) anchored in p, not of p itself."""
    for ancestor in run.iterancestors():
        if ancestor is p:
            return False
        if ancestor.tag in (f"{W}txbxContent", MC_FALLBACK):
            return True
    return False


def _val(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    value = element.get(f"{W}{name}")
    return None if value is None else str(value)


def _para(p: etree._Element, styles: Styles) -> Para:
    ppr = p.find(f"{W}pPr")
    style = _val(ppr.find(f"{W}pStyle") if ppr is not None else None, "val")

    def prop(
        props: etree._Element | None, name: str, run_style: str | None = None
    ) -> etree._Element | None:
        """A run property: direct, from the run's style, from the paragraph's style."""
        found = props.find(f"{W}{name}") if props is not None else None
        if found is None and run_style:
            found = styles.find(run_style, f"{W}rPr/{W}{name}")
        if found is None:
            found = styles.find(style, f"{W}rPr/{W}{name}")
        return found

    text_parts: list[str] = []
    looks: list[tuple[str, tuple[str | None, bool]]] = []  # (text, (face, bold)) per run
    red = False
    size: float | None = None
    bold = False
    for run in p.iter(f"{W}r"):
        if _nested(run, p):
            continue
        props = run.find(f"{W}rPr")
        run_text = ""
        for child in run:
            if child.tag == f"{W}t":
                run_text += child.text or ""
            elif child.tag == f"{W}tab":
                run_text += " "
            elif child.tag in (f"{W}br", f"{W}cr"):
                run_text += "\n"
        if not run_text.strip():
            text_parts.append(run_text)
            continue
        text_parts.append(run_text)
        run_style = _val(props.find(f"{W}rStyle") if props is not None else None, "val")
        colour = _val(prop(props, "color", run_style), "val")
        if colour and _is_red(colour):
            red = True
        half_points = _val(prop(props, "sz", run_style), "val")
        if half_points and half_points.isdigit():
            size = max(size or 0.0, int(half_points) / 2)
        bold_element = prop(props, "b", run_style)
        run_bold = bold_element is not None and _val(bold_element, "val") not in ("0", "false")
        bold = bold or run_bold
        looks.append((run_text, (_val(prop(props, "rFonts", run_style), "eastAsia"), run_bold)))
    jc = ppr.find(f"{W}jc") if ppr is not None else None
    align = _val(jc if jc is not None else styles.find(style, f"{W}pPr/{W}jc"), "val") or "left"
    align = {"start": "left", "end": "right", "distribute": "both"}.get(align, align)
    bottom = ppr.find(f"{W}pBdr/{W}bottom") if ppr is not None else None
    if bottom is None:
        bottom = styles.find(style, f"{W}pPr/{W}pBdr/{W}bottom")
    rule = bottom is not None and _val(bottom, "val") not in (None, "nil", "none")
    rule_red = rule and _is_red(_val(bottom, "color") or "")
    text = "".join(text_parts)
    heading_lead, fonts_known, heading_look = _heading_lead(looks)
    lead = re.match(r"[ \u3000\u00a0]*", text)
    indent = 0
    if lead:
        indent = sum(2 if ch == "\u3000" else 1 for ch in lead.group(0)) // 2
    return Para(
        text,
        red,
        size,
        bold,
        align,
        indent,
        rule,
        rule_red,
        heading_lead,
        fonts_known,
        heading_look,
        (ppr is not None and ppr.find(f"{W}numPr") is not None)
        or styles.find(style, f"{W}pPr/{W}numPr") is not None,
    )


def _heading_lead(looks: list[tuple[str, tuple[str | None, bool]]]) -> tuple[str, bool, bool]:
    """(the leading text in another look than the last run's, whether any
    run names a face or weight, whether the last run looks like a heading)."""
    if not looks:
        return "", False, False
    last_face, last_bold = looks[-1][1]
    known = any(face is not None or bold for _, (face, bold) in looks)
    heading = last_bold or any(h in (last_face or "").lower() for h in HEADING_FACES)
    lead = ""
    for run_text, look in looks:
        if look == looks[-1][1]:
            break
        lead += run_text
    return (lead if lead != "".join(t for t, _ in looks) else ""), known, heading


def _is_red(colour: str) -> bool:
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", colour):
        return False
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return r >= 0xC0 and g < 0x60 and b < 0x60


def _cell(tc: etree._Element, styles: Styles, colspan: int, continues: bool) -> Cell:
    paragraphs = [_para(p, styles) for p in tc.iter(f"{W}p")]
    text = "\n".join(t for t in (p.text.strip() for p in paragraphs) if t)
    return Cell(text, colspan, continues, red=any(p.red for p in paragraphs))


def _grid(tbl: etree._Element, styles: Styles) -> Grid:
    grid = Grid()
    borders = tbl.find(f"{W}tblPr/{W}tblBorders")
    if borders is not None:
        values = {_val(b, "val") for b in borders}
        grid.borders = bool(values - {"nil", "none", None})
    for column in tbl.findall(f"{W}tblGrid/{W}gridCol"):
        width = _val(column, "w")
        grid.widths.append(int(width) if width and width.isdigit() else 0)
    for tr in tbl.findall(f"{W}tr"):
        row: list[Cell] = []
        for tc in tr.findall(f"{W}tc"):
            props = tc.find(f"{W}tcPr")
            span = _val(props.find(f"{W}gridSpan") if props is not None else None, "val")
            merge = props.find(f"{W}vMerge") if props is not None else None
            continues = merge is not None and _val(merge, "val") in (None, "continue")
            colspan = int(span) if span and span.isdigit() else 1
            row.append(_cell(tc, styles, min(colspan, 64), continues))
        grid.rows.append(row)
    return grid
