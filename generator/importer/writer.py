"""The recognised notice written out as a draft data set: document.yaml,
policy.yaml, plan.md.j2 (and other templates), tables/*.yaml and the import
report, each YAML file with its schema reference; written into a staging
folder and moved into place whole, so a failure leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from generator.build.staging import new_stage, sync_tree
from generator.dataset.schema_refs import with_schema_ref
from generator.importer.docx_reader import ImportFailure, Para
from generator.importer.headings import Numbering, looks_numbered, markup_lines, split_heading
from generator.importer.lifting import Lifted, dataset_year, short_name
from generator.importer.notice import Attachment, Notice
from generator.importer.report import REPORT_NAME, Report
from generator.importer.roster import roster_from_lines
from generator.importer.tables import import_table

NOTICE_BODY = re.compile(
    r"^(?P<purpose>.*?)(?P<lead>现将|现把|今将|兹将)《(?P<cited>.+)》(?P<issued>[^，。《》]*)，(?P<request>.+?)。$"
)


def _plain(value: Any) -> Any:
    """YAML-ready: Decimals as int or float (read back as Decimal from their text)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False, width=10**6)


def _flow(value: Any) -> str:
    return str(
        yaml.safe_dump(
            _plain(value), allow_unicode=True, default_flow_style=True, sort_keys=False, width=10**6
        )
    ).strip()


def _table_yaml(spec: dict[str, Any]) -> str:
    head = {k: v for k, v in spec.items() if k not in ("columns", "rows", "printed")}
    out = ["columns:"] + [f"  - {_flow(c)}" for c in spec["columns"]]
    if head:
        out.append(_dump(head).rstrip())
    out.append("rows:" if spec["rows"] else "rows: []")
    out += [f"  - {_flow(row)}" for row in spec["rows"]]
    if "printed" in spec:
        out.append("printed:  # 原文印刷的合计，供核对")
        out.append(f"  total: {_flow(spec['printed']['total'])}")
    return "\n".join(out) + "\n"


@dataclass
class Draft:
    files: dict[str, str] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    printed_differs: bool = False  # a table's printed figure differs from the computed one
    source: str = ""  # the file imported, named in the report


def _prose(
    paragraphs: list[str],
    lifted: Lifted,
    numbering: Numbering,
    report: Report,
    looks: dict[str, Para] | None = None,
) -> str:
    blocks: list[str] = []
    automatic = [t for t in paragraphs if (look := (looks or {}).get(t)) and look.auto_numbered]
    if automatic:
        report.review.append(
            f"{len(automatic)} 段用了 Word 的自动编号，序号不在文字中，未能识别为标题，请补上标记："
            + "；".join(t[:12] for t in automatic[:5])
        )
    for text in paragraphs:
        heading = split_heading(text, numbering)
        if heading is None:
            if looks_numbered(text):
                numbering.kept_as_text.append(text[:20])
            line = lifted.template(text)
            blocks.append("\\" + line if line.startswith("#") else line)
            continue
        level, rest = heading
        title, body = markup_lines(level, rest, (looks or {}).get(text), text)
        lines = ["#" * level + (" " + lifted.template(title) if title else "")]
        if body:
            lines.append(lifted.template(body))
        blocks.append("\n".join(lines))
    text = "\n\n".join(blocks) + "\n"
    left = _numbers_left(text)
    if left:
        report.text.append(
            "正文中仍写作文字的数字（需要每年改的请改为引用 policy.yaml）：" + "；".join(left)
        )
    return text


def _numbers_left(template: str, most: int = 8) -> list[str]:
    """Numbers the template still spells out, each with a few characters of
    context (heading markers and {{ … }} left out)."""
    plain = re.sub(r"\{\{.*?\}\}", "※", template)
    found = []
    for match in re.finditer(r"\d[\d.\-]*\d|\d", plain):
        start, end = max(match.start() - 4, 0), min(match.end() + 4, len(plain))
        found.append("“…" + plain[start:end].replace("\n", "").strip() + "…”")
    return found[:most] + ([f"等共 {len(found)} 处"] if len(found) > most else [])


def draft(notice: Notice, source: str) -> Draft:
    out = Draft(source=Path(source).name)
    report = out.report
    titles = [t for t in (notice.plan_title, notice.title) if t] + [
        a.title for a in notice.attachments
    ]
    year = dataset_year(titles, notice.date)
    if year is None:
        raise ImportFailure(f"{source}：标题中没有年份，也没有成文日期，无法确定参保年度")
    lifted = Lifted(year)
    issuer = notice.issuer or ""
    if not issuer:
        issuer = m[1] if (m := re.match(r"^(.+?)关于", notice.title)) else "待填写"
        report.review.append(
            "没有找到署名，发文机关名称取自标题" if issuer != "待填写" else "没有找到发文机关名称"
        )
    document: dict[str, Any] = {"issuer": {"name": issuer}}
    lifted.short_name = short_name(issuer, [t for t in (notice.plan_title, *titles) if t])
    if lifted.short_name:
        document["issuer"]["short_name"] = lifted.short_name
        report.recognised.append(
            f"发文机关简称：{lifted.short_name}（标题中写作 {{{{ issuer.short_name }}}}）"
        )
    if notice.mark:
        document["issuer"]["mark"] = notice.mark
        report.recognised.append(f"发文机关标志（红头）：{notice.mark}")
    numbering = Numbering()
    attachments = _attachments(notice, lifted, out)
    if notice.shape == "notice_with_plan":
        document["notice"] = _notice_issuing_plan(notice, issuer, lifted, report)
        if "template" in document["notice"]:
            out.files["notice.md.j2"] = _prose(
                notice.body, lifted, Numbering(), report, notice.looks
            )
    elif notice.shape == "notice":
        entry: dict[str, Any] = _notice_common(notice, lifted, report)
        subject = re.match(rf"^{re.escape(issuer)}关于(.+)的通知$", notice.title)
        entry["subject"] = lifted.template(subject[1], values=False) if subject else "待填写"
        if subject is None:
            report.review.append(
                f"标题“{notice.title}”不是“{issuer}关于……的通知”的写法，事由待填写"
            )
        entry["template"] = "notice.md.j2"
        out.files["notice.md.j2"] = _prose(notice.body, lifted, numbering, report, notice.looks)
        if attachments:
            entry["attachments"] = attachments
        document["notice"] = entry
        document["shape"] = "notice"
    if notice.plan_title is not None:
        plan: dict[str, Any] = {
            "title": lifted.template(notice.plan_title, values=False),
            "template": "plan.md.j2",
        }
        if attachments:
            plan["attachments"] = attachments
        if notice.shape == "plan":
            document["shape"] = "plan"
            if notice.date:
                plan["date"] = notice.date
        document["plan"] = plan
        out.files["plan.md.j2"] = _prose(notice.plan_body, lifted, numbering, report, notice.looks)
        report.recognised.append(f"方案：{notice.plan_title}（正文 {len(notice.plan_body)} 段）")
    if numbering.formats:
        document["heading_numbers"] = dict(sorted(numbering.formats.items()))
    if notice.attachment_list_form != "附件：1.":
        document["attachment_list"] = notice.attachment_list_form
    if out.printed_differs:
        document["figures"] = "printed"
        report.review.append(
            "表格中有原文印刷值与计算不符：figures 设为 printed（照印原文数值），核对后可改为 computed"
        )
    report.recognised.append(
        f"标题序号 {numbering.recognised} 个转为标记（# ## ### ####），序号由程序生成"
    )
    if numbering.kept_as_text:
        report.text.append("序号不连续、保留为文字的段落：" + "；".join(numbering.kept_as_text))
    out.files["document.yaml"] = _dump(document)
    out.files["policy.yaml"] = _policy(lifted, report)
    report.text += [f"未归入任何部分的文字：{t}" for t in notice.unplaced]
    return out


def _attachments(notice: Notice, lifted: Lifted, out: Draft) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    count = max(len(notice.attachments), len(notice.attachment_list))
    for index in range(count):
        page = notice.attachments[index] if index < len(notice.attachments) else None
        listed = notice.attachment_list[index] if index < len(notice.attachment_list) else None
        title = page.title if page and page.title else (listed or "待填写")
        entry: dict[str, Any] = {"title": lifted.template(title, values=False)}
        if listed and listed != title:
            entry["listed_as"] = lifted.template(listed, values=False)
            out.report.review.append(
                f"附件{index + 1}的标题与附件说明中的名称不一致（已记在 listed_as）"
            )
        if page is None:
            out.report.review.append(f"附件{index + 1}“{title}”只在附件说明中出现，没有找到附件页")
        else:
            if page.grid is not None:
                table = import_table(page.grid, lifted)
                out.printed_differs |= table.printed_differs
                name = f"table{index + 1}"
                spec = table.spec
                if page.unit or "unit" in spec:
                    spec = {
                        **spec,
                        "unit": lifted.template(page.unit or spec["unit"], values=False),
                    }
                if page.footnotes:
                    spec = {
                        **spec,
                        "footnotes": [lifted.template(f, values=False) for f in page.footnotes],
                    }
                order = ["columns", "total_label", "unit", "footnotes", "rows", "printed"]
                spec = {k: spec[k] for k in order if k in spec}
                out.files[f"tables/{name}.yaml"] = _table_yaml(spec)
                entry["table"] = name
                out.report.recognised.append(
                    f"附件{index + 1}的表格 → tables/{name}.yaml：" + "；".join(table.notes)
                )
                out.report.review += [f"tables/{name}.yaml：{r}" for r in table.review]
            _roster(page, index, entry, out)
            if page.paragraphs:
                template = f"attachment{index + 1}.md.j2"
                out.files[template] = _prose(
                    page.paragraphs, lifted, Numbering(), out.report, notice.looks
                )
                entry["template"] = template
                out.report.text.append(
                    f"附件{index + 1}的文字（{len(page.paragraphs)} 段）保留为正文 {template}"
                )
        entries.append(entry)
    return entries


def _roster(page: Attachment, index: int, entry: dict[str, Any], out: Draft) -> None:
    """A name list at the head of the attachment into organisation.yaml (one
    leading group a data set: a second list stays text)."""
    if "organisation.yaml" in out.files:
        return
    roster = page.roster
    if roster is None and (found := roster_from_lines(page.raw)) is not None:
        roster, used = found
        del page.paragraphs[:used], page.raw[:used]
    if roster is None:
        return
    name = re.sub(r"(人员|成员)?名单$", "", page.title) or page.title
    members = [{k: v for k, v in m.items() if v} for m in roster.members]
    group = {"leading_group": {"name": name, "members": members}}
    out.files["organisation.yaml"] = _dump(group)
    entry["roster"] = True
    out.report.recognised.append(f"附件{index + 1}的名单 → organisation.yaml（{len(members)} 人）")
    if roster.guessed:
        out.report.review.append(
            "名单中姓名与职务之间没有空格，按三个字划分了姓名，请核对：" + "、".join(roster.guessed)
        )


def _notice_common(notice: Notice, lifted: Lifted, report: Report) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if notice.number:
        prefix, year, serial = notice.number
        entry["number"] = {"prefix": prefix, "year": year, "serial": serial}
        report.recognised.append(f"发文字号：{prefix}〔{year}〕{serial}号")
    entry["date"] = notice.date
    entry["addressees"] = notice.addressees
    report.recognised.append(f"主送机关：{notice.addressees}；成文日期：{notice.date}")
    if notice.note:
        entry["note"] = notice.note
    if notice.imprint:
        copy_to, printer, when = notice.imprint
        entry["imprint"] = {"printer": printer, "date": when}
        if copy_to:
            entry["imprint"]["copy_to"] = copy_to
        report.recognised.append(f"版记：{printer} {when} 印发")
    return entry


def _notice_issuing_plan(
    notice: Notice, issuer: str, lifted: Lifted, report: Report
) -> dict[str, Any]:
    entry = _notice_common(notice, lifted, report)
    plan_title = notice.plan_title or ""
    body = "".join(notice.body)
    match = NOTICE_BODY.match(body)
    if match is None or len(notice.body) != 1:
        # A body of its own: kept as the notice's template; request (required
        # when a plan is issued, unused by that template) is its 请… clause.
        entry["template"] = "notice.md.j2"
        asked = re.findall(r"(请[^。；]*)[。；]", body)
        entry["request"] = asked[-1] if asked else body.rstrip("。")[-30:]
        report.text.append(
            "通知正文不是“现将《方案》印发给你们，请……。”的写法，保留为正文 notice.md.j2"
        )
        return entry
    if match["purpose"]:
        entry["purpose"] = lifted.template(match["purpose"], values=False)
    entry["request"] = match["request"]
    wording = {}
    if match["lead"] != "现将":
        wording["lead"] = match["lead"]
    if match["issued"] != "印发给你们":
        wording["issued_to"] = match["issued"]
    cited = match["cited"]
    if cited != plan_title:
        entry["plan_cited_as"] = lifted.template(cited, values=False)
        report.review.append("通知正文对方案的称呼与方案标题不一致（已记在 plan_cited_as）")
    title = re.match(
        rf"^{re.escape(issuer)}关于(?P<verb>印发|转发|下发)(?P<open>《?)(?P<name>.+?)》?的通知$",
        notice.title,
    )
    if title is None:
        report.review.append(f"通知标题“{notice.title}”不是“{issuer}关于印发《方案》的通知”的写法")
    else:
        if title["verb"] != "印发":
            wording["title_verb"] = title["verb"]
        if not title["open"]:
            entry["quote_plan_title"] = False
        if title["name"] != cited:
            entry["title_cites_plan_as"] = lifted.template(title["name"], values=False)
    if wording:
        entry["wording"] = wording
    report.recognised.append("通知正文：目的语、方案称呼、执行要求")
    return entry


def _policy(lifted: Lifted, report: Report) -> str:
    policy: dict[str, Any] = {"year": lifted.year}
    if lifted.tiers:
        policy["tiers"] = lifted.tiers
    else:
        policy["tiers"] = [{"name": "待填写", "amount": 0}]
        report.review.append("原文没有写明缴费档次（如“一档380元”）：policy.yaml 的 tiers 待填写")
    for name in ("periods", "dates", "rates", "amounts", "counts", "ages", "documents"):
        values = getattr(lifted, name)
        if values:
            policy[name] = values
    for name, label in (
        ("amounts", "金额"),
        ("rates", "比例"),
        ("dates", "日期"),
        ("periods", "期间"),
        ("counts", "天数"),
        ("ages", "年龄"),
        ("documents", "引用文件"),
    ):
        for key, value in getattr(lifted, name).items():
            uses = lifted.uses.get(f"policy.{name}.{key}", 0)
            shown = (
                value if not isinstance(value, dict) else "、".join(str(v) for v in value.values())
            )
            report.lifted.append(f"{label} {name}.{key} = {shown}（正文中 {uses} 处）")
    for index, tier in enumerate(lifted.tiers):
        report.lifted.append(f"缴费档次 tiers[{index}]：{tier['name']} {tier['amount']} 元")
    report.lifted.append(
        f"参保年度 year = {lifted.year}（正文、标题中的年份写作 {{{{ year }}}}、{{{{ year - 1 }}}}）"
    )
    if lifted.amounts or lifted.rates:
        report.review.append(
            "金额、比例按数值归并：数值相同的几处共用一个名称，意义不同时请分开并改用有意义的名称"
        )
    return _dump(policy)


def write_dataset(result: Draft, target: Path) -> None:
    """Write the draft at target, which must not exist or be empty."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ImportFailure(f"{target}：目录已存在且不为空，未做任何改动（请换一个目录）")
    staged: list[Path] = []  # the staging folder, known here even if a signal follows at once
    try:
        stage = new_stage(target.parent, staged)
        for relative, text in sorted(result.files.items()):
            path = stage / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if relative.endswith(".yaml"):
                text = with_schema_ref(text, target, relative)
            path.write_text(text, "utf-8")
        (stage / REPORT_NAME).write_text(result.report.text_block(result.source), "utf-8")
        sync_tree(stage)
        if target.exists():
            target.rmdir()
        os.rename(stage, target)
    except BaseException:
        if staged:
            shutil.rmtree(staged[0], ignore_errors=True)
        raise
