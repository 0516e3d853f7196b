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

import dataclasses
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.archive import register
from generator.archive.provenance import shared_templates_used
from generator.archive.register import REVISION, revision_name
from generator.archive.signing import SIGNATURES, Signer, sign_pdf
from generator.build.manifest import (
    MANIFEST,
    FileEntry,
    describe,
    files_under,
    read_entries,
    sha256_of,
)
from generator.build.pipeline import OutputFile, build
from generator.build.staging import (
    make_folders,
    new_stage,
    release,
    remove_if_empty,
    remove_stale_stages,
    sync_folder,
    sync_tree,
    undo,
)
from generator.dataset.doubts import placeholders
from generator.dataset.load import load_sources
from generator.dataset.validate import Dataset, problem_at, validate
from generator.paths import shared_templates
from generator.problems import DataError, Problem, Severity

# PDF/A-2u: PDF/A-1 cannot hold the CFF-flavoured OpenType fonts (Fandol) the
# PDF embeds; level u guarantees every glyph maps to Unicode, so the archived
# text stays searchable; part 2 rather than 3, as nothing is attached.
PDF_VARIANT = "pdf/a-2u"
DEFAULT_ARCHIVE = Path("archive")
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
    notice, issued = dataset.document.notice, dataset.document.issued
    if notice is not None and notice.number is not None:
        name = str(notice.number)
    else:
        assert issued is not None  # validate: every shape has a date of issue
        name = issued.isoformat()
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


def _refuse_placeholders(dataset: Dataset) -> None:
    """A published version is final: no 待填写, no □ (a lost character), even
    without --strict."""
    found = placeholders(dataset)
    if found:
        what = f"数据集中还有 {len(found)} 处占位文字或缺损的字（待填写、□），填写或补正后才能发布"
        errors = [dataclasses.replace(p, severity=Severity.ERROR) for p in found]
        raise DataError([Problem(what, dataset.root), *errors])


def _has_outputs(folder: Path, signer: Signer | None, ofd: bool) -> bool:
    """Whether a published version has what is asked now besides its inputs: a
    signature by signer's certificate, an OFD file."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        signed_by = {str(s["certificate_sha256"]) for s in manifest.get(SIGNATURES, [])}
        has_ofd = any(str(f["path"]).endswith(".ofd") for f in manifest["files"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return False
    return (signer is None or signer.certificate_sha256 in signed_by) and (has_ofd or not ofd)


def publish(
    dataset_dir: Path,
    archive_dir: Path = DEFAULT_ARCHIVE,
    strict: bool = False,
    signer: Signer | None = None,
    ofd: bool = False,
) -> Published:
    """Publish the data set's document; signer signs its PDF, ofd adds an OFD.
    The latest revision counts as the same when it has these inputs and, if a
    signer is given, was signed with the same certificate."""
    dataset_dir = dataset_dir.resolve()
    office, year = _names(dataset_dir)
    if archive_dir.resolve().is_relative_to(dataset_dir):
        raise DataError([Problem("存档目录不能位于数据集目录之中", archive_dir)])
    dataset = validate(load_sources(dataset_dir))
    name = version_name(dataset)
    sources = source_files(dataset, office, year)
    _refuse_placeholders(dataset)
    wanted = _entries(sources)

    base = archive_dir / office / year
    existing = revisions(base, name)
    latest = max(existing, default=0)
    if (
        latest
        and _archived_sources(existing[latest]) == wanted
        and _has_outputs(existing[latest], signer, ofd)
    ):
        folder = existing[latest]
        files = len(read_entries(folder))
        return Published(folder, latest, False, files, _unregistered(archive_dir, folder))

    made: list[Path] = []  # removed again if publishing fails, when empty
    staged: list[Path] = []  # the staging folder, known here even if a signal follows at once
    try:
        make_folders(base, made)
        remove_stale_stages(base)
        stage = new_stage(base, staged)
        for rel, path in sources.items():
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, stage / rel)
        # Build from the copy, so the archived data is exactly what was built;
        # then make sure nothing changed while it was copied or built.
        copy = stage / DATA / office / year
        try:
            result = build(copy, stage, strict, pdf_variant=PDF_VARIANT, ofd=ofd)
        except DataError as error:  # name the data set's files, not the copy's
            raise DataError(list(_in_place(error.problems, copy, dataset_dir))) from None
        result = dataclasses.replace(result, warnings=_in_place(result.warnings, copy, dataset_dir))
        if _entries({rel: stage / rel for rel in sources}) != wanted or _entries(sources) != wanted:
            raise DataError([Problem("数据集或模板在发布过程中被修改，请重新发布", dataset_dir)])
        revision = latest + 1
        signatures = [_sign(stage, f, signer) for f in result.files if signer and f.format == "pdf"]
        _write_manifest(stage, result.files, name, office, year, revision, signatures)
        sync_tree(stage)
        target = base / revision_name(name, revision)
        try:
            os.rename(stage, target)  # refuses to replace a non-empty folder
        except OSError:
            message = f"{target} 已存在（可能同时有另一次发布），请重新发布"
            raise DataError([Problem(message)]) from None
        sync_folder(base)
        release(stage)
    except BaseException as error:
        undo(staged[0] if staged else None, made, error, base)
        raise
    try:
        signers = tuple(s["signer"] for s in signatures)
        register.append(archive_dir, target, sha256_of(target / MANIFEST), signers)
    except BaseException:  # a version not in the register was never published
        shutil.rmtree(target, ignore_errors=True)
        remove_if_empty(made)
        raise
    files = len(read_entries(target))
    return Published(target, revision, True, files, result.warnings)


def _sign(stage: Path, pdf: OutputFile, signer: Signer) -> dict[str, str]:
    """Sign the built PDF in place; what the manifest records of the signature."""
    signed_at = sign_pdf(stage / pdf.path, signer)
    return {
        "file": pdf.path,
        "signer": signer.name,
        "certificate_sha256": signer.certificate_sha256,
        "signed_at": signed_at,
    }


def _unregistered(archive_dir: Path, folder: Path) -> tuple[Problem, ...]:
    """A warning if folder is missing from the register (a publish killed
    between its rename and its registration, or a folder put there by hand)."""
    entries = register.read(archive_dir)
    place = folder.relative_to(archive_dir).as_posix()
    if entries is not None and any(e.path == place for e in entries.entries):
        return ()
    message = (
        f"版本 {folder} 不在登记簿 {register.REGISTER} 中（上次发布可能在登记前被中断，"
        "或是手工放入的），请运行 gongwen verify 检查"
    )
    return (Problem(message, severity=Severity.WARNING),)


def _in_place(problems: Sequence[Problem], copy: Path, dataset_dir: Path) -> tuple[Problem, ...]:
    """problems about the staged copy of the data set, naming its own files
    (or the shared templates) instead."""
    staged_templates = copy.parents[2] / "templates"  # <stage>/source/templates

    def moved(problem: Problem) -> Problem:
        file = problem.file
        if file is None:
            return problem
        for staged, real in ((copy, dataset_dir), (staged_templates, shared_templates())):
            if file.is_relative_to(staged):
                return dataclasses.replace(problem, file=real / file.relative_to(staged))
        return problem

    return tuple(moved(p) for p in problems)


def _write_manifest(
    stage: Path,
    outputs: tuple[OutputFile, ...],
    name: str,
    office: str,
    year: str,
    revision: int,
    signatures: list[dict[str, str]] | None = None,
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
    if signatures:
        manifest[SIGNATURES] = signatures
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (stage / MANIFEST).write_text(text, encoding="utf-8")
