"""How the time and memory of a build grow with its tables (part of `make bench`).

    python -m bench.tables [--villages 500,2000,5000]

For each N, a copy of the 武水镇 data set with N villages in both attachment
tables (bench/synthetic.py, make_villages: 2N table rows) is built:

1. stage by stage in a fresh process (bench/stages.py's stage_times): compose,
   DOCX, PDF layout and PDF writing, in milliseconds per table row (the rest of
   the document, some 30 rows' worth, counted in);
2. with `gongwen build` as a fresh process: wall time, CPU time (the command
   and its side process together, which the load of other work on the
   machine sways less than wall time; in milliseconds per table row, the
   fixed cost of a build of the plain data set counted in), and the peak of
   the memory the command and its side process (which writes the PDF) held
   together, sampled as their summed PSS.

Per row figures that stay level from N to N mean linear time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.run import GONGWEN, REPO, pad, run_child

ROW_TARGET_MS = 2.0  # DOCX and PDF together, a table row
MEMORY_TARGET_MB = 300.0  # the whole process tree, 2,000 villages
TIMED = ("compose", "docx", "pdf_layout", "pdf_write")


def measure(villages: int, scratch: Path) -> dict[str, Any]:
    from bench.synthetic import make_villages

    dataset = make_villages(scratch, villages)
    child = run_child([sys.executable, "-m", "bench.tables", "--stages", str(dataset)], REPO)
    if child.status != 0:
        raise SystemExit(f"bench.tables --stages 失败（{villages} 个村）")
    times = json.loads(child.stdout)
    argv = [str(GONGWEN), "build", str(dataset), "--out", str(scratch / f"out{villages}")]
    build = run_child(argv, scratch, add_up=True)
    if build.status != 0:
        raise SystemExit(f"gongwen build 失败（{villages} 个村，退出状态 {build.status}）")
    rows = 2 * villages
    return {
        "villages": villages,
        "rows": rows,
        "ms_per_row": {name: 1000 * times[name] / rows for name in TIMED},
        "build_seconds": build.wall,
        "build_cpu_seconds": build.cpu,
        "build_peak_mb": build.peak_mb,
    }


def scaling(villages: list[int]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="gongwen-tables-") as temporary:
        return [measure(count, Path(temporary)) for count in villages]


def report(results: list[dict[str, Any]]) -> None:
    print("\n== 长表格：两个附件表各 N 个村（每行毫秒数，表格行数 2N）==")
    print(f"{pad('村数', 8)}{'组稿':>8}{'DOCX':>8}{'PDF排版':>9}{'PDF写出':>9}{'DOCX+PDF':>10}"
          f"{'生成':>9}{'生成CPU每行':>12}{'峰值内存':>10}")  # fmt: skip
    for entry in results:
        per_row = entry["ms_per_row"]
        print(
            f"{entry['villages']:<8}{per_row['compose']:8.2f}{per_row['docx']:8.2f}"
            f"{per_row['pdf_layout']:11.2f}{per_row['pdf_write']:11.2f}{_both_per_row(entry):10.2f}"
            f"{entry['build_seconds']:9.1f}s"
            f"{1000 * entry['build_cpu_seconds'] / entry['rows']:12.2f}"
            f"{entry['build_peak_mb']:9.0f}MB"
        )
    if len(results) > 1:
        # The cost of one more row: the slope between the smallest and the
        # largest table, without the rest of the document (the notice, the
        # plan, a fresh process's first layout) that every N carries.
        first, last = results[0], results[-1]
        slope = (_both_per_row(last) * last["rows"] - _both_per_row(first) * first["rows"]) / (
            last["rows"] - first["rows"]
        )
        print(
            f"每多一个表格行（{first['villages']}→{last['villages']} 个村之间的斜率，"
            f"不计文件其余部分）：DOCX+PDF {slope:.2f} 毫秒"
        )
    print("目标：")
    for entry in results:
        met = _both_per_row(entry) <= ROW_TARGET_MS
        print(
            f"  {'达到' if met else '未达到'}：{entry['villages']} 个村，DOCX+PDF 每行 ≤ {ROW_TARGET_MS} 毫秒"
        )
    for entry in results:
        if entry["villages"] == 2000:
            met = entry["build_peak_mb"] <= MEMORY_TARGET_MB
            print(
                f"  {'达到' if met else '未达到'}：2000 个村，生成峰值内存 ≤ {MEMORY_TARGET_MB:.0f} MB"
            )


def _both_per_row(entry: dict[str, Any]) -> float:
    """DOCX and PDF together, in milliseconds a table row."""
    per_row = entry["ms_per_row"]
    return float(per_row["docx"] + per_row["pdf_layout"] + per_row["pdf_write"])


def stages(dataset: Path) -> None:
    """One build, stage by stage, in this fresh process; JSON of seconds."""
    from bench.stages import stage_times

    with tempfile.TemporaryDirectory() as scratch:
        json.dump(stage_times(dataset, Path(scratch)), sys.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description="长表格的耗时与内存")
    parser.add_argument("--villages", default="500,2000,5000", metavar="村数,…")
    parser.add_argument("--stages", metavar="数据集", help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="文件", help="另把全部数字写入 JSON 文件")
    args = parser.parse_args()
    # Each build in a fresh process of its own: one handed to a warm build
    # server would be timed and measured in the server, not here.
    os.environ["GONGWEN_NO_DAEMON"] = "1"
    if args.stages:
        stages(Path(args.stages))
        return
    results = scaling([int(count) for count in args.villages.split(",")])
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")


if __name__ == "__main__":
    main()
