// The editor's pages: forms checked as you type, tables recomputed, saves,
// the preview refreshed, the actions. Plain JavaScript, no library, no network
// but this server.
"use strict";
(function () {
  const token = document.querySelector('meta[name="gongwen-token"]').content;
  const layout = document.querySelector(".layout");
  const base = layout ? layout.dataset.base : "";

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Gongwen-Token": token },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { message: "服务器没有给出可读的答复" }; }
    return { status: response.status, data: data };
  }
  function debounce(fn, ms) {
    let timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ------------------------------------------------------------ problems
  function showProblems(form, problems) {
    form.querySelectorAll(".error").forEach((e) => { e.textContent = ""; });
    form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
    const list = form.querySelector(".problems.file");
    list.textContent = "";
    const file = form.dataset.file;
    for (const p of problems) {
      if (p.file && p.file !== file) continue;
      let slot = null;
      if (p.field) {
        let where = p.field;
        // The field, else the nearest group around it: tiers[1].amount, tiers[1], tiers.
        while (where && !slot) {
          slot = form.querySelector('[data-where="' + CSS.escape(where) + '"] > .error');
          const outer = where.replace(/(\.[^.\[]*|\[\d+\])$/, "");
          where = outer === where ? "" : outer;
        }
      }
      const text = (p.severity || "错误") + "：" + p.message;
      if (slot) {
        slot.textContent = slot.textContent ? slot.textContent + "；" + text : text;
        slot.parentElement.classList.add("invalid");
      } else {
        list.appendChild(el("div", { class: p.severity === "警告" ? "warn" : "bad" }, p.text || text));
      }
    }
  }
  function showAll(problems) {
    const box = document.getElementById("all-problems");
    if (!box) return;
    box.textContent = "";
    const errors = problems.filter((p) => p.severity !== "警告").length;
    if (!problems.length) { box.appendChild(el("div", { class: "good" }, "数据校验通过。")); return; }
    box.appendChild(el("div", { class: errors ? "bad" : "warn" }, errors ? "数据有 " + errors + " 处错误：" : "有 " + problems.length + " 条警告："));
    for (const p of problems) box.appendChild(el("div", { class: p.severity === "警告" ? "warn" : "bad" }, p.text || p.message));
  }
  function showSubsidies(subsidies) {
    const body = document.querySelector("#subsidies tbody");
    if (!body || !subsidies) return;
    body.textContent = "";
    for (const s of subsidies) for (const t of s.tiers) {
      const row = el("tr");
      for (const v of [s.groups, t.tier, t.amount, t.subsidy, t.personal]) row.appendChild(el("td", {}, v));
      body.appendChild(row);
    }
  }
  function setState(form, text, kind) {
    const state = form.querySelector(".state");
    if (state) { state.textContent = text; state.className = "state " + (kind || ""); }
  }
  document.querySelectorAll("button.reload").forEach((b) => b.addEventListener("click", () => location.reload()));
  function stale(message) {
    const banner = document.getElementById("stale");
    banner.querySelector(".message").textContent = message;
    banner.hidden = false;
  }

  // ------------------------------------------------------------ preview
  function refreshPreview(preview) {
    if (!preview) return;
    const frame = document.getElementById("preview");
    const state = document.getElementById("preview-state");
    if (preview.ok) {
      frame.src = base + "/preview.pdf?v=" + preview.version;
      frame.dataset.version = String(preview.version);
      const errors = preview.problems.filter((p) => p.severity !== "警告");
      state.textContent = errors.length ? "数据有错误，显示的是上一版" : "第 " + preview.version + " 版，" + preview.pages + " 页，" + preview.seconds + " 秒";
    } else {
      state.textContent = "暂无（数据有错误）";
    }
    document.querySelectorAll(".rendered").forEach((box) => {
      box.textContent = "";
      for (const [kind, text] of preview.plan) box.appendChild(el("p", { class: kind }, text));
    });
  }

  // ------------------------------------------------------------ forms
  function changedFields(form) {
    const edits = [];
    form.querySelectorAll("[data-path]").forEach((input) => {
      if (input.value !== input.dataset.initial) {
        edits.push({ path: JSON.parse(input.dataset.path), kind: input.dataset.kind, value: input.value });
      }
    });
    return edits;
  }
  function payload(form) {
    const body = { file: form.dataset.file, version: form.dataset.version };
    if (form.classList.contains("file-form")) body.edits = changedFields(form);
    if (form.classList.contains("table-form")) body.rows = tableRows(form);
    if (form.classList.contains("prose-form")) body.text = form.querySelector(".prose-text").value;
    return body;
  }
  function answered(form, result) {
    if (result.status === 409) { stale(result.data.message); setState(form, "未保存", "bad"); return false; }
    if (result.status !== 200) {
      showProblems(form, result.data.problems || [{ message: result.data.message || "操作失败", severity: "错误" }]);
      setState(form, "有错误", "bad");
      return false;
    }
    showProblems(form, result.data.problems);
    showAll(result.data.problems);
    showSubsidies(result.data.subsidies);
    if (result.data.table) updateTable(form, result.data.table);
    return true;
  }
  async function check(form) {
    if (form.classList.contains("prose-form") || form._saving) return;
    const sent = form.dataset.version;
    const ticket = (form._checks = (form._checks || 0) + 1);
    const result = await post(base + "/check", payload(form));
    // A later check or a save of this page overtook this one: its answer is out of date.
    if (ticket !== form._checks || form._saving || form.dataset.version !== sent) return;
    if (answered(form, result)) setState(form, "未保存的修改", "warn");
  }
  async function save(form) {
    setState(form, "正在保存……");
    form._saving = true;
    let result;
    try {
      result = await post(base + "/save", payload(form));
    } finally {
      form._saving = false;
    }
    if (!answered(form, result)) return;
    form.dataset.version = result.data.version;
    form.querySelectorAll("[data-path]").forEach((input) => { input.dataset.initial = input.value; });
    form.querySelectorAll(".prose-text").forEach((t) => { t.dataset.initial = t.value; });
    if (form.classList.contains("table-form")) rebaseTable(form);
    setState(form, result.data.saved ? "已保存" : "没有修改", "good");
    refreshPreview(result.data.preview);
  }
  function watch(form) {
    const later = debounce(() => check(form), 350);
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", (event) => { event.preventDefault(); save(form); });
  }
  document.querySelectorAll("input.picker").forEach((picker) => {
    const text = picker.previousElementSibling;
    picker.addEventListener("change", () => { text.value = picker.value; text.dispatchEvent(new Event("input", { bubbles: true })); });
    text.addEventListener("input", () => { if (/^\d{4}-\d{2}-\d{2}$/.test(text.value)) picker.value = text.value; });
  });

  // Items added to or removed from a list (members, tiers…): saved at once,
  // then the page is loaded again to show the form as the data now is.
  document.querySelectorAll("button.item-op").forEach((button) => {
    button.addEventListener("click", async () => {
      const form = button.closest("form");
      if (changedFields(form).length) { window.alert("请先保存本页的修改，再添加或删除项。"); return; }
      if (button.dataset.op === "remove" && !window.confirm(button.textContent + "？")) return;
      const items = { op: button.dataset.op, path: JSON.parse(button.dataset.list) };
      const result = await post(base + "/save", { file: form.dataset.file, version: form.dataset.version, items: items });
      if (answered(form, result)) location.reload();
    });
  });

  // ------------------------------------------------------------ tables
  function tableData(form) { return JSON.parse(form.querySelector(".table-data").textContent); }
  function renderTable(form) {
    const data = tableData(form);
    form._columns = data.columns;
    const table = el("table", { class: "grid" });
    const head = el("tr");
    head.appendChild(el("th", {}, ""));
    for (const c of data.columns) head.appendChild(el("th", { title: c.formula ? "公式：" + c.formula : "" }, c.name));
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    data.rows.forEach((row, index) => body.appendChild(gridRow(form, row, index)));
    const foot = table.appendChild(el("tfoot"));
    if (data.total_label) {
      const total = el("tr", { class: "total" });
      total.appendChild(el("th", {}, ""));
      data.columns.forEach((c, i) => total.appendChild(el("td", { "data-col": c.name }, i === 0 ? data.total_label : "")));
      foot.appendChild(total);
      const printed = el("tr", { class: "printed" });
      printed.appendChild(el("th", {}, ""));
      data.columns.forEach((c, i) => printed.appendChild(el("td", { "data-col": c.name }, i === 0 ? "原文印刷" : "")));
      foot.appendChild(printed);
    }
    form.querySelector(".grid-wrap").appendChild(table);
    if (data.computed) updateTable(form, data.computed);
  }
  function gridRow(form, row, from) {
    const tr = el("tr");
    tr.dataset.from = from === null ? "" : String(from);
    const tools = el("th", { class: "tools" });
    for (const [label, title, op] of [["↑", "上移", "up"], ["↓", "下移", "down"], ["✕", "删除这一行", "remove"]]) {
      const b = el("button", { type: "button", title: title, "data-op": op }, label);
      tools.appendChild(b);
    }
    tr.appendChild(tools);
    for (const c of form._columns) {
      const computed = c.formula || c.kind === "row_number";
      const td = el("td", { "data-col": c.name, class: computed ? "computed" : "" });
      if (computed) td.textContent = row[c.name] || "";
      else {
        const input = el("input", { type: "text", "data-col": c.name, "aria-label": c.name, class: c.kind === "integer" || c.kind === "decimal" ? "num" : "" });
        input.value = row[c.name] || "";
        td.appendChild(input);
      }
      tr.appendChild(td);
    }
    return tr;
  }
  function tableRows(form) {
    return Array.from(form.querySelectorAll("tbody tr")).map((tr) => {
      const cells = {};
      tr.querySelectorAll("input[data-col]").forEach((input) => { cells[input.dataset.col] = input.value; });
      return { from: tr.dataset.from === "" ? null : Number(tr.dataset.from), cells: cells };
    });
  }
  function rebaseTable(form) {
    form.querySelectorAll("tbody tr").forEach((tr, index) => { tr.dataset.from = String(index); });
  }
  function updateTable(form, computed) {
    const rows = form.querySelectorAll("tbody tr");
    computed.rows.forEach((row, index) => {
      const tr = rows[index];
      if (!tr) return;
      tr.querySelectorAll("td.computed").forEach((td) => { td.textContent = row[td.dataset.col] || ""; });
    });
    const total = form.querySelector("tr.total");
    const printed = form.querySelector("tr.printed");
    if (total && computed.total) total.querySelectorAll("td[data-col]").forEach((td, i) => {
      if (i > 0) td.textContent = computed.total[td.dataset.col] || "";
      td.classList.toggle("mismatch", computed.mismatches.includes(td.dataset.col));
    });
    if (printed) printed.querySelectorAll("td[data-col]").forEach((td, i) => {
      if (i > 0) td.textContent = computed.printed[td.dataset.col] || "";
      td.classList.toggle("mismatch", computed.mismatches.includes(td.dataset.col));
    });
  }
  function setupTable(form) {
    renderTable(form);
    const changed = () => form.dispatchEvent(new Event("input"));
    form.addEventListener("click", (event) => {
      const op = event.target.dataset && event.target.dataset.op;
      if (!op) return;
      const tr = event.target.closest("tr");
      if (op === "up" && tr.previousElementSibling) tr.parentNode.insertBefore(tr, tr.previousElementSibling);
      if (op === "down" && tr.nextElementSibling) tr.parentNode.insertBefore(tr.nextElementSibling, tr);
      if (op === "remove") tr.remove();
      changed();
    });
    form.querySelector(".add-row").addEventListener("click", () => {
      form.querySelector("tbody").appendChild(gridRow(form, {}, null));
      changed();
    });
    // A block copied from a spreadsheet: tab-separated cells, one row a line.
    form.addEventListener("paste", (event) => {
      const input = event.target;
      if (!input.dataset || !input.dataset.col) return;
      const text = (event.clipboardData || window.clipboardData).getData("text");
      if (!/[\t\n]/.test(text.trim())) return;
      event.preventDefault();
      const lines = text.replace(/\r/g, "").replace(/\n$/, "").split("\n");
      let tr = input.closest("tr");
      const start = Array.from(tr.querySelectorAll("input[data-col]")).indexOf(input);
      for (const line of lines) {
        if (!tr) { tr = gridRow(form, {}, null); form.querySelector("tbody").appendChild(tr); }
        const inputs = tr.querySelectorAll("input[data-col]");
        line.split("\t").forEach((value, i) => { if (inputs[start + i]) inputs[start + i].value = value.trim(); });
        tr = tr.nextElementSibling;
      }
      changed();
    });
  }

  // ------------------------------------------------------------ prose
  let lastProse = document.querySelector(".prose-text");
  document.querySelectorAll(".prose-text").forEach((area) => area.addEventListener("focus", () => { lastProse = area; }));
  document.querySelectorAll("button.insert").forEach((button) => {
    button.addEventListener("click", () => {
      const area = lastProse;
      if (!area) return;
      const at = area.selectionStart || 0;
      area.setRangeText(button.dataset.insert, at, area.selectionEnd || at, "end");
      area.focus();
      area.dispatchEvent(new Event("input", { bubbles: true }));
      setState(area.form, "未保存的修改", "warn");
    });
  });

  // ------------------------------------------------------------ tabs
  function showTab(name) {
    document.querySelectorAll("[data-pane]").forEach((p) => { p.hidden = p.dataset.pane !== name; });
    document.querySelectorAll("[data-tab]").forEach((t) => t.setAttribute("aria-selected", String(t.dataset.tab === name)));
    const frame = document.querySelector('[data-pane="' + name + '"] iframe.diff');
    if (frame && !frame.src) frame.src = frame.dataset.src;
    history.replaceState(null, "", "#" + name);
  }
  document.querySelectorAll("[data-tab]").forEach((t) => t.addEventListener("click", () => showTab(t.dataset.tab)));

  // ------------------------------------------------------------ actions
  function result(lines, kind) {
    const box = document.getElementById("result");
    box.hidden = false;
    box.textContent = "";
    box.className = "result " + (kind || "");
    for (const line of lines) {
      if (line instanceof Node) box.appendChild(line);
      else box.appendChild(el("div", {}, line));
    }
  }
  function link(href, text) { const a = el("a", { href: href }, text); return a; }
  function newYearDone(d) {
    const line = el("div", {}, "已建立 " + d.target + "，日期和年份已顺延一年。");
    line.appendChild(document.createTextNode(" "));
    line.appendChild(link(d.url, "打开 " + d.target));
    return line;
  }
  async function action(name, url) {
    result(["正在" + { validate: "校验", build: "生成", "new-year": "建立新年度", publish: "发布" }[name] + "……"]);
    const r = await post(url);
    if (r.status !== 200) {
      const ps = r.data.problems || [{ text: r.data.message }];
      result(ps.map((p) => p.text || p.message), "bad");
      return;
    }
    const d = r.data;
    const warnings = (d.problems || []).map((p) => p.text || p.message);
    if (name === "validate") {
      result([d.ok ? "校验通过" + (d.previous ? "（已与 " + d.previous + " 年度比较）" : "") + "。" : "校验未通过：", ...warnings], d.ok ? "good" : "bad");
      showAll(d.problems);
    } else if (name === "build") {
      result(["已生成：", ...d.files.map((f) => link(f.url, "下载 " + f.format.toUpperCase() + "（" + f.pages + " 页）")), ...warnings], "good");
    } else if (name === "new-year") {
      result([newYearDone(d), ...d.checklist], "good");
    } else if (name === "publish") {
      const lines = [d.created ? "已发布：" + d.folder + "（第 " + d.revision + " 版）" : "已发布过：" + d.folder + "（第 " + d.revision + " 版），数据和模板没有改动，未写入文件。"];
      for (const rev of d.revisions) lines.push(rev.name + "：" + (rev.intact ? "核验完好" : "核验有问题：" + rev.findings.join("；")));
      result(lines, "good");
    }
  }
  document.querySelectorAll("[data-action]").forEach((button) => {
    button.addEventListener("click", () => {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      action(button.dataset.action, base + "/" + button.dataset.action);
    });
  });
  document.querySelectorAll("[data-post]").forEach((button) => {
    button.addEventListener("click", async () => {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      const r = await post(button.dataset.post);
      if (r.status === 200) result([newYearDone(r.data), ...r.data.checklist], "good");
      else result((r.data.problems || [{ text: r.data.message }]).map((p) => p.text || p.message), "bad");
    });
  });
  const newOffice = document.getElementById("new-office");
  if (newOffice) newOffice.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(newOffice).entries());
    const r = await post("/new", body);
    if (r.status === 200) location.href = r.data.url;
    else newOffice.querySelector(".problems").textContent = (r.data.problems || [{ message: r.data.message }]).map((p) => p.text || p.message).join("；");
  });

  // ------------------------------------------------------------ start
  document.querySelectorAll("form.file-form, form.prose-form").forEach(watch);
  document.querySelectorAll("form.table-form").forEach((form) => { setupTable(form); watch(form); });
  const initial = document.getElementById("initial");
  if (initial) {
    const data = JSON.parse(initial.textContent);
    showAll(data.problems);
    showSubsidies(data.subsidies);
    document.querySelectorAll("form.file-form").forEach((f) => showProblems(f, data.problems));
    const tab = location.hash.slice(1);
    showTab(document.querySelector('[data-pane="' + tab + '"]') ? tab : "document.yaml");
  }
})();
