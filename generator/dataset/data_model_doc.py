"""docs/data-model.md, the editors' reference, generated from the JSON Schemas
so that every field is documented and none is documented wrongly."""

from __future__ import annotations

from typing import Any

from generator.dataset.schema_export import SCHEMAS, json_schema

_FILES = {
    "document": "document.yaml",
    "policy": "policy.yaml",
    "organisation": "organisation.yaml",
    "table": "tables/<表名>.yaml",
}

_TYPES = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "true / false",
    "array": "列表",
    "object": "映射",
    "null": "空",
}

INTRO = """\
# 数据集字段说明

> 本文件由 `tools/make_schemas.py` 根据程序中的数据模型自动生成，请勿手工修改。

一个数据集是一个目录（例如 `data/wushui/2024/`），包含：

| 文件 | 内容 |
|---|---|
| `document.yaml` | 发文机关、印发通知、方案及附件 |
| `policy.yaml` | 年度政策参数 |
| `organisation.yaml` | 领导小组及其办公室（可选） |
| `tables/<表名>.yaml` | 附件表格 |
| `*.md.j2` | 方案正文等模板（文件名由 document.yaml 指定） |

每个 YAML 文件第一行写明所依据的格式说明，VS Code（安装 YAML 插件）据此提示字段并检查错误：

```yaml
# yaml-language-server: $schema=../../../templates/schemas/policy.schema.json
```

书写约定：

- 金额、人数直接写数字：`amount: 380`；比例写小数：`coverage_target: 0.95`（正文中用 `pct` 显示为 95%）。
- 日期写作 `2023-11-24`；不存在的日期（如 2023-11-31）会报错。
- 正文模板中引用数据：`{{ policy.tiers[0].amount | num }}元/人`、`{{ policy.periods.enrolment | period }}`、
  `{{ org.leading_group.members | role("组长") | people }}`。
- 正文中 `#` 开头为一级标题（一、），`##` 为二级标题（（一）），`###`、`####` 依次类推，序号自动生成；
  标题下一行紧接正文则与正文连排，标题文字到第一个“。”为止（标题字体），其后为正文字体；
  单独一行 `##` 后接正文，则只编号、不加标题，全段用正文字体。
- 表格的合计不必填写，由程序计算；如需核对原文，可把原文印刷的合计写在 `printed.total` 下，不一致时给出警告。
- 公文的组成由 `document.yaml` 的 `shape` 选定：`notice_with_plan`（默认，印发方案的通知：通知、方案、附件）、
  `plan`（方案单独发布：无通知、无发文字号，`plan.date` 为成文日期，见 `data/yunxi/2025`）、
  `notice`（自带正文和附件的通知：`notice.subject`、`notice.template`、`notice.attachments`）；
  红头（`issuer.mark`）在每种组成中都可有可无。
- 尚未确定的内容写“待填写”（`gongwen init` 即如此），原文缺损的字写作 □，或在行末加注释 `# 待填写`：
  `check` 和 `build` 逐处警告（文件、行），`--strict` 和 `publish` 拒绝。

## 示例

`policy.yaml` 片段：

```yaml
year: 2024
tiers:
  - {name: 一档, amount: 380}
subsidies:
  - groups: [特困供养人员]
    rule: full
  - id: 低保
    groups: [低保对象]
    rule: fixed
    value: 320
periods:
  enrolment: {start: 2023-09-01, end: 2023-12-31}
rates:
  coverage_target: 0.95
```

`tables/quota.yaml` 片段（派生列用公式，合计自动计算）：

```yaml
columns:
  - {name: 序号, kind: row_number}
  - {name: 村委, unique: true}
  - {name: 户籍人口数, kind: integer, total: sum}
  - {name: 目标任务数, kind: integer, total: sum, formula: 户籍人口数 * rates.coverage_target}
total_label: 合计
rows:
  - {村委: 黄莲, 户籍人口数: 1237}
```

多行表头：`header: [一档, 资助]` 与 `header: [一档, 自付]` 两列的上层“一档”自动合并。
表头与标题一样可引用数据（`{{ year - 1 }}年外出人数`）；表格比版心宽（如长数字放不进窄列）时报错。

列的简称、空白与逐格的原文印刷值：

```yaml
columns:
  - {name: 村（社区）, key: village, unique: true}
  - {name: 各村人口数（按村报人数和户籍人数的平均）, key: population, kind: integer, total: sum}
  - {name: "{{ year - 1 }}年外出人数", key: away, kind: integer, total: sum}
  - {name: 应参保人数, key: due, kind: integer, total: sum, formula: population - away}
rows:
  - {village: 坝芒村, population: 3327, away: 61, due: {printed: 3226}}  # 与计算值 3266 不符：警告
  - {village: 青山社区, population: 1200, away: ~}  # 空白：印为空，不计入合计，公式结果也为空
```

各行取自政策的表（每条资助规则一行，某档不适用的格留空）：

```yaml
rows_from: subsidies
columns:
  - {name: 资助对象, field: groups}
  - {name: 一档资助, header: [一档, 资助], kind: decimal, formula: row.一档.subsidy}
  - {name: 一档个人缴, header: [一档, 个人缴], kind: decimal, formula: row.一档.personal}
```

`rows_from: tiers` 则每个缴费档次一行（`field: name`，公式用 `row.amount`、`row.低保.subsidy`）。
`policy.yaml` 中某档不适用：`per_tier: {二档: {rule: none}}`；资助由谁承担：
`payers: [{name: 市, share: 0.5}, {name: 镇（街）, share: 0.5}]`；年龄：`ages: {full_from: 70}`。
公式和模板能引用的名称见 `docs/templates.md`。
"""


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _without_null(node: dict[str, Any]) -> dict[str, Any]:
    options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
    return options[0] if len(options) == 1 else node


def _type_name(node: dict[str, Any] | bool, defs: dict[str, Any]) -> str:
    if not isinstance(node, dict) or not node:
        return "任意值"
    node = _resolve(_without_null(node), defs)
    if "enum" in node:
        return " / ".join(str(v) for v in node["enum"])
    if "const" in node:
        return str(node["const"])
    if node.get("format") == "date":
        return "日期"
    kind = node.get("type")
    if kind == "array":
        return f"{_type_name(node.get('items', {}), defs)}的列表"
    if kind == "object" and "additionalProperties" in node and "properties" not in node:
        return f"映射（名称 → {_type_name(node['additionalProperties'], defs)}）"
    if "anyOf" in node:
        return " 或 ".join(_type_name(o, defs) for o in node["anyOf"])
    return _TYPES.get(str(kind), "映射")


def _rows(node: dict[str, Any], defs: dict[str, Any], prefix: str) -> list[str]:
    node = _resolve(_without_null(node), defs)
    rows = []
    required = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        target = _resolve(_without_null(sub), defs)
        default = sub.get("default")
        shown = "" if default in (None, [], {}, "") or name in required else f"`{default}`"
        description = sub.get("description") or target.get("description", "")
        description = description.replace("|", "\\|").replace("\n", " ")
        mark = "是" if name in required else ""
        rows.append(f"| `{path}` | {_type_name(sub, defs)} | {mark} | {shown} | {description} |")
        if "properties" in target:
            rows += _rows(target, defs, f"{path}.")
        elif target.get("type") == "array":
            item = _resolve(target.get("items", {}), defs)
            if "properties" in item:
                rows += _rows(item, defs, f"{path}[].")
        elif isinstance(target.get("additionalProperties"), dict):
            value = _resolve(_without_null(target["additionalProperties"]), defs)
            if "properties" in value:
                rows += _rows(value, defs, f"{path}.<名称>.")
    return rows


def data_model_markdown() -> str:
    sections = [INTRO]
    for key, model in SCHEMAS.items():
        schema = json_schema(model)
        defs = schema.get("$defs", {})
        sections.append(f"## `{_FILES[key]}`\n\n{schema.get('description', '')}\n")
        sections.append("| 字段 | 类型 | 必填 | 默认 | 说明 |\n|---|---|---|---|---|")
        sections.append("\n".join(_rows(schema, defs, "")) + "\n")
    return "\n".join(sections)
