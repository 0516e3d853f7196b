"""The data set's schema: one pydantic model per YAML file.

The models know kinds of things (amounts, rates, periods, people, tables),
never a particular office: an office's specifics are values in its data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    model_validator,
)


def _decimal(value: Any) -> Decimal:
    # YAML gives int or Decimal (see yamlio); text, bools and floats are mistakes.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError("应为数字")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError("应为有限的数字")
    return result


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError("应为日期，写作 YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"日期“{value}”不存在或格式不对（应写作 YYYY-MM-DD）") from None


Number = Annotated[Decimal, BeforeValidator(_decimal)]
Amount = Annotated[Decimal, BeforeValidator(_decimal), Field(ge=0)]
Rate = Annotated[Decimal, BeforeValidator(_decimal), Field(ge=0, le=1)]
Count = Annotated[StrictInt, Field(ge=0)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Text = Annotated[StrictStr, Field(min_length=1)]
Identifier = Annotated[StrictStr, Field(pattern=r"^[^\W\d]\w*$")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- document.yaml


class DocumentNumber(Model):
    """发文字号: 代字〔年份〕序号号."""

    prefix: Text
    year: Annotated[StrictInt, Field(ge=1949, le=2999)]
    serial: Annotated[StrictInt, Field(ge=1)]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


class Issuer(Model):
    name: Text  # 发文机关全称, used in titles and the signature
    mark: Text | None = None  # 发文机关标志, e.g. ……人民政府文件; none: no letterhead
    short_name: Text | None = None  # e.g. 武水镇, for the prose


class Imprint(Model):
    """版记."""

    printer: Text  # 印发机关
    date: Date  # 印发日期
    copy_to: Text | None = None  # 抄送


class Notice(Model):
    template: Text = "notice/issue-plan.md.j2"  # shared wording, found in templates/
    number: DocumentNumber | None = None
    date: Date  # 成文日期
    addressees: Text  # 主送机关, without the final colon
    purpose: StrictStr = ""  # optional opening clause before 现将……
    request: Text  # e.g. 请结合实际抓好贯彻落实
    plan_cited_as: Text | None = None  # how the notice names the plan, if not by its title
    quote_plan_title: bool = True  # 《》 around the plan's name in the notice title
    title_lines: list[Text] | None = None  # explicit lines for a long title
    note: Text | None = None  # 附注, e.g. 此件公开发布
    imprint: Imprint | None = None


class Attachment(Model):
    title: Text
    listed_as: Text | None = None  # wording in the 附件说明, if it differs
    table: Identifier | None = None  # a table of tables/; none: mentioned, not included
    title_lines: list[Text] | None = None


class Plan(Model):
    title: Text
    title_lines: list[Text] | None = None
    template: Text  # the plan's prose, a file of this data set
    attachments: list[Attachment] = []


class DocumentFile(Model):
    issuer: Issuer
    notice: Notice
    plan: Plan
    figures: Literal["computed", "printed"] = "computed"  # which figure a table shows
    rounding: Literal["half_up", "half_even", "down", "up"] = "half_up"


# ------------------------------------------------------------------ policy.yaml


class Tier(Model):
    name: Text  # 一档, 二档
    amount: Amount  # 个人缴费标准, 元/人·年


class SubsidyRule(Model):
    """A hardship group's subsidy: full, a share of the tier, or a fixed amount."""

    groups: Annotated[list[Text], Field(min_length=1)]
    rule: Literal["full", "share", "fixed"]
    value: Number | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _value_fits_rule(self) -> SubsidyRule:
        if self.rule == "full" and self.value is not None:
            raise ValueError("rule 为 full（全额资助）时不填 value")
        if self.rule == "share" and (self.value is None or not 0 < self.value <= 1):
            raise ValueError("rule 为 share 时 value 应为 0 到 1 之间的比例")
        if self.rule == "fixed" and (self.value is None or self.value < 0):
            raise ValueError("rule 为 fixed 时 value 应为不小于 0 的金额")
        return self


class Period(Model):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("结束日期早于开始日期")
        return self


class CitedDocument(Model):
    title: Text
    number: Text | None = None


class PolicyFile(Model):
    year: Annotated[StrictInt, Field(ge=2000, le=2999)]  # 参保年度
    tiers: Annotated[list[Tier], Field(min_length=1)]
    subsidies: list[SubsidyRule] = []
    periods: dict[Identifier, Period] = {}
    dates: dict[Identifier, Date] = {}
    rates: dict[Identifier, Rate] = {}
    amounts: dict[Identifier, Amount] = {}
    counts: dict[Identifier, Count] = {}
    documents: dict[Identifier, CitedDocument] = {}


# ------------------------------------------------------------ organisation.yaml


class Person(Model):
    role: Text | None = None  # 组长, 副组长, 成员
    name: Text | None = None
    title: Text | None = None  # 职务

    @model_validator(mode="after")
    def _named(self) -> Person:
        if self.name is None and self.title is None:
            raise ValueError("name 与 title 至少填一项")
        return self


class Office(Model):
    location: Text
    director: Person
    duties: Text | None = None


class LeadingGroup(Model):
    name: Text
    members: Annotated[list[Person], Field(min_length=1)]
    office: Office | None = None


class OrganisationFile(Model):
    leading_group: LeadingGroup | None = None


# ------------------------------------------------------------------ tables/*.yaml


class Column(Model):
    name: Text  # the header, and the key rows use
    kind: Literal["text", "integer", "decimal", "names", "row_number"] = "text"
    formula: Text | None = None  # derived: computed from the row and the parameters
    total: Literal["sum"] | None = None  # summed in the 合计 row
    unique: bool = False
    ref: Text | None = None  # 表名.列名: every value appears there, and every value there here
    align: Literal["left", "center", "right"] | None = None
    width: Annotated[Decimal, BeforeValidator(_decimal), Field(gt=0)] = Decimal(1)


class Printed(Model):
    """Figures as printed in a published document, to check and reproduce it."""

    total: dict[StrictStr, Number] = {}


class TableFile(Model):
    columns: Annotated[list[Column], Field(min_length=1)]
    rows: list[dict[StrictStr, Any]]
    total_label: Text | None = None  # e.g. 合计: adds a totals row
    unit: Text | None = None  # e.g. 单位：人
    footnotes: list[Text] = []
    printed: Printed = Printed()

    @model_validator(mode="after")
    def _column_names_unique(self) -> TableFile:
        names = [c.name for c in self.columns]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"列名重复：{'、'.join(doubled)}")
        return self
