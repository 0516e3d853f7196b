"""The editor (`gongwen serve`, generator/editor/) over HTTP: every route, on a
copy of wushui, and every refusal: foreign Host, missing token, foreign
origin, stale pages, paths outside the data folder or through links, a
non-loopback address without a password."""

from __future__ import annotations

import base64
import difflib
import html
import io
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pdfminer.high_level import extract_text
from starlette.testclient import TestClient

from generator.build.pipeline import build
from generator.editor import forms
from generator.editor.app import create_app
from generator.editor.security import Guard
from generator.editor.workspace import Workspace
from generator.editor.yamlsave import version_of
from tests.conftest import fill_lost_characters

REPO = Path(__file__).resolve().parents[1]
WUSHUI = REPO / "data" / "wushui" / "2024"
BASE = "/d/wushui/2024"


class Server:
    def __init__(self, root: Path, guard: Guard, client: TestClient) -> None:
        self.root = root
        self.guard = guard
        self.client = client
        self.headers = {"X-Gongwen-Token": guard.token, "Origin": "http://testserver"}

    @property
    def dataset(self) -> Path:
        return self.root / "data" / "wushui" / "2024"

    def version(self, name: str) -> str:
        return version_of((self.dataset / name).read_text("utf-8"))

    def post(self, url: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(url, json=body or {}, headers=self.headers)

    def edit(self, route: str, name: str, version: str | None = None, **body: Any) -> Any:
        payload = {"file": name, "version": version or self.version(name), **body}
        return self.post(f"{BASE}/{route}", payload)


def _server(tmp_path: Path, password: str | None = None) -> Iterator[Server]:
    shutil.copytree(WUSHUI, tmp_path / "data" / "wushui" / "2024")
    guard = Guard.for_address("testserver", 80, password)
    workspace = Workspace(tmp_path / "data", tmp_path / "archive", tmp_path / "output")
    app = create_app(workspace, guard, tmp_path / "preview")
    with TestClient(app) as client:
        yield Server(tmp_path, guard, client)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from _server(tmp_path)


def tier(amount: str) -> dict[str, Any]:
    return {"path": ["tiers", 0, "amount"], "kind": "amount", "value": amount}


def changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# ------------------------------------------------------------------ pages


def test_start_page_lists_data_sets_with_their_state(server: Server) -> None:
    page = server.client.get("/")
    assert page.status_code == 200
    assert 'href="/d/wushui/2024/"' in page.text
    assert "2 条警告" in page.text  # the printed totals of quota.yaml
    assert "未发布" in page.text
    assert "新建单位" in page.text and "新年度" in page.text


def test_data_set_page_has_a_form_field_for_every_value_in_the_data(server: Server) -> None:
    page = server.client.get(BASE + "/")
    assert page.status_code == 200
    found = re.findall(r'data-path="([^"]*)"', page.text)
    paths = {tuple(json.loads(html.unescape(m))) for m in found}
    assert ("tiers", 0, "amount") in paths
    assert ("rates", "coverage_target") in paths
    assert ("notice", "date") in paths
    assert ("leading_group", "members", 0, "name") in paths
    # Kinds by the schema: a date, an amount in 元, a share as a percentage.
    assert re.search(
        r'data-path="\[&#34;notice&#34;, &#34;date&#34;\]" data-kind="date"', page.text
    )
    assert re.search(
        r'data-path="\[&#34;rates&#34;, &#34;coverage_target&#34;\]" data-kind="percent" data-initial="95"',
        page.text,
    )
    assert "个人缴费标准（元/人·年）" in page.text  # help from the schema's description
    assert "常住人口参保率目标" in page.text  # and from the YAML's comment
    for tab in (
        "发文信息",
        "政策参数",
        "领导小组",
        "附件表格",
        "正文",
        "与上年比较",
        "校验",
        "生成",
        "新年度",
        "发布",
    ):
        assert tab in page.text
    assert "{{ policy.tiers[0].amount | num }}" in page.text  # variables to insert
    assert "<script" in page.text and "https://" not in page.text  # nothing from the network


def test_a_field_added_to_the_schema_appears_without_ui_code(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = forms.schema("policy")
    extended = json.loads(json.dumps(original))
    extended["properties"]["closing_date"] = {
        "type": "string",
        "format": "date",
        "description": "截止日期，新字段",
    }
    monkeypatch.setattr(forms, "schema", lambda name: extended if name == "policy" else original)
    page = server.client.get(BASE + "/")
    assert "截止日期，新字段" in page.text
    assert re.search(r'data-path="\[&#34;closing_date&#34;\]" data-kind="date"', page.text)


def test_page_text_is_escaped(server: Server) -> None:
    policy = server.dataset / "policy.yaml"
    policy.write_text(policy.read_text("utf-8").replace("name: 一档", "name: <b>一档</b>"), "utf-8")
    page = server.client.get(BASE + "/")
    assert "<b>一档</b>" not in page.text and "&lt;b&gt;一档&lt;/b&gt;" in page.text


def test_pages_may_not_be_framed_elsewhere_nor_run_other_scripts(server: Server) -> None:
    page = server.client.get(BASE + "/")
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("style-src")[0]  # no inline script


def test_a_broken_yaml_file_is_told_on_the_page(server: Server) -> None:
    (server.dataset / "policy.yaml").write_text("year: 2024\ntiers: [\n", "utf-8")
    page = server.client.get(BASE + "/")
    assert page.status_code == 200
    assert "这个文件有格式错误" in page.text
    assert "方括号“[ ]”没有闭合" in page.text or "YAML 格式错误" in page.text


def test_a_missing_page_is_a_page_in_the_browser(server: Server) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml"}
    page = server.client.get("/d/nowhere/2024/", headers=browser)
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "找不到这个数据集" in page.text and 'href="/"' in page.text
    assert (
        server.client.get("/d/nowhere/2024/").json()["problems"][0]["message"].startswith("找不到")
    )


def test_static_assets_are_served_from_the_package(server: Server) -> None:
    assert "X-Gongwen-Token" in server.client.get("/static/editor.js").text
    assert server.client.get("/static/editor.css").status_code == 200


# ------------------------------------------------------------------ check and save


def test_check_reports_an_impossible_date_beside_its_field_and_writes_nothing(
    server: Server,
) -> None:
    before = (server.dataset / "policy.yaml").read_text("utf-8")
    edit = {"path": ["periods", "enrolment", "start"], "kind": "date", "value": "2023-02-30"}
    answer = server.edit("check", "policy.yaml", edits=[edit])
    assert answer.status_code == 200
    problem = next(p for p in answer.json()["problems"] if p["severity"] == "错误")
    assert problem["field"] == "periods.enrolment.start"
    assert problem["file"] == "policy.yaml"
    assert problem["message"] == "日期“2023-02-30”不存在或格式不对（应写作 YYYY-MM-DD）"
    assert (server.dataset / "policy.yaml").read_text("utf-8") == before


def test_check_of_text_that_is_no_number_names_the_field(server: Server) -> None:
    answer = server.edit("check", "policy.yaml", edits=[tier("三百八")])
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {
            "file": "policy.yaml",
            "field": "tiers[1].amount",
            "message": "“三百八”不是数字",
            "severity": "错误",
        }
    ]


def test_saving_a_tier_amount_changes_one_line_the_subsidies_and_the_preview(
    server: Server,
) -> None:
    before = (server.dataset / "policy.yaml").read_text("utf-8")
    first = server.client.get(BASE + "/preview").json()
    answer = server.edit("save", "policy.yaml", edits=[tier("400")])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    after = (server.dataset / "policy.yaml").read_text("utf-8")
    assert changed_lines(before, after) == [
        "-  - {name: 一档, amount: 380}",
        "+  - {name: 一档, amount: 400}",
    ]
    assert body["version"] == version_of(after)
    share = body["subsidies"][1]["tiers"][0]
    assert (share["amount"], share["subsidy"], share["personal"]) == ("400", "200", "200")
    preview = body["preview"]
    assert preview["version"] > first["version"] and preview["ok"]
    assert any("400元/人" in text for _, text in preview["plan"])
    pdf = server.client.get(f"{BASE}/preview.pdf?v={preview['version']}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = extract_text(io.BytesIO(pdf.content)).replace(" ", "")
    assert "400元/人" in text and "380元/人" not in text


def test_a_percentage_is_saved_as_the_share(server: Server) -> None:
    edit = {"path": ["rates", "coverage_target"], "kind": "percent", "value": "96.5"}
    before = (server.dataset / "policy.yaml").read_text("utf-8")
    assert server.edit("save", "policy.yaml", edits=[edit]).status_code == 200
    after = (server.dataset / "policy.yaml").read_text("utf-8")
    assert changed_lines(before, after) == [
        "-  coverage_target: 0.95        # 常住人口参保率目标",
        "+  coverage_target: 0.965       # 常住人口参保率目标",
    ]


def test_lines_the_yaml_library_would_rewrite_stay_as_written() -> None:
    """ruamel.yaml writes wuhe's `deputies: [{name: 欧家政}, …]` differently;
    changing another value leaves that line exactly as it was."""
    from generator.editor.editing import apply_fields

    text = (REPO / "data" / "wuhe" / "2024" / "organisation.yaml").read_text("utf-8")
    edit = {"path": ["leading_group", "office", "director", "name"], "value": "陈某"}
    new = apply_fields("organisation.yaml", text, [edit])
    assert changed_lines(text, new) == [
        "-    director: {name: 陈熙}          # 兼任",
        "+    director: {name: 陈某}          # 兼任",
    ]


def test_items_are_added_to_and_removed_from_a_list(server: Server) -> None:
    name = "organisation.yaml"
    before = (server.dataset / name).read_text("utf-8")
    members = ["leading_group", "members"]
    added = server.edit("save", name, items={"op": "add", "path": members})
    assert added.status_code == 200, added.text
    after = (server.dataset / name).read_text("utf-8")
    assert changed_lines(before, after) == ["+    - {}"]
    assert any(p["field"] == "leading_group.members[5]" for p in added.json()["problems"])
    page = server.client.get(BASE + "/")
    assert "删除上面的第 5 项" in page.text
    removed = server.edit("save", name, items={"op": "remove", "path": [*members, 4]})
    assert removed.status_code == 200
    assert (server.dataset / name).read_text("utf-8") == before
    refused = server.edit("save", name, items={"op": "add", "path": ["leading_group", "name"]})
    assert (
        refused.status_code == 422
        and "不是表单中的列表" in refused.json()["problems"][0]["message"]
    )


def test_a_save_from_a_stale_page_is_refused(server: Server) -> None:
    loaded = server.version("policy.yaml")
    assert server.edit("save", "policy.yaml", loaded, edits=[tier("400")]).status_code == 200
    saved = (server.dataset / "policy.yaml").read_text("utf-8")
    second = server.edit("save", "policy.yaml", loaded, edits=[tier("500")])
    assert second.status_code == 409
    assert second.json()["stale"] is True
    assert "已被修改" in second.json()["message"] and "重新载入" in second.json()["message"]
    assert (server.dataset / "policy.yaml").read_text("utf-8") == saved


def test_a_table_is_recomputed_and_its_rows_edited(server: Server) -> None:
    name = "tables/quota.yaml"
    rows: list[dict[str, Any]] = [{"from": i, "cells": {}} for i in range(28)]
    rows[0]["cells"] = {"户籍人口数": "1368"}  # the total now matches the printed 44832
    answer = server.edit("check", name, rows=rows).json()
    assert answer["table"]["total"]["户籍人口数"] == "44832"
    assert answer["table"]["mismatches"] == ["基数任务"]
    # Move the second row first, drop the last, add one: only those lines change.
    before = (server.dataset / name).read_text("utf-8")
    moved = [
        rows[1],
        rows[0],
        *rows[2:27],
        {"from": None, "cells": {"村委": "新村", "户籍人口数": "10", "基数任务": "9"}},
    ]
    saved = server.edit("save", name, rows=moved)
    assert saved.status_code == 200, saved.text
    after = (server.dataset / name).read_text("utf-8")
    assert sorted(changed_lines(before, after)) == sorted(
        [
            "-  - {村委: 黄莲, 户籍人口数: 1237, 基数任务: 1092}",
            "+  - {村委: 黄莲, 户籍人口数: 1368, 基数任务: 1092}",
            "-  - {村委: 沙溪, 户籍人口数: 123, 基数任务: 98}",
            "+  - {村委: 新村, 户籍人口数: 10, 基数任务: 9}",
        ]
    )
    lines = after.splitlines()
    assert lines.index("  - {村委: 陶家, 户籍人口数: 688, 基数任务: 650}") + 1 == lines.index(
        "  - {村委: 黄莲, 户籍人口数: 1368, 基数任务: 1092}"
    )
    assert after.startswith("# yaml-language-server")
    # assignments.yaml lists the villages too: the cross-table check speaks up.
    errors = [p for p in saved.json()["problems"] if p["severity"] == "错误"]
    assert errors and any("新村" in p["message"] or "沙溪" in p["message"] for p in errors), errors
    assert saved.json()["table"] is None


@pytest.mark.parametrize("office", ["wushui", "wuhe", "lidu"])
def test_every_form_sent_back_unchanged_changes_nothing(office: str) -> None:
    """Every field of the three example data sets, shown and read back as the
    page would send it (dates, amounts, percentages, lists), writes nothing."""
    from generator.editor.editing import apply_fields
    from generator.editor.yamlsave import Document

    for name in ("document.yaml", "policy.yaml", "organisation.yaml"):
        path = REPO / "data" / office / "2024" / name
        if not path.is_file():
            continue
        text = path.read_text("utf-8")
        fields = forms.fields(forms.form(name, Document(text, name)))
        edits = [{"path": list(f.path), "value": f.value} for f in fields]
        assert apply_fields(name, text, edits) == text, f"{office}/{name}"
        # And each value shown, parsed back and set: the same value, nothing rewritten.
        document = Document(text, name)
        for f in fields:
            if f.value and f.kind != "bool":
                kind = "text" if f.kind == "longtext" else f.kind
                assert not document.set(f.path, forms.parsed(kind, f.value)), f"{office}/{f.where}"
        assert document.text() == text


@pytest.mark.parametrize("office", ["wushui", "wuhe", "lidu"])
def test_every_table_sent_back_unchanged_changes_nothing(office: str) -> None:
    from generator.editor.editing import apply_rows
    from generator.editor.yamlsave import Document

    for path in sorted((REPO / "data" / office / "2024" / "tables").glob("*.yaml")):
        text = path.read_text("utf-8")
        data = Document(text, path.name).data
        rows = [
            {
                "from": i,
                "cells": {k: "、".join(v) if isinstance(v, list) else str(v) for k, v in r.items()},
            }
            for i, r in enumerate(data["rows"])
        ]
        assert apply_rows(f"tables/{path.name}", text, rows) == text, path


def test_a_grid_sent_back_unchanged_changes_nothing(server: Server) -> None:
    """The grid sends every cell of every row; names (lists), text and numbers
    read back as they were leave the file byte for byte."""
    from generator.editor.yamlsave import Document

    for name in ("tables/assignments.yaml", "tables/quota.yaml"):
        text = (server.dataset / name).read_text("utf-8")
        data = Document(text, name).data
        rows = [
            {
                "from": i,
                "cells": {k: "、".join(v) if isinstance(v, list) else str(v) for k, v in r.items()},
            }
            for i, r in enumerate(data["rows"])
        ]
        answer = server.edit("save", name, rows=rows)
        assert answer.status_code == 200 and answer.json()["saved"] is False
        assert (server.dataset / name).read_text("utf-8") == text


def test_rows_moved_are_numbered_anew(server: Server) -> None:
    rows: list[dict[str, Any]] = [{"from": i, "cells": {}} for i in range(28)]
    table = server.edit("check", "tables/quota.yaml", rows=[rows[1], rows[0], *rows[2:]]).json()[
        "table"
    ]
    assert [(r["序号"], r["村委"]) for r in table["rows"][:2]] == [("1", "陶家"), ("2", "黄莲")]


def test_prose_is_saved_and_rendered(server: Server) -> None:
    text = (server.dataset / "plan.md.j2").read_text("utf-8")
    new = text.replace("制定本方案", "特制定本方案", 1)
    answer = server.edit("save", "plan.md.j2", text=new)
    assert answer.status_code == 200
    assert (server.dataset / "plan.md.j2").read_text("utf-8") == new
    assert any("特制定本方案" in t for _, t in answer.json()["preview"]["plan"])


def test_a_save_lays_out_only_the_parts_it_changed_and_previews_the_builds_pdf(
    server: Server, tmp_path: Path
) -> None:
    """The preview keeps the parts as laid out (writers/laid_out.py): a few
    words in the plan lay out the plan alone, a tier amount only the parts
    that show it; the preview is the PDF `gongwen build` writes, byte for
    byte."""
    first = server.client.get(BASE + "/preview").json()
    assert first["parts"] == 4 and first["laid_out"] == [0, 1, 2, 3]
    text = (server.dataset / "plan.md.j2").read_text("utf-8")
    answer = server.edit("save", "plan.md.j2", text=text.replace("制定本方案", "特制定本方案", 1))
    preview = answer.json()["preview"]
    assert preview["laid_out"] == [1] and preview["pages"] == first["pages"]
    pdf = server.client.get(f"{BASE}/preview.pdf?v={preview['version']}").content
    built = build(server.dataset, tmp_path / "out1")
    assert pdf == (built.out_dir / "wushui-2024.pdf").read_bytes()

    preview = server.edit("save", "policy.yaml", edits=[tier("400")]).json()["preview"]
    assert 0 < len(preview["laid_out"]) < 4 and 0 not in preview["laid_out"]  # not the notice
    pdf = server.client.get(f"{BASE}/preview.pdf?v={preview['version']}").content
    built = build(server.dataset, tmp_path / "out2")
    assert pdf == (built.out_dir / "wushui-2024.pdf").read_bytes()


def test_a_prose_error_is_told_in_chinese_and_the_last_preview_kept(server: Server) -> None:
    first = server.client.get(BASE + "/preview").json()
    answer = server.edit("save", "plan.md.j2", text="{{ policy.nothing_here.x }}\n")
    preview = answer.json()["preview"]
    assert preview["ok"] and preview["pages"] == first["pages"]  # the old PDF still shown
    assert preview["problems"] and all(
        re.search(r"[\u4e00-\u9fff]", p["message"]) for p in preview["problems"]
    )


# ------------------------------------------------------------------ actions


def test_validate_build_and_download(server: Server) -> None:
    checked = server.post(BASE + "/validate").json()
    assert checked["ok"] and any(p["file"] == "tables/quota.yaml" for p in checked["problems"])
    built = server.post(BASE + "/build").json()
    assert {f["format"] for f in built["files"]} == {"docx", "pdf"}
    for entry in built["files"]:
        download = server.client.get(entry["url"])
        assert download.status_code == 200
        assert (
            f'filename="wushui-2024.{entry["format"]}"' in download.headers["content-disposition"]
        )
    assert download.content.startswith(b"%PDF")
    row = server.client.get("/").text.split('href="/d/wushui/2024/"')[1].split("</tr>")[0]
    assert "<td>是</td>" in row  # built


def test_download_before_a_build_is_told(server: Server) -> None:
    answer = server.client.get(BASE + "/download/docx")
    assert answer.status_code == 404 and "生成" in answer.json()["message"]


def test_new_year_shows_its_checklist_and_the_diff(server: Server) -> None:
    answer = server.post(BASE + "/new-year")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["target"] == "wushui/2025" and body["url"] == "/d/wushui/2025/"
    assert any("金额" in line for line in body["checklist"])
    assert (server.root / "data" / "wushui" / "2025" / "policy.yaml").is_file()
    page = server.client.get("/d/wushui/2025/")
    assert "与 2024 年度比较" in page.text
    diff = server.client.get("/d/wushui/2025/diff")
    assert diff.status_code == 200 and "2024" in diff.text and "2025" in diff.text
    again = server.post(BASE + "/new-year")
    assert again.status_code == 422 and "已存在" in again.json()["problems"][0]["message"]


def test_diff_without_a_previous_year_says_so(server: Server) -> None:
    assert "没有上一年度" in server.client.get(BASE + "/diff").text


def test_publish_shows_the_revision_and_its_verification(server: Server) -> None:
    refused = server.post(BASE + "/publish")
    assert "□ 是原文缺损的字" in refused.text  # publish refuses the seed's lost characters
    fill_lost_characters(server.dataset)
    first = server.post(BASE + "/publish").json()
    assert first["created"] and first["revision"] == 1
    assert first["folder"] == "武政发〔2023〕80号"
    assert first["revisions"] == [{"name": "武政发〔2023〕80号", "intact": True, "findings": []}]
    same = server.post(BASE + "/publish").json()
    assert not same["created"] and same["revision"] == 1
    server.edit("save", "policy.yaml", edits=[tier("400")])
    second = server.post(BASE + "/publish").json()
    assert second["created"] and second["folder"] == "武政发〔2023〕80号-修订2"
    assert "武政发〔2023〕80号-修订2" in server.client.get("/").text


def test_init_creates_a_new_office(server: Server) -> None:
    answer = server.post("/new", {"office": "shili", "name": "示例镇", "year": "2025"})
    assert answer.status_code == 200 and answer.json()["url"] == "/d/shili/2025/"
    assert server.client.get("/d/shili/2025/").status_code == 200
    bad = server.post("/new", {"office": "../up", "name": "示例镇", "year": "2025"})
    assert bad.status_code == 404
    assert not (server.root / "up").exists()


# ------------------------------------------------------------------ refusals


def test_a_foreign_host_is_refused(server: Server) -> None:
    answer = server.client.get("/", headers={"Host": "attacker.example:8000"})
    assert answer.status_code == 400 and "DNS 重绑定" in answer.text
    answer = server.client.post(BASE + "/validate", headers={**server.headers, "Host": "evil.test"})
    assert answer.status_code == 400


def test_bound_to_every_address_ip_literals_pass_and_names_do_not() -> None:
    guard = Guard.for_address("0.0.0.0", 8000, password="x")
    assert guard.host_allowed("192.168.1.20:8000") and guard.host_allowed("[fe80::1]:8000")
    assert not guard.host_allowed("192.168.1.20:9000")
    assert not guard.host_allowed("rebound.example:8000")
    local = Guard.for_address("127.0.0.1", 8000)
    assert local.host_allowed("127.0.0.1:8000") and local.host_allowed("localhost:8000")
    assert not local.host_allowed("192.168.1.20:8000")


def test_state_changing_requests_need_the_token(server: Server) -> None:
    before = (server.dataset / "policy.yaml").read_text("utf-8")
    body = {"file": "policy.yaml", "version": server.version("policy.yaml"), "edits": [tier("1")]}
    for headers in (
        {"Origin": "http://testserver"},
        {"Origin": "http://testserver", "X-Gongwen-Token": "wrong"},
    ):
        answer = server.client.post(BASE + "/save", json=body, headers=headers)
        assert answer.status_code == 403 and "令牌" in answer.text
    assert (server.dataset / "policy.yaml").read_text("utf-8") == before


def test_state_changing_requests_must_come_from_the_editor_itself(server: Server) -> None:
    for origin in ({"Origin": "http://evil.test"}, {"Referer": "http://evil.test/page"}, {}):
        headers = {"X-Gongwen-Token": server.guard.token, **origin}
        answer = server.client.post(BASE + "/publish", headers=headers)
        assert answer.status_code == 403 and "跨站" in answer.text
    assert not (server.root / "archive").exists()
    referer = {"X-Gongwen-Token": server.guard.token, "Referer": "http://testserver/d/wushui/2024/"}
    assert server.client.post(BASE + "/validate", headers=referer).status_code == 200


def test_a_plain_form_post_carries_the_token_as_a_field(server: Server) -> None:
    origin = {"Origin": "http://testserver"}
    good = server.client.post(
        BASE + "/validate", data={"token": server.guard.token}, headers=origin
    )
    assert good.status_code == 200
    bad = server.client.post(BASE + "/validate", data={"token": "nope"}, headers=origin)
    assert bad.status_code == 403


def test_paths_never_leave_the_data_folder(server: Server, tmp_path: Path) -> None:
    for name in (
        "../../../etc/passwd",
        "/etc/passwd",
        "tables/../../x.yaml",
        "secret.txt",
        "tables/a/b.yaml",
    ):
        answer = server.edit("save", name, version="x", text="x")
        assert answer.status_code == 404 and "数据目录之内" in answer.json()["message"], name
    for url in ("/d/../etc/", "/d/wushui/..%2F..%2Fetc/", "/d/%2E%2E/2024/"):
        assert server.client.get(url).status_code in (404, 422), url


def test_symlinks_are_refused(server: Server, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(WUSHUI, outside / "2024")
    (server.root / "data" / "linked").symlink_to(outside, target_is_directory=True)
    assert server.client.get("/d/linked/2024/").status_code == 404
    assert "linked" not in server.client.get("/").text
    table = server.dataset / "tables" / "quota.yaml"
    target = tmp_path / "quota-elsewhere.yaml"
    shutil.move(table, target)
    table.symlink_to(target)
    answer = server.edit(
        "save", "tables/quota.yaml", version=version_of(target.read_text("utf-8")), rows=[]
    )
    assert answer.status_code == 404
    assert "村委: 黄莲" in target.read_text("utf-8")


def test_a_password_is_asked_for_when_one_is_set(tmp_path: Path) -> None:
    for server in _server(tmp_path, password="开门123"):
        assert server.client.get("/").status_code == 401
        wrong = base64.b64encode("x:错".encode()).decode()
        assert (
            server.client.get("/", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
        )
        right = base64.b64encode("任意:开门123".encode()).decode()
        assert (
            server.client.get("/", headers={"Authorization": f"Basic {right}"}).status_code == 200
        )


def test_an_internal_error_is_told_in_chinese(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.editor import drafts

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(drafts, "evaluate", broken)
    client = TestClient(server.client.app, raise_server_exceptions=False)
    body = {"file": "policy.yaml", "version": server.version("policy.yaml"), "edits": [tier("400")]}
    answer = client.post(BASE + "/check", json=body, headers=server.headers)
    assert answer.status_code == 500
    assert answer.json() == {"message": "内部错误（RuntimeError），操作未完成。"}


def test_malformed_requests_are_refused_in_chinese(server: Server) -> None:
    answer = server.edit("save", "policy.yaml", edits=[{"path": "tiers", "value": "1"}])
    assert (
        answer.status_code == 422
        and answer.json()["problems"][0]["message"] == "请求中的字段路径无效"
    )
    before = (server.dataset / "policy.yaml").read_text("utf-8")
    answer = server.edit("save", "policy.yaml", edits=[{"path": ["nothing", 5, "x"], "value": "1"}])
    assert (
        answer.status_code == 422 and "不是表单中的字段" in answer.json()["problems"][0]["message"]
    )
    assert (server.dataset / "policy.yaml").read_text("utf-8") == before
    assert server.client.get(BASE + "/download/exe").status_code == 404
    broken = server.client.post(BASE + "/save", content=b"{not json", headers=server.headers)
    assert (
        broken.status_code == 422
        and broken.json()["problems"][0]["message"] == "请求的内容不是有效的 JSON"
    )


# ------------------------------------------------------------------ the command


def test_serve_refuses_another_address_without_a_password(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "serve",
            str(tmp_path),
            "--host",
            "0.0.0.0",
            "--no-browser",
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode == 1
    assert "需要密码" in result.stderr and "GONGWEN_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_prints_its_address_in_chinese_and_serves_only_its_own_host(tmp_path: Path) -> None:
    import http.client
    import signal

    shutil.copytree(WUSHUI, tmp_path / "data" / "wushui" / "2024")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "serve", str(tmp_path / "data"), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.fullmatch(r"公文编辑器已启动：http://127\.0\.0\.1:(\d+)/\n", first)
        assert match, first
        port = int(match.group(1))
        for _ in range(100):  # uvicorn binds just after the address is printed
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/")
                page = connection.getresponse()
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
        assert page.status == 200 and "wushui" in page.read().decode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/", headers={"Host": f"rebound.example:{port}"})
        assert connection.getresponse().status == 400
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=60)
    assert "Traceback" not in errors


def test_serve_refuses_a_missing_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "serve", str(tmp_path / "none"), "--no-browser"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "不存在" in result.stderr
