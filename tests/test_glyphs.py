"""Characters a face lacks are found before rendering: drawn from the role's
fallback face with a warning, refused when no face has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build.pipeline import build
from generator.compose.glyphs import charset, covers, unprintable
from generator.problems import DataError
from tests.conftest import read_pdf


def _rename_a_member(dataset: Path, name: str) -> None:
    organisation = dataset / "organisation.yaml"
    organisation.write_text(
        organisation.read_text("utf-8").replace("name: 许康", f"name: {name}"), "utf-8"
    )


def test_fontconfig_charsets_say_what_fandol_lacks() -> None:
    fang, noto = charset("FandolFang"), charset("Noto Serif CJK SC")
    assert fang is not None and noto is not None
    assert covers(fang, "许") and not covers(fang, "堃") and not covers(fang, "喆")
    assert covers(noto, "堃") and covers(noto, "喆")


def test_a_rare_name_character_is_drawn_from_the_fallback_with_a_warning(
    dataset_copy: Path, tmp_path: Path
) -> None:
    _rename_a_member(dataset_copy, "许堃")
    result = build(dataset_copy, tmp_path / "out")
    messages = [w.message for w in result.warnings]
    assert (
        "字符“堃”（见“长许堃为副”）不在字体 FandolFang 中，PDF 改用 Noto Serif CJK SC" in messages
    )
    pdf = next(result.out_dir / f.path for f in result.files if f.format == "pdf")
    glyphs = [c for page in read_pdf(pdf) for c in page.chars]
    assert any(g.text == "堃" for g in glyphs)  # a real glyph, extracted as 堃, not a box


def test_a_character_no_face_has_is_refused_before_anything_is_written(
    dataset_copy: Path, tmp_path: Path
) -> None:
    _rename_a_member(dataset_copy, "许\U0001f9e9")  # an emoji: no CJK face has it
    with pytest.raises(DataError) as error:
        build(dataset_copy, tmp_path / "out")
    assert "无法排印" in str(error.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("escape", ["\\v", "\\f", "\\x85", "\\u2028", "\\uFFFE", "\\0"])
def test_an_invisible_character_is_refused_before_anything_is_written(
    escape: str, dataset_copy: Path, tmp_path: Path
) -> None:
    """A YAML escape puts a control character or separator in the text: no face
    draws it, and in the PDF it would break a line or a page where none is meant."""
    document = dataset_copy / "document.yaml"
    text = document.read_text("utf-8")
    assert "addressees: 各村（社区）、" in text
    text = text.replace("addressees: 各村（社区）、", f'addressees: "各村{escape}（社区）、', 1)
    document.write_text(text.replace("镇直属各单位", '镇直属各单位"', 1), "utf-8")
    with pytest.raises(DataError) as error:
        build(dataset_copy, tmp_path / "out")
    code = f"{ord(escape.encode().decode('unicode_escape')):04X}"
    assert f"字符 U+{code}（见“各村□（社”）是不可见的特殊字符" in str(error.value)
    assert f"{document}:11：" in str(error.value)  # where it was written (issue 18)
    assert not (tmp_path / "out").exists()


def test_tabs_and_ideographic_spaces_are_printable() -> None:
    assert not unprintable("\t") and not unprintable("\u3000") and not unprintable("許")
    assert unprintable("\u2029") and unprintable("\U0010fffe") and unprintable("\x7f")
