"""gongwen check: validation alone, every problem at once, nothing written;
the warnings build gives (build/pipeline.py's prepare), then the comparisons
with last year (generator/yearly/review.py).

The pipeline is imported in run(), so that the CLI starts quickly."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from generator.commands.report import report
from generator.problems import DataError, Severity


def run(args: argparse.Namespace) -> int:
    from generator.build.pipeline import prepare
    from generator.yearly.review import load_previous, review

    dataset, _, warnings = prepare(Path(args.dataset), strict=args.strict)
    previous, notes = load_previous(dataset)
    doubts = [*notes, *review(dataset, previous)]
    if args.strict and doubts:
        raise DataError([dataclasses.replace(w, severity=Severity.ERROR) for w in doubts])
    warnings = [*warnings, *doubts]
    report(warnings)
    if previous is not None:
        print(f"已与上一年度数据集 {previous.root} 比较。")
    print(f"数据集 {args.dataset} 校验通过" + (f"，{len(warnings)} 条警告。" if warnings else "。"))
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="只校验数据集，不生成文件",
        description=(
            "校验数据集的全部文件，一次报告所有错误和警告，不生成任何文件。"
            "警告与 build 相同：日期偏离参保年度，“待填写”和 □（原文缺损的字），"
            "原文印刷的合计与计算不符，名称与标题不一致等；"
            "另与上一年度数据集（同级的上一年度目录）比较："
            "缴费档次金额变化超过 20%、表中某行（如某村）的数值变化超过 10%。"
        ),
    )
    parser.add_argument("dataset", metavar="数据集目录")
    parser.add_argument("--strict", action="store_true", help="把警告当作错误处理")
    parser.set_defaults(run=run)
