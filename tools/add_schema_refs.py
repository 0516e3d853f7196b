"""Put the `# yaml-language-server: $schema=…` line at the top of every data
file of the given data sets (idempotent):

    .venv/bin/python tools/add_schema_refs.py data/*/*
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.dataset.schema_refs import with_schema_ref


def main(argv: list[str]) -> int:
    for folder in map(Path, argv):
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("tables/*.yaml")]):
            relative = path.relative_to(folder).as_posix()
            if relative == "style.yaml":
                continue
            text = path.read_text(encoding="utf-8")
            updated = with_schema_ref(text, folder, relative)
            if updated != text:
                path.write_text(updated, encoding="utf-8")
                print(f"已更新 {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
