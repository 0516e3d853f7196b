"""The tables recomputed from the YAML by the test itself, and the printed
figures that disagree with them reported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from generator.compute import compute
from generator.compute.subsidies import subsidy_for
from generator.dataset.load import load_sources
from generator.dataset.schema import SubsidyRule, Tier
from generator.dataset.validate import validate
from generator.problems import Severity
from tests.conftest import WUSHUI


def test_totals_are_the_column_sums() -> None:
    rows = yaml.safe_load((WUSHUI / "tables" / "quota.yaml").read_text("utf-8"))["rows"]
    computed = compute(validate(load_sources(WUSHUI)))
    total = computed.tables["quota"].total
    assert total == {
        "户籍人口数": sum(r["户籍人口数"] for r in rows),
        "基数任务": sum(r["基数任务"] for r in rows),
    }
    assert total == {"户籍人口数": 44701, "基数任务": 39771}
    assert [r["序号"] for r in computed.tables["quota"].rows] == list(range(1, 29))


def test_the_two_printed_mismatches_are_reported() -> None:
    warnings = compute(validate(load_sources(WUSHUI))).warnings
    assert [w.severity for w in warnings] == [Severity.WARNING, Severity.WARNING]
    messages = [w.message for w in warnings]
    assert any("户籍人口数" in m and "印刷值 44832，计算值 44701" in m for m in messages)
    assert any("基数任务" in m and "印刷值 39772，计算值 39771" in m for m in messages)
    assert all(w.file and w.file.name == "quota.yaml" and w.line for w in warnings)


def test_the_data_set_chooses_printed_or_computed_figures(dataset_copy: Path) -> None:
    document = dataset_copy / "document.yaml"
    document.write_text(
        document.read_text("utf-8").replace("figures: computed", "figures: printed"), "utf-8"
    )
    table = compute(validate(load_sources(dataset_copy))).tables["quota"]
    assert table.shown_total == {"户籍人口数": 44832, "基数任务": 39772}
    assert table.total == {"户籍人口数": 44701, "基数任务": 39771}


def test_derived_column_rounds_half_up_in_decimal(dataset_copy: Path) -> None:
    quota = dataset_copy / "tables" / "quota.yaml"
    text = quota.read_text("utf-8").replace(
        "  - {name: 基数任务, kind: integer, total: sum}",
        "  - {name: 基数任务, kind: integer, total: sum}\n"
        "  - {name: 目标, kind: integer, total: sum, formula: 户籍人口数 * rates.coverage_target}",
    )
    quota.write_text(text, "utf-8")
    table = compute(validate(load_sources(dataset_copy))).tables["quota"]
    by_village = {r["村委"]: r for r in table.rows}
    # 1237 × 0.95 = 1175.15 → 1175; 2510 × 0.95 = 2384.5 → 2385 (half up, not half even)
    assert by_village["黄莲"]["目标"] == 1175
    assert by_village["刘家"]["目标"] == 2385
    assert table.total is not None
    assert table.total["目标"] == sum(int(str(r["目标"])) for r in table.rows)


def test_subsidy_and_personal_share_add_up_to_the_tier() -> None:
    tier = Tier(name="一档", amount=Decimal(380))
    half = subsidy_for(SubsidyRule(groups=["低保对象"], rule="share", value=Decimal("0.5")), tier)
    fixed = subsidy_for(SubsidyRule(groups=["监测对象"], rule="fixed", value=Decimal(190)), tier)
    full = subsidy_for(SubsidyRule(groups=["特困人员"], rule="full"), tier)
    assert (half.subsidy, half.personal) == (Decimal(190), Decimal(190))
    assert (fixed.subsidy, fixed.personal) == (Decimal(190), Decimal(190))
    assert (full.subsidy, full.personal) == (Decimal(380), Decimal(0))
