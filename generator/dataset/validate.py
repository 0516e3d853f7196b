"""Stage 2, validate: check every file against its schema and the files against
each other, and report every problem at once, in Chinese, with its location.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.dataset import expr
from generator.dataset.load import Sources
from generator.dataset.pending import is_pending, pending_message
from generator.dataset.schema import (
    SHAPES,
    Column,
    DocumentFile,
    OrganisationFile,
    PolicyFile,
    TableFile,
)
from generator.dataset.yamlio import Loaded, NodePath
from generator.problems import DataError, Problem, format_path

ModelT = TypeVar("ModelT", bound=BaseModel)

CellValue = str | int | Decimal | tuple[str, ...] | None


@dataclass(frozen=True)
class InputTable:
    """A table as the data gives it: input cells typed, derived cells still to compute."""

    name: str
    spec: TableFile
    rows: tuple[dict[str, CellValue], ...]
    formulas: dict[str, expr.Expression]


@dataclass(frozen=True)
class Dataset:
    root: Path
    document: DocumentFile
    policy: PolicyFile
    organisation: OrganisationFile
    tables: dict[str, InputTable]
    sources: Sources


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段（是否拼写有误？）",
    "string_type": "应为文本",
    "string_unicode": "含有无法识别的字符（如孤立的 \\uD800 一类转义）",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不对（应以字母或汉字开头，只含字母、汉字、数字和下划线）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "too_short": "至少需要 {min_length} 项",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "literal_error": "取值应为 {expected} 之一",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    template = _MESSAGES.get(kind)
    if template is None:
        return f"取值无效（{error['msg']}）"
    try:
        return template.format(**{k: str(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template


def problem_at(loaded: Loaded, path: NodePath, message: str, **kw: Any) -> Problem:
    line, column = loaded.locate(path) or (None, None)
    return Problem(message, loaded.path, line, column, format_path(path) or None, **kw)


def _check(model: type[ModelT], loaded: Loaded, problems: list[Problem]) -> ModelT | None:
    data = loaded.data if loaded.data is not None else {}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            path = tuple(p for p in item["loc"] if isinstance(p, str | int))
            message = pending_message(path) if is_pending(item) else _message(item)
            problems.append(problem_at(loaded, path, message))
        return None


def _cell(column: Column, value: Any) -> tuple[CellValue, str | None]:
    """Type one input cell; returns (value, error message or None)."""
    if value is None or value == "":
        if column.kind in ("integer", "decimal"):
            return None, "缺少数值"
        return None, None
    if column.kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return None, "应为整数"
        if value < 0:
            return None, "不能小于 0"
        return value, None
    if column.kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return None, "应为数字"
        return Decimal(value), None
    if column.kind == "names":
        names = value if isinstance(value, list) else [value]
        if not all(isinstance(n, str) and n.strip() for n in names):
            return None, "应为姓名或姓名列表"
        return tuple(n.strip() for n in names), None
    if not isinstance(value, str):
        return None, "应为文本（数字请加引号）"
    return value, None


def _table(
    name: str, spec: TableFile, loaded: Loaded, known: set[str], problems: list[Problem]
) -> InputTable:
    columns = {c.name: c for c in spec.columns}
    formulas: dict[str, expr.Expression] = {}
    available = set(known)
    for index, column in enumerate(spec.columns):
        where: NodePath = ("columns", index, "formula")
        if column.formula is not None:
            try:
                parsed = expr.parse(column.formula)
            except expr.ExprError as error:
                problems.append(problem_at(loaded, where, str(error)))
            else:
                unknown = sorted(parsed.names - available)
                if unknown:
                    problems.append(
                        problem_at(
                            loaded,
                            where,
                            f"公式引用了未知的名称：{'、'.join(unknown)}（只能引用前面的列和参数）",
                        )
                    )
                formulas[column.name] = parsed
            if column.kind not in ("integer", "decimal"):
                problems.append(
                    problem_at(loaded, ("columns", index, "kind"), "派生列应为 integer 或 decimal")
                )
        if column.total and column.kind not in ("integer", "decimal"):
            problems.append(problem_at(loaded, ("columns", index, "total"), "只有数值列可以合计"))
        available.add(column.name)

    rows: list[dict[str, CellValue]] = []
    for r, raw in enumerate(spec.rows):
        row: dict[str, CellValue] = {}
        for key in raw:
            if key not in columns:
                problems.append(problem_at(loaded, ("rows", r, key), f"表中没有名为“{key}”的列"))
            elif columns[key].formula or columns[key].kind == "row_number":
                problems.append(problem_at(loaded, ("rows", r, key), "这一列由程序计算，不应填写"))
        for column in spec.columns:
            if column.formula or column.kind == "row_number":
                continue
            value, message = _cell(column, raw.get(column.name))
            if message:
                problems.append(problem_at(loaded, ("rows", r, column.name), message))
            row[column.name] = value
        rows.append(row)

    for column in spec.columns:
        if column.unique:
            seen: dict[CellValue, int] = {}
            for r, row in enumerate(rows):
                value = row.get(column.name)
                if value is None:
                    continue
                if value in seen:
                    problems.append(
                        problem_at(
                            loaded,
                            ("rows", r, column.name),
                            f"“{value}”重复出现（第 {seen[value] + 1} 行已有）",
                        )
                    )
                else:
                    seen[value] = r
    for key in spec.printed.total:
        if key not in columns or not columns[key].total:
            problems.append(problem_at(loaded, ("printed", "total", key), f"“{key}”不是合计的列"))
    return InputTable(name, spec, tuple(rows), formulas)


def parameter_names(policy: PolicyFile) -> set[str]:
    """The names formulas may use: rates.x, amounts.x, counts.x."""
    return {
        f"{group}.{key}"
        for group in ("rates", "amounts", "counts")
        for key in getattr(policy, group)
    }


def _check_refs(tables: dict[str, InputTable], sources: Sources, problems: list[Problem]) -> None:
    """ref: both tables hold the same set of values (no village missing on either side)."""
    for name, table in tables.items():
        loaded = sources.tables()[name]
        for index, column in enumerate(table.spec.columns):
            if column.ref is None:
                continue
            where: NodePath = ("columns", index, "ref")
            target_table, _, target_column = column.ref.partition(".")
            target = tables.get(target_table)
            if target is None or target_column not in {c.name for c in target.spec.columns}:
                problems.append(problem_at(loaded, where, f"引用的表或列“{column.ref}”不存在"))
                continue
            here = {row[column.name]: r for r, row in enumerate(table.rows) if row.get(column.name)}
            there = {row[target_column] for row in target.rows if row.get(target_column)}
            for value, r in here.items():
                if value not in there:
                    problems.append(
                        problem_at(
                            loaded, ("rows", r, column.name), f"“{value}”不在表 {target_table} 中"
                        )
                    )
            missing = [str(v) for v in there if v not in here]
            if missing:
                problems.append(
                    problem_at(
                        loaded,
                        ("rows",),
                        f"表 {target_table} 中的 {'、'.join(missing)} 在本表中缺失",
                    )
                )


def _inside(root: Path, relative: str) -> bool:
    return (root / relative).resolve().is_relative_to(root.resolve())


def _shape_problems(doc: DocumentFile) -> list[tuple[NodePath, str]]:
    """What the chosen shape (document.yaml `shape`) needs and excludes."""
    shape = f"shape 为 {doc.shape}（{SHAPES[doc.shape]}）"
    found: list[tuple[NodePath, str]] = []
    if doc.shape in ("notice_with_plan", "notice") and doc.notice is None:
        found.append((("notice",), f"{shape}，需要填写 notice（通知）"))
    if doc.shape in ("notice_with_plan", "plan") and doc.plan is None:
        found.append((("plan",), f"{shape}，需要填写 plan（方案）"))
    if doc.shape == "notice" and doc.plan is not None:
        found.append((("plan",), f"{shape}，不应有 plan；附件写在 notice.attachments 下"))
    if doc.shape == "plan" and doc.notice is not None:
        message = f"{shape}，不应有 notice；成文日期写在 plan.date 下"
        found.append((("notice",), message))
    notice, plan = doc.notice, doc.plan
    if doc.shape == "plan" and plan is not None and plan.date is None:
        found.append((("plan", "date"), f"{shape}，需要填写 plan.date（成文日期）"))
    if doc.shape == "notice_with_plan":
        if plan is not None and plan.date is not None:
            found.append((("plan", "date"), f"{shape}，成文日期写在 notice.date，不填 plan.date"))
        if notice is not None and notice.request is None:
            found.append((("notice", "request"), f"{shape}，需要填写 notice.request（执行要求）"))
        if notice is not None and notice.subject is not None:
            message = f"{shape}，通知标题由方案标题生成，不填 notice.subject"
            found.append((("notice", "subject"), message))
        if notice is not None and notice.attachments:
            message = f"{shape}，附件写在 plan.attachments 下，不写在 notice.attachments 下"
            found.append((("notice", "attachments"), message))
    if doc.shape == "notice" and notice is not None:
        if notice.template is None:
            message = f"{shape}，需要填写 notice.template（通知正文模板，数据集中的文件）"
            found.append((("notice", "template"), message))
        if notice.subject is None:
            message = f"{shape}，需要填写 notice.subject（事由，标题为“发文机关关于事由的通知”）"
            found.append((("notice", "subject"), message))
    return found


def _check_document(
    doc: DocumentFile,
    organisation: OrganisationFile | None,
    tables: Iterable[str],
    sources: Sources,
    problems: list[Problem],
) -> None:
    loaded = sources.files["document.yaml"]
    for path, message in _shape_problems(doc):
        if path == ("plan", "date") and "date" in (loaded.data or {}).get("plan", {}):
            message = pending_message(path)  # written null: new-year cleared it
        problems.append(problem_at(loaded, path, message))
    templates: list[tuple[NodePath, str]] = []
    if doc.plan is not None:
        templates.append((("plan", "template"), doc.plan.template))
    if doc.shape == "notice" and doc.notice is not None and doc.notice.template is not None:
        templates.append((("notice", "template"), doc.notice.template))
    at, attachments = doc.attachments_at
    for index, attachment in enumerate(attachments):
        where: NodePath = (*at, index)
        if attachment.template is not None:
            templates.append(((*where, "template"), attachment.template))
        if attachment.roster and organisation is not None and organisation.leading_group is None:
            problems.append(
                problem_at(
                    loaded,
                    (*where, "roster"),
                    "organisation.yaml 中没有 leading_group，无法排出名单",
                )
            )
    for path, template in templates:
        if not _inside(sources.root, template) or not (sources.root / template).is_file():
            problems.append(problem_at(loaded, path, f"模板文件“{template}”不在数据集目录中"))
    for index, attachment in enumerate(attachments):
        if attachment.table is not None and attachment.table not in tables:
            problems.append(
                problem_at(
                    loaded,
                    (*at, index, "table"),
                    f"没有表 tables/{attachment.table}.yaml",
                )
            )


def validate(sources: Sources) -> Dataset:
    problems: list[Problem] = []
    document = _check(DocumentFile, sources.files["document.yaml"], problems)
    policy = _check(PolicyFile, sources.files["policy.yaml"], problems)
    organisation: OrganisationFile | None = OrganisationFile()
    if "organisation.yaml" in sources.files:
        organisation = _check(OrganisationFile, sources.files["organisation.yaml"], problems)
    known = parameter_names(policy) if policy else set()
    tables: dict[str, InputTable] = {}
    for name, loaded in sources.tables().items():
        spec = _check(TableFile, loaded, problems)
        if spec is not None:
            tables[name] = _table(name, spec, loaded, known, problems)
    _check_refs(tables, sources, problems)
    if document is not None:
        _check_document(document, organisation, tables, sources, problems)
    if problems or document is None or policy is None or organisation is None:
        raise DataError(problems)
    return Dataset(sources.root, document, policy, organisation, tables, sources)
