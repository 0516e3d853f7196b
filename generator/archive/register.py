"""The archive's register: one line per published version, append-only, each
line holding the hash of the line before (a hash chain).

archive/register.jsonl has a line per version as it is published: its folder
(relative to the archive, POSIX), the sha256 of its manifest.json (which holds
the sha256 of every file of the version), who signed its PDF (none when it was
not signed) and the hash of the line before. So
the last line's hash, the chain head, stands for every byte ever published:
an office that writes it down outside the archive (in its paper register,
say) can later tell that nothing was changed, removed, renamed or rewritten,
however carefully the manifests were edited along with the files.

The file is only ever appended to, under an exclusive lock, so simultaneous
publishes each add their line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

REGISTER = "register.jsonl"
GENESIS = "0" * 64  # the "previous" of the first line
REVISION = "-修订"


def revision_name(name: str, revision: int) -> str:
    """A version's folder name: the 文号 (or date), then -修订N from the second."""
    return name if revision == 1 else f"{name}{REVISION}{revision}"


@dataclass(frozen=True)
class Entry:
    number: int  # 1-based, as a person counts
    path: str  # the version folder, relative to the archive
    manifest_sha256: str
    previous: str  # the hash of the line before, GENESIS for the first
    signers: tuple[str, ...] = ()  # who signed the version's PDF (gongwen publish --sign)

    def line(self) -> str:
        fields: dict[str, Any] = {
            "number": self.number,
            "path": self.path,
            "manifest_sha256": self.manifest_sha256,
            "previous": self.previous,
        }
        if self.signers:
            fields["signers"] = list(self.signers)
        return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.line().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Register:
    entries: tuple[Entry, ...]
    problems: tuple[str, ...]  # Chinese, one per broken line or link

    @property
    def head(self) -> str:
        return self.entries[-1].hash if self.entries else GENESIS


def _entry(data: Any) -> Entry | None:
    if not isinstance(data, dict):
        return None
    number, path = data.get("number"), data.get("path")
    manifest, previous = data.get("manifest_sha256"), data.get("previous")
    if not (isinstance(number, int) and isinstance(path, str)):
        return None
    if not (isinstance(manifest, str) and isinstance(previous, str)):
        return None
    signers = data.get("signers", [])
    if not (isinstance(signers, list) and all(isinstance(s, str) for s in signers)):
        return None
    return Entry(number, path, manifest, previous, tuple(signers))


def parse(text: str) -> Register:
    """The entries of a register and whatever breaks its chain."""
    entries: list[Entry] = []
    problems: list[str] = []
    previous = GENESIS
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            entry = _entry(json.loads(line))
        except json.JSONDecodeError:
            entry = None
        if entry is None or entry.line() != line:
            problems.append(f"登记簿第 {number} 行格式不对（被改动过）")
            previous = hashlib.sha256(line.encode("utf-8")).hexdigest()
            continue
        if entry.number != number:
            problems.append(f"登记簿第 {number} 行的序号是 {entry.number}（有登记被删除或插入）")
        if entry.previous != previous:
            problems.append(f"登记簿第 {number} 行与上一行接不上（之前的登记被改动或删除）")
        entries.append(entry)
        previous = entry.hash
    if text and not text.endswith("\n"):
        problems.append("登记簿最后一行不完整")
    return Register(tuple(entries), tuple(problems))


def read(archive: Path) -> Register | None:
    """The archive's register, None if it has none."""
    try:
        text = (archive / REGISTER).read_text("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return Register((), ("登记簿不是有效的文本（被改动过）",))
    return parse(text)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[IO[str]]:
    with path.open("a+", encoding="utf-8") as handle:
        try:
            import fcntl
        except ImportError:  # no flock (Windows): publishes there are one at a time
            yield handle
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def append(
    archive: Path, folder: Path, manifest_sha256: str, signers: tuple[str, ...] = ()
) -> Entry:
    """Register a version just published (folder: inside archive) and who
    signed it; returns its entry."""
    with _locked(archive / REGISTER) as handle:
        handle.seek(0)
        existing = parse(handle.read())
        last = existing.entries[-1] if existing.entries else None
        entry = Entry(
            number=(last.number if last else 0) + 1,
            path=folder.relative_to(archive).as_posix(),
            manifest_sha256=manifest_sha256,
            previous=existing.head,
            signers=signers,
        )
        handle.seek(0, os.SEEK_END)
        handle.write(entry.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return entry


def find_archive(start: Path) -> Path | None:
    """The nearest folder at or above start holding a register."""
    for folder in (start, *start.parents):
        if (folder / REGISTER).is_file():
            return folder
    return None
