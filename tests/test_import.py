"""gongwen import: clerk-made notices (tests/clerk_docx.py) and gongwen's own
DOCX read back into data sets that build and say what the source said."""

from __future__ import annotations

import difflib
import re
import shutil
import signal
import subprocess
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from docx.oxml import parse_xml
from docx.shared import RGBColor
from lxml import etree

from generator.build.pipeline import BuildResult, prepare
from generator.build.staging import PREFIX
from generator.cli import main
from generator.importer.docx_import import import_notice
from generator.importer.docx_reader import MAX_FILE_BYTES
from generator.importer.report import REPORT_NAME
from tests.clerk_docx import ClerkWriter, bottom_border, clerk_docx, model_text
from tests.conftest import REPO, W

EXAMPLES = ["wushui/2024", "wuhe/2024", "lidu/2024", "yunxi/2025"]


def docx_text(path: Path) -> str:
    """Every character the DOCX holds, in order, whitespace removed."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return "".join("".join(root.itertext(f"{W}t")).split())


def _comparable(text: str) -> str:
    # The clerk typed some commas and colons half-width; the import prints them full-width.
    return text.replace(",", "，").replace(":", "：")


def similarity(source: str, rebuilt: str) -> float:
    return difflib.SequenceMatcher(None, _comparable(source), rebuilt, autojunk=False).ratio()


def table_numbers(texts: list[str]) -> list[str]:
    return sorted(n for text in texts for n in re.findall(r"\d+(?:\.\d+)?", text))


def printed_tables(document: object) -> list[str]:
    from generator import model

    assert isinstance(document, model.Document)
    return [
        cell.text
        for block in document.blocks()
        if isinstance(block, model.Table) and block.ruled
        for row in (*block.header, *block.body)
        for cell in row
    ]


def structure(document: object) -> list[str]:
    """The kinds of block in order, body text left out (a heading counts as
    its level; a name list as an unruled table)."""
    from generator import model

    assert isinstance(document, model.Document)
    return [
        type(block).__name__
        + (f"{block.level}" if isinstance(block, model.Heading) else "")
        + ("-unruled" if isinstance(block, model.Table) and not block.ruled else "")
        for block in document.blocks()
        if not isinstance(block, model.Paragraph)
    ]


@pytest.fixture(scope="module")
def clerk_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object]]:
    """Each example re-typed by a clerk, with the document it was typed from."""
    folder = tmp_path_factory.mktemp("clerk")
    out: dict[str, tuple[Path, object]] = {}
    for example in EXAMPLES:
        _, document, _ = prepare(REPO / "data" / example)
        path = clerk_docx(document, folder / (example.replace("/", "-") + ".docx"))
        out[example] = (path, document)
    return out


@pytest.mark.parametrize("example", EXAMPLES)
def test_round_trip_of_a_clerk_typed_notice(
    example: str, clerk_files: dict[str, tuple[Path, object]], tmp_path: Path
) -> None:
    source, original = clerk_files[example]
    target = tmp_path / "imported" / "2024"
    import_notice(source, target)
    _, rebuilt, _ = prepare(target)
    assert similarity(docx_text(source), model_text(rebuilt)) >= 0.98
    assert table_numbers(printed_tables(rebuilt)) == table_numbers(printed_tables(original))
    # The parts are where they were: letterhead, titles, signature, 附件说明, 版记…
    assert structure(rebuilt) == structure(original)
    assert (target / REPORT_NAME).read_text("utf-8").startswith("# 导入报告")
    # Values were lifted, not copied: the plan cites policy and the year.
    plan = (target / "plan.md.j2").read_text("utf-8")
    assert "{{ year" in plan and "policy." in plan


def test_ctrl_c_as_the_import_stages_leaves_no_staging_folder(
    clerk_files: dict[str, tuple[Path, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C (a real SIGINT) right after the importer makes its staging
    folder, before it has stored it: the folder goes all the same."""
    from generator.build.staging import new_stage

    def interrupted(parent: Path, into: list[Path]) -> Path:
        stage = new_stage(parent, into)
        signal.raise_signal(signal.SIGINT)
        return stage

    monkeypatch.setattr("generator.importer.writer.new_stage", interrupted)
    source, _ = clerk_files["wuhe/2024"]
    target = tmp_path / "wuhe" / "2024"
    with pytest.raises(KeyboardInterrupt):
        import_notice(source, target)
    assert list(target.parent.iterdir()) == []


def test_lifted_values_and_the_notice_parts(
    clerk_files: dict[str, tuple[Path, object]], tmp_path: Path
) -> None:
    source, _ = clerk_files["wuhe/2024"]
    target = tmp_path / "wuhe" / "2024"
    import_notice(source, target)
    document = yaml.safe_load((target / "document.yaml").read_text("utf-8"))
    policy = yaml.safe_load((target / "policy.yaml").read_text("utf-8"))
    assert document["issuer"] == {
        "name": "五河县人民政府办公室",
        "mark": "五河县人民政府办公室文件",
        "short_name": "五河县",
    }
    assert document["notice"]["number"] == {"prefix": "五政办秘", "year": 2023, "serial": 50}
    assert str(document["notice"]["date"]) == "2023-09-15"
    assert document["notice"]["quote_plan_title"] is False
    assert (
        document["plan"]["title"]
        == "{{ issuer.short_name }}{{ year - 1 }}年（{{ year }}年度）城乡居民基本医疗保险参保缴费工作方案"
    )
    assert policy["year"] == 2024
    assert policy["tiers"] == [{"name": "一档", "amount": 380}]
    assert {
        "title": "关于做好社会保险费退费有关工作的通知",
        "number": "蚌税函〔2019〕115号",
    } in policy["documents"].values()
    assert {"start": date(2023, 9, 1), "end": date(2023, 12, 31)} in policy["periods"].values()
    plan = (target / "plan.md.j2").read_text("utf-8")
    assert "# 参保对象" in plan.splitlines()
    assert "## 征缴方式。" in plan.splitlines()  # run-in heading kept run-in
    # The name list of 附件1, typed without a space between name and title.
    organisation = yaml.safe_load((target / "organisation.yaml").read_text("utf-8"))
    original = yaml.safe_load(
        (REPO / "data" / "wuhe" / "2024" / "organisation.yaml").read_text("utf-8")
    )
    assert organisation["leading_group"]["name"] == original["leading_group"]["name"]
    assert organisation["leading_group"]["members"] == original["leading_group"]["members"]
    assert document["plan"]["attachments"][0]["roster"] is True
    table = yaml.safe_load((target / "tables" / "table2.yaml").read_text("utf-8"))
    assert table["total_label"] == "合计"
    # Typed from the computed document, so the printed total is the sum (542469).
    assert table["printed"]["total"] == {"户籍人口数": 695520, "c3": 542469}
    assert table["columns"][2] == {
        "name": "{{ year - 1 }}年目标任务数",
        "key": "c3",
        "kind": "integer",
        "total": "sum",
    }
    assert "figures" not in document  # every printed figure agrees with the computed one


def test_the_imported_data_set_builds(
    clerk_files: dict[str, tuple[Path, object]], tmp_path: Path
) -> None:
    source, _ = clerk_files["wushui/2024"]
    target = tmp_path / "wushui" / "2024"
    assert main(["import", str(source), str(target)]) == 0
    assert main(["build", str(target), "--out", str(tmp_path / "out")]) == 0
    built = tmp_path / "out" / "wushui-2024.docx"
    assert similarity(docx_text(source), docx_text(built)) >= 0.98


def test_gongwen_own_docx_imports(wushui_build: BuildResult, tmp_path: Path) -> None:
    source = wushui_build.out_dir / next(
        f.path for f in wushui_build.files if f.path.endswith(".docx")
    )
    target = tmp_path / "own" / "2024"
    import_notice(source, target)
    _, rebuilt, _ = prepare(target)
    assert similarity(docx_text(source), model_text(rebuilt)) >= 0.98


def _text_box(paragraph_text: str) -> str:
    return (
        f'<w:p xmlns:w="{W[1:-1]}" xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict>'
        '<v:shape style="width:400pt;height:30pt"><v:textbox><w:txbxContent>'
        f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>{paragraph_text}</w:t></w:r></w:p>'
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )


def _drawn_line() -> str:
    return (
        f'<w:p xmlns:w="{W[1:-1]}" xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict>'
        '<v:line from="0,0" to="440pt,0" strokecolor="red" strokeweight="2pt"/>'
        "</w:pict></w:r></w:p>"
    )


def clerk_notice(path: Path) -> Path:
    """A notice as a clerk lays it out by hand: the letterhead as red text in a
    borderless table, the 文号 in a text box, the red line as a bottom border,
    numbers typed (1、), a manual line break between paragraphs, half-width
    punctuation, and a table with a two-row header, merged cells, an empty
    cell, a 合计 row and derived columns (one row printed wrong)."""
    w = ClerkWriter()
    letterhead = w.doc.add_table(rows=1, cols=1)
    cell = letterhead.cell(0, 0)
    run = cell.paragraphs[0].add_run("青山县医疗保障局文件")
    run.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    rule = w.para("")
    rule._p.addprevious(parse_xml(_text_box("青医保发[2024]7号")))
    bottom_border(rule)
    # A second red line drawn as a shape: no text, nothing to import.
    rule._p.addnext(parse_xml(_drawn_line()))
    w.para("青山县医疗保障局关于做好2025年度\n居民医保参保缴费工作的通知", align="center", size=22)
    w.para("各乡镇人民政府,县直各单位:")
    w.para(
        "    为做好2025年度居民医保参保工作,根据《关于做好2025年居民医保工作的通知》(医保发〔2024〕12号),现通知如下:"
    )
    w.para("    一、缴费标准")
    w.para("    2025年度个人缴费标准为每人400元,集中缴费期为2024年9月1日至12月31日。")
    w.para("    二、工作要求")
    w.runs([("    （一）加强领导。", "楷体_GB2312"), ("各乡镇要高度重视。", "仿宋_GB2312")])
    w.para("    1、按时上报。参保率达到95%以上,于2024年12月31日前报送。\n    2、如实填报。")
    w.para("    （三）此处序号跳过了（二），照原样保留。")
    numbered = w.para("自动编号的一段。")  # Word's numbering: its number is not in the text
    numbered._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr xmlns:w="{W[1:-1]}"><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>')
    )
    w.para("    附件:青山县2025年度参保任务表")
    w.para("青山县医疗保障局    ", align="right")
    w.para("2024年8月20日    ", align="right")
    w.para("附件", font="黑体")
    w.para("青山县2025年度参保任务表", align="center", size=22)
    w.para("单位：人")
    grid = w.doc.add_table(rows=8, cols=5)
    grid.style = w.doc.styles["Table Grid"]
    header = [["乡镇", "人数", "", "应参保", "任务数"], ["", "户籍", "外出", "", ""]]
    body = [
        ["东乡", "1000", "100", "900", "856"],
        ["西乡", "2000", "", "", ""],
        ["南乡", "3001", "1", "3000", "2850"],
        ["北乡", "4000", "200", "3800", "3610"],
        ["中乡", "500", "0", "500", "475"],
    ]
    total = ["合计", "10501", "301", "8200", "7791"]
    for r, row in enumerate([*header, *body, total]):
        for c, text in enumerate(row):
            grid.cell(r, c).text = text
    grid.cell(0, 1).merge(grid.cell(0, 2)).text = "人数"
    for c in (0, 3, 4):
        grid.cell(0, c).merge(grid.cell(1, c)).text = header[0][c]
    # 西乡's 外出 is blank, so are its derived cells; 东乡's 任务数 is printed 856
    # where round(900 × 95%) is 855.
    w.para("注：任务数按应参保人数的95%计算。")
    return w.save(path)


def test_a_clerk_laid_out_notice(tmp_path: Path) -> None:
    target = tmp_path / "qingshan" / "2025"
    report = import_notice(clerk_notice(tmp_path / "青山.docx"), target)
    document = yaml.safe_load((target / "document.yaml").read_text("utf-8"))
    assert document["shape"] == "notice"
    assert document["issuer"]["mark"] == "青山县医疗保障局文件"
    assert document["notice"]["number"] == {"prefix": "青医保发", "year": 2024, "serial": 7}
    assert document["notice"]["addressees"] == "各乡镇人民政府，县直各单位"
    assert document["notice"]["subject"] == "做好{{ year }}年度居民医保参保缴费工作"
    assert document["heading_numbers"] == {3: "{n}、"}
    body = (target / "notice.md.j2").read_text("utf-8").splitlines()
    assert "# 缴费标准" in body
    # The title set apart in 楷体 runs in; numbers typed in the body face number the text.
    assert body[body.index("## 加强领导。") + 1] == "各乡镇要高度重视。"
    assert body[body.index("###") + 1].startswith("按时上报。参保率达到{{ policy.rates.")
    assert "（三）此处序号跳过了（二），照原样保留。" in body  # out of sequence: text
    assert any("（三）此处序号跳过了" in line for line in report.text)
    assert any("自动编号" in line and "自动编号的一段" in line for line in report.review)
    policy = yaml.safe_load((target / "policy.yaml").read_text("utf-8"))
    assert policy["tiers"] == [{"name": "一档", "amount": 400}]
    assert 0.95 in policy["rates"].values()
    table = yaml.safe_load((target / "tables" / "table1.yaml").read_text("utf-8"))
    columns = {c["name"]: c for c in table["columns"]}
    assert columns["户籍"]["header"] == ["人数", "户籍"] and columns["外出"]["header"] == [
        "人数",
        "外出",
    ]
    assert columns["应参保"]["formula"] == "户籍 - 外出"
    assert re.fullmatch(r"round\(应参保 \* rates\.rate_\d+\)", columns["任务数"]["formula"])
    assert table["rows"][0] == {
        "乡镇": "东乡",
        "户籍": 1000,
        "外出": 100,
        "任务数": {"printed": 856},
    }
    assert table["rows"][1] == {"乡镇": "西乡", "户籍": 2000, "外出": None}
    assert document["figures"] == "printed"  # the printed 856 is reproduced
    assert table["unit"] == "单位：人" and table["footnotes"] == [
        "注：任务数按应参保人数的95%计算。"
    ]
    assert table["printed"]["total"] == {"户籍": 10501, "外出": 301, "应参保": 8200, "任务数": 7791}
    assert any("公式列" in line for line in report.recognised)
    _, rebuilt, _ = prepare(target)
    source = docx_text(tmp_path / "青山.docx")
    assert similarity(source.replace("[", "〔").replace("]", "〕"), model_text(rebuilt)) >= 0.98


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (make test installs it)")
def test_a_doc_file_through_libreoffice(tmp_path: Path) -> None:
    docx = clerk_notice(tmp_path / "notice.docx")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path / "doc"),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    target = tmp_path / "from-doc"
    assert main(["import", str(tmp_path / "doc" / "notice.doc"), str(target)]) == 0
    document = yaml.safe_load((target / "document.yaml").read_text("utf-8"))
    assert document["notice"]["number"]["serial"] == 7
    assert (target / "tables" / "table1.yaml").is_file()
    # WPS's own extension goes the same way (LibreOffice reads the content).
    wps = shutil.copyfile(tmp_path / "doc" / "notice.doc", tmp_path / "notice.wps")
    assert main(["import", str(wps), str(tmp_path / "from-wps")]) == 0
    assert (tmp_path / "from-wps" / "document.yaml").read_bytes() == (
        target / "document.yaml"
    ).read_bytes()


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (20 * 1024 * 1024))
    return path


BAD_INPUTS: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "not-a-notice": ("找不到居中的标题", lambda p: _plain_docx(p)),
    "encrypted": (
        "加密",
        lambda p: _written(p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096),
    ),
    "corrupt": ("已损坏", lambda p: _written(p, b"PK\x03\x04 truncated")),
    "huge": ("过大", lambda p: _sparse(p, MAX_FILE_BYTES + 1)),
    "zip-bomb": ("压缩", _zip_bomb),
    "empty": ("不是有效的 DOCX", lambda p: _written(p, b"")),
}


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _plain_docx(path: Path) -> Path:
    writer = ClerkWriter()
    writer.para("购物清单：苹果、香蕉。")
    writer.para("明天记得去银行。")
    return writer.save(path)


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as file:
        file.write(b"PK\x03\x04")
        file.truncate(size)
    return path


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected, make = BAD_INPUTS[case]
    source = make(tmp_path / "input.docx")
    target = tmp_path / "out" / "2024"
    assert main(["import", str(source), str(target)]) == 1
    error = capsys.readouterr().err
    assert expected in error and "未写入任何文件" in error and "Traceback" not in error
    assert not target.exists()
    parent = tmp_path / "out"
    assert not parent.exists() or not any(p.name.startswith(PREFIX) for p in parent.iterdir())


def test_an_existing_data_set_is_not_overwritten(
    clerk_files: dict[str, tuple[Path, object]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "kept"
    target.mkdir()
    (target / "document.yaml").write_text("mine", "utf-8")
    assert main(["import", str(clerk_files["wuhe/2024"][0]), str(target)]) == 1
    assert "已存在" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["document.yaml"]
    assert (target / "document.yaml").read_text("utf-8") == "mine"


def test_the_same_file_imports_to_the_same_bytes(tmp_path: Path) -> None:
    source = clerk_notice(tmp_path / "notice.docx")
    first, second = tmp_path / "a" / "2025", tmp_path / "b" / "2025"
    import_notice(source, first)
    import_notice(source, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes()


def test_a_table_with_its_caption_and_unit_inside_and_set_widths(tmp_path: Path) -> None:
    """Some clerks put the table's title and 单位 in merged rows of the table
    itself, and widen the name column by hand."""
    w = ClerkWriter()
    w.para("青山县2025年度参保工作方案", align="center", size=22)
    w.para("    一、目标")
    w.para("    2025年度全县参保率达到95%。")
    w.para("青山县医疗保障局", align="right")
    w.para("2024年8月20日", align="right")
    w.para("附件", font="黑体")
    w.para("青山县2025年度参保任务表", align="center", size=22)
    grid = w.doc.add_table(rows=6, cols=3)
    grid.style = w.doc.styles["Table Grid"]
    grid.cell(0, 0).merge(grid.cell(0, 2)).text = "青山县2025年度参保任务表"
    grid.cell(1, 0).merge(grid.cell(1, 2)).text = "单位：人"
    for r, row in enumerate(
        [["乡镇", "户籍人口", "任务数"], ["东乡", "1000", "950"], ["西乡", "2000", "1900"]]
    ):
        for c, text in enumerate(row):
            grid.cell(r + 2, c).text = text
    for c, text in enumerate(["合计", "3000", "2850"]):
        grid.cell(5, c).text = text
    for column, twips in zip(grid.columns, (3000, 2000, 2000), strict=True):
        for cell in column.cells:
            cell.width = twips * 635  # EMU
    grid_xml = grid._tbl.find(f"{W}tblGrid")
    assert grid_xml is not None
    for col, twips in zip(grid_xml, (3000, 2000, 2000), strict=True):
        col.set(f"{W}w", str(twips))
    target = tmp_path / "plan" / "2025"
    import_notice(w.save(tmp_path / "plan.docx"), target)
    table = yaml.safe_load((target / "tables" / "table1.yaml").read_text("utf-8"))
    assert table["unit"] == "单位：人"
    assert [c["name"] for c in table["columns"]] == ["乡镇", "户籍人口", "任务数"]
    assert [c.get("width") for c in table["columns"]] == [1.3, 0.9, 0.9]
    assert table["columns"][2]["formula"].startswith("round(户籍人口 * rates.")
    document = yaml.safe_load((target / "document.yaml").read_text("utf-8"))
    assert document["shape"] == "plan" and str(document["plan"]["date"]) == "2024-08-20"
    _, rebuilt, _ = prepare(target)
    assert table_numbers(printed_tables(rebuilt)) == table_numbers(
        ["1000", "950", "2000", "1900", "3000", "2850"]
    )


def test_an_older_clerks_habits(tmp_path: Path) -> None:
    """A title left-aligned but set large, a date in Chinese numerals, and each
    attachment's label and title on one line."""
    w = ClerkWriter()
    w.para("青山县医疗保障局关于印发青山县2025年度参保工作方案的通知", size=22)
    w.para("各乡镇人民政府：")
    w.para("    现将《青山县2025年度参保工作方案》印发给你们，请认真贯彻执行。")
    w.para("青山县医疗保障局", align="right")
    w.para("二〇二四年八月二十日", align="right")
    w.para("青山县2025年度参保工作方案", size=22)
    w.para("    一、目标")
    w.para("    参保率达到95%。")
    w.para("    附件：1.青山县参保工作专班名单")
    w.para("          2.青山县参保联系人")
    w.para("附件1：青山县参保工作专班名单", font="黑体")
    w.para("    组  长：李  明  县医保局局长")
    w.para("    成  员：王小红  县医保局副局长")
    w.para("    张  伟  县税务局副局长")
    w.para("附件2：青山县参保联系人", font="黑体")
    w.para("    各乡镇确定一名联系人。")
    target = tmp_path / "qingshan" / "2025"
    report = import_notice(w.save(tmp_path / "old.docx"), target)
    document = yaml.safe_load((target / "document.yaml").read_text("utf-8"))
    assert str(document["notice"]["date"]) == "2024-08-20"
    assert document["plan"]["title"] == "{{ issuer.short_name }}{{ year }}年度参保工作方案"
    assert document["notice"]["request"] == "请认真贯彻执行"
    attachments = document["plan"]["attachments"]
    assert [a["title"] for a in attachments] == [
        "{{ issuer.short_name }}参保工作专班名单",
        "{{ issuer.short_name }}参保联系人",
    ]
    assert attachments[0]["roster"] is True and attachments[1]["template"] == "attachment2.md.j2"
    organisation = yaml.safe_load((target / "organisation.yaml").read_text("utf-8"))
    assert organisation["leading_group"]["members"] == [
        {"role": "组长", "name": "李明", "title": "县医保局局长"},
        {"role": "成员", "name": "王小红", "title": "县医保局副局长"},
        {"role": "成员", "name": "张伟", "title": "县税务局副局长"},
    ]
    assert not any("三个字" in line for line in report.review)  # spaces told name from title
    prepare(target)


def test_a_notice_issuing_a_plan_in_its_own_words(tmp_path: Path) -> None:
    """A notice issuing a plan whose body is not the set phrase keeps its body
    as the notice's template; the plan and its title are still the plan."""
    w = ClerkWriter()
    w.para("青山县医疗保障局关于印发青山县2025年度参保工作方案的通知", align="center", size=22)
    w.para("各乡镇人民政府：")
    w.para("    《青山县2025年度参保工作方案》已经县政府同意，现印发给你们。")
    w.para("    请各乡镇于2024年9月30日前报送工作安排。")
    w.para("青山县医疗保障局", align="right")
    w.para("2024年8月20日", align="right")
    w.para("青山县2025年度参保工作方案", align="center", size=22)
    w.para("    一、目标")
    w.para("    参保率达到95%。")
    source = w.save(tmp_path / "own-words.docx")
    target = tmp_path / "qingshan" / "2025"
    import_notice(source, target)
    document = yaml.safe_load((target / "document.yaml").read_text("utf-8"))
    assert document["notice"]["template"] == "notice.md.j2"
    assert document["notice"]["request"] == "请各乡镇于2024年9月30日前报送工作安排"
    assert "{{ policy.dates." in (target / "notice.md.j2").read_text("utf-8")
    _, rebuilt, _ = prepare(target)
    assert similarity(docx_text(source), model_text(rebuilt)) >= 0.98
