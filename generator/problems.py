"""Problems found in a data set: errors stop a build, warnings are reported.

Every problem names where it is (file, line, column, field path) so that an
editor can go straight to it; the message itself is Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True)
class Problem:
    message: str
    file: Path | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None  # dotted path, e.g. villages[3].population
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += "："
        field = f"字段 {self.field}：" if self.field else ""
        return f"{self.severity.value}：{where}{field}{self.message}"


class DataError(Exception):
    """One or more errors; raised only after every check has run."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def shortened(text: str, limit: int = 60) -> str:
    """text for quoting in a message: a long one cut in the middle, its length
    told (a value may be a million characters long)."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}…（共 {len(text)} 个字符）…{text[-half // 2 :]}"


def format_path(path: tuple[str | int, ...]) -> str:
    """('villages', 3, 'name') -> 'villages[3].name' (1-based, as editors count)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out
