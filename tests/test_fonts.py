"""The fontconfig aliases from the DOCX's faces to the PDF's, and gongwen fonts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from generator.cli import main
from generator.style import fontmap
from generator.style.profile import StyleProfile, load_style

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "templates" / "fonts" / "gongwen-aliases.conf"


@pytest.fixture(scope="module")
def style() -> StyleProfile:
    return load_style(REPO / "templates" / "style.yaml")


def aliases_only_config(tmp_path: Path) -> Path:
    """A fontconfig configuration: our aliases, then the system's own."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><include>{CONF}</include>"
        "<include>/etc/fonts/fonts.conf</include></fontconfig>\n",
        encoding="utf-8",
    )
    return config


def test_committed_configuration_is_generated_from_the_style_profile(
    style: StyleProfile,
) -> None:
    assert CONF.read_text(encoding="utf-8") == fontmap.aliases_conf(style)


def test_configuration_maps_every_docx_face_to_the_pdfs(style: StyleProfile) -> None:
    root = etree.parse(str(CONF)).getroot()
    mapped = {}
    for match in root.findall("match[@target='pattern']"):
        tested = match.findtext("test/string")
        families = tuple(s.text for s in match.findall("edit[@name='family']/string"))
        bold = match.find("edit[@name='weight']") is not None
        mapped[tested] = (families, bold)
    # Every family of the PDF's, in its order: the fallbacks for characters
    # Fandol lacks too.
    expected = {f.docx: (f.pdf, f.pdf_weight >= 600) for f in style.faces.values()}
    assert mapped == expected


@pytest.mark.skipif(not fontmap.fontconfig_available(), reason="没有 fontconfig")
def test_fontconfig_gives_each_docx_face_the_pdfs(
    style: StyleProfile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not fontmap.installed("FandolFang"):
        pytest.skip("未安装 Fandol 字体")
    monkeypatch.setenv("FONTCONFIG_FILE", str(aliases_only_config(tmp_path)))
    for face in style.faces.values():
        match = fontmap.fc_match(face.docx + ":regular")
        assert match is not None and match.family == face.pdf[0], (face.docx, match)
        assert Path(match.file).is_file()


@pytest.mark.skipif(not fontmap.fontconfig_available(), reason="没有 fontconfig")
def test_fonts_command_reports_every_face(
    style: StyleProfile, capsys: pytest.CaptureFixture[str]
) -> None:
    if not fontmap.installed("FandolFang"):
        pytest.skip("未安装 Fandol 字体")
    assert main(["fonts"]) == 0
    out = capsys.readouterr().out
    for face in style.faces.values():
        assert f"\n{face.docx}：" in out
        assert f"PDF：{face.pdf[0]} " in out
    assert "LibreOffice 字体别名：" in out
    assert "正文" in out and "页码" in out


def test_installed_copy_is_recognised_only_when_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    (templates / "fonts").mkdir(parents=True)
    shutil.copy(CONF, templates / "fonts" / "gongwen-aliases.conf")
    system = tmp_path / "conf.d"
    system.mkdir()
    monkeypatch.setattr(fontmap, "SYSTEM_CONF_DIR", system)
    assert fontmap.aliases_installed(templates) is None
    shutil.copy(CONF, system / fontmap.CONF_NAME)
    assert fontmap.aliases_installed(templates) == system / fontmap.CONF_NAME
    (system / fontmap.CONF_NAME).write_text("<fontconfig/>", encoding="utf-8")
    assert fontmap.aliases_installed(templates) is None
