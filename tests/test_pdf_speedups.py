"""What the PDF writer does for speed must not change the PDF: each shortcut
against the plain WeasyPrint route, byte for byte."""

from __future__ import annotations

import gc
import os
import re
import threading
from importlib.resources import files
from pathlib import Path
from xml.etree import ElementTree

import pytest
from weasyprint import HTML
from weasyprint.pdf import fonts
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data

from generator.build.pipeline import prepare, style_for
from generator.writers.css import stylesheet
from generator.writers.html import _cdata, to_html
from generator.writers.pdf import write_html
from generator.writers.weasyprint_internals import kept_layouts, reuse, shared_pango, speedups
from generator.writers.weasyprint_internals.cjk_justify import cjk_justification
from generator.writers.weasyprint_internals.document import DocumentHTML
from generator.writers.weasyprint_internals.speedups import weasyprint_speedups

ROOT = Path(__file__).resolve().parent.parent
CASES = [("wushui", False), ("wushui", True), ("wuhe", False), ("lidu", False), ("yunxi", False)]


def _dataset(office: str) -> Path:
    """The office's data set (its latest year)."""
    return max((ROOT / "data" / office).iterdir())


def _html(office: str, own_page: bool) -> str:
    dataset = _dataset(office)
    _, document, _ = prepare(dataset)
    style = style_for(dataset)
    return to_html(document, style, stylesheet(style), imprint_own_page=own_page)


def _ua_elements() -> set[str]:
    css = files("generator.writers.weasyprint_internals").joinpath("ua.css").read_text("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = " ".join(re.findall(r"([^{}]*)\{[^{}]*\}", css.split("@page")[0]))
    return set(re.findall(r"(?<![\w:.#\[-])([a-z][a-z0-9]*)\b", selectors))


@pytest.mark.parametrize("office", ["wushui", "wuhe", "lidu", "yunxi"])
def test_user_agent_stylesheet_names_every_element_written(office: str) -> None:
    written = set(re.findall(r"<([a-z][a-z0-9]*)", _html(office, True) + _html(office, False)))
    assert written <= _ua_elements(), written - _ua_elements()


def test_user_agent_stylesheet_check_sees_elements() -> None:
    assert {"p", "td", "br", "span", "colgroup"} <= _ua_elements()
    assert "hidden" not in _ua_elements() and "footnote" not in _ua_elements()


_plain_pdfs: dict[tuple[str, bool], bytes] = {}


def _plain_pdf(office: str, own_page: bool, base: Path) -> bytes:
    """The PDF of WeasyPrint's own route: its HTML5 parser, its user-agent
    stylesheet, its fonts code (only the justification is ours)."""
    if (office, own_page) not in _plain_pdfs:
        with cjk_justification():
            rendered = HTML(string=_html(office, own_page), base_url=str(base)).render()
            _plain_pdfs[office, own_page] = rendered.write_pdf()
    return _plain_pdfs[office, own_page]


@pytest.mark.parametrize(("office", "own_page"), CASES)
def test_xml_parse_and_lean_user_agent_stylesheet_give_the_same_pdf(
    office: str, own_page: bool, tmp_path: Path
) -> None:
    html = _html(office, own_page)
    with cjk_justification():
        ours = DocumentHTML(html, str(tmp_path)).render().write_pdf()
    assert ours == _plain_pdf(office, own_page, tmp_path)


@pytest.mark.parametrize(("office", "own_page"), CASES)
def test_speedups_give_the_same_pdf(office: str, own_page: bool, tmp_path: Path) -> None:
    html = _html(office, own_page)
    with weasyprint_speedups(), cjk_justification():
        ours = HTML(string=html, base_url=str(tmp_path)).render().write_pdf()
    assert ours == _plain_pdf(office, own_page, tmp_path)


def test_no_whole_font_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only subsets come out of HarfBuzz: every face used is megabytes."""
    read: list[int] = []
    monkeypatch.setattr(reuse, "subsets", reuse._Kept())  # every face subset here

    def recorded(*args: object) -> bytes:
        data: bytes = get_hb_object_data(*args)
        read.append(len(data))
        return data

    monkeypatch.setattr(speedups, "_get_hb_object_data", recorded)
    write_html(_html("wushui", False), None, tmp_path / "out.pdf")
    assert read and max(read) < 1_000_000, read


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no thread pool")
def test_streams_are_compressed_once_each_in_the_pool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made: list[tuple[int, bool]] = []
    stream_data = speedups._stream_data

    def recorded(stream: object) -> bytes:
        made.append((id(stream), threading.current_thread() is threading.main_thread()))
        data: bytes = stream_data(stream)
        return data

    monkeypatch.setattr(speedups, "_stream_data", recorded)
    write_html(_html("lidu", False), None, tmp_path / "out.pdf")
    assert len({stream for stream, _ in made}) == len(made)  # none twice
    in_main = [stream for stream, main in made if main]
    assert len(in_main) == 2, in_main  # the object and xref streams PDF.write makes as it writes


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no thread pool")
def test_fonts_are_subset_once_each_in_the_pool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    subset_in_main: list[bool] = []
    subset = fonts.Font.subset

    def recorded(font: fonts.Font, *args: object) -> None:
        subset_in_main.append(threading.current_thread() is threading.main_thread())
        subset(font, *args)

    monkeypatch.setattr(fonts.Font, "subset", recorded)
    write_html(_html("wushui", False), None, tmp_path / "out.pdf")
    assert len(subset_in_main) >= 5 and not any(subset_in_main), subset_in_main


def test_no_full_garbage_collection_while_a_pdf_is_laid_out_and_written(tmp_path: Path) -> None:
    """The young generations are collected, the full collection waits (and the
    thresholds are given back). With the objects there frozen, the old
    generation emptied and low thresholds, any growth would otherwise start
    full collections."""
    saved = gc.get_threshold()
    thresholds = (100, 1, 1)
    started: list[int] = []
    html = _html("wushui", False)

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.freeze()
    gc.collect()
    gc.set_threshold(*thresholds)
    gc.callbacks.append(record)
    try:
        write_html(html, None, tmp_path / "out.pdf")
        after = gc.get_threshold()
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*saved)
        gc.unfreeze()
    assert 0 in started and 2 not in started, started
    assert after == thresholds


def test_markup_is_well_formed_xml_even_with_cdata_ends_in_the_css() -> None:
    style = ElementTree.fromstring("<style>" + _cdata('a[title="]]>"] {}') + "</style>")
    assert style.text == '/**/a[title="]]>"] {}/**/'


def test_the_kept_font_configuration_gives_the_same_pdf(tmp_path: Path) -> None:
    """pdf.py keeps one font configuration across documents; the second
    document laid out with it is the one a new configuration gives."""
    lidu, wushui = _html("lidu", False), _html("wushui", False)
    write_html(lidu, None, tmp_path / "first.pdf")  # the fonts warmed by another document
    write_html(wushui, None, tmp_path / "kept.pdf")
    with cjk_justification():
        new = DocumentHTML(wushui, str(tmp_path)).render().write_pdf()
    assert (tmp_path / "kept.pdf").read_bytes() == new


def test_used_lengths_match_weasyprints_beyond_what_the_notices_use() -> None:
    """_resolve_percentages replicates WeasyPrint's for lengths the notices'
    CSS does not use: percentages, calc(), box-sizing, auto heights,
    collapsed table borders, a page box."""
    html = """<style>
      @page { size: 150mm 100mm; margin: 5% 10mm calc(5mm + 2%) }
      body { margin: 2% }
      div { width: 60%; padding: 1% 3mm; margin: calc(1% + 2px) auto;
            min-height: 10%; max-width: calc(100% - 20px); border: 2px solid }
      .bb { box-sizing: border-box; height: 30px; min-width: 10% }
      .pb { box-sizing: padding-box; height: 50%; max-height: 40px }
      table { border-collapse: collapse; width: 80% }
      td { border: 1px solid; padding: 2%; width: 30% }
    </style>
    <div>甲<div class="bb">乙</div><div class="pb">丙</div></div>
    <table><tr><td>一</td><td>二</td></tr></table>"""
    plain = HTML(string=html).write_pdf()
    with weasyprint_speedups():
        ours = HTML(string=html).write_pdf()
    assert ours == plain


def test_styles_cascaded_once_per_shared_style_match_weasyprints() -> None:
    """_StyleFor gives the computed styles WeasyPrint's gives, beyond what the
    notices' CSS uses: pseudo-elements of elements that share a style,
    style attributes, layers, !important, user-agent rules, inheritance from
    parents that differ, counters, elements that share a style but whose
    one rule matches them for different pseudo-elements."""
    html = """<style>
      @layer base, top;
      @layer top { td { color: green } }
      @layer base { td { color: red; font-weight: bold } }
      body { counter-reset: n; font-size: 11pt }
      td { border: 1px solid; padding: 2px !important }
      td::before { counter-increment: n; content: counter(n) ". " }
      td.x::after { content: "*"; color: blue }
      tr:nth-child(2n) td { background: #eee }
      li::marker { color: orange }
      x-a::before, x-b::after { content: "+" }
      .big { font-size: 14pt } .big td { padding: 1px }
    </style>
    <table><tr><td>一</td><td class="x">二</td></tr><tr><td>三</td><td class="x">四</td></tr>
      <tr><td style="color: purple">五</td><td class="x" style="padding: 5px">六</td></tr></table>
    <div class="big"><table><tr><td>七</td><td class="x">八</td></tr></table></div>
    <ol><li>甲</li><li style="font-size: 9pt">乙</li><li>丙</li></ol>
    <p><x-a>一</x-a><x-b>二</x-b><x-b>三</x-b><x-a>四</x-a></p>"""
    plain = HTML(string=html).write_pdf()
    with weasyprint_speedups():
        ours = HTML(string=html).write_pdf()
    assert ours == plain


def test_text_layouts_from_shared_pango_objects_match_weasyprints() -> None:
    """shared_pango's Layout.setup and strut give WeasyPrint's glyphs beyond
    what the notices' CSS uses: languages and their override, right to left,
    decorations, font features and variations, sizes and line heights
    (calc() among them, which strut's own cache takes), ::first-line fonts,
    tabs, ex and ch units; and they share: one Pango context per direction
    and language, whatever the number of text boxes."""
    html = """<style>
      body { font-size: 12pt; line-height: 1.5 }
      .u { text-decoration: underline } .s { text-decoration: line-through overline }
      .f { font-feature-settings: "kern" 0; font-variant-east-asian: full-width }
      .c { font-variant-caps: small-caps } .v { font-variation-settings: "wght" 500 }
      .o { font-language-override: "JAN" } .k { font-weight: bold; font-style: italic }
      .l1 { line-height: normal } .l2 { line-height: 20px } .l3 { line-height: 150% }
      .l4 { line-height: calc(1em + 2px); font-size: 15pt } .x { margin-left: 2ex; width: 30ch }
      .sp { letter-spacing: 1px; word-spacing: 3px } pre { tab-size: 4 }
      p.first::first-line { font-size: 16pt; font-weight: bold }
    </style>
    <p lang="zh">中文一行 <span class="u">下划线</span> <span class="s">删除线</span></p>
    <p lang="en" class="f">English text, kerning off AV <span class="c">Small Caps</span></p>
    <p lang="ja" class="v">日本語のテキスト <span class="o">上書き</span> <b class="k">粗斜</b></p>
    <p dir="rtl" lang="ar">مرحبا بالعالم 123</p>
    <p class="l1">一</p><p class="l2">二</p><p class="l3">三</p><p class="l4">四 <span>五</span></p>
    <div class="x sp">宽度 with words and spaces</div>
    <pre>a\tb\tc</pre>
    <p class="first">首行字体不同的一段，文字足够长以便折行，折到第二行去看看是否一致。</p>"""
    plain = HTML(string=html).write_pdf()
    font_config = FontConfiguration()
    with weasyprint_speedups():
        ours = HTML(string=html).write_pdf(font_config=font_config)
    assert ours == plain
    shared = shared_pango._shared[font_config]
    languages = {None, "zh", "en", "ja", "jpn"}  # JAN is ISO "jpn"
    assert set(shared.contexts) == {("ltr", lang) for lang in languages} | {("rtl", "ar")}
    assert len(shared.descriptions) >= 5 and len(shared.struts) >= 5


KEPT_LAYOUTS_HTML = (
    """<style>
  @page { size: 120mm 80mm; margin: 10mm }
  body { font-size: 11pt }
  .j { text-align: justify } .h { hyphens: auto } .ws { word-spacing: 4px; letter-spacing: 1px }
  .e { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; width: 20mm }
  .n { width: 8mm } p.first::first-line { font-weight: bold }
  table { border-collapse: collapse } td { border: 1px solid; padding: 1px }
</style>
<p lang="en" class="h j">A paragraph long enough to wrap, with hyphenation of extraordinarily
  lengthy words and justified lines between its words, again and again.</p>
<p class="ws">Spaced words and letters 字 间 距</p>
<pre>一行\n二行\r\n三行\u2029四行</pre>
<div class="e">A line cut short with an ellipsis at its end</div>
<div class="n">Unbreakable-overflowing-word 溢出</div>
<p class="first">首行另有样式，这一段足够长以便折到第二行，第二行的样式与首行不同。</p>
<p dir="rtl" lang="ar">مرحبا بالعالم</p>
<table><thead><tr><td>表头</td><td>重复</td></tr></thead>
  <tbody>"""
    + "".join(f"<tr><td>村{i}</td><td>{i * 37}</td></tr>" for i in range(40))
    + """
  </tbody></table>"""
)


def test_text_boxes_drawn_with_kept_layouts_match_weasyprints() -> None:
    """kept_layouts draws a text box with the Pango layout it was laid out
    with only where a new one would give the same glyphs: wrapped, hyphenated
    and justified lines, spacing, paragraph separators, an ellipsis, an
    overflowing word, a ::first-line style, right to left, table headers
    repeated on every page."""
    plain = HTML(string=KEPT_LAYOUTS_HTML).write_pdf()
    with weasyprint_speedups():
        ours = HTML(string=KEPT_LAYOUTS_HTML).write_pdf()
    assert ours == plain


def test_table_cells_are_drawn_with_their_kept_layouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cell of a table is drawn without a new set-up; the first line of
    a text with a line feed (laid out with the separator, in a layout not
    kept) is set up anew."""
    set_up_again: list[str] = []

    def reactivate(layout: object, style: object) -> None:
        set_up_again.append(layout.text)  # type: ignore[attr-defined]
        original(layout, style)

    original = kept_layouts._original_reactivate
    monkeypatch.setattr(kept_layouts, "_original_reactivate", reactivate)
    cells = "".join(f"<tr><td>村{i}</td><td>{i * 37}</td></tr>" for i in range(30))
    with weasyprint_speedups():
        HTML(string=f"<table>{cells}</table>").write_pdf()
        assert set_up_again == []
        HTML(string="<p>甲乙</p><pre>丙\n丁</pre>").write_pdf()
    assert set_up_again == ["丙"]


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_collapsed_borders_match_weasyprints_beyond_what_the_notices_use(direction: str) -> None:
    """_collapse_table_borders replicates WeasyPrint's for borders the
    notices' CSS does not use: every style and its rank, hidden, ties between
    cell, row, row group, column, column group and table, currentColor, cells
    spanning rows and columns, an empty row group, equal borders in other
    colours (the first one set wins); right to left falls back."""
    html = f"""<style>
      table {{ border-collapse: collapse; border: 3px double red; direction: {direction} }}
      colgroup {{ border: 2px groove blue }} col.c {{ border-right: 4px dotted }}
      tbody {{ border: 2px inset green }} tr.r {{ border-bottom: 5px outset }}
      tr.s {{ border: 2px solid olive }} td.t {{ border-color: teal }}
      td {{ border: 2px solid; color: navy; padding: 1px }}
      td.h {{ border-top: 6px hidden }} td.d {{ border-left: 2px dashed purple }}
      td.n {{ border: none }} td.w {{ border-right: 7px ridge orange }}
    </style>
    <table><colgroup><col/><col class="c"/><col/></colgroup>
      <colgroup span="2"></colgroup>
      <tbody><tr class="s"><td rowspan="2">一</td><td class="h">二</td><td colspan="2" class="t">三</td>
        <td class="d">四</td></tr>
      <tr class="r"><td class="n">五</td><td class="w">六</td><td>七</td><td>八</td></tr>
      </tbody><tbody></tbody>
      <tbody><tr><td colspan="3" rowspan="2" class="d">九</td><td>十</td></tr>
      <tr><td class="w">十一</td><td class="h n">十二</td></tr></tbody>
    </table>"""
    plain = HTML(string=html).write_pdf()
    with weasyprint_speedups():
        ours = HTML(string=html).write_pdf()
    assert ours == plain


@pytest.mark.parametrize("office", ["wushui", "wuhe", "lidu", "yunxi"])
def test_the_stylesheet_can_be_kept_across_documents_and_given_as_a_user_stylesheet(
    office: str,
) -> None:
    """document._document_stylesheet relies on this (see its docstring)."""
    css = stylesheet(style_for(_dataset(office)))
    for tied in ("@font-face", "@counter-style", "!important", "@import"):
        assert tied not in css


def test_the_stylesheet_is_parsed_once_for_documents_alike(tmp_path: Path) -> None:
    from generator.writers.weasyprint_internals.document import _document_stylesheet

    html = _html("lidu", False)
    write_html(html, None, tmp_path / "first.pdf")
    before = _document_stylesheet.cache_info()
    write_html(html, None, tmp_path / "second.pdf")
    after = _document_stylesheet.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def _long_table_html(rows: int) -> str:
    """wushui's HTML with its first table replaced by one of `rows` rows, over
    several pages: a two-row header, a cell spanning the rows across the end
    of the first row group, names that wrap to a second line now and then."""
    from generator import model
    from generator.writers.html import ROWS_PER_GROUP, _table

    body = []
    for index in range(rows):
        row = [
            model.Cell(str(index + 1)),
            model.Cell("村" * (1 + index % 7), align=model.Align.LEFT),
        ]
        if index == ROWS_PER_GROUP - 2:
            row.append(model.Cell("跨行", rowspan=4))
        elif not ROWS_PER_GROUP - 2 < index < ROWS_PER_GROUP + 2:
            row.append(model.Cell(f"{index * 37 % 1000}", align=model.Align.RIGHT))
        body.append(tuple(row))
    header = (
        (model.Cell("序号", rowspan=2), model.Cell("村委及人数", colspan=2)),
        (model.Cell("村委"), model.Cell("人数")),
    )
    table = model.Table(header=header, body=tuple(body), widths=(0.7, 2.0, 1.0))
    dataset = ROOT / "data" / "wushui" / "2024"
    html = _html("wushui", False)
    return re.sub(r"<table>.*?</table>", lambda _: _table(table, style_for(dataset)), html, count=1)


def test_long_tables_are_laid_out_in_row_groups_to_the_same_pdf(tmp_path: Path) -> None:
    """html.py splits a long table body into row groups (ROWS_PER_GROUP rows,
    never inside a rowspan), which keeps WeasyPrint's table layout linear; the
    pages are the ones one row group gives, and WeasyPrint's own route's."""
    html = _long_table_html(170)
    groups = re.findall(r"<tbody>(.*?)</tbody>", html)
    sizes = [group.count("<tr>") for group in groups]
    assert sizes[:4] == [52, 50, 50, 18], sizes  # 48–51 spanned by one cell: kept together
    single = re.sub(r"</tbody><tbody>", "", html)
    with weasyprint_speedups(), cjk_justification():
        grouped = DocumentHTML(html, str(tmp_path)).render()
        ours = grouped.write_pdf()
        one_group = DocumentHTML(single, str(tmp_path)).render().write_pdf()
    assert len(grouped.pages) >= 6
    assert ours == one_group
    with cjk_justification():
        assert ours == HTML(string=html, base_url=str(tmp_path)).render().write_pdf()
