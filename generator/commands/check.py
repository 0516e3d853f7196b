"""gongwen check: validation alone, every problem at once, nothing written."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.build import prepare
from generator.commands.report import report


def run(args: argparse.Namespace) -> int:
    _, _, warnings = prepare(Path(args.dataset), strict=args.strict)
    report(warnings)
    print(f"数据集 {args.dataset} 校验通过" + (f"，{len(warnings)} 条警告。" if warnings else "。"))
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="只校验数据集，不生成文件",
        description="校验数据集的全部文件，一次报告所有错误和警告，不生成任何文件。",
    )
    parser.add_argument("dataset", metavar="数据集目录")
    parser.add_argument("--strict", action="store_true", help="把警告当作错误处理")
    parser.set_defaults(run=run)
