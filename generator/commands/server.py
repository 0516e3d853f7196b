"""gongwen server: the warm build server (generator/daemon/), which later
`gongwen build` and `gongwen check` commands hand their work to. It starts by
itself after a build and ends by itself after ten idle minutes; this command
tells whether one runs and stops it. GONGWEN_NO_DAEMON=1 turns it off."""

from __future__ import annotations

import argparse
from typing import Any


def run(args: argparse.Namespace) -> int:
    from generator.daemon import client

    if args.action == "stop":
        pid = client.stop()
        print(f"已停止后台生成服务（进程 {pid}）。" if pid else "没有正在运行的后台生成服务。")
        return 0
    pid = client.status()
    where = client.place()
    if pid is None or where is None:
        print("没有正在运行的后台生成服务。")
    else:
        print(f"后台生成服务正在运行（进程 {pid}），日志：{where.log}")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "server",
        help="后台生成服务：查看状态或停止",
        description=(
            "生成公文后，gongwen 在后台保留一个已加载程序的服务进程，"
            "之后的 build 和 check 交给它运行，省去启动时间；结果与直接运行完全相同。"
            "程序或其依赖一有变化，旧服务即不再使用并被替换；空闲 10 分钟后自行退出。"
            "设置环境变量 GONGWEN_NO_DAEMON=1 可不使用后台服务。"
        ),
    )
    parser.add_argument(
        "action", choices=("status", "stop"), metavar="操作", help="status（查看）或 stop（停止）"
    )
    parser.set_defaults(run=run)
