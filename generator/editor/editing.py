"""An edit as the page sends it, applied to a file's text: form fields
(path, kind, typed text), a table's rows (kept, moved, added, removed), or a
prose template's whole text. Nothing is written here (see yamlsave)."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.editor import forms, yamlsave
from generator.problems import DataError, Problem, format_path


class EditError(Exception):
    """Typed text that cannot be the field's kind of value: (file, field, message)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


def _path(raw: Any) -> tuple[str | int, ...]:
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(k, str | int) and not isinstance(k, bool) for k in raw)
    ):
        raise DataError([Problem("请求中的字段路径无效")])
    return tuple(raw)


def apply_fields(file: str, text: str, edits: Any) -> str:
    """document/policy/organisation.yaml with the form's changed fields set."""
    document = yamlsave.Document(text, file)
    # Only the form's own fields: the schema decides what may be written.
    shown = {f.path: f for f in forms.fields(forms.form(file, document))}
    known = {path: f.kind for path, f in shown.items()}
    bad: list[dict[str, Any]] = []
    for edit in edits if isinstance(edits, list) else []:
        if not isinstance(edit, dict):
            raise DataError([Problem("请求中的字段路径无效")])
        path = _path(edit.get("path"))
        if path not in known:
            raise DataError([Problem(f"{format_path(path)} 不是表单中的字段，未保存", None)])
        if str(edit.get("value", "")) == shown[path].value:
            continue  # as the form showed it (a default included): nothing to write
        kind = "text" if known[path] == "longtext" else known[path]
        try:
            value = forms.parsed(kind, str(edit.get("value", "")))
        except ValueError as error:
            bad.append(
                {
                    "file": file,
                    "field": format_path(path),
                    "message": str(error),
                    "severity": "错误",
                }
            )
            continue
        document.set(path, value)
    if bad:
        raise EditError(bad)
    return document.text()


def _cell(kind: str, text: str) -> Any:
    text = text.strip()
    if text == "":
        return None
    if kind in ("integer", "decimal"):
        try:
            return yamlsave.number(text)
        except ValueError:
            return text  # validation says what is wrong, in the CLI's words
    if kind == "names":
        names = [n.strip() for n in text.replace("，", "、").split("、") if n.strip()]
        return names if len(names) > 1 else names[0]
    return text


def apply_rows(file: str, text: str, rows: Any) -> str:
    """A table file with its rows as the grid has them. Each row says which
    row it was (its index when the page loaded, or null for a new row) and
    its input cells; computed columns are never written."""
    document = yamlsave.Document(text, file)
    data = document.data
    columns = data.get("columns") or []
    inputs = {
        c["name"]: c.get("kind", "text")
        for c in columns
        if isinstance(c, dict) and "formula" not in c and c.get("kind") != "row_number"
    }
    old = data.get("rows") or []
    if not isinstance(rows, list):
        raise DataError([Problem("请求中的表格行无效")])
    new_items = []
    for row in rows:
        origin = row.get("from")
        cells = row.get("cells") or {}
        if isinstance(origin, int) and not isinstance(origin, bool) and 0 <= origin < len(old):
            item = old[origin]
        else:
            item = yamlsave.flow_map({})
        for name, kind in inputs.items():
            if name not in cells:
                continue
            value = _cell(kind, str(cells[name]))
            if isinstance(value, str) and isinstance(item.get(name), list):
                value = [value]  # a list of one name stays a list
            if value is None:
                item.pop(name, None)
            elif name not in item or not yamlsave.same(item[name], value):
                item[name] = value
        new_items.append(item)
    if [id(i) for i in new_items] != [id(i) for i in old]:
        if "rows" not in data:
            data["rows"] = []
        yamlsave.reorder(data["rows"], new_items)
    return document.text()


def change_items(file: str, text: str, op: Any, raw_path: Any) -> str:
    """An item added at the end of one of the form's lists, or one removed."""
    document = yamlsave.Document(text, file)
    path = _path(raw_path)
    listed = {g.path for g in forms.lists(forms.form(file, document))}
    if op == "add" and path in listed:
        try:
            items = document.get(path)
        except (KeyError, IndexError, TypeError):
            items = None
        if items is None:
            document.set(path, CommentedSeq())
            items = document.get(path)
        flow = (
            bool(items) and getattr(items[-1], "fa", None) is not None and items[-1].fa.flow_style()
        )
        items.append(yamlsave.flow_map({}) if flow else CommentedMap())
    elif op == "remove" and path[:-1] in listed and isinstance(path[-1], int):
        items = document.get(path[:-1])
        if not 0 <= path[-1] < len(items):
            raise DataError([Problem("要删除的项不存在，请重新载入页面")])
        del items[path[-1]]
    else:
        raise DataError([Problem(f"{format_path(path)} 不是表单中的列表，未改动")])
    return document.text()
