// The quarterly service plan (issue "Requests", item 5) and the requests' statistics: common needs by
// category and grid against last quarter, adopting one into the plan with an owner and a due date (the
// members who raised them are told), the plan's items and their status, the XLSX export.
import { api, downloadFile } from "./core.js";
import {
  alertBox, field, fieldErrors, formMessage, input, loading, options, pageHeader, table, toast,
} from "./components.js";
import { label } from "./labels.js";
import { MemberPicker } from "./members.js";
import { html, nothing, render } from "./view.js";

const QUARTER = /^(\d{4})Q([1-4])$/;

/** The quarter of a day in Asia/Shanghai, as "2026Q4". */
export function quarterOf(date = new Date()) {
  const local = new Date(date.toLocaleString("en-US", { timeZone: "Asia/Shanghai" }));
  return `${local.getFullYear()}Q${Math.floor(local.getMonth() / 3) + 1}`;
}

/** The quarter `step` quarters after `q` (negative: before). */
export function shiftQuarter(q, step) {
  const [, y, n] = q.match(QUARTER);
  const index = Number(y) * 4 + Number(n) - 1 + step;
  return `${Math.floor(index / 4)}Q${(index % 4) + 1}`;
}

/** The quarter's last day, the default due date of an adopted item. */
function quarterEnd(q) {
  const [, y, n] = q.match(QUARTER);
  const end = new Date(Date.UTC(Number(y), Number(n) * 3, 0));
  return end.toISOString().slice(0, 10);
}

const num = (text) => ({ text, cls: "num" });
const pct = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 100)}%`);
const hours = (v) => (v === null || v === undefined ? "—" : `${v.toFixed(1)} 小时`);

export async function viewRequestPlan(root, quarterArg) {
  const quarter = quarterArg && QUARTER.test(quarterArg) ? quarterArg : quarterOf();
  let needs = null;
  let plan = null;
  let stats = null;
  let error = "";
  let adopting = null;  // the need being adopted, with its form state
  const picker = new MemberPicker(() => draw());

  const change = (n) => (n > 0 ? html`<span class="up">+${n}</span>` : n < 0 ? html`<span class="down">${n}</span>` : "0");

  function needsCard() {
    if (!needs) return loading();
    if (!needs.items.length) return html`<p class="muted">本季度还没有会员诉求。</p>`;
    return table({
      id: "needs-table",
      head: ["类别", "网格", num("本季度"), num(`上季度（${needs.previous}）`), num("变化"), ""],
      rows: needs.items.map((n) => html`<tr data-category=${n.category} data-grid=${n.grid?.name || ""}>
        <td>${n.category_label}</td><td>${n.grid ? n.grid.name : "全部网格"}</td>
        <td class="num">${n.this_quarter}</td><td class="num">${n.last_quarter}</td><td class="num">${change(n.change)}</td>
        <td><button class="btn btn-ghost btn-sm adopt" type="button" @click=${() => startAdopt(n)}>列入计划</button></td></tr>`),
    });
  }

  function adoptForm() {
    if (!adopting) return nothing;
    const n = adopting.need;
    return html`<div class="card" id="adopt-card"><h2>列入服务计划：${n.category_label} · ${n.grid ? n.grid.name : "全部网格"}</h2>
      <form class="form" id="adopt-form" novalidate @submit=${onAdopt}>
        ${formMessage(adopting.errors)}
        ${field({ name: "title", label: "事项", required: true, errors: adopting.errors, prefix: "adopt" },
          input({ value: `${n.grid ? `${n.grid.name}：` : ""}${n.category_label}诉求集中解决`, maxlength: 100 }))}
        ${field({ name: "description", label: "说明", errors: adopting.errors, prefix: "adopt" },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="2000"></textarea>`)}
        ${picker.view("owner-search", adopting.errors, "owner_id", "负责人")}
        ${field({ name: "due_on", label: "完成期限", required: true, errors: adopting.errors, prefix: "adopt" },
          input({ type: "date", value: quarterEnd(quarter) }))}
        <small class="hint">本季度该类别${n.grid ? "、该网格" : ""}的 ${n.this_quarter} 件诉求会关联到此事项，提出诉求的会员会收到通知。</small>
        <div class="form-actions"><button type="button" class="btn btn-ghost" @click=${() => { adopting = null; draw(); }}>取消</button>
          <button class="btn btn-primary ${adopting.busy ? "is-busy" : ""}" ?disabled=${adopting.busy} id="adopt-submit">列入计划</button></div>
      </form></div>`;
  }

  function planCard() {
    if (!plan) return loading();
    if (!plan.items.length) return html`<p class="muted">本季度的服务计划还没有事项。从上方的共性诉求中列入。</p>`;
    return table({
      id: "plan-table",
      head: ["事项", "类别", "网格", "负责人", "完成期限", num("关联诉求"), "状态"],
      rows: plan.items.map((i) => html`<tr data-item-id=${i.id}>
        <td>${i.title}${i.description ? html`<div class="sub">${i.description}</div>` : nothing}</td>
        <td>${i.category_label}</td><td>${i.grid ? i.grid.name : "全部网格"}</td><td>${i.owner.name}</td>
        <td class="nowrap">${i.due_on}</td><td class="num">${i.request_count}</td>
        <td><select class="select-sm plan-status" aria-label="状态" @change=${(e) => setStatus(i, e.currentTarget.value)}>
          ${options("plan_item_status", i.status)}</select></td></tr>`),
    });
  }

  function statsCard() {
    if (!stats) return loading();
    const rows = (groups) => groups.map((g) => html`<tr data-key=${g.key}><td>${g.label}</td><td class="num">${g.count}</td>
      <td class="num">${hours(g.first_response_hours_median)}</td><td class="num">${hours(g.resolution_hours_median)}</td>
      <td class="num">${pct(g.on_time_rate)}</td><td class="num">${pct(g.resolved_rate)}</td></tr>`);
    const head = ["", ...["件数", "首次响应（中位）", "办结（中位）", "按时率", "办结率"].map(num)];
    return html`<p class="muted">${stats.from} 至 ${stats.to}，共 ${stats.total.count} 件；少于 5 件的分组合并为“其他”。</p>
      <h3>按类别</h3>${table({ id: "stats-by-category", head, rows: rows(stats.by_category) })}
      <h3>按网格</h3>${table({ id: "stats-by-grid", head, rows: rows(stats.by_grid) })}`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        back: { href: "#/requests", text: "返回诉求列表" },
        title: html`服务计划 <span id="plan-quarter">${quarter}</span>`,
        sub: "共性诉求按类别和网格汇总，与上季度比较；列入计划后指定负责人和期限",
        actions: html`<a class="btn btn-ghost btn-sm" id="prev-quarter" href="#/requests/plan/${shiftQuarter(quarter, -1)}">‹ 上季度</a>
          <a class="btn btn-ghost btn-sm" id="next-quarter" href="#/requests/plan/${shiftQuarter(quarter, 1)}">下季度 ›</a>
          <button class="btn btn-ghost btn-sm" id="plan-export" type="button" @click=${onExport}>导出 Excel</button>`,
      })}
      ${error ? alertBox(error) : nothing}
      <div class="card" id="needs-card"><h2>共性诉求</h2>${needsCard()}</div>
      ${adoptForm()}
      <div class="card" id="plan-card"><h2>本季度服务计划</h2>${planCard()}</div>
      <div class="card" id="stats-card"><h2>响应与办结统计</h2>${statsCard()}</div>
    </div>`, root);
  }

  async function load() {
    try {
      [needs, plan] = await Promise.all([
        api(`/requests/plan/needs?quarter=${quarter}`), api(`/requests/plan?quarter=${quarter}&per_page=100`)]);
    } catch (e) {
      error = e.message;
    }
    draw();
  }

  async function loadStats() {
    const [, y, n] = quarter.match(QUARTER);
    const from = `${y}-${String((Number(n) - 1) * 3 + 1).padStart(2, "0")}-01`;
    const end = quarterEnd(quarter);
    const today = new Date().toISOString().slice(0, 10);
    try {
      stats = await api(`/requests/stats?from=${from}&to=${end < today ? end : today}`);
    } catch (e) {
      stats = { from, to: end, total: { count: 0 }, by_category: [], by_grid: [] };
      error = error || e.message;
    }
    draw();
  }

  function startAdopt(need) {
    adopting = { need, errors: { fields: {}, alerts: [] }, busy: false };
    picker.chosen = [];
    draw();
    root.querySelector("#adopt-card")?.scrollIntoView({ block: "center" });
  }

  async function onAdopt(e) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = form.elements;
    const owner = picker.ids.at(-1);
    if (!owner) {
      adopting.errors = { fields: { owner_id: "请查找并选择负责人" }, alerts: [] };
      draw();
      return;
    }
    adopting.busy = true;
    draw();
    const n = adopting.need;
    try {
      await api("/requests/plan", { method: "POST", body: {
        quarter, category: n.category, grid_id: n.grid ? n.grid.id : null, title: f.title.value.trim(),
        description: f.description.value.trim() || null, owner_id: owner, due_on: f.due_on.value,
      } });
      adopting = null;
      toast("已列入服务计划，已通知提出诉求的会员");
      await load();
    } catch (err) {
      adopting.errors = fieldErrors(form, err);
      adopting.busy = false;
      draw();
    }
  }

  async function setStatus(item, status) {
    try {
      await api(`/requests/plan/${item.id}`, { method: "PATCH", body: { status } });
      toast(`已更新为「${label("plan_item_status", status)}」`);
      await load();
    } catch (e) {
      toast(e.message, "error");
    }
  }

  function onExport(e) {
    downloadFile(`/requests/plan/export.xlsx?quarter=${quarter}`, `${quarter}服务计划.xlsx`, e.currentTarget);
  }

  draw();
  await Promise.all([load(), loadStats()]);
}

