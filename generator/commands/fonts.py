"""gongwen fonts: the font each role gets in the DOCX and in the PDF, here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.paths import shared_templates

if TYPE_CHECKING:  # imported in run(): see generator/commands/__init__.py
    from generator.style import fontmap

ROLE_NAMES = {
    "body": "正文",
    "mark": "发文机关标志",
    "number": "发文字号",
    "title": "标题",
    "heading1": "一级标题",
    "heading2": "二级标题",
    "heading3": "三级标题",
    "heading4": "四级标题",
    "attachment_label": "附件标识",
    "table": "表格",
    "table_header": "表头",
    "roster": "领导小组名单",
    "imprint": "版记",
    "page_number": "页码",
}


def _where(match: fontmap.Match) -> str:
    return f"{match.family} {match.style}（{match.file}）"


def run(args: argparse.Namespace) -> int:
    from generator.build.pipeline import style_for
    from generator.style import fontmap
    from generator.style.profile import load_style

    if args.dataset and not Path(args.dataset).is_dir():
        what = "是一个文件，不是数据集目录" if Path(args.dataset).exists() else "不存在"
        print(f"错误：{args.dataset} {what}。", file=sys.stderr)
        return 1
    if args.dataset:
        style = style_for(Path(args.dataset))
        source = Path(args.dataset) / "style.yaml"
        if not source.is_file():
            source = shared_templates() / "style.yaml"
    else:
        source = shared_templates() / "style.yaml"
        style = load_style(source)
    if not fontmap.fontconfig_available():
        print("本机没有 fontconfig（fc-match、fc-list），无法查询字体。")
        return 1
    print(f"字体对照（样式文件：{source}）")
    roles = fontmap.role_fonts(style)
    by_face: dict[str, list[fontmap.RoleFont]] = {}
    for role in roles:
        by_face.setdefault(role.face, []).append(role)
    status = 0
    for face_key, group in by_face.items():
        first = group[0]
        face = style.faces[face_key]
        names = "、".join(ROLE_NAMES.get(r.role, r.role) for r in group)
        print(f"\n{face.docx}：{names}")
        if first.pdf is None:
            print(f"  PDF：{'、'.join(face.pdf)} 均未安装，无法嵌入字体 ✗")
            status = 1
        else:
            note = f"（{face.pdf[0]} 未安装，已替换）" if first.pdf_substituted else ""
            print(f"  PDF：{_where(first.pdf)}{note}")
        if fontmap.installed(face.docx):
            where = _where(first.docx) if first.docx else face.docx
            print(f"  DOCX：本机已安装 {face.docx}：{where}")
        elif first.docx_aliased and first.docx is not None:
            print(f"  DOCX：本机没有 {face.docx}，替换为 {_where(first.docx)}，与 PDF 一致 ✓")
        else:
            got = _where(first.docx) if first.docx else "未知字体"
            print(f"  DOCX：本机没有 {face.docx}，替换为 {got}，与 PDF 的 {face.pdf[0]} 不同 ✗")
    print()
    installed = fontmap.aliases_installed(shared_templates())
    aliased = all(r.docx_aliased or fontmap.installed(r.alias.docx) for r in roles)
    if installed and aliased:
        print(f"LibreOffice 字体别名：已启用（{installed}）")
    elif aliased:
        print("LibreOffice 字体别名：生效（由本机其他 fontconfig 配置提供）")
    else:
        print(
            "LibreOffice 字体别名：未启用。以 root 身份运行 "
            "bash scripts/install-system-packages.sh 安装后，"
            "LibreOffice 打开 DOCX 时将使用与 PDF 相同的字体。"
        )
    return status


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "fonts",
        help="查看各部分使用的字体及替换情况",
        description=(
            "列出公文各部分（正文、标题、页码等）在 DOCX 中指定的字体、本机实际使用的字体"
            "（经 fontconfig 查询，含文件路径）以及 PDF 嵌入的开源字体，"
            "并说明 LibreOffice 字体别名是否已启用。"
        ),
    )
    parser.add_argument(
        "dataset", nargs="?", metavar="数据集目录", help="使用该数据集自带的 style.yaml（可选）"
    )
    parser.set_defaults(run=run)
