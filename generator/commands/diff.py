"""gongwen diff: what changed between two data sets, in the terminal or as HTML.

The pipeline is imported in run(), so that the CLI starts quickly."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def run(args: argparse.Namespace) -> int:
    from generator.yearly.diff import compare, htmlpage, terminal

    comparison = compare(Path(args.old), Path(args.new))
    if args.format == "html":
        text = htmlpage.render(comparison)
    else:
        colour = args.out is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = terminal.render(comparison, colour) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"已写入：{args.out}（{terminal.summary(comparison)}）")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "diff",
        help="比较两个数据集（如上一年度与本年度）",
        description=(
            "列出两个数据集之间的变化：政策参数、发文信息、人员、各表的行和单元格，"
            "以及生成的正文（逐段比较）。"
        ),
        epilog="示例：gongwen diff data/wushui/2024 data/wushui/2025 --format html --out 比较.html",
    )
    parser.add_argument("old", metavar="原数据集", help="例如 data/wushui/2024")
    parser.add_argument("new", metavar="新数据集", help="例如 data/wushui/2025")
    parser.add_argument(
        "--format",
        choices=("text", "html"),
        default="text",
        help="输出格式：text（终端文字，默认）或 html（网页，增删处标出）",
    )
    parser.add_argument("--out", metavar="文件", help="写入的文件（默认输出到终端）")
    parser.set_defaults(run=run)
