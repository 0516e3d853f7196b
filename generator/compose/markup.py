"""The prose markup templates render to, parsed into numbered blocks.

Blocks are separated by blank lines or start at a heading; the lines of a block join into one
paragraph. A block that starts with #, ##, ### or #### is a heading of that
level, numbered 一、 （一） 1. （1） in order, so inserting a section renumbers
the rest. A heading of level 2 to 4 followed by text in the same block runs
in: heading and text share one paragraph. Its heading words end at their first
。; text after it on the heading's line runs in too. A bare ## followed by text numbers
the paragraph without a heading of its own. A leading backslash (\\#) keeps a
literal #.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from generator.compose.formatting import chinese_number
from generator.model import Heading, Paragraph

_HEADING = re.compile(r"^(#{1,4})(?:\s+(.*))?$")


# GB/T 9704 7.3.3: 一、 （一） 1. （1）. A data set may print them otherwise
# (document.yaml heading_numbers), e.g. 1． with a full-width point.
DEFAULT_FORMATS = {1: "{cn}、", 2: "（{cn}）", 3: "{n}.", 4: "（{n}）"}


def heading_number(level: int, n: int, formats: Mapping[int, str] | None = None) -> str:
    form = {**DEFAULT_FORMATS, **(formats or {})}[level]
    return form.replace("{cn}", chinese_number(n)).replace("{n}", str(n))


def _join(lines: list[str]) -> str:
    """Join wrapped lines: Chinese needs no space; Latin words keep one."""
    out = ""
    for line in lines:
        if out and re.match(r"[A-Za-z0-9]", line) and re.search(r"[A-Za-z0-9,.;:]$", out):
            out += " "
        out += line
    return out


class MarkupError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse(text: str, formats: Mapping[int, str] | None = None) -> list[Heading | Paragraph]:
    blocks: list[Heading | Paragraph] = []
    counters = [0, 0, 0, 0]
    lines = text.splitlines()
    block: list[str] = []
    start = 0

    def flush() -> None:
        if not block:
            return
        first, rest = block[0], block[1:]
        match = _HEADING.match(first)
        if match is None:
            blocks.append(Paragraph(_join([first.removeprefix("\\"), *rest])))
            return
        level = len(match.group(1))
        title = (match.group(2) or "").strip()
        counters[level - 1] += 1
        counters[level:] = [0] * (4 - level)
        number = heading_number(level, counters[level - 1], formats)
        body = _join(rest) or None
        if level > 1:
            # Heading words end at their first 。: what follows on the heading's
            # line is the paragraph's text (set in the body face).
            words, stop, after = title.partition("。")
            if stop and after:
                title, body = words + stop, _join([after, *rest])
        if level == 1:
            if not title:
                raise MarkupError("一级标题（#）缺少标题文字", start + 1)
            blocks.append(Heading(1, number, title))
            if body:
                blocks.append(Paragraph(body))
        elif not title and not body:
            raise MarkupError("标题标记后缺少文字", start + 1)
        else:
            blocks.append(Heading(level, number, title, body))

    for index, raw in enumerate(lines):
        line = raw.strip()
        if line and block and _HEADING.match(line):
            flush()  # a heading always starts a block of its own
            block = []
        if line:
            if not block:
                start = index
            block.append(line)
        else:
            flush()
            block = []
    flush()
    return blocks
