// Audits as checklists (docs/audits.md): the semi-annual fund audit and the annual procedure audit; the figures
// the system fills in with how they were computed, staff marking each item, failed items turned into
// improvement items, the close and the printable PDF.
import { api, downloadFile, fmtTime } from "./core.js";
import {
  PagedList, alertBox, field, formActions, formMessage, formState, input, options, pageHeader, pagedTable,
  statusBadge, submitForm, toast,
} from "./components.js";
import { label } from "./labels.js";
import { MemberPicker } from "./members.js";
import { dueText, improvementForm } from "./improvements.js";
import { html, nothing, render } from "./view.js";

const PER_PAGE = 20;
const auditName = (a) => `${label("audit_kind", a.kind)} ${a.period}`;

/** The period this kind's audit is most likely about: the last half-year, or last year. */
function defaultPeriod(kind, today = new Date()) {
  const y = today.getFullYear();
  if (kind === "procedure_annual") return String(y - 1);
  return today.getMonth() < 6 ? `${y - 1}H2` : `${y}H1`;
}

export async function viewAudits(root) {
  const list = new PagedList({ path: "/audits", perPage: PER_PAGE, draw });
  const form = formState();
  let showForm = false;
  let kind = "fund_semiannual";

  const row = (a) => html`<tr data-audit-id=${a.id}>
    <td><a class="event-link" href="#/audits/${a.id}">${auditName(a)}</a></td>
    <td>${statusBadge("audit_status", a.status)}</td>
    <td class="num">${a.answered}/${a.items_count}</td>
    <td class="num">${a.failed}</td>
    <td class="nowrap">${fmtTime(a.created_at)}</td></tr>`;

  function auditForm() {
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "audit" }, c);
    return html`<div class="card"><h2>新建审计</h2>
      <form class="form" id="audit-form" novalidate @submit=${(e) => submitForm(form, e, draw, async (el) => {
        const a = await api("/audits", { method: "POST", body: { kind: el.kind.value, period: el.period.value.trim() } });
        toast("审计已创建，系统数据已填入");
        location.hash = `#/audits/${a.id}`;
      })}>
        ${formMessage(form.errors)}
        ${f({ name: "kind", label: "审计类型", required: true }, (a) => html`<select id=${a.id} name=${a.name}
          @change=${(e) => { kind = e.target.value; e.target.form.period.value = defaultPeriod(kind); }}>
          ${options("audit_kind", kind)}</select>`)}
        ${f({ name: "period", label: "审计期间", required: true, hint: "经费审计如 2026H2（下半年），程序审计如 2026" },
          input({ value: defaultPeriod(kind) }))}
        ${formActions("创建", form)}</form></div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "审计",
        sub: "经费每半年审计一次，程序每年审计一次；不符合的项目列入整改清单（PDCA）",
        actions: html`<a class="btn btn-ghost btn-sm" href="#/improvements">整改清单</a>
          <button class="btn btn-primary btn-sm" id="new-audit" type="button"
          @click=${() => { showForm = !showForm; draw(); }}>新建审计</button>`,
      })}
      ${showForm ? auditForm() : nothing}
      <div class="card">${pagedTable(list, {
        id: "audits-table", row, head: ["审计", "状态", "已判定", "不符合", "创建时间"],
        empty: html`<p>还没有审计。</p>`,
      })}</div></div>`, root);
  }

  await list.load();
}

async function findAudit(id) {
  try {
    return await api(`/audits/${id}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

export async function viewAudit(root, id) {
  let audit = await findAudit(id);
  const back = { href: "#/audits", text: "返回审计列表" };
  if (!audit) {
    render(html`<div class="page">${pageHeader({ back, title: "审计" })}${alertBox("审计不存在")}</div>`, root);
    return;
  }
  const marks = {};       // item id → form state of its marking
  let findingFor = null;  // the failed item whose finding form is open
  const findingForm = formState();
  const picker = new MemberPicker(() => draw());
  let message = "";

  const markState = (itemId) => (marks[itemId] ||= formState());
  const reload = async () => { audit = (await findAudit(id)) || audit; };

  async function act(work, done) {
    message = "";
    try {
      audit = await work();
      toast(done);
    } catch (e) {
      message = e.message;
      if (e.code === "invalid_transition") await reload();
    }
    draw();
  }

  function markCell(item) {
    if (audit.status !== "open") {
      return html`${item.result ? statusBadge("audit_result", item.result) : "未判定"}
        ${item.note ? html`<div class="prewrap small">${item.note}</div>` : nothing}`;
    }
    const state = markState(item.id);
    return html`<form class="form mark-form" novalidate @submit=${(e) => submitForm(state, e, draw, async (el) => {
      audit = await api(`/audits/${id}/items/${item.id}`, { method: "PATCH",
        body: { result: el.result.value, note: el.note.value.trim() || undefined } });
      toast("已保存");
    })}>
      ${formMessage(state.errors)}
      ${field({ name: "result", label: "结论", errors: state.errors, prefix: `mark-${item.id}` }, (a) => html`<select
        id=${a.id} name=${a.name} class="select-sm">${!item.result ? html`<option value="">请选择</option>` : nothing}
        ${options("audit_result", item.result || "")}</select>`)}
      ${field({ name: "note", label: "说明", errors: state.errors, prefix: `mark-${item.id}` },
        (a) => html`<textarea id=${a.id} name=${a.name} rows="1" maxlength="2000" .value=${item.note || ""}></textarea>`)}
      ${formActions("保存", state)}</form>`;
  }

  const row = (item) => html`<tr data-item-key=${item.key} data-item-id=${item.id}
      class=${item.result === "fail" ? "row-overdue" : ""}>
    <td class="num">${item.position}</td>
    <td>${item.label}</td>
    <td class="figure">${item.automatic ? html`<div class="figure-text">${item.figure}</div>
      ${item.suggested ? html`<div>系统判断 ${statusBadge("audit_result", item.suggested)}</div>` : nothing}
      <div class="muted small computation">${item.computation}</div>` : html`<span class="muted">人工检查</span>`}</td>
    <td class="mark">${markCell(item)}</td>
    <td>${item.result === "fail" ? html`<button class="btn btn-ghost btn-sm to-improvement" type="button"
      @click=${() => { findingFor = item; draw(); }}>列入整改</button>` : nothing}</td></tr>`;

  function findingCard() {
    if (!findingFor) return nothing;
    return html`<div class="card" id="finding-card"><h2>列入整改：${findingFor.label}</h2>
      ${improvementForm({
        id: "finding-form", form: findingForm, picker, draw, text: "列入整改清单",
        submit: async (body) => {
          await api(`/audits/${id}/findings`, { method: "POST", body: { item_id: findingFor.id, ...body } });
          toast("已列入整改清单，已通知负责人");
          findingFor = null;
          picker.chosen = [];
          await reload();
        },
      })}</div>`;
  }

  const findings = () => html`<div class="card" id="audit-findings"><h2>整改事项</h2>${audit.findings.length
    ? html`<ul class="plain-list">${audit.findings.map((f) => html`<li data-improvement-id=${f.id}>
        <a href="#/improvements/${f.id}">${f.title}</a> · ${f.owner.name} · ${dueText(f)}
        ${statusBadge("improvement_status", f.status)}</li>`)}</ul>`
    : html`<p class="muted">还没有整改事项。</p>`}</div>`;

  function draw() {
    const open = audit.status === "open";
    render(html`<div class="page">
      ${pageHeader({ back, title: auditName(audit), titleId: "audit-title", badge: statusBadge("audit_status", audit.status),
        sub: `已判定 ${audit.answered}/${audit.items_count} 项，不符合 ${audit.failed} 项${audit.refreshed_at
          ? ` · 系统数据更新于 ${fmtTime(audit.refreshed_at)}` : ""}`,
        actions: html`
          ${open ? html`<button class="btn btn-ghost btn-sm" id="refresh-audit" type="button"
            @click=${() => act(() => api(`/audits/${id}/refresh`, { method: "POST" }), "系统数据已更新")}>更新系统数据</button>
          <button class="btn btn-primary btn-sm" id="close-audit" type="button"
            @click=${() => act(() => api(`/audits/${id}/close`, { method: "POST" }), "审计已结束")}>结束审计</button>` : nothing}
          <button class="btn btn-ghost btn-sm" id="audit-pdf" type="button"
            @click=${(e) => downloadFile(`/audits/${id}/report.pdf`, null, e.currentTarget)}>下载审计报告（PDF）</button>` })}
      <div class="form-message" id="audit-message">${message ? alertBox(message) : nothing}</div>
      <div class="card">${audit.items.length ? html`<div class="table-wrap"><table class="table" id="audit-items">
        <thead><tr><th>序号</th><th>检查项目</th><th>系统数据</th><th>结论</th><th></th></tr></thead>
        <tbody>${audit.items.map(row)}</tbody></table></div>` : nothing}</div>
      ${findingCard()}
      ${findings()}</div>`, root);
  }

  draw();
}
