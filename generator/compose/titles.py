"""Breaking a long title into lines at sense boundaries (GB/T 9704 7.3.3).

Every place a line may break gets a cost: nothing at a phrase boundary
(before 关于, around 《》, before 的通知 …), more between two words, and no
break at all inside the compounds below, inside a number or Latin word, or
where a line would start with closing punctuation or end with an opening
one (避头尾). A small dynamic program then picks the fewest lines, breaking
at the cheapest places, with lines as even as possible.
"""

from __future__ import annotations

import re

from generator.style.layout import text_width

_PHRASE_STARTS = ("关于", "《", "的通知", "的通报", "的意见", "的决定", "的批复")
_WORDS = (
    "人民政府",
    "办公室",
    "办事处",
    "基本医疗保险",
    "医疗保险",
    "合作医疗",
    "城乡居民",
    "居民医保",
    "参保缴费",
    "工作方案",
    "实施方案",
    "征收工作",
    "征缴工作",
    "人员名单",
    "任务分解表",
    "协调小组",
    "领导小组",
)
_NO_LINE_START = set("》）」』，。、；：？！”’")
_NO_LINE_END = set("《（「『“‘")
_BEFORE_GUANYU, _PHRASE, _WORD = -60.0, 0.0, 60.0
_LINE = 100.0


def _break_costs(text: str, keep: tuple[str, ...]) -> dict[int, float]:
    """Cost of breaking before text[i], for every i where a break is allowed."""
    protected: set[int] = set()
    for word in (*_WORDS, *keep, *re.findall(r"[0-9A-Za-z]+", text)):
        for m in re.finditer(re.escape(word), text):
            protected.update(range(m.start() + 1, m.end()))
    phrase = {m.start() for p in _PHRASE_STARTS for m in re.finditer(re.escape(p), text)}
    phrase |= {m.end() for m in re.finditer("》", text)}
    costs = {}
    for i in range(1, len(text)):
        if i in protected or text[i] in _NO_LINE_START or text[i - 1] in _NO_LINE_END:
            continue
        if text.startswith("关于", i):
            costs[i] = _BEFORE_GUANYU  # the issuer on a line of its own reads best
        else:
            costs[i] = _PHRASE if i in phrase else _WORD
    return costs


def break_title(text: str, max_chars: float, keep: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The lines of a title; the words in keep (names from the data) stay whole."""
    if text_width(text) <= max_chars:
        return (text,)
    costs = _break_costs(text, keep)
    starts = [0, *sorted(costs)]
    ends = [*sorted(costs), len(text)]
    # best[j]: (cost, previous break) of the best way to set text[:j]
    best: dict[int, tuple[float, int]] = {0: (0.0, -1)}
    for j in ends:
        options = []
        for i in starts:
            if i >= j or i not in best:
                continue
            width = text_width(text[i:j])
            if width > max_chars:
                continue
            slack = max_chars - width
            options.append((best[i][0] + costs.get(i, 0.0) + _LINE + slack * slack, i))
        if options:
            best[j] = min(options)
    if len(text) not in best:  # nothing fits: break by width alone
        return _by_width(text, max_chars)
    lines, j = [], len(text)
    while j > 0:
        i = best[j][1]
        lines.append(text[i:j])
        j = i
    return tuple(reversed(lines))


def _by_width(text: str, max_chars: float) -> tuple[str, ...]:
    lines, current = [], ""
    for char in text:
        if text_width(current + char) > max_chars:
            lines.append(current)
            current = ""
        current += char
    return (*lines, current)
