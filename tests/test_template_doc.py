"""docs/templates.md documents every template variable and filter and every
name a formula sees, with examples that are rendered, and stays current."""

from __future__ import annotations

import pytest

from generator.compose import formatting
from generator.compose.document import composed_context
from generator.compose.template_doc import FILTERS, VARIABLES, templates_markdown
from generator.compute import compute
from generator.dataset.load import load_sources
from generator.dataset.names import FORMULA_NAMES, policy_names, row_names
from generator.dataset.validate import validate
from generator.paths import shared_templates
from generator.style.profile import load_style
from tests.conftest import REPO
from tests.test_policy_tables import QINGSHAN

DATA_SETS = [REPO / "data" / o / "2024" for o in ("wushui", "wuhe", "lidu")] + [QINGSHAN]


def test_committed_templates_doc_is_current() -> None:
    committed = (REPO / "docs" / "templates.md").read_text("utf-8")
    assert committed == templates_markdown(), "请运行 .venv/bin/python tools/make_schemas.py"


@pytest.mark.parametrize("root", DATA_SETS, ids=lambda p: p.parent.name)
def test_every_variable_templates_see_is_documented(root: object) -> None:
    dataset = validate(load_sources(root))  # type: ignore[arg-type]
    style = load_style(shared_templates() / "style.yaml")
    _, context = composed_context(dataset, compute(dataset), style)
    assert set(context) == set(VARIABLES)


def test_every_filter_is_documented() -> None:
    assert set(FILTERS) == set(formatting.FILTERS)
    text = templates_markdown()
    for name in formatting.FILTERS:
        assert f"| `{name}` |" in text


def test_examples_are_rendered_not_copied() -> None:
    text = templates_markdown()
    assert "| `{{ 12 \\| cn }}`（wushui） | 十二 |" in text
    assert "（lidu） | 资助342元、个人缴38元 |" in text


def test_every_formula_name_example_exists_in_some_data_set() -> None:
    known: set[str] = set()
    for root in DATA_SETS:
        policy = validate(load_sources(root)).policy
        known |= policy_names(policy) | row_names(policy) | row_names(policy, "tiers")
    examples = [example for _, _, example in FORMULA_NAMES[1:]]
    assert examples and [e for e in examples if e not in known] == []
    # and every kind of policy name is documented
    prefixes = {name.split(".")[0] for name in known}
    documented = {pattern.split(".")[0] for pattern, _, _ in FORMULA_NAMES}
    assert prefixes <= documented
