"""Tables in general: a two-row header with merged cells, a column merged
down, a unit line, footnotes and a 备注 column, through a whole build."""

from __future__ import annotations

from pathlib import Path

from generator.build.pipeline import build
from generator.compose.tables import header_rows
from generator.dataset.schema import Column
from generator.model import Cell
from tests.conftest import W, docx_xml, pdf_pages_text

SUBSIDY_TABLE = """\
columns:
  - {name: 类别, merge_down: true}
  - {name: 人员}
  - {name: 一档资助, header: [一档, 资助], kind: integer}
  - {name: 一档自付, header: [一档, 自付], kind: integer, formula: 380 - 一档资助}
  - {name: 二档资助, header: [二档, 资助], kind: integer}
  - {name: 二档自付, header: [二档, 自付], kind: integer, formula: 755 - 二档资助}
  - {name: 备注}
unit: 单位：元/人
footnotes: [注：资助与自付之和为该档缴费标准。]
rows:
  - {类别: 低收入人口, 人员: 特困人员, 一档资助: 380, 二档资助: 380, 备注: 全额资助一档}
  - {类别: 低收入人口, 人员: 低保对象, 一档资助: 342, 二档资助: 380}
  - {类别: 其他救助对象, 人员: 重度残疾人, 一档资助: 266, 二档资助: 380}
"""


def test_grouped_headers_merge_across_and_single_headers_span_down() -> None:
    columns = [
        Column(name="类别"),
        Column(name="a", header=["一档", "资助"]),
        Column(name="b", header=["一档", "自付"]),
        Column(name="c", header=["二档", "资助"]),
    ]
    assert header_rows(columns) == (
        (Cell("类别", rowspan=2), Cell("一档", colspan=2), Cell("二档", colspan=1)),
        (Cell("资助"), Cell("自付"), Cell("资助")),
    )


def test_a_subsidy_table_builds_with_merged_cells_in_both_files(
    dataset_copy: Path, tmp_path: Path
) -> None:
    (dataset_copy / "tables" / "subsidy.yaml").write_text(SUBSIDY_TABLE, "utf-8")
    document = dataset_copy / "document.yaml"
    document.write_text(
        document.read_text("utf-8").replace(
            "      table: assignments\n",
            "      table: assignments\n    - title: 困难群众参保资助标准表\n      table: subsidy\n",
        ),
        "utf-8",
    )
    result = build(dataset_copy, tmp_path / "out")
    files = {f.format: result.out_dir / f.path for f in result.files}

    body = docx_xml(files["docx"], "word/document.xml").find(f"{W}body")
    assert body is not None
    table = body.findall(f"{W}tbl")[-1]
    rows = table.findall(f"{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert rows[1].find(f"{W}trPr/{W}tblHeader") is not None  # both header rows repeat
    spans = [int(s.get(f"{W}val")) for s in rows[0].iter(f"{W}gridSpan")]
    assert spans == [2, 2]  # 一档 and 二档 over 资助 and 自付
    restarts = [m.get(f"{W}val") for m in table.iter(f"{W}vMerge")]
    assert "restart" in restarts  # 类别 spans down the header, 低收入人口 down two rows
    cells = ["".join(tc.itertext(f"{W}t")) for tc in rows[2].findall(f"{W}tc")]
    assert cells == ["低收入人口", "特困人员", "380", "0", "380", "375", "全额资助一档"]
    third = ["".join(tc.itertext(f"{W}t")) for tc in rows[3].findall(f"{W}tc")]
    assert third[1:6] == ["低保对象", "342", "38", "380", "375"]

    last_page = pdf_pages_text(files["pdf"])[-1]
    assert last_page.startswith("附件3困难群众参保资助标准表单位：元/人")
    assert "类别人员一档二档备注资助自付资助自付" in last_page
    assert "低收入人口特困人员3800380375全额资助一档" in last_page
    assert last_page.endswith("注：资助与自付之和为该档缴费标准。")
