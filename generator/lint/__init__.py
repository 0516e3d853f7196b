"""gongwen lint: a GB/T 9704-2012 conformance report for a DOCX or a PDF.

Everything is measured from the file itself (glyph positions in a PDF, the
WordprocessingML of a DOCX), so it judges documents made anywhere, not only
by this project. generator/lint/rules.py holds the standard's numbers and the
report; pdf.py and docx.py the measurements for each format.
"""

from __future__ import annotations

from pathlib import Path

from generator.lint.rules import Check, Report, Standard, Status
from generator.problems import os_reason

__all__ = ["Check", "LintError", "Report", "Standard", "Status", "lint"]


class LintError(Exception):
    """The file cannot be checked; the message is Chinese."""


def lint(path: Path) -> Report:
    """Check path, a .docx or a .pdf (recognised by its first bytes)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as error:
        raise LintError(f"无法读取 {path}：{os_reason(error)}") from error
    if head.startswith(b"%PDF"):
        from generator.lint.pdf import PdfError, lint_pdf

        try:
            return lint_pdf(path)
        except PdfError as error:
            raise LintError(f"{path} 不是可读取的 PDF 文件：{error}") from error
    if head.startswith(b"PK"):
        from generator.lint.docx import DocxError, lint_docx

        try:
            return lint_docx(path)
        except DocxError as error:
            raise LintError(f"{path} 不是可读取的 DOCX 文件：{error}") from error
    raise LintError(f"{path} 既不是 PDF 也不是 DOCX 文件")
