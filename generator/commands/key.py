"""gongwen key new: a key and a self-signed certificate (.p12) to try signing
with (gongwen publish --sign), labelled in the certificate as for testing only."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.commands.publish import PASSWORD_VARIABLE, sign_password
from generator.problems import DataError, Problem


def run(args: argparse.Namespace) -> int:
    from generator.archive.signing import TEST_LABEL, new_test_certificate

    out = Path(args.out)
    if out.exists():
        raise DataError([Problem("文件已存在，不会覆盖（请换一个文件名）", out)])
    password = sign_password(out, confirm=True)
    if not password:
        raise DataError([Problem("证书密码不能为空", out)])
    name = new_test_certificate(args.name, password, out)
    print(f"已生成：{out}（签署人“{name}”）")
    print(f"注意：这是{TEST_LABEL}。正式发文请使用电子认证服务机构签发的证书。")
    print(f"签名示例：gongwen publish data/<单位>/<年度> --sign {out}")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "key",
        help="生成测试用的签名证书",
        description="签名证书的管理。目前只有 new：生成测试用的自签名证书。",
    )
    actions = parser.add_subparsers(dest="action", metavar="操作", required=True)
    new = actions.add_parser(
        "new",
        help="生成测试用自签名证书（.p12）",
        description=(
            "生成一对新密钥和一张自签名证书，存为受密码保护的 .p12 文件，"
            "供试用 gongwen publish --sign。证书中注明“测试用自签名证书，不可用于正式发文”。"
            f"密码取自环境变量 {PASSWORD_VARIABLE}，未设置时提示输入两次。"
        ),
        epilog="示例：gongwen key new --name 临武县武水镇人民政府 --out 测试证书.p12",
    )
    new.add_argument("--name", metavar="名称", required=True, help="签署人（单位）名称")
    new.add_argument("--out", metavar="文件", default="测试证书.p12", help="默认 测试证书.p12")
    new.set_defaults(run=run)
