"""What the start of a gongwen process loads, and how."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_cli_starts_without_loading_the_pipeline() -> None:
    """`gongwen --help` (and the start of every command) imports no writer,
    WeasyPrint, python-docx, pydantic or Jinja2: commands import them in run()."""
    heavy = ("generator.build.pipeline", "weasyprint", "docx", "pydantic", "jinja2", "tqdm")
    code = f"import sys, generator.cli; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_console_command_asks_the_warm_server_before_loading_anything() -> None:
    """`gongwen build` first asks the warm server (generator/daemon/client.py)
    to run it: until then it has loaded neither the commands nor argparse,
    typing, json or dataclasses."""
    heavy = (
        "argparse",
        "typing",
        "json",
        "dataclasses",
        "generator.problems",
        "generator.commands",
        "generator.build",
    )
    code = (
        "import sys, generator.cli, generator.daemon.client\n"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_archive_default_of_the_commands_is_the_archive_modules() -> None:
    from generator.archive.publish import DEFAULT_ARCHIVE
    from generator.commands import publish, verify

    assert publish.ARCHIVE == verify.ARCHIVE == str(DEFAULT_ARCHIVE)


def test_weasyprint_is_loaded_with_its_libraries_and_the_lookup_restored() -> None:
    """generator/writers/weasyprint_internals/fastload.py answers WeasyPrint's library lookups
    without subprocesses: every library it needs, HarfBuzz's subsetter (fast
    font subsetting) included, is still loaded, and ctypes is left as it was."""
    code = (
        "import ctypes.util, sys; original = ctypes.util.find_library\n"
        "import generator.writers.pdf\n"
        "from weasyprint.text import ffi\n"
        "libraries = (ffi.gobject, ffi.pango, ffi.harfbuzz, ffi.harfbuzz_subset,"
        " ffi.fontconfig, ffi.pangoft2)\n"
        "print(all(lib is not None for lib in libraries), ctypes.util.find_library is original)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "True"]
    assert ctypes.util.find_library("c") is not None  # this process's lookup works as ever


def test_with_a_side_process_the_builder_never_imports_weasyprint(tmp_path: Path) -> None:
    """The PDF is laid out in the side process (generator/build/side.py), which
    imports WeasyPrint while this one composes the document and writes the DOCX."""
    from generator.build import side

    if not side._free_core():
        pytest.skip("needs two cores and fork")
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from generator.build import side\nside.start()\n"
        "from generator.build.pipeline import build\n"
        f"result = build(Path('data/wushui/2024'), Path({str(tmp_path)!r}))\n"
        "print('weasyprint' in sys.modules, sorted(f.format for f in result.files))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False ['docx', 'pdf']"
    assert (tmp_path / "wushui-2024.pdf").read_bytes().startswith(b"%PDF-")


def test_the_side_process_loads_no_pipeline_and_no_pydantic() -> None:
    """What the side process imports (the PDF writer) and what it unpickles
    (writers.write_parts_later, strings) need neither pydantic nor the pipeline:
    it is ready to lay out while the caller is still composing."""
    heavy = (
        "pydantic",
        "generator.style.profile",
        "generator.build.pipeline",
        "generator.compose",
        "docx",
    )
    code = (
        "import sys, pickle, generator.writers.pdf\n"
        "from generator.writers import write_parts_later\n"
        "pickle.loads(pickle.dumps(write_parts_later))\n"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_fonttools_subsetter_is_loaded_only_when_used() -> None:
    """fastload.py makes WeasyPrint's import of fontTools' subsetter lazy:
    loaded on first use, whole."""
    code = (
        "import sys, generator.writers.pdf\n"
        "module = sys.modules['fontTools.subset']\n"
        "print(type(module).__name__)\n"
        "from weasyprint.pdf.fonts import subset\n"
        "print(subset.Options().retain_gids, type(module).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.split() == ["_LazyModule", "False", "module"]
