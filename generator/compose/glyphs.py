"""Characters a role's face lacks, found before rendering.

Rare name characters (喆, 堃, 廻) are missing from the Fandol faces. The PDF
takes them from the next face the profile lists for the role (Noto CJK);
this says so, naming the character and the word it stands in, and refuses
a character that no listed face has, which would print as a box, and a
control character, separator or non-character, which no face draws and which
would break a line or a page where none is meant (a YAML escape such as
"\f" or "\u2028" in the data puts one there).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from generator import model
from generator.problems import Problem, Severity
from generator.style.fontmap import fc_list_each
from generator.style.profile import Role, StyleProfile

Ranges = tuple[tuple[int, ...], tuple[int, ...]]  # starts, ends (inclusive)
_HEADINGS: dict[int, Role] = {1: "heading1", 2: "heading2", 3: "heading3", 4: "heading4"}


_CHARSETS: dict[str, Ranges | None] = {}


def load_charsets(families: Iterable[str]) -> None:
    """Ask fontconfig for the families not asked about yet, all at once."""
    wanted = sorted(set(families) - _CHARSETS.keys())
    for family, listing in zip(
        wanted, fc_list_each("%{charset}\n", [f":family={f}" for f in wanted]), strict=True
    ):
        spans = []
        for token in listing.split():
            first, _, last = token.partition("-")
            spans.append((int(first, 16), int(last or first, 16)))
        spans.sort()
        _CHARSETS[family] = (
            (tuple(s for s, _ in spans), tuple(e for _, e in spans)) if spans else None
        )


def charset(family: str) -> Ranges | None:
    """The code points fontconfig says a family covers (union of its files)."""
    if family not in _CHARSETS:
        load_charsets([family])
    return _CHARSETS[family]


def covers(ranges: Ranges, char: str) -> bool:
    starts, ends = ranges
    i = bisect.bisect_right(starts, ord(char)) - 1
    return i >= 0 and ord(char) <= ends[i]


def _texts(document: model.Document) -> Iterator[tuple[Role, str]]:
    """Every text of the document with the role it is set in."""
    for block in document.blocks():
        match block:
            case model.Letterhead(mark=mark, number=number):
                yield "mark", mark
                if number:
                    yield "number", number
            case model.Title(lines=lines):
                yield "title", "".join(lines)
            case model.Heading(level=level, number=number, text=text, body=body):
                yield _HEADINGS.get(level, "heading4"), number + text
                if body:
                    yield "body", body
            case model.AttachmentHeading(label=label, title=title):
                yield "attachment_label", label
                yield "title", title.text
            case model.Table(header=header, body=body, ruled=ruled):
                for row in header:
                    yield from (("table_header", cell.text) for cell in row)
                for row in body:
                    yield from (("table" if ruled else "roster", cell.text) for cell in row)
            case model.Imprint(printer=printer, date=date, copy_to=copy_to):
                yield from (("imprint", t) for t in (printer, date, copy_to or ""))
            case model.Signature(issuer=issuer, date=date):
                yield from (("body", t) for t in (issuer, date))
            case model.AttachmentList(items=items):
                yield from (("body", t) for t in items)
            case model.Paragraph(text=text) | model.Addressee(text=text) | model.Note(text=text):
                yield "body", text


# Control characters (Cc) but tab and newline, the line and paragraph
# separators (Zl, Zp), surrogates (Cs) and the non-characters.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)


def unprintable(char: str) -> bool:
    return _UNPRINTABLE.fullmatch(char) is not None


def _word_around(text: str, index: int) -> str:
    return text[max(index - 2, 0) : index + 3]


# Where a character was written: (char, the text around it) -> file and line.
Locator = Callable[[str, str], tuple[Path, int] | None]


def missing_glyphs(
    document: model.Document, style: StyleProfile, locate: Locator | None = None
) -> list[Problem]:
    """An error for each unprintable character; a warning for each character
    drawn from a fallback face, an error for each that no face of its role
    has (these two only when fontconfig is there). locate, if given, names
    the file and line each character was written on."""
    problems: list[Problem] = []

    def problem(message: str, char: str, word: str, severity: Severity) -> Problem:
        where = locate(char, word) if locate is not None else None
        file, line = where if where is not None else (None, None)
        return Problem(message, file, line, severity=severity)

    seen: set[tuple[str, str]] = set()
    texts = list(_texts(document))
    load_charsets(style.face(role).pdf[0] for role in {role for role, _ in texts})
    refused: set[str] = set()
    info = document.info
    for text in [text for _, text in texts] + [info.title, info.author]:
        for match in _UNPRINTABLE.finditer(text):
            char, index = match.group(), match.start()
            if char not in refused:
                refused.add(char)
                visible = _word_around(text, index).replace(char, "□")
                message = (
                    f"字符 U+{ord(char):04X}（见“{visible}”）是不可见的特殊字符，无法排印，请删去"
                )
                problems.append(problem(message, char, _word_around(text, index), Severity.ERROR))
    for role, text in texts:
        faces = style.face(role).pdf
        primary = charset(faces[0])
        if primary is None:
            continue
        for index, char in enumerate(text):
            if char in refused:  # told above
                continue
            if char.isspace() or covers(primary, char) or (char, faces[0]) in seen:
                continue
            seen.add((char, faces[0]))
            word = _word_around(text, index)
            found = next(
                (f for f in faces[1:] if (cs := charset(f)) is not None and covers(cs, char)),
                None,
            )
            if found:
                message = f"字符“{char}”（见“{word}”）不在字体 {faces[0]} 中，PDF 改用 {found}"
                problems.append(problem(message, char, word, Severity.WARNING))
            else:
                message = f"字符“{char}”（见“{word}”）在 {'、'.join(faces)} 中都没有，无法排印"
                problems.append(problem(message, char, word, Severity.ERROR))
    return problems
