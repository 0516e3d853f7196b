"""gongwen publish: keep the published version of a document for good.

archive/<office>/<year>/<文号 or issue date>/ holds the DOCX, the PDF as PDF/A,
source/ (the data set and the shared templates it was built from, byte for
byte) and manifest.json (size and sha256 of every file, the gongwen version).
A version is never changed once written: changed inputs make a new revision
beside it (<文号>-修订2, -修订3, ...); inputs identical to the latest revision
publish nothing. A version is assembled in a staging folder beside its target
and renamed into place whole.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.archive.provenance import shared_templates_used
from generator.build.manifest import (
    MANIFEST,
    FileEntry,
    describe,
    files_under,
    read_entries,
    sha256_of,
)
from generator.build.pipeline import OutputFile, build
from generator.build.staging import new_stage, remove_stale_stages, sync_folder, sync_tree
from generator.dataset.load import load_sources
from generator.dataset.validate import Dataset, problem_at, validate
from generator.paths import shared_templates
from generator.problems import DataError, Problem

# PDF/A-2u: PDF/A-1 cannot hold the CFF-flavoured OpenType fonts (Fandol) the
# PDF embeds; level u guarantees every glyph maps to Unicode, so the archived
# text stays searchable; part 2 rather than 3, as nothing is attached.
PDF_VARIANT = "pdf/a-2u"
DEFAULT_ARCHIVE = Path("archive")
REVISION = "-修订"
DATA = "source/data"
TEMPLATES = "source/templates"
_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')  # not in a folder name, on any system


@dataclass(frozen=True)
class Published:
    folder: Path
    revision: int
    created: bool  # False: the latest revision already has exactly these inputs
    files: int
    warnings: tuple[Problem, ...] = ()


def version_name(dataset: Dataset) -> str:
    """The version's folder name: the 文号, else the issue date; refused if it
    could not be a single folder name (a 文号 is free text in the data)."""
    notice = dataset.document.notice
    name = str(notice.number) if notice.number else notice.date.isoformat()
    bad = _UNSAFE.search(name)
    problem = None
    if bad:
        problem = f"发文字号“{name}”含有不能用作目录名的字符“{bad.group()!r}”"
    elif name.startswith(".") or len(name.encode()) > 200:
        problem = f"发文字号“{name}”不能用作目录名（以“.”开头或过长）"
    if problem:
        loaded = dataset.sources.files["document.yaml"]
        raise DataError([problem_at(loaded, ("notice", "number"), problem)])
    return name


def revision_name(name: str, revision: int) -> str:
    return name if revision == 1 else f"{name}{REVISION}{revision}"


def revisions(base: Path, name: str) -> dict[int, Path]:
    """The revisions of name already in base, by number."""
    pattern = re.compile(re.escape(name) + f"(?:{re.escape(REVISION)}([2-9]|[1-9][0-9]+))?")
    found: dict[int, Path] = {}
    if base.is_dir():
        for entry in base.iterdir():
            match = pattern.fullmatch(entry.name)
            if match and entry.is_dir():
                found[int(match.group(1) or 1)] = entry
    return found


def _regular_files(root: Path, what: str) -> list[str]:
    """Every file under root, relative; a symlink or special file is refused, as
    the archive must hold the bytes themselves, and nothing from elsewhere."""
    found = files_under(root)
    for relative in found:
        path = root / relative
        if path.is_symlink() or not path.is_file():
            kind = "符号链接" if path.is_symlink() else "特殊文件"
            raise DataError([Problem(f"{what}中的“{relative}”是{kind}，不能收入存档", path)])
    return found


def source_files(dataset: Dataset, office: str, year: str) -> dict[str, Path]:
    """Archive path -> the file it copies: the whole data set, and the shared
    templates its build reads."""
    sources = {
        f"{DATA}/{office}/{year}/{rel}": dataset.root / rel
        for rel in _regular_files(dataset.root, "数据集")
    }
    templates = shared_templates()
    sources |= {f"{TEMPLATES}/{rel}": templates / rel for rel in shared_templates_used(dataset)}
    return sources


def _entries(sources: dict[str, Path]) -> set[FileEntry]:
    return {FileEntry(rel, path.stat().st_size, sha256_of(path)) for rel, path in sources.items()}


def _archived_sources(folder: Path) -> set[FileEntry]:
    try:
        entries = read_entries(folder)
    except ValueError as error:
        message = f"已有存档 {folder} 的{error}，请先运行 gongwen verify 检查"
        raise DataError([Problem(message)]) from None
    return {e for e in entries if e.path.startswith("source/")}


def _names(dataset_dir: Path) -> tuple[str, str]:
    office, year = dataset_dir.parent.name, dataset_dir.name
    if not office or not year:
        raise DataError([Problem("数据集目录应位于“<单位>/<年度>/”下", dataset_dir)])
    return office, year


def publish(
    dataset_dir: Path, archive_dir: Path = DEFAULT_ARCHIVE, strict: bool = False
) -> Published:
    dataset_dir = dataset_dir.resolve()
    office, year = _names(dataset_dir)
    if archive_dir.resolve().is_relative_to(dataset_dir):
        raise DataError([Problem("存档目录不能位于数据集目录之中", archive_dir)])
    dataset = validate(load_sources(dataset_dir))
    name = version_name(dataset)
    sources = source_files(dataset, office, year)
    wanted = _entries(sources)

    base = archive_dir / office / year
    existing = revisions(base, name)
    latest = max(existing, default=0)
    if latest and _archived_sources(existing[latest]) == wanted:
        return Published(existing[latest], latest, False, len(read_entries(existing[latest])))

    remove_stale_stages(base)
    stage = new_stage(base)
    try:
        for rel, path in sources.items():
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, stage / rel)
        # Build from the copy, so the archived data is exactly what was built;
        # then make sure nothing changed while it was copied or built.
        result = build(stage / DATA / office / year, stage, strict, pdf_variant=PDF_VARIANT)
        if _entries({rel: stage / rel for rel in sources}) != wanted or _entries(sources) != wanted:
            raise DataError([Problem("数据集或模板在发布过程中被修改，请重新发布", dataset_dir)])
        revision = latest + 1
        _write_manifest(stage, result.files, name, office, year, revision)
        sync_tree(stage)
        target = base / revision_name(name, revision)
        try:
            os.rename(stage, target)  # refuses to replace a non-empty folder
        except OSError:
            message = f"{target} 已存在（可能同时有另一次发布），请重新发布"
            raise DataError([Problem(message)]) from None
        sync_folder(base)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    files = len(read_entries(target))
    return Published(target, revision, True, files, result.warnings)


def _write_manifest(
    stage: Path, outputs: tuple[OutputFile, ...], name: str, office: str, year: str, revision: int
) -> None:
    extra = {f.path: {"format": f.format, "pages": f.pages} for f in outputs}
    (stage / MANIFEST).unlink(missing_ok=True)  # build's own, replaced by this one
    files = []
    for rel in files_under(stage):
        entry = describe(stage, rel)
        files.append(
            {"path": rel, "bytes": entry.bytes, "sha256": entry.sha256, **extra.get(rel, {})}
        )
    manifest = {
        "gongwen": __version__,
        "office": office,
        "year": year,
        "document": name,
        "revision": revision,
        "pdf_variant": PDF_VARIANT,
        "files": files,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (stage / MANIFEST).write_text(text, encoding="utf-8")
