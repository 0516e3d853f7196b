"""gongwen build: the whole document, DOCX and PDF, of one data set; or of every
data set below a folder (generator/build/batch.py), in parallel, unchanged ones skipped.

The pipeline is imported when the command runs, not when the CLI starts, so
that `gongwen --help` does not load WeasyPrint and python-docx.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from generator.commands.report import report


def run(args: argparse.Namespace) -> int:
    from generator.build.batch import find_datasets, is_dataset

    path = Path(args.dataset)
    out = Path(args.out) if args.out else None
    if path.is_dir() and not is_dataset(path):
        datasets = find_datasets(path)
        if datasets:
            if args.ofd:
                print("错误：批量生成暂不支持 --ofd，请逐个数据集生成 OFD。", file=sys.stderr)
                return 1
            return _batch(datasets, out, args)
    return _single(path, out, args.strict, args.ofd)


def _single(dataset: Path, out: Path | None, strict: bool, ofd: bool = False) -> int:
    from generator.build import side

    side.start()  # while this process is small, before the imports below
    from generator.build.batch import input_fingerprint, is_dataset, record_fingerprint
    from generator.build.pipeline import build

    try:
        fingerprint = input_fingerprint(dataset, strict) if is_dataset(dataset) else None
    except OSError:  # an unreadable file: build() reports it
        fingerprint = None
    result = build(dataset, out, strict=strict, ofd=ofd)
    if fingerprint is not None:  # a later batch need not build it again
        record_fingerprint(result.out_dir, fingerprint)
    report(result.warnings)
    for file in result.files:
        print(f"已生成：{result.out_dir / file.path}（{file.pages} 页，{file.bytes} 字节）")
    print(f"清单：{result.out_dir / 'manifest.json'}")
    return 0


def _batch(datasets: list[Path], out: Path | None, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from generator.build.batch import Item, Outcome, describe, run_batch

    tqdm.monitor_interval = 0  # no monitor thread: the worker pool forks this process
    bar = tqdm(
        total=len(datasets),
        desc="生成公文",
        unit="个",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),  # a bar only for a person at a terminal
        dynamic_ncols=True,
    )

    def show(item: Item) -> None:
        head, *problems = describe(item)
        tqdm.write(head, file=sys.stderr if item.outcome is Outcome.FAILED else sys.stdout)
        for line in problems:
            tqdm.write(line, file=sys.stderr)
        bar.update(1)

    with bar:
        summary = run_batch(
            datasets, out, strict=args.strict, force=args.force, workers=args.jobs, on_item=show
        )
    print(
        f"共 {len(summary.items)} 个数据集：已生成 {summary.count(Outcome.BUILT)} 个，"
        f"未变跳过 {summary.count(Outcome.SKIPPED)} 个，失败 {summary.count(Outcome.FAILED)} 个。"
    )
    return 1 if summary.failed else 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return value


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "build",
        help="生成公文（DOCX、PDF 及 manifest.json）；给出上级目录则批量生成其下全部数据集",
        description=(
            "校验数据集，计算表格，生成完整公文（通知、方案及附件）的 DOCX 与 PDF。"
            "若给出的目录本身不是数据集（含 document.yaml 和 policy.yaml 的目录），"
            "则批量生成其下找到的每个数据集：多个进程并行，输入未变的数据集跳过，"
            "某个数据集出错时报告其错误，其余照常生成。"
        ),
        epilog="示例：gongwen build data/wushui/2024；批量：gongwen build data/",
    )
    parser.add_argument(
        "dataset", metavar="数据集目录", help="例如 data/wushui/2024；批量时如 data/"
    )
    parser.add_argument(
        "--out",
        metavar="目录",
        help="输出目录（默认 output/<单位>/<年度>/；批量时为 目录/<单位>/<年度>/）",
    )
    parser.add_argument("--strict", action="store_true", help="把警告当作错误处理")
    parser.add_argument(
        "--ofd",
        action="store_true",
        help="同时生成 OFD 版式文件（GB/T 33190，电子公文格式），页面与 PDF 相同",
    )
    parser.add_argument(
        "--force", action="store_true", help="批量时即使输入未变也重新生成全部数据集"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        metavar="进程数",
        help="批量时同时生成的进程数（默认每个处理器核心一个）",
    )
    parser.set_defaults(run=run)
