"""Low-level OOXML helpers: the WordprocessingML python-docx has no API for.

Like python-docx's own `oxml` layer, this module is the only place that builds
raw elements; the DOCX writer and the template builder stay at the level of
paragraphs, runs and styles. It also holds the unit conversions and the
deterministic packaging of a saved document.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from docx.document import Document as WordDocument
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph as WordParagraph
from lxml.etree import SubElement

MM_PER_INCH = 25.4
TWIPS_PER_INCH = 1440
TWIPS_PER_PT = 20

# Child order of the containers edited here (ECMA-376 Part 1 schema sequences):
# a child inserted out of order makes Word refuse the file.
P_PR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
    "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
    "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
R_PR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
    "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint",
    "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing",
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
    "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
P_BDR_ORDER = ("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar")
TBL_BORDERS_ORDER = ("w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV")
CELL_MAR_ORDER = ("w:top", "w:left", "w:bottom", "w:right")
TBL_PR_ORDER = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
    "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
    "w:tblCaption", "w:tblDescription", "w:tblPrChange",
)  # fmt: skip
TR_PR_ORDER = (
    "w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter",
    "w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
    "w:ins", "w:del", "w:trPrChange",
)  # fmt: skip
SECT_PR_ORDER = (
    "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type",
    "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType",
    "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
    "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange",
)  # fmt: skip
STYLE_ORDER = (
    "w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine",
    "w:hidden", "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat",
    "w:locked", "w:personal", "w:personalCompose", "w:personalReply", "w:rsid",
    "w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr",
)  # fmt: skip
SETTINGS_ORDER = (
    "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
    "w:removeDateAndTime", "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape",
    "w:printPostScriptOverText", "w:printFractionalCharacterWidth", "w:printFormsData",
    "w:embedTrueTypeFonts", "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData",
    "w:mirrorMargins", "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader",
    "w:bordersDoNotSurroundFooter", "w:gutterAtTop", "w:hideSpellingErrors",
    "w:hideGrammaticalErrors", "w:activeWritingStyle", "w:proofState", "w:formsDesign",
    "w:attachedTemplate", "w:linkStyles", "w:stylePaneFormatFilter",
    "w:stylePaneSortMethod", "w:documentType", "w:mailMerge", "w:revisionView",
    "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
    "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
    "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit",
    "w:hyphenationZone", "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength",
    "w:clickAndTypeStyle", "w:defaultTableStyle", "w:evenAndOddHeaders",
    "w:bookFoldRevPrinting", "w:bookFoldPrinting", "w:bookFoldPrintingSheets",
    "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
    "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
    "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
    "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
    "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
    "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
    "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
    "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
    "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags",
    "w:alwaysMergeEmptyNamespace", "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr",
    "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
    "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown",
    "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags",
    "w:decimalSymbol", "w:listSeparator",
)  # fmt: skip

# Fixed ZIP entry date: the earliest a ZIP file can record.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
CONTENT_TYPES = "[Content_Types].xml"


# --- units -------------------------------------------------------------------


def twips_from_mm(mm: float) -> int:
    return round(mm * TWIPS_PER_INCH / MM_PER_INCH)


def twips_from_pt(pt: float) -> int:
    return round(pt * TWIPS_PER_PT)


def half_points(pt: float) -> int:
    """Word font sizes (w:sz) are in half-points."""
    return round(pt * 2)


def eighth_points(pt: float) -> int:
    """Border widths (w:sz of a border) are in eighths of a point."""
    return round(pt * 8)


def hex_color(color: str) -> str:
    """'#e60012' -> 'E60012', as w:color wants it."""
    return color.removeprefix("#").upper()


# --- generic element access ----------------------------------------------------


def child(parent: Any, tag: str, order: Sequence[str]) -> Any:
    """parent's `tag` child, created at its schema position when missing."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    element = OxmlElement(tag)
    successors = [qn(name) for name in order[order.index(tag) + 1 :]]
    for existing in parent:
        if existing.tag in successors:
            existing.addprevious(element)
            break
    else:
        parent.append(element)
    return element


def set_attrs(element: Any, **attrs: str | int) -> Any:
    """Set w:-namespaced attributes (w:val, w:firstLineChars, ...) on element."""
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def set_on(parent: Any, tag: str, order: Sequence[str], on: bool = True) -> None:
    """An on/off property such as w:keepNext, written explicitly either way."""
    element = child(parent, tag, order)
    if on:
        element.attrib.pop(qn("w:val"), None)
    else:
        set_attrs(element, val=0)


# --- run properties ------------------------------------------------------------


def set_fonts(r_pr: Any, face: str) -> None:
    """All four font slots to face; Chinese text uses the eastAsia one."""
    fonts = child(r_pr, "w:rFonts", R_PR_ORDER)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    set_attrs(fonts, ascii=face, hAnsi=face, eastAsia=face, cs=face)


def set_character_spacing(r_pr: Any, twentieths: int) -> None:
    """w:spacing in a run's properties: space added after each character."""
    set_attrs(child(r_pr, "w:spacing", R_PR_ORDER), val=twentieths)


def set_run_style(r_pr: Any, face: str, size_pt: float, color: str) -> None:
    """Face, size and colour of a style's run properties, never bold."""
    set_fonts(r_pr, face)
    set_on(r_pr, "w:b", R_PR_ORDER, on=False)
    set_on(r_pr, "w:bCs", R_PR_ORDER, on=False)
    set_attrs(child(r_pr, "w:color", R_PR_ORDER), val=hex_color(color))
    set_attrs(child(r_pr, "w:sz", R_PR_ORDER), val=half_points(size_pt))
    set_attrs(child(r_pr, "w:szCs", R_PR_ORDER), val=half_points(size_pt))


# --- paragraph properties ------------------------------------------------------


def p_pr(paragraph: WordParagraph) -> Any:
    return paragraph._p.get_or_add_pPr()


def set_indent(
    p_pr_element: Any,
    char_twips: int,
    *,
    left: float | None = None,
    right: float | None = None,
    first_line: float | None = None,
    hanging: float | None = None,
) -> None:
    """Indents in characters: w:*Chars (hundredths, what Word and WPS use) plus
    the same in twips for readers that ignore the character units."""
    ind = child(p_pr_element, "w:ind", P_PR_ORDER)
    values = {"left": left, "right": right, "firstLine": first_line, "hanging": hanging}
    for name, chars in values.items():
        if chars is not None:
            set_attrs(ind, **{f"{name}Chars": round(chars * 100), name: round(chars * char_twips)})


def set_line_spacing(p_pr_element: Any, *, exact_twips: int | None) -> None:
    """Exact line spacing in twips, or single spacing when exact_twips is None."""
    spacing = child(p_pr_element, "w:spacing", P_PR_ORDER)
    if exact_twips is None:
        set_attrs(spacing, line=240, lineRule="auto")
    else:
        set_attrs(spacing, line=exact_twips, lineRule="exact")


def set_space_before(p_pr_element: Any, twips: int) -> None:
    set_attrs(child(p_pr_element, "w:spacing", P_PR_ORDER), before=twips)


def set_border(p_pr_element: Any, side: str, eighths: int, color: str, space_pt: int = 0) -> None:
    """A single-line paragraph border on side ('top', 'bottom', ...)."""
    borders = child(p_pr_element, "w:pBdr", P_PR_ORDER)
    line = child(borders, f"w:{side}", P_BDR_ORDER)
    set_attrs(line, val="single", sz=eighths, space=space_pt, color=hex_color(color))


def set_outline_level(p_pr_element: Any, level: int) -> None:
    """w:outlineLvl: 0 for a level-1 heading; Word's navigation pane lists it."""
    set_attrs(child(p_pr_element, "w:outlineLvl", P_PR_ORDER), val=level)


def set_page_break_before(p_pr_element: Any) -> None:
    set_on(p_pr_element, "w:pageBreakBefore", P_PR_ORDER)


def add_field(paragraph: WordParagraph, instruction: str, placeholder: str) -> None:
    """A complex field (e.g. PAGE) as Word writes it: begin, instruction,
    separate, the cached result, end, each in a run of its own."""
    _add_field_char(paragraph, "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    paragraph.add_run()._r.append(code)
    _add_field_char(paragraph, "separate")
    paragraph.add_run(placeholder)
    _add_field_char(paragraph, "end")


def _add_field_char(paragraph: WordParagraph, kind: str) -> None:
    paragraph.add_run()._r.append(set_attrs(OxmlElement("w:fldChar"), fldCharType=kind))


# --- tables --------------------------------------------------------------------


def set_table_layout(
    tbl: Any, width_twips: int, borders: Mapping[str, int], cell_margin_twips: int | None = None
) -> None:
    """Fixed width and layout, centred, no indent. borders maps sides ('top',
    'insideH', ...) to single black lines of that many eighths of a point; the
    sides left out get none. cell_margin_twips sets the cells' left and right
    margins."""
    tbl_pr = tbl.tblPr
    set_attrs(child(tbl_pr, "w:tblW", TBL_PR_ORDER), w=width_twips, type="dxa")
    set_attrs(child(tbl_pr, "w:jc", TBL_PR_ORDER), val="center")
    set_attrs(child(tbl_pr, "w:tblInd", TBL_PR_ORDER), w=0, type="dxa")
    lines = child(tbl_pr, "w:tblBorders", TBL_PR_ORDER)
    for side in TBL_BORDERS_ORDER:
        line = child(lines, side, TBL_BORDERS_ORDER)
        eighths = borders.get(side.removeprefix("w:"))
        if eighths is None:
            set_attrs(line, val="nil")
        else:
            set_attrs(line, val="single", sz=eighths, space=0, color="000000")
    set_attrs(child(tbl_pr, "w:tblLayout", TBL_PR_ORDER), type="fixed")
    if cell_margin_twips is not None:
        margins = child(tbl_pr, "w:tblCellMar", TBL_PR_ORDER)
        for side in ("w:left", "w:right"):
            set_attrs(child(margins, side, CELL_MAR_ORDER), w=cell_margin_twips, type="dxa")


def set_cell_margins(tbl: Any, **twips: int) -> None:
    """The table's default cell margins by side (top=, left=, bottom=, right=)."""
    margins = child(tbl.tblPr, "w:tblCellMar", TBL_PR_ORDER)
    for side, width in twips.items():
        set_attrs(child(margins, f"w:{side}", CELL_MAR_ORDER), w=width, type="dxa")


def set_grid(tbl: Any, column_twips: Sequence[int]) -> None:
    for grid_col, width in zip(tbl.tblGrid.gridCol_lst, column_twips, strict=True):
        set_attrs(grid_col, w=width)


def set_row_flags(tr: Any, *, header: bool) -> None:
    """Rows never split across pages; header rows repeat on every page."""
    tr_pr = tr.get_or_add_trPr()
    set_on(tr_pr, "w:cantSplit", TR_PR_ORDER)
    if header:
        set_on(tr_pr, "w:tblHeader", TR_PR_ORDER)


@dataclass(frozen=True)
class GridCell:
    """One w:tc of a table row: width_twips wide over span grid columns;
    merge "restart" starts a vertical merge, "continue" goes on with the one
    above; p_pr, the paragraph properties to copy into its paragraph; text,
    its text (None: an empty paragraph, as in a continuing cell)."""

    width_twips: int
    span: int = 1
    merge: str | None = None
    p_pr: Any = None
    text: str | None = ""


def append_row(tbl: Any, cells: Sequence[GridCell], *, header: bool) -> None:
    """A row of cells appended to tbl, vertically centred, with the flags of
    set_row_flags: the same XML as python-docx's add_table, merge and add_run
    make, built directly, since python-docx spends some 0.2 ms on each
    element it adds (and its merges search the whole table)."""
    tr = SubElement(tbl, _W_TR)
    tr_pr = SubElement(tr, _W_TR_PR)
    SubElement(tr_pr, _W_CANT_SPLIT)
    if header:
        SubElement(tr_pr, _W_TBL_HEADER)
    for cell in cells:
        tc = SubElement(tr, _W_TC)
        tc_pr = SubElement(tc, _W_TC_PR)
        SubElement(tc_pr, _W_TC_W, {_W_TYPE: "dxa", _W_W: str(cell.width_twips)})
        if cell.span > 1:
            SubElement(tc_pr, _W_GRID_SPAN, {_W_VAL: str(cell.span)})
        if cell.merge == "restart":
            SubElement(tc_pr, _W_V_MERGE, {_W_VAL: "restart"})
        elif cell.merge == "continue":
            SubElement(tc_pr, _W_V_MERGE)  # "continue" is w:val's default
        SubElement(tc_pr, _W_V_ALIGN, {_W_VAL: "center"})
        p = SubElement(tc, _W_P)
        if cell.merge == "continue" or cell.text is None:
            continue
        if cell.p_pr is not None:
            p.append(copy.deepcopy(cell.p_pr))
        _append_run(SubElement(p, _W_R), cell.text)


def _append_run(r: Any, text: str) -> None:
    """text into run r as python-docx's Run.text writes it: a tab as w:tab,
    each \\r or \\n as w:br, the rest in w:t (space preserved when it starts
    or ends with white space)."""
    start = 0
    for index, char in enumerate([*text, "\n"]):
        if char not in "\t\r\n":
            continue
        if index > start:
            part = text[start:index]
            t = SubElement(r, _W_T)
            t.text = part
            if len(part.strip()) < len(part):
                t.set(_XML_SPACE, "preserve")
        if index < len(text):
            SubElement(r, _W_TAB if char == "\t" else _W_BR)
        start = index + 1


_W_TR, _W_TR_PR, _W_CANT_SPLIT, _W_TBL_HEADER = (
    qn(tag) for tag in ("w:tr", "w:trPr", "w:cantSplit", "w:tblHeader")
)
_W_TC, _W_TC_PR, _W_TC_W, _W_GRID_SPAN, _W_V_MERGE, _W_V_ALIGN = (
    qn(tag) for tag in ("w:tc", "w:tcPr", "w:tcW", "w:gridSpan", "w:vMerge", "w:vAlign")
)
_W_P, _W_R, _W_T, _W_TAB, _W_BR = (qn(tag) for tag in ("w:p", "w:r", "w:t", "w:tab", "w:br"))
_W_TYPE, _W_W, _W_VAL, _XML_SPACE = (qn(a) for a in ("w:type", "w:w", "w:val", "xml:space"))


# --- sections, settings, styles --------------------------------------------------


def set_doc_grid(sect_pr: Any, line_pitch: int) -> None:
    """A line grid only (w:type="lines"): the character pitch comes from the
    styles' character spacing, which every reader applies alike."""
    grid = child(sect_pr, "w:docGrid", SECT_PR_ORDER)
    grid.attrib.clear()
    set_attrs(grid, type="lines", linePitch=line_pitch)


def set_mirror_margins(settings: Any) -> None:
    set_on(settings, "w:mirrorMargins", SETTINGS_ORDER)


def set_style_link(style: Any, linked_style_id: str) -> None:
    """Pair a paragraph style with its character style, as Word's linked styles."""
    set_attrs(child(style, "w:link", STYLE_ORDER), val=linked_style_id)


# --- packaging -------------------------------------------------------------------


def repack_zip(data: bytes) -> bytes:
    """The same package with fixed entry dates and attributes, so that equal
    content gives equal bytes. [Content_Types].xml stays first, as OPC readers
    expect; the other entries are sorted by name."""
    with ZipFile(BytesIO(data)) as source:
        names = sorted(source.namelist(), key=lambda name: (name != CONTENT_TYPES, name))
        entries = [(name, source.read(name)) for name in names]
    buffer = BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED) as target:
        for name, content in entries:
            info = ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, content)
    return buffer.getvalue()


def save_docx(document: WordDocument, out: Path) -> None:
    """Save document to out byte-for-byte reproducibly, replacing out atomically."""
    buffer = BytesIO()
    document.save(buffer)
    data = repack_zip(buffer.getvalue())
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, out)


SVG_CONTENT_TYPE = "image/svg+xml"
# Office 2016's SVG picture: an extension of the blip naming the SVG part,
# the blip itself naming a raster that older readers (Word 2013, WPS) show.
SVG_BLIP_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
SVG_BLIP_EXT_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"


def _blip(r_id: str, svg_r_id: str | None) -> str:
    if svg_r_id is None:
        return f'<a:blip r:embed="{r_id}"/>'
    return (
        f'<a:blip r:embed="{r_id}"><a:extLst><a:ext uri="{SVG_BLIP_EXT_URI}">'
        f'<asvg:svgBlip xmlns:asvg="{SVG_BLIP_NS}" r:embed="{svg_r_id}"/>'
        "</a:ext></a:extLst></a:blip>"
    )


def floating_picture(
    r_id: str,
    doc_pr_id: int,
    size_emu: tuple[int, int],
    offset_emu: tuple[int, int],
    name: str,
    svg_r_id: str | None = None,
) -> Any:
    """A wp:anchor drawing: the picture r_id in front of the text (behindDoc 0,
    no wrapping), size_emu (cx, cy), its top-left offset_emu (x, y) from the
    left of the column and the top of the paragraph holding it; with svg_r_id,
    the SVG that Word 2016+ and LibreOffice draw instead of r_id's raster."""
    cx, cy = size_emu
    x, y = offset_emu
    return parse_xml(
        f'<wp:anchor {nsdecls("wp", "a", "pic", "r")} distT="0" distB="0" distL="0" distR="0"'
        ' simplePos="0" relativeHeight="251659264" behindDoc="0" locked="1" layoutInCell="1"'
        ' allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="column"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:wrapNone/><wp:docPr id="{doc_pr_id}" name="{name}"/>'
        "<wp:cNvGraphicFramePr>"
        '<a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f"<pic:blipFill>{_blip(r_id, svg_r_id)}<a:stretch><a:fillRect/></a:stretch>"
        "</pic:blipFill>"
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        "</a:graphicData></a:graphic></wp:anchor>"
    )
