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


def _unique(table: Any) -> dict[str, str]:
    """Unique columns: the key rows use (the column's key, else its name) -> its label."""
    columns = table.get("columns") if isinstance(table, Mapping) else None
    if not isinstance(columns, list):
        return {}
    found = {}
    for c in columns:
        if isinstance(c, Mapping) and c.get("unique"):
            name, key = str(c.get("name")), c.get("key")
            # A heading that is a template ({{ year }}年…) is labelled by its key.
            found[str(key or name)] = str(key) if key and "{" in name else name
    return found


def _key_column(old: Any, new: Any) -> tuple[str, str] | None:
    """The first unique column both versions of a table have, if any: (key, label)."""
    before, after = _unique(old), _unique(new)
    return next(((key, label) for key, label in after.items() if key in before), None)


def _rows(table: Any, key: tuple[str, str] | None) -> dict[str, Mapping[str, Any]]:
    rows = table.get("rows") if isinstance(table, Mapping) else None
    if not isinstance(rows, list):
        return {}
    mappings = [r for r in rows if isinstance(r, Mapping)]
    if key is None:
        return {f"第 {n} 行": row for n, row in enumerate(mappings, start=1)}
    return {f"{key[1]}“{show(row.get(key[0]))}”": row for row in mappings}


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
