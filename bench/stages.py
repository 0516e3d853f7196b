"""Where a build's time goes: each stage of the pipeline timed by calling its
function directly (no timing code in the library).

    python -m bench.stages --cold DATASET      one build in this fresh process:
                                               imports and first calls
    python -m bench.stages --warm DATASET -n 5 a warm-up build, then 5 timed
                                               builds and 5 timed stage runs

Both print JSON (seconds; peak_rss_mb: this process's ru_maxrss; --warm:
build_peak_mb and side_peak_mb, the peaks of this process and of the side
process that wrote the PDFs, taken after the builds).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

STAGES = ("load", "validate", "compute", "compose", "docx", "pdf_layout", "pdf_write")


def _timed(times: dict[str, float], name: str, call: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = call()
    times[name] = time.perf_counter() - start
    return result


def import_times() -> dict[str, float]:
    """The imports a build needs, in the order build() makes them."""
    times: dict[str, float] = {}
    _timed(times, "import_pipeline", lambda: __import__("generator.build.pipeline"))
    _timed(times, "import_docx", lambda: __import__("generator.writers.docx"))
    _timed(times, "import_pdf", lambda: __import__("generator.writers.pdf"))
    return times


def stage_times(dataset_dir: Path, scratch: Path) -> dict[str, float]:
    """One build, stage by stage, as generator.build.pipeline.prepare and build run them."""
    from generator.build.pipeline import style_for, word_template_for
    from generator.compose.document import compose
    from generator.compute import compute
    from generator.dataset.load import load_sources
    from generator.dataset.validate import validate
    from generator.writers.docx import write_docx
    from generator.writers.pdf import render_pdf, write_rendered

    times: dict[str, float] = {}
    sources = _timed(times, "load", lambda: load_sources(dataset_dir))
    dataset = _timed(times, "validate", lambda: validate(sources))
    computed = _timed(times, "compute", lambda: compute(dataset))
    style = style_for(dataset_dir)
    document, _ = _timed(times, "compose", lambda: compose(dataset, computed, style))
    template = word_template_for(dataset_dir)
    _timed(times, "docx", lambda: write_docx(document, style, template, scratch / "out.docx"))
    rendered = _timed(
        times, "pdf_layout", lambda: render_pdf(document, style, scratch, paint_ahead=True)
    )
    # Without reuse: a warm process writing the same document again would find
    # every subset and page made before, and time none of the work itself.
    _timed(times, "pdf_write", lambda: write_rendered(rendered, scratch / "out.pdf", reuse=False))
    return times


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def side_peak_mb() -> float:
    """The peak RSS of the side process the builds used (0 without one)."""
    from generator.build import side

    if side._side is None:
        return 0.0
    status = Path(f"/proc/{side._side._process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def cold(dataset_dir: Path) -> dict[str, Any]:
    start = time.perf_counter()
    times = import_times()
    with tempfile.TemporaryDirectory() as scratch:
        times.update(stage_times(dataset_dir, Path(scratch)))
    return {"times": times, "total": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb()}


def warm(dataset_dir: Path, runs: int) -> dict[str, Any]:
    from generator.build.pipeline import build

    builds: list[float] = []
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        build(dataset_dir, out)  # warm-up: imports, caches, first-call costs
        for _ in range(runs):
            start = time.perf_counter()
            build(dataset_dir, out)
            builds.append(time.perf_counter() - start)
        # The builds' memory, before the stages below load WeasyPrint here too.
        peaks = {"build_peak_mb": peak_rss_mb(), "side_peak_mb": side_peak_mb()}
        for _ in range(runs):
            for name, seconds in stage_times(dataset_dir, Path(scratch)).items():
                stages[name].append(seconds)
    return {
        "builds": builds,
        "build_median": statistics.median(builds),
        "stage_medians": {name: statistics.median(values) for name, values in stages.items()},
        **peaks,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--cold", action="store_true")
    mode.add_argument("--warm", action="store_true")
    parser.add_argument("dataset")
    parser.add_argument("-n", "--runs", type=int, default=5)
    args = parser.parse_args()
    dataset = Path(args.dataset)
    result = cold(dataset) if args.cold else warm(dataset, args.runs)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
