"""gongwen verify: recheck archived (or built) files against their manifests,
and an archive's manifests against its register (generator/archive/verify.py)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ARCHIVE = "archive"  # generator.archive.publish.DEFAULT_ARCHIVE; importing that loads the pipeline


def run(args: argparse.Namespace) -> int:
    from generator.archive.verify import verify

    root = Path(args.path)
    if not root.is_dir():
        what = "是一个文件，不是目录" if root.exists() else "不存在"
        print(f"错误：{root} {what}。", file=sys.stderr)
        return 1
    result = verify(root)
    for version in result.versions:
        print(f"{'有问题' if version.problems else '完好'}：{version.folder}")
        for line in (*version.problems, *version.signatures):
            print(f"  {line}")
    for problem in result.problems:
        print(f"存档有问题：{problem}")
    for stage in result.stages:
        print(f"提示：{stage} 是中断的生成或发布留下的临时目录，可以删除。")
    head_differs = False
    if result.register is not None and result.archive is not None:
        register = result.register
        print(
            f"登记簿：{result.archive / 'register.jsonl'}，共 {len(register.entries)} 条；"
            f"链头 {register.head}"
        )
        print(
            "（请把链头抄录在存档之外，如纸质登记簿；日后用 --head 核对，可发现登记簿被整体改写。）"
        )
        if args.head and args.head.lower() != register.head:
            head_differs = True
            print(f"有问题：链头与给出的 {args.head} 不符：登记簿被改写、截短或换过。")
        elif args.head:
            print("链头与给出的一致。")
    elif args.head:
        head_differs = True
        print(f"有问题：{root} 及其上级目录中没有登记簿，无法核对链头。")
    total = len(result.versions)
    archive_problems = f"{len(result.problems)} 处存档问题" if result.problems else ""
    if total:
        print(
            f"共核验 {total} 个版本：{total - result.broken} 个完好，{result.broken} 个有问题"
            + (f"；另有 {archive_problems}。" if archive_problems else "。")
        )
    else:
        print(f"没有可核验的版本；{archive_problems}。")
    return 0 if result.ok and not head_differs else 1


def _head(text: str) -> str:
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise argparse.ArgumentTypeError(f"链头应为 64 位十六进制数：{text}")
    return text


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "verify",
        help="核验存档文件是否与清单、登记簿一致",
        description=(
            "按 manifest.json 逐个核对存档（或生成目录）中的文件：列出被改动、缺失或新增的文件；"
            "并核验 PDF 的电子签名（是否有效、签署人、签署时间），签名损坏或缺失时报告；"
            "存档还按登记簿 register.jsonl 核对每个版本的清单：列出缺失、多出、改名或被改动的版本，"
            "并显示登记簿的链头。有任何问题时退出状态为 1。"
        ),
    )
    parser.add_argument("path", metavar="目录", nargs="?", default=ARCHIVE, help="默认 archive/")
    parser.add_argument(
        "--head", type=_head, metavar="链头", help="此前抄录的登记簿链头，核对登记簿未被改写"
    )
    parser.set_defaults(run=run)
