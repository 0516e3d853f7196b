"""The document model: what compose produces and both writers consume.

Like Pandoc's AST, it holds the text once, already numbered and formatted as
it will be printed; writers decide only how it looks, never what it says.
Styling is by role (see generator/style/profile.py), never by font names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class Letterhead:
    """发文机关标志 (red), 发文字号 and the red separator line."""

    mark: str
    number: str | None = None


@dataclass(frozen=True)
class Title:
    """A 二号 小标宋 title; each entry of lines is printed on a line of its own."""

    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass(frozen=True)
class Addressee:
    """主送机关, flush left, ending with a full-width colon."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A numbered heading. level 1 stands on its own line; with body set it is
    run-in: the heading and the paragraph's text share one paragraph."""

    level: int
    number: str
    text: str
    body: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """Body text, justified, first line indented two characters."""

    text: str


@dataclass(frozen=True)
class AttachmentList:
    """附件说明: `附件：1. 名称`, later items aligned under the first name. The
    items come numbered (1.名称 or 1．名称) when there are several; writers put
    label (附件：) before the first. The form 附件1：名称 labels every item
    itself, and label is empty."""

    items: tuple[str, ...]
    label: str = "附件："


@dataclass(frozen=True)
class Seal:
    """The seal pressed on a sealed notice's signature (GB/T 9704 7.3.5.1):
    its picture (a PNG file; None: the space left for a hand stamp) and its
    diameter in millimetres."""

    image: Path | None
    diameter_mm: float


@dataclass(frozen=True)
class SealFit:
    """GB/T 9704 7.3.5.4 as the PDF's layout decided it (writers/pdf.py
    fit_seal), for the DOCX to set alike: a sealed signature that did not fit
    below the text was brought back by fit step `step` (1-based: one blank
    line above every sealed issuer instead of two, and the paragraphs
    `tightened` set at layout.FIT_LINE_HEIGHTS[step - 1] of the line pitch).
    A paragraph is named (part, block, paragraph): the indices of its part in
    Document.parts, of its block in Part.blocks, and of the paragraph among
    those the block writes (a level-1 heading with text writes two)."""

    step: int
    tightened: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class Signature:
    """署名 and 成文日期 at the right, the date inset four characters and the
    issuer centred over it; seal set for a sealed notice, whose seal presses on
    both (writers place its picture)."""

    issuer: str
    date: str
    seal: Seal | None = None


@dataclass(frozen=True)
class Note:
    """附注, e.g. （此件公开发布）."""

    text: str


@dataclass(frozen=True)
class AttachmentHeading:
    """`附件1` (黑体, flush left) and the attachment's title (小标宋, centred)."""

    label: str
    title: Title


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    align: Align = Align.CENTER


@dataclass(frozen=True)
class Table:
    """A table; header rows repeat on every page the table runs onto.

    Like HTML, a spanning cell appears once, at its top-left; the cells it
    covers are left out of the rows. widths are relative column widths. An
    unruled table (a name list) has no borders and no header."""

    header: tuple[tuple[Cell, ...], ...]
    body: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]
    unit: str | None = None
    footnotes: tuple[str, ...] = ()
    ruled: bool = True


@dataclass(frozen=True)
class Imprint:
    """版记: 抄送 and 印发机关 + 印发日期 between rules, at the foot of the last page.
    date is printed as given, e.g. 2023年10月31日印发."""

    printer: str
    date: str
    copy_to: str | None = None


Block = (
    Letterhead
    | Title
    | Addressee
    | Heading
    | Paragraph
    | AttachmentList
    | Signature
    | Note
    | AttachmentHeading
    | Table
    | Imprint
)


class PartKind(StrEnum):
    NOTICE = "notice"
    PLAN = "plan"
    ATTACHMENT = "attachment"


@dataclass(frozen=True)
class Part:
    """A part of the document: the notice, the plan, or one attachment.
    Every part but the first starts on a new page when new_page is set."""

    kind: PartKind
    blocks: tuple[Block, ...]
    new_page: bool = True


@dataclass(frozen=True)
class DocumentInfo:
    """Metadata both writers record (taken from the data, never the clock)."""

    title: str
    author: str
    date: str  # ISO date of issue: the files' creation date
    language: str = "zh-CN"


@dataclass(frozen=True)
class Document:
    info: DocumentInfo
    parts: tuple[Part, ...] = field(default_factory=tuple)

    def blocks(self) -> list[Block]:
        return [block for part in self.parts for block in part.blocks]
