"""Typed heading numbers (一、 （一） 1. （1）) turned into the markup's
markers (# ## ### ####), which number headings themselves.

A typed number becomes a marker only where it is the number the markup would
print there (the next at its level after its parent's), so that the rebuilt
text says what the clerk typed; a number out of sequence stays text and is
reported. A short heading ending in 。 followed by text stays run-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.compose.formatting import chinese_number
from generator.importer.docx_reader import Para
from generator.importer.notice import normalise

_CN = "一二三四五六七八九十"
PATTERNS = (
    (1, re.compile(rf"^([{_CN}]+)([、．.])\s*(.+)$")),
    (2, re.compile(rf"^[（(]([{_CN}]+)[)）]\s*(.+)$")),
    # 1. but not 3.5万元; 1.2024年… is a number before a year.
    (3, re.compile(r"^(\d{1,2})([．、]|\.(?!\d)|\.(?=\d{4}年))\s*(.+)$")),
    (4, re.compile(r"^[（(](\d{1,2})[)）]\s*(.+)$")),
)
DEFAULT_SEPARATORS = {1: "、", 3: "."}
RUN_IN_MAX = 24  # characters: a run-in heading is a phrase, not a sentence


@dataclass
class Numbering:
    counters: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    formats: dict[int, str] = field(default_factory=dict)
    recognised: int = 0
    kept_as_text: list[str] = field(default_factory=list)


def _value(level: int, typed: str) -> int:
    if level in (1, 2):
        return next((n for n in range(1, 100) if chinese_number(n) == typed), 0)
    return int(typed)


def split_heading(text: str, numbering: Numbering) -> tuple[int, str] | None:
    """(level, text after the number) when text starts with the next number."""
    for level, pattern in PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        groups = match.groups()
        typed, rest = groups[0], groups[-1]
        if _value(level, typed) != numbering.counters[level - 1] + 1:
            continue
        if len(groups) == 3:
            separator = groups[1]
            if level == 1 and separator != "、":
                numbering.formats[1] = "{cn}" + separator
            if level == 3 and separator != ".":
                numbering.formats[3] = "{n}" + separator
        numbering.counters[level - 1] += 1
        numbering.counters[level:] = [0] * (4 - level)
        numbering.recognised += 1
        return level, rest
    return None


def markup_lines(
    level: int, rest: str, look: Para | None = None, text: str = ""
) -> tuple[str, str | None]:
    """A recognised heading's title and run-in text: `## 标题。` with the
    text on the next line, the whole paragraph as the title, or no title
    (a bare number before body text).

    The look decides where a clerk set it apart: the title in another face
    (楷体 before 仿宋); a paragraph all in a heading face is all title; one
    all in the body face is body text numbered. Without fonts, a short
    phrase ending in 。 before more text is taken as a run-in title."""
    if level > 1 and look is not None and look.fonts_known:
        lead = normalise(look.lead)
        if lead and text.startswith(lead) and len(lead) < len(text):
            title = lead[len(text) - len(rest) :]
            body = text[len(lead) :]
            return (title, body) if title else ("", body)
        return (rest, None) if look.heading_look else ("", rest)
    if level > 1:
        stop = rest.find("。")
        if 0 < stop < RUN_IN_MAX and stop + 1 < len(rest) and "，" not in rest[:stop]:
            return rest[: stop + 1], rest[stop + 1 :]
    return rest, None


def looks_numbered(text: str) -> bool:
    return any(pattern.match(text) for _, pattern in PATTERNS)
