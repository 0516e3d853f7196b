"""A long synthetic data set (bench/synthetic.py: both attachment tables with
hundreds of villages, over many pages): its totals recomputed from its rows and
written in the DOCX and the PDF, its PDF the bytes WeasyPrint's own route gives
(every shortcut of speedups.py at work on long collapsed-border tables), its
DOCX's memory freed once written."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import docx as python_docx
import pytest
from docx.document import Document as WordDocument
from pdfminer.high_level import extract_text
from weasyprint import HTML

from bench.synthetic import make_villages
from generator.build.pipeline import build, prepare, style_for, word_template_for
from generator.writers.css import stylesheet
from generator.writers.docx import write_docx
from generator.writers.html import pdf_html, to_html
from generator.writers.pdf import imprint_page, write_parts
from generator.writers.weasyprint_internals.cjk_justify import cjk_justification

VILLAGES = 300


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_villages(tmp_path_factory.mktemp("villages"), VILLAGES)


def _quota_sums(dataset: Path) -> tuple[int, int]:
    text = (dataset / "tables" / "quota.yaml").read_text("utf-8")
    pairs = re.findall(r"户籍人口数: (\d+), 基数任务: (\d+)", text)
    assert len(pairs) == VILLAGES
    return sum(int(p) for p, _ in pairs), sum(int(q) for _, q in pairs)


def test_long_tables_are_totalled_in_the_docx_and_the_pdf(dataset: Path, tmp_path: Path) -> None:
    population, quota = _quota_sums(dataset)
    result = build(dataset, tmp_path / "out")
    docx_path = next(f.path for f in result.files if f.path.endswith(".docx"))
    pdf_path = next(f.path for f in result.files if f.path.endswith(".pdf"))
    document = python_docx.Document(str(result.out_dir / Path(docx_path).name))
    quota_table = next(t for t in document.tables if "户籍人口数" in t.rows[0].cells[2].text)
    body = quota_table.rows[1:]
    assert len(body) == VILLAGES + 1  # the villages and the total
    assert [c.text for c in body[-1].cells[-2:]] == [str(population), str(quota)]
    assert [c.text for c in body[0].cells[:1]] + [body[-2].cells[0].text] == ["1", str(VILLAGES)]
    pdf_text = extract_text(str(result.out_dir / Path(pdf_path).name))
    assert re.search(rf"合\s*计\s+{population}\s+{quota}", pdf_text), "PDF 中没有合计行"


def test_long_tables_give_the_pdf_of_weasyprints_own_route(dataset: Path, tmp_path: Path) -> None:
    # Ours laid out part by part, WeasyPrint's the whole document at once.
    _, document, _ = prepare(dataset)
    style = style_for(dataset)
    parts = pdf_html(document, style)
    write_parts(parts, tmp_path / "ours.pdf")
    has_imprint = any(part.imprint_own_page is not None for part in parts)
    html = to_html(document, style, stylesheet(style))
    with cjk_justification():
        rendered = HTML(string=html, base_url=str(tmp_path)).render()
        if has_imprint and (imprint_page(rendered) or 1) % 2 == 1:
            own_page = to_html(document, style, stylesheet(style), imprint_own_page=True)
            rendered = HTML(string=own_page, base_url=str(tmp_path)).render()
        plain = rendered.write_pdf()
    assert (tmp_path / "ours.pdf").read_bytes() == plain


def test_a_long_tables_docx_is_freed_once_written(dataset: Path, tmp_path: Path) -> None:
    """Its python-docx objects (held in cycles) do not outlive write_docx, so
    the build holds no DOCX while its side process lays out the PDF."""
    _, document, _ = prepare(dataset)
    earlier = [o for o in gc.get_objects() if isinstance(o, WordDocument)]  # other tests'
    write_docx(document, style_for(dataset), word_template_for(dataset), tmp_path / "out.docx")
    left = [o for o in gc.get_objects() if isinstance(o, WordDocument)]
    assert not [o for o in left if not any(o is e for e in earlier)]
