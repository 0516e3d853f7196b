"""Printing problems for a person: one line each, on standard error."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from generator.problems import Problem


def report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
