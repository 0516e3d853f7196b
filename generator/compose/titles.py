"""Breaking a long title into lines at sense boundaries (GB/T 9704 7.3.3).

A title is first cut into phrases at the places a reader pauses (before 关于,
around 《》, before 的通知 …); phrases are then packed into as few lines as
fit, and a phrase too long for a line is broken between words, never inside
one of the compounds below.
"""

from __future__ import annotations

import re

# Cut before these, so they start a line.
_BEFORE = ("关于", "《", "的通知", "的通报", "的意见", "的决定")
# Never break inside these.
_WORDS = (
    "人民政府",
    "办公室",
    "办事处",
    "基本医疗保险",
    "医疗保险",
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


def _phrases(text: str) -> list[str]:
    pattern = "|".join(re.escape(p) for p in _BEFORE)
    cut = re.sub(f"(?=(?:{pattern}))", "\n", text)
    cut = cut.replace("》", "》\n")
    return [p for p in cut.split("\n") if p]


def _word_breaks(phrase: str) -> list[int]:
    """Positions inside phrase where a line may break."""
    protected = set()
    for word in _WORDS:
        for m in re.finditer(re.escape(word), phrase):
            protected.update(range(m.start() + 1, m.end()))
    # Digits and Latin letters stay together too (2024年, APP).
    for m in re.finditer(r"[0-9A-Za-z]+", phrase):
        protected.update(range(m.start() + 1, m.end()))
    return [i for i in range(1, len(phrase)) if i not in protected]


def break_title(text: str, max_chars: int) -> tuple[str, ...]:
    if len(text) <= max_chars:
        return (text,)
    lines: list[str] = []
    current = ""
    for phrase in _phrases(text):
        while phrase:
            if len(current) + len(phrase) <= max_chars:
                current += phrase
                phrase = ""
                continue
            if current:
                lines.append(current)
                current = ""
                continue
            # The phrase alone is too long: break it at the last allowed place.
            fits = [i for i in _word_breaks(phrase) if i <= max_chars]
            at = fits[-1] if fits else max_chars
            lines.append(phrase[:at])
            phrase = phrase[at:]
    if current:
        lines.append(current)
    return tuple(lines)
