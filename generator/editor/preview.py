"""The preview, kept warm: the server imports the pipeline once, keeps its
compiled templates and the PDF side process (build/side.py) between saves, and
lays out only the PDF (the DOCX is written when the clerk asks for it). The
side process keeps each data set's parts as laid out (writers/laid_out.py):
a save lays out again only the parts whose HTML changed, and those after a
part whose page count changed. One preview at a time: the side process serves
one call at a time."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import side
from generator.build.pipeline import prepare, style_for
from generator.editor.workspace import DatasetRef
from generator.model import Heading, Paragraph, PartKind
from generator.problems import DataError, Problem
from generator.writers import write_parts_later


@dataclass
class Preview:
    version: int = 0  # counts finished previews; the page asks for ?v=<version>
    pdf: Path | None = None
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    plan: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) of the plan's body
    seconds: float = 0.0
    parts: int = 0  # the parts of the PDF (each starts on a new page)
    laid_out: tuple[int, ...] = ()  # those laid out for this version, the others were kept


class Previewer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self._previews: dict[str, Preview] = {}

    def current(self, ref: DatasetRef) -> Preview:
        with self.lock:
            return self._previews.get(ref.key) or self._refresh(ref)

    def refresh(self, ref: DatasetRef) -> Preview:
        with self.lock:
            return self._refresh(ref)

    def _refresh(self, ref: DatasetRef) -> Preview:
        started = time.perf_counter()
        old = self._previews.get(ref.key, Preview())
        try:
            _, document, warnings = prepare(ref.path)
        except DataError as error:
            # The last good preview stays; the page says why it is not new.
            preview = Preview(old.version + 1, old.pdf, old.pages, list(error.problems), old.plan)
            self._previews[ref.key] = preview
            return preview
        from generator.writers.html import pdf_html

        parts = pdf_html(document, style_for(ref.path))
        self.folder.mkdir(parents=True, exist_ok=True)
        version = old.version + 1
        key_index = (
            list(self._previews).index(ref.key)
            if ref.key in self._previews
            else len(self._previews)
        )
        target = self.folder / f"preview-{key_index}-{version}.pdf"
        written = side.beside(write_parts_later, parts, target, None, ref.key)()
        if old.pdf is not None and old.pdf != target:
            old.pdf.unlink(missing_ok=True)
        plan = [
            ("heading", f"{b.number}{b.text}" + (b.body or ""))
            if isinstance(b, Heading)
            else ("paragraph", b.text)
            for part in document.parts
            if part.kind is PartKind.PLAN
            for b in part.blocks
            if isinstance(b, Heading | Paragraph)
        ]
        preview = Preview(
            version,
            target,
            written.pages,
            list(warnings),
            plan,
            time.perf_counter() - started,
            len(parts),
            written.laid_out,
        )
        self._previews[ref.key] = preview
        return preview
