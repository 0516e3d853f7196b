"""Yearly values lifted out of the prose into policy.yaml, the text left
referring to them: amounts (…元), shares (…%), dates and periods, tiers and
their amounts, cited documents (《…》（X发〔Y〕N号）) and the data set's years
({{ year }}, {{ year - 1 }}).

Every value is written back through the same filter that prints it (num, pct,
date, period), so the rebuilt text is the clerk's text; a value whose printed
form the filters would change (a zero-padded date) stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from generator.importer.notice import parse_date

_D = r"(\d{4})年([1-9]\d?)月([1-9]\d?)日"
CITED = re.compile(r"《([^《》]{4,120})》[（(]([^（）()]{1,20}〔\d{4}〕\d+号)[）)]")
PERIOD = re.compile(_D + r"(?:至|—|－|-|~|～)(?:(\d{4})年)?([1-9]\d?)月([1-9]\d?)日")
DATE = re.compile(_D)
TIER = re.compile(r"([一二三四五六七八九十]档)[^0-9，。；]{0,6}?(\d+(?:\.\d+)?)元")
# A single standard: 个人缴费标准为每人380元 (the one tier, 一档).
SINGLE_TIER = re.compile(r"个人缴费标准(?:统一)?(?:为|是)(?:每人)?(\d+(?:\.\d+)?)元")
AMOUNT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)元")
AGE = re.compile(r"(?<![\d.])(\d{1,3})(?=周岁)")
COUNT = re.compile(r"(?<![\d.])(\d{1,3})(?=(?:个工作日|日|天)内)")
RATE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)%")
YEAR = re.compile(r"(?<!\d)(\d{4})(?=年)")


# Words that join a name to its value, dropped from the end of the name.
_JOINERS = re.compile(
    r"(?:为|是|于|在|按|由|从|至|达到|给予|每人|每参保1人|统一|分别|标准为|约|共|计|的|了)+$"
)
HINT_CHARS = 12


def name_before(text: str, start: int) -> str:
    """A name for the value at start: the Chinese words just before it in its
    clause, joiners dropped, the last HINT_CHARS characters."""
    clause = re.split(r"[，。；：、（）《》“”\s]", text[:start])[-1]
    words = re.sub(r"[^\u4e00-\u9fff]", "", re.sub(r"\d+年(度)?", "", clause))
    return _JOINERS.sub("", words)[-HINT_CHARS:]


def escape(text: str) -> str:
    """Literal text in a Jinja template: its braces and # cannot start a tag."""
    return re.sub(r"[{}]|(?<=\{)#", lambda m: "{{ '" + m.group(0) + "' }}", text)


def _number(text: str) -> Decimal | int:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and "." not in text else value


def _share(typed: str) -> Decimal:
    return Decimal(typed) / 100


@dataclass
class Lifted:
    year: int
    amounts: dict[str, Decimal | int] = field(default_factory=dict)
    rates: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    ages: dict[str, int] = field(default_factory=dict)
    dates: dict[str, date] = field(default_factory=dict)
    periods: dict[str, dict[str, date]] = field(default_factory=dict)
    documents: dict[str, dict[str, str]] = field(default_factory=dict)
    tiers: list[dict[str, object]] = field(default_factory=list)
    uses: dict[str, int] = field(default_factory=dict)  # 'amounts.amount_1' → times
    short_name: str | None = None  # the issuer's, written {{ issuer.short_name }} in titles

    def key_for(self, table: dict[str, Any], stem: str, value: object, hint: str = "") -> str:
        """The value's name: the one it already has, else the words before it
        in its clause (集中参保缴费期), else stem_N."""
        for key, known in table.items():
            if known == value:
                return key
        key = hint if len(hint) >= 2 else f"{stem}_{len(table) + 1}"
        number = 2
        while key in table:
            key = f"{hint}{number}" if len(hint) >= 2 else f"{stem}_{len(table) + number}"
            number += 1
        table[key] = value
        return key

    def _use(self, ref: str) -> str:
        self.uses[ref] = self.uses.get(ref, 0) + 1
        return ref

    def year_ref(self, value: int) -> str | None:
        offset = value - self.year
        if offset == 0:
            return "{{ year }}"
        if abs(offset) == 1:
            return "{{ year " + ("+" if offset > 0 else "-") + " 1 }}"
        return None

    def template(self, text: str, *, values: bool = True) -> str:
        """text as a template: values lifted (or only the years, values=False)."""
        spans: list[tuple[int, int, str]] = []

        def free(match: re.Match[str], group: int = 0) -> bool:
            start, end = match.start(group), match.end(group)
            return all(end <= s or start >= e for s, e, _ in spans)

        def add(match: re.Match[str], expr: str, group: int = 0) -> None:
            spans.append((match.start(group), match.end(group), expr))

        def hint(match: re.Match[str]) -> str:
            return name_before(text, match.start())

        if values:
            for m in CITED.finditer(text):
                if free(m):
                    key = self.key_for(self.documents, "doc", {"title": m[1], "number": m[2]})
                    ref = self._use(f"policy.documents.{key}")
                    add(m, f"《{{{{ {ref}.title }}}}》（{{{{ {ref}.number }}}}）")
            for m in PERIOD.finditer(text):
                start = parse_date(f"{m[1]}年{m[2]}月{m[3]}日")
                end = parse_date(f"{m[4] or m[1]}年{m[5]}月{m[6]}日")
                separator = m.group(0)[len(f"{m[1]}年{m[2]}月{m[3]}日")]
                # Without the end's year the period filter prints it only with 至.
                printable = m[4] is not None or separator == "至"
                if start is None or end is None or end < start or not printable or not free(m):
                    continue
                period = {"start": start, "end": end}
                ref = self._use(
                    f"policy.periods.{self.key_for(self.periods, 'period', period, hint(m))}"
                )
                if m[4] is None:
                    add(m, f"{{{{ {ref} | period }}}}")
                else:
                    add(m, f"{{{{ {ref}.start | date }}}}{separator}{{{{ {ref}.end | date }}}}")
            for m in DATE.finditer(text):
                when = parse_date(m.group(0))
                if when is not None and free(m):
                    key = self.key_for(self.dates, "date", when, hint(m))
                    add(m, f"{{{{ {self._use(f'policy.dates.{key}')} | date }}}}")
            tiers = [(m, m[1], m[2], 2) for m in TIER.finditer(text)]
            tiers += [(m, "一档", m[1], 1) for m in SINGLE_TIER.finditer(text)]
            for m, name, typed, group in tiers:
                if not free(m, group):
                    continue
                amount = _number(typed)
                index = next((i for i, t in enumerate(self.tiers) if t["name"] == name), None)
                if index is None:
                    self.tiers.append({"name": name, "amount": amount})
                    index = len(self.tiers) - 1
                if self.tiers[index]["amount"] == amount:
                    add(m, f"{{{{ {self._use(f'policy.tiers[{index}].amount')} | num }}}}", group)
            simple = (
                # pattern, where the values go, their names' stem, the filter
                # that prints them, the value, and the group replaced (the % goes
                # with a share: pct prints it; 元 stays after an amount).
                (AMOUNT, self.amounts, "amounts", "amount", " | num", _number, 1),
                (AGE, self.ages, "ages", "age", "", int, 1),
                (COUNT, self.counts, "counts", "days", "", int, 1),
                (RATE, self.rates, "rates", "rate", " | pct", _share, 0),
            )
            for pattern, table, section, stem, shown, convert, group in simple:
                for m in pattern.finditer(text):
                    if free(m, group):
                        key = self.key_for(table, stem, convert(m[1]), hint(m))
                        add(m, f"{{{{ {self._use(f'policy.{section}.{key}')}{shown} }}}}", group)
        if not values and self.short_name:
            for m in re.finditer(re.escape(self.short_name), text):
                if free(m):
                    add(m, "{{ issuer.short_name }}")
        for m in YEAR.finditer(text):
            expr = self.year_ref(int(m[1]))
            if expr is not None and free(m):
                add(m, expr)
        out, at = [], 0
        for span_start, span_end, expr in sorted(spans):
            out += [escape(text[at:span_start]), expr]
            at = span_end
        out.append(escape(text[at:]))
        return "".join(out)


PLACE = re.compile(r"^[\u4e00-\u9fff]{2,12}?(?:省|市|州|盟|县|区|旗|镇|乡|街道)")


def short_name(issuer: str, titles: list[str]) -> str | None:
    """The issuer's short name as its titles begin (武水镇 for 临武县武水镇人民政府):
    the place a title starts with, when the issuer's name contains it."""
    for title in titles:
        for end in range(len(title), 1, -1):
            head = title[:end]
            if PLACE.fullmatch(head) and head in issuer and head != issuer:
                return head
    return None


def dataset_year(titles: list[str], issued: date | None) -> int | None:
    """The data set's year: a title's 2024年度, else the latest year a title
    names, else the year of issue."""
    for title in titles:
        if m := re.search(r"(\d{4})年度", title):
            return int(m[1])
    years = [int(y) for title in titles for y in YEAR.findall(title)]
    if years:
        return max(years)
    return issued.year if issued else None
