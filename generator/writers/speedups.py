"""Shortcuts through WeasyPrint's PDF writing that leave the PDF byte for byte
as it was (tests/test_pdf_speedups.py checks each against the plain route).

``weasyprint_speedups()`` puts them in place while a document is laid out and
written:

- **No whole copy of each font file.** ``Font.__init__`` copies every face it
  meets into ``file_content`` (a Fandol or Noto CJK face is 2 to 25 MB, some
  60 MB a document), which only a failed subsetting ever embeds. ``_Font``
  reads it from the face when asked, so in practice never.
- **Subsetting from a prepared face.** HarfBuzz subsets a face the faster for
  ``hb_subset_preprocess``, which builds its lookup tables once; the prepared
  face is kept for as long as the process keeps the face (pdf.py keeps one
  font configuration per thread), so every later document's subsetting uses
  it. HarfBuzz documents the output as the same; the tests check it.

WeasyPrint internals relied on (pinned in pyproject.toml; check these when
moving it):
- ``pdf.stream.Font``, the class ``Stream.add_font`` instantiates, looked up
  as a module global; ``pdf.fonts.Font`` sets ``file_content`` once in
  ``__init__`` from ``get_hb_object_data(self.hb_face)`` (a module global of
  ``pdf.fonts``), replaces it after subsetting, and reads it only after;
- ``Font._harfbuzz_subset(to_unicode, hinting)`` subsets ``self.hb_face``
  and reads the face nowhere else;
- ``text.ffi``: ``ffi``, ``harfbuzz`` and ``harfbuzz_subset`` (None without
  libharfbuzz-subset), to which one declaration is added.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from weasyprint.pdf import fonts, stream
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

_LOCK = threading.RLock()  # the shortcuts replace module globals: one document at a time
_state = threading.local()

if harfbuzz_subset is not None:
    ffi.cdef("hb_face_t * hb_subset_preprocess (hb_face_t *source);")


def _face_data(hb_object: Any, ot_color: str | None = None, glyph: int | None = None) -> Any:
    """get_hb_object_data, answering None for the whole face while a _Font
    is being made (it reads the face itself when asked)."""
    if ot_color is None and getattr(_state, "making_font", False):
        return None
    return _get_hb_object_data(hb_object, ot_color, glyph)


_get_hb_object_data = fonts.get_hb_object_data


# Prepared faces by the address of the face they were made from, which each
# entry holds a reference to, so that the address is never reused meanwhile.
_prepared: dict[int, tuple[Any, Any]] = {}


def _prepared_face(hb_face: Any) -> Any:
    key = int(ffi.cast("uintptr_t", hb_face))
    if key not in _prepared:
        source = ffi.gc(harfbuzz.hb_face_reference(hb_face), harfbuzz.hb_face_destroy)
        prepared = ffi.gc(harfbuzz_subset.hb_subset_preprocess(source), harfbuzz.hb_face_destroy)
        _prepared[key] = (source, prepared)
    return _prepared[key][1]


class _Font(fonts.Font):  # type: ignore[misc]
    """WeasyPrint's Font without the copy of the face and subsetting from a
    prepared face (see the module's docstring)."""

    hb_face: Any
    _file_content: bytes | None = None

    def __init__(self, pango_font: Any, description: Any, font_size: float) -> None:
        _state.making_font = True
        try:
            super().__init__(pango_font, description, font_size)
        finally:
            _state.making_font = False

    @property
    def file_content(self) -> bytes:
        if self._file_content is None:
            self._file_content = _get_hb_object_data(self.hb_face)
        return self._file_content

    @file_content.setter
    def file_content(self, content: bytes | None) -> None:
        self._file_content = content

    def _harfbuzz_subset(self, to_unicode: dict[int, str], hinting: bool) -> None:
        face: Any = self.hb_face
        self.hb_face = _prepared_face(face)
        try:
            super()._harfbuzz_subset(to_unicode, hinting)
        finally:
            self.hb_face = face


@contextmanager
def weasyprint_speedups() -> Iterator[None]:
    """The shortcuts in place while the block runs; WeasyPrint work in other
    threads waits until this one is done."""
    with _LOCK:
        saved = stream.Font, fonts.get_hb_object_data
        stream.Font, fonts.get_hb_object_data = _Font, _face_data
        try:
            yield
        finally:
            stream.Font, fonts.get_hb_object_data = saved
