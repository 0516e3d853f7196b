"""gongwen init: a complete, valid data set for a new office."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def run(args: argparse.Namespace) -> int:
    from generator.yearly.scaffold import scaffold

    target = Path(args.dir)
    written = scaffold(target, args.name, args.year)
    for path in written:
        print(f"已创建：{path}")
    print(f"下一步：逐项修改上述文件，然后运行 gongwen build {target}")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "init",
        help="为新单位创建数据集",
        description="根据共享模板创建一套完整、可直接生成的数据集，供逐项修改。",
    )
    parser.add_argument("dir", metavar="目录", help="新数据集的目录，例如 data/示例镇/2025")
    parser.add_argument("--name", required=True, metavar="单位", help="单位简称，例如 示例镇")
    parser.add_argument(
        "--year", required=True, type=int, metavar="年度", help="参保年度，例如 2025"
    )
    parser.set_defaults(run=run)
