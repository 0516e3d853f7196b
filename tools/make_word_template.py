"""Build templates/docx/gongwen.docx, the Word template of the DOCX writer.

    .venv/bin/python tools/make_word_template.py [--style templates/style.yaml] [--out ...]

The template carries what an office may restyle in Word or WPS: the GB/T 9704
page (A4, mirrored margins, a grid of 22 lines; 28 characters a line from
the body style's character spacing), the odd and even page
number footers, one named style per role of the style profile, and the
letterhead as docxtpl tags. The writer renders the tags and appends the rest.
The output is byte-identical from run to run, so it can be committed.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Twips

from generator.model import Align
from generator.style.profile import Role, StyleProfile, load_style
from generator.writers import ooxml
from generator.writers.docx import (
    TABLE_LINE_EM,
    aligned_style_name,
    char_style_name,
    line_pitch_twips,
    style_name,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STYLE = ROOT / "templates" / "style.yaml"
DEFAULT_OUT = ROOT / "templates" / "docx" / "gongwen.docx"

# Parts of python-docx's default template a 公文 template has no use for.
UNUSED_RELATIONSHIPS = ("stylesWithEffects", "customXml", "numbering", "thumbnail")
# Styles kept from the default template: Word expects the defaults to exist.
KEPT_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"}
HEADING_ROLES: tuple[Role, ...] = ("heading1", "heading2", "heading3", "heading4")
RED_RULE_PT = 1.0  # the letterhead's red separator
RED_RULE_GAP_MM = 4.0  # between the 发文字号 and the red separator
FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)  # the template's own core properties


@dataclass(frozen=True)
class Layout:
    """Paragraph settings of a role's style (fonts come from the profile)."""

    align: str = "both"  # w:jc
    first_line_chars: float = 0
    on_grid: bool = True  # exact line pitch; False: single spacing, off the grid
    exact_twips: int | None = None  # exact spacing other than the line pitch
    before_twips: int = 0
    keep_next: bool = False
    outline_level: int | None = None


def layouts(style: StyleProfile) -> dict[Role, Layout]:
    page = style.page
    line = line_pitch_twips(style)
    return {
        "body": Layout(first_line_chars=2),
        # The mark's top edge sits mark_gap_mm below the top of the text block.
        "mark": Layout(
            align="center", on_grid=False, before_twips=ooxml.twips_from_mm(page.mark_gap_mm)
        ),
        # Two blank lines below the mark.
        "number": Layout(align="center", before_twips=2 * line),
        "title": Layout(align="center"),
        **{
            role: Layout(first_line_chars=2, keep_next=True, outline_level=level)
            for level, role in enumerate(HEADING_ROLES)
        },
        "attachment_label": Layout(align="left", keep_next=True),
        # Ruled tables' cells: 1.5 lines of their own size, as in the PDF.
        "table": Layout(on_grid=False, exact_twips=_table_line(style, "table")),
        "table_header": Layout(
            align="center", on_grid=False, exact_twips=_table_line(style, "table_header")
        ),
        "roster": Layout(align="left"),  # a name list: body size, on the grid
        "imprint": Layout(),
        "page_number": Layout(
            align="right",
            on_grid=False,
            exact_twips=ooxml.twips_from_pt(style.roles["page_number"].size_pt),
        ),
    }


TABLE_ROLES: tuple[Role, ...] = ("table", "table_header", "roster")
ALIGN_NAMES = {Align.LEFT: "居左", Align.CENTER: "居中", Align.RIGHT: "居右"}
JC = {Align.LEFT: "left", Align.CENTER: "center", Align.RIGHT: "right"}


def _table_line(style: StyleProfile, role: Role) -> int:
    return round(TABLE_LINE_EM * ooxml.twips_from_pt(style.roles[role].size_pt))


def display_name(style: StyleProfile, role: Role) -> str:
    """The name Word and WPS show: the profile's (公文正文, ...), else the id."""
    return style.roles[role].name or style_name(role)


def build_template(style: StyleProfile) -> WordDocument:
    document = docx.Document()
    _prune_package(document)
    _set_defaults(document, style)
    for role in style.roles:
        _add_role_style(document, style, role)
        if role in TABLE_ROLES:
            _add_aligned_styles(document, style, role)
    _set_page(document, style)
    _add_footers(document, style)
    _add_letterhead(document, style)
    _set_core_properties(document)
    return document


def _prune_package(document: WordDocument) -> None:
    """Drop unused parts (they are not saved once unreferenced) and styles."""
    for rels in (document.part.rels, document.part.package.rels):
        for r_id, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in UNUSED_RELATIONSHIPS:
                del rels[r_id]
    styles = document.styles.element
    for element in styles.findall(qn("w:style")):
        if element.get(qn("w:styleId")) not in KEPT_STYLES:
            styles.remove(element)


def _set_defaults(document: WordDocument, style: StyleProfile) -> None:
    """Document defaults in the body face and size; Normal states the body
    size itself too, because LibreOffice reads it from Normal, not the
    defaults."""
    body = style.roles["body"]
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    ooxml.set_fonts(r_pr, style.face("body").docx)
    for size in ("w:sz", "w:szCs"):
        ooxml.set_attrs(
            ooxml.child(r_pr, size, ooxml.R_PR_ORDER), val=ooxml.half_points(body.size_pt)
        )
    ooxml.set_attrs(
        ooxml.child(r_pr, "w:lang", ooxml.R_PR_ORDER), val="en-US", eastAsia="zh-CN", bidi="ar-SA"
    )
    normal: Any = document.styles["Normal"]
    normal_r_pr = normal.element.get_or_add_rPr()
    for size in ("w:sz", "w:szCs"):
        ooxml.set_attrs(
            ooxml.child(normal_r_pr, size, ooxml.R_PR_ORDER), val=ooxml.half_points(body.size_pt)
        )
    p_pr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    ooxml.set_attrs(ooxml.child(p_pr, "w:spacing", ooxml.P_PR_ORDER), after=0, line=240)
    settings = document.settings.element
    ooxml.set_attrs(settings.find(qn("w:themeFontLang")), val="en-US", eastAsia="zh-CN")


def _add_role_style(document: WordDocument, style: StyleProfile, role: Role) -> None:
    layout = layouts(style)[role]
    role_style = style.roles[role]
    face, color = style.face(role).docx, style.color(role)
    paragraph_style: Any = document.styles.add_style(style_name(role), WD_STYLE_TYPE.PARAGRAPH)
    paragraph_style.base_style = document.styles["Normal"]
    paragraph_style.quick_style = True
    element = paragraph_style.element
    _rename(element, display_name(style, role))
    ooxml.set_run_style(element.get_or_add_rPr(), face, role_style.size_pt, color)

    p_pr = element.get_or_add_pPr()
    if layout.keep_next:
        ooxml.set_on(p_pr, "w:keepNext", ooxml.P_PR_ORDER)
    # The section has a line grid only; the styles set the pitch: an exact
    # line spacing and, at the body size, a character spacing, which Word, WPS
    # and LibreOffice all apply alike (a character grid they round into cells
    # differently: LibreOffice sets a 16 pt character in two 15.79 pt cells).
    # A paragraph a clerk types after ours takes its style, and so its pitch.
    # Text at the body size snaps to the line grid: Word and WPS keep the exact
    # spacing (the grid's pitch), LibreOffice centres the glyphs in the grid's
    # line as the PDF does (in an exact line of its own it sets them about
    # 3 pt lower, and the text block starts 38 mm from the top, not 37).
    tracking = tracking_twentieths(style) if _on_character_grid(style, role, layout) else None
    ooxml.set_on(p_pr, "w:snapToGrid", ooxml.P_PR_ORDER, on=tracking is not None)
    # A single line of a paragraph may end or start a page, as in the PDF (CSS
    # orphans and widows 1): pages fill to 22 lines. The writer turns it on
    # where the PDF keeps two lines together.
    ooxml.set_on(p_pr, "w:widowControl", ooxml.P_PR_ORDER, on=False)
    # No space of its own between Chinese and Latin letters or digits (Word's
    # and LibreOffice's default autospacing): "2024年" keeps the pitch the PDF has.
    # No punctuation hanging past the right edge (Word's default): as in the
    # PDF, a line gives up a character instead (避头尾). (LibreOffice 7.4 reads
    # this element inverted and hangs punctuation either way.)
    ooxml.set_on(p_pr, "w:overflowPunct", ooxml.P_PR_ORDER, on=False)
    ooxml.set_on(p_pr, "w:autoSpaceDE", ooxml.P_PR_ORDER, on=False)
    ooxml.set_on(p_pr, "w:autoSpaceDN", ooxml.P_PR_ORDER, on=False)
    if tracking is not None:
        ooxml.set_character_spacing(element.get_or_add_rPr(), tracking)
    exact = layout.exact_twips or (line_pitch_twips(style) if layout.on_grid else None)
    ooxml.set_line_spacing(p_pr, exact_twips=exact)
    ooxml.set_space_before(p_pr, layout.before_twips)
    char = ooxml.twips_from_pt(role_style.size_pt)
    ooxml.set_indent(p_pr, char, first_line=layout.first_line_chars)
    ooxml.set_attrs(ooxml.child(p_pr, "w:jc", ooxml.P_PR_ORDER), val=layout.align)
    if layout.outline_level is not None:
        ooxml.set_attrs(
            ooxml.child(p_pr, "w:outlineLvl", ooxml.P_PR_ORDER), val=layout.outline_level
        )

    if role in HEADING_ROLES:  # run-in headings set their runs in this one
        run_style: Any = document.styles.add_style(char_style_name(role), WD_STYLE_TYPE.CHARACTER)
        _rename(run_style.element, f"{display_name(style, role)} 字符")
        ooxml.set_run_style(run_style.element.get_or_add_rPr(), face, role_style.size_pt, color)
        if tracking is not None:
            ooxml.set_character_spacing(run_style.element.get_or_add_rPr(), tracking)
        ooxml.set_style_link(element, run_style.style_id)
        ooxml.set_style_link(run_style.element, paragraph_style.style_id)


def _add_aligned_styles(document: WordDocument, style: StyleProfile, role: Role) -> None:
    """One style per cell alignment, based on the role's: 表格文字（居右）..."""
    for align, label in ALIGN_NAMES.items():
        aligned: Any = document.styles.add_style(
            aligned_style_name(role, align), WD_STYLE_TYPE.PARAGRAPH
        )
        aligned.element.basedOn_val = style_name(role)
        _rename(aligned.element, f"{display_name(style, role)}（{label}）")
        p_pr = aligned.element.get_or_add_pPr()
        ooxml.set_attrs(ooxml.child(p_pr, "w:jc", ooxml.P_PR_ORDER), val=JC[align])


def _rename(element: Any, name: str) -> None:
    """Set a style's w:name, keeping its id: the writer and gongwen lint find
    styles by id, Word and WPS list them by name."""
    ooxml.set_attrs(ooxml.child(element, "w:name", ooxml.STYLE_ORDER), val=name)


def _on_character_grid(style: StyleProfile, role: Role, layout: Layout) -> bool:
    """Text at the body size on the line grid keeps the 28-a-line pitch."""
    return layout.on_grid and style.roles[role].size_pt == style.roles["body"].size_pt


def tracking_twentieths(style: StyleProfile) -> int:
    """Character spacing (w:spacing, in twentieths of a point) that sets
    chars_per_line body characters to a line: (15.79 - 16) pt = -4.2, rounded
    down to -5 so that the last character always fits; justification spreads
    the rest, as it does in the PDF."""
    return math.floor((style.page.char_pitch_pt - style.roles["body"].size_pt) * 20)


def _set_page(document: WordDocument, style: StyleProfile) -> None:
    page = style.page
    section = document.sections[0]
    width = ooxml.twips_from_mm(page.width_mm)
    left, right = ooxml.twips_from_mm(page.binding_mm), ooxml.twips_from_mm(page.outer_mm)
    section.page_width = Twips(width)
    section.page_height = Twips(ooxml.twips_from_mm(page.height_mm))
    section.top_margin = Twips(ooxml.twips_from_mm(page.top_mm))
    section.bottom_margin = Twips(ooxml.twips_from_mm(page.bottom_mm))
    section.left_margin = Twips(left)  # the inside (binding) margin, mirrored
    section.right_margin = Twips(right)
    section.gutter = Twips(0)
    section.header_distance = Twips(ooxml.twips_from_mm(15))
    # The footer's single line is exactly page-number size high; its top sits
    # page_number_gap_mm below the text block.
    number_line = ooxml.twips_from_pt(style.roles["page_number"].size_pt)
    gap = ooxml.twips_from_mm(page.bottom_mm - page.page_number_gap_mm)
    section.footer_distance = Twips(gap - number_line)
    ooxml.set_doc_grid(section._sectPr, line_pitch_twips(style))

    settings = document.settings
    settings.odd_and_even_pages_header_footer = True
    ooxml.set_mirror_margins(settings.element)
    settings.element.remove_all("w:savePreviewPicture")  # the thumbnail is gone
    for compat in settings.element.iter(qn("w:compatSetting")):
        if compat.get(qn("w:name")) == "compatibilityMode":
            compat.set(qn("w:val"), "15")  # Word 2013+ layout: tables align to the margins


def _add_footers(document: WordDocument, style: StyleProfile) -> None:
    """`— 1 —` at the right of odd pages and the left of even ones, inset one
    character."""
    section = document.sections[0]
    char = ooxml.twips_from_pt(style.roles["page_number"].size_pt)
    for footer, align, inset in (
        (section.footer, "right", "right"),
        (section.even_page_footer, "left", "left"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph._p.style = style_name("page_number")
        p_pr = ooxml.p_pr(paragraph)
        ooxml.set_indent(p_pr, char, **{inset: 1})
        ooxml.set_attrs(ooxml.child(p_pr, "w:jc", ooxml.P_PR_ORDER), val=align)
        paragraph.add_run("\N{EM DASH} ")
        ooxml.add_field(paragraph, " PAGE ", "1")
        paragraph.add_run(" \N{EM DASH}")


def _add_letterhead(document: WordDocument, style: StyleProfile) -> None:
    """The letterhead as docxtpl tags: the {%p ...%} paragraphs vanish when
    rendered, taking their block with them when the condition is false."""
    document.add_paragraph("{%p if letterhead %}")
    document.add_paragraph("{{ letterhead.mark }}")._p.style = style_name("mark")
    document.add_paragraph("{%p if letterhead.number %}")
    document.add_paragraph("{{ letterhead.number }}")._p.style = style_name("number")
    document.add_paragraph("{%p endif %}")
    # The red separator: the bottom border of an empty paragraph 4 mm high.
    rule = document.add_paragraph()
    p_pr = ooxml.p_pr(rule)
    ooxml.set_on(p_pr, "w:snapToGrid", ooxml.P_PR_ORDER, on=False)
    ooxml.set_line_spacing(p_pr, exact_twips=ooxml.twips_from_mm(RED_RULE_GAP_MM))
    ooxml.set_space_before(p_pr, 0)
    ooxml.set_border(p_pr, "bottom", ooxml.eighth_points(RED_RULE_PT), style.red)
    document.add_paragraph("{%p endif %}")


def _set_core_properties(document: WordDocument) -> None:
    properties = document.core_properties
    """Fixed, so the file is the same every run; the writer replaces them."""
    properties.title = ""
    properties.subject = ""
    properties.author = "gongwen"
    properties.last_modified_by = "gongwen"
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    properties.language = "zh-CN"
    properties.revision = 1
    properties.created = FIXED_DATE
    properties.modified = FIXED_DATE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--style", type=Path, default=DEFAULT_STYLE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    ooxml.save_docx(build_template(load_style(args.style)), args.out)
    print(f"{args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
