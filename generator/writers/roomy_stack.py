"""Deep Python work run on a frame stack with room to spare.

CPython 3.11 keeps the frames of Python calls on a stack of chunks of 16 KB
(``Python/pystate.c``: ``push_chunk``, ``_PyThreadState_PopFrame``). A call
that does not fit in the current chunk gets a new chunk from the operating
system (mmap), and returning from the first frame of a chunk gives it back
(munmap) at once. When a hot call sits right at a chunk boundary, every call
and return maps and unmaps memory: 30 microseconds instead of one. WeasyPrint's
layout recurses deep enough to land there by chance, and where it lands
depends on the size of every frame below (any change to the code can move it):
laying out 2,000 table rows took 6.5 s or 8.5 s depending on it, most of the
difference in ``Box.is_in_normal_flow`` called 100,000 times from
``inline_box_verticality`` right at a boundary.

``roomy_stack`` makes a function run below a frame that claims a large value
stack (``co_stacksize``; its slots are never written, so claiming it costs
nothing): that frame starts a chunk of 1 MB of its own, and the calls made
under it have about half a megabyte of frames before they reach its end,
more than layout and painting use. The chunk is mapped once per call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# Slots (8 bytes each) the calling frame claims: just over 512 KB, so that
# push_chunk, which doubles 16 KB until the frame fits, maps 1 MB.
ROOM_SLOTS = 66_000


def _call(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    return function(*args, **kwargs)


_call.__code__ = _call.__code__.replace(co_stacksize=ROOM_SLOTS)


def roomy_stack(function: Callable[P, R]) -> Callable[P, R]:
    """function, its frames (and those of what it calls) on a fresh chunk of
    1 MB each time it is called."""

    @functools.wraps(function)
    def on_roomy_stack(*args: P.args, **kwargs: P.kwargs) -> R:
        return _call(function, *args, **kwargs)

    return on_roomy_stack
