"""Regenerate templates/schemas/*.schema.json and docs/data-model.md from the
pydantic models, and docs/templates.md from the template context and filters
(run after changing generator/dataset/schema.py or the templates' variables):

    .venv/bin/python tools/make_schemas.py
"""

from __future__ import annotations

from pathlib import Path

from generator.compose.template_doc import templates_markdown
from generator.dataset.data_model_doc import data_model_markdown
from generator.dataset.schema_export import SCHEMAS, schema_file_name, schema_text

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    out = REPO / "templates" / "schemas"
    out.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        (out / schema_file_name(name)).write_text(schema_text(name), encoding="utf-8")
    (REPO / "docs" / "data-model.md").write_text(data_model_markdown(), encoding="utf-8")
    (REPO / "docs" / "templates.md").write_text(templates_markdown(), encoding="utf-8")
    print(f"已更新 {out}、docs/data-model.md 与 docs/templates.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
