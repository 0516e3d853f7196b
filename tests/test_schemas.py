"""The JSON Schemas and the editors' reference follow the models, and every
data file names its schema and satisfies it."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from generator.dataset.data_model_doc import data_model_markdown
from generator.dataset.schema_export import (
    SCHEMAS,
    json_schema,
    schema_file_name,
    schema_for_data_file,
    schema_text,
)
from generator.dataset.schema_refs import schema_ref
from generator.dataset.yamlio import load_yaml
from tests.conftest import REPO

DATA_FILES = sorted(
    path
    for pattern in ("data/*/*/*.yaml", "data/*/*/tables/*.yaml")
    for path in REPO.glob(pattern)
    if path.name != "style.yaml"
)
REGENERATE = "请运行 .venv/bin/python tools/make_schemas.py"


def _dataset_of(path: Path) -> Path:
    return path.parent.parent if path.parent.name == "tables" else path.parent


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_committed_schema_is_current(name: str) -> None:
    committed = (REPO / "templates" / "schemas" / schema_file_name(name)).read_text("utf-8")
    assert committed == schema_text(name), REGENERATE


def test_data_model_doc_is_current() -> None:
    assert (REPO / "docs" / "data-model.md").read_text("utf-8") == data_model_markdown(), REGENERATE


def test_data_model_doc_documents_every_field() -> None:
    doc = data_model_markdown()
    for field in ("notice.number.serial", "subsidies[].per_tier", "columns[].header", "financing"):
        assert f"`{field}`" in doc


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_data_file_names_and_satisfies_its_schema(path: Path) -> None:
    dataset = _dataset_of(path)
    relative = path.relative_to(dataset).as_posix()
    first_line = path.read_text("utf-8").splitlines()[0]
    assert first_line == schema_ref(dataset, relative)
    schema = json_schema(SCHEMAS[schema_for_data_file(relative)])
    jsonschema.validate(load_yaml(path).data, schema)


def test_json_schema_rejects_what_validation_rejects() -> None:
    schema = json_schema(SCHEMAS["policy"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"year": 2024, "tiers": [{"name": "一档", "amount": -1}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"year": 2024, "tiers": [], "typo": 1}, schema)
