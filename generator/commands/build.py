"""gongwen build: the whole document, DOCX and PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.build import build
from generator.commands.report import report


def run(args: argparse.Namespace) -> int:
    result = build(Path(args.dataset), Path(args.out) if args.out else None, strict=args.strict)
    report(result.warnings)
    for file in result.files:
        print(f"已生成：{result.out_dir / file.path}（{file.pages} 页，{file.bytes} 字节）")
    print(f"清单：{result.out_dir / 'manifest.json'}")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "build",
        help="生成公文（DOCX、PDF 及 manifest.json）",
        description="校验数据集，计算表格，生成完整公文（通知、方案及附件）的 DOCX 与 PDF。",
    )
    parser.add_argument("dataset", metavar="数据集目录", help="例如 data/wushui/2024")
    parser.add_argument("--out", metavar="目录", help="输出目录（默认 output/<单位>/<年度>/）")
    parser.add_argument("--strict", action="store_true", help="把警告当作错误处理")
    parser.set_defaults(run=run)
