"""gongwen publish: build a document and keep it in the archive for good."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.commands.report import report

ARCHIVE = "archive"  # generator.archive.publish.DEFAULT_ARCHIVE; importing that loads the pipeline


def run(args: argparse.Namespace) -> int:
    from generator.archive.publish import PDF_VARIANT, publish

    result = publish(Path(args.dataset), Path(args.archive), strict=args.strict)
    report(result.warnings)
    if not result.created:
        print(f"已发布过：{result.folder}（第 {result.revision} 版）与当前的数据和模板完全相同。")
        print("未写入任何文件。")
        return 0
    print(f"已发布：{result.folder}（第 {result.revision} 版）")
    print(f"共 {result.files} 个文件：DOCX、PDF（{PDF_VARIANT.upper()}）、源数据与模板。")
    print(f"清单：{result.folder / 'manifest.json'}（可用 gongwen verify 核验）")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "publish",
        help="生成并存档正式发布的版本",
        description=(
            "生成公文并存入存档目录 <存档>/<单位>/<年度>/<发文字号>/：DOCX、PDF/A、"
            "所用的数据集与模板，以及记录每个文件 sha256 的 manifest.json。"
            "已发布的版本不会被覆盖：数据有改动时另存为修订版（如 …-修订2），"
            "与最新版本完全相同时不写入任何文件。"
            "数据集中还有“待填写”或 □（原文缺损的字）时拒绝发布。"
        ),
    )
    parser.add_argument("dataset", metavar="数据集目录", help="例如 data/wuhe/2024")
    parser.add_argument(
        "--archive", metavar="目录", default=ARCHIVE, help="存档目录（默认 archive/）"
    )
    parser.add_argument("--strict", action="store_true", help="把警告当作错误处理")
    parser.set_defaults(run=run)
