"""The package layout tells the pipeline: few loose modules, a docstring per
package, imports running one way (commands on top, the model and problems at
the bottom), WeasyPrint's internals touched in one sub-package only, and
docs/architecture.md naming every package in the order data flows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"

# Bottom to top: a module may import from its own entry or from entries below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "model", "problems", "paths"),
    ("dataset",),
    ("style",),
    ("compute",),
    ("compose",),
    ("writers",),
    ("build",),
    ("archive", "yearly", "lint"),
    ("importer",),
    ("editor",),
    ("daemon",),
    ("commands",),
    ("cli",),
)
# The order in which docs/architecture.md must name the packages: data flow.
DATA_FLOW = ("dataset", "style", "compute", "compose", "writers", "build", "archive", "yearly")
LOOSE_NOT_COUNTED = {"__init__.py", "__main__.py", "cli.py"}
WEASYPRINT_LIBRARIES = ("weasyprint", "pydyf", "cssselect2")
INTERNALS = PACKAGE / "writers" / "weasyprint_internals"


def _layer(entry: str) -> int:
    for index, names in enumerate(LAYERS):
        if entry in names:
            return index
    raise AssertionError(f"generator/{entry} is in no layer of tests/test_architecture.py")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _entry(path: Path) -> str:
    """The top-level package or loose module of generator/ that path belongs to."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported(path: Path) -> set[str]:
    """Absolute names of the modules path imports, at its top or in a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            if node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_at_most_six_loose_modules() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in LOOSE_NOT_COUNTED]
    assert len(loose) <= 6, loose


def test_every_package_says_its_job() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        docstring = ast.get_docstring(ast.parse(init.read_text("utf-8")))
        assert docstring and len(docstring) > 40, f"{init} has no docstring saying its job"


def test_imports_run_one_way() -> None:
    upward = []
    for path in _modules():
        here = _layer(_entry(path))
        for name in _imported(path):
            parts = name.split(".")
            if parts[0] != "generator" or len(parts) < 2:
                continue
            target = parts[1]
            if not (PACKAGE / target).is_dir() and not (PACKAGE / f"{target}.py").is_file():
                continue  # a name imported from generator/__init__.py, e.g. __version__
            if target != _entry(path) and _layer(target) >= here:
                upward.append(f"{path.relative_to(ROOT)} imports {name}")
    assert upward == []


def test_every_entry_of_the_package_has_a_layer() -> None:
    for path in PACKAGE.iterdir():
        if path.name != "__pycache__" and (path.is_dir() or path.suffix == ".py"):
            _layer(path.name.removesuffix(".py"))


def test_weasyprint_internals_are_touched_in_one_place() -> None:
    outside = []
    for path in _modules():
        if INTERNALS in path.parents:
            continue
        for name in _imported(path):
            if name.split(".")[0] in WEASYPRINT_LIBRARIES:
                outside.append(f"{path.relative_to(ROOT)} imports {name}")
    assert outside == []


def test_the_internals_package_names_the_pins_and_every_module() -> None:
    docstring = ast.get_docstring(ast.parse((INTERNALS / "__init__.py").read_text("utf-8"))) or ""
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    for library in WEASYPRINT_LIBRARIES:
        pinned = re.search(rf'"{library}==([\d.]+)"', pyproject)
        assert pinned, library
        assert f"{pinned.group(1)}" in docstring, f"{library} {pinned.group(1)} not named"
    for module in INTERNALS.iterdir():
        if module.suffix in (".py", ".css") and module.name != "__init__.py":
            assert f"{module.name}" in docstring, f"{module.name} not listed"


def test_architecture_names_every_package_in_data_flow_order() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    for name in packages:
        assert f"`generator/{name}/`" in text, f"docs/architecture.md does not name {name}"
    places = [text.index(f"`generator/{name}/`") for name in DATA_FLOW]
    assert places == sorted(places)
