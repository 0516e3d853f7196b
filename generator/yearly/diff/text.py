"""What changed in the rendered text, paragraph by paragraph.

Each block of the document model becomes one line of text (a table, one line
per row); difflib matches the two documents' lines, and within a changed
paragraph, its characters (Chinese has no spaces to split words at).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from generator.model import (
    Addressee,
    AttachmentHeading,
    AttachmentList,
    Block,
    Document,
    Heading,
    Imprint,
    Letterhead,
    Note,
    Paragraph,
    PartKind,
    Signature,
    Table,
    Title,
)

PART_NAMES = {PartKind.NOTICE: "通知", PartKind.PLAN: "方案", PartKind.ATTACHMENT: "附件"}


@dataclass(frozen=True)
class Line:
    part: str  # 通知, 方案, 附件1 …
    text: str


@dataclass(frozen=True)
class TextChange:
    part: str
    old: str | None  # None: a paragraph added
    new: str | None  # None: a paragraph removed


def _texts(block: Block) -> Iterator[str]:
    if isinstance(block, Heading):
        yield f"{block.number}{block.text}{block.body or ''}"
    elif isinstance(block, Paragraph | Addressee | Note | Title):
        yield block.text
    elif isinstance(block, Letterhead):
        yield f"{block.mark} {block.number or ''}".strip()
    elif isinstance(block, AttachmentList):
        yield "附件：" + " ".join(block.items)
    elif isinstance(block, AttachmentHeading):
        yield f"{block.label} {block.title.text}"
    elif isinstance(block, Signature):
        yield f"{block.issuer} {block.date}"
    elif isinstance(block, Table):
        for row in (*block.header, *block.body):
            yield " | ".join(cell.text for cell in row)
    elif isinstance(block, Imprint):
        yield " ".join(t for t in (block.copy_to, block.printer, block.date) if t)
    else:  # a block kind added to the model since: compare what it holds
        text = getattr(block, "text", None)
        yield str(text) if text is not None else repr(block)


def lines(document: Document) -> list[Line]:
    out: list[Line] = []
    for part in document.parts:
        name = PART_NAMES[part.kind]
        heading = next((b for b in part.blocks if isinstance(b, AttachmentHeading)), None)
        if heading is not None:
            name = heading.label
        out.extend(Line(name, text) for block in part.blocks for text in _texts(block))
    return out


def text_changes(old: Document, new: Document) -> list[TextChange]:
    before, after = lines(old), lines(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changes: list[TextChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = before[i1:i2], after[j1:j2]
        paired = min(len(removed), len(added))
        for was, now in zip(removed[:paired], added[:paired], strict=True):
            changes.append(TextChange(now.part, was.text, now.text))
        changes.extend(TextChange(line.part, line.text, None) for line in removed[paired:])
        changes.extend(TextChange(line.part, None, line.text) for line in added[paired:])
    return changes


_TOKEN = re.compile(r"[0-9A-Za-z.]+|.", re.DOTALL)


def segments(old: str, new: str) -> list[tuple[str, str]]:
    """old → new as runs: ("=", kept), ("-", removed), ("+", added). A number
    or a Latin word is compared whole (380 → 400, not 3[8→0]0), other
    characters one by one."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("+", "".join(b[j1:j2])))
    return runs
