"""gongwen import: a notice made in Word or WPS (.docx, or .doc/.wps through
LibreOffice) read into a draft data set, with a report of what was done."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.importer.docx_reader import MAX_FILE_BYTES, ImportFailure, read_docx
from generator.importer.notice import recognise
from generator.importer.report import Report
from generator.importer.writer import draft, write_dataset

CONVERTED = (".doc", ".wps", ".wpt", ".dot", ".rtf")
CONVERT_SECONDS = 120


def import_notice(source: Path, target: Path) -> Report:
    """Import source into the new data set folder target; nothing is written on failure."""
    suffix = source.suffix.lower()
    if not source.is_file():
        raise ImportFailure(f"{source}：文件不存在")
    if suffix in CONVERTED:
        with tempfile.TemporaryDirectory(prefix="gongwen-import-") as folder:
            converted = _convert(source, Path(folder))
            blocks = read_docx(converted)
    elif suffix in (".docx", ".docm", ".wpsx"):
        blocks = read_docx(source)
    else:
        raise ImportFailure(f"{source}：只能导入 Word/WPS 文件（.docx、.doc、.wps）")
    notice = recognise(blocks, str(source))
    result = draft(notice, str(source))
    write_dataset(result, target)
    return result.report


def _convert(source: Path, folder: Path) -> Path:
    """.doc/.wps → .docx through LibreOffice, with its own profile folder so
    that a running LibreOffice does not swallow the request."""
    if source.stat().st_size > MAX_FILE_BYTES:
        raise ImportFailure(f"{source}：文件过大，不像一份通知")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise ImportFailure(
            f"{source}：转换 {source.suffix} 文件需要 LibreOffice（soffice），请先安装或另存为 .docx"
        )
    local = folder / ("input" + source.suffix.lower())
    shutil.copyfile(source, local)
    profile = (folder / "profile").as_uri()
    try:
        subprocess.run(
            [
                office,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "docx",
                "--outdir",
                str(folder),
                str(local),
            ],
            check=False,
            capture_output=True,
            timeout=CONVERT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise ImportFailure(f"{source}：LibreOffice 转换超时，文件可能已损坏") from None
    converted = folder / "input.docx"
    if not converted.is_file():
        raise ImportFailure(
            f"{source}：LibreOffice 无法转换此文件（已损坏、已加密或不是 Word/WPS 文件）"
        )
    return converted
