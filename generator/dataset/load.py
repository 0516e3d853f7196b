"""Stage 1, load: read a data set's YAML files, keeping where each value came from.

A data set is a folder: document.yaml, policy.yaml, optional organisation.yaml,
and tables/<name>.yaml, plus the prose templates document.yaml names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.dataset.yamlio import Loaded, load_yaml
from generator.problems import DataError, Problem

REQUIRED_FILES = ("document.yaml", "policy.yaml")
OPTIONAL_FILES = ("organisation.yaml",)


@dataclass(frozen=True)
class Sources:
    root: Path
    files: dict[str, Loaded]  # keyed by path relative to root, e.g. tables/quota.yaml

    def tables(self) -> dict[str, Loaded]:
        return {
            Path(name).stem: loaded
            for name, loaded in self.files.items()
            if name.startswith("tables/")
        }


def own_file(root: Path, relative: str) -> Path | None:
    """root/relative if the data set has that file, None if it has not.

    A data set's files are read only as regular files reached without a
    symbolic link below root (as publish archives them): a link could make a
    build print any file of the machine, a pipe could make it wait forever."""
    here = root
    for part in Path(relative).parts:
        here = here / part
        if here.is_symlink():
            message = "是符号链接，不能读取（数据集中应放文件本身，不能指向别处）"
            raise DataError([Problem(message, here)])
    if not os.path.lexists(here):
        return None
    if not here.is_file():
        raise DataError([Problem("不是普通文件，不能读取", here)])
    return here


def own_templates(root: Path) -> list[Path]:
    """The data set's prose templates (*.j2), sorted: regular files reached
    without a symbolic link (see own_file)."""
    found: list[Path] = []
    for folder, _, files in os.walk(root):  # never into a linked folder
        for name in files:
            path = Path(folder) / name
            if name.endswith(".j2") and not path.is_symlink() and path.is_file():
                found.append(path)
    return sorted(found)


def load_sources(root: Path) -> Sources:
    """Parse every YAML file of the data set; report every unreadable file at once."""
    if root.is_file():
        message = f"这是一个文件，不是数据集目录；请给出它所在的目录：{root.parent}"
        raise DataError([Problem(message, root)])
    if not root.is_dir():
        raise DataError([Problem("数据集目录不存在", root)])
    names = [n for n in REQUIRED_FILES]
    names += [n for n in OPTIONAL_FILES if os.path.lexists(root / n)]
    tables = root / "tables"
    if tables.is_dir() and not tables.is_symlink():
        names += sorted(f"tables/{p.name}" for p in tables.glob("*.yaml"))
    elif tables.is_symlink():
        names.append("tables")  # reported as a link below
    files: dict[str, Loaded] = {}
    problems: list[Problem] = []
    for name in names:
        try:
            path = own_file(root, name)
            files[name] = load_yaml(path if path is not None else root / name)
        except DataError as error:
            problems.extend(error.problems)
    if problems:
        raise DataError(problems)
    return Sources(root, files)
