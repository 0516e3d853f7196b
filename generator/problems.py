"""Problems found in a data set: errors stop a build, warnings are reported.

Every problem names where it is (file, line, column, field path) so that an
editor can go straight to it; the message itself is Chinese.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

QUOTE_LIMIT = 60  # characters of a value quoted in a message
MESSAGE_LIMIT = 2000  # characters of a message


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True)
class Problem:
    message: str
    file: Path | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None  # where, as a person names it: 第 3 行（坝芒村），列“户籍人口数”
    severity: Severity = Severity.ERROR
    path: tuple[str | int, ...] | None = None  # the field's keys, for programs (the editor)

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
        return f"{self.severity.value}：{where}{field}{_short_values(self.message)}"


_QUOTED = re.compile("“([^“”]{" + str(QUOTE_LIMIT + 1) + ",})”")


def _short_values(message: str) -> str:
    """message with each quoted value longer than QUOTE_LIMIT shortened, and
    the whole kept to MESSAGE_LIMIT characters (a value may be a million
    characters long: a line on a terminal should not be)."""
    message = _QUOTED.sub(lambda m: f"“{shortened(m.group(1))}”", message)
    return shortened(message, MESSAGE_LIMIT)


class DataError(Exception):
    """One or more errors; raised only after every check has run."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def shortened(text: str, limit: int = QUOTE_LIMIT) -> str:
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


_OS_ERRORS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOENT: "文件或目录不存在",
    errno.EROFS: "文件系统只读",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EEXIST: "文件或目录已存在",
    errno.ENOTDIR: "路径中的某一级不是目录",
    errno.EISDIR: "是目录，不是文件",
    errno.ENOTEMPTY: "目录不是空的",
    errno.EXDEV: "不能跨文件系统移动",
    errno.EIO: "磁盘读写错误",
    errno.EDQUOT: "超出磁盘配额",
    errno.EMFILE: "打开的文件过多",
    errno.ENFILE: "打开的文件过多",
    errno.ELOOP: "符号链接循环",
    errno.EBUSY: "文件或目录正被占用",
    errno.ETXTBSY: "文件正被占用",
    errno.EFBIG: "文件过大",
    errno.ENOMEM: "内存不足",
    errno.EAGAIN: "资源暂时不可用",
    errno.EINVAL: "参数无效",
}


def os_reason(error: OSError) -> str:
    """Why a file operation failed, in Chinese: never the system's English
    (strerror), at worst the error's code, which a technician can look up."""
    known = _OS_ERRORS.get(error.errno or 0)
    if known:
        return known
    return f"系统错误 {errno.errorcode.get(error.errno or 0, '未知')}"
