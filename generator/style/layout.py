"""Layout arithmetic both writers share, so the DOCX and the PDF place things alike.

Widths are in body characters (em of the body size): a full-width character
is 1 (East Asian ambiguous ones such as — and □ too: CJK faces set them full
width), a half-width digit or Latin letter 1/2.
"""

from __future__ import annotations

import re
import unicodedata

from generator.style.profile import MM_TO_PT, StyleProfile


def text_width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in ("F", "W", "A") else 0.5 for c in text)


# An attachment item's leading number: "1." or "1．" (GB/T 9704's examples).
# An attachment item's number (1. or 1．) or, in the form 附件1：名称, its own label.
ITEM_NUMBER = re.compile(r"\d+[.．]|附件\d+：")


def item_number_width(item: str) -> float:
    """The width of an attachment item's leading number, in characters (0
    without one). The number is set tight against the name, as typed; a name
    that wraps hangs this far in, under its own first character (GB/T 9704
    7.3.5.2: 回行时与上一行附件名称的首字对齐)."""
    number = ITEM_NUMBER.match(item)
    return text_width(number.group()) if number else 0.0


def signature_indents(issuer: str, date: str) -> tuple[float, float]:
    """Right indents (in characters) of the 署名 and the 成文日期.

    With a seal, GB/T 9704 7.3.5.1 puts the date four characters from the
    right and centres the issuer over the date."""
    date_indent = 4.0
    issuer_indent = date_indent + (text_width(date) - text_width(issuer)) / 2
    return max(issuer_indent, 0.0), date_indent


# Blank lines between the text (or 附件说明) and the issuer: room for the seal.
SIGNATURE_GAP_LINES = 2
# The seal's top below the last line of text above (GB/T 9704 7.3.5.1: within
# one line). Half a line puts the centre of a 42 mm seal a little above the
# middle of issuer and date (居印章中心偏下).
SEAL_GAP_LINES = 0.5


# GB/T 9704 7.3.5.4: the steps by which seal and date that do not fit below
# the text are brought back (writers/pdf.py fit_seal decides, both writers
# apply it: model.SealFit): each puts FIT_SIGNATURE_GAP_LINES blank lines
# above the issuer, and sets the paragraphs of the page before at this share
# of the line pitch.
FIT_SIGNATURE_GAP_LINES = 1
FIT_LINE_HEIGHTS = (1.0, 0.95, 0.9)


def seal_centre_inset(date: str) -> float:
    """Where a seal's centre sits, in characters from the right edge of the
    text block: over the middle of the date, and so of the issuer centred
    over it (signature_indents)."""
    _, date_indent = signature_indents("", date)
    return date_indent + text_width(date) / 2


def seal_top_pt(line_pitch_pt: float, gap_lines: float = SIGNATURE_GAP_LINES) -> float:
    """The seal's top relative to the top of the issuer's line (negative:
    above it), gap_lines blank lines separating the issuer from the text."""
    return -(gap_lines - SEAL_GAP_LINES) * line_pitch_pt


def mark_size_pt(mark: str, style: StyleProfile) -> float:
    """The 标志's size: the profile's, shrunk until the mark fits the text block
    and each character stays narrower than 15 mm (GB/T 9704 7.2.3)."""
    role = style.roles["mark"].size_pt
    fit = style.page.text_width_mm * MM_TO_PT / max(text_width(mark), 1)
    return min(role, fit, 15 * MM_TO_PT)
