"""The installed gongwen command, run as a user runs it: from another directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
