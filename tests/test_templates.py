"""Templates compiled once per process, and again when they change."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.compose.document import render, template_environment


def test_a_template_changed_while_the_process_runs_is_compiled_again(tmp_path: Path) -> None:
    template = tmp_path / "t.md.j2"
    template.write_text("第一稿{{ x }}", "utf-8")
    assert render(template_environment(tmp_path), "t.md.j2", {"x": 1}) == "第一稿1"
    template.write_text("第二稿{{ x }}", "utf-8")
    assert render(template_environment(tmp_path), "t.md.j2", {"x": 1}) == "第二稿1"


def test_an_unchanged_template_is_not_compiled_for_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.md.j2").write_text("通知{{ x }}", "utf-8")
    assert render(template_environment(tmp_path), "t.md.j2", {"x": 1}) == "通知1"

    def compile_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(ImmutableSandboxedEnvironment, "compile", compile_again)
    assert render(template_environment(tmp_path), "t.md.j2", {"x": 2}) == "通知2"
