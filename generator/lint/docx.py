"""GB/T 9704 read from a DOCX's WordprocessingML.

Works on any Word file, not only ours: every value is resolved the way Word
resolves it, direct formatting first, then the run's character style, then the
paragraph's style and its basedOn chain, then the document defaults (and the
theme's fonts where a style names a theme font). The body is found as the
paragraphs holding most of the text; nothing comes from our data or styles.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from generator.lint.rules import (
    MARGIN_TOL_MM,
    PITCH_TOL_PT,
    TWIPS_PER_PT,
    Check,
    Names,
    Report,
    Standard,
    fmt,
    skipped,
    verdict,
    within,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = R + "/officeDocument"
TWIPS_PER_MM = 1440 / 25.4
WORD_DEFAULT_SIZE_PT = 10.0  # w:sz missing everywhere: Word uses 10 pt
AUTO_LINE_HEIGHT = 1.3  # a CJK face's single line, in em (Word's usual for 仿宋 and 宋体)
GRID_NAMES = {
    "default": "无网格",
    "lines": "只指定行网格",
    "linesAndChars": "指定行和字符网格",
    "snapToChars": "文字对齐字符网格",
}
JC_NAMES = {
    "both": "两端对齐",
    "distribute": "分散对齐",
    "left": "左对齐",
    "start": "左对齐",
    "center": "居中",
    "right": "右对齐",
    "end": "右对齐",
}
HEADING_TEXT = re.compile(r"(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)[^。]{1,40}")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class DocxError(Exception):
    """The file is not a DOCX that can be read."""


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(element: Any | None, attr: str = "val") -> str | None:
    if element is None:
        return None
    value = element.get(w(attr))
    return None if value is None else str(value)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return round(float(value))
    except ValueError:
        return None


def _on(element: Any | None) -> bool | None:
    """An on/off property: None when absent."""
    if element is None:
        return None
    return _val(element) not in ("0", "false", "off")


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(w("t")))


# --- the package ----------------------------------------------------------------------


class _Package:
    def __init__(self, path: Path) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise DocxError(str(error)) from error
        self.names = set(self.zip.namelist())
        self.main = self._main_part()
        self.document = self.xml(self.main)
        self.rels = self._rels(self.main)
        self.styles = self._related("styles")
        self.settings = self._related("settings")
        self.theme = self._related("theme")

    def xml(self, name: str) -> Any:
        if name not in self.names:
            raise DocxError(f"缺少 {name}")
        try:
            return etree.fromstring(self.zip.read(name), _PARSER)
        except etree.XMLSyntaxError as error:
            raise DocxError(f"{name}：{error}") from error

    def _main_part(self) -> str:
        if "_rels/.rels" in self.names:
            rels = self.xml("_rels/.rels")
            for rel in rels.iter(f"{{{PACKAGE_RELS}}}Relationship"):
                if rel.get("Type") == OFFICE_DOCUMENT:
                    return str(rel.get("Target")).lstrip("/")
        return "word/document.xml"

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, part name) of part."""
        folder, name = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", name + ".rels")
        if rels_name not in self.names:
            return {}
        found = {}
        for rel in self.xml(rels_name).iter(f"{{{PACKAGE_RELS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, str(rel.get("Target"))))
            found[str(rel.get("Id"))] = (str(rel.get("Type")).rsplit("/", 1)[-1], target)
        return found

    def _related(self, kind: str) -> Any | None:
        for rel_type, target in self.rels.values():
            if rel_type == kind and target in self.names:
                return self.xml(target)
        return None

    def part_by_id(self, rel_id: str | None) -> Any | None:
        if rel_id is None or rel_id not in self.rels:
            return None
        target = self.rels[rel_id][1]
        return self.xml(target) if target in self.names else None


# --- style resolution -------------------------------------------------------------------


class Styles:
    """Word's property inheritance: direct, character style, paragraph style
    chain, document defaults."""

    def __init__(self, styles: Any | None, theme: Any | None) -> None:
        self.by_id: dict[str, Any] = {}
        self.default_paragraph: str | None = None
        self.doc_rpr: Any | None = None
        self.doc_ppr: Any | None = None
        if styles is not None:
            for style in styles.iter(w("style")):
                style_id = style.get(w("styleId"))
                if style_id is None:
                    continue
                self.by_id[str(style_id)] = style
                if style.get(w("type")) == "paragraph" and _on_attr(style.get(w("default"))):
                    self.default_paragraph = str(style_id)
            defaults = styles.find(w("docDefaults"))
            if defaults is not None:
                self.doc_rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
                self.doc_ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")
        self.theme_fonts = _theme_fonts(theme)

    def chain(self, style_id: str | None) -> list[Any]:
        """The style and the styles it is based on, nearest first."""
        found: list[Any] = []
        seen: set[str] = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            found.append(style)
            style_id = _val(style.find(w("basedOn")))
        return found

    def paragraph_style(self, p: Any) -> str | None:
        return _val(p.find(f"{w('pPr')}/{w('pStyle')}")) or self.default_paragraph

    def style_name(self, style_id: str | None) -> str:
        style = self.by_id.get(style_id or "")
        name = _val(style.find(w("name"))) if style is not None else None
        return name or style_id or "（默认）"

    def paragraph_levels(self, p: Any) -> list[Any]:
        levels = [p.find(w("pPr"))]
        levels += [style.find(w("pPr")) for style in self.chain(self.paragraph_style(p))]
        levels.append(self.doc_ppr)
        return [level for level in levels if level is not None]

    def run_levels(self, r: Any | None, p: Any) -> list[Any]:
        levels = []
        if r is not None:
            r_pr = r.find(w("rPr"))
            levels.append(r_pr)
            char_style = _val(r_pr.find(w("rStyle"))) if r_pr is not None else None
            levels += [style.find(w("rPr")) for style in self.chain(char_style)]
        levels += [style.find(w("rPr")) for style in self.chain(self.paragraph_style(p))]
        levels.append(self.doc_rpr)
        return [level for level in levels if level is not None]

    @staticmethod
    def find(levels: Iterable[Any], tag: str) -> Any | None:
        for level in levels:
            found = level.find(w(tag))
            if found is not None:
                return found
        return None

    @staticmethod
    def attr(levels: Iterable[Any], tag: str, attr: str) -> str | None:
        """attr of the nearest tag that has it (w:ind and w:spacing are merged
        attribute by attribute, as Word does)."""
        for level in levels:
            found = level.find(w(tag))
            if found is not None and found.get(w(attr)) is not None:
                return str(found.get(w(attr)))
        return None

    def east_asian_font(self, levels: Iterable[Any]) -> str | None:
        for level in levels:
            fonts = level.find(w("rFonts"))
            if fonts is None:
                continue
            theme = fonts.get(w("eastAsiaTheme"))
            if theme is not None:
                return self.theme_fonts.get(str(theme), str(theme))
            if fonts.get(w("eastAsia")) is not None:
                return str(fonts.get(w("eastAsia")))
        return None

    def size_pt(self, levels: Iterable[Any]) -> float:
        half_points = _int(self.attr(levels, "sz", "val"))
        return WORD_DEFAULT_SIZE_PT if half_points is None else half_points / 2


def _on_attr(value: Any) -> bool:
    return value is not None and str(value) not in ("0", "false", "off")


def _theme_fonts(theme: Any | None) -> dict[str, str]:
    """minorEastAsia / majorEastAsia -> the face the theme names for Chinese."""
    fonts: dict[str, str] = {}
    if theme is None:
        return fonts
    for kind in ("minor", "major"):
        font = theme.find(f".//{{{A}}}{kind}Font")
        if font is None:
            continue
        face = font.find(f"{{{A}}}ea")
        typeface = face.get("typeface") if face is not None else None
        if not typeface:
            for script in font.findall(f"{{{A}}}font"):
                if script.get("script") == "Hans":
                    typeface = script.get("typeface")
        if typeface:
            fonts[f"{kind}EastAsia"] = str(typeface)
    return fonts


# --- the document's paragraphs ----------------------------------------------------------


@dataclass(frozen=True)
class Para:
    element: Any
    text: str
    in_table: bool
    jc: str
    outline: int | None
    style: str | None


def _paragraphs(body: Any, styles: Styles) -> Iterator[Para]:
    for p in body.iter(w("p")):
        ancestors = {a.tag for a in p.iterancestors()}
        if w("txbxContent") in ancestors:
            continue
        levels = styles.paragraph_levels(p)
        outline = _int(styles.attr(levels, "outlineLvl", "val"))
        yield Para(
            p,
            _text(p),
            w("tbl") in ancestors,
            styles.attr(levels, "jc", "val") or "left",
            outline if outline is not None and outline < 9 else None,
            styles.paragraph_style(p),
        )


def _runs(p: Any) -> Iterator[Any]:
    for r in p.iter(w("r")):
        if r.find(w("t")) is not None:
            yield r


def _weighted(paragraphs: Iterable[Para], styles: Styles, measure: Any) -> Counter[Any]:
    """measure(run levels) counted once per character of text."""
    counts: Counter[Any] = Counter()
    for para in paragraphs:
        for r in _runs(para.element):
            chars = len(_text(r).strip())
            if chars:
                counts[measure(styles.run_levels(r, para.element))] += chars
    return counts


def _red(color: str | None) -> bool:
    if not color or not re.fullmatch(r"[0-9A-Fa-f]{6}", color):
        return False
    r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return r >= 153 and g <= 90 and b <= 90


# --- the rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    element: Any
    width: int  # twips
    height: int
    top: int
    bottom: int
    left: int  # with the gutter
    right: int
    footer: int

    @property
    def text_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def text_height(self) -> int:
        return self.height - self.top - self.bottom


def _section(sect_pr: Any) -> _Section:
    size = sect_pr.find(w("pgSz"))
    margins = sect_pr.find(w("pgMar"))

    def get(element: Any | None, attr: str, default: int) -> int:
        value = _int(_val(element, attr))
        return abs(value) if value is not None else default

    return _Section(
        sect_pr,
        get(size, "w", 12240),
        get(size, "h", 15840),
        get(margins, "top", 1440),
        get(margins, "bottom", 1440),
        get(margins, "left", 1800) + get(margins, "gutter", 0),
        get(margins, "right", 1800),
        get(margins, "footer", 720),
    )


def _mm(twips: float) -> float:
    return twips / TWIPS_PER_MM


class _Lint:
    def __init__(self, package: _Package) -> None:
        self.package = package
        body = package.document.find(w("body"))
        if body is None:
            raise DocxError("word/document.xml 没有正文")
        self.root = body
        self.styles = Styles(package.styles, package.theme)
        self.paragraphs = list(_paragraphs(body, self.styles))
        sect_prs = [*body.iter(w("sectPr"))]
        if not sect_prs:
            raise DocxError("没有节属性（w:sectPr）")
        self.sections = [_section(s) for s in sect_prs]
        self.main = self.sections[-1]
        self.body_paragraphs = [
            para
            for para in self.paragraphs
            if not para.in_table
            and len(para.text.strip()) >= 10
            and para.jc not in ("center", "right", "end")
            and para.outline is None
        ]
        sizes = _weighted(self.body_paragraphs, self.styles, self.styles.size_pt)
        self.body_size = sizes.most_common(1)[0][0] if sizes else None

    # --- page ---

    def page(self) -> list[Check]:
        s = self.main
        others = self.sections[:-1]
        checks = [
            verdict(
                "docx.page-size",
                Names.PAGE_SIZE,
                f"{fmt(_mm(s.width))} × {fmt(_mm(s.height))} mm",
                f"A4 {Standard.PAGE_WIDTH_MM:.0f} × {Standard.PAGE_HEIGHT_MM:.0f} mm"
                f" ± {MARGIN_TOL_MM} mm",
                abs(_mm(s.width) - Standard.PAGE_WIDTH_MM) <= MARGIN_TOL_MM
                and abs(_mm(s.height) - Standard.PAGE_HEIGHT_MM) <= MARGIN_TOL_MM,
            )
        ]
        for check_id, name, attr, expected in (
            ("docx.margin-top", "上边距（天头）", "top", Standard.TOP_MM),
            ("docx.margin-bottom", "下边距", "bottom", Standard.BOTTOM_MM),
            ("docx.margin-binding", "内侧边距（订口，含装订线）", "left", Standard.BINDING_MM),
            ("docx.margin-outer", "外侧边距", "right", Standard.OUTER_MM),
        ):
            differing = [
                i + 1
                for i, other in enumerate(others)
                if abs(_mm(getattr(other, attr)) - expected) > MARGIN_TOL_MM
            ]
            check = within(
                check_id,
                name,
                _mm(getattr(s, attr)),
                expected,
                MARGIN_TOL_MM,
                "mm",
                detail=f"第 {'、'.join(map(str, differing))} 节不符" if differing else "",
            )
            if differing and check.passed:
                check = verdict(check_id, name, check.measured, check.expected, False, check.detail)
            checks.append(check)
        settings = self.package.settings
        mirror = _on(settings.find(w("mirrorMargins"))) if settings is not None else None
        checks.append(
            verdict(
                "docx.mirror-margins",
                "双面印刷：对称页边距（偶数页订口在右）",
                "已设置" if mirror else "未设置（偶数页订口仍在左）",
                "设置对称页边距（w:mirrorMargins）",
                bool(mirror),
            )
        )
        return checks

    # --- grid ---

    def normal_size(self) -> float:
        """The Normal style's size: the grid's character pitch is relative to it."""
        levels = [
            style.find(w("rPr")) for style in self.styles.chain(self.styles.default_paragraph)
        ]
        levels.append(self.styles.doc_rpr)
        return self.styles.size_pt([level for level in levels if level is not None])

    def body_tracking(self) -> float:
        """The body text's character spacing (w:spacing of its runs) in pt."""
        spacing = _weighted(
            self.body_paragraphs,
            self.styles,
            lambda levels: (_int(self.styles.attr(levels, "spacing", "val")) or 0) / TWIPS_PER_PT,
        )
        return spacing.most_common(1)[0][0] if spacing else 0.0

    def grid(self) -> list[Check]:
        """A line grid of 22 lines; 28 characters a line either from a
        character grid (linesAndChars) or, under a line grid only, from the
        body's character spacing (what every reader applies alike)."""
        s = self.main
        grid = s.element.find(w("docGrid"))
        kind = _val(grid, "type") or "default"
        chars_grid = kind in ("linesAndChars", "snapToChars")
        checks = [
            verdict(
                "docx.grid-type",
                "文档网格",
                f"{GRID_NAMES.get(kind, kind)}（{kind}）",
                "指定行网格（lines 或 linesAndChars）",
                kind != "default",
            )
        ]
        pitch_twips = _int(_val(grid, "linePitch"))
        if kind == "default" or not pitch_twips:
            checks.append(
                skipped(
                    "docx.grid-lines", "每页行数（行网格）", "未指定行网格", "22 行，行距 28.95 pt"
                )
            )
        else:
            lines = s.text_height // pitch_twips
            pitch = pitch_twips / TWIPS_PER_PT
            checks.append(
                verdict(
                    "docx.grid-lines",
                    "每页行数（行网格）",
                    f"{lines} 行，行距 {pitch_twips} 缇（{fmt(pitch, 2)} pt）",
                    f"{Standard.LINES_PER_PAGE} 行，行距 "
                    f"{fmt(Standard.LINE_PITCH_PT, 2)} pt ± {PITCH_TOL_PT} pt",
                    lines == Standard.LINES_PER_PAGE
                    and abs(pitch - Standard.LINE_PITCH_PT) <= PITCH_TOL_PT,
                )
            )
        width_pt = s.text_width / TWIPS_PER_PT
        normal = self.normal_size()
        if chars_grid:
            char_space = _int(_val(grid, "charSpace")) or 0
            char_pitch = normal + char_space / 4096
            chars = math.floor(width_pt / char_pitch + 1e-9)
            measured = f"{chars} 字，字距 {fmt(char_pitch, 2)} pt（charSpace {char_space}）"
        else:
            size = self.body_size or normal
            tracking = self.body_tracking()
            chars = math.floor(width_pt / (size + tracking) + 1e-9)
            measured = (
                f"{chars} 字（未指定字符网格，按 {fmt(size)} pt 字号、"
                f"字符间距 {fmt(tracking, 2)} pt）"
            )
        checks.append(
            verdict(
                "docx.grid-chars",
                "每行字数（字符网格）",
                measured,
                f"{Standard.CHARS_PER_LINE} 字",
                chars == Standard.CHARS_PER_LINE,
            )
        )
        return checks

    # --- body ---

    def body(self) -> list[Check]:
        body = self.body_paragraphs
        if not body:
            reason = "没有正文段落"
            return [
                skipped("docx.body-font", "正文中文字体（仿宋）", reason),
                skipped("docx.body-size", Names.BODY_SIZE, reason),
                skipped("docx.body-line-spacing", "正文行距", reason),
                skipped("docx.body-justify", "正文两端对齐", reason),
                skipped("docx.body-indent", "正文首行缩进", reason),
            ]
        styles = self.styles
        faces = _weighted(body, styles, styles.east_asian_font)
        face, _ = faces.most_common(1)[0]
        style_names = Counter(styles.style_name(p.style) for p in body).most_common(2)
        used = "、".join(name for name, _ in style_names)
        fangsong = face is not None and ("仿宋" in face or "fang" in face.lower())
        checks = [
            verdict(
                "docx.body-font",
                "正文中文字体（仿宋）",
                f"{face or '未设置（由软件替换）'}（样式 {used}）",
                "仿宋类字体（如 仿宋_GB2312）",
                fangsong,
            )
        ]
        checks.append(
            within("docx.body-size", Names.BODY_SIZE, self.body_size, Standard.BODY_PT, 0.0, "pt")
        )
        checks.append(self._line_spacing(body))
        aligns = Counter(p.jc for p in body)
        align, _ = aligns.most_common(1)[0]
        checks.append(
            verdict(
                "docx.body-justify",
                "正文两端对齐",
                JC_NAMES.get(align, align),
                "两端对齐（both）",
                align in ("both", "distribute"),
            )
        )
        indents = Counter(self._first_indent(p) for p in body)
        indent, _ = indents.most_common(1)[0]
        checks.append(within("docx.body-indent", "正文首行缩进", indent, 2.0, 0.1, "字", digits=1))
        return checks

    def _first_indent(self, para: Para) -> float:
        levels = self.styles.paragraph_levels(para.element)
        chars = _int(self.styles.attr(levels, "ind", "firstLineChars"))
        if chars is not None:
            return round(chars / 100, 2)
        twips = _int(self.styles.attr(levels, "ind", "firstLine")) or 0
        size = self.body_size or Standard.BODY_PT
        return round(twips / (size * TWIPS_PER_PT), 2)

    def _line_spacing(self, body: list[Para]) -> Check:
        grid = self.main.element.find(w("docGrid"))
        kind = _val(grid, "type") or "default"
        grid_pitch = (_int(_val(grid, "linePitch")) or 0) / TWIPS_PER_PT
        results: Counter[tuple[float, str]] = Counter()
        for para in body:
            levels = self.styles.paragraph_levels(para.element)
            line = _int(self.styles.attr(levels, "spacing", "line")) or 240
            rule = self.styles.attr(levels, "spacing", "lineRule") or "auto"
            snap = _on(self.styles.find(levels, "snapToGrid"))
            if rule == "exact":
                results[(line / TWIPS_PER_PT, f"固定值 {fmt(line / TWIPS_PER_PT, 2)} pt")] += 1
            elif rule == "atLeast":
                results[(line / TWIPS_PER_PT, f"最小值 {fmt(line / TWIPS_PER_PT, 2)} pt")] += 1
            else:
                size = self.body_size or Standard.BODY_PT
                natural = line / 240 * size * AUTO_LINE_HEIGHT
                if kind != "default" and grid_pitch and snap is not False:
                    pitch = grid_pitch * max(1, math.ceil(natural / grid_pitch - 1e-6))
                    text = f"{fmt(line / 240, 2)} 倍行距，对齐网格：{fmt(pitch, 2)} pt"
                else:
                    pitch = natural
                    text = f"{fmt(line / 240, 2)} 倍行距，约 {fmt(pitch, 1)} pt"
                results[(pitch, text)] += 1
        (pitch, text), _ = results.most_common(1)[0]
        return verdict(
            "docx.body-line-spacing",
            "正文行距",
            text,
            f"{fmt(Standard.LINE_PITCH_PT, 2)} pt ± {PITCH_TOL_PT} pt（每页 22 行）",
            abs(pitch - Standard.LINE_PITCH_PT) <= PITCH_TOL_PT,
        )

    # --- titles and letterhead ---

    def _para_size(self, para: Para) -> float:
        sizes = _weighted([para], self.styles, self.styles.size_pt)
        if sizes:
            return float(sizes.most_common(1)[0][0])
        return self.styles.size_pt(self.styles.run_levels(None, para.element))

    def _para_color(self, para: Para) -> str | None:
        colors = _weighted(
            [para], self.styles, lambda levels: self.styles.attr(levels, "color", "val")
        )
        return colors.most_common(1)[0][0] if colors else None

    def titles(self) -> Check:
        body_size = self.body_size or Standard.BODY_PT
        found = []
        for para in self.paragraphs:
            if para.in_table or para.jc != "center" or not para.text.strip():
                continue
            size = self._para_size(para)
            if size > body_size + 1 and not _red(self._para_color(para)):
                found.append((size, para.text.strip()))
        name = Names.TITLE_SIZE
        if not found:
            return skipped("docx.title-size", name, Names.NO_TITLE, f"{Standard.TITLE_PT:.0f} pt")
        sizes = Counter(size for size, _ in found)
        off = [text for size, text in found if size != Standard.TITLE_PT]
        return verdict(
            "docx.title-size",
            name,
            "、".join(f"{fmt(s)} pt" for s, _ in sizes.most_common()) + f"（{len(found)} 个）",
            f"{Standard.TITLE_PT:.0f} pt",
            not off,
            f"字号不符：{'；'.join(t[:20] for t in off[:3])}" if off else "",
        )

    def letterhead(self) -> list[Check]:
        """The 版头: the paragraphs before the first one with a bottom border,
        within the first few paragraphs of the body."""
        first = [p for p in self.paragraphs if not p.in_table][:8]
        separator = None
        for index, para in enumerate(first):
            levels = self.styles.paragraph_levels(para.element)
            border = self.styles.find(levels, "pBdr")
            bottom = border.find(w("bottom")) if border is not None else None
            if bottom is not None and _val(bottom) not in (None, "nil", "none") and index > 0:
                separator = (index, para, bottom)
                break
        if separator is None:
            reason = Names.NO_LETTERHEAD
            return [
                skipped("docx.mark-color", Names.MARK_COLOR, reason, "红色"),
                skipped("docx.separator", Names.SEPARATOR, reason, Names.SEPARATOR_EXPECTED),
            ]
        index, rule_para, bottom = separator
        above = [p for p in first[:index] if p.text.strip()]
        if not above:
            reason = "分隔线上方没有发文机关标志"
            return [
                skipped("docx.mark-color", Names.MARK_COLOR, reason, "红色"),
                skipped("docx.separator", Names.SEPARATOR, reason, Names.SEPARATOR_EXPECTED),
            ]
        mark = max(above, key=self._para_size)
        color = self._para_color(mark)
        levels = self.styles.paragraph_levels(rule_para.element)
        indents = sum(
            _int(self.styles.attr(levels, "ind", side)) or 0 for side in ("left", "right")
        )
        width = _mm(self.main.text_width - indents)
        rule_color = _val(bottom, "color")
        return [
            verdict(
                "docx.mark-color",
                Names.MARK_COLOR,
                f"#{color}（“{mark.text.strip()}”）"
                if color
                else f"未设置（“{mark.text.strip()}”）",
                "红色",
                _red(color),
            ),
            verdict(
                "docx.separator",
                Names.SEPARATOR,
                f"#{rule_color}，{fmt(width)} mm" if rule_color else f"未设颜色，{fmt(width)} mm",
                f"红色，{Standard.TEXT_WIDTH_MM:.0f} mm ± {MARGIN_TOL_MM} mm",
                _red(rule_color) and abs(width - Standard.TEXT_WIDTH_MM) <= MARGIN_TOL_MM,
            ),
        ]

    # --- footers ---

    def footers(self) -> list[Check]:
        settings = self.package.settings
        even_odd = _on(settings.find(w("evenAndOddHeaders"))) if settings is not None else None
        missing_refs = []
        refs: dict[str, Any] = {}  # a section without a footer keeps the previous section's
        for index, section in enumerate(self.sections, start=1):
            for ref in section.element.findall(w("footerReference")):
                refs[_val(ref, "type") or "default"] = ref
            if not {"default", "even"} <= set(refs):
                missing_refs.append(index)
        checks = [
            verdict(
                "docx.even-odd-footers",
                "奇偶页不同的页脚",
                ("已设置奇偶页不同" if even_odd else "未设置奇偶页不同（w:evenAndOddHeaders）")
                + ("" if not missing_refs else "，有节缺少奇数页或偶数页页脚"),
                "奇偶页不同，单页、双页各有页脚",
                bool(even_odd) and not missing_refs,
                f"第 {'、'.join(map(str, missing_refs))} 节缺页脚" if missing_refs else "",
            )
        ]
        footers: dict[str, Any] = {}
        for kind, ref in refs.items():
            part = self.package.part_by_id(ref.get(f"{{{R}}}id"))
            if part is not None:
                footers[kind] = part
        fields = {kind: self._page_paragraph(part) for kind, part in footers.items()}
        odd, even = fields.get("default"), fields.get("even")
        labels = {"default": "单页", "even": "双页"}
        have = [labels[k] for k in ("default", "even") if fields.get(k) is not None]
        checks.append(
            verdict(
                "docx.page-field",
                "页码域（PAGE）",
                ("、".join(have) + "页脚有页码域") if have else "页脚中没有页码域",
                "单页、双页页脚都有页码域",
                odd is not None and even is not None,
            )
        )
        if odd is None and even is None:
            for check_id, name in (
                ("docx.page-number-form", Names.PAGE_NUMBER_FORM),
                ("docx.page-number-size", Names.PAGE_NUMBER_SIZE),
                ("docx.page-number-side", Names.PAGE_NUMBER_SIDE),
                ("docx.page-number-vertical", Names.PAGE_NUMBER_GAP),
            ):
                checks.append(skipped(check_id, name, "没有页码域"))
            return checks
        present = [p for p in (odd, even) if p is not None]
        forms = [_text(p).replace("PAGE", "").strip() for p in present]
        ok_form = all(re.fullmatch(r"—\s*\S*\s*—", form.replace(" ", "") or "") for form in forms)
        checks.append(
            verdict(
                "docx.page-number-form",
                Names.PAGE_NUMBER_FORM,
                "、".join(f"“{form}”" for form in forms),
                "“— N —”（U+2014）",
                ok_form,
            )
        )
        sizes = [self._para_size(Para(p, _text(p), False, "", None, None)) for p in present]
        checks.append(
            within(
                "docx.page-number-size",
                Names.PAGE_NUMBER_SIZE,
                max(sizes, key=sizes.count),
                Standard.PAGE_NUMBER_PT,
                0.0,
                "pt",
            )
        )
        checks.append(self._page_number_side(odd, even))
        checks.append(self._page_number_vertical(present[0]))
        return checks

    @staticmethod
    def _page_paragraph(footer: Any) -> Any | None:
        for p in footer.iter(w("p")):
            instructions = "".join(t.text or "" for t in p.iter(w("instrText")))
            instructions += "".join(str(f.get(w("instr"))) for f in p.iter(w("fldSimple")))
            if re.search(r"\bPAGE\b", instructions):
                return p
        return None

    def _page_number_side(self, odd: Any | None, even: Any | None) -> Check:
        one_char = Standard.PAGE_NUMBER_PT * TWIPS_PER_PT
        parts = []
        ok = True
        for p, label, side, want in (
            (odd, "单页", "right", "right"),
            (even, "双页", "left", "left"),
        ):
            if p is None:
                ok = False
                continue
            levels = self.styles.paragraph_levels(p)
            jc = self.styles.attr(levels, "jc", "val") or "left"
            frame = _val(self.styles.find(levels, "framePr"), "xAlign")
            if frame is not None:  # a framed page number: the frame's place counts
                outside, inside = ("right", "left") if side == "right" else ("left", "right")
                jc = {"outside": outside, "inside": inside}.get(frame, frame)
            jc = {"start": "left", "end": "right"}.get(jc, jc)
            chars = _int(self.styles.attr(levels, "ind", f"{side}Chars"))
            size = self._para_size(Para(p, _text(p), False, jc, None, None))
            if chars is not None:
                inset = chars / 100
            else:
                inset = (_int(self.styles.attr(levels, "ind", side)) or 0) / (size * TWIPS_PER_PT)
            parts.append(f"{label}{JC_NAMES.get(jc, jc)}，空 {fmt(inset)} 字")
            ok = ok and jc == want and abs(inset * one_char - one_char) <= 0.25 * one_char
        return verdict(
            "docx.page-number-side",
            Names.PAGE_NUMBER_SIDE,
            "；".join(parts) or "无",
            "单页右对齐、双页左对齐，各空一字",
            ok,
        )

    def _page_number_vertical(self, p: Any) -> Check:
        """Word sets the footer's last line footer-distance above the page's
        bottom edge; the line's top is that plus its height."""
        levels = self.styles.paragraph_levels(p)
        line = _int(self.styles.attr(levels, "spacing", "line")) or 240
        rule = self.styles.attr(levels, "spacing", "lineRule") or "auto"
        size = self._para_size(Para(p, _text(p), False, "", None, None))
        if rule in ("exact", "atLeast"):
            height = max(line, size * TWIPS_PER_PT) if rule == "atLeast" else line
        else:
            height = line / 240 * size * AUTO_LINE_HEIGHT * TWIPS_PER_PT
        top = self.main.footer + height
        return within(
            "docx.page-number-vertical",
            Names.PAGE_NUMBER_GAP,
            _mm(self.main.bottom - top),
            Standard.PAGE_NUMBER_GAP_MM,
            1.0,
            "mm",
        )

    # --- tables and headings ---

    def tables(self) -> Check:
        name = "跨页表格：标题行重复（首行设为标题行）"
        with_header = []
        missing = []
        for index, table in enumerate(self.root.iter(w("tbl")), start=1):
            rows = table.findall(w("tr"))
            columns = len(table.findall(f"{w('tblGrid')}/{w('gridCol')}"))
            if len(rows) < 3 or columns < 2 or not self._ruled(table):
                continue
            with_header.append(index)
            if not _on(rows[0].find(f"{w('trPr')}/{w('tblHeader')}")):
                missing.append(index)
        if not with_header:
            return skipped("docx.table-header", name, "没有带表头的表格", "首行设为标题行")
        return verdict(
            "docx.table-header",
            name,
            f"{len(with_header)} 个表格中 {len(with_header) - len(missing)} 个已设置",
            "每个表格的首行都设为标题行（w:tblHeader）",
            not missing,
            f"第 {'、'.join(map(str, missing))} 个表格未设置" if missing else "",
        )

    def _ruled(self, table: Any) -> bool:
        """A table with vertical rules between its cells (the 版记 has none)."""
        borders = table.find(f"{w('tblPr')}/{w('tblBorders')}")
        inside = borders.find(w("insideV")) if borders is not None else None
        if inside is not None:
            return _val(inside) not in ("nil", "none")
        cell_borders = table.findall(f".//{w('tcBorders')}/{w('right')}")
        if cell_borders:
            return any(_val(b) not in ("nil", "none") for b in cell_borders)
        style = _val(table.find(f"{w('tblPr')}/{w('tblStyle')}"))
        return style is not None  # a table style usually rules its cells

    def headings(self) -> Check:
        name = "标题与下段同页（keepNext）"
        found = []
        for para in self.paragraphs:
            text = para.text.strip()
            if para.in_table or not text:
                continue
            standalone = HEADING_TEXT.fullmatch(text.rstrip("。")) is not None
            if para.outline is None and not standalone:
                continue
            if "。" in text.rstrip("。"):
                continue  # a run-in heading: the paragraph's text follows it
            if para.jc == "center":  # a document title, not a numbered heading
                continue
            keep = _on(self.styles.find(self.styles.paragraph_levels(para.element), "keepNext"))
            found.append((text, bool(keep)))
        if not found:
            return skipped("docx.heading-keep-next", name, "没有独立成段的层次标题")
        loose = [text for text, keep in found if not keep]
        return verdict(
            "docx.heading-keep-next",
            name,
            f"{len(found)} 个标题中 {len(found) - len(loose)} 个已设置",
            "全部设置",
            not loose,
            f"未设置：{'；'.join(t[:16] for t in loose[:4])}" if loose else "",
        )


def lint_docx(path: Path) -> Report:
    package = _Package(path)
    lint = _Lint(package)
    checks = [*lint.page(), *lint.grid(), *lint.body(), lint.titles(), *lint.letterhead()]
    checks += [*lint.footers(), lint.tables(), lint.headings()]
    return Report(path, "docx", None, tuple(checks))
