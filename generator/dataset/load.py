"""Stage 1, load: read a data set's YAML files, keeping where each value came from.

A data set is a folder: document.yaml, policy.yaml, optional organisation.yaml,
and tables/<name>.yaml, plus the prose templates document.yaml names.
"""

from __future__ import annotations

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


def load_sources(root: Path) -> Sources:
    """Parse every YAML file of the data set; report every unreadable file at once."""
    if not root.is_dir():
        raise DataError([Problem("数据集目录不存在", root)])
    names = [n for n in REQUIRED_FILES]
    names += [n for n in OPTIONAL_FILES if (root / n).exists()]
    names += sorted(f"tables/{p.name}" for p in (root / "tables").glob("*.yaml"))
    files: dict[str, Loaded] = {}
    problems: list[Problem] = []
    for name in names:
        try:
            files[name] = load_yaml(root / name)
        except DataError as error:
            problems.extend(error.problems)
    if problems:
        raise DataError(problems)
    return Sources(root, files)
