"""A name list (领导小组名单) read into organisation.yaml: 组长：徐立民 县委常委…,
each member's role carried down to the unlabelled lines below it.

A clerk separates name and title by spaces, pads a two-character name to
three (陈　熙), or lays the list out in a borderless table; a line with no
space at all is split after three characters, and the report asks for a check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.importer.docx_reader import Grid

ROLE = re.compile(
    r"^\s*(?P<role>[\u4e00-\u9fff][\u4e00-\u9fff\u3000 ]{0,8}?)\s*[：:]\s*(?P<rest>.*)$"
)
_SPACE = re.compile(r"[\u3000 \u00a0\t]+")


@dataclass
class Roster:
    members: list[dict[str, str]] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)  # names split without a space: to check


def _person(rest: str, roster: Roster) -> tuple[str, str] | None:
    tokens = [t for t in _SPACE.split(rest.strip()) if t]
    if not tokens or not re.match(r"[\u4e00-\u9fff]{1,4}(?:$|[\u4e00-\u9fff])", tokens[0]):
        return None
    if len(tokens) >= 3 and len(tokens[0]) == 1 and len(tokens[1]) == 1:
        return tokens[0] + tokens[1], "".join(tokens[2:])  # 陈　熙　县税务局局长
    if len(tokens) >= 2 and len(tokens[0]) == 1 and len(tokens[1]) > 1:
        name, title = (
            tokens[0] + tokens[1][0],
            tokens[1][1:] + "".join(tokens[2:]),
        )  # 陈　熙县税务局局长
        return name, title
    if len(tokens) >= 2 and 2 <= len(tokens[0]) <= 4:
        return tokens[0], "".join(tokens[1:])
    word = tokens[0]
    if len(word) <= 4:
        return word, ""
    roster.guessed.append(word[:3])
    return word[:3], word[3:]


def roster_from_lines(raw_lines: list[str]) -> tuple[Roster, int] | None:
    """The name list at the start of raw_lines (as typed, padding kept), and
    how many lines it takes; None when the first line names no role."""
    roster = Roster()
    role: str | None = None
    used = 0
    for line in raw_lines:
        match = ROLE.match(line)
        if match is not None and len(_SPACE.sub("", match["role"])) <= 6:
            role, rest = _SPACE.sub("", match["role"]), match["rest"]
        elif role is not None and len(line.strip()) <= 30 and "，" not in line and "。" not in line:
            rest = line
        else:
            break
        person = _person(rest, roster)
        if person is None:
            break
        roster.members.append({"role": role, "name": person[0], "title": person[1]})
        used += 1
    return (roster, used) if len(roster.members) >= 2 else None


def roster_from_grid(grid: Grid) -> Roster | None:
    """A name list laid out as a borderless table: role, name, title."""
    if grid.borders or not grid.rows or any(len(row) not in (2, 3) for row in grid.rows):
        return None
    roster = Roster()
    role: str | None = None
    for row in grid.rows:
        label = _SPACE.sub("", row[0].text).rstrip("：:")
        role = label or role
        if role is None:
            return None
        cells = [_SPACE.sub("", c.text) for c in row[1:]]
        name, title = (cells[0], cells[1]) if len(cells) == 2 else (cells[0], "")
        roster.members.append({"role": role, "name": name, "title": title})
    return roster
