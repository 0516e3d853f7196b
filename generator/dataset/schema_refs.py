"""The first line of a data file: which JSON Schema an editor checks it against."""

from __future__ import annotations

import os
from pathlib import Path

from generator.dataset.schema_export import schema_file_name, schema_for_data_file
from generator.paths import shared_templates

PREFIX = "# yaml-language-server: $schema="


def schema_ref(dataset: Path, relative: str) -> str:
    """The reference line for dataset/relative, as a path relative to the file."""
    schema = shared_templates() / "schemas" / schema_file_name(schema_for_data_file(relative))
    here = (dataset / relative).resolve().parent
    return PREFIX + Path(os.path.relpath(schema.resolve(), here)).as_posix()


def with_schema_ref(text: str, dataset: Path, relative: str) -> str:
    line = schema_ref(dataset, relative)
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith(PREFIX):
        lines = lines[1:]
    return line + "\n" + "".join(lines)
