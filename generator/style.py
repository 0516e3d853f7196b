"""The style profile: page geometry and the face and size of every role.

Both writers read this one profile, so the DOCX and the PDF cannot drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from generator.yamlio import load_yaml

MM_TO_PT = 72 / 25.4

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
    def line_pitch_pt(self) -> float:
        """28.95 pt for GB/T 9704: the text block's height over 22 lines."""
        return self.text_height_mm * MM_TO_PT / self.lines_per_page

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
