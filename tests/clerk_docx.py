"""DOCX files made the way a clerk makes them, for the importer's tests.

No styles: every run is formatted directly; the letterhead is red text, the red
line a paragraph's bottom border; numbers are typed into the text; indents are
spaces; the title breaks with manual line breaks; the signature is pushed right
with spaces; some punctuation is half-width; tables have merged header cells.
The text comes from a composed document model (what gongwen prints), so a test
can compare the import's build with it; the DOCX is written by python-docx,
never by gongwen's writers.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from generator import model

RED = RGBColor(0xFF, 0x00, 0x00)


def _run(
    paragraph: DocxParagraph,
    text: str,
    size: float = 16,
    bold: bool = False,
    red: bool = False,
    font: str = "仿宋_GB2312",
) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if red:
        run.font.color.rgb = RED


def bottom_border(paragraph: DocxParagraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "FF0000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.append(borders)


def _half_width(text: str) -> str:
    """A clerk's mixed punctuation: some commas and colons typed half-width."""
    return text.replace("：", ":", 1).replace("，", ",", 2)


class ClerkWriter:
    def __init__(self) -> None:
        self.doc = new_docx()

    def para(
        self,
        text: str,
        *,
        align: str = "left",
        size: float = 16,
        bold: bool = False,
        red: bool = False,
        font: str = "仿宋_GB2312",
    ) -> DocxParagraph:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
        lines = text.split("\n")
        for index, line in enumerate(lines):
            _run(paragraph, line, size, bold, red, font)
            if index < len(lines) - 1:
                paragraph.runs[-1].add_break()
        return paragraph

    def runs(self, parts: list[tuple[str, str]], *, bold: bool = False) -> DocxParagraph:
        """One justified paragraph of runs in different faces: (text, face)."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        for text, font in parts:
            _run(paragraph, text, bold=bold, font=font)
        return paragraph

    def body(self, text: str) -> None:
        self.para("    " + _half_width(text), align="both")

    def table(self, table: model.Table) -> None:
        if table.unit:
            self.para(table.unit, align="left", size=14)
        rows = [*table.header, *table.body]
        columns = sum(cell.colspan for cell in rows[0])
        grid = self.doc.add_table(rows=len(rows), cols=columns)
        grid.style = self.doc.styles["Table Grid"]
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                first = grid.cell(r, c)
                last = grid.cell(r + cell.rowspan - 1, c + cell.colspan - 1)
                target = first.merge(last) if (cell.rowspan, cell.colspan) != (1, 1) else first
                target.text = cell.text
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        for footnote in table.footnotes:
            self.para(footnote, size=14)

    def save(self, path: Path) -> Path:
        self.doc.save(str(path))
        return path


def clerk_docx(document: model.Document, path: Path) -> Path:
    """The document re-typed by a clerk (see the module docstring)."""
    writer = ClerkWriter()
    for block in document.blocks():
        if isinstance(block, model.Letterhead):
            writer.para(
                block.mark, align="center", size=36, bold=True, red=True, font="方正小标宋简体"
            )
            line = writer.para(block.number or "", align="center")
            bottom_border(line)
        elif isinstance(block, model.Title):
            writer.para("\n".join(block.lines), align="center", size=22, font="方正小标宋简体")
        elif isinstance(block, model.Addressee):
            writer.para(_half_width(block.text))
        elif isinstance(block, model.Heading):
            # 一、 in 黑体; （一） and its title in 楷体, its run-in text in 仿宋;
            # 1. and （1） typed in the body face, as clerks do.
            face = {1: "黑体", 2: "楷体_GB2312"}.get(block.level, "仿宋_GB2312")
            parts = [("    " + block.number + block.text, face)]
            if block.body:
                parts.append((_half_width(block.body), "仿宋_GB2312"))
            writer.runs(parts)
        elif isinstance(block, model.Paragraph):
            writer.body(block.text)
        elif isinstance(block, model.AttachmentList):
            for index, item in enumerate(block.items):
                writer.para(("    " + block.label if index == 0 else " " * 10) + item)
        elif isinstance(block, model.Signature):
            writer.para(block.issuer + "    ", align="right")
            writer.para(block.date + "    ", align="right")
        elif isinstance(block, model.Note):
            writer.para("    " + block.text)
        elif isinstance(block, model.AttachmentHeading):
            writer.para(block.label, font="黑体")
            writer.para("\n".join(block.title.lines), align="center", size=22)
        elif isinstance(block, model.Table):
            if block.ruled:
                writer.table(block)
            else:
                for row in block.body:
                    writer.para("    " + "".join(cell.text for cell in row))
        elif isinstance(block, model.Imprint):
            if block.copy_to:
                writer.para(f"抄送：{block.copy_to}", size=14)
            writer.para(f"{block.printer}        {block.date}", size=14)
    return writer.save(path)


def model_text(document: model.Document) -> str:
    """Everything the document prints, in order (for similarity checks)."""
    out: list[str] = []
    for block in document.blocks():
        if isinstance(block, model.Letterhead):
            out += [block.mark, block.number or ""]
        elif isinstance(block, model.Title):
            out.append(block.text)
        elif isinstance(block, model.Heading):
            out.append(block.number + block.text + (block.body or ""))
        elif isinstance(block, model.AttachmentList):
            out.append(block.label + "".join(block.items))
        elif isinstance(block, model.Signature):
            out += [block.issuer, block.date]
        elif isinstance(block, model.AttachmentHeading):
            out += [block.label, block.title.text]
        elif isinstance(block, model.Table):
            out += [block.unit or ""]
            out += ["".join(c.text for c in row) for row in (*block.header, *block.body)]
            out += list(block.footnotes)
        elif isinstance(block, model.Imprint):
            out += [block.copy_to or "", block.printer, block.date]
        else:
            out.append(block.text)
    return "".join("".join(text.split()) for text in out)
