"""A new office's data set, from the shared scaffold (templates/scaffold/).

The scaffold's files are rendered with [[ ]] delimiters, so the {{ }} and
{% %} of the build-time templates inside them pass through untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.build.staging import (
    discard,
    make_folders,
    new_stage,
    release,
    remove_if_empty,
    remove_stale_stages,
)
from generator.dataset.schema_refs import with_schema_ref
from generator.paths import shared_templates
from generator.problems import DataError, Problem

_ENV = ImmutableSandboxedEnvironment(
    variable_start_string="[[",
    variable_end_string="]]",
    block_start_string="[%",
    block_end_string="%]",
    comment_start_string="[#",
    comment_end_string="#]",
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def document_prefix(name: str) -> str:
    """A first guess at the 发文机关代字: 示例镇 → 示政发 (the editor corrects it)."""
    return f"{name[0]}政发"


def scaffold(target: Path, name: str, year: int) -> list[Path]:
    """Write a complete, valid data set for office `name` and year `year`."""
    if target.exists() and any(target.iterdir()):
        raise DataError([Problem("目录已存在且不为空，未做任何改动", target)])
    source = shared_templates() / "scaffold"
    context = {"name": name, "year": year, "prefix": document_prefix(name)}
    made: list[Path] = []  # removed again if this fails, when empty
    staged: list[Path] = []  # the staging folder, known here even if a signal follows at once
    try:
        make_folders(target.parent, made)
        remove_stale_stages(target.parent)  # left by a killed init or new-year
        stage = new_stage(target.parent, staged)
        written = []
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            relative = path.relative_to(source).as_posix()
            text = _ENV.from_string(path.read_text(encoding="utf-8")).render(context)
            if relative.endswith(".yaml"):
                text = with_schema_ref(text, target, relative)
            out = stage / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            written.append(target / relative)
        if target.exists():
            target.rmdir()  # empty: checked above
        os.replace(stage, target)
        release(stage)
    except BaseException:
        if staged:
            discard(staged[0])
        remove_if_empty(made)
        raise
    return written
