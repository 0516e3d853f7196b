"""gongwen lint: a GB/T 9704-2012 conformance report for DOCX and PDF files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from generator.lint import LintError, Report, lint


def run(args: argparse.Namespace) -> int:
    status = 0
    reports: list[Report] = []
    for name in args.files:
        try:
            report = lint(Path(name))
        except LintError as error:
            print(f"错误：{error}", file=sys.stderr)
            status = 2
            continue
        if not args.json:
            print(("\n" if reports else "") + report.text())
        reports.append(report)
        if report.failed and status == 0:
            status = 1
    if args.json:
        data = [r.as_dict() for r in reports]
        print(
            json.dumps(
                data[0] if len(args.files) == 1 and data else data, ensure_ascii=False, indent=2
            )
        )
    return status


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "lint",
        help="按 GB/T 9704-2012 逐项检查 DOCX 或 PDF 的版式",
        description=(
            "逐项测量公文的版式（页边距、版心、字号、行距、每行字数、页码等），"
            "与 GB/T 9704-2012 的要求对照；文件可以是任何来源的 DOCX 或 PDF。"
            "全部通过时退出状态为 0，有不合格项时为 1，文件无法读取时为 2。"
        ),
        epilog="示例：gongwen lint output/wushui/2024/wushui-2024.pdf",
    )
    parser.add_argument("files", nargs="+", metavar="文件", help="DOCX 或 PDF 文件")
    parser.add_argument(
        "--json", action="store_true", help="以 JSON 输出（含各项编号；多个文件时为列表）"
    )
    parser.set_defaults(run=run)
