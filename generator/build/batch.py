"""Batches: every data set below a folder, built in parallel, unchanged ones skipped.

A data set is a folder holding document.yaml and policy.yaml. Each one is
built where a single build puts it (output/<office>/<year>/, or under
--out DIR/<office>/<year>/), by a pool of worker processes, one per core.

A data set is skipped when nothing its documents depend on has changed since
its last build. Its input fingerprint is a sha256 over the sorted relative
paths and contents of every file of the data set, of the shared templates
(notice wording, style profile, Word template), of the generator's own source
files, and over the package version and the --strict flag. After a build by
`gongwen build` (batch or single) the fingerprint is written to `.inputs` in
the output folder (atomically, after the build has moved its files into place)
together with the sha256 of the manifest.json it goes with. A data set is up
to date when the recorded fingerprint is today's, the manifest is the recorded
one and every file it lists is there with the listed sha256: if anything else
(generator.build.pipeline.build called directly, a person) has changed the output
folder since, the data set is built again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import multiprocessing.context
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from generator import __version__
from generator.build.staging import signals_held
from generator.paths import shared_templates
from generator.problems import DataError, Problem

MARKERS = ("document.yaml", "policy.yaml")
FINGERPRINT_FILE = ".inputs"
MANIFEST = "manifest.json"
_PACKAGE = Path(__file__).resolve().parent.parent  # generator/


class Outcome(StrEnum):
    BUILT = "已生成"
    SKIPPED = "未变，跳过"
    FAILED = "失败"


@dataclass(frozen=True)
class Item:
    """What became of one data set of a batch."""

    dataset: Path
    out_dir: Path
    outcome: Outcome
    pages: int = 0
    warnings: tuple[Problem, ...] = ()
    errors: tuple[Problem, ...] = ()


@dataclass
class Summary:
    items: list[Item] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for item in self.items if item.outcome is outcome)

    @property
    def failed(self) -> bool:
        return self.count(Outcome.FAILED) > 0


# --- finding data sets ---


def is_dataset(folder: Path) -> bool:
    return all((folder / name).is_file() for name in MARKERS)


def find_datasets(root: Path) -> list[Path]:
    """Every data set at or below root, sorted; hidden folders are left out and
    a data set's own subfolders (tables/) are not searched."""
    if is_dataset(root):
        return [root]
    found: list[Path] = []
    for folder, subfolders, _ in os.walk(root):
        here = Path(folder)
        if here != root and is_dataset(here):
            found.append(here)
            subfolders.clear()
            continue
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
    return sorted(found)


def out_dir_for(dataset: Path, out_root: Path | None) -> Path:
    """output/<office>/<year>/, or <out_root>/<office>/<year>/."""
    resolved = dataset.resolve()
    return (out_root or Path("output")) / resolved.parent.name / resolved.name


# --- fingerprints ---


def _files(root: Path) -> Iterator[Path]:
    """Regular files below root, hidden files and folders, editor lock files
    (~$name) and __pycache__ left out."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [n for n in subfolders if not n.startswith(".") and n != "__pycache__"]
        for name in names:
            if name.startswith((".", "~$")):
                continue
            yield Path(folder) / name


def _digest_tree(digest: hashlib._Hash, label: str, root: Path) -> None:
    for path in sorted(_files(root), key=lambda p: p.relative_to(root).as_posix()):
        if path.is_symlink() or not path.is_file():  # never followed: the build refuses it
            data = b"link or special file: " + os.fsencode(
                os.readlink(path) if path.is_symlink() else ""
            )
        else:
            data = path.read_bytes()
        name = f"{label}/{path.relative_to(root).as_posix()}".encode()
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)))
        digest.update(data)


def shared_fingerprint(strict: bool = False) -> str:
    """sha256 over what every data set depends on: the shared templates, the
    generator's files (its source, and data such as writers/ua.css), its
    version and --strict."""
    digest = hashlib.sha256()
    digest.update(f"gongwen {__version__} strict={strict}\n".encode())
    _digest_tree(digest, "templates", shared_templates())
    _digest_tree(digest, "generator", _PACKAGE)
    return digest.hexdigest()


def input_fingerprint(dataset: Path, strict: bool = False, shared: str | None = None) -> str:
    """sha256 over everything a data set's documents depend on (see the module
    doc); shared: shared_fingerprint(strict), when already known."""
    digest = hashlib.sha256()
    digest.update((shared or shared_fingerprint(strict)).encode())
    _digest_tree(digest, "dataset", dataset)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_up_to_date(out_dir: Path, fingerprint: str) -> bool:
    """Whether out_dir holds the outputs of a build from inputs with this fingerprint."""
    try:
        recorded = json.loads((out_dir / FINGERPRINT_FILE).read_text("utf-8"))
        if recorded.get("inputs") != fingerprint:
            return False
        if recorded.get("manifest") != _sha256(out_dir / MANIFEST):
            return False
        manifest = json.loads((out_dir / MANIFEST).read_text("utf-8"))
        return all(
            _sha256(out_dir / entry["path"]) == entry["sha256"] for entry in manifest["files"]
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def record_fingerprint(out_dir: Path, fingerprint: str) -> None:
    """Write .inputs for the build just finished, atomically (a temporary file
    renamed over the old one)."""
    record = {"inputs": fingerprint, "manifest": _sha256(out_dir / MANIFEST)}
    temporary = out_dir / f"{FINGERPRINT_FILE}.{os.getpid()}.tmp"
    with signals_held():  # Ctrl+C never leaves the temporary file behind
        temporary.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, out_dir / FINGERPRINT_FILE)


# --- building ---

_Job = tuple[Path, Path, bool, str | None]  # data set, output folder, strict, fingerprint
# With one worker, a batch of up to this many data sets is built in this
# process (its side process writing each PDF), where starting a pool of
# processes would cost more than it saves.
IN_PROCESS_UP_TO = 40
# A pool worker makes way for a fresh one once it holds this much more memory
# than when it started. An ordinary notice leaves a worker some 40 MB larger
# after its first build, and some 78 MB after 200 (the subsets and streams it
# keeps to reuse, 16 MB at most, and what WeasyPrint and Pango keep), so it
# builds hundreds; one with thousands of table rows leaves glibc's heap near
# its peak (2,000 villages: 125 MB more), and its worker is replaced, so that
# a batch stays as small as its largest build.
RETIRE_AFTER_GROWTH_MB = 96
_PRELOAD = (
    "generator.build.batch",
    "generator.build.pipeline",
    "generator.writers.docx",
    "generator.writers.pdf",
)


def build_recorded(
    dataset: Path, out_dir: Path, strict: bool = False, fingerprint: str | None = None
) -> Item:
    """Build one data set and record its input fingerprint (computed here unless
    given); never raises for a bad data set: its problems are in the item."""
    from generator.build.pipeline import build

    try:
        # Taken before the build: an input edited during the build makes the
        # recorded fingerprint stale, so the next batch builds it again.
        if fingerprint is None:
            with contextlib.suppress(OSError):  # an unreadable file: build() reports it
                fingerprint = input_fingerprint(dataset, strict)
        result = build(dataset, out_dir, strict=strict)
        if fingerprint is not None:
            record_fingerprint(out_dir, fingerprint)
    except DataError as error:
        return Item(dataset, out_dir, Outcome.FAILED, errors=tuple(error.problems))
    except Exception as error:  # a bug or a system error: the other data sets still build
        message = f"内部错误（{type(error).__name__}）：{error}"
        return Item(dataset, out_dir, Outcome.FAILED, errors=(Problem(message, dataset),))
    pages = max((file.pages for file in result.files), default=0)
    return Item(dataset, out_dir, Outcome.BUILT, pages, warnings=result.warnings)


def default_workers() -> int:
    """One worker per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def run_batch(
    datasets: Sequence[Path],
    out_root: Path | None = None,
    *,
    strict: bool = False,
    force: bool = False,
    workers: int | None = None,
    on_item: Callable[[Item], None] | None = None,
) -> Summary:
    """Build the data sets that changed (all of them with force), `workers`
    at a time; on_item is called in this process as each one is done."""
    summary = Summary()

    def done(item: Item) -> None:
        summary.items.append(item)
        if on_item is not None:
            on_item(item)

    todo: list[_Job] = []
    owners: dict[Path, Path] = {}
    shared = shared_fingerprint(strict)
    for dataset in datasets:
        out_dir = out_dir_for(dataset, out_root)
        owner = owners.setdefault(out_dir.resolve(), dataset)
        if owner != dataset:
            clash = Problem(f"与数据集 {owner} 的输出目录相同：{out_dir}，未生成", dataset)
            done(Item(dataset, out_dir, Outcome.FAILED, errors=(clash,)))
            continue
        try:
            fingerprint: str | None = input_fingerprint(dataset, strict, shared)
        except OSError:  # an unreadable file: the build reports it
            fingerprint = None
        if not force and fingerprint and is_up_to_date(out_dir, fingerprint):
            done(Item(dataset, out_dir, Outcome.SKIPPED))
        else:
            todo.append((dataset, out_dir, strict, fingerprint))

    workers = min(workers or default_workers(), len(todo))
    if len(todo) <= 1 or (workers == 1 and len(todo) <= IN_PROCESS_UP_TO):
        for job in todo:  # here: a pool's start-up would cost more than it saves
            done(build_recorded(*job))
    else:
        for item in _in_pool(todo, workers):
            done(item)
    summary.items.sort(key=lambda item: str(item.dataset))
    return summary


def _pool_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server that has imported the pipeline and
    the writers once (spawned ones where there is no fork server)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(_PRELOAD))
    return context


_started_with_mb: float | None = None  # in a pool worker: its memory when it started


def resident_mb() -> float | None:
    """This process's resident memory in MB, where /proc tells it (Linux)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _start_worker() -> None:
    """A pool worker's start: its memory noted, and SIGTERM made to unwind (its
    build removes its staging folder and the empty folders it made). The pool
    sends SIGTERM to every worker when one dies, as one does when Ctrl+C
    reaches it between two data sets."""
    global _started_with_mb
    _started_with_mb = resident_mb()

    def unwind(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, unwind)


def _build_in_worker(
    dataset: Path, out_dir: Path, strict: bool, fingerprint: str | None
) -> tuple[Item, float]:
    """build_recorded in a pool worker, and how many MB the worker has grown
    by since it started (0 where that is not known)."""
    item = build_recorded(dataset, out_dir, strict, fingerprint)
    now = resident_mb()
    if now is None or _started_with_mb is None:
        return item, 0.0
    return item, now - _started_with_mb


# The worker was killed: the data set's folder holds either its old files or
# the new ones (they are moved into place whole), but which is not known here.
_CRASHED = "生成进程意外退出（内存不足或被终止），未能确认是否已生成，请重新运行"


def _in_pool(todo: Sequence[_Job], workers: int) -> Iterator[Item]:
    """The items in the order they are finished, built by `workers` processes.

    A pool takes data sets as its workers come free, until one of its workers
    has grown by RETIRE_AFTER_GROWTH_MB or has died; then it finishes the ones
    it has and a fresh pool takes the rest. (ProcessPoolExecutor cannot
    replace one worker on its own: its max_tasks_per_child hangs on Python 3.11
    once a worker retires.)"""
    context = _pool_context()
    waiting = deque(todo)
    while waiting:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker
        ) as pool:
            yield from _until_retired(pool, waiting, workers)


def _until_retired(pool: ProcessPoolExecutor, waiting: deque[_Job], workers: int) -> Iterator[Item]:
    """The items of the data sets pool builds from waiting (taken from it),
    one more handed to it than it has workers, until it should retire."""
    running: dict[Future[tuple[Item, float]], _Job] = {}
    retire = False
    try:
        while running or (waiting and not retire):
            while waiting and not retire and len(running) <= workers:
                try:
                    running[pool.submit(_build_in_worker, *waiting[0])] = waiting[0]
                except BrokenProcessPool:  # a worker died since the last result
                    retire = True
                else:
                    waiting.popleft()
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                dataset, out_dir, _, _ = running.pop(future)
                try:
                    item, grown = future.result()
                except BrokenProcessPool:
                    retire = True
                    problem = Problem(_CRASHED, dataset)
                    yield Item(dataset, out_dir, Outcome.FAILED, errors=(problem,))
                    continue
                retire = retire or grown >= RETIRE_AFTER_GROWTH_MB
                yield item
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def describe(item: Item) -> list[str]:
    """Lines for a person about one data set: what happened, then its problems."""
    if item.outcome is Outcome.BUILT:
        head = f"已生成：{item.dataset} → {item.out_dir}（{item.pages} 页）"
    elif item.outcome is Outcome.SKIPPED:
        head = f"未变，跳过：{item.dataset}（{item.out_dir}）"
    else:
        head = f"失败：{item.dataset}（{len(item.errors)} 处错误）"
    return [head, *(f"  {problem}" for problem in (*item.errors, *item.warnings))]
