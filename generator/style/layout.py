"""Layout arithmetic both writers share, so the DOCX and the PDF place things alike.

Widths are in body characters (em of the body size): a full-width character
is 1 (East Asian ambiguous ones such as — and □ too: CJK faces set them full
width), a half-width digit or Latin letter 1/2.
"""

from __future__ import annotations

import unicodedata

from generator.style.profile import MM_TO_PT, StyleProfile


def text_width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in ("F", "W", "A") else 0.5 for c in text)


def signature_indents(issuer: str, date: str) -> tuple[float, float]:
    """Right indents (in characters) of the 署名 and the 成文日期.

    With a seal, GB/T 9704 7.3.5.1 puts the date four characters from the
    right and centres the issuer over the date."""
    date_indent = 4.0
    issuer_indent = date_indent + (text_width(date) - text_width(issuer)) / 2
    return max(issuer_indent, 0.0), date_indent


def mark_size_pt(mark: str, style: StyleProfile) -> float:
    """The 标志's size: the profile's, shrunk until the mark fits the text block
    and each character stays narrower than 15 mm (GB/T 9704 7.2.3)."""
    role = style.roles["mark"].size_pt
    fit = style.page.text_width_mm * MM_TO_PT / max(text_width(mark), 1)
    return min(role, fit, 15 * MM_TO_PT)
