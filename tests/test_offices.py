"""Every office's data set reproduces its published notice: the repaired seed
text paragraph for paragraph in the DOCX and in order in the PDF, the computed
tables and subsidies, and exactly the warnings the printed figures call for."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.pipeline import BuildResult, build
from generator.compose.formatting import cell
from generator.compute import compute
from generator.dataset.load import load_sources
from generator.dataset.validate import validate
from generator.problems import DataError, Severity
from tests.conftest import REPO, SEEDS, W, docx_paragraphs, docx_xml, pdf_pages_text, squeeze

OFFICES = ("wushui", "wuhe", "lidu")


def _dataset(office: str) -> Path:
    return REPO / "data" / office / "2024"


@pytest.fixture(scope="module")
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], BuildResult]:
    """Each office built once for this module (武水镇 once for the session)."""
    results: dict[str, BuildResult] = {}

    def get(office: str) -> BuildResult:
        if office not in results:
            if office == "wushui":  # tests/conftest.py
                results[office] = request.getfixturevalue("wushui_build")
            else:
                results[office] = build(_dataset(office), tmp_path_factory.mktemp(office))
        return results[office]

    return get


@pytest.fixture(params=OFFICES)
def office_build(
    request: pytest.FixtureRequest, built: Callable[[str], BuildResult]
) -> tuple[str, BuildResult]:
    return request.param, built(request.param)


def _files(result: BuildResult) -> tuple[Path, Path]:
    by_format = {f.format: result.out_dir / f.path for f in result.files}
    return by_format["docx"], by_format["pdf"]


def _seed(office: str) -> list[str]:
    return (SEEDS / f"{office}-2024.txt").read_text("utf-8").splitlines()


def _docx_units(path: Path) -> list[str]:
    """docx_paragraphs, with each table row also read across as one line
    before its cells: a name list prints one member per row (组长：徐立民…),
    the seed one per line."""
    body = docx_xml(path, "word/document.xml").find(f"{W}body")
    assert body is not None
    units = []
    for element in body:
        if element.tag == f"{W}tbl":
            for row in element.iter(f"{W}tr"):
                cells = ["".join(p.itertext(f"{W}t")) for p in row.iter(f"{W}p")]
                units += ["".join(cells), *cells]
        elif element.tag == f"{W}p":
            units.append("".join(element.itertext(f"{W}t")))
    # Nothing is lost or added by reading rows across.
    assert [u for u in units if u] and set(docx_paragraphs(path)) <= set(units)
    return units


def test_docx_has_the_repaired_seed_paragraph_for_paragraph(
    office_build: tuple[str, BuildResult],
) -> None:
    office, result = office_build
    paragraphs = [squeeze(p) for p in _docx_units(_files(result)[0])]
    position = 0
    for line in (squeeze(line) for line in _seed(office)):
        assert line in paragraphs[position:], f"{office}：段落缺失或次序不对：{line[:40]}"
        position = paragraphs.index(line, position) + 1


def test_pdf_has_the_repaired_seed_in_order(office_build: tuple[str, BuildResult]) -> None:
    office, result = office_build
    text = "".join(pdf_pages_text(_files(result)[1]))
    position = 0
    for line in _seed(office):
        found = text.find(squeeze(line), position)
        assert found >= 0, f"{office}：PDF 中缺少：{line[:40]}"
        position = found + len(squeeze(line))


def test_pdf_roster_labels_are_not_wrapped(built: Callable[[str], BuildResult]) -> None:
    text = "".join(pdf_pages_text(_files(built("wuhe"))[1]))
    assert "第一副组长：陈晓宏县政府副县长" in text


STARTS = {
    "wushui": ["临武县武水镇人民政府文件", "武水镇2024年度城乡居民基本医疗保险"],
    "wuhe": [
        "五河县人民政府办公室文件五政办秘〔2023〕50号",
        "五河县2023年（2024年度）城乡居民基本医疗保险参保缴费",
        "附件1五河县城乡居民基本医疗保险征缴工作协调小组人员名单组长：徐立民",
        "附件2五河县2023年各乡镇城乡居民基本医疗保险参保缴费任务分解表乡镇户籍人口数",
    ],
    "lidu": ["重庆市涪陵区人民政府李渡街道办事处关于印发", "李渡街道2024年度城乡居民"],
}


def test_parts_start_on_new_pages(office_build: tuple[str, BuildResult]) -> None:
    office, result = office_build
    pages = pdf_pages_text(_files(result)[1])
    for start in STARTS[office]:
        assert any(page.startswith(start) for page in pages), f"{office}：{start}"


# What each build reports, as (file, message); nothing else may be reported.
WARNINGS = {
    "wushui": [
        # the characters the seed lost, marked □: the same warnings check gives
        *(
            ("assignments.yaml", f"“{name}”中的 □ 是原文缺损的字，请核实后补正")
            for name in ("□强", "谭□", "陈□", "□斌", "□鹏", "骆□仙", "□飞", "龙□")
        ),
        ("quota.yaml", "表 quota，合计行，列“户籍人口数”：印刷值 44832，计算值 44701"),
        ("quota.yaml", "表 quota，合计行，列“基数任务”：印刷值 39772，计算值 39771"),
        ("document.yaml", "通知正文中对方案的称呼与方案标题不一致（引用公文应写全称）"),
        ("document.yaml", "附件1的标题与附件说明中的名称不一致（GB/T 9704 要求一致）"),
        # characters the Fandol faces lack, drawn from the fallback face, named
        # where they were written
        (
            "assignments.yaml",
            "字符“廻”（见“廻峰”）不在字体 FandolFang 中，PDF 改用 Noto Serif CJK SC",
        ),
        (
            "assignments.yaml",
            "字符“喆”（见“、邓喆鑫”）不在字体 FandolFang 中，PDF 改用 Noto Serif CJK SC",
        ),
    ],
    "wuhe": [
        ("targets.yaml", "表 targets，合计行，列“目标任务数”：印刷值 542468，计算值 542469"),
        ("document.yaml", "附件2的标题与附件说明中的名称不一致（GB/T 9704 要求一致）"),
    ],
    "lidu": [
        ("document.yaml", "通知标题中对方案的称呼与方案标题不一致（引用公文应写全称）"),
        ("document.yaml", "正文提到“附表”，但数据集中没有这个附件"),
    ],
}


def test_exactly_the_expected_warnings(office_build: tuple[str, BuildResult]) -> None:
    office, result = office_build
    assert all(w.severity is Severity.WARNING for w in result.warnings)
    assert all(w.line for w in result.warnings if w.file)  # data problems name their line
    found = [(w.file.name if w.file else None, w.message) for w in result.warnings]
    assert found == WARNINGS[office]


# The computed 合计 of each table (None: no 合计 row); figures: computed shows them.
TOTALS = {
    "wushui": {
        "quota": {"户籍人口数": 44701, "基数任务": 39771},
        "assignments": None,
    },
    "wuhe": {"targets": {"户籍人口数": 695520, "{{ year - 1 }}年目标任务数": 542469}},
    "lidu": {},
}


@pytest.mark.parametrize("office", OFFICES)
def test_tables_are_computed(office: str) -> None:
    tables = compute(validate(load_sources(_dataset(office)))).tables
    assert {name: t.total for name, t in tables.items()} == TOTALS[office]
    for table in tables.values():  # figures: computed
        assert table.shown_total == table.total


def test_wuhe_townships_are_repaired() -> None:
    table = compute(validate(load_sources(_dataset("wuhe")))).tables["targets"]
    townships = [row["乡镇"] for row in table.rows]
    assert len(townships) == 14 and "浍南镇" in townships and "澧南镇" not in townships
    assert sum(int(str(row["户籍人口数"])) for row in table.rows) == 695520


def test_wuhe_financing_adds_up() -> None:
    policy = validate(load_sources(_dataset("wuhe"))).policy
    financing = policy.financing
    assert financing is not None
    parts = {p.name: p.amount for p in financing.subsidy_parts}
    assert parts == {"中央": 384, "省": 192, "县": 64}
    assert sum(parts.values()) == financing.subsidy == 640
    assert financing.subsidy + financing.individual == financing.total == 1020
    # 个人缴费 is written twice (financing and tiers) until the model ties them.
    assert financing.individual == policy.tiers[0].amount == 380


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{name: 县, amount: 64}",
            "{name: 县, amount: 65}",
            "各级财政补助之和 641 不等于财政补助 640",
        ),
        ("total: 1020", "total: 1021", "财政补助 640 加个人缴费 380 不等于筹资标准 1021"),
    ],
)
def test_broken_financing_is_a_chinese_error_at_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    dataset = tmp_path / "wuhe" / "2024"
    shutil.copytree(_dataset("wuhe"), dataset)
    policy = dataset / "policy.yaml"
    text = policy.read_text("utf-8")
    assert old in text
    policy.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(DataError) as raised:
        build(dataset, tmp_path / "out")
    [problem] = raised.value.problems
    assert problem.file is not None and problem.file.name == "policy.yaml"
    assert problem.message == message
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("financing:"))
    assert problem.line == line
    assert f"policy.yaml:{line}:" in str(problem) and problem.field == "financing"
    assert not (tmp_path / "out").exists()


def _subsidies(office: str) -> dict[str, dict[str, str]]:
    """资助/个人缴 per rule id and tier, written as the prose writes them."""
    computed = compute(validate(load_sources(_dataset(office)))).subsidies
    return {
        s.rule.id or "、".join(s.rule.groups): {
            t.tier: f"{cell(t.subsidy)}/{cell(t.personal)}" for t in s.tiers
        }
        for s in computed
    }


def test_wuhe_subsidies_compute_to_the_printed_figures() -> None:
    assert _subsidies("wuhe") == {
        "特困": {"一档": "380/0"},
        "低保": {"一档": "320/60"},
        "监测": {"一档": "190/190"},
    }


def test_lidu_per_tier_subsidies_compute_to_the_printed_figures() -> None:
    # 资助 / 个人缴 as printed in 三（三）; 大学生 tiers are 350 and 725.
    assert _subsidies("lidu") == {
        "特困": {"一档": "380/0", "二档": "380/375"},
        "低保": {"一档": "342/38", "二档": "380/375"},
        "返贫": {"一档": "266/114", "二档": "380/375"},
        "孤儿": {"一档": "380/0", "二档": "380/375"},
        "民政": {"一档": "266/114", "二档": "380/375"},
        "困难大学生": {"一档": "245/105", "二档": "350/375"},
        "三属": {"一档": "380/0", "二档": "755/0"},
        "奖扶": {"一档": "304/76", "二档": "304/451"},
        "特扶": {"一档": "380/0", "二档": "380/375"},
    }
