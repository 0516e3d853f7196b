"""gongwen verify's checks: every version folder against its manifest, every
manifest against the archive's register (register.py), and the register's chain.

Three layers, each catching what the one below cannot:
- a file against its manifest entry: a changed, missing or added file;
- a manifest against the register: a file changed or deleted together with its
  manifest entry, a manifest deleted, a version folder renamed, removed or
  added by hand, a revision number edited;
- the register against its chain, and its head against the one the office
  wrote down: a register rewritten to match.
A folder holding documents but no manifest is a problem too: nothing can tell
whether they are what was built.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.archive.register import REGISTER, Register, find_archive, read, revision_name
from generator.archive.signing import check_folder_signatures
from generator.build.manifest import MANIFEST, check_folder, find_versions, sha256_of
from generator.build.staging import is_stage

DOCUMENTS = (".docx", ".pdf")


@dataclass
class VersionReport:
    folder: Path
    problems: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)  # valid ones: signer and time


@dataclass
class Verification:
    versions: list[VersionReport]
    problems: list[str]  # about the archive as a whole: missing, renamed, the register
    stages: list[Path]
    archive: Path | None  # the folder holding the register
    register: Register | None

    @property
    def broken(self) -> int:
        return sum(1 for v in self.versions if v.problems)

    @property
    def ok(self) -> bool:
        return not self.broken and not self.problems


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _published(data: dict[str, Any]) -> bool:
    """Whether a manifest is a published version's (a build's has only files)."""
    return all(key in data for key in ("office", "year", "document", "revision"))


def _expected_path(data: dict[str, Any]) -> str | None:
    office, year, document, revision = (
        data.get(k) for k in ("office", "year", "document", "revision")
    )
    if not all(isinstance(v, str) for v in (office, year, document)) or not isinstance(
        revision, int
    ):
        return None
    return f"{office}/{year}/{revision_name(str(document), revision)}"


def _documents_without_manifest(root: Path, skip: set[Path]) -> list[Path]:
    """Folders below root (outside those in skip, absolute, and staging folders)
    holding a DOCX or PDF but no manifest."""
    inside = {p.resolve() for p in skip}
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if not is_stage(here / d) and (here / d).resolve() not in inside
        )
        if here.resolve() in inside:
            continue
        if any(name.lower().endswith(DOCUMENTS) for name in files):
            found.append(here)
    return sorted(found)


def _relative(folder: Path, archive: Path) -> str:
    return folder.absolute().relative_to(archive).as_posix()


def verify(root: Path) -> Verification:
    versions, stages = find_versions(root)
    reports = {v: VersionReport(v, [str(f) for f in check_folder(v)]) for v in versions}
    for version, report in reports.items():
        for signature in check_folder_signatures(version):
            (report.signatures if signature.ok else report.problems).append(str(signature))
    problems: list[str] = []
    archive = find_archive(root.absolute())
    register = read(archive) if archive is not None else None
    manifests = {v: _manifest(v) for v in versions}

    for version, data in manifests.items():
        expected = _expected_path(data) if _published(data) else None
        if expected is None:
            continue
        place = _relative(version, archive) if archive else None
        if place != expected and not (place is None and version.name == expected.rsplit("/")[-1]):
            reports[version].problems.append(
                f"目录名与清单不符：清单记载的是 {expected}（目录被改名，或清单被改动）"
            )

    explained: set[Path] = set()
    if archive is not None and register is not None:
        problems.extend(register.problems)
        scope = root.absolute()
        by_place = {_relative(v, archive): v for v in versions}
        by_hash = {sha256_of(v / MANIFEST): v for v in versions if (v / MANIFEST).is_file()}
        registered: set[str] = set()
        for entry in register.entries:
            where = archive / entry.path
            if not where.is_relative_to(scope) and not scope.is_relative_to(where):
                continue
            if entry.path in registered:
                problems.append(f"登记簿第 {entry.number} 条重复登记了 {entry.path}")
            registered.add(entry.path)
            found = by_place.get(entry.path)
            if found is not None:
                if sha256_of(found / MANIFEST) != entry.manifest_sha256:
                    reports[found].problems.append(
                        f"清单与登记簿第 {entry.number} 条不符（文件连同清单被改动过）"
                    )
                continue
            moved = by_hash.get(entry.manifest_sha256)
            if moved is not None:
                explained.add(moved.absolute())
                now = _relative(moved, archive)
                problems.append(f"改名：登记簿第 {entry.number} 条的 {entry.path} 现在是 {now}")
            elif where.is_dir():
                explained.add(where.absolute())
                problems.append(
                    f"清单缺失：{entry.path} 的 manifest.json 被删除（登记簿第 {entry.number} 条）"
                )
            else:
                problems.append(f"缺失：登记簿第 {entry.number} 条的版本 {entry.path} 不存在")
        for place, version in by_place.items():
            if place not in registered and version.absolute() not in explained:
                reports[version].problems.append(
                    f"未登记：登记簿 {REGISTER} 中没有这个版本（不是由 gongwen publish 存入的）"
                )
    elif any(_published(data) for data in manifests.values()):
        problems.append(
            f"没有找到登记簿 {REGISTER}：存档目录中每次发布都会登记；"
            "它不见了，或这些版本是手工复制进来的"
        )

    for folder in _documents_without_manifest(root, {*explained, *versions}):
        problems.append(f"缺少清单：{folder} 中有公文文件，但没有 manifest.json，无法核验")
    if not versions and not problems:
        problems.append(f"{root} 中没有找到带 manifest.json 的版本，没有可核验的内容")
    return Verification(
        sorted(reports.values(), key=lambda r: r.folder), problems, stages, archive, register
    )
