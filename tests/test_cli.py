"""The installed gongwen command, run as a user runs it: from another directory."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.problems import os_reason
from tests.conftest import WUSHUI

GONGWEN = Path(sys.executable).parent / "gongwen"


def test_installed_command_checks_a_data_set_from_any_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [GONGWEN, "check", str(WUSHUI)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "校验通过" in result.stdout
    # eight names with a lost character (□), two printed totals, the plan named
    # otherwise in the notice, one 附件说明 wording, two characters (廻, 喆) Fandol lacks
    assert result.stderr.count("警告：") == 14


def test_usage_errors_are_chinese_with_exit_status_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [GONGWEN, "build"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "缺少必需的参数" in result.stderr and "用法：" in result.stderr


# ------------------------------------------------------------- messages and exit codes (issue 18)

ENGLISH = ("show program", "No such file", "No filter", "unexpected", "codec", "Errno")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit:  # --help, --version
        code = int(exit.code or 0)
    out, err = capsys.readouterr()
    assert not [word for word in ENGLISH if word in out + err], out + err
    return code, out, err


def test_help_has_no_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == 0 and "--version   显示版本号并退出" in out


def test_a_glyph_warning_names_the_file_and_line_it_was_written_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, "check", str(WUSHUI))
    assert code == 0
    glyphs = [line for line in err.splitlines() if "不在字体" in line]
    assert glyphs and all(f"{WUSHUI / 'tables' / 'assignments.yaml'}:" in g for g in glyphs), err


def test_fonts_of_a_missing_folder_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "fonts", str(tmp_path / "没有"))
    assert code == 1 and "不存在" in err


def test_a_data_set_file_given_for_its_folder_is_told_which_folder(
    capsys: pytest.CaptureFixture[str], dataset_copy: Path
) -> None:
    code, _, err = _run(capsys, "build", str(dataset_copy / "document.yaml"))
    assert code == 1
    assert f"这是一个文件，不是数据集目录；请给出它所在的目录：{dataset_copy}" in err


def test_only_commands_that_write_documents_say_none_were_written(
    capsys: pytest.CaptureFixture[str], dataset_copy: Path, tmp_path: Path
) -> None:
    policy = dataset_copy / "policy.yaml"
    policy.write_text(policy.read_text("utf-8").replace("year: 2024", "year: 两千"), "utf-8")
    for argv in (["check", str(dataset_copy)], ["diff", str(WUSHUI), str(tmp_path / "没有")]):
        code, _, err = _run(capsys, *argv)
        assert code == 1 and "共 " in err and "未生成任何文件" not in err, (argv, err)
    code, _, err = _run(capsys, "new-year", str(dataset_copy))
    assert code == 1 and "未生成任何文件" not in err
    code, _, err = _run(capsys, "build", str(dataset_copy), "--out", str(tmp_path / "out"))
    assert code == 1 and "未生成任何文件" in err


def test_a_system_error_is_told_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "lint", str(tmp_path / "没有.pdf"))
    assert code != 0 and "文件或目录不存在" in err
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"
    assert os_reason(OSError(errno.ECONNRESET, "Connection reset")) == "系统错误 ECONNRESET"


def test_a_long_value_is_quoted_shortened(
    capsys: pytest.CaptureFixture[str], dataset_copy: Path
) -> None:
    """An error about a value 1.6 million characters long printed it whole (4.8 MB)."""
    quota = dataset_copy / "tables" / "quota.yaml"
    long = "a" * 1_600_000  # ASCII: two of them stay below the 5 MB a file may have
    text = (
        quota.read_text("utf-8")
        .replace("村委: 黄莲", f"村委: {long}")
        .replace("村委: 陶家", f"村委: {long}")
    )
    quota.write_text(text, "utf-8")
    code, _, err = _run(capsys, "check", str(dataset_copy))
    assert code == 1 and "共 1600000 个字符" in err and len(err) < 5000, err[:3000]
