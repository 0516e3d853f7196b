"""gongwen import: last year's notice as a Word or WPS file, read into a draft
data set (generator/importer/). The importer is imported in run()."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def run(args: argparse.Namespace) -> int:
    from generator.importer.docx_import import import_notice
    from generator.importer.docx_reader import ImportFailure
    from generator.importer.report import REPORT_NAME

    source, target = Path(args.file), Path(args.dataset)
    try:
        report = import_notice(source, target)
    except ImportFailure as failure:
        print(f"错误：{failure}", file=sys.stderr)
        print("未写入任何文件。", file=sys.stderr)
        return 1
    except (ValueError, LookupError, TypeError, ArithmeticError) as error:
        # A layout the recogniser did not foresee: say so in Chinese, never a traceback.
        print(
            f"错误：{source}：无法识别此文件的结构（{type(error).__name__}），请检查是否为一份通知",
            file=sys.stderr,
        )
        print("未写入任何文件。", file=sys.stderr)
        return 1
    print(report.text_block(str(source)))
    print(f"已导入到 {target}（报告另存为 {target / REPORT_NAME}）。")
    print(f"下一步：gongwen check {target}，核对上面“请核对”各项，再 gongwen build {target}。")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "import",
        help="由已有的 Word/WPS 通知生成数据集草稿",
        description=(
            "读取 Word 或 WPS 制作的通知（.docx；.doc、.wps 经 LibreOffice 转换），"
            "生成数据集草稿：红头、发文字号、标题、主送、正文、署名、日期、附件说明、版记写入 document.yaml，"
            "方案正文写入 plan.md.j2（标题序号转为标记），附件表格写入 tables/，"
            "金额、比例、日期、期间、缴费档次、引用文件提取到 policy.yaml；"
            "并报告识别了什么、哪些保留为文字、哪些需要核对。数据集目录须不存在或为空。"
        ),
    )
    parser.add_argument("file", metavar="文件")
    parser.add_argument("dataset", metavar="数据集目录")
    parser.set_defaults(run=run)
