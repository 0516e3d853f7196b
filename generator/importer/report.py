"""What an import did, for the terminal and as a file in the data set:
what was recognised, what was lifted into policy.yaml, what stayed text, and
what a person should review."""

from __future__ import annotations

from dataclasses import dataclass, field

REPORT_NAME = "导入报告.md"


@dataclass
class Report:
    recognised: list[str] = field(default_factory=list)
    lifted: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    def sections(self) -> list[tuple[str, list[str]]]:
        return [
            ("识别出的部分", self.recognised),
            ("提取到 policy.yaml 的数值", self.lifted),
            ("保留为文字的内容", self.text),
            ("请核对", self.review),
        ]

    def text_block(self, source: str = "") -> str:
        lines = ["# 导入报告", ""]
        if source:
            lines += [f"来源：{source}", ""]
        for heading, items in self.sections():
            lines.append(f"## {heading}")
            lines += [f"- {item}" for item in items] or ["- 无"]
            lines.append("")
        return "\n".join(lines)
