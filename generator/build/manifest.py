"""Manifests: the size and sha256 of every file of a folder, and checking a
folder against its manifest.

Both build outputs and published versions carry a manifest.json whose "files"
entries have path (relative, POSIX), bytes and sha256, so one check serves both.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from generator.build.batch import FINGERPRINT_FILE
from generator.build.staging import is_stage

MANIFEST = "manifest.json"
# Marks the manifest of a build swapping its files into place: true until the
# last rename (see build/pipeline.py), so a build killed midway is seen.
SWITCHING = "switching"
# Beside a manifest and not listed in it: itself, and the record of a build's
# inputs that `gongwen build` keeps to skip unchanged data sets.
UNLISTED = frozenset({MANIFEST, FINGERPRINT_FILE})


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the folder, POSIX separators
    bytes: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe(root: Path, relative: str) -> FileEntry:
    path = root / relative
    return FileEntry(relative, path.stat().st_size, sha256_of(path))


def files_under(root: Path) -> list[str]:
    """Every file and symlink under root, relative and sorted; links are not followed."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        # A symlink to a folder is listed, not entered.
        links = [d for d in dirs if (here / d).is_symlink()]
        dirs[:] = sorted(d for d in dirs if d not in links)
        for name in [*files, *links]:
            found.append((here / name).relative_to(root).as_posix())
    return sorted(found)


def read_entries(folder: Path) -> list[FileEntry]:
    """The manifest's entries; ValueError (Chinese) if it is unreadable or malformed."""
    try:
        data: Any = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("清单 manifest.json 无法读取或不是有效的 JSON") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        raise ValueError("清单 manifest.json 中没有 files 列表")
    entries = []
    for item in files:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("path"), str)
            and isinstance(item.get("bytes"), int)
            and isinstance(item.get("sha256"), str)
        ):
            raise ValueError("清单 manifest.json 中有格式不对的条目")
        entries.append(FileEntry(item["path"], item["bytes"], item["sha256"]))
    return entries


def _safe(relative: str) -> bool:
    """A manifest may not point outside its folder."""
    pure = PurePosixPath(relative)
    return (
        bool(relative)
        and "\0" not in relative
        and not pure.is_absolute()
        and all(part not in ("", ".", "..") for part in relative.split("/"))
    )


def is_switching(folder: Path) -> bool:
    """Whether folder's manifest is that of a build killed while swapping files."""
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and data.get(SWITCHING) is True


class Change(StrEnum):
    INTERRUPTED = "生成中断"
    MODIFIED = "已改动"
    MISSING = "缺失"
    ADDED = "新增"
    BAD_PATH = "清单中的路径不合法"
    BAD_MANIFEST = "清单无法读取"


@dataclass(frozen=True)
class Finding:
    change: Change
    path: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.change.value}：{self.path}" + (f"（{self.detail}）" if self.detail else "")


def check_folder(folder: Path) -> list[Finding]:
    """Every file that differs from the manifest: changed, missing or added."""
    try:
        entries = read_entries(folder)
    except ValueError as error:
        return [Finding(Change.BAD_MANIFEST, MANIFEST, str(error))]
    findings: list[Finding] = []
    switching = is_switching(folder)
    if switching:
        detail = "替换文件时被中断，新旧文件可能混在一起，请重新生成"
        findings.append(Finding(Change.INTERRUPTED, MANIFEST, detail))
    listed: set[str] = set()
    for entry in entries:
        if not _safe(entry.path):
            findings.append(Finding(Change.BAD_PATH, entry.path))
            continue
        listed.add(entry.path)
        path = folder / entry.path
        if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
            findings.append(Finding(Change.MODIFIED, entry.path, "被替换为符号链接"))
        elif not path.is_file():
            findings.append(Finding(Change.MISSING, entry.path))
        elif path.stat().st_size != entry.bytes or sha256_of(path) != entry.sha256:
            if switching:
                findings.append(Finding(Change.INTERRUPTED, entry.path, "仍是上一次生成的文件"))
            else:
                findings.append(Finding(Change.MODIFIED, entry.path))
    for relative in files_under(folder):
        if relative not in UNLISTED and relative not in listed:
            findings.append(Finding(Change.ADDED, relative))
    return findings


def find_versions(root: Path) -> tuple[list[Path], list[Path]]:
    """Folders under root that hold a manifest (not looked into further: their
    manifest covers them), and leftover staging folders."""
    versions: list[Path] = []
    stages: list[Path] = []
    for folder, dirs, _ in os.walk(root):
        here = Path(folder)
        if (here / MANIFEST).is_file():
            versions.append(here)
            dirs.clear()
            continue
        stages.extend(here / d for d in dirs if is_stage(here / d))
        dirs[:] = sorted(d for d in dirs if not is_stage(here / d))
    return sorted(versions), sorted(stages)
