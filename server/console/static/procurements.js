// Procurement comparisons (docs/procurements.md): purchases with their quotes (photos of the quote sheets), the
// named worker representatives' confirmations (made in the mini-program) and the decision with its reason.
import { API, ApiError, api, fmtTime, session } from "./core.js";
import {
  PagedList, alertBox, field, filterSelect, formActions, formMessage, formState, input, pageHeader, pagedTable,
  statusBadge, submitForm, toast, toneBadge,
} from "./components.js";
import { html, nothing, render } from "./view.js";
import { fenText as yuan, loadCategories, yuanToFen } from "./fund.js";

const PER_PAGE = 20;

/** Yuan typed by staff as fen (the ledger's parser: text, never a float), or the text itself when it is not an
 * amount, so the server names the field. */
const toFen = (text) => yuanToFen(text) ?? text;

/** Employee numbers (comma-separated) → member ids, each looked up on the roster. */
async function memberIds(text, fieldName) {
  const numbers = text.split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean);
  const ids = [];
  for (const no of numbers) {
    const page = await api(`/members?${new URLSearchParams({ q: no, with_phone: "false", per_page: "20" })}`);
    const m = page.items.find((x) => x.employee_no.toUpperCase() === no.toUpperCase());
    if (!m) throw new ApiError(400, "invalid_request", "", { fields: { [fieldName]: `名册中没有工号 ${no}` } });
    ids.push(m.id);
  }
  return ids;
}

/** One picture as multipart field `file` (POST /uploads). */
async function uploadImage(file) {
  const body = new FormData();
  body.append("file", file);
  const resp = await fetch(`${API}/uploads`, {
    method: "POST", body, headers: { Accept: "application/json", Authorization: `Bearer ${session.token}` },
  });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const err = data.error || {};
    throw new ApiError(resp.status, err.code || "http_error", `图片“${file.name}”上传失败：${err.message || resp.status}`, {});
  }
  return data.id;
}

const confirmedText = (p) => `${p.representatives.filter((r) => r.confirmed_at).length}/${p.representatives.length}`;

// --- the list and a new purchase ---------------------------------------------------------------------

export async function viewProcurements(root) {
  const filters = { status: "", month: "" };
  const list = new PagedList({ path: "/fund/procurements", query: () => filters, perPage: PER_PAGE, draw });
  const form = formState();
  let showForm = false;
  // A purchase is an expense: its category is one of the chart's active expense categories.
  const categories = (await loadCategories()).filter((c) => c.kind === "expense" && c.active);

  const row = (p) => html`<tr data-procurement-id=${p.id}>
    <td><a class="event-link" href="#/procurements/${p.id}">${p.title}</a></td>
    <td>${statusBadge("procurement_status", p.status)}</td>
    <td class="num">${yuan(p.amount_fen)}</td>
    <td class="num">${p.quotes.length}/${p.quotes_required}</td>
    <td class="num">${confirmedText(p)}</td>
    <td class="nowrap">${p.month || "—"} ${p.month ? (p.published ? toneBadge("已随月度公开", "open") : toneBadge("待公开", "idle")) : nothing}</td></tr>`;

  function newForm() {
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "procurement" }, c);
    return html`<div class="card"><h2>新建比价</h2>
      <form class="form" id="procurement-form" novalidate @submit=${(e) => submitForm(form, e, draw, async (el) => {
        const body = {
          title: el.title.value.trim(), description: el.description.value, category: el.category.value.trim(),
          amount_fen: toFen(el.amount_fen.value),
          representatives: await memberIds(el.representatives.value, "representatives"),
        };
        const p = await api("/fund/procurements", { method: "POST", body });
        toast("比价已创建，已通知职工代表");
        showForm = false;
        location.hash = `#/procurements/${p.id}`;
      })}>
        ${formMessage(form.errors)}
        ${f({ name: "title", label: "采购事项", required: true }, input())}
        ${f({ name: "description", label: "说明" }, (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="5000"></textarea>`)}
        ${f({ name: "category", label: "经费科目", required: true }, (a) => html`<select id=${a.id} name=${a.name}>
          <option value="">请选择支出科目</option>
          ${categories.map((c) => html`<option value=${c.code}>${c.code} ${c.name}</option>`)}</select>`)}
        ${f({ name: "amount_fen", label: "预算金额（元）", required: true, hint: "2 万元及以上须三家报价、两名以上职工代表参与" }, input())}
        ${f({ name: "representatives", label: "职工代表工号", hint: "多个工号用逗号分隔" }, input())}
        ${formActions("创建", form)}
      </form></div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "比价采购",
        sub: "报价、职工代表确认和定标理由随定标月份的经费明细一并公开",
        actions: html`
          ${filterSelect({ id: "procurement-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "procurement_status",
            value: filters.status, onChange: (v) => { filters.status = v; list.restart(); } })}
          <button class="btn btn-primary btn-sm" id="new-procurement" type="button"
            @click=${() => { showForm = !showForm; draw(); }}>新建比价</button>`,
      })}
      ${showForm ? newForm() : nothing}
      <div class="card">${pagedTable(list, {
        id: "procurements-table", row,
        head: ["采购事项", "状态", "预算（元）", "报价", "代表确认", "公开月份"],
        empty: html`<p>还没有比价记录。</p>`,
      })}</div></div>`, root);
  }

  await list.load();
}

// --- one purchase ------------------------------------------------------------------------------------

export async function viewProcurement(root, id) {
  const back = { href: "#/procurements", text: "返回比价列表" };
  let p;
  try {
    p = await api(`/fund/procurements/${id}`);
  } catch (e) {
    if (e.code !== "not_found") throw e;
    render(html`<div class="page">${pageHeader({ back, title: "比价" })}${alertBox("比价记录不存在")}</div>`, root);
    return undefined;
  }
  const forms = { quote: formState(), decide: formState() };
  const pictures = new Map();
  const f = (name, o, c) => field({ ...o, errors: forms[name].errors, prefix: name }, c);
  const canDecide = (session.member?.roles || []).some((r) => r === "admin" || r === "treasurer");

  function quotesCard() {
    return html`<div class="card"><h2>报价（${p.quotes.length} 家，需 ${p.quotes_required} 家）</h2>
      ${p.quotes.length ? html`<div class="table-wrap"><table class="table" id="quotes-table">
        <thead><tr><th>供应商</th><th>报价（元）</th><th>说明</th><th>附件</th><th></th></tr></thead>
        <tbody>${p.quotes.map((q) => html`<tr data-quote-id=${q.id} class=${q.chosen ? "row-selected" : ""}>
          <td>${q.supplier}</td><td class="num">${yuan(q.amount_fen)}</td><td>${q.note || "—"}</td>
          <td>${q.attachments.map((u) => (pictures.get(u)
            ? html`<a href=${pictures.get(u)} target="_blank" rel="noopener"><img class="thumb" src=${pictures.get(u)} alt="报价单" height="40"></a>`
            : html`<span class="muted attachment">图片</span>`))}</td>
          <td>${q.chosen ? toneBadge("中选", "open") : nothing}</td></tr>`)}</tbody></table></div>`
        : html`<p class="muted">还没有报价。</p>`}
      ${p.status === "open" ? quoteForm() : nothing}</div>`;
  }

  function quoteForm() {
    return html`<form class="form" id="quote-form" novalidate @submit=${(e) => submitForm(forms.quote, e, draw, async (el) => {
      const attachments = [];
      for (const file of el.pictures.files) attachments.push(await uploadImage(file));
      p = await api(`/fund/procurements/${id}/quotes`, { method: "POST", body: {
        supplier: el.supplier.value.trim(), amount_fen: toFen(el.amount_fen.value), note: el.note.value, attachments } });
      for (const name of ["supplier", "amount_fen", "note", "pictures"]) el[name].value = "";
      toast("报价已登记");
      loadPictures();
    })}>
      <h3>登记报价</h3>${formMessage(forms.quote.errors)}
      ${f("quote", { name: "supplier", label: "供应商", required: true }, input())}
      ${f("quote", { name: "amount_fen", label: "报价（元）", required: true }, input())}
      ${f("quote", { name: "note", label: "说明" }, input())}
      ${f("quote", { name: "attachments", label: "报价单图片", hint: "最多 6 张" },
        (a) => html`<input id=${a.id} name="pictures" type="file" accept="image/jpeg,image/png,image/webp" multiple>`)}
      ${formActions("登记报价", forms.quote)}</form>`;
  }

  function repsCard() {
    return html`<div class="card" id="representatives"><h2>职工代表（需 ${p.representatives_required} 名以上全部确认）</h2>
      ${p.representatives.length ? html`<ul class="plain-list">${p.representatives.map((r) => html`
        <li data-member-id=${r.id}>${r.name}
          ${r.confirmed_at ? html`${toneBadge("已确认", "open")} <span class="muted">${fmtTime(r.confirmed_at)}</span>`
            : toneBadge("待确认", "idle")}</li>`)}</ul>`
        : html`<p class="muted">未指定职工代表。</p>`}
      <p class="muted">职工代表在小程序“待我确认的比价”中确认参与。</p></div>`;
  }

  function decisionCard() {
    if (p.status === "decided") {
      return html`<div class="card" id="decision"><h2>定标</h2><dl class="facts">
        <dt>中选</dt><dd>${p.quotes.find((q) => q.chosen)?.supplier || "—"}</dd>
        <dt>理由</dt><dd class="prewrap" id="decision-reason">${p.reason}</dd>
        <dt>定标人</dt><dd>${p.decided_by?.name || "—"} · ${fmtTime(p.decided_at)}</dd>
        <dt>公开</dt><dd>${p.month} ${p.published ? "已随月度经费公开" : "该月经费公开后会员可见"}</dd></dl></div>`;
    }
    if (!canDecide) return html`<div class="card"><h2>定标</h2><p class="muted">定标由经费会计或管理员操作。</p></div>`;
    return html`<div class="card"><h2>定标</h2>
      <form class="form" id="decide-form" novalidate @submit=${(e) => submitForm(forms.decide, e, draw, async (el) => {
        p = await api(`/fund/procurements/${id}/decide`, { method: "POST",
          body: { quote_id: Number(el.quote_id.value) || el.quote_id.value, reason: el.reason.value.trim() } });
        toast("已定标");
      })}>${formMessage(forms.decide.errors)}
        ${f("decide", { name: "quote_id", label: "中选报价", required: true }, (a) => html`<select id=${a.id} name=${a.name}>
          <option value="">请选择</option>${p.quotes.map((q) => html`<option value=${q.id}>${q.supplier}（${yuan(q.amount_fen)} 元）</option>`)}</select>`)}
        ${f("decide", { name: "reason", label: "定标理由", required: true },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="2000"></textarea>`)}
        ${formActions("定标", forms.decide)}</form></div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: p.title, titleId: "procurement-heading", badge: statusBadge("procurement_status", p.status),
        sub: `预算 ${yuan(p.amount_fen)} 元 · 科目 ${p.category} · ${fmtTime(p.created_at)} 创建` })}
      <div class="event-grid">
        <div class="main">${p.description ? html`<div class="card"><p class="prewrap">${p.description}</p></div>` : nothing}
          ${quotesCard()}</div>
        <div class="side">${repsCard()}${decisionCard()}</div>
      </div></div>`, root);
  }

  async function loadPictures() {
    let added = false;
    for (const q of p.quotes) {
      for (const u of q.attachments) {
        if (pictures.has(u)) continue;
        try {
          const resp = await api(`/uploads/${u}`, { raw: true });
          pictures.set(u, URL.createObjectURL(await resp.blob()));
        } catch {
          pictures.set(u, null);
        }
        added = true;
      }
    }
    if (added) draw();
  }

  draw();
  loadPictures();
  return () => pictures.forEach((src) => src && URL.revokeObjectURL(src));
}
