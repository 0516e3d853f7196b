"""The editor's save → refreshed preview time, warm (`make bench` runs this in
a child process and reports it): a server (generator/editor, in this process,
its PDF side process forked first as `gongwen serve` does) on a copy of
wushui; after one warm-up save, --runs saves of a parameter edit (the tier
amount) and of a prose edit, each timed from sending the save until the new
preview PDF has been fetched.

    python -m bench.editor [--runs 5]      prints one JSON line
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "data" / "wushui" / "2024"
TARGET_S = 1.0


def measure(runs: int) -> dict[str, Any]:
    from generator.build import side

    side.start()
    from starlette.testclient import TestClient

    from generator.editor.app import create_app
    from generator.editor.security import Guard
    from generator.editor.workspace import Workspace
    from generator.editor.yamlsave import version_of

    with tempfile.TemporaryDirectory(prefix="gongwen-bench-editor-") as temporary:
        scratch = Path(temporary)
        shutil.copytree(DATASET, scratch / "data" / "wushui" / "2024")
        guard = Guard.for_address("testserver", 80)
        workspace = Workspace(scratch / "data", scratch / "archive", scratch / "output")
        app = create_app(workspace, guard, scratch / "preview")
        headers = {"X-Gongwen-Token": guard.token, "Origin": "http://testserver"}
        base = "/d/wushui/2024"
        with TestClient(app) as client:
            client.get(base + "/")  # the page's own preview: the pipeline and side process warm

            def save(file: str, body: dict[str, Any]) -> float:
                text = (scratch / "data" / "wushui" / "2024" / file).read_text("utf-8")
                started = time.perf_counter()
                answer = client.post(
                    base + "/save",
                    json={"file": file, "version": version_of(text), **body},
                    headers=headers,
                ).json()
                pdf = client.get(f"{base}/preview.pdf?v={answer['preview']['version']}")
                assert pdf.status_code == 200 and answer["saved"], answer
                return time.perf_counter() - started

            def tier(amount: int) -> float:
                edit = {"path": ["tiers", 0, "amount"], "kind": "amount", "value": str(amount)}
                return save("policy.yaml", {"edits": [edit]})

            plan = (scratch / "data" / "wushui" / "2024" / "plan.md.j2").read_text("utf-8")
            tier(381)  # warm-up
            parameter = [tier(382 + i) for i in range(runs)]
            prose = [
                save(
                    "plan.md.j2",
                    {"text": plan.replace("制定本方案", f"制定本方案{'。' * (i + 1)}", 1)},
                )
                for i in range(runs)
            ]
    return {
        "parameter_median": statistics.median(parameter),
        "parameter_max": max(parameter),
        "prose_median": statistics.median(prose),
        "prose_max": max(prose),
        "target": TARGET_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="编辑器：保存到预览刷新的时间")
    parser.add_argument("--runs", type=int, default=5, metavar="次数")
    args = parser.parse_args()
    print(json.dumps(measure(args.runs)))


if __name__ == "__main__":
    main()
