"""`gongwen diff`: what changed between two data sets, e.g. last year's and this year's.

The data (parameters, people, table rows) is compared as loaded, so a data
set still being filled in can be compared; the rendered text needs both data
sets to pass validation, and is left out with a note when one does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.build.pipeline import prepare
from generator.dataset.load import load_sources
from generator.model import Document
from generator.problems import DataError
from generator.yearly.diff.data import Section, data_sections
from generator.yearly.diff.text import TextChange, text_changes


@dataclass(frozen=True)
class Comparison:
    old: Path
    new: Path
    sections: tuple[Section, ...]
    text: tuple[TextChange, ...]
    text_note: str | None  # why the text was not compared, if it was not

    @property
    def count(self) -> int:
        return sum(len(s.changes) for s in self.sections) + len(self.text)


def _document(folder: Path) -> tuple[Document | None, str | None]:
    try:
        _, document, _ = prepare(folder)
    except DataError as error:
        return None, (
            f"{folder} 的数据有 {len(error.problems)} 处错误，正文未比较"
            f"（请先运行 gongwen check {folder}）"
        )
    return document, None


def compare(old: Path, new: Path) -> Comparison:
    sections = data_sections(load_sources(old), load_sources(new))
    old_document, old_note = _document(old)
    new_document, new_note = _document(new)
    text: list[TextChange] = []
    if old_document is not None and new_document is not None:
        text = text_changes(old_document, new_document)
    note = "；".join(n for n in (old_note, new_note) if n) or None
    return Comparison(old, new, tuple(s for s in sections if s.changes), tuple(text), note)
