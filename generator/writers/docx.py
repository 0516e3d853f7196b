"""The DOCX writer: the document model rendered into the Word template.

The template (templates/docx/gongwen.docx, built by tools/make_word_template.py)
holds the page setup, the footers, one paragraph style per role and the
letterhead as docxtpl tags. write_docx renders the letterhead, then appends
every other block with the role styles; it sets fonts only through styles.
Raw OOXML stays in generator/writers/ooxml.py.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Twips
from docx.table import Table as WordTable
from docx.table import _Cell as WordCell
from docx.text.paragraph import Paragraph as WordParagraph
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from generator.model import (
    Addressee,
    Align,
    AttachmentHeading,
    AttachmentList,
    Block,
    Cell,
    Document,
    DocumentInfo,
    Heading,
    Imprint,
    Letterhead,
    Note,
    Paragraph,
    Seal,
    SealFit,
    Signature,
    Table,
    Title,
)
from generator.style import layout
from generator.style.profile import MM_TO_PT, Role, StyleProfile
from generator.writers import ooxml
from generator.writers.seal_picture import seal_picture

HEADING_ROLES: dict[int, Role] = {1: "heading1", 2: "heading2", 3: "heading3", 4: "heading4"}
ALIGNMENTS = {
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
    Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
}
COPY_TO_PREFIX = "抄送："
TABLE_BORDER_PT = 0.5
# Ruled tables as the PDF sets them (writers/css.py: line-height 1.5, cell
# padding 1pt 3pt), so that both files give a table the same height; the line
# height is the table styles' (tools/make_word_template.py).
TABLE_LINE_EM = 1.5
TABLE_PADDING_PT = (1.0, 3.0)  # top and bottom, left and right
IMPRINT_THICK_MM = 0.35  # first and last rules of the 版记
IMPRINT_THIN_MM = 0.25  # the rules between


def style_name(role: Role) -> str:
    """The id of a role's paragraph style: 'gw-' and the role, e.g. gw-body,
    gw-table-header. Word and WPS show its name instead (公文正文, ...: the
    profile's)."""
    return "gw-" + role.replace("_", "-")


def char_style_name(role: Role) -> str:
    """The id of the character style linked to a role's paragraph style, e.g.
    gw-heading2-char."""
    return style_name(role) + "-char"


def aligned_style_name(role: Role, align: Align) -> str:
    """The id of a table role's style for cells aligned left, centre or right,
    e.g. gw-table-right: cells take their look from styles, not from
    formatting repeated on every cell."""
    return f"{style_name(role)}-{align.value}"


def line_pitch_twips(style: StyleProfile) -> int:
    """The document grid's line pitch (GB/T 9704: 579 twips, 28.95 pt): the
    style profile's, which the PDF uses too."""
    return style.page.line_pitch_twips


# Table rows from which a written DOCX's memory is given back at once (see
# _give_back_memory): a collection costs some 30 ms, worth it for long tables.
GIVE_BACK_FROM_ROWS = 500


def write_docx(
    document: Document,
    style: StyleProfile,
    template: Path,
    out: Path,
    seal_fit: SealFit | None = None,
) -> None:
    """The DOCX; seal_fit: the PDF layout's GB/T 9704 7.3.5.4 fit
    (writers.PdfWritten), set here on the same paragraphs."""
    _write_docx(document, style, template, out, seal_fit)
    rows = sum(len(b.header) + len(b.body) for b in document.blocks() if isinstance(b, Table))
    if rows >= GIVE_BACK_FROM_ROWS:
        _give_back_memory()


def _give_back_memory() -> None:
    """Free the written document now and give the memory it held back to the
    system. python-docx's objects hold one another in cycles, so they wait for
    a full collection, and glibc keeps the heap they leave: some 50 MB for
    2,000 villages, held by the build while its side process lays the PDF
    out (the peak of the two together)."""
    gc.collect()
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim this way
        return
    trim(0)


def _write_docx(
    document: Document, style: StyleProfile, template: Path, out: Path, seal_fit: SealFit | None
) -> None:
    letterhead = _letterhead(document)
    word = _render_template(template, letterhead)
    writer = _BlockWriter(word, style, seal_fit)
    previous: Block | None = letterhead
    for index, part in enumerate(document.parts):
        start = writer.position()
        for number, block in enumerate(part.blocks):
            if block is letterhead:
                continue
            before = writer.position()
            writer.write(block, previous)
            writer.tighten((index, number), before)
            previous = block
        if index > 0 and part.new_page:
            writer.break_page_before(start)
    _set_core_properties(word, document.info)
    ooxml.save_docx(word, out)


def _letterhead(document: Document) -> Letterhead | None:
    """The letterhead: the first block of the first part, and nowhere else."""
    blocks = document.blocks()
    for index, block in enumerate(blocks):
        if isinstance(block, Letterhead) and index > 0:
            raise ValueError("a letterhead can only be the document's first block")
    first = blocks[0] if blocks else None
    return first if isinstance(first, Letterhead) else None


def _render_template(template: Path, letterhead: Letterhead | None) -> WordDocument:
    """Render the template's tags. Autoescaping keeps & < > valid XML; the result
    is reopened because docxtpl leaves its body as plain lxml elements."""
    rendered = DocxTemplate(template)
    rendered.render({"letterhead": letterhead}, jinja_env=SandboxedEnvironment(autoescape=True))
    buffer = BytesIO()
    rendered.save(buffer)
    return docx.Document(BytesIO(buffer.getvalue()))


def _set_core_properties(word: WordDocument, info: DocumentInfo) -> None:
    """Metadata from the data, never the clock: issued at 00:00 UTC of info.date."""
    issued = datetime.combine(date.fromisoformat(info.date), time(), tzinfo=UTC)
    properties = word.core_properties
    properties.title = info.title
    properties.author = info.author
    properties.last_modified_by = info.author
    properties.language = info.language
    properties.created = issued
    properties.modified = issued
    properties.revision = 1


class _BlockWriter:
    """Appends blocks to the body of a rendered template."""

    def __init__(
        self, word: WordDocument, style: StyleProfile, seal_fit: SealFit | None = None
    ) -> None:
        self.word = word
        self.style = style
        self.line = line_pitch_twips(style)
        self.seal_fit = seal_fit
        section = word.sections[-1]
        if (
            section.page_width is None
            or section.left_margin is None
            or section.right_margin is None
        ):
            raise ValueError("the Word template has no page size or margins")
        width = section.page_width - section.left_margin - section.right_margin
        self.text_width = Emu(width).twips
        styles = word.styles.element
        self.style_ids = {
            str(element.get(qn("w:styleId"))) for element in styles.findall(qn("w:style"))
        }

    # --- plumbing ---

    def style_id(self, role: Role) -> str | None:
        """The id of the role's paragraph style, None when the template lacks it."""
        wanted = style_name(role)
        return wanted if wanted in self.style_ids else None

    def position(self) -> int:
        """Where the next block goes: the body's children before its sectPr."""
        return sum(1 for element in self.word.element.body if element.tag != qn("w:sectPr"))

    def break_page_before(self, start: int) -> None:
        """Start the part whose first element is at start on a new page."""
        body = self.word.element.body
        first = body[start] if start < len(body) else None
        if first is None or first.tag == qn("w:sectPr"):
            return
        if first.tag != qn("w:p"):  # a table: put an empty paragraph before it
            first.addprevious(self.paragraph("body")._p)
            first = body[start]
        first.get_or_add_pPr()
        ooxml.set_page_break_before(first.pPr)

    def paragraph(self, role: Role, text: str | None = None) -> WordParagraph:
        paragraph = self.word.add_paragraph()
        paragraph._p.style = self.style_id(role)
        if text:
            paragraph.add_run(text)
        return paragraph

    def chars(self, role: Role) -> int:
        """One character of role in twips."""
        return ooxml.twips_from_pt(self.style.roles[role].size_pt)

    def indent(self, paragraph: WordParagraph, role: Role = "body", **chars: float) -> None:
        ooxml.set_indent(ooxml.p_pr(paragraph), self.chars(role), **chars)

    def keep_with_last_lines(self) -> None:
        """Keep what comes next with the last two lines of the paragraph before
        it, as the PDF does for the 附件说明, the signature and the 附注
        (css.py: break-before avoid, widows 2)."""
        body = self.word.element.body
        last = next((el for el in reversed(body) if el.tag != qn("w:sectPr")), None)
        if last is not None and last.tag == qn("w:p"):
            p_pr = last.get_or_add_pPr()
            ooxml.set_on(p_pr, "w:keepNext", ooxml.P_PR_ORDER)
            ooxml.set_on(p_pr, "w:widowControl", ooxml.P_PR_ORDER)

    def tighten(self, block: tuple[int, int], start: int) -> None:
        """The PDF's 7.3.5.4 fit on the paragraphs the block (part, block
        indices) wrote from body position start: those the fit names set at
        its step's share of the line pitch, exactly (model.SealFit)."""
        fit = self.seal_fit
        if fit is None:
            return
        wanted = {paragraph for *key, paragraph in fit.tightened if tuple(key) == block}
        if not wanted:
            return
        body = self.word.element.body
        written = [el for el in body[start : self.position()] if el.tag == qn("w:p")]
        pitch = round(layout.FIT_LINE_HEIGHTS[fit.step - 1] * self.line)
        for paragraph in wanted:
            p_pr = written[paragraph].get_or_add_pPr()
            ooxml.set_line_spacing(p_pr, exact_twips=pitch)
            # Off the line grid, which the body style snaps to: LibreOffice
            # would set the lines at the grid's pitch, not the closer one.
            ooxml.set_on(p_pr, "w:snapToGrid", ooxml.P_PR_ORDER, on=False)

    def space_before(self, paragraph: WordParagraph, lines: int) -> None:
        paragraph.paragraph_format.space_before = Twips(lines * self.line)

    # --- blocks ---

    def write(self, block: Block, previous: Block | None) -> None:
        match block:
            case Title():
                self.title(block, before_lines=2 if isinstance(previous, Letterhead) else 0)
            case Addressee(text=text):
                paragraph = self.paragraph("body", text)
                self.indent(paragraph, first_line=0)
                if isinstance(previous, Title):
                    self.space_before(paragraph, 1)
            case Heading():
                first = self.heading(block)
                if isinstance(previous, Title):  # a blank line below the title, as in the PDF
                    self.space_before(first, 1)
            case Paragraph(text=text):
                paragraph = self.paragraph("body", text)
                if isinstance(previous, Title):
                    self.space_before(paragraph, 1)
            case AttachmentList():
                self.keep_with_last_lines()
                self.attachment_list(block)
            case Signature():
                self.keep_with_last_lines()
                self.signature(block)
            case Note(text=text):
                self.keep_with_last_lines()
                self.paragraph("body", text)
            case AttachmentHeading(label=label, title=title):
                self.paragraph("attachment_label", label)
                # The title goes on the third line, and a blank line follows it.
                self.title(title, before_lines=1).paragraph_format.space_after = Twips(self.line)
            case Table():
                self.table(block)
            case Imprint():
                self.imprint(block)
            case Letterhead():
                raise ValueError("a letterhead can only be the document's first block")

    def title(self, title: Title, before_lines: int) -> WordParagraph:
        """One paragraph, its lines separated by line breaks."""
        paragraph = self.paragraph("title")
        run = paragraph.add_run(title.lines[0] if title.lines else "")
        for line in title.lines[1:]:
            run.add_break()
            run.add_text(line)
        self.space_before(paragraph, before_lines)
        return paragraph

    def heading(self, heading: Heading) -> WordParagraph:
        """The heading's paragraph (followed by its text's when level 1)."""
        role = HEADING_ROLES.get(heading.level)
        if role is None:
            raise ValueError(f"heading level {heading.level} is not 1 to 4")
        label = heading.number + heading.text
        if not heading.text and heading.body is not None:
            # Only numbered (a bare ## in the markup): ordinary text, in the
            # body face throughout, as in the PDF (html.py).
            return self.paragraph("body", label + heading.body)
        if heading.body is None or heading.level == 1:
            paragraph = self.paragraph(role, label)  # its style keeps it with the next
            if heading.body is not None:
                self.paragraph("body", heading.body)
            return paragraph
        # Run-in: the heading in its own face, the text in the body face; its
        # first two lines kept together (the PDF's orphans: 2).
        # Its outline level puts it in the navigation pane with the others.
        paragraph = self.paragraph("body")
        ooxml.set_on(ooxml.p_pr(paragraph), "w:widowControl", ooxml.P_PR_ORDER)
        ooxml.set_outline_level(ooxml.p_pr(paragraph), heading.level - 1)
        run = paragraph.add_run(label)
        if char_style_name(role) in self.style_ids:
            run._r.style = char_style_name(role)
        paragraph.add_run(heading.body)
        return paragraph

    def attachment_list(self, attachments: AttachmentList) -> None:
        """`附件：1.名称`, indented two characters; later items line up under
        the first, a wrapped name under its own first character (as the PDF,
        layout.item_number_width). The form 附件1：名称 has no common label:
        each item hangs from its own."""
        prefix = layout.text_width(attachments.label)
        for index, item in enumerate(attachments.items):
            hang = layout.item_number_width(item)
            if index == 0:
                paragraph = self.paragraph("body", attachments.label + item)
                self.indent(paragraph, left=2 + prefix + hang, hanging=prefix + hang)
                self.space_before(paragraph, 1)
            else:
                paragraph = self.paragraph("body", item)
                self.indent(paragraph, left=2 + prefix + hang, hanging=hang)

    def signature(self, signature: Signature) -> None:
        """Issuer and date at the right: the date inset four characters, the
        issuer centred over it."""
        issuer_inset, date_inset = layout.signature_indents(signature.issuer, signature.date)
        gap = layout.SIGNATURE_GAP_LINES
        if signature.seal is not None and self.seal_fit is not None:  # as the PDF's FIT_CLASSES
            gap = layout.FIT_SIGNATURE_GAP_LINES
        for index, (text, inset, before) in enumerate(
            ((signature.issuer, issuer_inset, gap), (signature.date, date_inset, 0))
        ):
            if index > 0:
                self.keep_with_last_lines()  # issuer and date on one page
            paragraph = self.paragraph("body", text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            self.indent(paragraph, first_line=0, right=inset)
            self.space_before(paragraph, before)
            if index == 0 and signature.seal is not None and signature.seal.image is not None:
                self.seal(paragraph, signature.seal, signature.date)

    def seal(self, issuer: WordParagraph, seal: Seal, date: str) -> None:
        """The seal's picture in front of the text, anchored to the issuer's
        paragraph: centred over the date (and the issuer over it), its top
        layout.SEAL_GAP_LINES below the text above, where the issuer's
        paragraph (its space before included) begins, as in the PDF."""
        assert seal.image is not None
        picture = seal_picture(seal)
        r_id, _ = self.word.part.get_or_add_image(BytesIO(picture.png))
        svg_r_id = self.svg_part(picture.svg) if picture.svg is not None else None
        size = Twips(ooxml.twips_from_mm(seal.diameter_mm))
        centre = self.text_width - ooxml.twips_from_pt(
            layout.seal_centre_inset(date) * self.style.page.char_pitch_pt
        )
        offset = (
            Twips(centre).emu - size.emu // 2,
            Twips(round(layout.SEAL_GAP_LINES * self.line)).emu,
        )
        anchor = ooxml.floating_picture(
            r_id, self.word.part.next_id, (size.emu, size.emu), offset, "印章", svg_r_id
        )
        drawing = OxmlElement("w:drawing")
        drawing.append(anchor)
        issuer.add_run()._r.append(drawing)

    def svg_part(self, svg: bytes) -> str:
        """The relationship id of a part holding svg (one per distinct SVG:
        a notice and its plan sealed alike share it)."""
        for r_id, rel in self.word.part.rels.items():
            if rel.reltype == RT.IMAGE and not rel.is_external and rel.target_part.blob == svg:
                return str(r_id)
        taken = {str(part.partname) for part in self.word.part.package.iter_parts()}
        number = next(n for n in itertools.count(1) if f"/word/media/seal{n}.svg" not in taken)
        part = Part(
            PackURI(f"/word/media/seal{number}.svg"),
            ooxml.SVG_CONTENT_TYPE,
            svg,
            self.word.part.package,
        )
        return str(self.word.part.relate_to(part, RT.IMAGE))

    def table(self, table: Table) -> None:
        if table.unit:
            unit = self.paragraph("table", table.unit)
            unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            self.on_line_pitch(unit)
        rows = [*table.header, *table.body]
        columns = _column_widths(table.widths, self.text_width)
        sides = ("top", "left", "bottom", "right", "insideH", "insideV")
        border = ooxml.eighth_points(TABLE_BORDER_PT)
        borders = dict.fromkeys(sides, border) if table.ruled else {}  # a name list: none
        word_table = self.new_table(0, columns, borders)
        if table.ruled:
            top, side = (ooxml.twips_from_pt(pt) for pt in TABLE_PADDING_PT)
            ooxml.set_cell_margins(word_table._tbl, top=top, bottom=top, left=side, right=side)
        # Rows written straight into the XML (ooxml.append_row): through
        # python-docx's cells, merges and runs a row took milliseconds.
        grid = _grid_cells(rows, columns)
        p_prs: dict[tuple[Role, Align], Any] = {}
        for row_index, row in enumerate(grid):
            header = row_index < len(table.header)
            role: Role = "roster" if not table.ruled else "table_header" if header else "table"
            cells = []
            for width, span, merge, cell in row:
                if cell is None:
                    cells.append(ooxml.GridCell(width, span, merge, text=None))
                    continue
                key = (role, cell.align)
                if key not in p_prs:
                    p_prs[key] = self.cell_paragraph_properties(role, cell.align)
                cells.append(ooxml.GridCell(width, span, merge, p_prs[key], cell.text))
            ooxml.append_row(word_table._tbl, cells, header=header)
        for footnote in table.footnotes:
            self.on_line_pitch(self.paragraph("table", footnote))

    def imprint(self, imprint: Imprint) -> None:
        """The 版记 as a borderless two-column table between rules as wide as the
        text block (thick first and last, thin between), its text inset one
        character: 抄送 across both columns, then the printer at the left and the
        date at the right."""
        thick = ooxml.eighth_points(IMPRINT_THICK_MM * MM_TO_PT)
        thin = ooxml.eighth_points(IMPRINT_THIN_MM * MM_TO_PT)
        half = self.text_width // 2
        word_table = self.new_table(
            2 if imprint.copy_to else 1,
            (half, self.text_width - half),
            {"top": thick, "insideH": thin, "bottom": thick},
            cell_margin=self.chars("imprint"),
        )
        cells = list(word_table.rows[-1].cells)
        if imprint.copy_to:
            copy_to = word_table.cell(0, 0).merge(word_table.cell(0, 1))
            self.cell_text(copy_to, "imprint", COPY_TO_PREFIX + imprint.copy_to)
        self.cell_text(cells[0], "imprint", imprint.printer)
        self.cell_text(cells[1], "imprint", imprint.date, Align.RIGHT)

    def new_table(
        self,
        rows: int,
        columns: Sequence[int],
        borders: Mapping[str, int],
        header_rows: int = 0,
        cell_margin: int | None = None,
    ) -> WordTable:
        """An empty table of rows × columns (widths in twips): fixed layout, rows
        that never split, the first header_rows repeated on every page, cells
        vertically centred."""
        word_table: WordTable = self.word.add_table(rows=rows, cols=len(columns))
        tbl = word_table._tbl
        ooxml.set_table_layout(tbl, sum(columns), borders, cell_margin)
        ooxml.set_grid(tbl, columns)
        for index, row in enumerate(word_table.rows):
            ooxml.set_row_flags(row._tr, header=index < header_rows)
            for width, cell in zip(columns, row.cells, strict=True):
                cell.width = Twips(width)
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        return word_table

    def cell_text(self, cell: WordCell, role: Role, text: str, align: Align | None = None) -> None:
        """The cell's text in the role's style for its alignment; in the role's
        own style and aligned directly where the template lacks that style."""
        paragraph = cell.paragraphs[0]
        self.style_cell_paragraph(paragraph, role, align)
        paragraph.add_run(text)

    def cell_paragraph_properties(self, role: Role, align: Align) -> Any:
        """The w:pPr cell_text gives a cell's paragraph, for ooxml.append_row."""
        paragraph = WordParagraph(OxmlElement("w:p"), None)  # type: ignore[arg-type]
        self.style_cell_paragraph(paragraph, role, align)
        return paragraph._p.pPr

    def style_cell_paragraph(
        self, paragraph: WordParagraph, role: Role, align: Align | None
    ) -> None:
        aligned = aligned_style_name(role, align) if align is not None else None
        if aligned is not None and aligned in self.style_ids:
            paragraph._p.style = aligned
        else:
            paragraph._p.style = self.style_id(role)
            if align is not None:
                paragraph.alignment = ALIGNMENTS[align]

    def on_line_pitch(self, paragraph: WordParagraph) -> None:
        """A line of table-size text on the body's line pitch (the unit above a
        table, its footnotes), as the PDF sets them."""
        ooxml.set_line_spacing(ooxml.p_pr(paragraph), exact_twips=self.line)


def _column_widths(widths: tuple[float, ...], total: int) -> list[int]:
    """Twips per column, proportional to widths and adding up to total."""
    if not widths or any(width <= 0 for width in widths):
        raise ValueError("a table needs positive column widths")
    scale = total / sum(widths)
    columns = [round(width * scale) for width in widths]
    columns[-1] += total - sum(columns)
    return columns


GridRow = list[tuple[int, int, str | None, Cell | None]]


def _grid_cells(rows: list[tuple[Cell, ...]], columns: Sequence[int]) -> list[GridRow]:
    """Each row's w:tc elements as python-docx's merges leave them: (width in
    twips, grid columns spanned, vertical merge, the cell; None where a cell
    above continues or a short row leaves the cell empty), left to right."""
    starts: dict[tuple[int, int], Cell] = {}
    covered: dict[tuple[int, int], Cell] = {}  # below a cell's first row, at its left column
    for row_index, column_index, cell in _place_cells(rows, len(columns)):
        starts[row_index, column_index] = cell
        for below in range(row_index + 1, row_index + cell.rowspan):
            covered[below, column_index] = cell
    grid: list[GridRow] = []
    for row_index in range(len(rows)):
        row: GridRow = []
        column = 0
        while column < len(columns):
            start = starts.get((row_index, column))
            spanning = start or covered.get((row_index, column))
            if spanning is None:  # a short row: an empty cell, as add_table made it
                row.append((columns[column], 1, None, None))
                column += 1
                continue
            width = sum(columns[column : column + spanning.colspan])
            if start is not None:
                merge = "restart" if start.rowspan > 1 else None
                row.append((width, start.colspan, merge, start))
            else:
                row.append((width, spanning.colspan, "continue", None))
            column += spanning.colspan
        grid.append(row)
    return grid


def _place_cells(rows: list[tuple[Cell, ...]], columns: int) -> list[tuple[int, int, Cell]]:
    """Grid positions of the cells, like an HTML table: a spanning cell is
    given once, at its top-left, and the cells it covers are left out."""
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, Cell]] = []
    for row_index, row in enumerate(rows):
        column = 0
        for cell in row:
            while (row_index, column) in taken:
                column += 1
            bottom, right = row_index + cell.rowspan, column + cell.colspan
            if right > columns or bottom > len(rows) or cell.rowspan < 1 or cell.colspan < 1:
                raise ValueError(f"table cell {cell.text!r} does not fit the table")
            taken.update((r, c) for r in range(row_index, bottom) for c in range(column, right))
            placed.append((row_index, column, cell))
            column = right
    return placed
