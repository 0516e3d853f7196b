"""gongwen publish: build a document and keep it in the archive for good."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from generator.commands.report import report
from generator.problems import DataError, Problem

ARCHIVE = "archive"  # generator.archive.publish.DEFAULT_ARCHIVE; importing that loads the pipeline
PASSWORD_VARIABLE = "GONGWEN_SIGN_PASSWORD"


def sign_password(p12: Path, confirm: bool = False) -> str:
    """The certificate's password: from GONGWEN_SIGN_PASSWORD, else asked for
    (not echoed); confirm asks twice, for a new one."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is not None:
        return password
    no_password = f"没有证书密码：请在终端中运行，或设置环境变量 {PASSWORD_VARIABLE}"
    if not sys.stdin.isatty():  # getpass would read it, echoed, from a pipe
        raise DataError([Problem(no_password, p12)])
    try:
        password = getpass.getpass(f"证书 {p12} 的密码：")
        if confirm and getpass.getpass("再输入一次密码：") != password:
            raise DataError([Problem("两次输入的密码不一致", p12)])
    except EOFError:  # the terminal closed
        raise DataError([Problem(no_password, p12)]) from None
    return password


def run(args: argparse.Namespace) -> int:
    from generator.archive.publish import PDF_VARIANT, publish
    from generator.archive.signing import load_signer

    signer = None
    if args.sign:  # the password is asked for before anything is built
        p12 = Path(args.sign)
        signer = load_signer(p12, sign_password(p12))
    result = publish(
        Path(args.dataset), Path(args.archive), strict=args.strict, signer=signer, ofd=args.ofd
    )
    report(result.warnings)
    if not result.created:
        print(f"已发布过：{result.folder}（第 {result.revision} 版）与当前的数据和模板完全相同。")
        print("未写入任何文件。")
        return 0
    print(f"已发布：{result.folder}（第 {result.revision} 版）")
    kinds = "DOCX、PDF（{}）{}".format(PDF_VARIANT.upper(), "、OFD" if args.ofd else "")
    print(f"共 {result.files} 个文件：{kinds}、源数据与模板。")
    if signer is not None:
        print(f"PDF 已由“{signer.name}”签名（PAdES），签名记录在清单中。")
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
    parser.add_argument(
        "--sign",
        metavar="证书.p12",
        help=f"用该证书对存档的 PDF 进行电子签名（PAdES）；密码取自环境变量 {PASSWORD_VARIABLE}，未设置时提示输入",
    )
    parser.add_argument(
        "--ofd", action="store_true", help="同时存档 OFD 版式文件（GB/T 33190），页面与 PDF 相同"
    )
    parser.set_defaults(run=run)
