"""The data set's schema: one pydantic model per YAML file.

The models know kinds of things (amounts, rates, periods, people, tables),
never a particular office: an office's specifics are values in its data.
Descriptions are Chinese: editors see them in their editor (JSON Schema) and
in docs/data-model.md, both generated from these models.
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
    WithJsonSchema,
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


_NUMBER_SCHEMA = WithJsonSchema({"type": "number"})
Number = Annotated[Decimal, BeforeValidator(_decimal), _NUMBER_SCHEMA]
Amount = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    Field(ge=0),
    WithJsonSchema({"type": "number", "minimum": 0}),
]
Rate = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    Field(ge=0, le=1),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1}),
]
Count = Annotated[StrictInt, Field(ge=0)]
Age = Annotated[StrictInt, Field(ge=0, le=150)]
Date = Annotated[
    dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})
]
Text = Annotated[StrictStr, Field(min_length=1)]
# Names used in formulas and templates: letters (Chinese too), digits, _. The
# JSON Schema leaves the pattern out: editors match regexes without Unicode.
Identifier = Annotated[
    StrictStr, Field(pattern=r"^[^\W\d]\w*$"), WithJsonSchema({"type": "string", "minLength": 1})
]


def _field(description: str, default: Any = ..., **kw: Any) -> Any:
    return Field(default, description=description, **kw)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- document.yaml


class DocumentNumber(Model):
    """发文字号：代字〔年份〕序号号。"""

    prefix: Text = _field("发文机关代字，如 武政发")
    year: Annotated[StrictInt, Field(ge=1949, le=2999)] = _field("年份，写全，如 2023")
    serial: Annotated[StrictInt, Field(ge=1)] = _field("序号，不编虚位，如 80")

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


class Issuer(Model):
    """发文机关。"""

    name: Text = _field("发文机关全称，用于标题和署名")
    mark: Text | None = _field("发文机关标志（红头），如 ××县人民政府文件；不填则不排红头", None)
    short_name: Text | None = _field("简称，供正文引用，如 武水镇", None)


class Imprint(Model):
    """版记。"""

    printer: Text = _field("印发机关")
    date: Date = _field("印发日期")
    copy_to: Text | None = _field("抄送机关", None)


class Seal(Model):
    """加盖印章（GB/T 9704 7.3.5.1）：成文日期右空四字，发文机关署名以成文日期为准居中，
    印章居中下压署名和成文日期，顶端上距正文（或附件说明）一行之内。"""

    image: Text | None = _field(
        "电子公文的印章图片（数据集中背景透明的 PNG 或 SVG 文件），居中压在署名和成文日期上；"
        "SVG 不得引用外部文件或网址、不得含有脚本；不填则留出位置，打印后手工盖章",
        None,
    )
    diameter_mm: Annotated[
        Decimal, BeforeValidator(_decimal), Field(ge=20, le=60), _NUMBER_SCHEMA
    ] = _field("印章直径（毫米），如 42", Decimal(42))


class NoticeWording(Model):
    """印发通知的固定用语（共享通知模板 notice/issue-plan.md.j2 使用）：各项有默认值，
    本单位用语不同时只写不同的一项，不必复制模板。"""

    title_verb: Text = _field("标题中的动词：××关于印发《方案》的通知", "印发")
    lead: Text = _field("正文中方案名称之前的用语：现将《方案》……", "现将")
    issued_to: Text = _field("正文中方案名称之后的用语，如 印发你们", "印发给你们")


class Notice(Model):
    """通知：印发方案的通知（shape 为 notice_with_plan），或自带正文与附件的通知
    （shape 为 notice）。"""

    template: Text | None = _field(
        "通知正文模板：印发方案时默认用共享模板 notice/issue-plan.md.j2；"
        "自带正文的通知必填（数据集中的文件）",
        None,
    )
    number: DocumentNumber | None = _field("发文字号；不填则不排", None)
    date: Date = _field("成文日期")
    addressees: Text = _field("主送机关，不含末尾冒号")
    purpose: StrictStr = _field("“现将”之前的目的语，如 为进一步做好……工作，", "")
    request: Text | None = _field("执行要求，如 请结合实际抓好贯彻落实（印发方案时必填）", None)
    plan_cited_as: Text | None = _field("通知中对方案的称呼（与方案标题不同时填写）", None)
    title_cites_plan_as: Text | None = _field("通知标题中对方案的称呼（与正文不同时填写）", None)
    quote_plan_title: bool = _field("标题中方案名称是否加书名号", True)
    title_lines: list[Text] | None = _field("手工指定标题分行（一般不需要）", None)
    note: Text | None = _field("附注，不含括号，如 此件公开发布", None)
    imprint: Imprint | None = _field("版记；不填则不排", None)
    subject: Text | None = _field(
        "事由：标题为“发文机关关于事由的通知”，如 做好2025年度居民医保参保缴费工作；"
        "自带正文的通知必填，印发方案时不填（由方案标题生成）",
        None,
    )
    wording: NoticeWording = Field(
        default_factory=NoticeWording, description="印发通知的固定用语（各项有默认值）"
    )
    attachments: list[Attachment] = _field(
        "附件（自带正文的通知用；印发方案时附件写在 plan.attachments 下）", []
    )


class Attachment(Model):
    """附件：一张表、一份名单或一段正文（可组合）。"""

    title: Text = _field("附件标题，可引用数据，如 {{ issuer.short_name }}{{ year }}年度……表")
    listed_as: Text | None = _field("附件说明中的名称（与标题不同时填写）", None)
    table: Identifier | None = _field("tables/ 中的表名", None)
    roster: bool = _field("是否排入领导小组名单（organisation.yaml）", False)
    template: Text | None = _field("名单或表格之后的正文模板（数据集中的文件）", None)
    title_lines: list[Text] | None = _field("手工指定标题分行", None)

    @property
    def has_content(self) -> bool:
        return self.table is not None or self.roster or self.template is not None


class Plan(Model):
    """方案。"""

    title: Text = _field("方案标题，可引用数据")
    title_lines: list[Text] | None = _field("手工指定标题分行", None)
    template: Text = _field("方案正文模板（数据集中的文件）")
    attachments: list[Attachment] = _field("附件", [])
    date: Date | None = _field(
        "成文日期：方案单独发布时必填，排在正文之后的署名下；印发方案时不填（用 notice.date）",
        None,
    )


HeadingFormats = dict[Annotated[int, Field(ge=1, le=4)], Annotated[StrictStr, Field(min_length=1)]]


# 附件说明的写法：附件：1.名称 / 附件：1．名称 / 附件1：名称（只有一个附件时都写作 附件：名称）。
AttachmentListForm = Literal["附件：1.", "附件：1．", "附件1："]

SHAPES = {
    "notice_with_plan": "印发方案的通知：通知、方案、附件",
    "plan": "方案单独发布：无印发通知、无发文字号",
    "notice": "自带正文和附件的通知：无方案",
}


class DocumentFile(Model):
    """document.yaml：发文机关、通知、方案及附件。"""

    issuer: Issuer
    notice: Notice | None = _field("通知（shape 为 notice_with_plan 或 notice 时必填）", None)
    plan: Plan | None = _field("方案（shape 为 notice_with_plan 或 plan 时必填）", None)
    figures: Literal["computed", "printed"] = _field(
        "表格合计显示计算值（computed）还是原文印刷值（printed）", "computed"
    )
    rounding: Literal["half_up", "half_even", "down", "up"] = _field("取整规则", "half_up")
    heading_numbers: HeadingFormats = _field(
        "各级标题序号格式：{cn} 为汉字数字，{n} 为阿拉伯数字", {}
    )
    shape: Literal["notice_with_plan", "plan", "notice"] = _field(
        "公文的组成：notice_with_plan 印发方案的通知（通知、方案、附件）；"
        "plan 方案单独发布（无印发通知、无发文字号，可有成文日期）；"
        "notice 自带正文和附件的通知（无方案）。红头（issuer.mark）在每种组成中都可有可无",
        "notice_with_plan",
    )
    # A bare `seal:` (YAML null) is a seal without a picture, not no seal.
    seal: Annotated[Seal | None, BeforeValidator(lambda v: {} if v is None else v)] = _field(
        "加盖印章时填写，如 seal: {image: 印章.png} 或 seal: {image: 印章.svg}（电子公文）；"
        "只写 seal: 或 seal: {} 为打印后手工盖章："
        "成文日期右空四字，署名居中其上，印章顶端距正文一行之内；排不下时调整行距而不留空白页",
        None,
    )
    attachment_list: AttachmentListForm = _field(
        "附件说明的写法：“附件：1.”（默认）、“附件：1．”（全角点）或“附件1：”（每个附件各带标号）",
        "附件：1.",
    )

    @model_validator(mode="after")
    def _formats_have_a_number(self) -> DocumentFile:
        for level, form in self.heading_numbers.items():
            if "{cn}" not in form and "{n}" not in form:
                raise ValueError(f"第 {level} 级标题序号格式应含 {{cn}} 或 {{n}}")
        return self

    @property
    def issued(self) -> dt.date | None:
        """The 成文日期: the notice's, or the plan's when it is published alone."""
        if self.notice is not None:
            return self.notice.date
        return self.plan.date if self.plan is not None else None

    @property
    def attachments_at(self) -> tuple[tuple[str, ...], list[Attachment]]:
        """Where the attachments are (plan.attachments or notice.attachments) and which."""
        if self.shape == "notice":
            return ("notice", "attachments"), self.notice.attachments if self.notice else []
        return ("plan", "attachments"), self.plan.attachments if self.plan else []


# ------------------------------------------------------------------ policy.yaml


class Tier(Model):
    """缴费档次。"""

    name: Text = _field("档次名称，如 一档")
    amount: Amount = _field("个人缴费标准（元/人·年）")
    group: Text = _field("适用人群，如 居民、大学生", "居民")


class TierRule(Model):
    rule: Literal["full", "share", "fixed", "none"] = _field(
        "full 全额；share 按比例；fixed 定额；none 该档不适用（只用于 per_tier，表中留空）"
    )
    value: Number | None = _field("比例（0–1）或金额（元）", None)

    @model_validator(mode="after")
    def _value_fits_rule(self) -> TierRule:
        if self.rule == "none" and self.value is not None:
            raise ValueError("rule 为 none（该档不适用）时不填 value")
        if self.rule == "full" and self.value is not None:
            raise ValueError("rule 为 full（全额资助）时不填 value")
        if self.rule == "share" and (self.value is None or not 0 < self.value <= 1):
            raise ValueError("rule 为 share 时 value 应为 0 到 1 之间的比例")
        if self.rule == "fixed" and (self.value is None or self.value < 0):
            raise ValueError("rule 为 fixed 时 value 应为不小于 0 的金额")
        return self


class Payer(Model):
    """资助资金的一个承担方。"""

    name: Text = _field("承担方，如 市财政、镇（街）财政")
    share: Rate | None = _field("承担比例，写作小数（0.5 即 50%）；只有一个承担方时可不填", None)


class SubsidyRule(TierRule):
    """困难群众参保资助：资助 + 个人缴 = 该档缴费标准。"""

    id: Identifier | None = _field("供正文引用的名称，如 低保", None)
    groups: Annotated[list[Text], Field(min_length=1)] = _field("资助对象")
    tier_group: Text = _field("适用哪一组档次（对应 tiers 的 group）", "居民")
    per_tier: dict[StrictStr, TierRule] = _field("个别档次的不同规则，键为档次名称", {})
    note: Text | None = _field("备注", None)
    payers: list[Payer] = _field(
        "资助资金由谁承担，如 [{name: 市财政}]，或 [{name: 市财政, share: 0.5}, "
        "{name: 镇（街）财政, share: 0.5}]；各方比例之和应为 1",
        [],
    )

    @model_validator(mode="after")
    def _rule_applies_somewhere(self) -> SubsidyRule:
        if self.rule == "none":
            raise ValueError("rule 为 none（不适用）只能用在 per_tier 中的个别档次")
        return self

    @model_validator(mode="after")
    def _payers_add_up(self) -> SubsidyRule:
        shares = [p.share for p in self.payers]
        if len(self.payers) > 1 and any(s is None for s in shares):
            raise ValueError("有多个承担方时，每一方都应写明承担比例 share")
        given = [s for s in shares if s is not None]
        if given and sum(given, Decimal(0)) != 1:
            total = sum(given, Decimal(0))
            raise ValueError(f"各承担方的比例之和为 {total}，应为 1")
        return self

    def for_tier(self, tier: str) -> TierRule:
        return self.per_tier.get(tier, self)


class FundingPart(Model):
    name: Text = _field("来源，如 中央")
    amount: Amount = _field("金额（元/人）")


class Financing(Model):
    """筹资标准：财政补助各级之和 + 个人缴费 = 筹资总额。"""

    total: Amount = _field("筹资标准（元/人）")
    subsidy: Amount = _field("各级财政补助合计（元/人）")
    subsidy_parts: list[FundingPart] = _field("各级财政补助", [])
    individual: Amount = _field("个人缴费（元/人）")

    @model_validator(mode="after")
    def _adds_up(self) -> Financing:
        parts = sum((p.amount for p in self.subsidy_parts), Decimal(0))
        if self.subsidy_parts and parts != self.subsidy:
            raise ValueError(f"各级财政补助之和 {parts} 不等于财政补助 {self.subsidy}")
        if self.subsidy + self.individual != self.total:
            raise ValueError(
                f"财政补助 {self.subsidy} 加个人缴费 {self.individual} 不等于筹资标准 {self.total}"
            )
        return self


class Period(Model):
    start: Date = _field("开始日期")
    end: Date = _field("结束日期")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("结束日期早于开始日期")
        return self


class CitedDocument(Model):
    title: Text = _field("文件标题")
    number: Text | None = _field("文号，如 医保发〔2023〕24号", None)


class PolicyFile(Model):
    """policy.yaml：年度政策参数。"""

    year: Annotated[StrictInt, Field(ge=2000, le=2999)] = _field("参保年度")
    tiers: Annotated[list[Tier], Field(min_length=1)] = _field("个人缴费档次")
    financing: Financing | None = _field("筹资标准及构成", None)
    subsidies: list[SubsidyRule] = _field("困难群众参保资助", [])
    periods: dict[Identifier, Period] = _field("期间，如 集中参保缴费期", {})
    dates: dict[Identifier, Date] = _field("日期", {})
    rates: dict[Identifier, Rate] = _field("比例，写作小数（0.95 即 95%）", {})
    amounts: dict[Identifier, Amount] = _field("金额", {})
    counts: dict[Identifier, Count] = _field("天数、人数等整数", {})
    ages: dict[Identifier, Age] = _field("年龄（周岁），如 60 岁以上老人的 60", {})
    documents: dict[Identifier, CitedDocument] = _field("引用的文件", {})

    @model_validator(mode="after")
    def _tiers_exist(self) -> PolicyFile:
        if self.financing and self.financing.individual not in {t.amount for t in self.tiers}:
            raise ValueError(
                f"financing.individual（{self.financing.individual}）不等于任何一档个人缴费标准"
            )
        names = {(t.group, t.name) for t in self.tiers}
        for rule in self.subsidies:
            if not any(group == rule.tier_group for group, _ in names):
                raise ValueError(f"资助规则的 tier_group“{rule.tier_group}”没有对应的档次")
            unknown = [t for t in rule.per_tier if (rule.tier_group, t) not in names]
            if unknown:
                raise ValueError(f"per_tier 中的档次不存在：{'、'.join(unknown)}")
        return self


# ------------------------------------------------------------ organisation.yaml


class Person(Model):
    role: Text | None = _field("职责，如 组长、副组长、成员", None)
    name: Text | None = _field("姓名", None)
    title: Text | None = _field("职务，如 县医保局局长", None)

    @model_validator(mode="after")
    def _named(self) -> Person:
        if self.name is None and self.title is None:
            raise ValueError("name 与 title 至少填一项")
        return self


class Office(Model):
    location: Text = _field("办公室设在何处")
    director: Person = _field("办公室主任")
    deputies: list[Person] = _field("办公室副主任", [])
    members: Text | None = _field("办公室成员（文字）", None)
    duties: Text | None = _field("职责", None)
    phones: list[Text] = _field("联系电话", [])


class LeadingGroup(Model):
    name: Text = _field("小组名称")
    members: Annotated[list[Person], Field(min_length=1)] = _field("成员，按排列顺序")
    office: Office | None = _field("小组办公室", None)


class OrganisationFile(Model):
    """organisation.yaml：领导小组及其办公室。"""

    leading_group: LeadingGroup | None = None


# ------------------------------------------------------------------ tables/*.yaml


class Column(Model):
    name: Text = _field(
        "列名：表头文字（可引用数据，如 {{ year - 1 }}年参保人数）；不填 key 时行数据用它作键"
    )
    key: Identifier | None = _field("列的简称：填写后行数据和公式用它代替列名，如 population", None)
    header: list[Text] | None = _field(
        "多行表头：自上而下的各层表头，如 [一档, 资助]；相邻列的相同上层自动合并", None
    )
    kind: Literal["text", "integer", "decimal", "names", "row_number"] = _field(
        "text 文字；integer 整数；decimal 小数；names 姓名（可多个）；row_number 序号", "text"
    )
    formula: Text | None = _field(
        "派生列的公式，如 round(户籍人口数 * rates.coverage_target)", None
    )
    total: Literal["sum"] | None = _field("在合计行求和", None)
    unique: bool = _field("各行取值不得重复", False)
    ref: Text | None = _field("表名.列名：两表取值须一一对应", None)
    merge_down: bool = _field("上下相邻的相同取值合并为一格", False)
    align: Literal["left", "center", "right"] | None = _field("对齐方式（默认数字居右）", None)
    width: Annotated[Decimal, BeforeValidator(_decimal), Field(gt=0), _NUMBER_SCHEMA] = _field(
        "相对列宽", Decimal(1)
    )
    field: Literal["groups", "id", "note", "tier_group", "payers", "name", "group"] | None = _field(
        "表的行取自政策（rows_from）时，这一文字列取哪一项。每条资助规则一行时：groups "
        "资助对象（以、连接）、id、note 备注、tier_group 档次组、payers 承担方（以、连接）；"
        "每个档次一行时：name 档次名称、group 适用人群",
        None,
    )

    @property
    def row_key(self) -> str:
        """What the rows and formulas call this column."""
        return self.key or self.name

    @property
    def label(self) -> str:
        """The column in messages: its name, or its key when the name is a template."""
        return self.key if self.key and "{" in self.name else self.name


class Printed(Model):
    """Figures as printed in a published document, to check and reproduce it."""

    total: dict[StrictStr, Number] = _field("原文印刷的合计，键为列名（或列的 key）", {})


class TableFile(Model):
    """tables/<表名>.yaml：附件表格。"""

    columns: Annotated[list[Column], Field(min_length=1)] = _field("列")
    rows_from: Literal["subsidies", "tiers"] | None = _field(
        "各行取自政策而不手填：subsidies 每条资助规则一行，tiers 每个缴费档次一行"
        "（按 policy.yaml 中的顺序）",
        None,
    )
    rows: list[dict[StrictStr, Any]] = _field(
        '各行数据，键为列名（或列的 key）；数值列的空白写作 ~ 或 ""，'
        "派生列写 {printed: 数值} 记下原文印刷值",
        [],
    )
    total_label: Text | None = _field("合计行的名称，如 合计；不填则无合计行", None)
    unit: Text | None = _field("单位行，如 单位：人（可引用数据，同标题）", None)
    footnotes: list[Text] = _field("表下注（可引用数据，如 {{ year }}年度）", [])
    printed: Printed = Printed()

    @model_validator(mode="after")
    def _column_names_unique(self) -> TableFile:
        names = [c.name for c in self.columns]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"列名重复：{'、'.join(doubled)}")
        keys = [c.row_key for c in self.columns]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        if doubled:
            raise ValueError(f"列的简称（key）与列名重复：{'、'.join(doubled)}")
        return self

    @model_validator(mode="after")
    def _rows_or_rows_from(self) -> TableFile:
        if self.rows_from is not None and self.rows:
            raise ValueError("rows_from 与 rows 只能填一项：行取自政策时不再手填各行")
        return self
