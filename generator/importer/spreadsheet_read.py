"""A spreadsheet read as a grid of values, whatever a clerk saved it as: an
.xlsx from Excel or WPS (openpyxl), or a CSV in UTF-8 (with or without the
BOM Excel writes) or GBK (what Chinese Excel and WPS save by default).

Uploaded files are untrusted, so everything is bounded before it is parsed:
the file's size; an .xlsx's entries, their count and the total size they
declare uncompressed (a zip bomb is refused before openpyxl inflates
anything; zipfile stops inflating an entry at its declared size, so the
declared sizes bound what is read); the rows and columns of a sheet. XML is
parsed through defusedxml (openpyxl uses it when it is installed), so an
entity bomb inside the workbook is refused too. Every failure is a Chinese
DataError naming the file: never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from generator.problems import DataError, Problem

MAX_FILE_BYTES = 20_000_000  # a village table is a few kilobytes
MAX_UNPACKED_BYTES = 30_000_000  # what an .xlsx's entries may declare, all together
MAX_ENTRIES = 2_000
MAX_ROWS = 10_000
MAX_COLUMNS = 200

# Compound File Binary: an encrypted .xlsx (Office wraps it so), or an old .xls / .et.
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

CellValue = str | int | Decimal | None


@dataclass(frozen=True)
class Sheet:
    """One sheet: values by (row, column), both 0-based; merged ranges as
    (first row, first column, last row, last column), inclusive, 0-based."""

    name: str
    cells: tuple[tuple[CellValue, ...], ...]
    merged: tuple[tuple[int, int, int, int], ...] = ()
    formulas: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def value(self, row: int, column: int) -> CellValue:
        if row < len(self.cells) and column < len(self.cells[row]):
            return self.cells[row][column]
        return None

    def ref(self, row: int, column: int) -> str:
        """Sheet1!C7, as Excel names the cell."""
        return f"{self.name}!{column_letter(column)}{row + 1}"


def column_letter(column: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _fail(path: Path, message: str) -> DataError:
    return DataError([Problem(message, path)])


def read_sheets(path: Path) -> list[Sheet]:
    """The sheets of path (a CSV has one), or a DataError saying why not."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _fail(path, "文件不存在") from None
    if not path.is_file():
        raise _fail(path, "不是文件")
    if size > MAX_FILE_BYTES:
        raise _fail(path, f"文件过大（超过 {MAX_FILE_BYTES // 1_000_000} MB），不像是一张表格")
    with path.open("rb") as file:
        head = file.read(8)
    if head == _CFB_MAGIC:
        raise _fail(
            path,
            "文件设有打开密码，或是旧版 Excel（.xls）、WPS 表格（.et）格式："
            "请在 Excel 或 WPS 中取消密码并另存为 .xlsx 后再导入",
        )
    if zipfile.is_zipfile(path):
        return _read_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise _fail(path, "文件已损坏，不是有效的 .xlsx 表格")
    if path.suffix.lower() in (".csv", ".txt"):
        return [_read_csv(path)]
    raise _fail(path, "不是表格文件：只能导入 .xlsx 或 .csv（Excel、WPS 另存为即可）")


# ------------------------------------------------------------------------ CSV


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise _fail(path, "不是文本格式的 CSV 表格（含有二进制内容）")
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 reads every GBK file
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _fail(path, "无法识别 CSV 的编码（应为 UTF-8 或 GBK）")


def _csv_value(text: str) -> CellValue:
    text = text.strip()
    return text or None


def _read_csv(path: Path) -> Sheet:
    text = _decode(path, path.read_bytes())
    try:
        dialect: type[csv.Dialect] = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[CellValue, ...]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            if len(rows) >= MAX_ROWS or len(row) > MAX_COLUMNS:
                raise _fail(path, f"表格过大（超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列）")
            rows.append(tuple(_csv_value(cell) for cell in row))
    except csv.Error as error:
        raise _fail(path, f"CSV 格式有误（{error}）") from None
    # Excel names a CSV's one sheet after the file.
    return Sheet(path.stem, tuple(rows))


# ----------------------------------------------------------------------- xlsx


def _check_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise _fail(path, "文件内容异常（压缩包中的文件过多），拒绝读取")
            unpacked = sum(e.file_size for e in entries)
            if unpacked > MAX_UNPACKED_BYTES:
                raise _fail(
                    path,
                    f"文件解压后超过 {MAX_UNPACKED_BYTES // 1_000_000} MB"
                    "（可能是恶意构造的压缩包），拒绝读取",
                )
            names = {e.filename for e in entries}
            if "EncryptedPackage" in names or "EncryptionInfo" in names:
                raise _fail(path, "文件设有打开密码：请在 Excel 或 WPS 中取消密码后再导入")
            if "xl/workbook.xml" not in names:
                what = "Word 文档" if "word/document.xml" in names else "其他压缩文件"
                raise _fail(path, f"不是 .xlsx 表格，而是{what}")
    except zipfile.BadZipFile:
        raise _fail(path, "文件已损坏，不是有效的 .xlsx 表格") from None


def _xlsx_value(value: object) -> CellValue:
    if value is None or (isinstance(value, str | int) and not isinstance(value, bool)):
        if isinstance(value, str):
            return value.strip() or None
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # The shortest text that reads back as the same float: 0.1, not 0.1000000000000000055.
        number = Decimal(repr(value))
        return int(number) if number == number.to_integral_value() else number
    if isinstance(value, Decimal):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip() or None


def _entities_refused(error: BaseException | None) -> bool:
    """Whether defusedxml refused the XML (openpyxl wraps its error in another)."""
    from defusedxml import DefusedXmlException

    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DefusedXmlException):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _load_workbook(path: Path) -> Iterator[Sheet]:
    # openpyxl (and its use of defusedxml) is imported only by the commands that read tables.
    import openpyxl

    try:
        # data_only: a formula cell gives the value Excel last computed (None if never).
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
    except Exception as error:  # untrusted bytes: any failure of the parser means "corrupt"
        if _entities_refused(error):
            raise _fail(path, "文件含有 XML 实体定义（可能是恶意构造的文件），拒绝读取") from None
        raise _fail(path, f"文件已损坏或格式不受支持，无法读取（{type(error).__name__}）") from None
    for sheet in values.worksheets:
        if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
            raise _fail(path, f"工作表“{sheet.title}”过大（超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列）")
        rows = tuple(
            tuple(_xlsx_value(v) for v in row) for row in sheet.iter_rows(values_only=True)
        )
        merged = tuple(
            (r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1)
            for r in sheet.merged_cells.ranges
        )
        with_formula = frozenset(
            (cell.row - 1, cell.column - 1)
            for row in formulas[sheet.title].iter_rows()
            for cell in row
            if cell.data_type == "f"
        )
        yield Sheet(sheet.title, rows, merged, with_formula)


def _read_xlsx(path: Path) -> list[Sheet]:
    _check_archive(path)
    sheets = list(_load_workbook(path))
    if not sheets:
        raise _fail(path, "表格中没有工作表")
    return sheets
