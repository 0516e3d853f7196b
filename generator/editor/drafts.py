"""An edit checked before (and after) it is saved: the data set validated and
computed by the pipeline's own stages with one file's text replaced, so the
page shows the CLI's errors beside their fields, and the figures (subsidies,
table columns and totals) as they would be built, as the clerk types."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.compose.formatting import cell
from generator.compute import Computed, compute
from generator.dataset.load import Sources, load_sources
from generator.dataset.validate import Dataset, validate
from generator.dataset.yamlio import parse_yaml
from generator.problems import DataError, Problem, format_path


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    dataset: Dataset | None = None
    computed: Computed | None = None

    @property
    def ok(self) -> bool:
        return self.dataset is not None


def problem_json(problem: Problem, root: Path) -> dict[str, Any]:
    file = None
    if problem.file is not None:
        try:
            file = Path(problem.file).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            file = Path(problem.file).name
    return {
        "file": file,
        "line": problem.line,
        # The form names a field by its keys (tiers[1].amount); a person by its place.
        "field": format_path(problem.path) if problem.path else problem.field,
        "place": problem.field,
        "message": problem.message,
        "severity": problem.severity.value,
        "text": str(problem).replace(str(root.resolve()) + "/", ""),
    }


def evaluate(root: Path, replaced: dict[str, str] | None = None) -> Outcome:
    """Validate and compute the data set at root, with the given files' texts
    (relative name → text) in place of what is on disk."""
    try:
        sources = load_sources(root)
    except DataError as error:
        if not replaced:
            return Outcome(list(error.problems))
        sources = Sources(root, {})
        errors = list(error.problems)
    else:
        errors = []
    files = dict(sources.files)
    for name, text in (replaced or {}).items():
        try:
            files[name] = parse_yaml(text, root / name)
        except DataError as error:
            errors.extend(error.problems)
    # A file replaced here was unreadable on disk: its old error no longer holds.
    errors = [
        p
        for p in errors
        if p.file is None or Path(p.file).name not in {Path(n).name for n in (replaced or {})}
    ]
    if errors:
        return Outcome(errors)
    try:
        dataset = validate(Sources(root, files))
        computed = compute(dataset)
    except DataError as error:
        return Outcome(list(error.problems))
    return Outcome(list(computed.warnings), dataset, computed)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return cell(value)


def subsidies_json(outcome: Outcome) -> list[dict[str, Any]]:
    if outcome.computed is None or outcome.dataset is None:
        return []
    amounts = {t.name: t.amount for t in outcome.dataset.policy.tiers}
    return [
        {
            "groups": "、".join(s.rule.groups),
            "tiers": [
                {
                    "tier": t.tier,
                    "amount": _text(amounts.get(t.tier)),
                    "subsidy": _text(t.subsidy),
                    "personal": _text(t.personal),
                }
                for t in s.tiers
            ],
        }
        for s in outcome.computed.subsidies
    ]


def table_json(outcome: Outcome, name: str) -> dict[str, Any] | None:
    """A table as computed: every cell's text, the computed and printed totals."""
    if outcome.computed is None or name not in outcome.computed.tables:
        return None
    table = outcome.computed.tables[name]
    columns = [c.name for c in table.input.spec.columns]
    printed = {k: _text(v) for k, v in table.input.spec.printed.total.items()}
    total = {k: _text(v) for k, v in (table.total or {}).items()}
    return {
        "rows": [{c: _text(row.get(c)) for c in columns} for row in table.rows],
        "total": total if table.total is not None else None,
        "printed": printed,
        "mismatches": sorted(
            k
            for k, v in table.input.spec.printed.total.items()
            if k in (table.total or {}) and Decimal(str((table.total or {})[k])) != v
        ),
    }
