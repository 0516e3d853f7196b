"""The gongwen command. Everything it says is Chinese: its users are office staff.

Each subcommand lives in generator/commands/<name>.py; add new ones to COMMANDS.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence

from generator import __version__
from generator.commands import (
    argparse_zh,
    build,
    check,
    diff,
    init,
    newyear,
    publish,
    serve,
    verify,
)
from generator.commands import fonts as fonts_command
from generator.commands import lint as lint_command
from generator.commands.report import report
from generator.problems import DataError

argparse_zh.install()

_OS_ERRORS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOENT: "文件或目录不存在",
    errno.EROFS: "文件系统只读",
    errno.ENAMETOOLONG: "文件名过长",
}

COMMANDS = (build, check, init, newyear, diff, publish, verify, serve, lint_command, fonts_command)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="gongwen",
        description="由 YAML 数据生成符合 GB/T 9704-2012 的公文（DOCX 与 PDF）。",
        epilog="示例：gongwen build data/wushui/2024",
    )
    main.add_argument("--version", action="version", version=f"gongwen {__version__}")
    commands = main.add_subparsers(dest="command", metavar="命令", required=True)
    for command in COMMANDS:
        command.register(commands)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except DataError as error:
        report(error.problems)
        print(f"共 {len(error.problems)} 处错误，未生成任何文件。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (gongwen diff … | head): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:  # disk full, permission denied: no traceback for those
        reason = _OS_ERRORS.get(error.errno or 0, error.strerror or str(error))
        where = f"：{error.filename}" if error.filename else ""
        print(f"错误：文件操作失败（{reason}）{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
