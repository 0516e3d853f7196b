"""gongwen verify: recheck archived (or built) files against their manifests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ARCHIVE = "archive"  # generator.archive.publish.DEFAULT_ARCHIVE; importing that loads the pipeline


def run(args: argparse.Namespace) -> int:
    from generator.archive.signing import check_folder_signatures
    from generator.build.manifest import check_folder, find_versions

    root = Path(args.path)
    if not root.is_dir():
        print(f"错误：目录 {root} 不存在。", file=sys.stderr)
        return 1
    versions, stages = find_versions(root)
    if not versions:
        print(f"{root} 中没有找到带 manifest.json 的版本。")
    broken = 0
    for folder in versions:
        findings = check_folder(folder)
        signatures = check_folder_signatures(folder)
        if not findings and all(s.ok for s in signatures):
            print(f"完好：{folder}")
            for signature in signatures:
                print(f"  {signature}")
            continue
        broken += 1
        print(f"有问题：{folder}")
        for finding in findings:
            print(f"  {finding}")
        for signature in signatures:
            print(f"  {signature}")
    for stage in stages:
        print(f"提示：{stage} 是中断的生成或发布留下的临时目录，可以删除。")
    print(f"共核验 {len(versions)} 个版本：{len(versions) - broken} 个完好，{broken} 个有问题。")
    return 1 if broken else 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "verify",
        help="核验存档文件是否与清单一致",
        description=(
            "按 manifest.json 逐个核对存档（或生成目录）中的文件：列出被改动、缺失或新增的文件；"
            "并核验 PDF 的电子签名（是否有效、签署人、签署时间），签名损坏或缺失时报告；"
            "有任何问题时退出状态为 1。"
        ),
    )
    parser.add_argument("path", metavar="目录", nargs="?", default=ARCHIVE, help="默认 archive/")
    parser.set_defaults(run=run)
