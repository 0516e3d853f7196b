"""What the start page says of each data set: errors, warnings, built,
published (each revision, and whether it still matches its manifest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.build.manifest import MANIFEST, check_folder
from generator.editor import drafts
from generator.editor.workspace import DatasetRef, Workspace


@dataclass(frozen=True)
class Revision:
    name: str
    intact: bool
    findings: tuple[str, ...] = ()


@dataclass
class DatasetStatus:
    ref: DatasetRef
    errors: int = 0
    warnings: int = 0
    first_error: str = ""
    built: bool = False
    revisions: list[Revision] = field(default_factory=list)


def revisions(workspace: Workspace, ref: DatasetRef) -> list[Revision]:
    base = workspace.archive / ref.office / ref.year
    found = []
    if base.is_dir() and not base.is_symlink():
        for folder in sorted(base.iterdir()):
            if (
                folder.is_dir()
                and not folder.name.startswith(".")
                and (folder / MANIFEST).is_file()
            ):
                findings = tuple(str(f) for f in check_folder(folder))
                found.append(Revision(folder.name, not findings, findings))
    return found


def status(workspace: Workspace, ref: DatasetRef) -> DatasetStatus:
    outcome = drafts.evaluate(ref.path)
    errors = [p for p in outcome.problems if p.severity.value == "错误"]
    out = workspace.output_dir(ref)
    return DatasetStatus(
        ref,
        errors=len(errors),
        warnings=len(outcome.problems) - len(errors),
        first_error=str(errors[0]).replace(str(ref.path.resolve()) + "/", "") if errors else "",
        built=(out / MANIFEST).is_file() and not check_folder(out),
        revisions=revisions(workspace, ref),
    )


def previous_year(ref: DatasetRef) -> Path | None:
    if not ref.year.isdigit():
        return None
    folder = ref.path.parent / str(int(ref.year) - 1)
    return folder if (folder / "policy.yaml").is_file() and not folder.is_symlink() else None
