"""The gongwen command. Everything it says is Chinese: its users are office staff."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__, argparse_zh
from generator.build import build, prepare
from generator.problems import DataError, Problem

argparse_zh.install()


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    result = build(Path(args.dataset), Path(args.out) if args.out else None, strict=args.strict)
    _report(result.warnings)
    for file in result.files:
        print(f"已生成：{result.out_dir / file.path}（{file.pages} 页，{file.bytes} 字节）")
    print(f"清单：{result.out_dir / 'manifest.json'}")
    return 0


def _check(args: argparse.Namespace) -> int:
    _, _, warnings = prepare(Path(args.dataset), strict=args.strict)
    _report(warnings)
    print(f"数据集 {args.dataset} 校验通过" + (f"，{len(warnings)} 条警告。" if warnings else "。"))
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="gongwen",
        description="由 YAML 数据生成符合 GB/T 9704-2012 的公文（DOCX 与 PDF）。",
        epilog="示例：gongwen build data/wushui/2024",
    )
    main.add_argument("--version", action="version", version=f"gongwen {__version__}")
    commands = main.add_subparsers(dest="command", metavar="命令", required=True)

    build_cmd = commands.add_parser(
        "build",
        help="生成公文（DOCX、PDF 及 manifest.json）",
        description="校验数据集，计算表格，生成完整公文（通知、方案及附件）的 DOCX 与 PDF。",
    )
    build_cmd.add_argument("dataset", metavar="数据集目录", help="例如 data/wushui/2024")
    build_cmd.add_argument("--out", metavar="目录", help="输出目录（默认 output/<单位>/<年度>/）")
    build_cmd.add_argument("--strict", action="store_true", help="把警告当作错误处理")
    build_cmd.set_defaults(run=_build)

    check_cmd = commands.add_parser(
        "check",
        help="只校验数据集，不生成文件",
        description="校验数据集的全部文件，一次报告所有错误和警告，不生成任何文件。",
    )
    check_cmd.add_argument("dataset", metavar="数据集目录")
    check_cmd.add_argument("--strict", action="store_true", help="把警告当作错误处理")
    check_cmd.set_defaults(run=_check)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except DataError as error:
        _report(error.problems)
        print(f"共 {len(error.problems)} 处错误，未生成任何文件。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
