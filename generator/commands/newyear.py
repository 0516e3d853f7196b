"""gongwen new-year: next year's data set from this year's, and what to review.

The pipeline is imported in run(), so that the CLI starts quickly."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def run(args: argparse.Namespace) -> int:
    from generator.yearly.checklist import checklist
    from generator.yearly.newyear import new_year

    result = new_year(Path(args.dataset))
    print(f"已建立 {result.target}（由 {result.source} 复制 {result.files} 个文件）。")
    print("日期和年份已顺延一年，原目录未作任何改动。")
    for line in checklist(result):
        print(line)
    print(f"核对、填写之后运行：gongwen check {result.target}")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "new-year",
        help="由本年度数据集建立下一年度的数据集",
        description=(
            "复制数据集到同级的下一年度目录（如 2024 → 2025），日期和年份顺延一年，"
            "清空发文字号序号和成文日期待填写，并列出需要逐项核对的内容。"
            "目标目录已存在时不做任何改动。"
        ),
    )
    parser.add_argument("dataset", metavar="数据集目录", help="例如 data/wushui/2024")
    parser.set_defaults(run=run)
