"""The editor in a real browser: Debian's chromium (scripts/install-test-packages.sh),
driven by Playwright pointed at it (no browser download), against `gongwen
serve`'s application on a copy of wushui, served by uvicorn on a free loopback
port. Set GONGWEN_SCREENSHOT=1 to write the README's picture (docs/editor.png)."""

from __future__ import annotations

import difflib
import io
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pdfminer.high_level import extract_text

from generator.commands.serve import free_port
from generator.editor.app import create_app
from generator.editor.security import Guard
from generator.editor.workspace import Workspace
from tests.conftest import fill_lost_characters

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[1]
WUSHUI = REPO / "data" / "wushui" / "2024"
TIMEOUT_MS = 60_000  # a 2-core machine shared with other work: generous, never timed

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium 未安装")
playwright_api.expect.set_options(timeout=TIMEOUT_MS)


@dataclass
class Served:
    url: str
    dataset: Path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    import uvicorn

    from generator.build import side

    # The PDF side process forked now, before Playwright starts its driver: a
    # fork made later would inherit the driver's pipe, and the driver would
    # never see it close (sync_playwright's exit then waits forever).
    side.start()
    dataset = tmp_path / "data" / "wushui" / "2024"
    shutil.copytree(WUSHUI, dataset)
    port = free_port("127.0.0.1")
    guard = Guard.for_address("127.0.0.1", port)
    workspace = Workspace(tmp_path / "data", tmp_path / "archive", tmp_path / "output")
    app = create_app(workspace, guard, tmp_path / "preview")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", dataset)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: object, url: str, tab: str) -> object:
    page = browser.new_page(viewport={"width": 1500, "height": 950})  # type: ignore[attr-defined]
    page.set_default_timeout(TIMEOUT_MS)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(url + "/d/wushui/2024/")
    page.get_by_role("tab", name=tab).click()
    return page


def _input(page: object, path: list[object]) -> object:
    selector = f"[data-path='{json.dumps(path, ensure_ascii=False)}']"
    return page.locator(selector)  # type: ignore[attr-defined]


def _changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_a_tier_amount_changes_the_subsidies_the_preview_and_one_line(
    served: Served, browser: object, tmp_path: Path
) -> None:
    expect = playwright_api.expect
    before = (served.dataset / "policy.yaml").read_text("utf-8")
    page = _open(browser, served.url, "政策参数")
    subsidies = page.locator("#subsidies tbody")  # type: ignore[attr-defined]
    expect(subsidies).to_contain_text("190")
    first_preview = page.locator("#preview").get_attribute("src")  # type: ignore[attr-defined]

    _input(page, ["tiers", 0, "amount"]).fill("400")  # type: ignore[attr-defined]
    expect(subsidies.locator("tr").nth(1)).to_contain_text("200")  # recomputed as typed
    page.locator('form[data-file="policy.yaml"] button.save').click()  # type: ignore[attr-defined]
    expect(page.locator('form[data-file="policy.yaml"] .state')).to_have_text("已保存")  # type: ignore[attr-defined]
    expect(page.locator("#preview")).not_to_have_attribute("src", first_preview)  # type: ignore[attr-defined]
    expect(page.locator("#stale")).to_be_hidden()  # type: ignore[attr-defined]  # its own save is no conflict

    src = page.locator("#preview").get_attribute("src")  # type: ignore[attr-defined]
    pdf = page.request.get(served.url + src)  # type: ignore[attr-defined]
    text = extract_text(io.BytesIO(pdf.body())).replace(" ", "")
    assert "400元/人" in text and "380元/人" not in text

    after = (served.dataset / "policy.yaml").read_text("utf-8")
    assert _changed_lines(before, after) == [
        "-  - {name: 一档, amount: 380}",
        "+  - {name: 一档, amount: 400}",
    ]
    assert "tiers:                         # 个人缴费标准（元/人·年）" in after

    page.screenshot(path=str(tmp_path / "editor.png"))  # type: ignore[attr-defined]
    if os.environ.get("GONGWEN_SCREENSHOT"):
        shutil.copyfile(tmp_path / "editor.png", REPO / "docs" / "editor.png")


def test_an_impossible_date_is_told_beside_its_field(served: Served, browser: object) -> None:
    expect = playwright_api.expect
    before = (served.dataset / "policy.yaml").read_text("utf-8")
    page = _open(browser, served.url, "政策参数")
    _input(page, ["periods", "enrolment", "start"]).fill("2023-02-30")  # type: ignore[attr-defined]
    error = page.locator('.field[data-where="periods.enrolment.start"] > .error')  # type: ignore[attr-defined]
    expect(error).to_have_text("错误：日期“2023-02-30”不存在或格式不对（应写作 YYYY-MM-DD）")
    expect(error).to_be_visible()
    assert (served.dataset / "policy.yaml").read_text("utf-8") == before  # checked, not saved


def test_a_save_from_a_second_tab_is_refused(served: Served, browser: object) -> None:
    expect = playwright_api.expect
    first = _open(browser, served.url, "政策参数")
    second = _open(browser, served.url, "政策参数")
    _input(first, ["tiers", 0, "amount"]).fill("410")  # type: ignore[attr-defined]
    first.locator('form[data-file="policy.yaml"] button.save').click()  # type: ignore[attr-defined]
    expect(first.locator('form[data-file="policy.yaml"] .state')).to_have_text("已保存")  # type: ignore[attr-defined]

    _input(second, ["tiers", 0, "amount"]).fill("420")  # type: ignore[attr-defined]
    second.locator('form[data-file="policy.yaml"] button.save').click()  # type: ignore[attr-defined]
    banner = second.locator("#stale")  # type: ignore[attr-defined]
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("已被修改")
    expect(banner.get_by_role("button", name="重新载入")).to_be_visible()
    assert "amount: 410}" in (served.dataset / "policy.yaml").read_text("utf-8")

    banner.get_by_role("button", name="重新载入").click()
    expect(second.locator("#stale")).to_be_hidden()  # type: ignore[attr-defined]
    second.get_by_role("tab", name="政策参数").click()  # type: ignore[attr-defined]
    expect(_input(second, ["tiers", 0, "amount"])).to_have_value("410")


def test_the_table_grid_recomputes_and_takes_a_pasted_block(
    served: Served, browser: object
) -> None:
    expect = playwright_api.expect
    page = _open(browser, served.url, "附件表格")
    form = page.locator('form[data-file="tables/quota.yaml"]')  # type: ignore[attr-defined]
    total = form.locator('tr.total td[data-col="户籍人口数"]')
    expect(total).to_have_text("44701")
    expect(total).to_have_class("mismatch")
    form.locator("tbody tr").first.locator('input[data-col="户籍人口数"]').fill("1368")
    expect(total).to_have_text("44832")  # now as printed
    expect(total).not_to_have_class("mismatch")

    # A block copied from a spreadsheet, pasted at the first row's figure.
    first = form.locator("tbody tr").first.locator('input[data-col="户籍人口数"]')
    first.evaluate(
        """(input) => {
            const data = new DataTransfer();
            data.setData("text/plain", "1368\\t1100\\n700\\t650\\n");
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )
    second = form.locator("tbody tr").nth(1)
    expect(second.locator('input[data-col="户籍人口数"]')).to_have_value("700")
    expect(total).to_have_text("44844")
    expect(form.locator('tr.total td[data-col="基数任务"]')).to_have_text("39779")

    # Rows moved, added, removed.
    second.get_by_role("button", name="↑").click()
    expect(form.locator("tbody tr").first.locator('input[data-col="村委"]')).to_have_value("陶家")
    form.get_by_role("button", name="＋ 添加一行").click()
    expect(form.locator("tbody tr")).to_have_count(29)
    expect(form.locator(".problems.file")).to_contain_text("错误")  # the empty row, in Chinese
    form.locator("tbody tr").last.get_by_role("button", name="✕").click()
    expect(form.locator("tbody tr")).to_have_count(28)
    expect(form.locator(".problems.file")).not_to_contain_text("错误")


def test_a_member_is_added_to_the_leading_group(served: Served, browser: object) -> None:
    expect = playwright_api.expect
    page = _open(browser, served.url, "领导小组")
    page.get_by_role("button", name="＋ 添加一项").first.click()  # type: ignore[attr-defined]
    error = page.locator('fieldset[data-where="leading_group.members[5]"] > .error')  # type: ignore[attr-defined]
    expect(error).to_contain_text(
        "至少填一项"
    )  # the page loaded again, the new member's error beside it
    _input(page, ["leading_group", "members", 4, "name"]).fill("张三")  # type: ignore[attr-defined]
    expect(error).to_be_empty()
    page.locator('form[data-file="organisation.yaml"] button.save').click()  # type: ignore[attr-defined]
    expect(page.locator('form[data-file="organisation.yaml"] .state')).to_have_text("已保存")  # type: ignore[attr-defined]
    assert "    - {name: 张三}\n" in (served.dataset / "organisation.yaml").read_text("utf-8")


def test_prose_takes_a_variable_and_shows_the_rendered_text(
    served: Served, browser: object
) -> None:
    expect = playwright_api.expect
    page = _open(browser, served.url, "正文")
    area = page.locator(".prose-text").first  # type: ignore[attr-defined]
    original = area.input_value()
    area.fill(original.rstrip("\n") + "\n\n# 补充说明\n个人缴费标准为")
    area.evaluate("(a) => a.setSelectionRange(a.value.length, a.value.length)")
    page.get_by_role("button", name="{{ policy.tiers[0].amount | num }}").click()  # type: ignore[attr-defined]
    expect(area).to_have_value(
        original.rstrip("\n") + "\n\n# 补充说明\n个人缴费标准为{{ policy.tiers[0].amount | num }}"
    )
    page.locator('form[data-file="plan.md.j2"] button.save').click()  # type: ignore[attr-defined]
    rendered = page.locator(".rendered")  # type: ignore[attr-defined]
    expect(rendered.locator("p.heading").last).to_have_text("五、补充说明")
    expect(rendered.locator("p").last).to_have_text("个人缴费标准为380")
    assert (
        (served.dataset / "plan.md.j2")
        .read_text("utf-8")
        .endswith("{{ policy.tiers[0].amount | num }}")
    )


def test_a_new_office_and_a_new_year_from_the_start_page(served: Served, browser: object) -> None:
    expect = playwright_api.expect
    page = browser.new_page()  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(served.url + "/")
    form = page.locator("#new-office")
    form.get_by_label("目录名").fill("shili")
    form.get_by_label("单位简称").fill("示例镇")
    form.get_by_label("年度").fill("2025")
    form.get_by_role("button", name="新建").click()
    expect(page).to_have_url(served.url + "/d/shili/2025/#document.yaml")
    expect(page.locator(".top")).to_contain_text("shili 2025 年度")
    assert (served.dataset.parent.parent / "shili" / "2025" / "policy.yaml").is_file()

    page.goto(served.url + "/")
    row = page.locator("tr", has=page.locator('a[href="/d/wushui/2024/"]'))
    row.get_by_role("button", name="新年度").click()
    result = page.locator("#result")
    expect(result).to_contain_text("已建立 wushui/2025")
    result.get_by_role("link", name="打开 wushui/2025").click()
    expect(page.locator("#all-problems")).to_contain_text("发文字号序号待填写")


def test_publish_shows_the_revision(served: Served, browser: object) -> None:
    expect = playwright_api.expect
    fill_lost_characters(served.dataset)  # publish refuses the seed's □
    page = _open(browser, served.url, "发文信息")
    page.get_by_role("button", name="发布").click()  # type: ignore[attr-defined]
    result = page.locator("#result")  # type: ignore[attr-defined]
    expect(result).to_contain_text("已发布：武政发〔2023〕80号（第 1 版）", timeout=120_000)
    expect(result).to_contain_text("核验完好")
    page.goto(served.url + "/")  # type: ignore[attr-defined]
    expect(page.locator("table.list")).to_contain_text("武政发〔2023〕80号 完好")  # type: ignore[attr-defined]
