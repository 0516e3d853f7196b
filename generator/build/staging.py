"""Staging folders: where files are written before they are moved into place.

Build and publish write into a `.gongwen-XXXXXXXX` folder beside their target
and rename the finished files into place, so a killed process leaves at most a
stale staging folder, never a half-written file where a finished one was.

A staging folder is locked (flock on the folder) by the process that made it
for as long as it lives; the kernel drops the lock when the process dies, so
the next build or publish removes a killed one's folder at once: a folder
whose lock it can take has no owner. The folder is made under another name
(`.gongwen-new-XXXXXXXX`) and renamed once locked, so no other process sees
it unlocked while its owner lives. Without flock (Windows), and for a
`.gongwen-new-` folder of a process killed in that instant, a folder untouched
for STALE_AFTER seconds is stale. Nothing else is ever deleted.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

PREFIX = ".gongwen-"
NEW = "new-"
# Exactly the names tempfile.mkdtemp makes with these prefixes: nothing a person names.
_STAGE_NAME = re.compile(re.escape(PREFIX) + f"(?:{NEW})?" + r"[a-z0-9_]{8}")
STALE_AFTER = 3600.0  # seconds; a build takes seconds, so an older one was killed

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

_locks: dict[Path, int] = {}  # stage -> the open folder holding its lock


def _try_lock(folder: Path) -> int | None:
    """An open descriptor of folder holding an exclusive lock, None if another
    process holds one (or the folder cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def new_stage(parent: Path, into: list[Path] | None = None) -> Path:
    """A new staging folder in parent (made if need be), locked by this process
    until release() (or its exit); also appended to into, while Ctrl+C and
    SIGTERM wait: a signal right after this returns, before the caller has
    stored what it returned, still leaves the caller the folder to remove."""
    parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        made = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        if into is not None:
            into.append(made)
        return made
    # Ctrl+C or SIGTERM wait until the folder is made, locked and named, and
    # then, as the caller never got it, it is removed before they are raised.
    with signals_held() as pending:
        fresh = Path(tempfile.mkdtemp(prefix=PREFIX + NEW, dir=parent))
        fd = None
        try:
            fd = _try_lock(fresh)
            if fd is None:
                raise OSError(f"无法锁定临时目录 {fresh}")
            stage = parent / (PREFIX + fresh.name.removeprefix(PREFIX + NEW))
            os.rename(fresh, stage)  # the lock goes with the folder
            _locks[stage] = fd
            if into is not None:
                into.append(stage)
        except BaseException:
            if fd is not None:
                os.close(fd)
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        if pending:
            discard(stage)
    return stage


def release(stage: Path) -> None:
    """Drop the lock on a staging folder this process made (renamed or removed
    since, or not)."""
    fd = _locks.pop(stage, None)
    if fd is not None:
        os.close(fd)


def discard(stage: Path) -> None:
    """Remove a staging folder this process made, and its lock."""
    shutil.rmtree(stage, ignore_errors=True)
    release(stage)


def is_stage(path: Path) -> bool:
    return _STAGE_NAME.fullmatch(path.name) is not None


def _abandoned(entry: Path, info: os.stat_result, now: float, older_than: float) -> bool:
    if fcntl is None or entry.name.startswith(PREFIX + NEW):
        return now - info.st_mtime >= older_than
    if entry in _locks:  # this process's own
        return False
    fd = _try_lock(entry)
    if fd is None:  # its owner is alive
        return False
    os.close(fd)
    return True


def remove_stale_stages(parent: Path, older_than: float = STALE_AFTER) -> list[Path]:
    """Delete the staging folders in parent whose process has died (or, where
    that cannot be told, untouched for older_than seconds); return them."""
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    now = time.time()
    for entry in parent.iterdir():
        if not is_stage(entry):
            continue
        info = entry.lstat()
        if not stat.S_ISDIR(info.st_mode) or not _abandoned(entry, info, now, older_than):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


@contextlib.contextmanager
def signals_held() -> Iterator[list[int]]:
    """Ctrl+C and SIGTERM wait while cleaning up after a failure (a second
    signal, as a pool sends to its other workers, would stop the cleaning
    halfway); one that came meanwhile is raised afterwards. Only the main
    thread can do this; elsewhere the cleaning is not held."""
    pending: list[int] = []  # yielded: the caller may undo what it was making
    if threading.current_thread() is not threading.main_thread():
        yield pending
        return

    def remember(signum: int, frame: object) -> None:
        pending.append(signum)

    held = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, remember) for signum in held}
    try:
        yield pending
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if pending:
            signal.raise_signal(pending[0])


def undo(stage: Path | None, made: list[Path], error: BaseException, where: Path) -> None:
    """After a failed build or publish: its staging folder and the empty
    folders made for it removed, signals held meanwhile; an error without a
    file name (a full disk, as write() raises it) names where."""
    with signals_held():
        if stage is not None:
            discard(stage)
        remove_if_empty(made)
    if isinstance(error, OSError) and error.filename is None:
        error.filename = str(where)


def make_folders(folder: Path, into: list[Path]) -> None:
    """Make folder and any missing parents, and append the folders made to
    into, deepest first, while Ctrl+C and SIGTERM wait: a signal right after
    this returns still leaves the caller the list of what to remove."""
    missing: list[Path] = []
    here = folder
    while not os.path.lexists(here) and here != here.parent:
        missing.append(here)
        here = here.parent
    with signals_held():
        folder.mkdir(parents=True, exist_ok=True)
        into += missing


def remove_if_empty(folders: list[Path]) -> None:
    """Remove folders (deepest first) that are still empty: ours, made for
    output that never came."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty (or gone): so are its parents
            return


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
