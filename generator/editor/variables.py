"""The names a prose template may use, as the pipeline gives them to it
(year, issuer, notice, policy, org, subsidy), each with a suggested filter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from generator.dataset.validate import Dataset

LIMIT = 400


def _filter(path: str, value: Any) -> str:
    if isinstance(value, dt.date):
        return " | date"
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return " | pct" if ".rates." in path else " | num"
    return ""


def _walk(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    if len(out) >= LIMIT or value is None:
        return
    if isinstance(value, dict):
        if set(value) == {"start", "end"}:
            out.append((f"{{{{ {path} | period }}}}", f"{value['start']} 至 {value['end']}"))
        for key, item in value.items():
            name = f"{path}.{key}" if str(key).isidentifier() else f'{path}["{key}"]'
            _walk(item, name, out)
    elif isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        out.append((f'{{{{ {path} | join("、") }}}}', "、".join(value)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", out)
    else:
        out.append((f"{{{{ {path}{_filter(path, value)} }}}}", str(value)))


def variables(dataset: Dataset) -> list[tuple[str, str]]:
    """(expression to insert, current value) for every value a template may use."""
    out: list[tuple[str, str]] = [("{{ year }}", str(dataset.policy.year))]
    _walk(dataset.document.issuer.model_dump(), "issuer", out)
    _walk(dataset.policy.model_dump(exclude={"year"}), "policy", out)
    _walk(dataset.organisation.model_dump(), "org", out)
    return out
