"""Stage 2, validate: check every file against its schema and the files against
each other, and report every problem at once, in Chinese, with its location.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.dataset import expr
from generator.dataset.load import Sources
from generator.dataset.names import ROW_FIELDS, policy_names, row_names
from generator.dataset.pending import is_pending, pending_message
from generator.dataset.places import describe
from generator.dataset.schema import (
    SHAPES,
    Column,
    DocumentFile,
    OrganisationFile,
    PolicyFile,
    SubsidyRule,
    TableFile,
    Tier,
)
from generator.dataset.yamlio import Loaded, NodePath
from generator.problems import DataError, Problem

ModelT = TypeVar("ModelT", bound=BaseModel)

CellValue = str | int | Decimal | tuple[str, ...] | None


@dataclass(frozen=True)
class InputTable:
    """A table as the data gives it: input cells typed, derived cells still to
    compute. Rows are keyed by column name; a formula reads a column by its
    key (or its name)."""

    name: str
    spec: TableFile
    rows: tuple[dict[str, CellValue], ...]
    formulas: dict[str, expr.Expression]
    # Printed values of derived cells ({printed: 3226}): (row index, column name).
    printed: dict[tuple[int, str], Decimal] = field(default_factory=dict)

    def row_label(self, index: int) -> str:
        """第 3 行（坝芒村）: the row as a person names it."""
        label = next(
            (
                self.rows[index][c.name]
                for c in self.spec.columns
                if c.unique and isinstance(self.rows[index].get(c.name), str)
            ),
            None,
        )
        return f"第 {index + 1} 行" + (f"（{label}）" if label else "")


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
    place = describe(loaded.data, path) or None
    return Problem(message, loaded.path, line, column, place, path=path or None, **kw)


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


def _cell(column: Column, value: Any, present: bool = True) -> tuple[CellValue, str | None]:
    """Type one input cell; returns (value, error message or None). A numeric
    cell written empty (~ or "") is a blank; one left out is a mistake."""
    if value is None or value == "":
        if column.kind in ("integer", "decimal") and not present:
            return None, '缺少数值（空白请写作 ~ 或 ""）'
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
    name: str,
    spec: TableFile,
    loaded: Loaded,
    policy: PolicyFile | None,
    problems: list[Problem],
) -> InputTable:
    known = parameter_names(policy) if policy else set()
    columns = {c.row_key: c for c in spec.columns}
    formulas: dict[str, expr.Expression] = {}
    source = spec.rows_from
    available = set(known) | (row_names(policy, source) if source and policy else set())
    texts: set[str] = set()  # columns to the left that hold no number
    for index, column in enumerate(spec.columns):
        where: NodePath = ("columns", index, "formula")
        if column.formula is not None:
            try:
                parsed = expr.parse(column.formula)
            except expr.ExprError as error:
                problems.append(problem_at(loaded, where, str(error)))
            else:
                # Without a valid policy.yaml (reported already) no name can be checked.
                unknown = sorted(parsed.names - available) if policy else []
                wordy = sorted(set(unknown) & texts)
                if wordy:
                    problems.append(
                        problem_at(loaded, where, f"公式中的列“{'”“'.join(wordy)}”不是数值列")
                    )
                    unknown = [n for n in unknown if n not in texts]
                if unknown:
                    hints = [
                        f"“{close[0]}”"
                        for n in unknown
                        if (close := difflib.get_close_matches(n, sorted(available), n=1))
                    ]
                    hint = f"；是否指{'、'.join(hints)}？" if hints else ""
                    problems.append(
                        problem_at(
                            loaded,
                            where,
                            f"公式引用了未知的名称：{'、'.join(unknown)}"
                            f"（只能引用左侧的列和政策参数，见 docs/templates.md）{hint}",
                        )
                    )
                formulas[column.name] = parsed
            if column.kind not in ("integer", "decimal"):
                problems.append(
                    problem_at(loaded, ("columns", index, "kind"), "派生列应为 integer 或 decimal")
                )
        if column.total and column.kind not in ("integer", "decimal"):
            problems.append(problem_at(loaded, ("columns", index, "total"), "只有数值列可以合计"))
        _check_field(spec, column, index, loaded, problems)
        numeric = column.kind in ("integer", "decimal", "row_number")
        (available if numeric else texts).update({column.row_key, column.name})

    printed: dict[tuple[int, str], Decimal] = {}
    rows: list[dict[str, CellValue]] = []
    for r, raw in enumerate(spec.rows):
        row: dict[str, CellValue] = {}
        for key in raw:
            if key not in columns:
                named = next((c for c in spec.columns if c.name == key and c.key), None)
                why = f"（这一列的简称是“{named.key}”）" if named else ""
                problems.append(
                    problem_at(loaded, ("rows", r, key), f"表中没有名为“{key}”的列{why}")
                )
            elif columns[key].formula:
                figure = _printed_cell(raw[key])
                if figure is None and isinstance(raw[key], dict) and set(raw[key]) == {"printed"}:
                    problems.append(problem_at(loaded, ("rows", r, key), "印刷值应为一个数字"))
                elif figure is None:
                    problems.append(
                        problem_at(
                            loaded,
                            ("rows", r, key),
                            "这一列由程序计算，不应填写；记录原文印刷值请写作 {printed: 数值}",
                        )
                    )
                else:
                    printed[(r, columns[key].name)] = figure
            elif columns[key].kind == "row_number":
                problems.append(problem_at(loaded, ("rows", r, key), "这一列由程序计算，不应填写"))
        for column in spec.columns:
            if column.formula or column.kind == "row_number":
                continue
            key = column.row_key
            cell, message = _cell(column, raw.get(key), key in raw)
            if message:
                problems.append(problem_at(loaded, ("rows", r, key), message))
            row[column.name] = cell
        rows.append(row)
    if spec.rows_from == "subsidies" and policy is not None:
        rows = [_rule_row(spec, rule) for rule in policy.subsidies]
    elif spec.rows_from == "tiers" and policy is not None:
        rows = [_tier_row(spec, tier) for tier in policy.tiers]

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
                            ("rows", r, column.row_key),
                            f"“{value}”重复出现（第 {seen[value] + 1} 行已有）",
                        )
                    )
                else:
                    seen[value] = r
    by_name = {c.name: c for c in spec.columns}
    for key in spec.printed.total:
        summed = columns.get(key) or by_name.get(key)
        if summed is None or not summed.total:
            problems.append(problem_at(loaded, ("printed", "total", key), f"“{key}”不是合计的列"))
    return InputTable(name, spec, tuple(rows), formulas, printed)


def _printed_cell(value: Any) -> Decimal | None:
    """{printed: 3226}: the figure a published table printed in a derived cell."""
    if not isinstance(value, dict) or set(value) != {"printed"}:
        return None
    number = value["printed"]
    if isinstance(number, bool) or not isinstance(number, int | Decimal):
        return None
    return Decimal(number)


def _check_field(
    spec: TableFile, column: Column, index: int, loaded: Loaded, problems: list[Problem]
) -> None:
    """In a table whose rows come from policy, each text column names its source."""
    if column.field is not None and spec.rows_from is None:
        problems.append(
            problem_at(loaded, ("columns", index, "field"), "只有 rows_from 的表才用 field")
        )
    fits = ROW_FIELDS.get(spec.rows_from or "", ())
    if column.field is not None and spec.rows_from is not None and column.field not in fits:
        problems.append(
            problem_at(
                loaded,
                ("columns", index, "field"),
                f"rows_from: {spec.rows_from} 的表中，field 应为 {'、'.join(fits)} 之一",
            )
        )
    if column.field is not None and column.kind != "text":
        problems.append(problem_at(loaded, ("columns", index, "kind"), "取自 field 的列应为 text"))
    plain = column.formula is None and column.kind != "row_number"
    if spec.rows_from is not None and plain and column.field is None:
        problems.append(
            problem_at(
                loaded,
                ("columns", index),
                "行取自政策（rows_from）时，每一列应有 formula 或 field（或为 row_number）",
            )
        )


def _rule_row(spec: TableFile, rule: SubsidyRule) -> dict[str, CellValue]:
    """A row of a rows_from: subsidies table: its text columns from the rule."""
    texts: dict[str, str | None] = {
        "groups": "、".join(rule.groups),
        "id": rule.id,
        "note": rule.note,
        "tier_group": rule.tier_group,
        "payers": "、".join(p.name for p in rule.payers) or None,
    }
    return {c.name: texts.get(c.field) for c in spec.columns if c.field is not None}


def _tier_row(spec: TableFile, tier: Tier) -> dict[str, CellValue]:
    """A row of a rows_from: tiers table: its text columns from the tier."""
    texts = {"name": tier.name, "group": tier.group}
    return {c.name: texts.get(c.field) for c in spec.columns if c.field is not None}


def parameter_names(policy: PolicyFile) -> set[str]:
    """The policy names formulas may use (see generator/dataset/names.py)."""
    return policy_names(policy)


def _check_refs(tables: dict[str, InputTable], sources: Sources, problems: list[Problem]) -> None:
    """ref: both tables hold the same set of values (no village missing on either side)."""
    for name, table in tables.items():
        loaded = sources.tables()[name]
        for index, column in enumerate(table.spec.columns):
            if column.ref is None:
                continue
            where: NodePath = ("columns", index, "ref")
            target_table, _, target_key = column.ref.partition(".")
            target = tables.get(target_table)
            found = [
                c.name
                for c in (target.spec.columns if target else [])
                if target_key in (c.name, c.key)
            ]
            if target is None or not found:
                problems.append(problem_at(loaded, where, f"引用的表或列“{column.ref}”不存在"))
                continue
            target_column = found[0]
            here = {row[column.name]: r for r, row in enumerate(table.rows) if row.get(column.name)}
            there = {row[target_column] for row in target.rows if row.get(target_column)}
            for value, r in here.items():
                if value not in there:
                    problems.append(
                        problem_at(
                            loaded,
                            ("rows", r, column.row_key),
                            f"“{value}”不在表 {target_table} 中",
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


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEAL_IMAGE_MAX_BYTES = 5 * 2**20  # both writers embed it whole


def seal_image_problem(root: Path, relative: str) -> str | None:
    """What is wrong with a seal image (document.yaml seal.image), in Chinese;
    None when it is a PNG or SVG file inside the data set. A file from the
    data set is untrusted: a symbolic link could reach any file of the
    machine, an SVG could name others (svg.py checks it)."""
    path = root / relative
    name = f"印章图片“{relative}”"
    if not _inside(root, relative) or Path(relative).is_absolute():
        return f"{name}应在数据集目录中"
    if path.is_symlink():
        return f"{name}是符号链接；请放入图片文件本身"
    if not path.exists():
        return f"{name}不存在"
    if not path.is_file():
        return f"{name}不是文件"
    if path.stat().st_size > SEAL_IMAGE_MAX_BYTES:
        return f"{name}过大（超过 {SEAL_IMAGE_MAX_BYTES // 2**20} MB）；印章图片一般不到 1 MB"
    data = path.read_bytes()
    if data.startswith(PNG_SIGNATURE):
        return _png_problem(path, name)
    if path.suffix.lower() == ".svg" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _svg_problem(data, name)
    return f"{name}不是 PNG 或 SVG 图片（应为背景透明的 PNG 或 SVG）"


def _svg_problem(data: bytes, name: str) -> str | None:
    """An SVG that is unsafe, does not draw or hides what is under it (svg.py)."""
    from generator.dataset.svg import SvgProblem, parse_svg, transparency_problem

    try:
        checked = parse_svg(data)
        problem = transparency_problem(checked)
    except SvgProblem as error:
        return f"{name}{error}"
    return f"{name}{problem}" if problem else None


def _png_problem(path: Path, name: str) -> str | None:
    """A PNG that does not decode, or has no transparency (it would hide the
    issuer and date under its ground), in Chinese."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return f"{name}已损坏或过大，无法读取"
    if not transparent:
        return f"{name}没有透明背景（会遮住署名和成文日期）；请用背景透明的 PNG"
    return None


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
    if doc.seal is not None and doc.seal.image is not None:
        problem = seal_image_problem(sources.root, doc.seal.image)
        if problem:
            problems.append(problem_at(loaded, ("seal", "image"), problem))
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
    tables: dict[str, InputTable] = {}
    for name, loaded in sources.tables().items():
        spec = _check(TableFile, loaded, problems)
        if spec is not None:
            tables[name] = _table(name, spec, loaded, policy, problems)
    _check_refs(tables, sources, problems)
    if document is not None:
        # Tables that failed their own checks are reported there, not as missing.
        _check_document(document, organisation, sources.tables(), sources, problems)
    if problems or document is None or policy is None or organisation is None:
        raise DataError(problems)
    return Dataset(sources.root, document, policy, organisation, tables, sources)
