"""gongwen table export / import: a table out to an .xlsx for villages to fill
in, and back, with the YAML edited in place; CSV as Excel and WPS save it;
errors that name the sheet and cell; hostile files refused."""

from __future__ import annotations

import difflib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from generator.cli import main
from generator.compute import compute
from generator.dataset.load import load_sources
from generator.dataset.validate import validate
from generator.dataset.yamlio import parse_yaml
from generator.importer import spreadsheet_read
from generator.importer.spreadsheet_export import export_table
from generator.importer.spreadsheet_import import import_table
from generator.importer.spreadsheet_yaml import REMOVE, TableText, yaml_text
from generator.problems import DataError
from tests.conftest import REPO

QINGSHAN = REPO / "tests" / "data" / "qingshan" / "2024"
WUHE = REPO / "data" / "wuhe" / "2024"


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.parent.name / source.name
    shutil.copytree(source, target)
    return target


def _errors(error: pytest.ExceptionInfo[DataError]) -> str:
    return "\n".join(str(p) for p in error.value.problems)


# ------------------------------------------------------------ export, fill, import


def test_a_filled_export_changes_just_those_cells(dataset_copy: Path, tmp_path: Path) -> None:
    quota = dataset_copy / "tables" / "quota.yaml"
    before = quota.read_text("utf-8")
    sheet_file = export_table(dataset_copy, "quota", tmp_path / "quota.xlsx")

    book = openpyxl.load_workbook(sheet_file)  # a village fills it in
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["序号", "村委", "户籍人口数", "基数任务"]
    assert sheet["B2"].value == "黄莲" and sheet["C2"].value == 1237
    sheet["C2"] = 1250
    sheet["D4"] = 2480
    book.save(sheet_file)

    result = import_table(sheet_file, dataset_copy, "quota")
    assert (len(result.added), len(result.changed), len(result.removed)) == (0, 2, 0)
    assert result.unchanged == 26 and result.written
    assert [c.row for c in result.changed] == ["黄莲", "李家"]
    assert result.changed[0].cells == ("户籍人口数：1237 → 1250",)

    after = quota.read_text("utf-8")
    assert _changed_lines(before, after) == [
        "-  - {村委: 黄莲, 户籍人口数: 1237, 基数任务: 1092}",
        "+  - {村委: 黄莲, 户籍人口数: 1250, 基数任务: 1092}",
        "-  - {村委: 李家, 户籍人口数: 2778, 基数任务: 2472}",
        "+  - {村委: 李家, 户籍人口数: 2778, 基数任务: 2480}",
    ]
    # The comments and the printed totals are as they were.
    assert after.splitlines()[:2] == before.splitlines()[:2]
    assert "printed:            # 原文印刷的合计" in after
    table = compute(validate(load_sources(dataset_copy))).tables["quota"]
    assert table.rows[0]["户籍人口数"] == 1250


def test_an_unchanged_export_imports_as_no_change(tmp_path: Path) -> None:
    for source, name in (
        (WUHE, "targets"),
        (QINGSHAN, "tasks"),
        (REPO / "data/wushui/2024", "assignments"),
    ):
        dataset = _copy(source, tmp_path / name)
        text = (dataset / "tables" / f"{name}.yaml").read_bytes()
        sheet_file = export_table(dataset, name, tmp_path / f"{name}.xlsx")
        result = import_table(sheet_file, dataset, name)
        assert not (result.added or result.changed or result.removed or result.written)
        assert (dataset / "tables" / f"{name}.yaml").read_bytes() == text


def test_rows_added_and_removed_by_the_key_column(tmp_path: Path) -> None:
    dataset = _copy(WUHE, tmp_path)
    targets = dataset / "tables" / "targets.yaml"
    before = targets.read_text("utf-8")
    sheet_file = export_table(dataset, "targets", tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(sheet_file)
    sheet = book.active
    assert sheet["C1"].value == "2023年目标任务数"  # the heading as printed: {{ year - 1 }}
    sheet.delete_rows(4)  # 朱顶镇 gone
    sheet.insert_rows(3)  # a new town after 城关镇
    sheet["A3"], sheet["B3"], sheet["C3"] = "新设镇", 1000, None  # its target not known yet
    book.save(sheet_file)

    result = import_table(sheet_file, dataset, "targets")
    assert (result.added, result.removed, len(result.changed)) == (["新设镇"], ["朱顶镇"], 0)
    after = targets.read_text("utf-8")
    assert _changed_lines(before, after) == [
        "+  - {乡镇: 新设镇, 户籍人口数: 1000, 目标任务数: ~}",
        "-  - {乡镇: 朱顶镇, 户籍人口数: 51776, 目标任务数: 43509}",
    ]
    lines = after.splitlines()
    assert lines[lines.index("  - {乡镇: 城关镇, 户籍人口数: 104874, 目标任务数: 63194}") + 1] == (
        "  - {乡镇: 新设镇, 户籍人口数: 1000, 目标任务数: ~}"
    )
    new_row = validate(load_sources(dataset)).tables["targets"].rows[1]
    assert new_row["{{ year - 1 }}年目标任务数"] is None  # a blank, per the model


def test_names_and_blank_text_cells(tmp_path: Path) -> None:
    dataset = _copy(REPO / "data/wushui/2024", tmp_path)
    assignments = dataset / "tables" / "assignments.yaml"
    before = assignments.read_text("utf-8")
    sheet_file = export_table(dataset, "assignments", tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(sheet_file)
    sheet = book.active
    assert sheet["C2"].value == "邝晓明、孙向东、唐代聪、蒋林姿"
    sheet["C2"] = "邝晓明，孙向东"  # a full-width comma, as people type
    sheet["D2"] = None  # 村委责任人 left blank
    sheet["D4"] = "胡某"  # 车头 had none
    book.save(sheet_file)
    import_table(sheet_file, dataset, "assignments")
    assert _changed_lines(before, assignments.read_text("utf-8")) == [
        "-  - {村委: 邝家, 镇责任领导: [胡玉萍, 邝富军], 镇责任干部: [邝晓明, 孙向东, 唐代聪, 蒋林姿], 村委责任人: 邝富军, 村经办员: 邝武信}",
        "+  - {村委: 邝家, 镇责任领导: [胡玉萍, 邝富军], 镇责任干部: [邝晓明, 孙向东], 村经办员: 邝武信}",
        "-  - {村委: 车头, 镇责任领导: 侯承成, 镇责任干部: [唐高平, 陈□, 邓艳兰], 村经办员: 胡贵珍}",
        "+  - {村委: 车头, 镇责任领导: 侯承成, 镇责任干部: [唐高平, 陈□, 邓艳兰], 村委责任人: 胡某, 村经办员: 胡贵珍}",
    ]


# ----------------------------------------------------------------------- export


def test_export_is_byte_for_byte_the_same(tmp_path: Path) -> None:
    first = export_table(QINGSHAN, "tasks", tmp_path / "a.xlsx").read_bytes()
    second = export_table(QINGSHAN, "tasks", tmp_path / "b.xlsx").read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {e.date_time for e in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core
    # Another process, other hash seeds: the same bytes.
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.xlsx"
        code = "import sys; from generator.cli import main; sys.exit(main(sys.argv[1:]))"
        subprocess.run(
            [sys.executable, "-c", code, "table", "export", str(QINGSHAN), "--table", "tasks",
             "--out", str(out)],
            check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert out.read_bytes() == first


def test_export_of_tasks(tmp_path: Path) -> None:
    sheet_file = export_table(QINGSHAN, "tasks", tmp_path / "tasks.xlsx")
    sheet = openpyxl.load_workbook(sheet_file).active
    assert [c.value for c in sheet[1]] == [
        "序号",
        "村（社区）",
        "各村人口数（按村报人数和户籍人数的平均）",
        "2023年外出人数",  # {{ year - 1 }}
        "2023年应参加居民医保人数",
        "2024年目标任务数",
        "个人缴费（元）",
    ]
    # Computed columns: Excel formulas that leave a blank blank, greyed and locked.
    assert sheet["E2"].value == '=IF(OR(C2="",D2=""),"",ROUND((C2-D2),0))'
    assert sheet["F2"].value == '=IF(OR(E2=""),"",ROUND((E2*0.95),0))'
    assert sheet["E2"].protection.locked and sheet["E2"].fill.fgColor.rgb == "FFD9D9D9"
    assert not sheet["C2"].protection.locked and sheet["C2"].fill.fgColor.rgb != "FFD9D9D9"
    assert sheet["B2"].protection.locked  # the key: villages fill in numbers, not names
    assert sheet.protection.sheet
    # The totals row.
    assert [c.value for c in sheet[5]][:3] == ["合计", None, "=SUM(C2:C4)"]
    assert "A5:B5" in {str(r) for r in sheet.merged_cells.ranges}
    # Whole numbers of at least 0 in the integer input columns.
    checks = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert set(checks) == {"C2:C4", "D2:D4"}
    assert checks["C2:C4"].type == "whole" and checks["C2:C4"].formula1 == "0"
    assert "整数" in (checks["C2:C4"].error or "")


def test_multi_row_headings_are_merged(tmp_path: Path) -> None:
    sheet_file = export_table(QINGSHAN, "subsidy", tmp_path / "subsidy.xlsx")
    sheet = openpyxl.load_workbook(sheet_file).active
    assert [c.value for c in sheet[1]] == [
        "资助对象",
        "一档（380元）",
        None,
        "二档（680元）",
        None,
        "资金承担",
    ]
    assert [c.value for c in sheet[2]][1:5] == ["资助", "个人缴", "资助", "个人缴"]
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:A2", "B1:C1", "D1:E1", "F1:F2"}
    # Rows from policy are computed, so they cannot be imported.
    with pytest.raises(DataError) as error:
        import_table(sheet_file, _copy(QINGSHAN, tmp_path), "subsidy")
    assert "rows_from" in _errors(error) and "不能从表格导入" in _errors(error)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="未安装 LibreOffice")
def test_libreoffice_computes_the_exported_formulas_as_gongwen_does(tmp_path: Path) -> None:
    sheet_file = export_table(QINGSHAN, "tasks", tmp_path / "tasks.xlsx")
    profile = (tmp_path / "profile").as_uri()
    run = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "lo"), str(sheet_file)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    saved = tmp_path / "lo" / "tasks.xlsx"
    if not saved.exists():
        pytest.skip(f"LibreOffice Calc 不可用：{run.stderr.strip()[:200]}")
    values = openpyxl.load_workbook(saved, data_only=True).active
    computed = compute(validate(load_sources(QINGSHAN))).tables["tasks"]
    columns = [c.name for c in computed.input.spec.columns]
    for r, row in enumerate(computed.rows):
        got = [values.cell(row=r + 2, column=i + 1).value for i in range(len(columns))]
        assert [None if v in (None, "") else v for v in got] == [row[c] for c in columns]
    assert [values.cell(row=5, column=i + 1).value for i in range(2, 7)] == [
        computed.total[c] if computed.total else None for c in columns[2:]
    ]
    # Saved by an office suite, with the formulas' values: it imports as no change.
    dataset = _copy(QINGSHAN, tmp_path)
    result = import_table(saved, dataset, "tasks")
    assert not (result.added or result.changed or result.removed or result.warnings)
    assert not result.written


# ------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-8"])
def test_csv_as_excel_and_wps_save_it(tmp_path: Path, encoding: str) -> None:
    dataset = _copy(QINGSHAN, tmp_path)
    tasks = dataset / "tables" / "tasks.yaml"
    before = tasks.read_text("utf-8")
    csv_file = tmp_path / "各村.csv"
    csv_file.write_bytes(
        (
            "附件：各村任务表\r\n"  # a title above the headings
            "村（社区）,各村人口数（按村报人数和户籍人数的平均）,2023年外出人数,备注\r\n"
            "坝芒村,3327,61,\r\n"
            '石门村,"2,410",40,\r\n'  # thousands separators and a changed figure
            "青山社区,1200,,未报\r\n"
            "新田村,９００,10,\r\n"  # full-width digits
            "注：外出人数以村报为准,,,\r\n"  # a note under the table, not a village
        ).encode(encoding)
    )
    result = import_table(csv_file, dataset, "tasks")
    assert result.sheet == "各村"
    assert (result.added, [c.row for c in result.changed], result.removed) == (
        ["新田村"],
        ["石门村"],
        [],
    )
    assert _changed_lines(before, tasks.read_text("utf-8")) == [
        "-  - {village: 石门村, population: 2410, away: 35}",
        "+  - {village: 石门村, population: 2410, away: 40}",
        "+  - {village: 新田村, population: 900, away: 10}",
    ]
    assert any("F2" not in str(w) and "备注" in str(w) for w in result.warnings)


def test_computed_figures_are_checked_and_recorded_when_asked(tmp_path: Path) -> None:
    dataset = _copy(QINGSHAN, tmp_path)
    tasks = dataset / "tables" / "tasks.yaml"
    before = tasks.read_text("utf-8")
    csv_file = tmp_path / "t.csv"
    csv_file.write_text(
        "村（社区）,各村人口数（按村报人数和户籍人数的平均）,2023年外出人数,2023年应参加居民医保人数\n"
        "坝芒村,3327,61,3266\n"  # agrees with the formula: its printed 3226 is no longer needed
        "石门村,2410,35,2370\n"  # disagrees: 2375 by the formula
        "青山社区,1200,,\n",
        "utf-8",
    )
    result = import_table(csv_file, dataset, "tasks")
    [warning] = [str(w) for w in result.warnings]
    assert "t!D3" in warning and "2370" in warning and "2375" in warning and "--printed" in warning
    assert not result.written and tasks.read_text("utf-8") == before

    result = import_table(csv_file, dataset, "tasks", record_printed=True)
    assert _changed_lines(before, tasks.read_text("utf-8")) == [
        "-  - {village: 坝芒村, population: 3327, away: 61, 2023年应参加居民医保人数: {printed: 3226}}",
        "-  - {village: 石门村, population: 2410, away: 35}",
        "+  - {village: 坝芒村, population: 3327, away: 61}",
        "+  - {village: 石门村, population: 2410, away: 35, 2023年应参加居民医保人数: {printed: 2370}}",
    ]
    assert validate(load_sources(dataset)).tables["tasks"].printed == {
        (1, "2023年应参加居民医保人数"): Decimal(2370)
    }


# ---------------------------------------------------------------------- errors


def _filled_quota(dataset: Path, tmp_path: Path, cells: dict[str, object]) -> Path:
    sheet_file = export_table(dataset, "quota", tmp_path / "quota.xlsx")
    book = openpyxl.load_workbook(sheet_file)
    for ref, value in cells.items():
        book.active[ref] = value
    book.save(sheet_file)
    return sheet_file


def test_bad_cells_are_named_by_sheet_and_cell_and_nothing_is_written(
    dataset_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quota = dataset_copy / "tables" / "quota.yaml"
    before = quota.read_bytes()
    sheet_file = _filled_quota(
        dataset_copy,
        tmp_path,
        {"C3": "一千", "D5": 12.5, "C7": -3, "B9": None, "B10": "黄莲"},
    )
    code = main(["table", "import", str(sheet_file), str(dataset_copy), "--table", "quota"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "quota!C3：列“户籍人口数”应为数字，而不是“一千”" in err
    assert "quota!D5：列“基数任务”应为整数，而不是“12.5”" in err
    assert "quota!C7：列“户籍人口数”不能小于 0" in err
    assert "quota!B9：这一行有数据，但没有填写“村委”" in err
    assert "quota!B10：“黄莲”重复出现（quota!B2 已有）" in err
    assert quota.read_bytes() == before


def test_an_import_that_breaks_the_data_set_writes_nothing(
    dataset_copy: Path, tmp_path: Path
) -> None:
    quota = dataset_copy / "tables" / "quota.yaml"
    before = quota.read_bytes()
    sheet_file = export_table(dataset_copy, "quota", tmp_path / "quota.xlsx")
    book = openpyxl.load_workbook(sheet_file)
    book.active.delete_rows(5)  # 慕冲, still in assignments (ref: quota.村委)
    book.save(sheet_file)
    with pytest.raises(DataError) as error:
        import_table(sheet_file, dataset_copy, "quota")
    assert "校验未通过" in _errors(error) and "“慕冲”不在表 quota 中" in _errors(error)
    assert quota.read_bytes() == before


def test_the_cli_reports_counts(
    dataset_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet_file = _filled_quota(dataset_copy, tmp_path, {"C2": 1300})
    code = main(
        ["table", "import", str(sheet_file), str(dataset_copy), "--table", "quota", "--dry-run"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "新增 0 行，修改 1 行，删除 0 行，未变 27 行" in out
    assert "修改：黄莲（户籍人口数：1237 → 1300）" in out and "未写入" in out
    assert main(["table", "export", str(dataset_copy), "--table", "quota", "--out", "a.csv"]) == 1
    assert "应以 .xlsx 结尾" in capsys.readouterr().err
    assert main(["table", "export", str(dataset_copy), "--table", "无此表"]) == 1
    assert (
        "数据集中没有表 tables/无此表.yaml（现有的表：assignments、quota）"
        in capsys.readouterr().err
    )
    out_file = tmp_path / "导出.xlsx"
    assert (
        main(["table", "export", str(dataset_copy), "--table", "quota", "--out", str(out_file)])
        == 0
    )
    assert out_file.is_file()


def test_the_cli_does_not_load_openpyxl_to_start() -> None:
    code = "import sys, generator.cli; print('openpyxl' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ------------------------------------------------------------------ bad files


def _refused(source: Path, dataset: Path, expected: str) -> None:
    quota = dataset / "tables" / "quota.yaml"
    before = quota.read_bytes()
    with pytest.raises(DataError) as error:
        import_table(source, dataset, "quota")
    assert expected in _errors(error), _errors(error)
    assert quota.read_bytes() == before


def test_files_that_are_not_spreadsheets(dataset_copy: Path, tmp_path: Path) -> None:
    text = tmp_path / "说明.xlsx"
    text.write_text("这不是表格", "utf-8")
    _refused(text, dataset_copy, "已损坏")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    _refused(pdf, dataset_copy, "不是表格文件")
    docx = tmp_path / "通知.xlsx"
    shutil.copy(REPO / "templates" / "docx" / "gongwen.docx", docx)
    _refused(docx, dataset_copy, "不是 .xlsx 表格，而是Word 文档")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x00\x01\x02")
    _refused(binary, dataset_copy, "二进制")
    _refused(tmp_path / "无.xlsx", dataset_copy, "文件不存在")


def test_corrupt_and_encrypted_workbooks(dataset_copy: Path, tmp_path: Path) -> None:
    good = export_table(dataset_copy, "quota", tmp_path / "good.xlsx").read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good[: len(good) // 2])
    _refused(truncated, dataset_copy, "已损坏")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(broken, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the XML cut off
            target.writestr(entry, data)
    _refused(broken, dataset_copy, "已损坏")
    # Office saves a workbook with a password as a compound file (as the old .xls is).
    encrypted = tmp_path / "encrypted.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    _refused(encrypted, dataset_copy, "打开密码")


def test_a_zip_bomb_is_refused_before_it_is_inflated(dataset_copy: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            block = b"\x00" * 1_000_000
            for _ in range(spreadsheet_read.MAX_UNPACKED_BYTES // len(block) + 1):
                entry.write(block)
    assert bomb.stat().st_size < 200_000
    _refused(bomb, dataset_copy, "解压后超过")


def test_a_huge_file_is_refused_unread(dataset_copy: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:
        file.truncate(spreadsheet_read.MAX_FILE_BYTES + 1)  # sparse: no disk used
    _refused(huge, dataset_copy, "文件过大")


def test_a_sheet_without_the_headings(dataset_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("姓名,电话\n张三,123\n", "utf-8")
    _refused(other, dataset_copy, "找不到表 quota 的表头")


@pytest.mark.parametrize("rows", ["", "rows: []   # 待各村填报\n"])
def test_a_table_without_rows_is_filled(tmp_path: Path, rows: str) -> None:
    """A new table (columns only) gets its rows below the columns, as people
    write them; the plan, which cites the rows, needs none to import."""
    dataset = _copy(QINGSHAN, tmp_path)
    tasks = dataset / "tables" / "tasks.yaml"
    text = tasks.read_text("utf-8")
    header = text[: text.index("rows:")] + rows
    tasks.write_text(header, "utf-8")
    csv_file = tmp_path / "t.csv"
    csv_file.write_text(
        "村（社区）,各村人口数（按村报人数和户籍人数的平均）,2023年外出人数\n坝芒村,3327,61\n石门村,2410,\n",
        "utf-8",
    )
    result = import_table(csv_file, dataset, "tasks")
    assert result.added == ["坝芒村", "石门村"]
    after = tasks.read_text("utf-8")
    assert after.startswith(header.removesuffix("\n").replace("[]", ""))
    assert after.splitlines()[-2:] == [
        "  - {village: 坝芒村, population: 3327, away: 61}",
        "  - {village: 石门村, population: 2410, away: ~}",
    ]
    assert len(validate(load_sources(dataset)).tables["tasks"].rows) == 2


def test_an_input_formula_never_computed_is_an_error(dataset_copy: Path, tmp_path: Path) -> None:
    sheet_file = _filled_quota(dataset_copy, tmp_path, {"C3": "=C2+1"})  # openpyxl keeps no value
    _refused(sheet_file, dataset_copy, "quota!C3：列“户籍人口数”是公式，但文件中没有它的计算结果")


def test_grouped_headings_are_matched_by_their_whole_path(tmp_path: Path) -> None:
    """Two columns both headed 人数, under 一档 and 二档: told apart by the group."""
    dataset = _copy(QINGSHAN, tmp_path)
    (dataset / "tables" / "tiers_count.yaml").write_text(
        "# 各档参保人数（测试）\n"
        "columns:\n"
        "  - {name: 村, unique: true}\n"
        "  - {name: 一档人数, header: [一档, 人数], kind: integer, total: sum}\n"
        "  - {name: 二档人数, header: [二档, 人数], kind: integer, total: sum}\n"
        "total_label: 合计\n"
        "rows:\n"
        "  - {村: 坝芒村, 一档人数: 10, 二档人数: 20}  # 去年数\n",
        "utf-8",
    )
    sheet_file = export_table(dataset, "tiers_count", tmp_path / "tc.xlsx")
    book = openpyxl.load_workbook(sheet_file)
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["村", "一档", "二档"]
    assert [c.value for c in sheet[2]] == [None, "人数", "人数"]
    assert sheet["C3"].value == 20
    sheet["C3"] = 25
    book.save(sheet_file)
    import_table(sheet_file, dataset, "tiers_count")
    assert (dataset / "tables" / "tiers_count.yaml").read_text("utf-8").splitlines()[-1] == (
        "  - {村: 坝芒村, 一档人数: 10, 二档人数: 25}  # 去年数"
    )


def test_a_totals_row_that_does_not_add_up_is_reported(tmp_path: Path) -> None:
    dataset = _copy(QINGSHAN, tmp_path)
    csv_file = tmp_path / "t.csv"
    csv_file.write_text(
        "村（社区）,各村人口数（按村报人数和户籍人数的平均）,2023年外出人数\n"
        "坝芒村,3327,61\n石门村,2410,35\n青山社区,1200,\n合计,6937,100\n",
        "utf-8",
    )
    tasks = dataset / "tables" / "tasks.yaml"
    before = tasks.read_text("utf-8")
    result = import_table(csv_file, dataset, "tasks")
    assert [str(w) for w in result.warnings] == [
        f"警告：{csv_file}：t!C5：合计行，列“away”表格中为 100，各行相加为 96；"
        "合计由程序计算，未导入（要记为原文印刷的合计，导入时加 --printed）"
    ]
    assert not result.written
    # Asked, the figure is recorded beside the printed total already there (population).
    result = import_table(csv_file, dataset, "tasks", record_printed=True)
    assert _changed_lines(before, tasks.read_text("utf-8")) == [
        "-  total: {population: 6937}",
        "+  total: {population: 6937, away: 100}",
    ]
    warnings = compute(validate(load_sources(dataset))).warnings
    assert any("印刷值 100，计算值 96" in w.message for w in warnings)


def test_an_entity_bomb_inside_a_workbook_is_refused(dataset_copy: Path, tmp_path: Path) -> None:
    good = export_table(dataset_copy, "quota", tmp_path / "good.xlsx").read_bytes()
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">' for i in range(9)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol8;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    bomb = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(bomb, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = laughs.encode()
            target.writestr(entry, data)
    _refused(bomb, dataset_copy, "文件含有 XML 实体定义（可能是恶意构造的文件），拒绝读取")


# ------------------------------------------------------- editing the YAML text


def test_block_style_rows_are_edited_in_their_own_style() -> None:
    text = (
        "columns:\n  - {name: 村, unique: true}\n  - {name: 人数, kind: integer}\n"
        "  - {name: 负责人}\nrows:\n  # 第一组\n"
        "  - 村: 甲\n    人数: 1   # 去年\n"
        "  - 村: 乙\n    人数: 2\n    负责人: 张三\n"
        "  - 村: 丙\n    人数: 3\n"
        "printed: {}\n"
    )
    edited = TableText(text)
    edited.set_cell(0, "人数", 5, ["村"])
    edited.set_cell(0, "负责人", "李四", ["村", "人数"])
    edited.set_cell(1, "负责人", REMOVE, ["村", "人数"])
    edited.remove_row(2)
    edited.add_rows(0, ["{村: 丁, 人数: 4}"])
    assert edited.result() == (
        "columns:\n  - {name: 村, unique: true}\n  - {name: 人数, kind: integer}\n"
        "  - {name: 负责人}\nrows:\n  # 第一组\n"
        "  - 村: 甲\n    人数: 5   # 去年\n    负责人: 李四\n"
        "  - {村: 丁, 人数: 4}\n"
        "  - 村: 乙\n    人数: 2\n"
        "printed: {}\n"
    )


@pytest.mark.parametrize(
    "value",
    ["黄莲", "true", "null", "123", "1.5", "2024-01-01", "a: b", "#1", "{{ year }}年", "村（社区）",
     " 前后空格 ", "- 列表", "引号\"在内", "[方括号]", "逗号,在内", "~", "多\n行"],
)  # fmt: skip
def test_text_is_written_so_that_it_reads_back_as_the_same_text(value: str) -> None:
    loaded = parse_yaml(f"row: {{key: {yaml_text(value)}}}\n", Path("t.yaml"))
    assert loaded.data == {"row": {"key": value}}


def test_the_sheet_with_the_headings_is_found_and_merged_names_fill_their_rows(
    tmp_path: Path,
) -> None:
    dataset = _copy(REPO / "data/wushui/2024", tmp_path)
    assignments = dataset / "tables" / "assignments.yaml"
    before = assignments.read_text("utf-8")
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active["A1"] = "请各村于月底前报送"
    data = book.create_sheet("人员")
    data.append(["附件2", None, None])
    data.append(["村委", "镇责任领导", "备注"])
    data.append(["刘家", "刘文辉", None])
    data.append(["双塘", None, None])  # 刘文辉 merged down over both villages
    data.merge_cells("B3:B4")
    sheet_file = tmp_path / "人员.xlsx"
    book.save(sheet_file)
    with pytest.raises(DataError) as error:
        import_table(sheet_file, dataset, "assignments", sheet="填表说明")
    assert "找不到表 assignments 的表头" in _errors(error)
    # Only two villages in the sheet: the other rows would be removed, so the
    # ref to quota fails and nothing is written; --dry-run shows the plan anyway.
    with pytest.raises(DataError):
        import_table(sheet_file, dataset, "assignments")
    assert assignments.read_text("utf-8") == before
    book.remove(data)
    data = book.create_sheet("人员")
    rows = validate(load_sources(dataset)).tables["assignments"].rows
    names = ("镇责任领导", "镇责任干部", "村委责任人", "村经办员")
    data.append(["村委", *names])
    for row in rows:
        people = [row[c] for c in names]
        data.append(
            [row["村委"], *("、".join(p) if isinstance(p, tuple) else None for p in people)]
        )
    data["B2"] = "新领导"
    data.merge_cells("B2:B3")  # over 邝家 and 玉屏
    book.save(sheet_file)
    result = import_table(sheet_file, dataset, "assignments")
    assert result.sheet == "人员"
    assert [(c.row, c.cells) for c in result.changed] == [
        ("邝家", ("镇责任领导：胡玉萍、邝富军 → 新领导",)),
        ("玉屏", ("镇责任领导：王宜斌 → 新领导",)),
    ]


@pytest.mark.parametrize(
    ("printed", "after"),
    [
        ("", "printed:\n  total: {人数: 9}\n"),
        (
            "printed:   # 原文\n  total: {人数: 8, 户数: 2}\n",
            "printed:   # 原文\n  total: {人数: 9}\n",
        ),
        (
            "printed:\n  total:\n    户数: 2  # 原文\n",
            "printed:\n  total:\n    人数: 9\n",
        ),
    ],
)
def test_printed_totals_are_set_in_the_style_they_have(printed: str, after: str) -> None:
    start = "columns:\n  - {name: 村}\nrows:\n  - {村: 甲}\n"
    edited = TableText(start + printed)
    edited.set_printed_totals({"人数": 9, "户数": REMOVE})
    assert edited.result() == start + after


def test_too_many_rows_and_an_unknown_sheet(
    dataset_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet_file = export_table(dataset_copy, "quota", tmp_path / "quota.xlsx")
    with pytest.raises(DataError) as error:
        import_table(sheet_file, dataset_copy, "quota", sheet="Sheet9")
    assert "表格中没有工作表“Sheet9”（现有：quota）" in _errors(error)
    monkeypatch.setattr(spreadsheet_read, "MAX_ROWS", 20)
    _refused(sheet_file, dataset_copy, "工作表“quota”过大（超过 20 行")
