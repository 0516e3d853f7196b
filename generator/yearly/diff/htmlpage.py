"""A comparison as a standalone HTML page: removals in <del>, additions in <ins>.

Every piece of data is escaped: names and table cells are whatever editors typed.
"""

from __future__ import annotations

from html import escape

from generator.yearly.diff import Comparison
from generator.yearly.diff.data import Change
from generator.yearly.diff.terminal import summary
from generator.yearly.diff.text import TextChange, segments

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; margin: 2em auto;
       max-width: 60em; line-height: 1.7; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; color: #555; }
del { background: #fdd; color: #900; }
ins { background: #dfd; color: #060; text-decoration: none; }
li, p { margin: 0.3em 0; }
.note { color: #a60; }
"""


def _change(change: Change) -> str:
    where = escape(change.where)
    if change.old is None:
        return f'<li class="added">{where}：<ins>{escape(change.new or "")}</ins></li>'
    if change.new is None:
        return f'<li class="removed">{where}：<del>{escape(change.old)}</del></li>'
    return (
        f'<li class="changed">{where}：<del>{escape(change.old)}</del>'
        f" → <ins>{escape(change.new)}</ins></li>"
    )


def _paragraph(change: TextChange) -> str:
    if change.old is None:
        return f'<p class="added"><ins>{escape(change.new or "")}</ins></p>'
    if change.new is None:
        return f'<p class="removed"><del>{escape(change.old)}</del></p>'
    tags = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
    runs = "".join(tags[op].format(escape(text)) for op, text in segments(change.old, change.new))
    return f'<p class="changed">{runs}</p>'


def render(comparison: Comparison) -> str:
    title = f"数据集比较：{comparison.old} → {comparison.new}"
    body = [f"<h1>{escape(title)}</h1>", f"<p>{escape(summary(comparison))}</p>"]
    for section in comparison.sections:
        body.append(f"<section><h2>{escape(section.title)}</h2><ul>")
        body.extend(_change(change) for change in section.changes)
        body.append("</ul></section>")
    if comparison.text or comparison.text_note:
        body.append("<section><h2>正文</h2>")
        if comparison.text_note:
            body.append(f'<p class="note">{escape(comparison.text_note)}</p>')
        part = None
        for change in comparison.text:
            if change.part != part:
                part = change.part
                body.append(f"<h3>{escape(part)}</h3>")
            body.append(_paragraph(change))
        body.append("</section>")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
