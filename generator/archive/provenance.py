"""Which shared template files a build of a data set reads.

The rules are build's own: style.yaml and the Word template unless the data set
has its own, and the prose templates through the same Jinja loader compose
uses (data set first), following {% include %}, {% import %} and {% extends %}.
A template named by a field of document.yaml ends in .j2; so does every prose
template of the data set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from generator.build.pipeline import style_path_for, word_template_for
from generator.compose.document import template_environment
from generator.dataset.validate import Dataset
from generator.paths import shared_templates


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _template_names(dataset: Dataset) -> set[str]:
    named = {s for s in _strings(dataset.document.model_dump()) if s.endswith(".j2")}
    own = {p.relative_to(dataset.root).as_posix() for p in dataset.root.rglob("*.j2")}
    return named | own


def _prose_templates(dataset: Dataset) -> set[Path]:
    """Every template file the prose templates load, wherever it is found."""
    env = template_environment(dataset.root)
    loader = env.loader
    todo = sorted(_template_names(dataset))
    seen: set[str] = set()
    files: set[Path] = set()
    while todo and loader is not None:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source, filename, _ = loader.get_source(env, name)
            referenced = list(meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateError:
            continue  # a missing or broken template fails the build itself
        if filename:
            files.add(Path(filename))
        if None in referenced:  # a computed name: any shared template may be read
            todo.extend(p.relative_to(shared_templates()).as_posix() for p in _shared_j2())
        todo.extend(r for r in referenced if r is not None)
    return files


def _shared_j2() -> list[Path]:
    return sorted(shared_templates().rglob("*.j2"))


def shared_templates_used(dataset: Dataset) -> list[str]:
    """The shared template files a build reads, relative to the shared folder."""
    shared = shared_templates().resolve()
    files = {style_path_for(dataset.root), word_template_for(dataset.root)}
    files |= _prose_templates(dataset)
    used = {p.resolve() for p in files}
    return sorted(p.relative_to(shared).as_posix() for p in used if p.is_relative_to(shared))
