// The fund ledger's books (API.md "Union fund (经费) ledger"): the published months with their hash chain,
// publication and the chain check; a year's budgets against the actual; the chart of categories; the audit
// trail of every change. Entries and approvals are in fund.js.
import { ApiError, api, downloadFile, fmtTime } from "./core.js";
import {
  PagedList, alertBox, confirmDialog, field, formActions, formMessage, formState, input, loading, options,
  pageHeader, pagedTable, submitForm, table, toast, toneBadge,
} from "./components.js";
import { label } from "./labels.js";
import {
  amountError, fundError, fundTabs, isAdmin, loadCategories, previousMonth, thisMonth, yuan, yuanInput,
  yuanToFen,
} from "./fund.js";
import { cssProps, html, nothing, render } from "./view.js";

// --- months ---------------------------------------------------------------------------------------

/** The chain check's answer as a badge and a line (GET /fund/verify). */
function verifyView(v) {
  if (!v) return loading();
  return v.ok
    ? html`<p id="fund-verify" data-ok="true">${toneBadge("账链完整", "open")}
      各已公开月份的分录与其哈希一致，哈希链首尾相连。</p>`
    : html`<p id="fund-verify" data-ok="false" data-broken-at=${v.broken_at}>${toneBadge("账链断裂", "danger")}
      <b>${v.broken_at}</b> 起存储的分录与公开时的哈希不一致，请立即核查。</p>`;
}

export async function viewFundMonths(root) {
  const admin = isAdmin();
  const months = new PagedList({ path: "/fund/months", perPage: 12, draw });
  const state = formState();
  let verify = null;
  let verifyError = null;

  async function check() {
    verify = null;
    verifyError = null;
    draw();
    try {
      verify = await api("/fund/verify");
    } catch (e) {
      verifyError = e;
    }
    draw();
  }

  const row = (m) => html`<tr data-month=${m.month}>
    <td class="nowrap"><b>${m.month}</b><div class="sub">${fmtTime(m.published_at)} 公开</div></td>
    <td class="num" data-fen=${m.income_fen}>${yuan(m.income_fen)}</td>
    <td class="num" data-fen=${m.expense_fen}>${yuan(m.expense_fen)}</td>
    <td class="num" data-fen=${m.balance_fen}>${yuan(m.balance_fen)}</td>
    <td class="num">${m.entries_count}</td>
    <td class="hashes"><div class="mono hash" title="本月哈希">${m.hash}</div>
      <div class="mono sub prev-hash" title="上月哈希">上月：${m.prev_hash || "（首个公开月份）"}</div></td>
    <td class="actions"><button class="btn btn-ghost btn-sm statement" type="button"
      @click=${(e) => downloadFile(`/fund/months/${m.month}/statement.pdf`, null, e.currentTarget)}>对账单 PDF</button></td></tr>`;

  function publishForm() {
    return html`<div class="card" id="publish-card"><h2>公开月度收支</h2>
      <p class="muted">公开后该月分录不能再修改或删除（更正须在以后月份录入冲销分录），全体会员会收到通知。
        须按月份顺序公开，当月结束后方可公开。</p>
      <form class="form" id="publish-form" novalidate @submit=${(ev) => submitForm(state, ev, draw, async (el) => {
        const month = el.month.value;
        if (!month) throw new ApiError(400, "invalid_request", "", { fields: { month: "请选择月份" } });
        if (!await confirmDialog(`公开 ${month} 的经费收支？`,
          "公开后该月的分录将被封存（哈希链），不能修改或删除；全体会员将收到公开通知。", "确认公开")) return;
        try {
          const out = await api(`/fund/months/${month}/publish`, { method: "POST" });
          toast(`${out.month} 已公开`);
        } catch (e) {
          if (e.status !== 409) throw e;
          throw new ApiError(409, e.code, fundError(e), {});
        }
        await Promise.all([months.restart(), check()]);
      })}>
        ${formMessage(state.errors)}
        ${field({ name: "month", label: "月份", errors: state.errors, prefix: "publish" },
          input({ type: "month", value: previousMonth(thisMonth()) }))}
        ${formActions("公开", state)}
      </form></div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ title: "经费收支", sub: "每月公开收支明细，以哈希链封存：任何已公开分录被改动都会被校验发现" })}
      ${fundTabs("months")}
      <div class="card" id="verify-card"><div class="card-head"><h2>账链校验</h2>
        <button class="btn btn-ghost btn-sm" id="verify-again" type="button" @click=${check}>重新校验</button></div>
        ${verifyError ? alertBox(verifyError.message) : verifyView(verify)}</div>
      ${admin ? publishForm() : nothing}
      <div class="card">${pagedTable(months, { id: "fund-months", row, empty: html`<p>还没有公开的月份。</p>`,
        head: ["月份", { text: "收入", cls: "num" }, { text: "支出", cls: "num" }, { text: "结余", cls: "num" },
          { text: "分录", cls: "num" }, "哈希（SHA-256）", "对账单"] })}</div>
    </div>`, root);
  }

  await Promise.all([months.load(), check()]);
  return undefined;
}

// --- budgets --------------------------------------------------------------------------------------

export async function viewFundBudgets(root, yearArg = null) {
  const year = Number(yearArg || thisMonth().slice(0, 4));
  const admin = isAdmin();
  const state = formState();
  let report = await api(`/fund/budgets/${year}`);

  const rateWidth = (rate) => `${Math.min(100, Number(rate))}%`;

  const row = (l, i) => html`<tr data-category=${l.category}>
    <td class="nowrap">${l.category} ${l.name}</td>
    <td>${label("fund_kind", l.kind)}</td>
    <td class="num">${admin ? html`<input class="input-sm budget-input" name="budget.${l.category}" data-index=${i}
      aria-label="${l.name}预算（元）" inputmode="decimal" .value=${l.budget_fen === null ? "" : yuanInput(l.budget_fen)}>`
      : l.budget_fen === null ? "—" : yuan(l.budget_fen)}
      <small class="field-error" data-error-for="items.${i}">${state.errors.fields[`items.${i}`] || nothing}</small></td>
    <td class="num" data-fen=${l.actual_fen}>${yuan(l.actual_fen)}</td>
    <td class="num rate">${l.rate === null ? "—" : html`${l.rate}%
      <div class="progress"><span class=${Number(l.rate) > 100 ? "over" : ""} ${cssProps({ width: rateWidth(l.rate) })}></span></div>`}</td></tr>`;

  async function save(el) {
    const items = [];
    const fields = {};
    report.items.forEach((l, i) => {
      const fen = yuanToFen(el[`budget.${l.category}`].value);
      if (fen === undefined) return;
      const msg = fen === 0 ? null : amountError(fen);
      if (msg) fields[`items.${i}`] = msg;
      else items.push({ category: l.category, amount_fen: fen });
    });
    if (Object.keys(fields).length) throw new ApiError(400, "invalid_request", "", { fields });
    report = await api(`/fund/budgets/${year}`, { method: "PUT", body: { items } });
    toast(`${year} 年预算已保存`);
  }

  function draw() {
    const sum = (kind, key) => report.items.filter((l) => l.kind === kind)
      .reduce((s, l) => s + BigInt(l[key] ?? 0), 0n);
    render(html`<div class="page">
      ${pageHeader({ title: "经费收支", sub: `${year} 年预算执行：实际数为已入账分录（冲销抵减）${report.includes_unpublished ? "，含未公开月份" : "，仅含已公开月份"}`,
        actions: html`<a class="btn btn-ghost btn-sm" href="#/fund/budgets/${year - 1}">‹ ${year - 1}</a>
          <a class="btn btn-ghost btn-sm" href="#/fund/budgets/${year + 1}">${year + 1} ›</a>` })}
      ${fundTabs("budgets")}
      <div class="card"><form class="form" id="budget-form" novalidate
        @submit=${(ev) => submitForm(state, ev, draw, save)}>
        ${formMessage(state.errors)}
        ${table({ id: "fund-budgets", rows: report.items.map(row),
          head: ["科目", "类型", { text: "预算（元）", cls: "num" }, { text: "实际（元）", cls: "num" }, { text: "执行率", cls: "num" }] })}
        <p class="muted" id="budget-sums">收入预算 ${yuan(sum("income", "budget_fen"))}，实际 ${yuan(sum("income", "actual_fen"))}；
          支出预算 ${yuan(sum("expense", "budget_fen"))}，实际 ${yuan(sum("expense", "actual_fen"))}</p>
        ${admin ? html`<p class="hint">留空表示该科目不设预算。</p>${formActions("保存预算", state)}` : nothing}
      </form></div></div>`, root);
  }

  draw();
  return undefined;
}

// --- categories -----------------------------------------------------------------------------------

export async function viewFundCategories(root) {
  if (!isAdmin()) { location.hash = "#/fund/months"; return undefined; }
  let cats = await loadCategories();
  const state = formState();
  let message = null;

  async function act(work, done) {
    message = null;
    try {
      await work();
      toast(done);
      cats = await loadCategories();
    } catch (e) {
      message = fundError(e);
    }
    draw();
  }

  const rename = (c, tr) => act(() => api(`/fund/categories/${c.code}`,
    { method: "PATCH", body: { name: tr.querySelector(".cat-name").value.trim() } }), "科目名称已保存");
  const toggle = (c) => act(() => api(`/fund/categories/${c.code}`, { method: "PATCH", body: { active: !c.active } }),
    c.active ? "科目已停用" : "科目已启用");
  async function remove(c) {
    if (!await confirmDialog(`删除科目 ${c.code} ${c.name}？`, "已使用的科目不能删除，可以停用。", "删除")) return;
    await act(() => api(`/fund/categories/${c.code}`, { method: "DELETE" }), "科目已删除");
  }

  const row = (c) => html`<tr data-code=${c.code}>
    <td class="mono">${c.code}</td>
    <td><input class="input-sm cat-name" aria-label="科目名称" maxlength="40" .value=${c.name}></td>
    <td>${label("fund_kind", c.kind)}</td>
    <td>${c.active ? toneBadge("使用中", "open") : toneBadge("已停用", "muted")}</td>
    <td class="actions nowrap">
      <button class="btn btn-ghost btn-sm" type="button" @click=${(e) => rename(c, e.currentTarget.closest("tr"))}>保存名称</button>
      <button class="btn btn-ghost btn-sm toggle" type="button" @click=${() => toggle(c)}>${c.active ? "停用" : "启用"}</button>
      <button class="btn btn-danger-ghost btn-sm" type="button" @click=${() => remove(c)}>删除</button></td></tr>`;

  function draw() {
    const f = (o, c) => field({ ...o, errors: state.errors, prefix: "cat" }, c);
    render(html`<div class="page">
      ${pageHeader({ title: "经费收支", sub: "科目参照《工会会计制度》收入支出科目；停用的科目不能再录入新分录" })}
      ${fundTabs("categories")}
      <div class="card"><div class="form-message" id="category-message">${message ? alertBox(message) : nothing}</div>
        ${table({ id: "fund-categories", rows: cats.map(row), head: ["编码", "名称", "类型", "状态", "操作"] })}</div>
      <div class="card"><h2>新增科目</h2>
        <form class="form" id="category-form" novalidate @submit=${(ev) => submitForm(state, ev, draw, async (el) => {
          await api("/fund/categories", { method: "POST",
            body: { code: el.code.value.trim(), kind: el.kind.value, name: el.name.value.trim() } });
          el.code.value = "";
          el.name.value = "";
          toast("科目已添加");
          cats = await loadCategories();
        })}>${formMessage(state.errors)}
          <div class="grid-2">${f({ name: "code", label: "编码", required: true, hint: "字母、数字，例如 5011" }, input({ maxlength: 20 }))}
            ${f({ name: "kind", label: "类型", required: true }, (a) => html`<select id=${a.id} name=${a.name}>${options("fund_kind", "expense")}</select>`)}</div>
          ${f({ name: "name", label: "名称", required: true }, input({ maxlength: 40 }))}
          ${formActions("添加", state)}</form></div></div>`, root);
  }

  draw();
  return undefined;
}

// --- the audit trail ------------------------------------------------------------------------------

const ENTITIES = [["fund_entry", "分录"], ["fund_month", "月度公开"], ["fund_budget", "预算"], ["fund_category", "科目"]];
const ACTIONS = { create: "新增", update: "修改", delete: "删除", approve: "批准", reject: "驳回", publish: "公开" };
const FIELDS = {
  date: "日期", kind: "类型", category: "科目", amount_fen: "金额", counterparty: "对方", note: "摘要", status: "状态",
  reverses: "冲销", reversed_fen: "已冲销", attachments: "发票", reject_reason: "驳回理由", name: "名称", active: "启用",
  income_fen: "收入", expense_fen: "支出", entries_count: "分录数", hash: "哈希", prev_hash: "上月哈希", code: "编码",
  position: "排序", month: "月份", decided_by: "审批人", created_by: "录入人", updated_by: "修改人",
};

/** One value of a snapshot as read: fen as yuan, statuses and kinds by their labels, lists by their length. */
function shown(key, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (key.endsWith("_fen") && Number.isInteger(value)) return yuan(value);
  if (key === "status") return label("fund_entry_status", value);
  if (key === "kind") return label("fund_kind", value);
  if (key === "reverses") return `#${value}`;
  if (Array.isArray(value)) return `${value.length} 个`;
  if (typeof value === "boolean") return value ? "是" : "否";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * before → after, compactly: an update lists only the fields that changed (old struck through, new after the
 * arrow); a create or a delete is one line of its non-empty fields.
 */
export function auditDiff(before, after) {
  if (before && after) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (!keys.length) return html`<span class="muted">无字段变化</span>`;
    return html`<ul class="diff">${keys.map((k) => html`<li data-key=${k}>${FIELDS[k] || k}：<del>${shown(k, before[k])}</del>
      → <ins>${shown(k, after[k])}</ins></li>`)}</ul>`;
  }
  const row = after || before || {};
  const keys = Object.keys(row).filter((k) => k !== "id" && shown(k, row[k]) !== "—" && !(Array.isArray(row[k]) && !row[k].length));
  return html`<span class="diff-line">${keys.map((k, i) => html`${i ? " · " : ""}<span data-key=${k}>${FIELDS[k] || k} ${shown(k, row[k])}</span>`)}</span>`;
}

export async function viewFundAudit(root) {
  if (!isAdmin()) { location.hash = "#/fund/months"; return undefined; }
  const filters = { entity: "", entity_id: "" };
  const list = new PagedList({ path: "/audit-trail", query: () => filters, perPage: 30, draw });

  const entityName = (e) => ENTITIES.find(([k]) => k === e)?.[1] || e;
  const link = (r) => (r.entity === "fund_entry" && r.action !== "delete"
    ? html`<a href="#/fund/entries/${r.entity_id}">#${r.entity_id}</a>` : r.entity_id);

  const row = (r) => html`<tr data-audit-id=${r.id} data-action=${r.action}>
    <td class="nowrap">${fmtTime(r.at)}</td>
    <td class="nowrap">${r.actor?.name || "系统"}</td>
    <td class="nowrap">${entityName(r.entity)} ${link(r)}</td>
    <td class="nowrap">${ACTIONS[r.action] || r.action}</td>
    <td>${auditDiff(r.before, r.after)}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ title: "经费收支", sub: "审计记录只增不改：谁在何时做了什么，改动前后的内容" })}
      ${fundTabs("audit")}
      <div class="card"><div class="card-head filters">
        <select class="select-sm" id="audit-entity" aria-label="按对象筛选"
          @change=${(ev) => { filters.entity = ev.target.value; list.restart(); }}>
          <option value="">全部对象</option>${ENTITIES.map(([k, t]) => html`<option value=${k} ?selected=${k === filters.entity}>${t}</option>`)}</select>
        <input class="input-sm audit-id" id="audit-entity-id" aria-label="编号" placeholder="编号，如 12 或 2026-11"
          @change=${(ev) => { filters.entity_id = ev.target.value.trim(); list.restart(); }}>
      </div>
      ${pagedTable(list, { id: "audit-trail", row, empty: html`<p>没有审计记录。</p>`,
        head: ["时间", "操作人", "对象", "操作", "内容（改动前 → 改动后）"] })}</div></div>`, root);
  }

  await list.load();
  return undefined;
}
