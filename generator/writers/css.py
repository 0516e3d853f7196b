"""The PDF's CSS, derived from the style profile (the DOCX reads the same profile)."""

from __future__ import annotations

from generator.style import Role, StyleProfile


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


def stylesheet(style: StyleProfile) -> str:
    page = style.page
    pitch = page.line_pitch_pt
    # The body size is a little wider than the grid's character pitch; a small
    # negative letter-spacing fits exactly chars_per_line characters to a line.
    body_size = style.roles["body"].size_pt
    tracking = page.char_pitch_pt - body_size
    number_gap = page.page_number_gap_mm
    return f"""
@page {{
  size: {page.width_mm}mm {page.height_mm}mm;
  margin: {page.top_mm}mm {page.outer_mm}mm {page.bottom_mm}mm {page.binding_mm}mm;
}}
@page :left {{
  margin-left: {page.outer_mm}mm; margin-right: {page.binding_mm}mm;
  @bottom-left {{ content: "— " counter(page) " —"; {_font(style, "page_number")}
    vertical-align: top; padding-top: {number_gap}mm; padding-left: 1em; text-align: left;
    white-space: nowrap; width: 6em; letter-spacing: 0; }}
}}
@page :right {{
  @bottom-right {{ content: "— " counter(page) " —"; {_font(style, "page_number")}
    vertical-align: top; padding-top: {number_gap}mm; padding-right: 1em; text-align: right;
    white-space: nowrap; width: 6em; letter-spacing: 0; }}
}}
html {{ {_font(style, "body")} line-height: {pitch:.3f}pt; letter-spacing: {tracking:.3f}pt; }}
body {{ margin: 0; }}
p {{ margin: 0; text-align: justify; orphans: 1; widows: 1; }}
.part + .part {{ break-before: page; }}
.part.continued {{ break-before: auto; }}
.body, .heading, .note, .attachments {{ text-indent: 2em; }}
.mark {{ {_font(style, "mark")} text-align: center; letter-spacing: 0;
  margin-top: {page.mark_gap_mm}mm; line-height: 1.2; }}
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
.heading.run-in {{ break-after: auto; }}
.attachments {{ margin-top: {pitch:.3f}pt; }}
.attachments p {{ text-indent: 0; text-align: left; }}
.attachments .num {{ display: inline-block; width: 1em; letter-spacing: 0; text-indent: 0; }}
.signature {{ margin-top: {2 * pitch:.3f}pt; break-inside: avoid; break-before: avoid; }}
.signature p {{ text-align: right; }}
.note {{ text-align: left; }}
.attachment-label {{ {_font(style, "attachment_label")} }}
.attachment-label + .title {{ margin-top: {pitch:.3f}pt; }}
.attachment-label ~ .title {{ margin-bottom: {pitch:.3f}pt; }}
table {{ width: 100%; border-collapse: collapse; letter-spacing: 0; {_font(style, "table")}
  line-height: 1.5; }}
thead {{ display: table-header-group; }}
th {{ {_font(style, "table_header")} }}
th, td {{ border: 0.5pt solid #000; padding: 1pt 3pt; vertical-align: middle; }}
table.unruled {{ {_font(style, "roster")} line-height: {pitch:.3f}pt; }}
table.unruled td {{ border: none; padding: 0; }}
tr {{ break-inside: avoid; }}
.left {{ text-align: left; }}
.center {{ text-align: center; }}
.right {{ text-align: right; }}
.unit {{ {_font(style, "table")} text-align: right; }}
.footnote {{ {_font(style, "table")} text-indent: 2em; }}
.imprint {{ margin-top: {2 * pitch:.3f}pt; {_font(style, "imprint")} letter-spacing: 0;
  border-top: 1pt solid #000; border-bottom: 1pt solid #000; break-inside: avoid; }}
.imprint p {{ padding: 0 1em; text-align: left; }}
.imprint p + p {{ border-top: 0.7pt solid #000; }}
.imprint .date {{ float: right; }}
"""
