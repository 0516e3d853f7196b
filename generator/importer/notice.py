"""The parts of a notice recognised in a clerk's paragraphs: letterhead,
发文字号, title, 主送, body, 署名 and 成文日期, 附注, the plan, 附件说明, each
attachment (label, title, content) and the 版记.

Recognition goes by what the text says and how it looks (red, centred,
right-aligned), never by styles, which clerks do not use.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from generator.importer.docx_reader import Block, Grid, ImportFailure, Para
from generator.importer.roster import Roster, roster_from_grid

NUMBER = re.compile(r"^(?P<prefix>\S+?)[〔\[［(（](?P<year>\d{4})[〕\]］)）](?P<serial>\d+)号$")
DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
IMPRINT = re.compile(r"^(?P<printer>.+?)\s*(?P<date>\d{4}年\d{1,2}月\d{1,2}日)印发$")
ATTACHMENT_LABEL = re.compile(r"^附\s*件\s*(\d*)$")
# 附件1：名单 on one line, the title after the label
LABEL_AND_TITLE = re.compile(r"^附件(\d*)[：:\s]\s*(?P<title>[^：:].{3,})$")
ATTACHMENT_LIST = re.compile(r"^附件(?:：|(\d+)：)")
LIST_ITEM = re.compile(r"^(\d+)[.．、]\s*(.+)$")
NOTE = re.compile(r"^[（(](此件.+?)[)）]$")

_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"


def normalise(text: str) -> str:
    """A clerk's line as printed: spaces of indents and alignment removed,
    half-width punctuation next to Chinese made full-width."""
    text = text.replace("\u00a0", " ").replace("\u3000", " ").strip()
    # Runs of spaces spread characters (组  长) or push text right; a single
    # space between names (国家医保局 财政部) is the clerk's text and stays.
    text = re.sub(r"(?<=" + _CJK + r") {2,}| {2,}(?=" + _CJK + r")", "", text)
    text = re.sub(r"(?<=[\u3001-\u303f\uff00-\uffef]) | (?=[\u3001-\u303f\uff00-\uffef])", "", text)
    for half, full in _HALF_TO_FULL.items():
        text = re.sub(
            r"(?<=" + _CJK + r")" + re.escape(half) + r"|" + re.escape(half) + r"(?=" + _CJK + r")",
            full,
            text,
        )
    return text


_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
}
CN_DATE = re.compile(
    r"^([〇零○ＯO一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)


def _cn_number(text: str) -> int:
    """一 … 三十一: 十 counts ten, a digit before it tens, after it units."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, units = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (
        _CN_DIGITS.get(units, 0) if units else 0
    )


def parse_date(text: str) -> dt.date | None:
    """2023年9月15日, or as older notices write it, 二〇二三年九月十五日."""
    match = DATE.match(text)
    if match is None and (cn := CN_DATE.match(text)) is not None:
        year = int("".join(str(_CN_DIGITS[c]) for c in cn[1]))
        try:
            return dt.date(year, _cn_number(cn[2]), _cn_number(cn[3]))
        except ValueError:
            return None
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@dataclass
class Line:
    text: str  # normalised
    para: Para
    raw: str = ""  # as typed, spaces kept (a name list's padding)


@dataclass
class Attachment:
    label: str
    title: str = ""
    grid: Grid | None = None
    unit: str | None = None
    footnotes: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)  # the paragraphs as typed
    roster: Roster | None = None


@dataclass
class Notice:
    mark: str | None = None
    number: tuple[str, int, int] | None = None
    title: str = ""
    addressees: str | None = None
    body: list[str] = field(default_factory=list)
    issuer: str | None = None
    date: dt.date | None = None
    note: str | None = None
    plan_title: str | None = None
    plan_body: list[str] = field(default_factory=list)
    attachment_list: list[str] = field(default_factory=list)
    attachment_list_form: str = "附件：1."
    attachments: list[Attachment] = field(default_factory=list)
    imprint: tuple[str | None, str, dt.date] | None = None
    shape: str = "notice_with_plan"
    unplaced: list[str] = field(default_factory=list)
    looks: dict[str, Para] = field(default_factory=dict)  # each line's paragraph, by its text


Item = Line | Grid


def _items(blocks: list[Block]) -> list[Item]:
    """Paragraphs split at manual line breaks except centred ones (a title's
    lines), empty ones dropped; a borderless table before any text (a
    letterhead laid out in a table) read as its cells' lines."""
    items: list[Item] = []
    for block in blocks:
        if isinstance(block, Grid) and _is_imprint(block):
            for row in block.rows:
                text = normalise(" ".join(cell.text for cell in row if cell.text.strip()))
                if text:
                    items.append(Line(text, Para(text)))
            continue
        if isinstance(block, Grid):
            if not items or (not block.borders and len(block.rows) <= 3):
                for row in block.rows:
                    for cell in row:
                        for text in cell.text.split("\n"):
                            if text.strip():
                                items.append(
                                    Line(normalise(text), Para(text, red=cell.red, align="center"))
                                )
                continue
            items.append(block)
            continue
        pieces = (
            [block.text.replace("\n", "")] if block.align == "center" else block.text.split("\n")
        )
        for piece in pieces:
            text = normalise(piece)
            if text:
                items.append(Line(text, block, piece))
    return items


def _is_title(para: Para) -> bool:
    """A title's line: centred, or (centred by eye with spaces) set in 18 pt or more."""
    return para.align == "center" or (para.size is not None and para.size >= 18 and not para.red)


def _is_imprint(grid: Grid) -> bool:
    """The 版记 laid out as a table (抄送 in one row, 印发机关 and date in the next)."""
    rows = [normalise(" ".join(cell.text for cell in row)) for row in grid.rows]
    return len(rows) <= 3 and any(IMPRINT.match(row) for row in rows)


def _is_signature(items: list[Item], i: int) -> bool:
    """A line on its own at the right (or pushed there with spaces) followed
    by a date: the 署名 and 成文日期."""
    if i + 1 >= len(items):
        return False
    name, when = items[i], items[i + 1]
    if not isinstance(name, Line) or not isinstance(when, Line):
        return False
    right = name.para.align == "right" or name.para.indent_chars >= 8
    return (
        parse_date(when.text) is not None
        and (right or len(name.text) <= 30)
        and not name.text.endswith("。")
    )


def recognise(blocks: list[Block], source: str) -> Notice:
    items = _items(blocks)
    if not any(isinstance(item, Line) for item in items):
        raise ImportFailure(f"{source}：文件中没有文字，不是一份通知")
    notice = Notice()
    notice.looks = {item.text: item.para for item in items if isinstance(item, Line)}
    items = _take_imprint(notice, items)
    i = 0
    mark: list[str] = []
    while i < len(items):
        item = items[i]
        if not isinstance(item, Line):
            break
        if item.para.red and NUMBER.match(item.text) is None:
            mark.append(item.text)
            i += 1
            continue
        break
    notice.mark = "".join(mark) or None
    if i < len(items) and isinstance(items[i], Line):
        match = NUMBER.match(items[i].text)  # type: ignore[union-attr]
        if match:
            notice.number = (match["prefix"], int(match["year"]), int(match["serial"]))
            i += 1
    title: list[str] = []
    while i < len(items) and isinstance(items[i], Line) and _is_title(items[i].para):  # type: ignore[union-attr]
        title.append(items[i].text)  # type: ignore[union-attr]
        i += 1
    if not title:
        raise ImportFailure(f"{source}：找不到居中的标题，不像一份通知（标题应居中排列）")
    notice.title = "".join(title)
    rest = items[i:]
    addressee = rest[0] if rest else None
    if isinstance(addressee, Line) and addressee.text.endswith("：") and len(addressee.text) < 120:
        notice.addressees = addressee.text.removesuffix("：")
        rest = rest[1:]
    signature = next((k for k in range(len(rest)) if _is_signature(rest, k)), None)
    if notice.addressees is None:
        notice.shape = "plan"
        notice.plan_title = notice.title
        _plan_and_attachments(notice, rest, source)
        return notice
    if signature is None:
        raise ImportFailure(
            f"{source}：找不到署名和成文日期（如“2023年9月15日”单独一行），不像一份通知"
        )
    body = [item for item in rest[:signature]]
    notice.issuer = rest[signature].text  # type: ignore[union-attr]
    notice.date = parse_date(rest[signature + 1].text)  # type: ignore[union-attr]
    after = rest[signature + 2 :]
    if after and isinstance(after[0], Line) and NOTE.match(after[0].text):
        notice.note = NOTE.match(after[0].text)[1]  # type: ignore[index]
        after = after[1:]
    plan_title: list[str] = []
    while after and isinstance(after[0], Line) and _is_title(after[0].para):
        plan_title.append(after[0].text)
        after = after[1:]
    if plan_title and "印发" in notice.title:
        notice.plan_title = "".join(plan_title)
        notice.body = [item.text for item in body if isinstance(item, Line)]
        _plan_and_attachments(notice, after, source)
    else:
        notice.shape = "notice"
        if plan_title:
            after = [*(Line(t, Para(t, align="center")) for t in plan_title), *after]
        end = _attachment_list(notice, body)
        notice.body = [item.text for item in body[:end] if isinstance(item, Line)]
        _attachments(notice, after)
    return notice


def _take_imprint(notice: Notice, items: list[Item]) -> list[Item]:
    """The 版记 at the end (抄送 line, then 印发机关 and 印发日期), taken out."""
    end = len(items)
    last = items[end - 1] if end else None
    if not isinstance(last, Line) or (m := IMPRINT.match(last.text)) is None:
        return items
    when = parse_date(m["date"])
    if when is None:
        return items
    end -= 1
    copy_to = None
    before = items[end - 1] if end else None
    if isinstance(before, Line) and re.match(r"^抄送[:：]", before.text):
        copy_to = re.sub(r"^抄送[:：]", "", before.text).removesuffix("。")
        end -= 1
    notice.imprint = (copy_to, m["printer"], when)
    return items[:end]


def _attachment_list(notice: Notice, items: list[Item]) -> int:
    """Find the 附件说明 in items; return where it starts (len(items) if none)."""
    for k, item in enumerate(items):
        if not isinstance(item, Line):
            continue
        match = ATTACHMENT_LIST.match(item.text)
        if match is None:
            continue
        entries: list[str] = []
        if match[1]:
            notice.attachment_list_form = "附件1："
            for later in items[k:]:
                if isinstance(later, Line) and (m := re.match(r"^附件\d+：(.+)$", later.text)):
                    entries.append(m[1])
                else:
                    break
        else:
            first = item.text.removeprefix("附件：")
            m = LIST_ITEM.match(first)
            if m is None:
                entries.append(first)
            else:
                if "．" in first[: len(m[1]) + 1]:
                    notice.attachment_list_form = "附件：1．"
                entries.append(m[2])
                for later in items[k + 1 :]:
                    if isinstance(later, Line) and (m2 := LIST_ITEM.match(later.text)):
                        entries.append(m2[2])
                    else:
                        break
        notice.attachment_list = entries
        return k
    return len(items)


def _attachments_start(items: list[Item]) -> int:
    """Where the attachment pages begin: a 附件1 label on its own line, or
    附件1：标题 on one line once the 附件说明 has been given (the form 附件1：
    lists each attachment so, and its page repeats the line)."""
    listed = False
    seen: set[str] = set()
    for k, item in enumerate(items):
        if not isinstance(item, Line):
            continue
        if ATTACHMENT_LABEL.match(item.text):
            return k
        match = LABEL_AND_TITLE.match(item.text)
        if match is not None and match[1]:
            if listed or item.text in seen:
                return k
            seen.add(item.text)
        elif item.text.startswith("附件："):
            listed = True
    return len(items)


def _plan_and_attachments(notice: Notice, items: list[Item], source: str) -> None:
    label = _attachments_start(items)
    plan = items[:label]
    if notice.shape == "plan":
        signature = next((k for k in range(len(plan)) if _is_signature(plan, k)), None)
        if signature is not None:
            notice.issuer = plan[signature].text  # type: ignore[union-attr]
            notice.date = parse_date(plan[signature + 1].text)  # type: ignore[union-attr]
            plan = plan[:signature] + plan[signature + 2 :]
    end = _attachment_list(notice, plan)
    notice.plan_body = [it.text for it in plan[:end] if isinstance(it, Line)]
    skipped = len(notice.attachment_list)
    notice.unplaced += [it.text for it in plan[end + max(skipped, 1) :] if isinstance(it, Line)]
    if not notice.plan_body:
        raise ImportFailure(f"{source}：方案没有正文，不像一份通知")
    _attachments(notice, items[label:])


def _attachments(notice: Notice, items: list[Item]) -> None:
    current: Attachment | None = None
    k = 0
    while k < len(items):
        item = items[k]
        k += 1
        if isinstance(item, Line) and (m := IMPRINT.match(item.text)):
            when = parse_date(m["date"])
            copy_to = None
            if current and current.paragraphs and current.paragraphs[-1].startswith("抄送："):
                copy_to = current.paragraphs.pop().removeprefix("抄送：").removesuffix("。")
            if when:
                notice.imprint = (copy_to, m["printer"], when)
            continue
        if isinstance(item, Line) and ATTACHMENT_LABEL.match(item.text):
            current = Attachment(label=item.text.replace(" ", ""))
            notice.attachments.append(current)
            title: list[str] = []
            while k < len(items) and isinstance(items[k], Line) and _is_title(items[k].para):  # type: ignore[union-attr]
                title.append(items[k].text)  # type: ignore[union-attr]
                k += 1
            current.title = "".join(title)
            continue
        if (
            isinstance(item, Line)
            and (m := LABEL_AND_TITLE.match(item.text))
            and (current is not None or notice.attachment_list)
        ):
            current = Attachment(label=f"附件{m[1]}", title=m["title"])
            notice.attachments.append(current)
            continue
        if current is None:
            if isinstance(item, Line):
                notice.unplaced.append(item.text)
            continue
        if isinstance(item, Grid) and current.roster is None and (roster := roster_from_grid(item)):
            current.roster = roster
            continue
        if isinstance(item, Grid):
            if current.grid is None:
                current.grid = item
                if current.paragraphs and re.match(r"^单位[:：]", current.paragraphs[-1]):
                    current.unit = current.paragraphs.pop()
                    current.raw.pop()
            continue
        if (current.grid is not None and re.match(r"^(注|备注|说明)[:：0-9１-９]", item.text)) or (
            current.grid is not None and current.footnotes
        ):
            current.footnotes.append(item.text)
        else:
            current.paragraphs.append(item.text)
            current.raw.append(item.raw or item.text)
    notice.attachments = [a for a in notice.attachments if a.label]
