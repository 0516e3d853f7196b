"""A document laid out as the pages of a longer one from a given page on.

The PDF writer lays out each part of a notice (the notice, the plan, each
attachment: each starts on a new page) as a document of its own, and joins the
pages (pdf.py). A part that starts on page n must come out as it does in the
whole document: numbered n, n + 1, … (the page number is a margin box,
css.py), and on the same sides (a left page has the binding margin on the
right and its number on the left; the 版记 asks for a left page).

WeasyPrint starts every document on page 1, a right page. Its pagination
carries, from each page to the next, which side the next page is on and the
page-based counters (weasyprint.layout.initialize_page_maker sets them up for
the first page). ``starting_at(n)`` sets them up as they stand after page
n − 1 of the whole document: the page counter at n − 1 (incremented to n by
the first page, as WeasyPrint increments it for every page) and the first page
on the side page n falls on. Nothing else in a page's layout depends on its
number: every page of a notice has the same size and text width, and the
margins kept at the top of a page after a forced break (between parts) are
kept at the top of a document's first page too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from weasyprint import layout

_LOCK = threading.RLock()  # a module global of WeasyPrint's is replaced: one layout at a time
_initialize_page_maker = layout.initialize_page_maker


@contextmanager
def starting_at(number: int) -> Iterator[None]:
    """Documents laid out while the block runs start on page number."""
    if number < 1:
        raise ValueError(f"page {number}")

    def initialize_page_maker(context: Any, root_box: Any) -> None:
        _initialize_page_maker(context, root_box)
        resume_at, next_page, right_page, page_state, remake_state = context.page_maker[0]
        if number > 1:
            _quote_depth, counter_values, counter_scopes, _page_groups = page_state
            counter_values["page"] = [number - 1]
            counter_scopes[-1].add("page")
        # Sides alternate from the first page's (a right page, left to right).
        right_page = right_page if number % 2 == 1 else not right_page
        context.page_maker[0] = (resume_at, next_page, right_page, page_state, remake_state)

    with _LOCK:
        layout.initialize_page_maker = initialize_page_maker
        try:
            yield
        finally:
            layout.initialize_page_maker = _initialize_page_maker
