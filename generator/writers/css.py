"""The PDF's CSS, derived from the style profile (the DOCX reads the same profile).

The body is set on the GB/T 9704 grid: the line pitch is the DOCX's
(Page.line_pitch_pt, 28.95 pt), so a page holds lines_per_page lines, and a
small negative letter-spacing fits chars_per_line characters to a line; every
indent counted in characters counts in the grid's character pitch. Justified
lines end flush between characters (generator/writers/weasyprint_internals/cjk_justify.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not at run time: pdf.py takes IMPRINT_ID without pydantic
    from generator.style.profile import Role, StyleProfile

# A sealed signature's id, and the ids of the text paragraphs of its part
# (TEXT_ID + part-block-paragraph, text_id): the PDF writer finds by their
# anchors whether the seal and date fit below the text, and which paragraphs
# share the page before (named as model.SealFit names them).
SEAL_ID = "gw-seal"
TEXT_ID = "gw-text-"
# GB/T 9704 7.3.5.4: when they do not fit, the document is laid out again with
# one of these classes on <html>, each tighter than the one before: one blank
# line above the issuer instead of two, then the text paragraphs that end the
# page before (class TIGHTEN) set closer.
# The steps' line heights are layout.FIT_LINE_HEIGHTS (the DOCX sets them too).
FIT_CLASSES = ("seal-fit-1", "seal-fit-2", "seal-fit-3")
TIGHTEN = "tighten"
IMPRINT_THICK_MM = 0.35  # first and last rules of the 版记
IMPRINT_THIN_MM = 0.25  # the rules between
IMPRINT_ID = "gongwen-imprint"  # the 版记's anchor: pdf.py finds its page by it


def text_id(key: tuple[int, int, int]) -> str:
    """The id of the text paragraph key = (part, block, paragraph)."""
    return TEXT_ID + "-".join(str(n) for n in key)


def text_key(anchor: str) -> tuple[int, int, int]:
    part, block, paragraph = (int(n) for n in anchor.removeprefix(TEXT_ID).split("-"))
    return part, block, paragraph


def _family(style: StyleProfile, role: Role) -> str:
    face = style.face(role)
    return ", ".join(f'"{name}"' for name in face.pdf)


def _font(style: StyleProfile, role: Role) -> str:
    face = style.face(role)
    size = style.roles[role].size_pt
    return (
        f"font-family: {_family(style, role)}; font-size: {size}pt; "
        f"font-weight: {face.pdf_weight}; color: {style.color(role)};"
    )


def chars(style: StyleProfile, count: float) -> str:
    """A length of count body characters on the grid, as CSS."""
    return f"{count * style.page.char_pitch_pt:.3f}pt"


def tracking_pt(style: StyleProfile) -> float:
    """The body's letter-spacing: the grid's character pitch less the body
    size (15.79 − 16 pt), rounded down to 0.01 pt so that Pango's rounding can
    never push the last character of a full line onto the next one. The
    justification takes up the few hundredths left at the end of the line."""
    exact = style.page.char_pitch_pt - style.roles["body"].size_pt
    return math.floor(exact * 100) / 100


def _page_number(style: StyleProfile, side: str) -> str:
    """页码: 四号 digits between em dashes, the line exactly its size high with
    its top page_number_gap_mm below the text block, inset one character (of
    its own size) from the outer edge of the text block."""
    size = style.roles["page_number"].size_pt
    return (
        f'@bottom-{side} {{ content: "— " counter(page) " —"; {_font(style, "page_number")}'
        f" line-height: {size}pt; vertical-align: top;"
        f" padding-top: {style.page.page_number_gap_mm}mm; padding-{side}: {size}pt;"
        f" text-align: {side}; white-space: nowrap; width: 6em; letter-spacing: 0; }}"
    )


def _seal_fit(pitch: float) -> str:
    """The rules of FIT_CLASSES: the issuer one line below the text, the seal
    (still half a line below the text, layout.SEAL_GAP_LINES) with it, and
    the paragraphs marked TIGHTEN at a smaller line height."""
    from generator.style import layout  # not at import: it needs pydantic (see above)

    gap = layout.FIT_SIGNATURE_GAP_LINES
    rules = []
    for fit, ratio in zip(FIT_CLASSES, layout.FIT_LINE_HEIGHTS, strict=True):
        rules.append(
            f".{fit} .signature.sealed {{ margin-top: {gap * pitch:.3f}pt; }} "
            f".{fit} .seal {{ top: {layout.seal_top_pt(pitch, gap_lines=gap):.3f}pt; }} "
            f".{fit} .{TIGHTEN} {{ line-height: {ratio * pitch:.3f}pt; }}"
        )
    return "\n".join(rules)


def stylesheet(style: StyleProfile) -> str:
    from generator.style import layout  # not at import: it needs pydantic (see above)

    page = style.page
    pitch = page.line_pitch_pt
    thick = f"{IMPRINT_THICK_MM}mm solid #000"
    thin = f"{IMPRINT_THIN_MM}mm solid #000"
    imprint_inset = f"{style.roles['imprint'].size_pt}pt"
    return f"""
@page {{
  size: {page.width_mm}mm {page.height_mm}mm;
  margin: {page.top_mm}mm {page.outer_mm}mm {page.bottom_mm}mm {page.binding_mm}mm;
  @footnote {{ margin: 0; padding: 0; border: 0; }}
}}
@page :left {{
  margin-left: {page.outer_mm}mm; margin-right: {page.binding_mm}mm;
  {_page_number(style, "left")}
}}
@page :right {{
  {_page_number(style, "right")}
}}
@page :blank {{ @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
@page imprint {{ @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
html {{ {_font(style, "body")} line-height: {pitch:.3f}pt;
  letter-spacing: {tracking_pt(style):.3f}pt; }}
body {{ margin: 0; }}
p {{ margin: 0; text-align: justify; orphans: 1; widows: 1; }}
.part + .part {{ break-before: page; }}
.part.continued {{ break-before: auto; }}
.body, .heading, .note {{ text-indent: {chars(style, 2)}; }}
.mark {{ {_font(style, "mark")} text-align: center; letter-spacing: 0;
  margin-top: {page.mark_gap_mm}mm; line-height: 1; }}  /* top edge of the glyphs at 35 mm */
.number {{ {_font(style, "number")} text-align: center; margin-top: {2 * pitch:.3f}pt; }}
.red-line {{ border-top: 1pt solid {style.red}; margin-top: 4mm; height: 0; }}
.title {{ {_font(style, "title")} text-align: center; letter-spacing: 0; break-after: avoid; }}
.red-line + .title {{ margin-top: {2 * pitch:.3f}pt; }}
.addressee {{ margin-top: {pitch:.3f}pt; text-indent: 0; }}
.plan-title + p, .plan-title + .heading {{ margin-top: {pitch:.3f}pt; }}
.h1 {{ {_font(style, "heading1")} }}
.h2 {{ {_font(style, "heading2")} }}
.h3 {{ {_font(style, "heading3")} }}
.h4 {{ {_font(style, "heading4")} }}
.heading {{ break-after: avoid; }}
.heading.run-in {{ break-after: auto; orphans: 2; }}
.attachments {{ margin-top: {pitch:.3f}pt; break-before: avoid; }}
.attachments p {{ text-align: left; }}
.closing p {{ widows: 2; }}
.signature {{ margin-top: {2 * pitch:.3f}pt; break-inside: avoid; break-before: avoid; }}
.signature p {{ text-align: right; }}
.signature.sealed {{ position: relative; }}
.seal {{ position: absolute; display: block; top: {layout.seal_top_pt(pitch):.3f}pt;
  image-rendering: crisp-edges; }}  /* PDF/A: no /Interpolate */
{_seal_fit(pitch)}
.note {{ text-align: left; break-before: avoid; }}
.attachment-label {{ {_font(style, "attachment_label")} }}
.attachment-label + .title {{ margin-top: {pitch:.3f}pt; }}
.attachment-label ~ .title {{ margin-bottom: {pitch:.3f}pt; }}
table {{ width: 100%; table-layout: fixed; border-collapse: collapse; letter-spacing: 0; {_font(style, "table")}
  line-height: 1.5; }}
thead {{ display: table-header-group; }}
th {{ {_font(style, "table_header")} }}
th, td {{ border: 0.5pt solid #000; padding: 1pt 3pt; vertical-align: middle; }}
table.unruled {{ {_font(style, "roster")} }}
table.unruled td {{ border: none; padding: 0; }}
tr {{ break-inside: avoid; }}
.left {{ text-align: left; }}
.center {{ text-align: center; }}
.right {{ text-align: right; }}
.unit {{ {_font(style, "table")} text-align: right; }}
.footnote {{ {_font(style, "table")} text-indent: 2em; }}
.imprint {{ float: footnote; footnote-display: block; {_font(style, "imprint")}
  letter-spacing: 0; text-indent: 0; border-top: {thick}; border-bottom: {thick}; }}
.imprint::footnote-call {{ content: none; }}
.imprint::footnote-marker {{ content: none; }}
.imprint p {{ padding: 0 {imprint_inset}; text-align: left; }}
.imprint p + p {{ border-top: {thin}; }}
.imprint .issued {{ display: flex; justify-content: space-between; }}
.imprint-sheet.own-page {{ page: imprint; break-before: left; }}
"""
