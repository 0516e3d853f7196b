"""roomy_stack: a function run below a frame that claims a large value stack
(CPython 3.11 then gives it a chunk of frames of its own, so deep work does
not map and unmap a chunk at every call across a boundary), with its result,
its exceptions and its name unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from generator.writers import pdf
from generator.writers.roomy_stack import ROOM_SLOTS, _call, roomy_stack


def test_the_calling_frame_claims_half_a_megabyte() -> None:
    assert _call.__code__.co_stacksize == ROOM_SLOTS
    assert 8 * ROOM_SLOTS > 512 * 1024


def test_a_function_on_the_roomy_stack_returns_and_raises_as_it_would() -> None:
    def plain_depth(n: int, *, step: int = 1) -> int:
        if n < 0:
            raise ValueError(n)
        return 0 if n == 0 else step + plain_depth(n - 1, step=step)

    depth = roomy_stack(plain_depth)
    assert depth(400, step=2) == 800
    assert depth.__name__ == "plain_depth"
    with pytest.raises(ValueError):
        depth(-1)


def test_the_pdf_writer_lays_out_and_writes_on_it() -> None:
    functions: tuple[Any, ...] = (pdf.render_parts, pdf.write_rendered)
    for function in functions:
        assert function.__code__ is not function.__wrapped__.__code__
