"""Build the document model from the validated data and the computed tables.

The notice's standard wording comes from a shared template, the plan's prose
from the data set's own; both render in a sandbox to markup (see markup.py).
"""

from __future__ import annotations

import dataclasses
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.compose import formatting, sandbox
from generator.compose.markup import MarkupError, parse
from generator.compose.tables import roster_model, table_model, too_wide
from generator.compose.titles import break_title
from generator.compute import Computed
from generator.compute.tables import ComputedTable
from generator.dataset.schema import DocumentFile
from generator.dataset.validate import Dataset, problem_at
from generator.dataset.yamlio import Loaded
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
    Seal,
    Signature,
    Table,
    Title,
)
from generator.paths import shared_templates
from generator.problems import DataError, Problem, Severity, shortened
from generator.style.profile import StyleProfile

# The shared notice issuing a plan, unless the notice names its own template.
ISSUE_PLAN_TEMPLATE = "notice/issue-plan.md.j2"


def notice_template(document: DocumentFile) -> str | None:
    """The template of the notice's body: its own, or the shared one issuing a plan."""
    if document.notice is None:
        return None
    if document.notice.template is None and document.plan is not None:
        return ISSUE_PLAN_TEMPLATE
    return document.notice.template


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


def _by_key_too(table: ComputedTable, row: dict[str, Any]) -> dict[str, Any]:
    """A row as templates see it: by column name and, where a column has one, by key."""
    keyed = {c.key: row[c.name] for c in table.input.spec.columns if c.key and c.name in row}
    return {**row, **keyed}


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
            "payers": [p.model_dump() for p in s.rule.payers],
            # tiers the rule applies to; a tier with rule: none is left out
            "tiers": [t.__dict__ for t in s.tiers if t.subsidy is not None],
        }
        for s in computed.subsidies
    ]
    return {
        "year": dataset.policy.year,
        "issuer": dataset.document.issuer.model_dump(),
        "notice": dataset.document.notice.model_dump() if dataset.document.notice else None,
        "policy": policy,
        "org": dataset.organisation.model_dump(),
        "tables": {
            name: {
                "rows": [_by_key_too(t, row) for row in t.printed_rows],
                "total": None if t.shown_total is None else _by_key_too(t, t.shown_total),
            }
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
        table_pt = style.roles["table"].size_pt
        self.table_chars = page.text_width_mm * 72 / 25.4 / table_pt
        self.cell_padding_chars = 6 / table_pt  # 3 pt each side (writers/css.py)

    def text(
        self,
        value: str | None,
        where: tuple[str | int, ...] | None = None,
        loaded: Loaded | None = None,
    ) -> str:
        """A short text from the data that may refer to data, e.g. {{ year }}年度;
        where: its field in loaded (document.yaml unless given), named by an
        error (without it, the caller names the place)."""
        if not value:
            return ""
        try:
            return render_string(self.env, value, self.context)
        except DataError as error:
            if where is None:
                raise
            loaded = loaded or self.dataset.sources.files["document.yaml"]
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
            blocks: list[Block] = list(parse(text, self.dataset.document.heading_numbers))
        except MarkupError as error:
            path = self.dataset.root / template
            raise DataError([Problem(str(error), path, error.line)]) from None
        if not blocks:  # never a silently empty notice or plan page
            found = self.env.get_template(template).filename
            path = Path(found) if found else self.dataset.root / template
            message = f"正文模板“{template}”生成的正文为空，不能排出没有正文的页面"
            raise DataError([Problem(message, path)])
        return blocks

    def letterhead(self, number: str | None) -> list[Block]:
        mark = self.dataset.document.issuer.mark
        return [Letterhead(mark, number)] if mark else []

    def notice(self, plan_title: str | None) -> Part:
        """The notice: issuing the plan titled plan_title, or, without one, a
        notice with its own subject, body and attachments."""
        doc = self.dataset.document
        notice, issuer = doc.notice, doc.issuer
        assert notice is not None  # validate: the shape has a notice
        number = str(notice.number) if notice.number else None
        blocks = self.letterhead(number)
        if number and not issuer.mark:
            self.warn(("notice", "number"), "没有发文机关标志（issuer.mark），发文字号不排印")
        self.context["notice"] = {
            **self.context["notice"],
            "purpose": self.text(notice.purpose, ("notice", "purpose")),
        }
        if plan_title is None:
            subject = self.text(notice.subject, ("notice", "subject"))
        else:
            subject = f"{notice.wording.title_verb}{self.cite_plan(plan_title)}"
        template = notice_template(doc)
        assert template is not None  # validate: a notice of its own names its template
        blocks.append(self.title(f"{issuer.name}关于{subject}的通知", notice.title_lines))
        blocks.append(Addressee(f"{notice.addressees}："))
        blocks.extend(self.body(template))
        if plan_title is None:
            blocks.extend(self.attachment_list())
        blocks.append(Signature(issuer.name, formatting.date(notice.date), self.seal()))
        if notice.note:
            blocks.append(Note(f"（{notice.note}）"))
        return Part(PartKind.NOTICE, tuple(blocks), new_page=False)

    def seal(self) -> Seal | None:
        """The seal of a sealed notice (document.yaml seal), its picture's path
        checked by validate."""
        seal = self.dataset.document.seal
        if seal is None:
            return None
        image = self.dataset.root / seal.image if seal.image else None
        return Seal(image, float(seal.diameter_mm))

    def cite_plan(self, plan_title: str) -> str:
        """The plan's name as the notice's title gives it; the body's is put in
        the context as plan.cited. Either differing from the plan's own title
        is warned about, as a mismatched attachment name is."""
        notice = self.dataset.document.notice
        assert notice is not None
        cited = self.text(notice.plan_cited_as, ("notice", "plan_cited_as")) or plan_title
        self.context["plan"] = {"title": plan_title, "cited": cited}
        if cited != plan_title:
            self.warn(
                ("notice", "plan_cited_as"),
                "通知正文中对方案的称呼与方案标题不一致（引用公文应写全称）",
            )
        in_title = self.text(notice.title_cites_plan_as, ("notice", "title_cites_plan_as")) or cited
        if in_title != plan_title and notice.title_cites_plan_as:
            self.warn(
                ("notice", "title_cites_plan_as"),
                "通知标题中对方案的称呼与方案标题不一致（引用公文应写全称）",
            )
        return f"《{in_title}》" if notice.quote_plan_title else in_title

    def attachment_titles(self) -> list[str]:
        at, attachments = self.dataset.document.attachments_at
        return [self.text(a.title, (*at, i, "title")) for i, a in enumerate(attachments)]

    def attachment_list(self) -> list[Block]:
        """The 附件说明, in the form the data chooses (attachment_list)."""
        doc = self.dataset.document
        at, attachments = doc.attachments_at
        if not attachments:
            return []
        titles = self.attachment_titles()
        listed = [
            self.text(a.listed_as, (*at, i, "listed_as")) if a.listed_as else titles[i]
            for i, a in enumerate(attachments)
        ]
        if len(listed) == 1:
            return [AttachmentList(tuple(listed))]
        if doc.attachment_list == "附件1：":
            items = tuple(f"附件{i + 1}：{t}" for i, t in enumerate(listed))
            return [AttachmentList(items, label="")]
        dot = doc.attachment_list.removeprefix("附件：1")
        return [AttachmentList(tuple(f"{i + 1}{dot}{t}" for i, t in enumerate(listed)))]

    def plan(self, title: str, alone: bool) -> list[Part]:
        """The plan and the attachments; alone: published without a notice,
        so it may have the letterhead, and is signed and dated."""
        doc = self.dataset.document
        plan = doc.plan
        assert plan is not None  # validate: the shape has a plan
        blocks: list[Block] = self.letterhead(None) if alone else []
        blocks.append(self.title(title, plan.title_lines))
        blocks.extend(self.body(plan.template))
        blocks.extend(self.attachment_list())
        if alone and plan.date is not None:
            blocks.append(Signature(doc.issuer.name, formatting.date(plan.date), self.seal()))
        return [Part(PartKind.PLAN, tuple(blocks), new_page=not alone)]

    def attachments(self) -> list[Part]:
        at, attachments = self.dataset.document.attachments_at
        titles = self.attachment_titles()
        parts = []
        for index, attachment in enumerate(attachments):
            label = f"附件{index + 1}" if len(attachments) > 1 else "附件"
            where: tuple[str | int, ...] = (*at, index)
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
                content.append(self.table(attachment.table))
            if attachment.template is not None:
                content.extend(self.body(attachment.template))
            parts.append(Part(PartKind.ATTACHMENT, tuple(content)))
        return parts

    def table(self, name: str) -> Table:
        """A table with its headings rendered; an error if it would not fit the text block."""
        spec = self.computed.tables[name].input.spec
        loaded = self.dataset.sources.tables()[name]

        def heading(text: str) -> str:
            try:
                return self.text(text)
            except DataError as error:
                index = next(
                    i
                    for i, c in enumerate(spec.columns)
                    if text == c.name or text in (c.header or [])
                )
                raise DataError(
                    [problem_at(loaded, ("columns", index), p.message) for p in error.problems]
                ) from None

        table = table_model(self.computed.tables[name], heading)
        # The unit line and the notes below may cite data too ({{ year }}).
        table = dataclasses.replace(
            table,
            unit=self.text(table.unit, ("unit",), loaded) if table.unit else None,
            footnotes=tuple(
                self.text(f, ("footnotes", i), loaded) for i, f in enumerate(table.footnotes)
            ),
        )
        problems = [
            problem_at(
                loaded,
                ("columns", column),
                f"表 {name} 的“{text}”比列“{self.text(spec.columns[column].name)}”宽，"
                "表格会超出版心：请加大这一列的 width、缩短文字或减少列数",
            )
            for column, text in too_wide(table, self.table_chars, self.cell_padding_chars)
        ]
        if problems:
            raise DataError(problems)
        return table

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
                            self.dataset.document.attachments_at[0],
                            f"正文提到“{match.group(0)}”，但数据集中没有这个附件",
                        )

    def document(self) -> Document:
        doc = self.dataset.document
        parts: list[Part] = []
        if doc.plan is None:
            parts.append(self.notice(None))
        else:
            plan_title = self.text(doc.plan.title, ("plan", "title"))
            self.context["plan"] = {"title": plan_title, "cited": plan_title}
            if doc.notice is not None:
                parts.append(self.notice(plan_title))
            parts.extend(self.plan(plan_title, alone=doc.notice is None))
        parts.extend(self.attachments())
        self.check_mentions(parts)
        imprint = doc.notice.imprint if doc.notice is not None else None
        if imprint is not None:
            last = parts[-1]
            block = Imprint(
                imprint.printer, f"{formatting.date(imprint.date)}印发", imprint.copy_to
            )
            parts[-1] = Part(last.kind, (*last.blocks, block), last.new_page)
        first_title = next(b for b in parts[0].blocks if isinstance(b, Title))
        issued = doc.issued
        assert issued is not None  # validate: every shape has a date of issue
        info = DocumentInfo(title=first_title.text, author=doc.issuer.name, date=issued.isoformat())
        return Document(info, tuple(parts))


def compose(
    dataset: Dataset, computed: Computed, style: StyleProfile
) -> tuple[Document, list[Problem]]:
    composer = _Composer(dataset, computed, style)
    return composer.document(), composer.warnings


def data_text(dataset: Dataset, computed: Computed) -> Callable[[str], str]:
    """Short texts of the data ({{ year - 1 }}年外出人数) rendered as composing
    renders them, without composing the document (whose templates may need
    rows a table has yet to get: gongwen table import fills it)."""
    env = template_environment(dataset.root)
    context = _context(dataset, computed)
    return lambda text: render_string(env, text, context)


def composed_context(
    dataset: Dataset, computed: Computed, style: StyleProfile
) -> tuple[ImmutableSandboxedEnvironment, dict[str, Any]]:
    """The environment and every variable templates see, as after composing
    (docs/templates.md renders its examples with them)."""
    composer = _Composer(dataset, computed, style)
    composer.document()
    return composer.env, composer.context
