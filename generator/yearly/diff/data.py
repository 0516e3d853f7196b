"""What changed in the data between two data sets: parameters, people, table rows.

Works on the YAML as loaded, before validation, so that a data set still
being filled in (a new year's, with fields left null) can be compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.dataset.load import Sources
from generator.yearly.leaves import Names, Path, comment_names, label, leaves, show


@dataclass(frozen=True)
class Change:
    where: str
    old: str | None  # None: added
    new: str | None  # None: removed

    @property
    def mark(self) -> str:
        return "+" if self.old is None else "-" if self.new is None else "~"


@dataclass(frozen=True)
class Section:
    title: str
    changes: tuple[Change, ...]


FILES = (
    ("document.yaml", "发文信息"),
    ("policy.yaml", "政策参数"),
    ("organisation.yaml", "人员"),
)


def _compare(
    old: Mapping[Path, Any], new: Mapping[Path, Any], names: Names | None = None
) -> list[Change]:
    changes = []
    for path in [*old, *(p for p in new if p not in old)]:
        before = show(old[path]) if path in old else None
        after = show(new[path]) if path in new else None
        if before != after:
            changes.append(Change(label(path, names), before, after))
    return changes


def _data(sources: Sources, name: str) -> Any:
    loaded = sources.files.get(name)
    return loaded.data if loaded is not None else None


def _key_column(old: Any, new: Any) -> str | None:
    """The first unique column both versions of a table have, if any."""

    def unique(table: Any) -> list[str]:
        columns = table.get("columns") if isinstance(table, Mapping) else None
        if not isinstance(columns, list):
            return []
        return [str(c["name"]) for c in columns if isinstance(c, Mapping) and c.get("unique")]

    return next((name for name in unique(new) if name in unique(old)), None)


def _rows(table: Any, key: str | None) -> dict[str, Mapping[str, Any]]:
    rows = table.get("rows") if isinstance(table, Mapping) else None
    if not isinstance(rows, list):
        return {}
    mappings = [r for r in rows if isinstance(r, Mapping)]
    if key is None:
        return {f"第 {n} 行": row for n, row in enumerate(mappings, start=1)}
    return {f"{key}“{show(row.get(key))}”": row for row in mappings}


def _summary(row: Mapping[str, Any]) -> str:
    return "，".join(f"{column} {show(value)}" for column, value in row.items())


def table_changes(old: Any, new: Any) -> list[Change]:
    """Changed settings, then rows added, removed and changed, cell by cell."""

    def settings(table: Any) -> dict[Path, Any]:
        if not isinstance(table, Mapping):
            return {}
        return leaves({k: v for k, v in table.items() if k != "rows"})

    changes = _compare(settings(old), settings(new))
    key = _key_column(old, new)
    before, after = _rows(old, key), _rows(new, key)
    for name, row in after.items():
        if name not in before:
            changes.append(Change(name, None, _summary(row)))
    for name, row in before.items():
        if name not in after:
            changes.append(Change(name, _summary(row), None))
    for name, row in after.items():
        old_row = before.get(name)
        if old_row is None:
            continue
        for column in [*old_row, *(c for c in row if c not in old_row)]:
            was = show(old_row[column]) if column in old_row else None
            now = show(row[column]) if column in row else None
            if was != now:
                changes.append(Change(f"{name} · {column}", was, now))
    return changes


def _table_section(name: str, old: Any, new: Any) -> Section:
    """old or new is None when the table is only in one data set."""
    title = f"表 {name}（tables/{name}.yaml）"
    if old is None:
        return Section(title, (Change("整张表", None, f"共 {len(_rows(new, None))} 行"),))
    if new is None:
        return Section(title, (Change("整张表", f"共 {len(_rows(old, None))} 行", None),))
    return Section(title, tuple(table_changes(old, new)))


def data_sections(old: Sources, new: Sources) -> list[Section]:
    sections = [
        Section(
            f"{title}（{name}）",
            tuple(
                _compare(
                    leaves(_data(old, name)),
                    leaves(_data(new, name)),
                    {
                        **comment_names(old.files.get(name)),
                        **comment_names(new.files.get(name)),
                    },
                )
            ),
        )
        for name, title in FILES
    ]
    old_tables, new_tables = old.tables(), new.tables()
    for table in [*old_tables, *(t for t in new_tables if t not in old_tables)]:
        before, after = old_tables.get(table), new_tables.get(table)
        sections.append(
            _table_section(table, before.data if before else None, after.data if after else None)
        )
    return sections
