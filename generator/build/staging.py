"""Staging folders: where files are written before they are moved into place.

Build and publish write into a `.gongwen-XXXXXXXX` folder beside their target
and rename the finished files into place, so a killed process leaves at most a
stale staging folder, never a half-written file where a finished one was.
Stale ones are removed later; nothing else is ever deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

PREFIX = ".gongwen-"
# Exactly the names tempfile.mkdtemp(prefix=PREFIX) makes: nothing a person names.
_STAGE_NAME = re.compile(re.escape(PREFIX) + r"[a-z0-9_]{8}")
STALE_AFTER = 3600.0  # seconds; a build takes seconds, so an older one was killed


def new_stage(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))


def is_stage(path: Path) -> bool:
    return _STAGE_NAME.fullmatch(path.name) is not None


def remove_stale_stages(parent: Path, older_than: float = STALE_AFTER) -> list[Path]:
    """Delete staging folders in parent untouched for older_than seconds; return them.

    A younger one may belong to a build still running, so it is left alone."""
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    now = time.time()
    for entry in parent.iterdir():
        if not is_stage(entry):
            continue
        info = entry.lstat()
        if not stat.S_ISDIR(info.st_mode) or now - info.st_mtime < older_than:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def sync_tree(root: Path) -> None:
    """Flush every file and folder under root to disk, so that a rename that
    publishes it is not followed, after a power cut, by empty files."""
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        sync_folder(Path(folder))


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
