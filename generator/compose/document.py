"""Build the document model from the validated data and the computed tables.

The notice's standard wording comes from a shared template, the plan's prose
from the data set's own; both render in a sandbox to markup (see markup.py).
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.compose import formatting, sandbox
from generator.compose.markup import MarkupError, parse
from generator.compose.tables import roster_model, table_model
from generator.compose.titles import break_title
from generator.compute import Computed
from generator.dataset.validate import Dataset, problem_at
from generator.model import (
    Addressee,
    AttachmentHeading,
    AttachmentList,
    Block,
    Document,
    DocumentInfo,
    Heading,
    Imprint,
    Letterhead,
    Note,
    Paragraph,
    Part,
    PartKind,
    Signature,
    Title,
)
from generator.paths import shared_templates
from generator.problems import DataError, Problem, Severity, shortened
from generator.style.profile import StyleProfile

# 附件2, 附表 in the prose, but not the 附件说明 itself (附件：).
_MENTION = re.compile(r"(附件|附表)(\d*)(?!：)")


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for as long as the process runs, by template
    file and the checksum of its source (a changed template is compiled
    again), so that a process building again compiles nothing. Only for the
    environment template_environment makes: the code depends on its options."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def template_environment(dataset_root: Path) -> ImmutableSandboxedEnvironment:
    """Data set templates first, so an office may override a shared one.
    Bounded in time, size and files read (sandbox.py)."""
    env = sandbox.BoundedEnvironment(
        loader=sandbox.ConfinedLoader([dataset_root, shared_templates()]),
        bytecode_cache=_COMPILED,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # renders markup, not HTML: the writers escape
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(sandbox.checked_filters(formatting.FILTERS))
    return env


def _template_line(error: BaseException, name: str) -> int | None:
    """The template line an exception was raised at (Jinja maps frames to it)."""
    lineno = getattr(error, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith(name):
            return frame.lineno
    return None


def _quoted_name(message: str, which: int) -> str:
    """A name Jinja quotes in its (English) message, e.g. '__class__'."""
    found = re.findall(r"'([^']+)'", message)
    return found[which] if found else message


def _template_problem(error: BaseException, name: str) -> str:
    if isinstance(error, SecurityError):
        return f"模板试图访问 Python 内部属性“{_quoted_name(str(error), 0)}”，已拒绝"
    if isinstance(error, sandbox.TemplateRefused | sandbox.TemplateLimit):
        return str(error.message)
    if isinstance(error, jinja2.TemplateNotFound):
        return f"模板文件不存在：“{error.name}”"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"模板语法错误（{sandbox.jinja_message(error.message or '') or '无法解析'}）"
    if isinstance(error, jinja2.UndefinedError):
        return f"模板引用了不存在的数据“{_quoted_name(error.message or '', -1)}”"
    return sandbox.error_message(error)


def render(env: ImmutableSandboxedEnvironment, name: str, context: dict[str, Any]) -> str:
    """Render one template; a template's mistake becomes a Chinese DataError."""
    path = sandbox.locate(env, name) or Path(name)
    try:
        template = env.get_template(name)
        path = Path(template.filename or name)
        return sandbox.render_bounded(template, context)
    except sandbox.RENDER_ERRORS as error:
        path = sandbox.error_path(error) or path
        message = _template_problem(error, name)
        line = sandbox.error_line(error) or _template_line(error, path.name)
    raise DataError([Problem(message, path, line)])


def render_string(env: ImmutableSandboxedEnvironment, text: str, context: dict[str, Any]) -> str:
    """Render a short template held in the data (e.g. a title with {{ policy.year }})."""
    if "{" not in text:
        return text
    try:
        return sandbox.render_bounded(env.from_string(text), context)
    except sandbox.RENDER_ERRORS as error:
        message = f"“{shortened(text)}”中的模板表达式有误（{_template_problem(error, '')}）"
        raise DataError([Problem(message)]) from None


def _context(dataset: Dataset, computed: Computed) -> dict[str, Any]:
    policy = dataset.policy.model_dump()
    subsidies: list[dict[str, Any]] = [
        {
            "id": s.rule.id,
            "groups": s.rule.groups,
            "rule": s.rule.rule,
            "value": s.rule.value,
            "note": s.rule.note,
            "tier_group": s.rule.tier_group,
            "tiers": [t.__dict__ for t in s.tiers],
        }
        for s in computed.subsidies
    ]
    return {
        "year": dataset.policy.year,
        "issuer": dataset.document.issuer.model_dump(),
        "notice": dataset.document.notice.model_dump(),
        "policy": policy,
        "org": dataset.organisation.model_dump(),
        "tables": {
            name: {"rows": list(t.rows), "total": t.shown_total}
            for name, t in computed.tables.items()
        },
        "subsidies": subsidies,
        # by id, and each tier by name: subsidy.低保.一档.personal
        "subsidy": {
            s["id"]: {**s, **{t["tier"]: t for t in s["tiers"]}} for s in subsidies if s["id"]
        },
    }


class _Composer:
    def __init__(self, dataset: Dataset, computed: Computed, style: StyleProfile) -> None:
        self.dataset = dataset
        self.computed = computed
        self.env = template_environment(dataset.root)
        self.context = _context(dataset, computed)
        self.warnings: list[Problem] = []
        page = style.page
        # Characters of 22 pt that fit the text block's width.
        self.title_chars = int(page.text_width_mm * 72 / 25.4 // style.roles["title"].size_pt)

    def text(self, value: str | None, where: tuple[str | int, ...]) -> str:
        """A short text from the data that may refer to data, e.g. {{ year }}年度;
        where: its field in document.yaml, named by an error."""
        if not value:
            return ""
        try:
            return render_string(self.env, value, self.context)
        except DataError as error:
            loaded = self.dataset.sources.files["document.yaml"]
            raise DataError(
                [problem_at(loaded, where, p.message) for p in error.problems]
            ) from None

    def title(self, text: str, lines: list[str] | None) -> Title:
        if lines:
            return Title(tuple(lines))
        issuer = self.dataset.document.issuer
        keep = tuple(n for n in (issuer.name, issuer.short_name) if n)
        return Title(break_title(text, self.title_chars, keep))

    def body(self, template: str) -> list[Block]:
        text = render(self.env, template, self.context)
        try:
            return list(parse(text, self.dataset.document.heading_numbers))
        except MarkupError as error:
            path = self.dataset.root / template
            raise DataError([Problem(str(error), path, error.line)]) from None

    def notice(self, plan_title: str) -> Part:
        doc = self.dataset.document
        notice, issuer = doc.notice, doc.issuer
        cited = self.text(notice.plan_cited_as, ("notice", "plan_cited_as")) or plan_title
        self.context["plan"] = {"title": plan_title, "cited": cited}
        self.context["notice"] = {
            **self.context["notice"],
            "purpose": self.text(notice.purpose, ("notice", "purpose")),
        }
        in_title = self.text(notice.title_cites_plan_as, ("notice", "title_cites_plan_as")) or cited
        quoted = f"《{in_title}》" if notice.quote_plan_title else in_title
        title_text = f"{issuer.name}关于印发{quoted}的通知"
        blocks: list[Block] = []
        if issuer.mark:
            blocks.append(Letterhead(issuer.mark, str(notice.number) if notice.number else None))
        elif notice.number:
            self.warn(("notice", "number"), "没有发文机关标志（issuer.mark），发文字号不排印")
        blocks.append(self.title(title_text, notice.title_lines))
        blocks.append(Addressee(f"{notice.addressees}："))
        blocks.extend(self.body(notice.template))
        blocks.append(Signature(issuer.name, formatting.date(notice.date)))
        if notice.note:
            blocks.append(Note(f"（{notice.note}）"))
        return Part(PartKind.NOTICE, tuple(blocks), new_page=False)

    def plan(self, title: str) -> list[Part]:
        plan = self.dataset.document.plan
        blocks: list[Block] = [self.title(title, plan.title_lines)]
        blocks.extend(self.body(plan.template))
        attachments = plan.attachments
        at = ("plan", "attachments")
        titles = [self.text(a.title, (*at, i, "title")) for i, a in enumerate(attachments)]
        if attachments:
            listed = [
                self.text(a.listed_as, (*at, i, "listed_as")) if a.listed_as else titles[i]
                for i, a in enumerate(attachments)
            ]
            numbered = len(listed) > 1
            blocks.append(
                AttachmentList(
                    tuple(f"{i + 1}.{t}" if numbered else t for i, t in enumerate(listed))
                )
            )
        parts = [Part(PartKind.PLAN, tuple(blocks))]
        for index, attachment in enumerate(attachments):
            label = f"附件{index + 1}" if len(attachments) > 1 else "附件"
            where = ("plan", "attachments", index)
            if not attachment.has_content:
                self.warn(where, f"{label}“{titles[index]}”在数据中没有内容，不生成附件页")
                continue
            if attachment.listed_as and attachment.listed_as != attachment.title:
                self.warn(
                    (*where, "listed_as"),
                    f"{label}的标题与附件说明中的名称不一致（GB/T 9704 要求一致）",
                )
            attachment_title = self.title(titles[index], attachment.title_lines)
            content: list[Block] = [AttachmentHeading(label, attachment_title)]
            group = self.dataset.organisation.leading_group
            if attachment.roster and group is not None:
                content.append(roster_model(group))
            if attachment.table is not None:
                content.append(table_model(self.computed.tables[attachment.table]))
            if attachment.template is not None:
                content.extend(self.body(attachment.template))
            parts.append(Part(PartKind.ATTACHMENT, tuple(content)))
        return parts

    def warn(self, where: tuple[str | int, ...], message: str) -> None:
        loaded = self.dataset.sources.files["document.yaml"]
        self.warnings.append(problem_at(loaded, where, message, severity=Severity.WARNING))

    def check_mentions(self, parts: list[Part]) -> None:
        """Warn about 附件N / 附表 the text refers to but the document lacks."""
        included = sum(1 for p in parts if p.kind is PartKind.ATTACHMENT)
        for part in parts:
            for block in part.blocks:
                text = block.text if isinstance(block, Paragraph) else ""
                if isinstance(block, Heading):
                    text = block.text + (block.body or "")
                for match in _MENTION.finditer(text):
                    number = int(match.group(2) or 1)
                    if number > included:
                        self.warn(
                            ("plan", "attachments"),
                            f"正文提到“{match.group(0)}”，但数据集中没有这个附件",
                        )

    def document(self) -> Document:
        doc = self.dataset.document
        plan_title = self.text(doc.plan.title, ("plan", "title"))
        parts = [self.notice(plan_title), *self.plan(plan_title)]
        self.check_mentions(parts)
        imprint = doc.notice.imprint
        if imprint is not None:
            last = parts[-1]
            block = Imprint(
                imprint.printer, f"{formatting.date(imprint.date)}印发", imprint.copy_to
            )
            parts[-1] = Part(last.kind, (*last.blocks, block), last.new_page)
        first_title = next(b for b in parts[0].blocks if isinstance(b, Title))
        info = DocumentInfo(
            title=first_title.text,
            author=doc.issuer.name,
            date=doc.notice.date.isoformat(),
        )
        return Document(info, tuple(parts))


def compose(
    dataset: Dataset, computed: Computed, style: StyleProfile
) -> tuple[Document, list[Problem]]:
    composer = _Composer(dataset, computed, style)
    return composer.document(), composer.warnings
