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


def main() -> None:
    parser = argparse.ArgumentParser(description="写出若干个合成的乡镇数据集（供批量基准测试）")
    parser.add_argument("out", metavar="目录")
    parser.add_argument("--count", type=int, default=200, metavar="个数")
    args = parser.parse_args()
    made = make_offices(Path(args.out), args.count)
    print(f"已写出 {len(made)} 个数据集：{args.out}")


if __name__ == "__main__":
    main()
