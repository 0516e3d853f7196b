"""The work of an earlier PDF reused where a later one would do it again, for
the same bytes: font subsets and compressed streams, found by what they are
made from.

Writing subsets every face of the document (HarfBuzz) and compresses every
page and every subset (zlib, level 9): a third of the write. A process that
writes many PDFs does much of it again: the editor's preview writes the
document after every save, most of its pages and glyphs unchanged; a batch's
offices, and a warm server's builds, share their template's wording, so
headings, page numbers and whole pages come out the same. ``reused_work()``
keeps, while the block runs, and across blocks:

- **font subsets**, by the face (its ``head`` table, which holds the
  checksum of the whole font file, its table directory with each table's
  length, and its index in a collection), the glyphs kept, and the two flags
  ``Font._harfbuzz_subset`` passes on (hinting, and whether an outline for
  missing glyphs is kept): ``_harfbuzz_subset`` sets ``file_content`` to the
  subset HarfBuzz makes of them, and does nothing else;
- **compressed streams**, by their bytes: what ``zlib.compressobj(level=9)``
  makes of the bytes given to one ``compress`` call and the ``flush`` after
  it, which is how pydyf's ``Stream.data`` compresses.

Both are bounded (``MAX_KEPT_BYTES`` each, the least recently used let go).
The WeasyPrint and pydyf internals relied on are listed in __init__.py.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import pydyf
from weasyprint.pdf import fonts
from weasyprint.text.ffi import ffi, harfbuzz

MAX_KEPT_BYTES = 8 * 2**20
_LOCK = threading.RLock()  # module globals of WeasyPrint's and pydyf's are replaced


class _Kept:
    """Bytes by key, the least recently used let go beyond MAX_KEPT_BYTES."""

    def __init__(self) -> None:
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # used from the writer's thread pool
        self.hits = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        if len(value) > MAX_KEPT_BYTES // 4:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._size += len(value)
            while self._size > MAX_KEPT_BYTES:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


subsets = _Kept()
compressed = _Kept()
_harfbuzz_subset: Callable[..., None] = fonts.Font._harfbuzz_subset
_HEAD = harfbuzz.hb_tag_from_string(b"head", -1)
_MAX_TABLES = 64


def _face_identity(hb_face: Any) -> bytes:
    """The face's head table, then each table's tag and length: the head's
    checksum adjustment makes the whole file's checksum come out right, so
    another file has another one, and a font tool that left it stale would
    still have had to keep every table's length. b"" without a head table."""
    head = _table(hb_face, _HEAD)
    if not head:
        return b""
    count = ffi.new("unsigned int *", _MAX_TABLES)
    tags = ffi.new(f"hb_tag_t[{_MAX_TABLES}]")
    total = harfbuzz.hb_face_get_table_tags(hb_face, 0, count, tags)
    directory = [(tag, _table_length(hb_face, tag)) for tag in tags[0 : count[0]]]
    return head + repr((total, directory)).encode()


def _table_length(hb_face: Any, tag: int) -> int:
    blob = harfbuzz.hb_face_reference_table(hb_face, tag)
    try:
        return int(harfbuzz.hb_blob_get_length(blob))
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _table(hb_face: Any, tag: int) -> bytes:
    blob = harfbuzz.hb_face_reference_table(hb_face, tag)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return bytes(ffi.buffer(data, length[0])) if length[0] else b""
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _kept_subset(font: Any, to_unicode: dict[int, str], hinting: bool) -> None:
    """Font._harfbuzz_subset, its result taken as made before when it was."""
    identity = _face_identity(font.hb_face)
    if not identity:  # no head table to know the face by
        _harfbuzz_subset(font, to_unicode, hinting)
        return
    key = (identity, font.index, tuple(sorted(to_unicode)), bool(hinting), bool(font.missing))
    content = subsets.get(key)
    if content is None:
        _harfbuzz_subset(font, to_unicode, hinting)
        subsets.put(key, font.file_content)
    else:
        font.file_content = content


class _Compressor:
    """zlib.compressobj(level=9) for pydyf's one compress call and flush: the
    whole output at the flush, made before when the same bytes were."""

    def __init__(self) -> None:
        self._data = b""

    def compress(self, data: bytes) -> bytes:
        self._data += data
        return b""

    def flush(self) -> bytes:
        key = hashlib.sha256(self._data).digest()
        made = compressed.get(key)
        if made is None:
            compressor = zlib.compressobj(level=9)
            made = compressor.compress(self._data) + compressor.flush()
            compressed.put(key, made)
        return made


class _Zlib:
    """pydyf's zlib: compressobj(level=9) kept, the rest zlib's own."""

    def compressobj(self, level: int = -1, *args: Any, **kwargs: Any) -> Any:
        if level == 9 and not args and not kwargs:
            return _Compressor()
        return zlib.compressobj(level, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


@contextmanager
def reused_work() -> Iterator[None]:
    """Subsets and compressed streams kept and reused while the block runs."""
    with _LOCK:
        fonts.Font._harfbuzz_subset = _kept_subset
        pydyf.zlib = _Zlib()
        try:
            yield
        finally:
            fonts.Font._harfbuzz_subset = _harfbuzz_subset
            pydyf.zlib = zlib
