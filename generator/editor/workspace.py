"""The served folder: the data sets under it, and every path kept inside it.

A data set is a folder with document.yaml and policy.yaml, named
<office>/<year>/ below the served folder. Requests name files by their place
in a data set; a name that would leave the folder, or pass through a symbolic
link (as publish refuses them), is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.problems import DataError, Problem

MARKERS = ("document.yaml", "policy.yaml")
FORM_FILES = ("document.yaml", "policy.yaml", "organisation.yaml")
# A file of a data set the editor may write: the three YAML files, a table,
# or a prose template (*.md.j2) directly in the data set.
_EDITABLE = re.compile(r"(document|policy|organisation)\.yaml|tables/[^/\\]+\.yaml|[^/\\]+\.md\.j2")
_NAME = re.compile(r"[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,99}")


class OutsideError(Exception):
    """A path that leaves the data folder or passes through a link."""


def _no_links(root: Path, path: Path) -> None:
    relative = path.relative_to(root)
    here = root
    for part in relative.parts:
        here = here / part
        if here.is_symlink():
            raise OutsideError(str(relative))


def inside(root: Path, relative: str) -> Path:
    """root/relative, refused if it leaves root or passes through a symlink."""
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative:
        raise OutsideError(relative)
    parts = relative.replace("\\", "/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise OutsideError(relative)
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()):
        raise OutsideError(relative)
    _no_links(root, path)
    return path


@dataclass(frozen=True)
class DatasetRef:
    office: str
    year: str
    path: Path

    @property
    def key(self) -> str:
        return f"{self.office}/{self.year}"


class Workspace:
    def __init__(self, root: Path, archive: Path, output: Path) -> None:
        self.root = root.resolve()
        self.archive = archive
        self.output = output

    def datasets(self) -> list[DatasetRef]:
        found = []
        for office in sorted(self.root.iterdir()) if self.root.is_dir() else []:
            if office.is_symlink() or not office.is_dir() or office.name.startswith("."):
                continue
            for year in sorted(office.iterdir()):
                if year.is_symlink() or not year.is_dir():
                    continue
                if all((year / m).is_file() and not (year / m).is_symlink() for m in MARKERS):
                    found.append(DatasetRef(office.name, year.name, year))
        return found

    def dataset(self, office: str, year: str) -> DatasetRef:
        if not _NAME.fullmatch(office) or not _NAME.fullmatch(year):
            raise OutsideError(f"{office}/{year}")
        path = inside(self.root, f"{office}/{year}")
        if not all((path / m).is_file() for m in MARKERS):
            raise DataError(
                [Problem("找不到这个数据集（目录中应有 document.yaml 和 policy.yaml）", path)]
            )
        for marker in MARKERS:
            _no_links(self.root, path / marker)
        return DatasetRef(office, year, path)

    def file(self, ref: DatasetRef, name: str) -> Path:
        """A file of the data set the editor may read and write."""
        if not _EDITABLE.fullmatch(name):
            raise OutsideError(name)
        return inside(self.root, f"{ref.office}/{ref.year}/{name}")

    def new_dataset_dir(self, office: str, year: str) -> Path:
        if not _NAME.fullmatch(office) or not re.fullmatch(r"\d{4}", year):
            raise OutsideError(f"{office}/{year}")
        return inside(self.root, f"{office}/{year}")

    def output_dir(self, ref: DatasetRef) -> Path:
        return self.output / ref.office / ref.year
