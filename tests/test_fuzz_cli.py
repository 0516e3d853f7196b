"""The CLI end to end on mutated copies of every example data set: whatever a
file of a data set holds, gongwen answers in Chinese with exit status 0 or 1,
never a traceback (issue 18).

Bounded: a fixed seed (derandomize) and a modest number of cases, so that it
runs in well under a minute. `check` runs on many mutations; `build` on a few
(most stop at validation, the rest write a whole document).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from tests.conftest import REPO

# Every example data set, by office (one year each).
EXAMPLES = {
    p.parent.parent.name: p.parent for p in sorted((REPO / "data").glob("*/*/document.yaml"))
}
OFFICES = tuple(EXAMPLES)
# A traceback printed as "Exception ignored in …" (an object failing to close
# when collected) is a traceback too.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
CJK = re.compile(r"[\u4e00-\u9fff]")

# What a mutation may put into a file: YAML and Jinja syntax, numbers at
# their limits, text a clerk might paste, and bytes no text holds.
HOSTILE = [
    "{{", "}}", "{%", "%}", "{#", ":", "- ", "[", "]", "{", "}", "&a", "*a", "!!python/object",
    "'", '"', "#", "|", ">", "\t", "\n", "\u3000", "\u200b", "\u2028", "\x00", "\x0b",
    "12345678901234567890123456789012345678", "-1", "0", "1e400", "0.5", "NaN", ".inf",
    "2024-02-30", "2024-13-01", "null", "~", "true", "yes", "廻峰", "（", "）", "、",
    "{{ policy.year }}", "{{ 1/0 }}", "{{ x | nmu }}", "{% for i in range(9) %}", "{% endfor %}",
    "{{ tables.quota.total }}", "{% include 'plan.md.j2' %}", "{{ ''.__class__ }}",
]  # fmt: skip


# A value after a key: `amount: 380`, `{name: 一档, amount: 380}`.
_VALUE = re.compile(rb"(:[ \t]+)([^,{}\[\]#\n]+)")


def _files(office: str) -> list[str]:
    root = EXAMPLES[office]
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@st.composite
def mutated(draw: st.DrawFn, office: str) -> tuple[str, bytes]:
    """A file of the office's data set and the bytes it holds after a mutation."""
    name = draw(st.sampled_from(_files(office)))
    data = (EXAMPLES[office] / name).read_bytes()
    lines = data.split(b"\n")
    index = draw(st.integers(0, len(lines) - 1))
    piece = draw(
        st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4).map("".join)
        | st.text(max_size=20)
    ).encode("utf-8", errors="surrogatepass")
    ways = [
        "value",
        "value",
        "value",
        "replace",
        "insert",
        "delete",
        "duplicate",
        "splice",
        "bytes",
    ]
    how = draw(st.sampled_from(ways))
    values = list(_VALUE.finditer(lines[index]))
    if how == "value" and values:  # a value of a key, as an editor would mistype it
        found = draw(st.sampled_from(values))
        line = lines[index]
        lines[index] = line[: found.start(2)] + piece + line[found.end(2) :]
    elif how == "replace" or how == "value":
        lines[index] = piece
    elif how == "insert":
        lines.insert(index, piece)
    elif how == "delete":
        del lines[index]
    elif how == "duplicate":
        lines.insert(index, lines[index])
    elif how == "splice":  # inside a line, as a typo would be
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        lines[index] = line[:at] + piece + line[at:]
    else:
        at = draw(st.integers(0, len(data)))
        return name, data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return name, b"\n".join(lines)


def _run(office: str, name: str, content: bytes, command: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        dataset = Path(scratch) / office / EXAMPLES[office].name
        shutil.copytree(EXAMPLES[office], dataset)
        (dataset / name).write_bytes(content)
        argv = [command, str(dataset)]
        if command == "build":
            argv += ["--out", str(Path(scratch) / "out")]
        code = main(argv)  # an unexpected exception fails the test: that is a traceback
        assert code in (0, 1), (name, code)
        if command == "build" and code == 1:
            assert not (Path(scratch) / "out").exists(), "a failed build left output"


def _fuzz(office: str, command: str, examples: int, capsys: pytest.CaptureFixture[str]) -> None:
    """command on mutated copies of office's data set: Chinese lines, no traceback."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutated(office))
    def case(change: tuple[str, bytes]) -> None:
        capsys.readouterr()
        _run(office, *change, command)
        err = capsys.readouterr().err
        assert "Traceback" not in err
        for line in err.splitlines():
            assert CJK.search(line), line

    case()


@pytest.mark.parametrize("office", OFFICES)
def test_check_answers_any_mutation_without_a_traceback(
    office: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fuzz(office, "check", 60, capsys)


@pytest.mark.parametrize("office", OFFICES)
def test_build_answers_any_mutation_without_a_traceback(
    office: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fuzz(office, "build", 5, capsys)


EXTREMES = ("12345678901234567890123456789012345678", "-1", "0")
_NUMBER = re.compile(rb"(:[ \t]+)(-?[0-9][0-9.]*)(?=[ \t]*(?:[,}#]|$))", re.MULTILINE)


@pytest.mark.parametrize("office", OFFICES)
def test_every_policy_number_at_its_limits_is_answered(
    office: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each number of policy.yaml in turn set to 38 digits, -1 and 0: the
    mutations above rarely hit one number of one file, so every one is tried."""
    policy = (EXAMPLES[office] / "policy.yaml").read_bytes()
    numbers = list(_NUMBER.finditer(policy))
    assert len(numbers) >= 3
    for found in numbers:
        for extreme in EXTREMES:
            changed = policy[: found.start(2)] + extreme.encode() + policy[found.end(2) :]
            _run(office, "policy.yaml", changed, "check")
            assert "Traceback" not in capsys.readouterr().err
