"""The document model as HTML, for WeasyPrint. Every text is escaped here.

The markup is polyglot: HTML that is also well-formed XML (void elements
closed, the stylesheet in a CDATA section that CSS reads as comments), so
that pdf.py can parse it as XML, fifty times as fast as WeasyPrint's HTML5
parser, and gets the same element tree."""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Callable
from dataclasses import replace
from html import escape
from typing import Any

from generator import model
from generator.style import layout
from generator.style.profile import MM_TO_PT, StyleProfile
from generator.writers import PartHtml
from generator.writers.css import IMPRINT_ID, SEAL_ID, chars, stylesheet, text_id
from generator.writers.seal_picture import seal_picture


def _cdata(css: str) -> str:
    """css as raw text for HTML and as a CDATA section for XML."""
    return "/*<![CDATA[*/" + css.replace("]]>", "]]]]><![CDATA[>") + "/*]]>*/"


def _p(cls: str, text: str, style: str = "") -> str:
    attr = f' style="{style}"' if style else ""
    return f'<p class="{cls}"{attr}>{escape(text)}</p>'


def _title(block: model.Title, cls: str = "title") -> str:
    lines = "<br/>".join(escape(line) for line in block.lines)
    return f'<p class="{cls}">{lines}</p>'


def _letterhead(block: model.Letterhead, style: StyleProfile) -> str:
    size = layout.mark_size_pt(block.mark, style)
    out = _p("mark", block.mark, f"font-size: {size:.2f}pt")
    if block.number:
        out += _p("number", block.number)
    return out + '<div class="red-line"></div>'


def _heading(block: model.Heading, style: StyleProfile) -> str:
    """A heading line; a level-1 heading stands on its own line even with body
    text (as in the DOCX), lower ones run in: the heading's face for the
    number and the heading words (up to their 。), the body face after."""
    if not block.text and block.body is not None:
        # Only numbered (a bare ## in the markup): ordinary text, in the body
        # face throughout; a heading's face goes with heading words only.
        return _p("body", block.number + block.body)
    head = f'<span class="h{block.level}">{escape(block.number + block.text)}</span>'
    if block.body is None or block.level == 1:
        out = f'<p class="heading h{block.level}">{head}</p>'
        return out if block.body is None else out + _p("body", block.body)
    return f'<p class="heading run-in body">{head}{escape(block.body)}</p>'


def _attachments(block: model.AttachmentList, style: StyleProfile) -> str:
    """`附件：1.名称`, two characters in, the number tight against the name as
    in the DOCX; later items line up under the first, and a wrapped name under
    its own first character (layout.item_number_width). The form 附件1：名称
    has no common label: each item hangs from its own."""
    label = block.label
    rows = []
    for index, item in enumerate(block.items):
        hang = layout.item_number_width(item)
        indent = layout.text_width(label)
        lead = escape(label) if index == 0 else ""
        first = -(indent + hang) if index == 0 else -hang
        rows.append(
            f'<p style="padding-left: {chars(style, 2 + indent + hang)}; '
            f'text-indent: {chars(style, first)}">{lead}{escape(item)}</p>'
        )
    return f'<div class="attachments">{"".join(rows)}</div>'


def _signature(block: model.Signature, style: StyleProfile) -> str:
    issuer_indent, date_indent = layout.signature_indents(block.issuer, block.date)
    seal = block.seal
    return (
        (f'<div class="signature sealed" id="{SEAL_ID}">' if seal else '<div class="signature">')
        + _p("issuer", block.issuer, f"padding-right: {chars(style, issuer_indent)}")
        + _p("date", block.date, f"padding-right: {chars(style, date_indent)}")
        + (_seal_image(seal, block.date, style) if seal and seal.image else "")
        + "</div>"
    )


def _seal_image(seal: model.Seal, date: str, style: StyleProfile) -> str:
    """The seal's picture, centred over the date (and so over the issuer, which
    is centred over the date), its top where layout.seal_top_pt puts it (css.py). It
    is inlined as a data: URI: nothing is fetched while WeasyPrint lays out.
    An SVG seal is drawn as its raster (seal_picture.py says why)."""
    assert seal.image is not None
    size = seal.diameter_mm * MM_TO_PT
    right = layout.seal_centre_inset(date) * style.page.char_pitch_pt - size / 2
    data = base64.b64encode(seal_picture(seal).png).decode("ascii")
    return (
        f'<img class="seal" alt="" src="data:image/png;base64,{data}" style="width: '
        f'{size:.3f}pt; height: {size:.3f}pt; right: {right:.3f}pt"/>'
    )


def _cell(tag: str, cell: model.Cell) -> str:
    span = ""
    if cell.colspan > 1:
        span += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        span += f' rowspan="{cell.rowspan}"'
    return f'<{tag} class="{cell.align.value}"{span}>{escape(cell.text)}</{tag}>'


# Body rows per <tbody>. WeasyPrint's table layout does work in proportion to
# the rows of a row group on every page the group reaches (weasyprint/layout/
# table.py, group_layout), which makes one long group quadratic; groups of this
# many rows keep it linear, and the pages come out the same (no border, margin
# or break rule of ours applies to row groups).
ROWS_PER_GROUP = 50


def _row_groups(rows: tuple[tuple[model.Cell, ...], ...]) -> list[list[tuple[model.Cell, ...]]]:
    """rows in groups of ROWS_PER_GROUP or a little more: a group never ends
    inside a cell spanning rows (rowspan), which cannot leave its group."""
    groups: list[list[tuple[model.Cell, ...]]] = [[]]
    spanned_until = 0  # the first row no rowspan above reaches
    for index, row in enumerate(rows):
        if len(groups[-1]) >= ROWS_PER_GROUP and index >= spanned_until:
            groups.append([])
        groups[-1].append(row)
        spanned_until = max([spanned_until, *(index + cell.rowspan for cell in row)])
    return groups


def _table(block: model.Table, style: StyleProfile) -> str:
    total = sum(block.widths)
    cols = "".join(f'<col style="width: {100 * w / total:.3f}%"/>' for w in block.widths)
    head = "".join("<tr>" + "".join(_cell("th", c) for c in row) + "</tr>" for row in block.header)
    body = "</tbody><tbody>".join(
        "".join("<tr>" + "".join(_cell("td", c) for c in row) + "</tr>" for row in group)
        for group in _row_groups(block.body)
    )
    out = _p("unit", block.unit) if block.unit else ""
    ruling = "" if block.ruled else ' class="unruled"'
    out += (
        f"<table{ruling}><colgroup>{cols}</colgroup>"
        f"<thead>{head}</thead><tbody>{body}</tbody></table>"
    )
    out += "".join(_p("footnote", note) for note in block.footnotes)
    return out


def _imprint(block: model.Imprint, own_page: bool) -> str:
    """The 版记, a footnote of the page it falls on, so it sits at the foot of
    the text block; own_page puts it on an even page of its own."""
    rows = []
    if block.copy_to:
        rows.append(f"<p>抄送：{escape(block.copy_to)}</p>")
    rows.append(
        f'<p class="issued"><span>{escape(block.printer)}</span>'
        f"<span>{escape(block.date)}</span></p>"
    )
    sheet = "imprint-sheet own-page" if own_page else "imprint-sheet"
    return (
        f'<div class="{sheet}"><div class="imprint" id="{IMPRINT_ID}">{"".join(rows)}</div></div>'
    )


_RENDER: dict[type, Callable[[Any, StyleProfile], str]] = {
    model.Letterhead: _letterhead,
    model.Title: lambda b, s: _title(b),
    model.Addressee: lambda b, s: _p("addressee", b.text),
    model.Heading: _heading,
    model.Paragraph: lambda b, s: _p("body", b.text),
    model.AttachmentList: _attachments,
    model.Signature: _signature,
    model.Note: lambda b, s: _p("note", b.text),
    model.AttachmentHeading: lambda b, s: _p("attachment-label", b.label) + _title(b.title),
    model.Table: _table,
}


def _part(index: int, part: model.Part, style: StyleProfile, imprint_own_page: bool) -> str:
    blocks: list[str] = []
    # The plan's title (after the letterhead when a plan is published alone).
    titles = [i for i, b in enumerate(part.blocks) if isinstance(b, model.Title)]
    plan_title = titles[0] if titles and part.kind is model.PartKind.PLAN else None
    sealed = any(isinstance(b, model.Signature) and b.seal for b in part.blocks)
    for number, block in enumerate(part.blocks):
        if number == plan_title and isinstance(block, model.Title):
            blocks.append(_title(block, "title plan-title"))
        elif isinstance(block, model.Imprint):
            blocks.append(_imprint(block, imprint_own_page))
        elif isinstance(block, (model.AttachmentList, model.Signature)) and blocks:
            # Never alone at the top of a page: kept with the end of the block
            # before it (css.py).
            closing = blocks.pop() + _RENDER[type(block)](block, style)
            blocks.append(f'<div class="closing">{closing}</div>')
        elif sealed and isinstance(block, (model.Paragraph, model.Heading)):
            blocks.append(_text_ids(_RENDER[type(block)](block, style), index, number))
        else:
            blocks.append(_RENDER[type(block)](block, style))
    cls = f"part {part.kind.value}" + ("" if part.new_page else " continued")
    return f'<section class="{cls}">{"".join(blocks)}</section>'


def _text_ids(content: str, part: int, block: int) -> str:
    """The text paragraphs of a block in a part with a sealed signature, given
    ids (css.text_id) so that the PDF writer can tighten those on the page
    where the seal and date would not fit, and tell the DOCX writer which
    (pdf.py, model.SealFit)."""
    counter = itertools.count()
    return re.sub(
        r'<p class="(body|heading[^"]*)"',
        lambda m: f'<p id="{text_id((part, block, next(counter)))}" class="{m.group(1)}"',
        content,
    )


def to_html(
    document: model.Document, style: StyleProfile, css: str, imprint_own_page: bool = False
) -> str:
    """The document as HTML; imprint_own_page starts the 版记 on an even page."""
    info = document.info
    head = (
        f'<meta charset="utf-8"/><title>{escape(info.title)}</title>'
        f'<meta name="author" content="{escape(info.author)}"/>'
        f'<meta name="dcterms.created" content="{info.date}"/>'
        f'<meta name="dcterms.modified" content="{info.date}"/>'
        f"<style>{_cdata(css)}</style>"
    )
    body = "".join(
        _part(index, part, style, imprint_own_page) for index, part in enumerate(document.parts)
    )
    return (
        f'<!DOCTYPE html><html lang="{info.language}"><head>{head}</head><body>{body}</body></html>'
    )


def _page_runs(document: model.Document) -> list[tuple[model.Part, ...]]:
    """The document's parts in runs that each start on a new page: a part
    without new_page goes on the run before it."""
    runs: list[list[model.Part]] = []
    for part in document.parts:
        if part.new_page or not runs:
            runs.append([part])
        else:
            runs[-1].append(part)
    return [tuple(run) for run in runs]


def pdf_html(document: model.Document, style: StyleProfile) -> tuple[PartHtml, ...]:
    """What the PDF writer lays out, part by part: every run of parts that
    starts on a new page as an HTML document of its own (the same head, the
    same stylesheet), so that a part can be laid out alone and its pages kept
    while another changes (pdf.py). A run that holds the 版记 comes with its
    HTML with the 版记 on an even page of its own, used when the first puts
    it on an odd page. Strings, so that they go to the side process (side.py)
    as they are."""
    css = stylesheet(style)
    parts = []
    for run in _page_runs(document):
        alone = replace(document, parts=run)
        html = to_html(alone, style, css)
        if any(isinstance(block, model.Imprint) for part in run for block in part.blocks):
            parts.append(PartHtml(html, to_html(alone, style, css, imprint_own_page=True)))
        else:
            parts.append(PartHtml(html))
    return tuple(parts)
