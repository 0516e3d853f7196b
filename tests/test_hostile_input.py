"""Hostile and malformed input: every file of a data set may be anything, and
gongwen answers with a valid result or a clear Chinese DataError, never
another exception, never unbounded time or memory, and never a file written
outside its output folder."""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.build.pipeline import build, default_out_dir, prepare, style_for, word_template_for
from generator.build.staging import STALE_AFTER
from generator.dataset import yamlio
from generator.dataset.load import load_sources
from generator.dataset.validate import validate
from generator.dataset.yamlio import MAX_DEPTH, parse_yaml
from generator.problems import DataError
from generator.writers import PdfWritten
from tests.conftest import REPO, WUSHUI

CJK = re.compile(r"[\u4e00-\u9fff]")
REPO_TEMPLATES = REPO / "templates"
FILES = ("document.yaml", "policy.yaml", "organisation.yaml", "tables/quota.yaml")


def _assert_chinese(error: DataError) -> None:
    assert error.problems
    for problem in error.problems:
        assert CJK.search(problem.message), problem


class _Dumper(yaml.SafeDumper):
    """Writes Decimals as YAML floats, as a person would type them."""


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    return dumper.represent_scalar("tag:yaml.org,2002:float", text if "." in text else text + ".0")


_Dumper.add_representer(Decimal, _represent_decimal)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def _parse(text: str) -> None:
    try:
        parse_yaml(text, Path("x.yaml"))
    except DataError as error:
        _assert_chinese(error)


# Values as YAML can hold them, odd ones included.
odd_text = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " ", "\u200b", "\ufeff", "𠀀𪚥", "é", "א", "&<>\"'", "{{ x }}", "~"]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.decimals(allow_nan=False, allow_infinity=False, places=4)
    | odd_text
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=20,
)

HOSTILE = [
    "",
    "\ufeff",
    "---\n...\n",
    "a: 1\n---\nb: 2\n",
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ),
    "a: &x [*x]",
    "<<: *nothing",
    "a: !!python/object/apply:os.system ['echo pwned']",
    "a: !!python/name:builtins.eval",
    "a: !custom x",
    "a: !!binary aGVsbG8=",
    "a: !!set {x, y}",
    "a: !!omap [{x: 1}]",
    "? [a, b]\n: c",
    "? {a: b}\n: c",
    "a: 1\na: 2",
    "a: " + "[" * 10_000,
    "a: " + "[" * (MAX_DEPTH - 5) + "]" * (MAX_DEPTH - 5),
    "a: " + "9" * 5000,
    "a: 1" + ":0" * 20_000,
    "a: 1.0e+999999",
    "a: .nan\nb: -.inf",
    "a: " + "长" * 300_000,
    "\t- a",
    "a:\n\t- b",
    "a: 'unterminated",
    "a: \x00",
    "a: \x1b[31m",
    "%YAML 9.9\n--- a",
    "%TAG ! tag:evil.example,2000:\n--- !x a",
    "- - - - - -",
    "{" * 3 + "}" * 3,
    "a: 0x" + "f" * 40,
    "a: 0o777\nb: 0b101\nc: 1_000\nd: 190:20:30",
]


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_yaml_is_refused_quickly_in_chinese(text: str) -> None:
    start = time.monotonic()
    _parse(text)
    assert time.monotonic() - start < 3


def test_an_alias_bomb_is_refused_not_expanded() -> None:
    with pytest.raises(DataError) as error:
        parse_yaml(HOSTILE[4], Path("bomb.yaml"))
    assert "别名" in error.value.problems[0].message
    assert error.value.problems[0].line == 2


def test_python_tags_never_construct_objects() -> None:
    with pytest.raises(DataError) as error:
        parse_yaml("a: !!python/object/apply:os.system ['echo pwned']", Path("x.yaml"))
    assert "YAML 格式错误" in error.value.problems[0].message


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=200))
def test_any_text_parses_or_is_refused_in_chinese(text: str) -> None:
    _parse(text)


@settings(max_examples=80, deadline=None)
@given(values)
def test_any_yaml_value_round_trips(value: Any) -> None:
    text = _dump(value)
    assume(not any(c in text for c in "\x85\u2028\u2029"))  # PyYAML's emitter mangles these
    try:
        loaded = parse_yaml(text, Path("x.yaml"))
    except DataError as error:  # e.g. numbers too long: refused, in Chinese
        _assert_chinese(error)
        return
    assert _plain(loaded.data) == _plain(value)


def _both_parsers(text: str) -> tuple[Any, Any]:
    """What libyaml and PyYAML's own parser make of text (data and
    locations, the data as repr to tell 1 from 1.0 from Decimal("1")), or
    the DataError each raises."""
    results: list[Any] = []
    for fast in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            if not fast:
                patch.setattr(yamlio, "_fast_loader", lambda text: None)
            try:
                loaded = parse_yaml(text, Path("x.yaml"))
                results.append((repr(loaded.data), loaded.locations))
            except DataError as error:
                results.append(error.problems)
    return results[0], results[1]


def test_every_data_file_is_read_by_libyaml_as_by_pyyaml() -> None:
    root = Path(__file__).resolve().parent.parent
    files = [*(root / "data").rglob("*.yaml"), root / "templates" / "style.yaml"]
    assert len(files) > 10
    for path in files:
        text = path.read_text("utf-8")
        assert yamlio._fast_loader(text) is not None, path
        fast, pure = _both_parsers(text)
        assert fast == pure, path


@settings(max_examples=80, deadline=None)
@given(values)
def test_libyaml_and_pyyaml_read_any_value_alike(value: Any) -> None:
    text = _dump(value)
    assume(not any(c in text for c in "\x85\u2028\u2029"))  # PyYAML's emitter mangles these
    fast, pure = _both_parsers(text)
    assert fast == pure


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x", "a: " + "[" * 60 + "]" * 60, "a: [1"])
def test_aliases_deep_nesting_and_errors_are_left_to_pyyaml(text: str) -> None:
    assert yamlio._fast_loader(text) is None


def _plain(value: Any) -> Any:
    """Compare as YAML means it: decimals by value, dates and odd scalars as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return Decimal(value).normalize()
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value).normalize()
    return value


# ------------------------------------------------- whole data sets, one file replaced


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "wushui" / "2024"
    shutil.copytree(WUSHUI, root)
    return root


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


@functools.cache
def _original(name: str) -> Any:
    return yaml.safe_load((WUSHUI / name).read_text("utf-8"))


@st.composite
def replaced_file(draw: st.DrawFn) -> tuple[str, str]:
    """(file, new text): a random value, the real file with one node replaced
    or removed, or a hostile snippet."""
    name = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(["value", "mutate", "mutate", "hostile"]))
    if kind == "value":
        return name, _dump(draw(values))
    if kind == "hostile":
        return name, draw(st.sampled_from(HOSTILE))
    data = copy.deepcopy(_original(name))
    path = draw(st.sampled_from(list(_leaves(data))[1:]))
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()):
        parent[path[-1]] = draw(values)
    else:
        del parent[path[-1]]
    return name, _dump(data)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(replaced_file())
def test_a_data_set_with_any_file_replaced_validates_or_fails_in_chinese(
    scratch: Path, replacement: tuple[str, str]
) -> None:
    name, text = replacement
    original = (WUSHUI / name).read_text("utf-8")
    (scratch / name).write_text(text, "utf-8")
    try:
        validate(load_sources(scratch))
    except DataError as error:
        _assert_chinese(error)
        assert all(p.file is not None for p in error.problems)
    finally:
        (scratch / name).write_text(original, "utf-8")


_TRICKY = "\x00\t\n\x0b\x0c\r\x1f\x7f\x85\xa0\u200b\u2028\u2029\u3000\ufeff\ufffe&<>\"'\\]]>"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.text(st.one_of(st.sampled_from(_TRICKY), st.characters()), max_size=12))
def test_any_text_in_the_data_is_written_or_refused_in_chinese(scratch: Path, text: str) -> None:
    """Whatever characters a text holds (given as YAML escapes), the document
    is composed and its PDF markup and DOCX are written, or it is refused in
    Chinese: never a crash in a writer."""
    from generator.writers.docx import write_docx
    from generator.writers.html import pdf_html
    from generator.writers.weasyprint_internals.document import DocumentHTML

    document_yaml = scratch / "document.yaml"
    original = document_yaml.read_text("utf-8")
    line = "  addressees: 各村（社区）、镇直属各单位"
    assert line in original
    escaped = json.dumps("各村" + text)  # JSON's escapes are YAML's too
    document_yaml.write_text(original.replace(line, f"  addressees: {escaped}", 1), "utf-8")
    try:
        try:
            _, document, _ = prepare(scratch)
        except DataError as error:
            _assert_chinese(error)
            return
        style = style_for(scratch)
        for part in pdf_html(document, style):
            for html in (part.html, part.imprint_own_page):
                if html is not None:
                    DocumentHTML(html, str(scratch))
        write_docx(document, style, word_template_for(scratch), scratch.parent / "out.docx")
    finally:
        document_yaml.write_text(original, "utf-8")


# ------------------------------------------------------------- paths in the data


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("plan", "../../../../etc/passwd", "不在数据集目录中"),
        ("plan", "/etc/passwd", "不在数据集目录中"),
        ("plan", "link.j2", "不在数据集目录中"),
        ("notice", "../../../../etc/passwd", "模板文件不存在"),
        ("notice", "/etc/passwd", "模板文件不存在"),
        ("table", "../../etc/passwd", "格式不对"),
    ],
)
def test_paths_in_the_data_cannot_leave_the_data_set(
    field: str, value: str, message: str, dataset_copy: Path, tmp_path: Path
) -> None:
    (dataset_copy / "link.j2").symlink_to(Path("/etc/passwd"))
    document = dataset_copy / "document.yaml"
    if field == "plan":
        _edit(document, "template: plan.md.j2", f"template: '{value}'")
    elif field == "notice":
        _edit(document, "  request:", f"  template: '{value}'\n  request:")
    else:
        _edit(document, "table: quota", f"table: '{value}'")
    with pytest.raises(DataError) as error:
        prepare(dataset_copy)
    assert any(message in p.message for p in error.value.problems), error.value
    _assert_chinese(error.value)


ODD_NAMES = ["..a", "-rf", "a b", "&<>\"'", "名\n称", "...", "~", "长" * 40]


@pytest.mark.parametrize("name", ODD_NAMES, ids=[f"name{i}" for i in range(len(ODD_NAMES))])
def test_odd_folder_names_cannot_make_a_build_write_elsewhere(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writers are stubbed: this is about where build() puts files.
    def fake_pdf(
        parts: object, out: Path, variant: object = None, keep: object = None
    ) -> PdfWritten:
        out.write_bytes(b"%PDF-")
        return PdfWritten(1, (0,))

    def fake_docx(document: object, style: object, template: Path, out: Path) -> None:
        out.write_bytes(b"PK")

    monkeypatch.setattr("generator.writers.pdf.write_parts", fake_pdf)
    monkeypatch.setattr("generator.writers.docx.write_docx", fake_docx)
    monkeypatch.setattr("generator.build.side._free_core", lambda: False)  # the stub runs here
    monkeypatch.setattr("generator.build.side._side", None)
    dataset = tmp_path / "data" / name / name
    shutil.copytree(WUSHUI, dataset)
    out = tmp_path / "out"
    stale = tmp_path / ".gongwen-abcd1234"  # left by a build killed long ago
    stale.mkdir()
    os.utime(stale, (time.time() - STALE_AFTER - 60,) * 2)
    before = set(tmp_path.rglob("*"))

    result = build(dataset, out)

    created = set(tmp_path.rglob("*")) - before
    assert created == {out, *(out / f.path for f in result.files), out / "manifest.json"}
    assert set(before) - set(tmp_path.rglob("*")) == {stale}  # removed, nothing else
    assert {f.path for f in result.files} == {f"{name}-{name}.docx", f"{name}-{name}.pdf"}
    assert default_out_dir(dataset) == Path("output", name, name)


def test_folder_names_too_long_for_a_file_name_are_refused(tmp_path: Path) -> None:
    name = "长" * 60  # 180 bytes: a folder may have it, "<name>-<name>.docx" may not
    dataset = tmp_path / name / name
    shutil.copytree(WUSHUI, dataset)
    before = set(tmp_path.rglob("*"))
    with pytest.raises(DataError) as error:
        build(dataset, tmp_path / "out")
    assert "目录名过长" in error.value.problems[0].message
    assert set(tmp_path.rglob("*")) - before <= {tmp_path / "out"}


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a: b: c", 1, 5, "值里有冒号时请给整个值加引号"),
        ("a:\n\tb: 1", 2, 1, "制表符"),
        ("a:\n  b: 1\n c: 2", 3, 2, "缩进不对"),
        ("a: [1, 2", 1, 9, "方括号"),
        ('a: "x\ny', 2, 2, "引号没有闭合"),
        ('a: "\\q"', 1, 6, "“\\q”不是有效的转义"),
        ("a: 1\n---\nb: 2", 2, 1, "多余的“---”"),
        ("a: @x", 1, 4, "值不能以“@”开头"),
        ("a: 1\nb: 2\x0b", 2, 5, "特殊字符 U+000B"),
    ],
)
def test_common_yaml_mistakes_are_told_in_chinese_where_they_are(
    text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(DataError) as error:
        parse_yaml(text, Path("x.yaml"))
    problem = error.value.problems[0]
    assert (problem.line, problem.column) == (line, column)
    assert words in problem.message and not re.search("[a-z]{4}", problem.message), problem


# ------------------------------------------------------------- links and odd files (issue 18)


@pytest.mark.parametrize(
    "name", ["policy.yaml", "organisation.yaml", "tables/quota.yaml", "tables", "style.yaml"]
)
def test_no_data_set_file_is_read_through_a_symlink(
    name: str, dataset_copy: Path, tmp_path: Path
) -> None:
    """Every reader of a data set's files refuses links, as publish does: a
    link could print any file of the machine into the document."""
    own = dataset_copy / name
    if name == "style.yaml":
        shutil.copyfile(REPO_TEMPLATES / "style.yaml", own)
    elsewhere = tmp_path / "elsewhere" / name
    elsewhere.parent.mkdir(parents=True, exist_ok=True)
    own.rename(elsewhere)
    own.symlink_to(elsewhere, target_is_directory=elsewhere.is_dir())
    with pytest.raises(DataError) as error:
        prepare(dataset_copy)
    assert any("符号链接" in p.message and p.file == own for p in error.value.problems), error.value


def test_a_symlinked_word_template_is_refused(dataset_copy: Path, tmp_path: Path) -> None:
    (dataset_copy / "gongwen.docx").symlink_to(REPO_TEMPLATES / "docx" / "gongwen.docx")
    with pytest.raises(DataError) as error:
        word_template_for(dataset_copy)
    assert "符号链接" in str(error.value)


def test_a_pipe_in_place_of_a_data_file_is_refused_not_waited_on(dataset_copy: Path) -> None:
    (dataset_copy / "organisation.yaml").unlink()
    os.mkfifo(dataset_copy / "organisation.yaml")
    with pytest.raises(DataError) as error:
        prepare(dataset_copy)
    assert "不是普通文件" in str(error.value)


def test_a_38_digit_amount_is_computed_exactly(dataset_copy: Path) -> None:
    """decimal's default 28 digits made quantize raise InvalidOperation."""
    amount = "12345678901234567890123456789012345678"
    _edit(dataset_copy / "policy.yaml", "amount: 380", f"amount: {amount}")
    dataset, _, _ = prepare(dataset_copy)
    from generator.compute import compute

    shares = [t for s in compute(dataset).subsidies for t in s.tiers if s.rule.rule == "share"]
    assert shares
    for tier in shares:
        assert tier.subsidy == tier.personal == Decimal("6172839450617283945061728394506172839")


def test_a_data_file_not_in_utf8_names_its_line(dataset_copy: Path) -> None:
    policy = dataset_copy / "policy.yaml"
    text = policy.read_text("utf-8")
    policy.write_bytes(text.encode("gbk", errors="replace"))
    with pytest.raises(DataError) as error:
        prepare(dataset_copy)
    (problem,) = error.value.problems
    assert problem.file == policy and problem.line == 2 and "UTF-8" in problem.message
