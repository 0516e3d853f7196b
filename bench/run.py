"""`make bench`: how fast gongwen builds, against LibreOffice, and where the time goes.

    python -m bench.run [--runs 5] [--offices 200] [--json FILE]

In one run, on this machine:
1. `gongwen build data/wushui/2024` (DOCX and PDF) as a fresh process, --runs
   times, by turns with 3. and with the same command handed to a warm build
   server (generator/daemon/, started by a first build; its CPU time is the
   command's and the server's): wall time; then --runs more for peak memory: the
   most the command and its side process (generator/build/side.py writes the PDF
   there) held together, sampled as their summed PSS (shared pages counted
   once); `gongwen --help` likewise (the CLI's own start-up);
2. the same build in a warm process (bench/stages.py --warm: the library called
   once to warm up, then --runs timed builds), its peak memory, and the time of
   each stage, called directly: load, validate, compute, compose, DOCX, PDF
   layout (WeasyPrint's render()), PDF write and font subsetting (write_pdf of
   the rendered document); the same stages in fresh processes (imports
   included) with bench/stages.py --cold;
3. LibreOffice converting the DOCX gongwen wrote to PDF (`soffice --headless
   --convert-to pdf`), when soffice is installed: cold (a new profile folder
   each run) and warm (one profile folder, made before timing);
4. 200 synthetic offices (bench/synthetic.py) built as one batch with one and
   with two workers, in turn, --batch-rounds times each: documents per second
   and how many times faster two workers are (medians);
5. the editor (`gongwen serve`): from saving a parameter edit or a prose edit
   to the refreshed preview, warm (bench/editor.py, in a child process).
6. long tables (bench/tables.py): the data set with 500, 2000 and 5000
   villages in both attachment tables, milliseconds per table row for compose,
   DOCX and PDF, and the peak memory of the build's process tree.

Medians over --runs runs. The targets are checked at the end; nothing here is
a test, and nothing fails when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.served import WarmServer

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "data" / "wushui" / "2024"
GONGWEN = Path(sys.executable).parent / "gongwen"

WARM_TARGET_S = 0.5
SERVED_RATIO_TARGET = 0.5  # issue 20: a fresh `gongwen build` at most half LibreOffice's
MEMORY_TARGET_MB = 300.0

STAGE_LABELS = {
    "import_pipeline": "导入：数据处理",
    "import_docx": "导入：DOCX 写出器",
    "import_pdf": "导入：PDF 写出器（含 WeasyPrint）",
    "load": "读取 YAML（load）",
    "validate": "校验（validate）",
    "compute": "计算（compute）",
    "compose": "组稿（compose）",
    "docx": "写 DOCX",
    "pdf_layout": "PDF 排版（render）",
    "pdf_write": "PDF 写出与字体子集（write_pdf）",
}


def pad(text: str, width: int) -> str:
    """text padded to width columns, CJK characters counting two."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


@dataclass(frozen=True)
class Child:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child: less disturbed by a busy machine
    peak_mb: float  # the child's ru_maxrss
    status: int
    stdout: str


def _tree(root: int) -> list[int]:
    """root and its descendants alive now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _status_kb(pid: int, field: str, file: str = "status") -> int:
    """A "Field:  N kB" line of /proc/pid/status or smaps_rollup; 0 if gone."""
    try:
        text = Path(f"/proc/{pid}/{file}").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def tree_peak_kb(root: int) -> int:
    """The largest peak RSS (VmHWM) among root and its descendants alive now."""
    return max((_status_kb(pid, "VmHWM") for pid in _tree(root)), default=0)


def tree_pss_kb(root: int) -> int:
    """The memory root and its descendants hold now, shared pages counted once."""
    return sum(_status_kb(pid, "Pss", "smaps_rollup") for pid in _tree(root))


def run_child(
    argv: list[str],
    cwd: Path | None = None,
    watch_tree: bool = False,
    add_up: bool = False,
    env: dict[str, str] | None = None,
) -> Child:
    """Run argv to its end, measured. ru_maxrss is the largest peak of the child
    and the descendants it waits for; watch_tree also samples every process
    below it (a batch's workers are children of a fork server, not of the
    command); add_up instead samples what they hold together (tree_pss_kb)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        sampled = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal sampled
            while not stop.wait(0.05):
                measure = tree_pss_kb if add_up else tree_peak_kb
                sampled = max(sampled, measure(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if watch_tree or add_up:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        if watch_tree or add_up:
            sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    peak_kb = max(usage.ru_maxrss, sampled)
    return Child(wall, cpu, peak_kb / 1024, child.returncode, text)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _gongwen_build(
    out: Path, scratch: Path, sampled: bool, env: dict[str, str] | None = None
) -> Child:
    argv = [str(GONGWEN), "build", str(DATASET), "--out", str(out)]
    child = run_child(argv, cwd=scratch, add_up=sampled, env=env)
    if child.status != 0:
        raise SystemExit(f"gongwen build 失败（退出状态 {child.status}）")
    return child


def _libreoffice_convert(soffice: str, docx: Path, profile: Path, scratch: Path) -> Child:
    out = scratch / "lo-out"
    child = run_child(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ]
    )
    if child.status != 0 or not (out / f"{docx.stem}.pdf").is_file():
        raise SystemExit(f"LibreOffice 转换失败（退出状态 {child.status}）")
    return child


def side_by_side(runs: int, scratch: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Fresh gongwen builds and LibreOffice's conversions of the DOCX they
    write, run by turns so that a busy spell of this (shared) machine slows both
    alike. Memory is sampled in runs of its own: reading another process's
    memory map takes its lock and would slow what is timed."""
    _gongwen_build(scratch / "first", scratch, False)  # its DOCX goes to LibreOffice
    docx = next((scratch / "first").glob("*.docx"))
    soffice = shutil.which("soffice")
    warm_profile = scratch / "lo-profile-warm"
    if soffice:
        _libreoffice_convert(soffice, docx, warm_profile, scratch)  # makes the profile
    timed, cold, warm, served = [], [], [], []
    with WarmServer(GONGWEN, DATASET, scratch) as server:
        for index in range(runs):
            timed.append(_gongwen_build(scratch / f"fresh{index}", scratch, False))
            before = server.cpu()
            child = _gongwen_build(scratch / f"served{index}", scratch, False, server.env)
            served.append((child.wall, child.cpu + server.cpu() - before))
            if soffice:
                lo_profile = scratch / f"lo-{index}"
                cold.append(_libreoffice_convert(soffice, docx, lo_profile, scratch))
                warm.append(_libreoffice_convert(soffice, docx, warm_profile, scratch))
    sampled = [_gongwen_build(scratch / f"mem{i}", scratch, True) for i in range(runs)]
    helps = [run_child([str(GONGWEN), "--help"]) for _ in range(runs)]
    fresh = {
        "walls": [c.wall for c in timed],
        "median": median([c.wall for c in timed]),
        "cpu": median([c.cpu for c in timed]),
        "peak_mb": max(c.peak_mb for c in sampled),
        "help": median([c.wall for c in helps]),
        "served": {
            "walls": [wall for wall, _ in served],
            "median": median([wall for wall, _ in served]),
            "cpu": median([cpu for _, cpu in served]),
        },
    }
    if not soffice:
        return fresh, None
    lo = {
        "cold": median([c.wall for c in cold]),
        "warm": median([c.wall for c in warm]),
        "cold_cpu": median([c.cpu for c in cold]),
        "warm_cpu": median([c.cpu for c in warm]),
        "peak_mb": max(c.peak_mb for c in cold + warm),
        "pdf_bytes": (scratch / "lo-out" / f"{docx.stem}.pdf").stat().st_size,
    }
    return fresh, lo


def stages_in_children(runs: int) -> dict[str, Any]:
    module = [sys.executable, "-m", "bench.stages"]
    child = run_child([*module, "--warm", str(DATASET), "-n", str(runs)], REPO)
    if child.status != 0:
        raise SystemExit("bench.stages --warm 失败")
    warm = json.loads(child.stdout)
    colds = []
    for _ in range(runs):
        child = run_child([*module, "--cold", str(DATASET)], REPO)
        if child.status != 0:
            raise SystemExit("bench.stages --cold 失败")
        colds.append(json.loads(child.stdout))
    names = list(colds[0]["times"])
    cold = {name: median([c["times"][name] for c in colds]) for name in names}
    return {
        "warm": warm,
        "cold_stage_medians": cold,
        "cold_total": median([c["total"] for c in colds]),
    }


# Batch runs per worker count, one and two workers taken in turn: a run takes
# a minute, over which this machine's speed drifts by some 5 %, so a single
# pair can put the ratio anywhere from 1.65 to 1.9.
BATCH_ROUNDS = 2
BATCH_SCALING_TARGET = 1.8


def batches(offices: int, scratch: Path, rounds: int = BATCH_ROUNDS) -> dict[str, Any]:
    from bench.synthetic import make_offices

    data = scratch / "offices"
    make_offices(data, offices)
    runs: dict[str, list[tuple[float, float]]] = {"1": [], "2": []}
    for _ in range(rounds):
        for workers in ("1", "2"):
            out = scratch / f"batch-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            argv = [str(GONGWEN), "build", str(data), "--out", str(out), "--force", "-j", workers]
            child = run_child(argv, scratch, watch_tree=True)
            built = len(list(out.glob("*/*/manifest.json")))
            if child.status != 0 or built != offices:
                raise SystemExit(
                    f"批量生成失败：退出状态 {child.status}，生成 {built}/{offices} 个"
                )
            # peak: of any one process, the command or a worker
            runs[workers].append((child.wall, child.peak_mb))
    result: dict[str, Any] = {"offices": offices}
    for workers, measured in runs.items():
        seconds = statistics.median(wall for wall, _ in measured)
        result[workers] = {
            "seconds": seconds,
            "runs": [wall for wall, _ in measured],
            "per_second": offices / seconds,
            "peak_mb": max(peak for _, peak in measured),
        }
    result["scaling"] = result["1"]["seconds"] / result["2"]["seconds"]
    return result


def editor(runs: int) -> dict[str, Any]:
    """bench/editor.py in a child process, as `gongwen serve` runs: its own side process."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.editor", "--runs", str(runs)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def report(results: dict[str, Any]) -> None:
    fresh, stages, lo = results["fresh"], results["stages"], results["libreoffice"]
    warm = stages["warm"]
    print(f"\n== gongwen 性能基准（{os.cpu_count()} 核，每项取 {results['runs']} 次的中位数）==")
    print(
        f"gongwen build（新进程，DOCX+PDF）：{fresh['median']:.2f} 秒"
        f"（CPU {fresh['cpu']:.2f} 秒），峰值内存 {fresh['peak_mb']:.0f} MB"
    )
    served = fresh["served"]
    print(
        f"gongwen build（交给已启动的后台生成服务）：{served['median']:.2f} 秒"
        f"（CPU {served['cpu']:.2f} 秒，命令与服务合计）"
    )
    print(f"gongwen --help（新进程）：{fresh['help']:.2f} 秒")
    print(
        f"同一进程内再次生成（热）：{warm['build_median']:.2f} 秒，"
        f"峰值内存 {warm['build_peak_mb'] + warm['side_peak_mb']:.0f} MB"
        f"（本进程 {warm['build_peak_mb']:.0f} + 副进程 {warm['side_peak_mb']:.0f}）"
    )
    if lo:
        print(
            f"LibreOffice 转换 DOCX→PDF：冷启动 {lo['cold']:.2f} 秒（CPU {lo['cold_cpu']:.2f}），"
            f"热启动 {lo['warm']:.2f} 秒（CPU {lo['warm_cpu']:.2f}），峰值内存 {lo['peak_mb']:.0f} MB"
        )
        print(
            f"比值 gongwen 新进程 / LibreOffice：冷 {fresh['median'] / lo['cold']:.2f}，"
            f"热 {fresh['median'] / lo['warm']:.2f}"
        )
        print(
            f"比值 gongwen 后台服务 / LibreOffice：冷 {served['median'] / lo['cold']:.2f}，"
            f"热 {served['median'] / lo['warm']:.2f}；"
            f"CPU 比值：冷 {served['cpu'] / lo['cold_cpu']:.2f}，热 {served['cpu'] / lo['warm_cpu']:.2f}"
        )
    else:
        print("未安装 LibreOffice（soffice），跳过对比。")
    print(
        "\n各阶段依次在一个进程内计时；生成时 PDF 在副进程写出，"
        "与组稿、写 DOCX 同时进行（generator/build/side.py）。"
    )
    print(f"{pad('各阶段耗时（秒）', 36)}  新进程    热进程")
    cold_stages = stages["cold_stage_medians"]
    for name, label in STAGE_LABELS.items():
        hot = warm["stage_medians"].get(name)
        hot_text = f"{hot:8.3f}" if hot is not None else "       -"
        print(f"  {pad(label, 34)}{cold_stages.get(name, float('nan')):8.3f}  {hot_text}")
    batch = results.get("batch")
    if batch:
        print(f"\n批量：{batch['offices']} 个合成乡镇数据集")
        for workers in ("1", "2"):
            entry = batch[workers]
            each = "、".join(f"{wall:.1f}" for wall in entry["runs"])
            print(
                f"  {workers} 个进程：{entry['seconds']:.1f} 秒（各轮 {each}，轮流测，取中位数），"
                f"每秒 {entry['per_second']:.2f} 份，峰值内存（单个进程）{entry['peak_mb']:.0f} MB"
            )
        print(f"  两个进程为一个进程的 {batch['scaling']:.2f} 倍")
    served = results.get("editor")
    if served:
        print(
            f"\n编辑器（gongwen serve，热）：保存到预览刷新，参数修改 {served['parameter_median']:.2f} 秒"
            f"（最长 {served['parameter_max']:.2f}），正文修改 {served['prose_median']:.2f} 秒"
            f"（最长 {served['prose_max']:.2f}）；重新排版的部分（共 {served['parts']} 个）："
            f"参数修改 {served['parameter_laid_out']:g} 个，正文修改 {served['prose_laid_out']:g} 个；"
            f"两进程 CPU：参数修改 {served['parameter_cpu_median']:.2f} 秒，"
            f"正文修改 {served['prose_cpu_median']:.2f} 秒"
        )
    print("\n目标：")
    checks = [
        (f"热进程生成 < {WARM_TARGET_S} 秒", warm["build_median"] < WARM_TARGET_S),
        (
            f"峰值内存 < {MEMORY_TARGET_MB:.0f} MB",
            max(fresh["peak_mb"], warm["build_peak_mb"] + warm["side_peak_mb"]) < MEMORY_TARGET_MB,
        ),
    ]
    if served:
        checks.append(
            (
                f"编辑器正文修改到预览刷新 ≤ {served['target']:g} 秒",
                served["prose_median"] <= served["target"],
            )
        )
    if lo:
        checks.append(("新进程生成快于 LibreOffice 转换（冷）", fresh["median"] < lo["cold"]))
        checks.append(("新进程生成快于 LibreOffice 转换（热）", fresh["median"] < lo["warm"]))
        checks.append(
            (
                f"后台服务生成 ≤ {SERVED_RATIO_TARGET} × LibreOffice 转换（冷）",
                fresh["served"]["median"] <= SERVED_RATIO_TARGET * lo["cold"],
            )
        )
    if batch:
        checks.append(
            (
                f"批量：两个进程 ≥ {BATCH_SCALING_TARGET} × 一个进程",
                batch["scaling"] >= BATCH_SCALING_TARGET,
            )
        )
    for label, met in checks:
        print(f"  {'达到' if met else '未达到'}：{label}")


def main() -> None:
    parser = argparse.ArgumentParser(description="gongwen 性能基准")
    parser.add_argument("--runs", type=int, default=5, metavar="次数")
    parser.add_argument("--offices", type=int, default=200, metavar="个数", help="0：不测批量")
    parser.add_argument(
        "--batch-rounds",
        type=int,
        default=BATCH_ROUNDS,
        metavar="轮数",
        help="批量每种进程数测几轮",
    )
    parser.add_argument(
        "--villages", default="500,2000,5000", metavar="村数,…", help="长表格的村数；0：不测"
    )
    parser.add_argument("--json", metavar="文件", help="另把全部数字写入 JSON 文件")
    args = parser.parse_args()
    # Every command here runs in a fresh process, as before the build server,
    # but those side_by_side hands to its own server (bench/served.py).
    os.environ["GONGWEN_NO_DAEMON"] = "1"
    villages = [int(count) for count in args.villages.split(",") if int(count) > 0]
    with tempfile.TemporaryDirectory(prefix="gongwen-bench-") as temporary:
        scratch = Path(temporary)
        results: dict[str, Any] = {"runs": args.runs}
        print("新进程生成与 LibreOffice 转换（轮流）……", flush=True)
        results["fresh"], results["libreoffice"] = side_by_side(args.runs, scratch)
        print("分阶段计时……", flush=True)
        results["stages"] = stages_in_children(args.runs)
        if args.offices > 0:
            print(f"批量生成 {args.offices} 个数据集……", flush=True)
            results["batch"] = batches(args.offices, scratch, args.batch_rounds)
        print("编辑器：保存到预览刷新……", flush=True)
        results["editor"] = editor(args.runs)
    if villages:
        from bench import tables

        print(f"长表格（{args.villages} 个村）……", flush=True)
        results["tables"] = tables.scaling(villages)
    report(results)
    if villages:
        tables.report(results["tables"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")


if __name__ == "__main__":
    main()
