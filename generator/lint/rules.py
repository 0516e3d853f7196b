"""GB/T 9704-2012 as numbers, and the report a lint run produces.

The expected values are the standard's, never this project's style profile:
the lint judges any document, wherever it was made. Each check holds what was
measured and what the standard asks for, both already written out in Chinese,
and whether the measurement is within the tolerance.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

MM_TO_PT = 72 / 25.4
TWIPS_PER_PT = 20


class Standard:
    """GB/T 9704-2012 page, grid and type sizes."""

    PAGE_WIDTH_MM = 210.0
    PAGE_HEIGHT_MM = 297.0
    TOP_MM = 37.0  # 天头
    BINDING_MM = 28.0  # 订口: left on odd pages, right on even pages
    TEXT_WIDTH_MM = 156.0  # 版心
    TEXT_HEIGHT_MM = 225.0
    OUTER_MM = PAGE_WIDTH_MM - BINDING_MM - TEXT_WIDTH_MM  # 26 mm
    BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TEXT_HEIGHT_MM  # 35 mm
    LINES_PER_PAGE = 22
    CHARS_PER_LINE = 28
    LINE_PITCH_PT = TEXT_HEIGHT_MM * MM_TO_PT / LINES_PER_PAGE  # 28.95 pt
    CHAR_PITCH_PT = TEXT_WIDTH_MM * MM_TO_PT / CHARS_PER_LINE  # 15.79 pt
    BODY_PT = 16.0  # 三号
    TITLE_PT = 22.0  # 二号
    PAGE_NUMBER_PT = 14.0  # 四号
    PAGE_NUMBER_GAP_MM = 7.0  # 页码 below the 版心
    PAGE_NUMBER_INSET_CHARS = 1.0  # from the outer edge of the 版心


class Names:
    """Rule names and messages both formats report: one wording for each."""

    PAGE_SIZE = "页面尺寸"
    BODY_SIZE = "正文字号（三号）"
    TITLE_SIZE = "标题字号（二号）"
    MARK_COLOR = "发文机关标志颜色"
    SEPARATOR = "版头分隔线：红色，与版心等宽"
    PAGE_NUMBER_FORM = "页码格式（数字左右各一条一字线）"
    PAGE_NUMBER_SIZE = "页码字号（四号）"
    PAGE_NUMBER_GAP = "页码顶端距版心下边缘"
    PAGE_NUMBER_SIDE = "页码位置：单页居右、双页居左，空一字"
    NO_LETTERHEAD = "未检测到版头（发文机关标志及分隔线）"
    NO_TITLE = "没有找到标题"
    SEPARATOR_EXPECTED = f"红色，{Standard.TEXT_WIDTH_MM:.0f} mm"


# Tolerances: what a renderer may round away without the difference showing.
MARGIN_TOL_MM = 0.5
# A glyph's place inside its line box differs by renderer (WeasyPrint centres
# it, Word and LibreOffice set it a little lower), so edges found from lines
# of text are known less exactly than edges found from their starts.
LINE_EDGE_TOL_MM = 1.0
SIZE_TOL_PT = 0.1
PITCH_TOL_PT = 0.05
FLUSH_TOL_PT = 0.5


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"  # the document has nothing the rule applies to


MARKS = {Status.PASS: "✓", Status.FAIL: "✗", Status.SKIP: "—"}


@dataclass(frozen=True)
class Check:
    id: str  # e.g. "pdf.top-margin"
    name: str  # Chinese, e.g. 版心上边距（天头）
    measured: str  # Chinese, with units, e.g. "37.0 mm"
    expected: str  # Chinese, with the tolerance, e.g. "37 mm ± 0.5 mm"
    status: Status
    detail: str = ""  # where it fails, e.g. 第 3、5 页

    @property
    def passed(self) -> bool:
        return self.status is not Status.FAIL

    def line(self) -> str:
        if self.status is Status.SKIP:
            return f"{self.name}：{self.measured}（不适用）{MARKS[self.status]}"
        return f"{self.name}：实测 {self.measured}，应为 {self.expected} {MARKS[self.status]}"


@dataclass(frozen=True)
class Report:
    path: Path
    format: str  # "pdf" or "docx"
    pages: int | None
    checks: tuple[Check, ...]

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.status is Status.FAIL)

    def check(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def text(self) -> str:
        pages = f"，{self.pages} 页" if self.pages is not None else ""
        lines = [f"GB/T 9704-2012 格式检查：{self.path.name}（{self.format.upper()}{pages}）"]
        for check in self.checks:
            lines.append(check.line())
            if check.detail and check.status is Status.FAIL:
                lines.append(f"    {check.detail}")
        counts = {status: sum(c.status is status for c in self.checks) for status in Status}
        summary = f"共 {len(self.checks)} 项：通过 {counts[Status.PASS]} 项"
        summary += f"，未通过 {counts[Status.FAIL]} 项"
        if counts[Status.SKIP]:
            summary += f"，不适用 {counts[Status.SKIP]} 项"
        lines.append(summary + "。")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "format": self.format,
            "pages": self.pages,
            "passed": not self.failed,
            "checks": [asdict(check) for check in self.checks],
        }

    def json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


# --- building checks ------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    """A number as printed in a report: fixed digits, no trailing '.0' on integers
    given with digits=0."""
    return f"{value:.{digits}f}"


def expected_text(value: float, unit: str, tolerance: float | None, digits: int = 0) -> str:
    text = f"{fmt(value, digits)} {unit}".strip()
    if tolerance:
        text += f" ± {fmt(tolerance, max(digits, 1) if tolerance < 1 else 0)} {unit}".rstrip()
    return text


def within(
    check_id: str,
    name: str,
    measured: float | None,
    expected: float,
    tolerance: float,
    unit: str,
    *,
    digits: int = 1,
    expected_digits: int = 0,
    detail: str = "",
    missing: str = "无法测量",
) -> Check:
    """A numeric check: |measured - expected| <= tolerance (plus a hair for
    floating point). measured None means there was nothing to measure."""
    want = expected_text(expected, unit, tolerance, expected_digits)
    if measured is None:
        return Check(check_id, name, missing, want, Status.SKIP)
    ok = abs(measured - expected) <= tolerance + 1e-9
    shown = f"{fmt(measured, digits)} {unit}".strip()
    return Check(check_id, name, shown, want, Status.PASS if ok else Status.FAIL, detail)


def verdict(
    check_id: str, name: str, measured: str, expected: str, ok: bool, detail: str = ""
) -> Check:
    return Check(check_id, name, measured, expected, Status.PASS if ok else Status.FAIL, detail)


def skipped(check_id: str, name: str, reason: str, expected: str = "") -> Check:
    return Check(check_id, name, reason, expected, Status.SKIP)


def pages_text(pages: Iterable[int], limit: int = 8) -> str:
    """第 3、5、7 页 (at most limit numbers, then 等)."""
    numbers = sorted(set(pages))
    shown = "、".join(str(n) for n in numbers[:limit])
    return f"第 {shown}{' 等' if len(numbers) > limit else ''} 页"
