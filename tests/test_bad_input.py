"""Each kind of bad input: a Chinese error naming file, line and field, exit
status 1, and no output written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line
    )


CASES = {
    # name: (file, old, new, expected message, text on the reported line)
    "missing field": (
        "document.yaml",
        "  addressees: 各村（社区）、镇直属各单位",
        "",
        "缺少必填字段",
        "notice:",
    ),
    "wrong type": (
        "policy.yaml",
        "amount: 380}",
        "amount: 三百八十}",
        "应为数字",
        "amount: 三百八十",
    ),
    "lone surrogate escape": (
        "document.yaml",
        "  addressees: 各村（社区）、镇直属各单位",
        '  addressees: "各村\\uD800社区"',
        "含有无法识别的字符",
        "addressees:",
    ),
    "impossible date": (
        "document.yaml",
        "date: 2023-11-24",
        "date: 2023-11-31",
        "2023-11-31",
        "date: 2023-11-31",
    ),
    "unknown village": (
        "tables/assignments.yaml",
        "{村委: 沙溪,",
        "{村委: 沙西,",
        "“沙西”不在表 quota 中",
        "沙西",
    ),
    "duplicate village": (
        "tables/quota.yaml",
        "{村委: 陶家,",
        "{村委: 黄莲,",
        "“黄莲”重复出现",
        "{村委: 黄莲, 户籍人口数: 688",
    ),
    "malformed yaml": ("policy.yaml", "year: 2024", "year: [2024", "YAML 格式错误", None),
    "template reaches for python internals": (
        "plan.md.j2",
        "# 目标任务",
        "# 目标任务{{ issuer.__class__.__mro__ }}",
        "模板试图访问 Python 内部属性“__class__”，已拒绝",
        "{{ issuer.__class__",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_reported_and_nothing_is_written(
    case: str, dataset_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file, old, new, message, line_text = CASES[case]
    _edit(dataset_copy / file, old, new)
    out = tmp_path / "out"

    status = main(["build", str(dataset_copy), "--out", str(out)])

    err = capsys.readouterr().err
    assert status == 1
    assert message in err
    assert f"{file}:" in err or f"{Path(file).name}:" in err
    if line_text is not None:
        line = _line_of(dataset_copy / file, line_text)
        assert re.search(rf"{re.escape(Path(file).name)}:{line}\b", err), err
    assert "未生成任何文件" in err
    assert not out.exists() or not any(out.iterdir())
    assert not list(tmp_path.glob(".gongwen-*"))


def test_every_error_is_reported_at_once(
    dataset_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(dataset_copy / "policy.yaml", "amount: 380}", "amount: -380}")
    _edit(dataset_copy / "document.yaml", "date: 2023-11-24", "date: 2023-02-30")
    _edit(dataset_copy / "tables/quota.yaml", "户籍人口数: 688", "户籍人口数: 六八八")
    assert main(["build", str(dataset_copy), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "不能小于 0" in err and "2023-02-30" in err and "应为整数" in err
    assert "共 3 处错误" in err


def test_strict_turns_the_mismatch_warnings_into_errors(
    dataset_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", str(dataset_copy), "--out", str(tmp_path / "out"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "错误：" in err and "印刷值 44832，计算值 44701" in err
    assert not (tmp_path / "out").exists()


def test_help_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["build", "--help"], ["check", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert "用法：" in out and "选项" in out and "显示本帮助并退出" in out
        assert "usage" not in out and "show this help" not in out
