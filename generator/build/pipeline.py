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
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.build import side
from generator.build.staging import remove_stale_stages
from generator.compose.document import compose
from generator.compose.glyphs import missing_glyphs
from generator.compute import compute
from generator.dataset.load import load_sources
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
    own = dataset_dir / "style.yaml"
    return own if own.is_file() else shared_templates() / "style.yaml"


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
    own = dataset_dir / "gongwen.docx"
    return own if own.is_file() else shared_templates() / "docx" / "gongwen.docx"


def prepare(dataset_dir: Path, strict: bool = False) -> tuple[Dataset, Document, list[Problem]]:
    """Every stage up to the document model; raises DataError with every problem found."""
    dataset = validate(load_sources(dataset_dir))
    computed = compute(dataset)
    style = style_for(dataset_dir)
    document, compose_warnings = compose(dataset, computed, style)
    glyphs = missing_glyphs(document, style)
    unprintable = [g for g in glyphs if g.severity is Severity.ERROR]
    if unprintable:
        raise DataError(unprintable)
    warnings = [*computed.warnings, *compose_warnings, *glyphs]
    if strict and warnings:
        raise DataError([_as_error(w) for w in warnings])
    return dataset, document, warnings


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


def build(
    dataset_dir: Path,
    out_dir: Path | None = None,
    strict: bool = False,
    pdf_variant: str | None = None,
) -> BuildResult:
    from generator.writers import write_html_later
    from generator.writers.html import pdf_html

    _, document, warnings = prepare(dataset_dir, strict)
    style = style_for(dataset_dir)
    out_dir = out_dir or default_out_dir(dataset_dir)
    stem = f"{dataset_dir.resolve().parent.name}-{dataset_dir.resolve().name}"
    if len(f"{stem}.docx".encode()) > 255:  # the longest file name file systems take
        raise DataError([Problem("数据集目录名过长，无法用作输出文件名", dataset_dir)])
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_stages(out_dir.parent)  # left by killed builds
    # Absolute: the side process writing the PDF may be in another folder.
    stage = Path(tempfile.mkdtemp(prefix=".gongwen-", dir=out_dir.parent.resolve()))
    try:
        pdf, docx = stage / f"{stem}.pdf", stage / f"{stem}.docx"
        html, imprint_own_page = pdf_html(document, style)
        pdf_written = side.beside(write_html_later, html, imprint_own_page, pdf, pdf_variant)
        try:
            from generator.writers.docx import write_docx  # after the PDF is under way

            write_docx(document, style, word_template_for(dataset_dir), docx)
        finally:
            pages = pdf_written()  # never left writing into a stage being removed
        # pages: as gongwen lays the document out (the PDF); Word may differ.
        files = (_describe(docx, stage, "docx", pages), _describe(pdf, stage, "pdf", pages))
        manifest = stage / "manifest.json"
        manifest.write_text(
            json.dumps({"files": [f.__dict__ for f in files]}, ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        # No manifest while files are swapped, the new one moved last: a manifest
        # always lists exactly the files beside it, never a mix of two builds.
        (out_dir / manifest.name).unlink(missing_ok=True)
        for name in (docx.name, pdf.name, manifest.name):
            os.replace(stage / name, out_dir / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return BuildResult(out_dir, files, tuple(warnings))
