"""What the PDF writer does for speed must not change the PDF: each shortcut
against the plain WeasyPrint route, byte for byte."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
from weasyprint import HTML

from generator.build import prepare, style_for
from generator.writers.cjk_justify import cjk_justification
from generator.writers.css import stylesheet
from generator.writers.html import to_html
from generator.writers.pdf import _DocumentHTML

ROOT = Path(__file__).resolve().parent.parent
CASES = [("wushui", False), ("wushui", True), ("wuhe", False), ("lidu", False)]


def _html(office: str, own_page: bool) -> str:
    dataset = ROOT / "data" / office / "2024"
    _, document, _ = prepare(dataset)
    style = style_for(dataset)
    return to_html(document, style, stylesheet(style), imprint_own_page=own_page)


def _ua_elements() -> set[str]:
    css = files("generator.writers").joinpath("ua.css").read_text("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = " ".join(re.findall(r"([^{}]*)\{[^{}]*\}", css.split("@page")[0]))
    return set(re.findall(r"(?<![\w:.#\[-])([a-z][a-z0-9]*)\b", selectors))


@pytest.mark.parametrize("office", ["wushui", "wuhe", "lidu"])
def test_user_agent_stylesheet_names_every_element_written(office: str) -> None:
    written = set(re.findall(r"<([a-z][a-z0-9]*)", _html(office, True) + _html(office, False)))
    assert written <= _ua_elements(), written - _ua_elements()


def test_user_agent_stylesheet_check_sees_elements() -> None:
    assert {"p", "td", "br", "span", "colgroup"} <= _ua_elements()
    assert "hidden" not in _ua_elements() and "footnote" not in _ua_elements()


@pytest.mark.parametrize(("office", "own_page"), CASES)
def test_lean_user_agent_stylesheet_gives_the_same_pdf(
    office: str, own_page: bool, tmp_path: Path
) -> None:
    html = _html(office, own_page)
    with cjk_justification():
        full = HTML(string=html, base_url=str(tmp_path)).render().write_pdf()
        lean = _DocumentHTML(string=html, base_url=str(tmp_path)).render().write_pdf()
    assert lean == full


def test_the_kept_font_configuration_gives_the_same_pdf(tmp_path: Path) -> None:
    """pdf.py keeps one font configuration across documents; the second
    document laid out with it is the one a new configuration gives."""
    from generator.writers.pdf import write_html

    lidu, wushui = _html("lidu", False), _html("wushui", False)
    write_html(lidu, None, tmp_path / "first.pdf")  # the fonts warmed by another document
    write_html(wushui, None, tmp_path / "kept.pdf")
    with cjk_justification():
        new = _DocumentHTML(string=wushui, base_url=str(tmp_path)).render().write_pdf()
    assert (tmp_path / "kept.pdf").read_bytes() == new
