"""gongwen table import / export: a data set's table from and to a spreadsheet.

The importer (openpyxl, the pipeline) is imported in run(), so that the CLI
starts quickly."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.commands.report import report


def run_import(args: argparse.Namespace) -> int:
    from generator.importer.spreadsheet_import import import_table

    result = import_table(
        Path(args.spreadsheet),
        Path(args.dataset),
        args.table,
        sheet=args.sheet,
        record_printed=args.printed,
        dry_run=args.dry_run,
    )
    report(result.warnings)
    counts = (
        f"新增 {len(result.added)} 行，修改 {len(result.changed)} 行，"
        f"删除 {len(result.removed)} 行，未变 {result.unchanged} 行"
    )
    print(f"工作表“{result.sheet}” → 表 {result.table}（{result.file}）：{counts}。")
    for key in result.added:
        print(f"  新增：{key}")
    for change in result.changed:
        print(f"  修改：{change.row}（{'；'.join(change.cells)}）")
    for key in result.removed:
        print(f"  删除：{key}")
    if args.dry_run:
        print("只是预览（--dry-run），未写入任何文件。")
    elif result.written:
        print(f"已写入 {result.file}，注释和格式原样保留。核对后运行：gongwen check {args.dataset}")
    else:
        print("数据没有变化，未改动文件。")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from generator.importer.spreadsheet_export import export_table

    dataset = Path(args.dataset)
    out = Path(args.out) if args.out else default_export_path(dataset, args.table)
    export_table(dataset, args.table, out)
    print(f"已导出表 {args.table} 到 {out}：灰色的列由程序计算，填写白色的格即可。")
    print(f"填好后导入：gongwen table import {out} {args.dataset} --table {args.table}")
    return 0


def default_export_path(dataset: Path, table: str) -> Path:
    """wushui-2024-quota.xlsx for data/wushui/2024, in the current folder."""
    resolved = dataset.resolve()
    return Path(f"{resolved.parent.name}-{resolved.name}-{table}.xlsx")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "table",
        help="从表格（Excel/WPS/CSV）导入附件表的数据，或导出供填写",
        description="附件表与电子表格互转：export 导出供各村填写的 .xlsx，import 按表头导入。",
    )
    actions = parser.add_subparsers(dest="action", metavar="操作", required=True)

    importing = actions.add_parser(
        "import",
        help="由 .xlsx 或 .csv 填写或更新数据集中的表",
        description=(
            "按表头把 .xlsx 或 .csv（UTF-8 或 GBK）中的数据写入数据集的 tables/<表名>.yaml，"
            "按唯一列（如村名）对应各行，报告新增、修改、删除的行；注释和格式原样保留。"
            "由程序计算的列不导入，只核对：与公式结果不符的格给出警告（加 --printed 记为原文印刷值）。"
            "表格有错（如某格不是数字）或导入后数据集校验不通过时，指出工作表和单元格（如 Sheet1!C7），"
            "不改动任何文件。各行取自政策（rows_from）的表不能导入。"
        ),
    )
    importing.add_argument("spreadsheet", metavar="表格文件", help="例如 各村人口.xlsx")
    importing.add_argument("dataset", metavar="数据集目录", help="例如 data/wushui/2024")
    importing.add_argument(
        "--table", required=True, metavar="表名", help="tables/ 中的表名，如 quota"
    )
    importing.add_argument("--sheet", metavar="工作表", help="工作表名称（默认：找到表头的第一张）")
    importing.add_argument(
        "--printed",
        action="store_true",
        help="计算列中与公式不符的数值记为原文印刷值 {printed: N}",
    )
    importing.add_argument("--dry-run", action="store_true", help="只报告变化，不写入")
    importing.set_defaults(run=run_import)

    exporting = actions.add_parser(
        "export",
        help="导出数据集中的表为 .xlsx，供各村填写",
        description=(
            "把 tables/<表名>.yaml 导出为 .xlsx：表头与公文一致（多行表头合并），"
            "数值列限填数字，计算列和合计行以公式显示（灰色、锁定），填好后可直接导入。"
        ),
    )
    exporting.add_argument("dataset", metavar="数据集目录", help="例如 data/wushui/2024")
    exporting.add_argument(
        "--table", required=True, metavar="表名", help="tables/ 中的表名，如 quota"
    )
    exporting.add_argument(
        "--out", metavar="文件", help="输出文件（默认：当前目录下的 单位-年度-表名.xlsx）"
    )
    exporting.set_defaults(run=run_export)
