"""Pages painted as soon as their part is laid out (weasyprint_internals/
paint_ahead.py): the PDF is byte for byte the one painting while writing
gives, the box trees are let go, and a page painting ahead cannot do the same
way stops it for itself and the pages after it, still for the same bytes."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest

from generator.build.pipeline import prepare, style_for
from generator.writers import PartHtml, pdf
from generator.writers.html import pdf_html
from generator.writers.weasyprint_internals.paint_ahead import PaintAhead, PaintedPage
from tests.conftest import WUSHUI
from tests.test_seal import sealed_copy


def _parts() -> tuple[PartHtml, ...]:
    return pdf_html(prepare(WUSHUI)[1], style_for(WUSHUI))


def _written(parts: tuple[PartHtml, ...], folder: Path, ahead: bool, variant: str | None) -> bytes:
    rendered = pdf.render_parts(parts, folder, paint_ahead=ahead)[0]
    out = folder / f"ahead{int(ahead)}.pdf"
    pdf.write_rendered(rendered, out, variant, reuse=False)
    return out.read_bytes()


@pytest.mark.parametrize("variant", [None, "pdf/a-2u"])
def test_painting_ahead_gives_the_same_bytes(tmp_path: Path, variant: str | None) -> None:
    parts = _parts()
    rendered = pdf.render_parts(parts, tmp_path, paint_ahead=True)[0]
    assert all(isinstance(page, PaintedPage) for page in rendered.pages)
    assert all(page._page_box is None for page in rendered.pages)
    assert _written(parts, tmp_path, True, variant) == _written(parts, tmp_path, False, variant)


def test_the_boxes_of_a_part_painted_ahead_are_let_go_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a garbage collection: no reference cycle keeps a table's boxes."""
    boxes: list[weakref.ref[Any]] = []
    render = pdf.render_html_fitted

    def remembered(*args: Any, **kwargs: Any) -> Any:
        rendered, fit = render(*args, **kwargs)
        for page in rendered.pages:
            boxes.extend(weakref.ref(box) for box in page._page_box.descendants())
        return rendered, fit

    monkeypatch.setattr(pdf, "render_html_fitted", remembered)
    gc.collect()
    gc.disable()
    try:
        rendered = pdf.render_parts(_parts(), tmp_path, paint_ahead=True)[0]
        assert len(rendered.pages) > 10 and len(boxes) > 1000
        assert [box() for box in boxes if box() is not None] == []
    finally:
        gc.enable()


def test_a_page_that_needs_a_group_is_painted_while_writing(tmp_path: Path) -> None:
    """Opacity makes a transparency group (an XObject referring to the PDF's
    colour space): the plan's first page and every page after it are left
    to generate_pdf, and the bytes stay the same."""
    parts = list(_parts())
    plan = parts[1]
    body = plan.html.index("<body")
    assert "<p " in plan.html[body:]
    faded = plan.html[:body] + plan.html[body:].replace("<p ", '<p style="opacity: 0.5" ', 1)
    parts[1] = PartHtml(faded, plan.imprint_own_page)
    rendered = pdf.render_parts(tuple(parts), tmp_path, paint_ahead=True)[0]
    painted = [isinstance(page, PaintedPage) for page in rendered.pages]
    first_of_plan = painted.index(False)
    assert first_of_plan >= 1 and not any(painted[first_of_plan:])
    data = _written(tuple(parts), tmp_path, True, None)
    assert b"/Group" in data
    assert data == _written(tuple(parts), tmp_path, False, None)


def test_a_document_painted_ahead_is_written_alike_again(tmp_path: Path) -> None:
    """With its seal picture: each write makes its own image objects."""
    dataset = sealed_copy(tmp_path, "{image: 印章.png, diameter_mm: 42}")
    parts = pdf_html(prepare(dataset)[1], style_for(dataset))
    rendered = pdf.render_parts(parts, tmp_path, paint_ahead=True)[0]
    written = []
    for name in ("first.pdf", "second.pdf"):
        pdf.write_rendered(rendered, tmp_path / name)
        written.append((tmp_path / name).read_bytes())
    assert b"/Subtype /Image" in written[0] or b"/Subtype/Image" in written[0]
    assert written[0] == written[1] == _written(parts, tmp_path, False, None)


def test_kept_parts_are_not_painted_ahead(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        pdf.render_parts(_parts(), tmp_path, keep_as="x", paint_ahead=True)


def test_only_variants_without_pdf_tags_are_painted_ahead() -> None:
    assert PaintAhead.possible(None) and PaintAhead.possible("pdf/a-2u")
    assert not PaintAhead.possible("pdf/ua-1")
    assert not PaintAhead.possible(None, pdf_tags=True)
