"""What the start of a gongwen process loads, and how."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys


def test_the_cli_starts_without_loading_the_pipeline() -> None:
    """`gongwen --help` (and the start of every command) imports no writer,
    WeasyPrint, python-docx, pydantic or Jinja2: commands import them in run()."""
    heavy = ("generator.build", "weasyprint", "docx", "pydantic", "jinja2", "tqdm")
    code = f"import sys, generator.cli; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_archive_default_of_the_commands_is_the_archive_modules() -> None:
    from generator.archive import DEFAULT_ARCHIVE
    from generator.commands import publish, verify

    assert publish.ARCHIVE == verify.ARCHIVE == str(DEFAULT_ARCHIVE)


def test_weasyprint_is_loaded_with_its_libraries_and_the_lookup_restored() -> None:
    """generator/writers/__init__.py answers WeasyPrint's library lookups
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
