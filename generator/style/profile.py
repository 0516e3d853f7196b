"""The style profile: page geometry and the face and size of every role.

Both writers read this one profile, so the DOCX and the PDF cannot drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from generator.dataset.yamlio import load_yaml

MM_TO_PT = 72 / 25.4
TWIPS_PER_PT = 20


def _twips_from_mm(mm: float) -> int:
    return round(mm * MM_TO_PT * TWIPS_PER_PT)


Role = Literal[
    "body",
    "mark",
    "number",
    "title",
    "heading1",
    "heading2",
    "heading3",
    "heading4",
    "attachment_label",
    "table",
    "table_header",
    "roster",
    "imprint",
    "page_number",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Page(_Strict):
    width_mm: float
    height_mm: float
    top_mm: float
    binding_mm: float
    text_width_mm: float
    text_height_mm: float
    lines_per_page: int = Field(gt=0)
    chars_per_line: int = Field(gt=0)
    page_number_gap_mm: float
    mark_gap_mm: float

    @property
    def bottom_mm(self) -> float:
        return self.height_mm - self.top_mm - self.text_height_mm

    @property
    def outer_mm(self) -> float:
        return self.width_mm - self.binding_mm - self.text_width_mm

    @property
    def line_pitch_twips(self) -> int:
        """The line pitch both files use: the text block's height in whole
        twips over the lines per page, rounded down so that every line fits
        (GB/T 9704: 12756 / 22 = 579.8, so 579 twips). Word's document grid
        counts in twips; the PDF takes the same figure."""
        height = _twips_from_mm(self.height_mm)
        text_height = height - _twips_from_mm(self.top_mm) - _twips_from_mm(self.bottom_mm)
        return text_height // self.lines_per_page

    @property
    def line_pitch_pt(self) -> float:
        """28.95 pt for GB/T 9704: line_pitch_twips in points."""
        return self.line_pitch_twips / TWIPS_PER_PT

    @property
    def char_pitch_pt(self) -> float:
        """15.79 pt for GB/T 9704: the text block's width over 28 characters."""
        return self.text_width_mm * MM_TO_PT / self.chars_per_line


class Face(_Strict):
    docx: str
    pdf: tuple[str, ...]
    pdf_weight: int = 400


class RoleStyle(_Strict):
    face: str
    size_pt: float = Field(gt=0)
    color: Literal["black", "red"] = "black"
    name: str | None = Field(default=None, min_length=1)  # the style's name in Word and WPS


class StyleProfile(_Strict):
    page: Page
    red: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    faces: dict[str, Face]
    roles: dict[Role, RoleStyle]

    def face(self, role: Role) -> Face:
        return self.faces[self.roles[role].face]

    def color(self, role: Role) -> str:
        return self.red if self.roles[role].color == "red" else "#000000"


def load_style(path: Path) -> StyleProfile:
    return StyleProfile.model_validate(load_yaml(path).data)
