"""JSON Schemas of the data files, generated from the pydantic models.

Committed under templates/schemas/ and referenced from every data file
(`# yaml-language-server: $schema=…`), so an editor gets completion and
checks in VS Code; tests/test_schemas.py fails when they fall out of date.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from generator.dataset.schema import DocumentFile, OrganisationFile, PolicyFile, TableFile

SCHEMAS: dict[str, type[BaseModel]] = {
    "document": DocumentFile,
    "policy": PolicyFile,
    "organisation": OrganisationFile,
    "table": TableFile,
}


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return schema


def schema_text(name: str) -> str:
    return json.dumps(json_schema(SCHEMAS[name]), ensure_ascii=False, indent=2) + "\n"


def schema_file_name(name: str) -> str:
    return f"{name}.schema.json"


def schema_for_data_file(relative: str) -> str:
    """Which schema a data file follows: tables/x.yaml → table, policy.yaml → policy."""
    if relative.startswith("tables/"):
        return "table"
    return relative.removesuffix(".yaml")
