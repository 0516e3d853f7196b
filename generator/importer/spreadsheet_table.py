"""What import and export share: the table of a data set, its key column and
its headings as the document prints them ({{ year - 1 }} rendered)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from generator.compose.document import data_text
from generator.compute import Computed, compute
from generator.dataset.load import load_sources
from generator.dataset.schema import Column
from generator.dataset.validate import Dataset, InputTable, validate
from generator.problems import DataError, Problem

TOTAL_LABELS = ("合计", "总计")


@dataclass(frozen=True)
class TableContext:
    dataset: Dataset
    computed: Computed
    table: InputTable
    headings: tuple[tuple[str, ...], ...]  # each column's heading path, rendered

    @property
    def columns(self) -> list[Column]:
        return list(self.table.spec.columns)

    @property
    def file(self) -> Path:
        return self.dataset.root / "tables" / f"{self.table.name}.yaml"

    def is_input(self, column: Column) -> bool:
        return column.formula is None and column.kind != "row_number"


def normal(text: object) -> str:
    """Text compared as a person reads it: full and half width alike, no blanks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def load_table(root: Path, name: str) -> TableContext:
    """The data set at root (which must validate) and its table name, computed."""
    dataset = validate(load_sources(root))
    if name not in dataset.tables:
        known = "、".join(sorted(dataset.tables)) or "无"
        raise DataError([Problem(f"数据集中没有表 tables/{name}.yaml（现有的表：{known}）", root)])
    computed = compute(dataset)
    render = data_text(dataset, computed)
    table = dataset.tables[name]
    headings = tuple(tuple(render(h) for h in (c.header or [c.name])) for c in table.spec.columns)
    return TableContext(dataset, computed, table, headings)


def key_column(context: TableContext) -> Column:
    """The column rows are matched by: the first unique input column of text."""
    for column in context.columns:
        if column.unique and column.kind == "text" and context.is_input(column):
            return column
    raise DataError(
        [
            Problem(
                f"表 {context.table.name} 没有唯一列（unique: true 的文字列，如村名），"
                "无法把表格的行与数据对应",
                context.file,
            )
        ]
    )
