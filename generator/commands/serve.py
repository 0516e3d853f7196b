"""gongwen serve: the local web editor (generator/editor/). The server, the
pipeline and the PDF side process are imported and started in run()."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from typing import Any

LOOPBACK = "127.0.0.1"
PASSWORD_VARIABLE = "GONGWEN_PASSWORD"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def run(args: argparse.Namespace) -> int:
    from generator.build import side

    side.start()  # forked while this process is small (see build/side.py)

    import shutil
    import tempfile
    import threading
    import webbrowser
    from pathlib import Path

    import uvicorn

    from generator.editor.app import create_app
    from generator.editor.security import Guard
    from generator.editor.workspace import Workspace

    root = Path(args.folder)
    if not root.is_dir():
        print(f"错误：数据目录 {root} 不存在。", file=sys.stderr)
        return 1
    password = os.environ.get(PASSWORD_VARIABLE) or None
    if not _is_loopback(args.host) and not password:
        print(
            f"错误：绑定到本机以外的地址（{args.host}）需要密码：请先设置环境变量 {PASSWORD_VARIABLE}。"
            "局域网中的其他人打开编辑器时须输入这个密码。",
            file=sys.stderr,
        )
        return 1
    port = args.port or free_port(args.host)
    guard = Guard.for_address(args.host, port, password if not _is_loopback(args.host) else None)
    preview_dir = Path(tempfile.mkdtemp(prefix="gongwen-preview-"))
    workspace = Workspace(root, Path(args.archive), Path(args.out))
    app = create_app(workspace, guard, preview_dir)
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    address = f"http://{shown_host}:{port}/"
    print(f"公文编辑器已启动：{address}")
    print(f"数据目录：{root.resolve()}；按 Ctrl+C 停止。")
    if guard.password:
        print(
            f"已绑定到 {args.host}，其他电脑可以访问；须输入密码（环境变量 {PASSWORD_VARIABLE}）。"
        )
        print("注意：连接未加密，只应在可信的局域网中使用。")
    if not args.no_browser:
        threading.Timer(0.8, webbrowser.open, args=(address,)).start()
    try:
        uvicorn.run(app, host=args.host, port=port, log_level="warning", access_log=False)
    finally:
        shutil.rmtree(preview_dir, ignore_errors=True)
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        help="在浏览器中编辑数据集（本机网页编辑器）",
        description=(
            "启动本机网页编辑器：列出数据目录下的全部数据集，在网页中修改发文信息、政策参数、"
            "领导小组、附件表格和正文，随时预览，校验、生成、建立新年度、发布。"
            "只在本机（127.0.0.1）提供服务，不需要联网。"
        ),
    )
    parser.add_argument("folder", metavar="数据目录", nargs="?", default="data", help="默认 data/")
    parser.add_argument("--port", type=int, metavar="端口", help="默认自动选一个空闲端口")
    parser.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    parser.add_argument(
        "--host",
        default=LOOPBACK,
        metavar="地址",
        help=f"绑定的地址（默认 {LOOPBACK}，只有本机能访问；其他地址须设置环境变量 {PASSWORD_VARIABLE} 作为密码）",
    )
    parser.add_argument(
        "--archive", metavar="目录", default="archive", help="发布的存档目录（默认 archive/）"
    )
    parser.add_argument(
        "--out", metavar="目录", default="output", help="“生成”的输出目录（默认 output/）"
    )
    parser.set_defaults(run=run)
