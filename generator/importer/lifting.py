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


def escape(text: str) -> str:
    """Literal text in a Jinja template: its braces and # cannot start a tag."""
    return re.sub(r"[{}]|(?<=\{)#", lambda m: "{{ '" + m.group(0) + "' }}", text)


def _number(text: str) -> Decimal | int:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and "." not in text else value


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

    def key_for(self, table: dict[str, Any], stem: str, value: object) -> str:
        for key, known in table.items():
            if known == value:
                return key
        key = f"{stem}_{len(table) + 1}"
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

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e, _ in spans)

        def add(match: re.Match[str], expr: str, group: int = 0) -> None:
            if free(match.start(group), match.end(group)):
                spans.append((match.start(group), match.end(group), expr))

        if values:
            for m in CITED.finditer(text):
                key = self.key_for(self.documents, "doc", {"title": m[1], "number": m[2]})
                ref = self._use(f"policy.documents.{key}")
                add(m, f"《{{{{ {ref}.title }}}}》（{{{{ {ref}.number }}}}）")
            for m in PERIOD.finditer(text):
                start = parse_date(f"{m[1]}年{m[2]}月{m[3]}日")
                end = parse_date(f"{m[4] or m[1]}年{m[5]}月{m[6]}日")
                if start is None or end is None or end < start:
                    continue
                key = self.key_for(self.periods, "period", {"start": start, "end": end})
                ref = self._use(f"policy.periods.{key}")
                separator = m.group(0)[len(f"{m[1]}年{m[2]}月{m[3]}日")]
                if m[4] is None and separator == "至":
                    add(m, f"{{{{ {ref} | period }}}}")
                elif m[4] is not None:
                    add(m, f"{{{{ {ref}.start | date }}}}{separator}{{{{ {ref}.end | date }}}}")
            for m in DATE.finditer(text):
                when = parse_date(m.group(0))
                if when is not None:
                    key = self.key_for(self.dates, "date", when)
                    add(m, f"{{{{ {self._use(f'policy.dates.{key}')} | date }}}}")
            tiers = [(m, m[1], m[2], 2) for m in TIER.finditer(text)]
            tiers += [(m, "一档", m[1], 1) for m in SINGLE_TIER.finditer(text)]
            for m, name, typed, group in tiers:
                amount = _number(typed)
                index = next((i for i, t in enumerate(self.tiers) if t["name"] == name), None)
                if index is None:
                    self.tiers.append({"name": name, "amount": amount})
                    index = len(self.tiers) - 1
                if self.tiers[index]["amount"] == amount:
                    add(m, f"{{{{ {self._use(f'policy.tiers[{index}].amount')} | num }}}}", group)
            for m in AMOUNT.finditer(text):
                key = self.key_for(self.amounts, "amount", _number(m[1]))
                add(m, f"{{{{ {self._use(f'policy.amounts.{key}')} | num }}}}", 1)
            for m in AGE.finditer(text):
                key = self.key_for(self.ages, "age", int(m[1]))
                add(m, f"{{{{ {self._use(f'policy.ages.{key}')} }}}}")
            for m in COUNT.finditer(text):
                key = self.key_for(self.counts, "days", int(m[1]))
                add(m, f"{{{{ {self._use(f'policy.counts.{key}')} }}}}")
            for m in RATE.finditer(text):
                rate = Decimal(m[1]) / 100
                key = self.key_for(self.rates, "rate", rate)
                add(m, f"{{{{ {self._use(f'policy.rates.{key}')} | pct }}}}")
        for m in YEAR.finditer(text):
            expr = self.year_ref(int(m[1]))
            if expr is not None:
                add(m, expr)
        out, at = [], 0
        for span_start, span_end, expr in sorted(spans):
            out += [escape(text[at:span_start]), expr]
            at = span_end
        out.append(escape(text[at:]))
        return "".join(out)


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
