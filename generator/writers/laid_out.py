"""The parts of the last document written under each name, as laid out, so that
the next version of the document lays out only the parts that changed (the
editor's preview names each document by its data set).

A part is found by a key made of everything its pages depend on: its HTML
(which holds the stylesheet, derived from the style profile, and inlines every
picture), the HTML with the 版记 on a page of its own, the base URL, the page
it starts on, and the font configuration it is laid out with (an object of its
thread, kept as long as the thread: a face installed since is seen only by a
new process). A part of the same HTML starting on another page is laid out
again: its page numbers, and perhaps the sides its pages fall on, differ.

Only the last version is kept for each name, and only the names of the last
MAX_NAMES documents: a wushui document laid out holds some 3 MB. (The side
process freezes what is left after its first call, build/side.py, so the
parts kept by a first preview are never freed: a few MB, once.)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

MAX_NAMES = 8


class LaidOut:
    def __init__(self) -> None:
        self._by_name: OrderedDict[str, dict[bytes, Any]] = OrderedDict()

    @staticmethod
    def key(*inputs: str | int | None) -> bytes:
        digest = hashlib.sha256()
        for value in inputs:
            data = repr(value).encode("utf-8")
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.digest()

    def last(self, name: str) -> dict[bytes, Any]:
        """The parts kept under name, by key; none when there are none."""
        return self._by_name.get(name, {})

    def keep(self, name: str, parts: dict[bytes, Any]) -> None:
        """parts, by key, as the last version under name (the one before is
        let go), the least recently kept name let go beyond MAX_NAMES."""
        self._by_name.pop(name, None)
        self._by_name[name] = parts
        while len(self._by_name) > MAX_NAMES:
            self._by_name.popitem(last=False)
