"""A comparison for the terminal: Chinese headings, +/-/~ marks, and colour
(changed characters highlighted) only when the output is a terminal."""

from __future__ import annotations

from generator.yearly.diff import Comparison
from generator.yearly.diff.data import Change
from generator.yearly.diff.text import TextChange, segments

RED, GREEN, YELLOW, BOLD, RESET = "\033[31m", "\033[32m", "\033[33m", "\033[1;7m", "\033[0m"


class _Paint:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.colour and text else text


def _data_line(change: Change, paint: _Paint) -> str:
    if change.old is None:
        return paint(f"  + {change.where}：{change.new}", GREEN)
    if change.new is None:
        return paint(f"  - {change.where}：{change.old}", RED)
    return f"  {paint('~', YELLOW)} {change.where}：{paint(change.old, RED)} → {paint(change.new, GREEN)}"


def _text_lines(change: TextChange, paint: _Paint) -> list[str]:
    if change.old is None or change.new is None:
        mark, text, code = (
            ("+", change.new, GREEN) if change.old is None else ("-", change.old, RED)
        )
        return [paint(f"  {mark} {text}", code)]
    runs = segments(change.old, change.new)
    # Without colour the two full paragraphs are shown; with it, the changed runs stand out.
    old = "".join(paint(t, BOLD + RED) if op == "-" else t for op, t in runs if op != "+")
    new = "".join(paint(t, BOLD + GREEN) if op == "+" else t for op, t in runs if op != "-")
    return [paint("  - ", RED) + old, paint("  + ", GREEN) + new]


def summary(comparison: Comparison) -> str:
    if comparison.count:
        return f"共 {comparison.count} 处变化。"
    return "数据没有差别（正文未比较）。" if comparison.text_note else "两个数据集没有差别。"


def render(comparison: Comparison, colour: bool) -> str:
    paint = _Paint(colour)
    out = [f"比较：{comparison.old} → {comparison.new}"]
    for section in comparison.sections:
        out.append(f"【{section.title}】")
        out.extend(_data_line(change, paint) for change in section.changes)
    if comparison.text:
        out.append("【正文】")
        part = None
        for change in comparison.text:
            if change.part != part:
                part = change.part
                out.append(f" 〔{part}〕")
            out.extend(_text_lines(change, paint))
    if comparison.text_note:
        out.append(f"注意：{comparison.text_note}")
    out.append(summary(comparison))
    return "\n".join(out)
