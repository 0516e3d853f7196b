"""The pipeline: load → validate → compute → compose → write DOCX and PDF.

Files are written into a staging folder beside the output folder and moved
into place only when every one of them is complete, so a failed or killed
build never leaves a half-written file where a finished one was.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.build import side
from generator.build.manifest import MANIFEST, SWITCHING, is_switching
from generator.build.staging import (
    discard,
    make_folders,
    new_stage,
    remove_stale_stages,
    signals_held,
    undo,
)
from generator.compose.document import compose
from generator.compose.glyphs import missing_glyphs
from generator.compute import compute
from generator.dataset.doubts import doubts
from generator.dataset.load import load_sources, own_file, own_templates
from generator.dataset.validate import Dataset, validate
from generator.model import Document
from generator.paths import shared_templates
from generator.problems import DataError, Problem, Severity
from generator.style.profile import StyleProfile, load_style

# The writers (python-docx, WeasyPrint: most of the import time) are imported
# by build() only, so that `gongwen check` and `gongwen --help` start fast.


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the output folder
    format: str
    bytes: int
    sha256: str
    pages: int


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    files: tuple[OutputFile, ...]
    warnings: tuple[Problem, ...]


def default_out_dir(dataset_dir: Path) -> Path:
    """output/<office>/<year>/ for data/<office>/<year>/."""
    resolved = dataset_dir.resolve()
    return Path("output") / resolved.parent.name / resolved.name


def style_path_for(dataset_dir: Path) -> Path:
    """The data set's own style.yaml if it has one, else the shared profile."""
    own = own_file(dataset_dir, "style.yaml")
    return own or shared_templates() / "style.yaml"


def style_for(dataset_dir: Path) -> StyleProfile:
    path = style_path_for(dataset_dir)
    try:
        stat = path.stat()
    except OSError:
        return load_style(path)  # reports the missing file as it always has
    return _cached_style(path.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _cached_style(path: Path, mtime_ns: int, size: int) -> StyleProfile:
    """The parsed profile, kept for later builds in the same process (a batch
    worker builds many data sets); a changed file has a new key."""
    return load_style(path)


def word_template_for(dataset_dir: Path) -> Path:
    own = own_file(dataset_dir, "gongwen.docx")
    return own or shared_templates() / "docx" / "gongwen.docx"


def prepare(dataset_dir: Path, strict: bool = False) -> tuple[Dataset, Document, list[Problem]]:
    """Every stage up to the document model; raises DataError with every problem found."""
    dataset = validate(load_sources(dataset_dir))
    computed = compute(dataset)
    style = style_for(dataset_dir)
    document, compose_warnings = compose(dataset, computed, style)
    glyphs = missing_glyphs(document, style, _text_locator(dataset))
    unprintable = [g for g in glyphs if g.severity is Severity.ERROR]
    if unprintable:
        raise DataError(unprintable)
    # The data set's own doubts first: the same warnings gongwen check gives.
    warnings = [*doubts(dataset), *computed.warnings, *compose_warnings, *glyphs]
    if strict and warnings:
        raise DataError([_as_error(w) for w in warnings])
    return dataset, document, warnings


# YAML's short escapes (the others are \xNN, \uNNNN, \UNNNNNNNN).
_YAML_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
    "\f": "\\f", "\r": "\\r", "\x1b": "\\e", "\x85": "\\N", "\xa0": "\\_",
    "\u2028": "\\L", "\u2029": "\\P",
}  # fmt: skip


def _written(char: str) -> str:
    """A pattern for char as a data file may write it: itself or a YAML escape."""
    code = ord(char)
    forms = [char, _YAML_ESCAPES.get(char, char)]
    forms += [f"\\{c}{code:0{n}{case}}" for c, n in (("x", 2), ("u", 4), ("U", 8)) for case in "xX"]
    return "|".join(re.escape(form) for form in forms)


def _text_locator(dataset: Dataset) -> Callable[[str, str], tuple[Path, int] | None]:
    """Where in the data set's own files (its YAML, then its templates) a
    character was written: the first line holding it with the text around it,
    else the first holding it (as itself or as a YAML escape)."""
    files = [loaded.path for loaded in dataset.sources.files.values()]
    files += own_templates(dataset.root)
    lines: dict[Path, list[str]] = {}

    def text_of(path: Path) -> list[str]:
        if path not in lines:
            try:
                lines[path] = path.read_text("utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines[path] = []
        return lines[path]

    def locate(char: str, around: str) -> tuple[Path, int] | None:
        before, _, after = around.partition(char)
        written = f"(?:{_written(char)})"
        for pattern in (re.escape(before) + written + re.escape(after), written):
            found = re.compile(pattern)
            for path in files:
                for number, line in enumerate(text_of(path), start=1):
                    if found.search(line):
                        return path, number
        return None

    return locate


def _as_error(problem: Problem) -> Problem:
    return dataclasses.replace(problem, severity=Severity.ERROR)


def _describe(path: Path, root: Path, fmt: str, pages: int) -> OutputFile:
    data = path.read_bytes()
    return OutputFile(
        path=path.relative_to(root).as_posix(),
        format=fmt,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
    )


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_pdf_and_docx(
    document: Document,
    style: StyleProfile,
    template: Path,
    pdf: Path,
    docx: Path,
    pdf_variant: str | None = None,
) -> int:
    """The PDF, laid out in the side process while this one writes the DOCX;
    its page count. When the PDF's layout had to fit a sealed signature (GB/T
    9704 7.3.5.4), the DOCX is written again with that fit (rarely: a sealed
    notice whose signature just misses the page), so that both files set the
    same spacing on the same paragraphs."""
    from generator.writers import write_parts_later
    from generator.writers.html import pdf_html

    pdf_written = side.beside(write_parts_later, pdf_html(document, style), pdf, pdf_variant)
    try:
        from generator.writers.docx import write_docx  # after the PDF is under way

        write_docx(document, style, template, docx)
    finally:
        written = pdf_written()  # never left writing into a stage being removed
    if written.seal_fit is not None:
        write_docx(document, style, template, docx, written.seal_fit)
    return written.pages


def build(
    dataset_dir: Path,
    out_dir: Path | None = None,
    strict: bool = False,
    pdf_variant: str | None = None,
    ofd: bool = False,
) -> BuildResult:
    """Build the DOCX and PDF (and with ofd the OFD, from the PDF's pages)."""
    _, document, warnings = prepare(dataset_dir, strict)
    style = style_for(dataset_dir)
    out_dir = out_dir or default_out_dir(dataset_dir)
    stem = f"{dataset_dir.resolve().parent.name}-{dataset_dir.resolve().name}"
    if len(f"{stem}.docx".encode()) > 255:  # the longest file name file systems take
        raise DataError([Problem("数据集目录名过长，无法用作输出文件名", dataset_dir)])
    made: list[Path] = []  # removed again if the build fails, when empty
    staged: list[Path] = []  # the staging folder, known here even if a signal follows at once
    try:
        make_folders(out_dir, made)
        remove_stale_stages(out_dir.parent)  # left by killed builds
        # Absolute: the side process writing the PDF may be in another folder.
        stage = new_stage(out_dir.parent.resolve(), staged)
        pdf, docx = stage / f"{stem}.pdf", stage / f"{stem}.docx"
        template = word_template_for(dataset_dir)
        pages = write_pdf_and_docx(document, style, template, pdf, docx, pdf_variant)
        # pages: as gongwen lays the document out (the PDF); Word may differ.
        files: tuple[OutputFile, ...] = (
            _describe(docx, stage, "docx", pages),
            _describe(pdf, stage, "pdf", pages),
        )
        ofd_file = stage / f"{stem}.ofd"
        if ofd:
            from generator.writers.ofd import write_ofd

            write_ofd(pdf, document, ofd_file)
            files += (_describe(ofd_file, stage, "ofd", pages),)
        manifest, switching = stage / MANIFEST, stage / ".manifest-switching"
        listed = [f.__dict__ for f in files]
        _write_json(manifest, {"files": listed})
        _write_json(switching, {SWITCHING: True, "files": listed})
        if is_switching(out_dir):  # an earlier build was killed while swapping
            note = "上次生成在替换文件时中断（新旧文件混在一起），本次已全部重新生成"
            warnings.append(Problem(note, out_dir / MANIFEST, severity=Severity.WARNING))
        # Files are swapped one rename at a time, so a build killed midway
        # leaves new files beside old ones. The new manifest goes first, marked
        # as a switch in progress: verify and the next build then see the mix
        # and which files are still the old ones; the unmarked one goes last.
        os.replace(switching, out_dir / MANIFEST)
        for name in (Path(f.path).name for f in files):
            os.replace(stage / name, out_dir / name)
        if not ofd:  # an earlier build's OFD would no longer match the manifest
            (out_dir / ofd_file.name).unlink(missing_ok=True)
        os.replace(manifest, out_dir / MANIFEST)
        with signals_held():  # the emptied staging folder, never left by Ctrl+C
            discard(stage)
    except BaseException as error:
        undo(staged[0] if staged else None, made, error, out_dir)
        raise
    return BuildResult(out_dir, files, tuple(warnings))
