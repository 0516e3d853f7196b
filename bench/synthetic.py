"""Synthetic offices for the batch benchmark: copies of the 武水镇 data set,
each a different valid data set.

Every copy gets its own office name (武水 replaced everywhere, and the 武 of
the document number prefix), a different document serial number, its own
village names (the 村委 values of the tables, renamed consistently across
tables so that references still hold) and its own figures (the integer
columns of the quota table scaled by a factor between 0.8 and 1.25). What the
copies cannot change (the prose, the policy) stays the same; the printed
totals, no longer matching, give the usual warnings.

    python -m bench.synthetic OUT_DIR [--count 200]

writes OUT_DIR/<office>/2024/ for each office.

For the table benchmark (bench/tables.py), make_villages writes one copy whose
two attachment tables have any number of villages, each with made-up names
and figures:

    python -m bench.synthetic OUT_DIR --villages 2000
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "data" / "wushui" / "2024"
OFFICE = "武水"
NUMBER_PREFIX = "武政发"
# Characters for made-up place names: common in Chinese place names, none of
# them 武 or 水, so a generated name never contains the one it replaces.
NAME_CHARS = "安宝昌成大德东丰福高广和河红华吉嘉金锦康乐林龙隆茂明南宁平青庆仁荣瑞山上胜石顺松泰桃天田通同文西祥新兴秀阳永玉元云长正中竹"

_VILLAGE = re.compile(r"(村委:\s*)([^\s,}\]]+)")
_QUOTA_ROW = re.compile(r"(户籍人口数:\s*)(\d+)(,\s*基数任务:\s*)(\d+)")
_SERIAL = re.compile(r"(serial:\s*)(\d+)")


def _name(rng: random.Random, length: int, taken: set[str]) -> str:
    while True:
        name = "".join(rng.choice(NAME_CHARS) for _ in range(length))
        if name not in taken:
            taken.add(name)
            return name


def _villages(text: str) -> list[str]:
    return list(dict.fromkeys(match.group(2) for match in _VILLAGE.finditer(text)))


def make_office(target: Path, index: int, source: Path = SOURCE) -> Path:
    """One synthetic copy of source at target/<office>/<year>/; return it."""
    rng = random.Random(index)
    taken: set[str] = set()
    office = _name(rng, 2, taken)
    dataset = target / f"office{index:03d}" / source.name
    shutil.copytree(source, dataset)
    files = [p for p in sorted(dataset.rglob("*")) if p.is_file()]
    table_text = "".join(p.read_text("utf-8") for p in files if p.parent.name == "tables")
    renamed = {village: _name(rng, len(village), taken) for village in _villages(table_text)}
    factor = rng.uniform(0.8, 1.25)

    def scale(match: re.Match[str]) -> str:
        population = max(1, round(int(match.group(2)) * factor))
        task = min(population, max(1, round(int(match.group(4)) * factor)))
        return f"{match.group(1)}{population}{match.group(3)}{task}"

    for path in files:
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # a Word template of the data set's own: left as it is
        text = text.replace(NUMBER_PREFIX, office[0] + NUMBER_PREFIX[1:]).replace(OFFICE, office)
        if path.parent.name == "tables":
            text = _VILLAGE.sub(lambda m: m.group(1) + renamed.get(m.group(2), m.group(2)), text)
            text = _QUOTA_ROW.sub(scale, text)
        if path.name == "document.yaml":
            text = _SERIAL.sub(lambda m: f"{m.group(1)}{1 + index % 199}", text, count=1)
        path.write_text(text, encoding="utf-8")
    return dataset


def make_offices(target: Path, count: int, source: Path = SOURCE) -> list[Path]:
    return [make_office(target, index, source) for index in range(count)]


_ROWS = re.compile(r"^rows:\n(?:  - .*\n)+(?:printed:.*\n(?:  .*\n)*)?", re.MULTILINE)


def _person(rng: random.Random) -> str:
    return "".join(rng.choice(NAME_CHARS) for _ in range(rng.choice((2, 3, 3))))


def _replace_rows(path: Path, rows: list[str]) -> None:
    """path's rows: (and printed: totals, which would no longer match) replaced."""
    text = path.read_text("utf-8")
    new = "rows:\n" + "".join(f"  - {{{row}}}\n" for row in rows)
    text, found = _ROWS.subn(lambda _: new, text)
    if found != 1:
        raise ValueError(f"{path}: no rows: list to replace")
    path.write_text(text, encoding="utf-8")


def make_villages(target: Path, villages: int, source: Path = SOURCE) -> Path:
    """A copy of source at target/villages<N>/<year>/ whose quota and
    assignments tables have `villages` rows each; return it."""
    rng = random.Random(villages)
    dataset = target / f"villages{villages}" / source.name
    shutil.copytree(source, dataset)
    taken: set[str] = set()
    names = [_name(rng, rng.choice((2, 3)), taken) for _ in range(villages)]
    quota = []
    for name in names:
        population = rng.randint(40, 6500)
        quota.append(f"村委: {name}, 户籍人口数: {population}, 基数任务: {population * 8 // 9}")
    assignments = []
    for name in rng.sample(names, len(names)):
        cadres = ", ".join(_person(rng) for _ in range(rng.randint(1, 4)))
        assignments.append(
            f"村委: {name}, 镇责任领导: {_person(rng)}, 镇责任干部: [{cadres}], "
            f"村委责任人: {_person(rng)}, 村经办员: {_person(rng)}"
        )
    _replace_rows(dataset / "tables" / "quota.yaml", quota)
    _replace_rows(dataset / "tables" / "assignments.yaml", assignments)
    return dataset


def main() -> None:
    parser = argparse.ArgumentParser(description="写出若干个合成的乡镇数据集（供批量基准测试）")
    parser.add_argument("out", metavar="目录")
    parser.add_argument("--count", type=int, default=200, metavar="个数")
    parser.add_argument(
        "--villages", type=int, metavar="村数", help="改为写出一个有这么多村的数据集"
    )
    args = parser.parse_args()
    if args.villages:
        print(f"已写出：{make_villages(Path(args.out), args.villages)}")
        return
    made = make_offices(Path(args.out), args.count)
    print(f"已写出 {len(made)} 个数据集：{args.out}")


if __name__ == "__main__":
    main()
