"""Layout parity: LibreOffice opening our DOCX lays it out as our PDF is laid
out, the same number of pages and every part (notice, plan, attachments)
starting on the same page, and line for line: the share of our PDF's lines
that LibreOffice sets on the same page, at the same index, with the same text
(whitespace ignored) is measured for every example data set and printed
(`pytest -s tests/test_parity.py`).

LibreOffice (soffice, Debian's libreoffice-writer-nogui; `make test` installs
it) converts the DOCX to PDF in a fresh profile, with our fontconfig aliases
(templates/fonts/gongwen-aliases.conf) in front of the system's, so the faces
the DOCX names resolve to the PDF's. Skipped where soffice is missing.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import statistics
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.build.pipeline import BuildResult, build, prepare
from generator.cli import main
from generator.lint import Status, lint
from generator.lint.pdf import (
    NO_END,
    NO_START,
    Glyph,
    Line,
    _Measure,
    font_embedding,
    read_pages,
)
from generator.model import AttachmentHeading, Letterhead, Title
from generator.style.profile import load_style
from tests.conftest import REPO, WUSHUI, pdf_pages_text, squeeze

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="未安装 LibreOffice")

ALIASES = REPO / "templates" / "fonts" / "gongwen-aliases.conf"

# Every example data set in data/ (one year each) and the tests' own
# (tests/data/qingshan), by office.
EXAMPLES = {
    p.parent.parent.name: p.parent
    for pattern in ("data/*/*/document.yaml", "tests/data/*/*/document.yaml")
    for p in sorted(REPO.glob(pattern))
}
OFFICES = tuple(EXAMPLES)
SCAFFOLD = "scaffold"  # the data set `gongwen init` writes for a new office (tests/test_init.py)
DATA_SETS = (*OFFICES, SCAFFOLD)
# LibreOffice 7.4 adds a fifth of the font size (3.2 pt at 16 pt) between
# Chinese and Latin letters or digits ("2024 年") and lets a comma hang past
# the right edge, whatever the DOCX says. Its DOCX import ignores
# w:autoSpaceDE/DN (writerfilter DomainMapper.cxx: `case
# LN_CT_PPrBase_autoSpaceDE: break;`) and reads w:overflowPunct inverted
# (`PROP_PARA_IS_HANGING_PUNCTUATION, nIntValue == 0`: the w:val="0" that
# tells Word not to hang punctuation tells LibreOffice to hang it; its export
# writes it the right way round), and Writer's pool defaults both
# (RES_PARATR_SCRIPTSPACE, RES_PARATR_HANGINGPUNCTUATION) to on. The spacing
# is a SwKernPortion that SwTextFormatter::BuildPortions (sw/source/core/text/
# itrform2.cxx) inserts where the script changes between two letters or
# digits, under `!bHasGrid && rInf.HasScriptSpace()`: only a paragraph
# snapped to a linesAndChars grid (bHasGrid) escapes it. In such a grid 7.4
# sets every Chinese character in whole grid cells and ignores the runs'
# character spacing: cells of 15.79 pt (w:charSpace -848, GB/T 9704's pitch)
# take a 16 pt character two at a time (13-14 a line); cells of 16 pt or more
# take one, 27 a line (measured on minimal DOCX files, 2026-12-06). So a line
# holding digits or Latin letters next to Chinese may break a character
# earlier than in our PDF (and in Word, which honours those settings), and the
# lines after it follow. Measured on 2026-12-06: with both properties turned
# off in LibreOffice itself (the DOCX opened, saved as ODF with
# style:text-autospace none and punctuation-wrap simple, then converted),
# 95.1 % (wushui), 56.2 % (wuhe), 90.6 % (lidu), 96.8 % (yunxi), 100 %
# (qingshan) and 80.4 % (scaffold) of our lines are identical, against 18.0 %,
# 2.5 %, 9.4 %, 53.2 %, 88.3 % and 69.6 % from the DOCX. What remains there:
# LibreOffice applies a run's character spacing between the characters of a
# text portion but not after its last one, so every change of script widens a
# line by 0.25 pt and a full line with four numbers breaks a character early;
# and its justification leaves up to 1.5 pt at the right of a line that breaks
# early (pdf.right-edge fails in every data set).
AUTOSPACE = (
    "LibreOffice 7.4 spaces Chinese from digits and Latin letters and hangs punctuation "
    "(a DOCX cannot turn either off there): lines holding digits break earlier than in the PDF"
)

SHARE = 0.95


@dataclass(frozen=True)
class Rendering:
    pdf: Path
    seconds: float


def _convert(docx: Path, out: Path) -> Rendering:
    """LibreOffice's PDF of docx, in a fresh profile, with our font aliases."""
    config = out / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><include>{ALIASES}</include>"
        "<include>/etc/fonts/fonts.conf</include></fontconfig>\n",
        encoding="utf-8",
    )
    environment = dict(os.environ, FONTCONFIG_FILE=str(config))
    start = time.perf_counter()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(out / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env=environment,
    )
    pdf = out / f"{docx.stem}.pdf"
    assert pdf.is_file()
    return Rendering(pdf, time.perf_counter() - start)


@dataclass(frozen=True)
class Pair:
    """Our PDF and LibreOffice's rendering of our DOCX, for one data set."""

    office: str
    ours: Path
    theirs: Rendering


@pytest.fixture(scope="module")
def renderings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Pair]:
    """Every office's data set and a new office's (gongwen init) built and
    converted once for this module (武水镇's build is the session's)."""
    pairs = {}
    for office in DATA_SETS:
        if office == "wushui":
            result: BuildResult = request.getfixturevalue("wushui_build")
        elif office == SCAFFOLD:
            dataset = tmp_path_factory.mktemp("init") / "示例镇" / "2025"
            assert main(["init", str(dataset), "--name", "示例镇", "--year", "2025"]) == 0
            result = build(dataset, tmp_path_factory.mktemp(office))
        else:
            result = build(EXAMPLES[office], tmp_path_factory.mktemp(office))
        docx = next(result.out_dir / f.path for f in result.files if f.format == "docx")
        rendering = _convert(docx, tmp_path_factory.mktemp(f"soffice-{office}"))
        pairs[office] = Pair(office, _our_pdf(result), rendering)
    return pairs


@pytest.fixture(params=DATA_SETS)
def pair(request: pytest.FixtureRequest, renderings: dict[str, Pair]) -> Pair:
    return renderings[request.param]


@pytest.fixture(scope="module")
def libreoffice(renderings: dict[str, Pair]) -> Rendering:
    return renderings["wushui"].theirs


def _part_markers() -> list[str]:
    """The text each part starts with, from the document model."""
    _, document, _ = prepare(WUSHUI)
    markers = []
    for part in document.parts:
        first = part.blocks[0]
        if isinstance(first, Letterhead):
            markers.append(first.mark)
        elif isinstance(first, Title):
            markers.append(first.text)
        elif isinstance(first, AttachmentHeading):
            markers.append(first.label + first.title.text)
    return [squeeze(marker) for marker in markers]


def _starts(pdf: Path, markers: list[str]) -> list[int | None]:
    pages = pdf_pages_text(pdf)
    return [
        next((number for number, text in enumerate(pages, 1) if text.startswith(m)), None)
        for m in markers
    ]


def _figures(ours: Path, theirs: Rendering) -> str:
    markers = _part_markers()
    return (
        f"PDF：{len(pdf_pages_text(ours))} 页，各部分起始页 {_starts(ours, markers)}；"
        f"LibreOffice：{len(pdf_pages_text(theirs.pdf))} 页，各部分起始页 "
        f"{_starts(theirs.pdf, markers)}，转换用时 {theirs.seconds:.1f} 秒"
    )


def _our_pdf(result: BuildResult) -> Path:
    return next(result.out_dir / f.path for f in result.files if f.format == "pdf")


def test_libreoffice_uses_the_pdfs_fonts(libreoffice: Rendering) -> None:
    """The aliases work: every face the DOCX names is drawn with the open face
    our PDF embeds (Noto CJK only for the odd character Fandol lacks)."""
    embedded, missing = font_embedding(libreoffice.pdf)
    assert not missing
    names = " ".join(embedded)
    for family in ("FandolFang", "FandolSong", "FandolHei", "FandolKai"):
        assert family in names, embedded
    assert "DejaVu" not in names, embedded


def _face(font: str) -> str:
    """A PDF font name reduced to its face: 'ABCDEF+Noto-Serif-CJK-SC' and
    'IAAAAA+NotoSerifCJKjp-Regular' are both 'notoserifcjk'."""
    name = re.sub(r"[^a-z]", "", font.partition("+")[2].lower() or font.lower())
    return name.split("cjk")[0] + "cjk" if "cjk" in name else name


def test_characters_fandol_lacks_fall_back_to_the_same_face(
    wushui_build: BuildResult, libreoffice: Rendering
) -> None:
    """廻 and 喆 (in wushui's rosters): Noto Serif CJK in both files, as the
    font aliases name it after Fandol, not the Noto Sans LibreOffice took."""

    def fallbacks(pdf: Path) -> dict[str, set[str]]:
        faces: dict[str, set[str]] = {}
        for page in read_pages(pdf):
            for line in page.lines:
                for glyph in line.glyphs:
                    if "fandol" not in glyph.font.lower() and glyph.wide:
                        faces.setdefault(glyph.text, set()).add(_face(glyph.font))
        return faces

    ours = fallbacks(_our_pdf(wushui_build))
    assert {"廻", "喆"} <= set(ours), ours
    assert fallbacks(libreoffice.pdf) == ours == {c: {"notoserifcjk"} for c in ours}


def test_libreoffice_keeps_the_page_geometry(libreoffice: Rendering) -> None:
    """What does not depend on the character grid already agrees."""
    report = lint(libreoffice.pdf)
    for rule in (
        "pdf.page-size",
        "pdf.left-odd",
        "pdf.left-even",
        "pdf.body-size",
        "pdf.lines-max",
        "pdf.page-number-present",
        "pdf.page-number-size",
        "pdf.page-number-vertical",
        "pdf.page-number-side",
        "pdf.title-size",
        "pdf.mark-color",
        "pdf.separator",
    ):
        assert report.check(rule).status is Status.PASS, report.check(rule).line()


def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's lines top to bottom, the page number left out: glyphs on
    one baseline (within 2 pt, so that the cells of a table row make one line)
    read left to right, whitespace dropped."""
    pages = []
    for page in read_pages(pdf):
        glyphs = [g for ln in page.lines if ln is not page.page_number for g in ln.glyphs]
        rows: list[list[Glyph]] = []
        for glyph in sorted(glyphs, key=lambda g: -g.baseline):
            if rows and rows[-1][0].baseline - glyph.baseline <= 2.0:
                rows[-1].append(glyph)
            else:
                rows.append([glyph])
        pages.append(
            [squeeze("".join(g.text for g in sorted(row, key=lambda g: g.x0))) for row in rows]
        )
    return pages


def identical_share(ours: Path, theirs: Path) -> float:
    """The share of our lines LibreOffice sets on the same page, at the same
    index, with the same text."""
    mine, other = page_lines(ours), page_lines(theirs)
    total = same = 0
    for number, lines in enumerate(mine):
        their_lines = other[number] if number < len(other) else []
        for index, line in enumerate(lines):
            total += 1
            same += index < len(their_lines) and their_lines[index] == line
    return same / total if total else 1.0


def full_lines_of_28(pdf: Path) -> float:
    """The share of full body lines holding 28 full-width characters at
    15.79 ± 0.2 pt. A full line is a justified line of full-width characters
    from the left edge of the text block that the line-breaking rules left
    whole: the next line starts with neither a mark that may not start a line
    nor one that may not end one, nor holds such a mark second."""
    lines = _full_body_lines(pdf)
    good = 0
    for line in lines:
        steps = [b.x0 - a.x0 for a, b in itertools.pairwise(line.glyphs)]
        good += len(line.glyphs) == 28 and all(abs(step - 15.79) <= 0.2 for step in steps)
    return good / len(lines) if lines else 0.0


def _full_body_lines(pdf: Path) -> list[Line]:
    measure = _Measure(read_pages(pdf))
    body = [ln for lines in measure.by_page().values() for ln in lines]
    following = {id(line): after for line, after in itertools.pairwise(body)}
    full = []
    for line in measure.justified:
        after = following.get(id(line))
        if after is None or not measure.continues(line) or not all(g.wide for g in line.glyphs):
            continue
        head = after.text[:2]
        if head[:1] in NO_START | NO_END or head[1:2] in NO_START:
            continue
        full.append(line)
    return full


def test_libreoffice_sets_28_characters_a_line(pair: Pair) -> None:
    """A line grid and the body style's character spacing (-0.25 pt, the
    justification spreads the rest) give 28 characters at 15.79 pt on the
    28.95 pt line pitch."""
    if not _full_body_lines(pair.ours):  # every full line holds digits (yunxi): the few
        pytest.xfail(AUTOSPACE)  # lines lint counts then move with LibreOffice's autospacing
    report = lint(pair.theirs.pdf)
    for rule in ("pdf.chars-per-line", "pdf.char-pitch", "pdf.line-pitch"):
        assert report.check(rule).status is Status.PASS, report.check(rule).line()


CHARACTER_GRID = (
    "LibreOffice 7.4 sets a 16 pt character in two 15.79 pt cells of a linesAndChars grid"
)


def _with_character_grid(docx: Path, out: Path) -> None:
    """docx with the grid Word's page setup writes for 28 characters a line:
    linesAndChars, w:charSpace the pitch less the body size in 1/4096 pt."""
    style = load_style(REPO / "templates" / "style.yaml")
    char_space = round((style.page.char_pitch_pt - style.roles["body"].size_pt) * 4096)
    grid = (
        f'<w:docGrid w:type="linesAndChars" w:linePitch="{style.page.line_pitch_twips}" '
        f'w:charSpace="{char_space}"/>'
    )
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                text, count = re.subn(r"<w:docGrid [^>]*/>", grid, data.decode("utf-8"))
                assert count == 1
                data = text.encode("utf-8")
            target.writestr(info, data)


@pytest.mark.xfail(strict=True, reason=CHARACTER_GRID)
def test_a_character_grid_sets_28_characters_a_line(
    wushui_build: BuildResult, tmp_path: Path
) -> None:
    """The one DOCX construct that turns LibreOffice's autospacing off is a
    linesAndChars grid (itrform2.cxx: `!bHasGrid && rInf.HasScriptSpace()`),
    and our body styles snap to the grid. But 7.4 sets every Chinese character
    in whole cells, ignoring the runs' character spacing: two 15.79 pt cells
    for a 16 pt character, 14 a line. When this passes, a newer LibreOffice
    sets such a grid right and the section can carry it."""
    docx = next(wushui_build.out_dir / f.path for f in wushui_build.files if f.format == "docx")
    gridded = tmp_path / "grid.docx"
    _with_character_grid(docx, gridded)
    check = lint(_convert(gridded, tmp_path).pdf).check("pdf.chars-per-line")
    assert check.status is Status.PASS, check.line()


def test_libreoffice_keeps_the_top_of_the_text_block(libreoffice: Rendering) -> None:
    """Body text snaps to the line grid, where LibreOffice centres a line's
    glyphs as the PDF does (in an exact 579-twip line of its own it set them
    about 3 pt lower: the text block measured 38.1 mm from the top, not 37)."""
    check = lint(libreoffice.pdf).check("pdf.top-margin")
    assert check.status is Status.PASS, check.line()


def test_lines_are_measured(pair: Pair) -> None:
    """The measure itself: our PDF against itself is all identical, and a
    rendering that differs is not."""
    assert identical_share(pair.ours, pair.ours) == 1.0
    lines = page_lines(pair.ours)
    assert sum(map(len, lines)) > 40
    if _full_body_lines(pair.ours):  # yunxi's prose has digits on every full line
        assert full_lines_of_28(pair.ours) >= SHARE


@pytest.mark.xfail(strict=True, reason=AUTOSPACE)
def test_libreoffice_sets_our_lines(pair: Pair) -> None:
    """The issue's bar: our page count, at least 95 % of our lines identical,
    95 % of full body lines holding 28 characters at 15.79 pt, and every lint
    rule our PDF passes passed by LibreOffice's (pdf.lines-full fails there
    when its extra spacing pushes a paragraph's last lines over a page with
    its two-line widow control)."""
    share = identical_share(pair.ours, pair.theirs.pdf)
    full = full_lines_of_28(pair.theirs.pdf)
    pages = (len(read_pages(pair.ours)), len(read_pages(pair.theirs.pdf)))
    print(
        f"{pair.office}：页数 {pages[0]}/{pages[1]}，逐行相同 {share:.1%}，"
        f"满行 28 字 {full:.1%}（本系统 PDF {full_lines_of_28(pair.ours):.1%}）"
    )
    assert pages[0] == pages[1]
    assert share >= SHARE
    assert full >= SHARE
    ours, theirs = lint(pair.ours), lint(pair.theirs.pdf)
    for check in ours.checks:
        if check.status is Status.PASS:
            assert theirs.check(check.id).status is Status.PASS, theirs.check(check.id).line()


def test_same_page_count(wushui_build: BuildResult, libreoffice: Rendering) -> None:
    ours = _our_pdf(wushui_build)
    figures = _figures(ours, libreoffice)
    print(figures)
    assert len(pdf_pages_text(libreoffice.pdf)) == len(pdf_pages_text(ours)), figures


def test_parts_start_on_the_same_pages(wushui_build: BuildResult, libreoffice: Rendering) -> None:
    ours = _our_pdf(wushui_build)
    markers = _part_markers()
    assert len(markers) == 4  # notice, plan, two attachments
    expected = _starts(ours, markers)
    assert None not in expected
    assert _starts(libreoffice.pdf, markers) == expected, _figures(ours, libreoffice)


@dataclass(frozen=True)
class _Attachment:
    title_lines: int
    gap: float  # from the 附件N label's baseline down to the table's top rule
    row: float  # the table's median row height


def _attachments(pdf: Path) -> dict[str, _Attachment]:
    """Each attachment's first page, measured: label, title lines, table."""
    found = {}
    for page in read_pages(pdf):
        label = next(
            (ln for ln in page.lines if re.fullmatch(r"附件\d+", ln.text) and not ln.in_table),
            None,
        )
        rules = sorted({round(s.y0, 1) for s in page.strokes if s.horizontal}, reverse=True)
        if label is None or len(rules) < 2:
            continue
        titles = [ln for ln in page.lines if ln.size > label.size + 1 and rules[0] < ln.baseline]
        rows = [above - below for above, below in itertools.pairwise(rules)]
        found[label.text] = _Attachment(
            len(titles), label.baseline - rules[0], statistics.median(rows)
        )
    return found


def test_tables_and_attachment_titles_take_the_same_height(
    wushui_build: BuildResult, libreoffice: Rendering
) -> None:
    """Rows as high as the PDF's (line height 1.5 plus 1 pt padding), and the
    blank line below an attachment's title, whatever the character grid does."""
    ours = _attachments(_our_pdf(wushui_build))
    theirs = _attachments(libreoffice.pdf)
    assert set(ours) == set(theirs) == {"附件1", "附件2"}
    for label, attachment in ours.items():
        other = theirs[label]
        assert other.row == pytest.approx(attachment.row, abs=0.5), label
        if other.title_lines == attachment.title_lines:
            # LibreOffice sets a line's glyphs about 2 pt lower in the line.
            assert other.gap == pytest.approx(attachment.gap, abs=3), label


def test_attachment_numbers_are_tight_in_both(
    wushui_build: BuildResult, libreoffice: Rendering
) -> None:
    """附件：1.武水镇…: no gap between the number and the name in either file."""
    for pdf in (_our_pdf(wushui_build), libreoffice.pdf):
        line = next(
            ln for page in read_pages(pdf) for ln in page.lines if ln.text.startswith("附件：1.")
        )
        dot, name = line.glyphs[4], line.glyphs[5]
        assert name.x0 - dot.x1 < 1.0, (pdf, dot, name)
