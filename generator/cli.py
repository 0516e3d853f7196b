"""The gongwen command. Everything it says is Chinese: its users are office staff.

Each subcommand lives in generator/commands/<name>.py; add new ones to parser()'s list.
Imports are made in the functions: the console command first asks the warm
server (generator/daemon/) to run a build, before anything heavy is loaded.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (typing itself is not imported: the console command starts fast)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

WRITES_DOCUMENTS = frozenset({"build", "publish"})


def parser() -> argparse.ArgumentParser:
    import argparse

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
        server,
        table,
        verify,
    )
    from generator.commands import fonts as fonts_command
    from generator.commands import import_ as import_command
    from generator.commands import key as key_command
    from generator.commands import lint as lint_command

    argparse_zh.install()
    commands_in_order = (
        build,
        check,
        init,
        newyear,
        diff,
        publish,
        verify,
        serve,
        lint_command,
        fonts_command,
        key_command,
        import_command,
        table,
        server,
    )
    main = argparse.ArgumentParser(
        prog="gongwen",
        description="由 YAML 数据生成符合 GB/T 9704-2012 的公文（DOCX 与 PDF）。",
        epilog="示例：gongwen build data/wushui/2024",
    )
    main.add_argument(
        "--version", action="version", version=f"gongwen {__version__}", help="显示版本号并退出"
    )
    commands = main.add_subparsers(dest="command", metavar="命令", required=True)
    for command in commands_in_order:
        command.register(commands)
    return main


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (kill, a service stopping): unwind, so that every `finally`
    removes what this process had half made, as Ctrl+C does."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """The console command (argv None: a build or check goes to the warm
    server when one can take it, generator/daemon/) or a call with argv."""
    if argv is not None:
        return _run(argv)
    from generator.daemon import client

    arguments = sys.argv[1:]
    outcome = client.Outcome()
    try:
        code = client.run_remotely(arguments, outcome)
    except KeyboardInterrupt:  # before its handlers forward Ctrl+C to the server's build
        print("已中断。", file=sys.stderr)
        return 130
    if code is not None:
        return code
    code = _run(arguments)
    if outcome.start_server:  # for the next command: none was running, or a stale one
        client.start_server()
    return code


def serve() -> None:
    """The warm server's process (generator/daemon/client.py starts it)."""
    from generator.daemon import server

    server.serve(_run)


def _run(argv: Sequence[str]) -> int:
    import signal
    import threading

    from generator.commands.report import report
    from generator.problems import DataError, os_reason

    args = parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    try:
        code: int = args.run(args)
        return code
    except DataError as error:
        report(error.problems)
        # check, diff, new-year never write documents: "none written" would mislead.
        written = "，未生成任何文件" if args.command in WRITES_DOCUMENTS else ""
        print(f"共 {len(error.problems)} 处错误{written}。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (gongwen diff … | head): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:  # disk full, permission denied: no traceback for those
        reason = os_reason(error)
        where = f"：{error.filename}" if error.filename else ""
        print(f"错误：文件操作失败（{reason}）{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
