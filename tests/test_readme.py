"""The README tells the truth: its examples run as it says they do."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from generator.archive.publish import version_name
from generator.build.pipeline import prepare
from generator.dataset.doubts import placeholders
from generator.dataset.load import load_sources
from generator.dataset.validate import validate
from tests.conftest import REPO, WUSHUI

README = (REPO / "README.md").read_text("utf-8")


def _commands(subcommand: str) -> list[tuple[list[str], str]]:
    """Each `gongwen <subcommand> …` line of the README's shell examples:
    (its arguments, its comment)."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            command, _, comment = line.partition("#")
            words = shlex.split(command)
            if words[:2] == [".venv/bin/gongwen", subcommand]:
                found.append((words[2:], comment.strip()))
    return found


def test_the_strict_example_passes() -> None:
    strict = [args for args, _ in _commands("build") if "--strict" in args]
    assert strict
    for args in strict:
        prepare(REPO / args[0], strict=True)  # raises DataError on any warning


def test_each_publish_example_names_its_folder_and_has_no_placeholder() -> None:
    examples = [
        (args, comment) for args, comment in _commands("publish") if "存入 archive/" in comment
    ]
    assert len(examples) >= 2
    for args, comment in examples:
        dataset = validate(load_sources(REPO / args[0]))
        assert placeholders(dataset) == []
        office, year = Path(args[0]).parts[-2:]
        assert comment.startswith(f"存入 archive/{office}/{year}/{version_name(dataset)}/")


def test_the_wushui_warnings_are_counted_right() -> None:
    said = re.search(r"武水镇的 (\d+) 条", README)
    assert said is not None
    _, _, warnings = prepare(WUSHUI)
    assert len(warnings) == int(said.group(1))


def test_every_example_data_set_is_named() -> None:
    for dataset in sorted((REPO / "data").glob("*/*/document.yaml")):
        assert f"data/{dataset.parent.parent.name}/{dataset.parent.name}" in README
