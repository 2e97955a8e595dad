// The union fund ledger (API.md "Union fund (经费) ledger"): a month's entries with exact totals, the entry
// form (yuan typed as text, parsed to integer fen; invoices as images or PDFs), one entry's page (edit and
// delete while its month is open, approval by another admin, reversal once published) and the approval
// queue. Months, budgets, categories and the audit trail are in fundbooks.js. Amounts are integer fen
// everywhere; sums are BigInt, so no total ever loses a fen.
import { ApiError, LEDGER_ROLES, api, downloadFile, fmtTime, hasRole, parts, uploadFile } from "./core.js";
import {
  PagedList, alertBox, confirmDialog, field, filterSelect, formActions, formMessage, formState, input,
  loading, options, pageHeader, pagedTable, statusBadge, submitForm, table, toast, toneBadge,
} from "./components.js";
import { label } from "./labels.js";
import { html, nothing, render } from "./view.js";

// --- money ----------------------------------------------------------------------------------------

// At most 12 digits of yuan and 2 of fen: the server's limit (10^14 fen) stays exact as a Number.
const YUAN = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/**
 * Yuan typed by staff ("1,234.5", "¥12", "0.29") as integer fen, read digit by digit from the text (never
 * a float times 100, which would make 0.29 yuan 28.999… fen). undefined when empty, null when malformed.
 */
export function yuanToFen(text) {
  const t = String(text ?? "").trim().replace(/^[¥￥]/, "").replace(/[,，\s]/g, "");
  if (t === "") return undefined;
  const m = YUAN.exec(t);
  if (!m) return null;
  return Number(BigInt(m[1]) * 100n + BigInt((m[2] || "").padEnd(2, "0")));
}

/** Integer fen (a Number or a BigInt) as yuan text with thousands separators: 123456 → "1,234.56". */
export function fenText(fen) {
  const v = BigInt(fen);
  const a = v < 0n ? -v : v;
  const whole = (a / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${v < 0n ? "-" : ""}${whole}.${(a % 100n).toString().padStart(2, "0")}`;
}

/** "¥1,234.56", "-¥12.00". */
export const yuan = (fen) => (BigInt(fen) < 0n ? `-¥${fenText(-BigInt(fen))}` : `¥${fenText(fen)}`);

/** The plain yuan text an input starts with (no separators): 123456 → "1234.56". */
export const yuanInput = (fen) => fenText(fen).replaceAll(",", "");

/** An amount as it counts in the totals: a reversal takes its amount back. */
export const signedFen = (e) => BigInt(e.amount_fen) * (e.reverses ? -1n : 1n);

/** The amount field's check before sending: the message beside the field, or null. */
export function amountError(fen) {
  if (fen === undefined) return "请填写金额";
  if (fen === null) return "金额格式不正确：请填写数字，最多两位小数，例如 1234.56";
  if (fen <= 0) return "金额必须大于 0";
  return null;
}

// --- shared by the ledger's pages -----------------------------------------------------------------

export const isAdmin = () => hasRole(["admin"]);
export const isKeeper = () => hasRole(LEDGER_ROLES);

/** This month in Beijing time, "2026-12". */
export const thisMonth = () => parts(new Date()).date.slice(0, 7);

/** "2026-12" → "2026-11". */
export function previousMonth(month) {
  const [y, m] = month.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

// The server's messages are Chinese already; these say the same where an answer carries none.
const FUND_ERRORS = {
  month_published: "该月经费收支已公开，不能修改或删除；请在以后月份录入冲销分录",
  month_not_over: "该月尚未结束，下月起方可公开",
  entries_pending: "该月还有待审批的分录，审批后才能公开",
  previous_month_unpublished: "上一个月尚未公开，请按月份顺序公开",
  self_approval: "不能审批自己录入或修改的分录，请由另一位管理员审批",
  reversal_exceeds: "冲销金额超过原分录尚未冲销的金额",
  entry_reversed: "该分录已被冲销，不能修改金额、科目或删除",
  invalid_transition: "分录状态已变化，已为您刷新",
  forbidden: "您没有此操作的权限",
};

/** A refusal as staff read it, in Chinese. */
export const fundError = (e) => e.message || FUND_ERRORS[e.code] || "操作失败，请稍后重试";

/** The ledger's tabs; each shows to those its page is for. */
export function fundTabs(active) {
  const tabs = [
    ["entries", "#/fund", "收支明细", isKeeper()],
    ["approvals", "#/fund/approvals", "待审批", isAdmin()],
    ["months", "#/fund/months", "月度公开", true],
    ["budgets", "#/fund/budgets", "预算执行", true],
    ["categories", "#/fund/categories", "科目", isAdmin()],
    ["audit", "#/fund/audit", "审计记录", isAdmin()],
  ];
  return html`<nav class="fund-tabs" aria-label="经费">${tabs.filter((t) => t[3]).map(([key, href, text]) => html`
    <a href=${href} data-tab=${key} class=${key === active ? "active" : ""}>${text}</a>`)}</nav>`;
}

/** Every page of a list (per_page 100) for totals over all of it. */
export async function allPages(path, query = {}) {
  const items = [];
  for (let page = 1; ; page++) {
    const q = new URLSearchParams({ page, per_page: 100 });
    for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
    const data = await api(`${path}?${q}`);
    items.push(...data.items);
    if (!data.items.length || items.length >= data.total) return items;
  }
}

/** The chart of categories (GET /fund/categories), inactive ones included. */
export const loadCategories = async () => (await api("/fund/categories")).items;

const amountCell = (e) => html`<td class="num" data-fen=${String(signedFen(e))}>${yuan(signedFen(e))}</td>`;

/** Keeps a view on a fund page the member may open; false after sending them elsewhere. */
function allowed(ok, root) {
  if (ok) return true;
  render(html`<div class="page">${fundTabs("")}${alertBox("此页面仅限经费会计和管理员使用")}</div>`, root);
  return false;
}

// --- a month's entries ----------------------------------------------------------------------------

export async function viewFundEntries(root, monthArg = null) {
  if (!isKeeper()) { location.hash = "#/fund/months"; return undefined; }
  const month = monthArg || thisMonth();
  const filters = { kind: "", category: "", status: "" };
  let items = null;
  let error = null;
  let published = null;
  let seq = 0;
  const cats = await loadCategories();

  async function load() {
    const mine = ++seq;
    items = null;
    draw();
    try {
      const got = await allPages("/fund/entries", { month, ...filters });
      if (mine === seq) { items = got; error = null; }
    } catch (e) {
      if (mine === seq) error = e;
    }
    if (mine === seq) draw();
  }

  function totals() {
    const sum = { income: 0n, expense: 0n, pending: 0n, pendingCount: 0 };
    for (const e of items) {
      if (e.status === "approved") sum[e.kind] += signedFen(e);
      else if (e.status === "pending") { sum.pending += signedFen(e); sum.pendingCount += 1; }
    }
    return html`<div class="kpis fund-kpis" id="fund-totals">
      <div class="kpi"><b data-total="income" data-fen=${String(sum.income)}>${yuan(sum.income)}</b><span>已入账收入</span></div>
      <div class="kpi"><b data-total="expense" data-fen=${String(sum.expense)}>${yuan(sum.expense)}</b><span>已入账支出</span></div>
      <div class="kpi"><b data-total="balance" data-fen=${String(sum.income - sum.expense)}>${yuan(sum.income - sum.expense)}</b>
        <span>收支差额${sum.pendingCount ? `（另有 ${sum.pendingCount} 条待审批，${yuan(sum.pending)}）` : ""}</span></div>
    </div><p class="hint">合计按当前筛选条件计算；冲销分录以负数计入。</p>`;
  }

  const row = (e) => html`<tr data-entry-id=${e.id}>
    <td class="nowrap">${e.date}</td>
    <td>${statusBadge("fund_kind", e.kind)}</td>
    <td class="nowrap">${e.category} ${e.category_name}</td>
    ${amountCell(e)}
    <td><a class="event-link" href="#/fund/entries/${e.id}">${e.counterparty}</a>
      ${e.reverses ? html`<div class="sub">冲销 #${e.reverses}</div>` : nothing}
      ${e.note ? html`<div class="sub">${e.note}</div>` : nothing}</td>
    <td class="num">${e.attachments.length || "—"}</td>
    <td>${statusBadge("fund_entry_status", e.status)}</td>
    <td class="nowrap">${e.created_by?.name || "—"}</td></tr>`;

  function list() {
    if (error) return alertBox(error.message);
    if (!items) return loading();
    if (!items.length) return html`<div class="empty"><p>${Object.values(filters).some(Boolean) ? "没有符合条件的分录。" : "本月还没有分录。"}</p></div>`;
    return html`${totals()}${table({ id: "fund-entries", rows: items.map(row),
      head: ["日期", "类型", "科目", { text: "金额（元）", cls: "num" }, "对方单位/个人", { text: "发票", cls: "num" }, "状态", "录入人"] })}`;
  }

  const catOptions = () => cats.filter((c) => !filters.kind || c.kind === filters.kind)
    .map((c) => html`<option value=${c.code} ?selected=${c.code === filters.category}>${c.code} ${c.name}</option>`);

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ title: "经费收支", sub: html`${month} ${published === null ? nothing : published
        ? toneBadge("已公开", "open") : toneBadge("未公开", "idle")}`,
        actions: html`
          <input type="month" class="select-sm" id="fund-month" aria-label="月份" .value=${month}
            @change=${(ev) => { if (ev.target.value) location.hash = `#/fund/entries/${ev.target.value}`; }}>
          <button class="btn btn-ghost btn-sm" id="fund-export" type="button" @click=${(ev) =>
            downloadFile(`/fund/entries/export?month=${month}&format=xlsx`, null, ev.currentTarget)}>导出 Excel</button>
          <a class="btn btn-primary btn-sm" id="new-entry" href="#/fund/entries/new">录入分录</a>` })}
      ${fundTabs("entries")}
      <div class="card"><div class="card-head filters">
        ${filterSelect({ id: "fund-kind", ariaLabel: "按类型筛选", all: "全部类型", vocab: "fund_kind", value: filters.kind,
          onChange: (v) => { filters.kind = v; filters.category = ""; load(); } })}
        <select class="select-sm" id="fund-category" aria-label="按科目筛选"
          @change=${(ev) => { filters.category = ev.target.value; load(); }}>
          <option value="" ?selected=${!filters.category}>全部科目</option>${catOptions()}</select>
        ${filterSelect({ id: "fund-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "fund_entry_status",
          value: filters.status, onChange: (v) => { filters.status = v; load(); } })}
      </div>${list()}</div></div>`, root);
  }

  api(`/fund/months/${month}`).then(() => { published = true; }, () => { published = false; }).then(draw);
  await load();
  return undefined;
}

// --- the entry form -------------------------------------------------------------------------------

/** The form's fields; `entry` fills them (editing), `original` fixes kind and category (a reversal). */
function entryFields({ state, cats, values, kind, onKind, fixed = false, invoices = true }) {
  const f = (o, c) => field({ ...o, errors: state.errors, prefix: "entry" }, c);
  const usable = cats.filter((c) => c.kind === kind && (c.active || c.code === values.category));
  return html`
    <div class="grid-2">
      ${f({ name: "date", label: "日期", required: true }, input({ type: "date", value: values.date }))}
      ${f({ name: "kind", label: "类型", required: true }, (a) => html`<select id=${a.id} name=${a.name}
        ?disabled=${fixed} @change=${(ev) => onKind(ev.target.value)}>${options("fund_kind", kind)}</select>`)}
    </div>
    <div class="grid-2">
      ${f({ name: "category", label: "科目", required: true }, (a) => html`<select id=${a.id} name=${a.name} ?disabled=${fixed}>
        <option value="">请选择</option>${usable.map((c) => html`<option value=${c.code}
          ?selected=${c.code === values.category}>${c.code} ${c.name}</option>`)}</select>`)}
      ${f({ name: "amount_fen", label: "金额（元）", required: true, hint: "例如 1234.56，最多两位小数" },
        (a) => html`<input id=${a.id} name="amount" inputmode="decimal" autocomplete="off" .value=${values.amount || ""}>`)}
    </div>
    ${f({ name: "counterparty", label: "对方单位/个人", required: true }, input({ maxlength: 100, value: values.counterparty }))}
    ${f({ name: "note", label: "摘要" }, (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="500"
      .value=${values.note || ""}></textarea>`)}
    ${invoices ? f({ name: "attachments", label: "发票", hint: "图片（JPEG、PNG、WebP）或 PDF，每个不超过 5 MB，最多 10 个" },
      (a) => html`<input id=${a.id} name="invoices" type="file" multiple
        accept="image/jpeg,image/png,image/webp,application/pdf">`) : nothing}`;
}

/** The typed amount as fen, or a refusal beside the field (nothing is sent). */
function readAmount(el) {
  const fen = yuanToFen(el.amount.value);
  const msg = amountError(fen);
  if (msg) throw new ApiError(400, "invalid_request", "", { fields: { amount_fen: msg } });
  return fen;
}

export async function viewNewFundEntry(root, reverses = null) {
  if (!allowed(isKeeper(), root)) return undefined;
  const cats = await loadCategories();
  const original = reverses ? await api(`/fund/entries/${reverses}`) : null;
  const state = formState();
  const today = parts(new Date()).date;
  const values = original
    ? { date: today, category: original.category, counterparty: original.counterparty,
      amount: yuanInput(original.amount_fen - original.reversed_fen), note: `冲销 #${original.id}：` }
    : { date: today };
  let kind = original ? original.kind : "expense";

  function draw() {
    render(html`<div class="page page-narrow">
      ${pageHeader({ title: original ? "录入冲销分录" : "录入分录",
        back: original ? { href: `#/fund/entries/${original.id}`, text: "返回原分录" } : { href: "#/fund", text: "返回收支明细" },
        sub: original ? html`冲销 #${original.id}（${original.date} ${original.category_name} ${yuan(original.amount_fen)}，
          尚可冲销 ${yuan(original.amount_fen - original.reversed_fen)}）；冲销金额从原科目中扣减`
          : "超过审批限额的分录须由另一位管理员审批后入账" })}
      <div class="card"><form class="form" id="entry-form" novalidate @submit=${(ev) => submitForm(state, ev, draw, async (el) => {
        const body = {
          date: el.date.value || undefined, kind, category: original ? original.category : el.category.value || undefined,
          amount_fen: readAmount(el), counterparty: el.counterparty.value.trim(), note: el.note.value.trim(),
        };
        if (original) body.reverses = original.id;
        body.attachments = [];
        for (const file of el.invoices.files) body.attachments.push(await uploadFile(file, "发票"));
        const out = await api("/fund/entries", { method: "POST", body });
        toast(out.status === "pending" ? "分录已录入，金额超过审批限额，等待管理员审批" : "分录已录入");
        location.hash = `#/fund/entries/${out.id}`;
      })}>
        ${formMessage(state.errors)}
        ${entryFields({ state, cats, values, kind, fixed: Boolean(original), onKind: (k) => { kind = k; draw(); } })}
        ${formActions(original ? "录入冲销" : "录入", state, original ? `#/fund/entries/${original.id}` : "#/fund")}
      </form></div></div>`, root);
  }

  draw();
  return undefined;
}

// --- one entry ------------------------------------------------------------------------------------

export async function viewFundEntry(root, id) {
  if (!allowed(isKeeper(), root)) return undefined;
  let e;
  try {
    e = await api(`/fund/entries/${id}`);
  } catch (err) {
    if (err.code !== "not_found") throw err;
    render(html`<div class="page">${pageHeader({ back: { href: "#/fund", text: "返回收支明细" }, title: "分录" })}
      ${alertBox("分录不存在或已删除")}</div>`, root);
    return undefined;
  }
  const cats = await loadCategories();
  const forms = { edit: formState(), reject: formState() };
  let message = null;  // [text, kind] above the actions
  let kind = e.kind;
  const admin = isAdmin();

  async function reload() {
    e = await api(`/fund/entries/${id}`);
    kind = e.kind;
  }

  /** One action; a refusal is said in Chinese above the actions and the entry is read again. */
  async function act(work, done) {
    message = null;
    try {
      await work();
      if (done) toast(done);
    } catch (err) {
      message = [fundError(err), "error"];
      if (["month_published", "invalid_transition", "entry_reversed"].includes(err.code)) await reload().catch(() => {});
      if (err.code === "not_found") { location.hash = `#/fund/entries/${e.month}`; return; }
    }
    draw();
  }

  const approve = () => act(async () => { e = await api(`/fund/entries/${id}/approve`, { method: "POST" }); }, "已批准入账");

  async function remove() {
    if (!await confirmDialog("删除分录？", `删除 ${e.date} ${e.counterparty} ${yuan(e.amount_fen)}，删除后不可恢复（审计记录保留）。`, "删除")) return;
    await act(async () => {
      await api(`/fund/entries/${id}`, { method: "DELETE" });
      toast("分录已删除");
      location.hash = `#/fund/entries/${e.month}`;
    });
  }

  function facts() {
    return html`<dl class="details" id="entry-facts">
      <dt>日期</dt><dd>${e.date}</dd>
      <dt>类型</dt><dd>${label("fund_kind", e.kind)}</dd>
      <dt>科目</dt><dd>${e.category} ${e.category_name}</dd>
      <dt>金额</dt><dd id="entry-amount" data-fen=${e.amount_fen}>${yuan(e.amount_fen)}${e.reverses ? "（冲销，计为负数）" : ""}</dd>
      ${e.reversed_fen ? html`<dt>已被冲销</dt><dd id="entry-reversed">${yuan(e.reversed_fen)}</dd>` : nothing}
      ${e.reverses ? html`<dt>冲销分录</dt><dd><a href="#/fund/entries/${e.reverses}">#${e.reverses}</a></dd>` : nothing}
      <dt>对方</dt><dd>${e.counterparty}</dd>
      <dt>摘要</dt><dd>${e.note || "—"}</dd>
      <dt>发票</dt><dd id="entry-invoices">${e.attachments.length ? e.attachments.map((u, i) => html`<button type="button"
        class="btn btn-ghost btn-sm invoice" data-upload=${u} @click=${(ev) => downloadFile(`/uploads/${u}`, null, ev.currentTarget)}>
        发票 ${i + 1}</button> `) : "—"}</dd>
      <dt>录入</dt><dd>${e.created_by?.name || "—"} · ${fmtTime(e.created_at)}</dd>
      ${e.decided_by ? html`<dt>${e.status === "rejected" ? "驳回" : "审批"}</dt>
        <dd>${e.decided_by.name} · ${fmtTime(e.decided_at)}</dd>` : nothing}
      ${e.reject_reason ? html`<dt>驳回理由</dt><dd id="entry-reject-reason">${e.reject_reason}</dd>` : nothing}
    </dl>`;
  }

  function editForm() {
    const state = forms.edit;
    const values = { date: e.date, category: e.category, amount: yuanInput(e.amount_fen), counterparty: e.counterparty,
      note: e.note };
    return html`<form class="form" id="edit-form" novalidate @submit=${(ev) => submitForm(state, ev, draw, async (el) => {
      const body = { date: el.date.value || undefined, amount_fen: readAmount(el), counterparty: el.counterparty.value.trim(),
        note: el.note.value.trim() };
      if (!e.reverses) Object.assign(body, { kind, category: el.category.value || undefined });
      message = null;
      try {
        e = await api(`/fund/entries/${id}`, { method: "PATCH", body });
        toast(e.status === "pending" ? "已保存，等待管理员审批" : "已保存");
      } catch (err) {
        if (!["month_published", "entry_reversed"].includes(err.code)) throw err;
        message = [fundError(err), "error"];
        await reload().catch(() => {});
      }
    })}>
      <h3>修改</h3>${formMessage(state.errors)}
      ${entryFields({ state, cats, values, kind, fixed: Boolean(e.reverses), invoices: false,
        onKind: (k) => { kind = k; draw(); } })}
      <div class="form-actions">
        <button class="btn btn-danger-ghost" id="delete-entry" type="button" @click=${remove}>删除</button>
        <button class="btn btn-primary ${state.busy ? "is-busy" : ""}" type="submit" ?disabled=${state.busy}>保存修改</button>
      </div></form>`;
  }

  function decideForm() {
    const state = forms.reject;
    return html`<div id="decide"><h3>审批</h3>
      <p class="muted">金额超过审批限额，须由录入人以外的管理员审批。</p>
      <div class="form-actions"><button class="btn btn-primary" id="approve-entry" type="button" @click=${approve}>批准入账</button></div>
      <form class="form" id="reject-form" novalidate @submit=${(ev) => submitForm(state, ev, draw, async (el) => {
        const reason = el.reason.value.trim();
        if (!reason) throw new ApiError(400, "invalid_request", "", { fields: { reason: "驳回须填写理由" } });
        await act(async () => { e = await api(`/fund/entries/${id}/reject`, { method: "POST", body: { reason } }); }, "已驳回");
      })}>
        ${formMessage(state.errors)}
        ${field({ name: "reason", label: "驳回理由", errors: state.errors, prefix: "reject" },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="500"></textarea>`)}
        <div class="form-actions"><button class="btn btn-danger-ghost" type="submit">驳回</button></div>
      </form></div>`;
  }

  function actions() {
    const parts = [];
    if (e.published) {
      parts.push(html`<p class="muted" id="entry-sealed">${e.month} 已公开，分录不能修改或删除；如需更正，请在以后月份录入冲销分录。</p>`);
      if (e.status === "approved" && !e.reverses && e.amount_fen > e.reversed_fen) {
        parts.push(html`<a class="btn btn-primary" id="reverse-entry" href="#/fund/entries/new/reverse/${e.id}">录入冲销分录</a>`);
      }
    } else {
      if (e.status === "pending" && admin) parts.push(decideForm());
      parts.push(editForm());
    }
    return parts;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back: { href: `#/fund/entries/${e.month}`, text: "返回收支明细" }, titleId: "entry-title",
        title: html`${e.counterparty} ${yuan(e.reverses ? -e.amount_fen : e.amount_fen)}`,
        badge: statusBadge("fund_entry_status", e.status),
        sub: html`#${e.id} · ${e.month} ${e.published ? toneBadge("已公开", "open") : toneBadge("未公开", "idle")}` })}
      <div class="event-grid">
        <div class="main"><div class="card">${facts()}</div></div>
        <div class="side"><div class="card" id="entry-actions">
          <div class="form-message" id="entry-message">${message ? alertBox(message[0], message[1]) : nothing}</div>
          ${actions()}</div></div>
      </div></div>`, root);
  }

  draw();
  return undefined;
}

// --- the approval queue ---------------------------------------------------------------------------

export async function viewFundApprovals(root) {
  if (!allowed(isAdmin(), root)) return undefined;
  const list = new PagedList({ path: "/fund/entries", query: () => ({ status: "pending" }), perPage: 20, draw });
  const reasons = new Map();
  let message = null;

  async function decide(e, approve) {
    const reason = (reasons.get(e.id) || "").trim();
    if (!approve && !reason) { message = [`驳回 #${e.id} 须填写理由`, "error"]; draw(); return; }
    message = null;
    try {
      await api(`/fund/entries/${e.id}/${approve ? "approve" : "reject"}`,
        { method: "POST", body: approve ? undefined : { reason } });
      toast(approve ? `#${e.id} 已批准入账` : `#${e.id} 已驳回`);
      await list.load({ quiet: true });
    } catch (err) {
      message = [`#${e.id}：${fundError(err)}`, "error"];
      if (err.code === "invalid_transition") await list.load({ quiet: true });
    }
    draw();
  }

  const row = (e) => html`<tr data-entry-id=${e.id}>
    <td class="nowrap">${e.date}</td>
    <td class="nowrap">${label("fund_kind", e.kind)} · ${e.category_name}</td>
    ${amountCell(e)}
    <td><a class="event-link" href="#/fund/entries/${e.id}">${e.counterparty}</a>
      ${e.note ? html`<div class="sub">${e.note}</div>` : nothing}</td>
    <td class="num">${e.attachments.length || "—"}</td>
    <td class="nowrap">${e.created_by?.name || "—"}</td>
    <td class="actions nowrap">
      <button class="btn btn-primary btn-sm approve" type="button" @click=${() => decide(e, true)}>批准</button>
      <input class="input-sm reject-reason" aria-label="驳回理由" placeholder="驳回理由" maxlength="500"
        @input=${(ev) => reasons.set(e.id, ev.target.value)}>
      <button class="btn btn-danger-ghost btn-sm reject" type="button" @click=${() => decide(e, false)}>驳回</button>
    </td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ title: "经费收支", sub: "超过审批限额的分录须由录入人以外的管理员审批；有待审批分录的月份不能公开" })}
      ${fundTabs("approvals")}
      <div class="card"><div class="form-message" id="approval-message">${message ? alertBox(...message) : nothing}</div>
        ${pagedTable(list, { id: "approval-queue", row, empty: html`<p>没有待审批的分录。</p>`,
          head: ["日期", "科目", { text: "金额（元）", cls: "num" }, "对方单位/个人", { text: "发票", cls: "num" }, "录入人", "审批"] })}
      </div></div>`, root);
  }

  await list.load();
  return undefined;
}
