"""gongwen init: a new office's data set that builds at once."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from generator.build.pipeline import build
from generator.cli import main
from generator.compute import compute
from generator.dataset.load import load_sources
from generator.dataset.schema_export import SCHEMAS, json_schema, schema_for_data_file
from generator.dataset.validate import validate
from generator.dataset.yamlio import load_yaml
from tests.conftest import docx_paragraphs, squeeze


def test_scaffolded_data_set_builds_with_the_office_name(tmp_path: Path) -> None:
    target = tmp_path / "data" / "示例镇" / "2025"
    assert main(["init", str(target), "--name", "示例镇", "--year", "2025"]) == 0
    result = build(target, tmp_path / "out")
    # Only what the clerk must fill in: the invented 文号 and date, the people.
    found = sorted((w.file.name, w.line) for w in result.warnings if w.file and w.line)
    assert len(found) == len(result.warnings) == 6
    for name, line in found:
        assert "待填写" in (target / name).read_text("utf-8").splitlines()[line - 1]
    assert {name for name, _ in found} == {"document.yaml", "organisation.yaml", "policy.yaml"}
    docx = next(result.out_dir / f.path for f in result.files if f.format == "docx")
    text = squeeze("".join(docx_paragraphs(docx)))
    assert (
        "示例镇人民政府关于印发《示例镇2025年度城乡居民基本医疗保险参保缴费工作方案》的通知" in text
    )
    assert "示政发〔2024〕1号" in text
    # 2310 × 0.95 = 2194.5: half up, in Decimal
    rows = compute(validate(load_sources(target))).tables["quota"].rows
    assert [r["目标任务数"] for r in rows] == [1140, 817, 2195]


def test_scaffolded_files_name_and_satisfy_their_schemas(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert main(["init", str(target), "--name", "示例镇", "--year", "2025"]) == 0
    for path in [*target.glob("*.yaml"), *target.glob("tables/*.yaml")]:
        relative = path.relative_to(target).as_posix()
        schema_line = path.read_text("utf-8").splitlines()[0]
        assert schema_line.startswith("# yaml-language-server: $schema=")
        assert (path.parent / schema_line.split("=", 1)[1]).resolve().is_file()
        jsonschema.validate(
            load_yaml(path).data, json_schema(SCHEMAS[schema_for_data_file(relative)])
        )


def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("原有文件", "utf-8")
    assert main(["init", str(tmp_path), "--name", "示例镇", "--year", "2025"]) == 1
    assert "目录已存在且不为空" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_placeholders_are_warned_by_check_and_refused_by_strict_and_publish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "示例镇" / "2025"
    assert main(["init", str(target), "--name", "示例镇", "--year", "2025"]) == 0
    capsys.readouterr()
    assert main(["check", str(target)]) == 0
    err = capsys.readouterr().err
    assert err.count("警告") == 6
    line = _line(target / "organisation.yaml", "role: 组长")
    assert f"organisation.yaml:{line}:" in err and "“待填写”是占位文字" in err
    line = _line(target / "document.yaml", "date:")
    assert f"document.yaml:{line}：仍标着“待填写”" in err
    assert main(["check", "--strict", str(target)]) == 1
    assert "共 6 处错误。" in capsys.readouterr().err
    assert main(["build", "--strict", str(target), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()
    archive = tmp_path / "archive"
    assert main(["publish", str(target), "--archive", str(archive)]) == 1
    assert "数据集中还有 6 处占位文字或缺损的字" in capsys.readouterr().err
    assert not archive.exists()


def _line(path: Path, needle: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)
