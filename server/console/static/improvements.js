// The improvement list (整改事项, PDCA; docs/audits.md): overdue first, with owner, due date and status; one
// item's timeline, progress notes, completion with the result, cancellation with a reason and reopening.
import { api, fmtTime, fmtValue } from "./core.js";
import {
  PagedList, alertBox, field, filterSelect, formActions, formMessage, formState, input, pageHeader, pagedTable,
  statusBadge, submitForm, toast, toneBadge,
} from "./components.js";
import { label } from "./labels.js";
import { MemberPicker } from "./members.js";
import { html, nothing, render } from "./view.js";

const PER_PAGE = 20;

export const dueText = (item) => html`${item.due_date}${item.overdue
  ? html` <span class="badge badge-danger" data-overdue="1">已逾期</span>` : nothing}`;

/** The owner chosen in a MemberPicker: its last pick (one owner per item). */
const ownerOf = (picker) => picker.chosen[picker.chosen.length - 1]?.id;

/** The form that opens an item: used on the list page and for an audit's failed item (audits.js). */
export function improvementForm({ id, form, picker, draw, submit, text = "登记整改事项", withDescription = true }) {
  const f = (o, c) => field({ ...o, errors: form.errors, prefix: id }, c);
  return html`<form class="form" id=${id} novalidate @submit=${(e) => submitForm(form, e, draw, async (el) => {
    await submit({
      title: el.title.value.trim(), owner_id: ownerOf(picker), due_date: el.due_date.value || undefined,
      ...(withDescription ? { description: el.description.value.trim() } : {}),
    });
  })}>
    ${formMessage(form.errors)}
    ${f({ name: "title", label: "整改事项", required: true }, input())}
    ${withDescription ? f({ name: "description", label: "问题说明" },
      (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="5000"></textarea>`) : nothing}
    ${picker.view(`${id}-owner`, form.errors, "owner_id", "负责人")}
    ${f({ name: "due_date", label: "整改期限", required: true, hint: "期限当天 24:00（北京时间）前完成" },
      input({ type: "date" }))}
    ${formActions(text, form)}</form>`;
}

export async function viewImprovements(root) {
  const filters = { status: "", source: "", overdue: "" };
  const list = new PagedList({ path: "/improvements", query: () => filters, perPage: PER_PAGE, draw });
  const form = formState();
  const picker = new MemberPicker(() => draw());
  let showForm = false;

  const row = (i) => html`<tr data-improvement-id=${i.id} class=${i.overdue ? "row-overdue" : ""}>
    <td><a class="event-link" href="#/improvements/${i.id}">${i.title}</a></td>
    <td class="nowrap">${label("improvement_source", i.source)}</td>
    <td class="nowrap owner">${i.owner.name}</td>
    <td class="nowrap due">${dueText(i)}</td>
    <td>${statusBadge("improvement_status", i.status)}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "整改事项",
        sub: "审计发现、效能报告和日常检查中的问题，明确负责人和期限；到期前 3 个工作日提醒，逾期告知负责人并报告工会主席",
        actions: html`<button class="btn btn-primary btn-sm" id="new-improvement" type="button"
          @click=${() => { showForm = !showForm; draw(); }}>登记整改事项</button>`,
      })}
      ${showForm ? html`<div class="card"><h2>登记整改事项</h2>${improvementForm({
        id: "improvement-form", form, picker, draw,
        submit: async (body) => {
          const item = await api("/improvements", { method: "POST", body });
          toast("整改事项已登记，已通知负责人");
          location.hash = `#/improvements/${item.id}`;
        },
      })}</div>` : nothing}
      <div class="card"><div class="page-head"><h2>整改清单</h2><div class="head-actions">
        ${filterSelect({ id: "improvement-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "improvement_status",
          value: filters.status, onChange: (v) => { filters.status = v; list.restart(); } })}
        ${filterSelect({ id: "improvement-source", ariaLabel: "按来源筛选", all: "全部来源", vocab: "improvement_source",
          value: filters.source, onChange: (v) => { filters.source = v; list.restart(); } })}
        <label class="check"><input type="checkbox" id="improvement-overdue" ?checked=${filters.overdue === "1"}
          @change=${(e) => { filters.overdue = e.target.checked ? "1" : ""; list.restart(); }}> 只看逾期</label>
      </div></div>
      ${pagedTable(list, {
        id: "improvements-table", row, head: ["整改事项", "来源", "负责人", "期限", "状态"],
        empty: html`<p>${Object.values(filters).some(Boolean) ? "没有符合条件的整改事项。" : "还没有整改事项。"}</p>`,
      })}</div></div>`, root);
  }

  await list.load();
}

async function findImprovement(id) {
  try {
    return await api(`/improvements/${id}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

export async function viewImprovement(root, id) {
  let item = await findImprovement(id);
  const back = { href: "#/improvements", text: "返回整改清单" };
  if (!item) {
    render(html`<div class="page">${pageHeader({ back, title: "整改事项" })}${alertBox("整改事项不存在")}</div>`, root);
    return;
  }
  const forms = { note: formState(), complete: formState(), cancel: formState(), reopen: formState() };
  let actionError = "";

  const step = (name, done, work) => (e) => submitForm(forms[name], e, draw, async (el) => {
    actionError = "";
    try {
      item = await work(el);
      toast(done);
    } catch (err) {
      if (err.code !== "invalid_transition") throw err;
      actionError = "状态已变化，已为您刷新";
      item = (await findImprovement(id)) || item;
    }
  });
  const post = (path, body) => api(`/improvements/${id}/${path}`, { method: "POST", body });
  const f = (name, o, c) => field({ ...o, errors: forms[name].errors, prefix: name }, c);
  const area = (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="2000"></textarea>`;

  function actions() {
    if (item.status === "open") {
      return html`
        <form class="form" id="note-form" novalidate @submit=${step("note", "进展已记录", (el) => post("notes", { body: el.body.value.trim() }))}>
          <h3>记录进展</h3>${formMessage(forms.note.errors)}
          ${f("note", { name: "body", label: "进展", required: true }, area)}${formActions("记录", forms.note)}</form>
        <form class="form" id="complete-form" novalidate @submit=${step("complete", "已标记完成", (el) => post("complete", { result: el.result.value.trim() }))}>
          <h3>完成整改</h3>${formMessage(forms.complete.errors)}
          ${f("complete", { name: "result", label: "整改结果", required: true }, area)}${formActions("标记完成", forms.complete)}</form>
        <form class="form" id="cancel-form" novalidate @submit=${step("cancel", "已取消", (el) => post("cancel", { reason: el.reason.value.trim() }))}>
          <h3>取消</h3>${formMessage(forms.cancel.errors)}
          ${f("cancel", { name: "reason", label: "取消原因", required: true }, area)}${formActions("取消事项", forms.cancel)}</form>`;
    }
    return html`<form class="form" id="reopen-form" novalidate @submit=${step("reopen", "已重新打开", (el) => post("reopen", { due_date: el.due_date.value || undefined }))}>
      <h3>重新打开</h3><p class="muted">复查发现仍未整改到位时重新打开；可给出新的期限。</p>${formMessage(forms.reopen.errors)}
      ${f("reopen", { name: "due_date", label: "新的期限（可不填）" }, input({ type: "date" }))}${formActions("重新打开", forms.reopen)}</form>`;
  }

  function draw() {
    const who = (e) => (e.actor ? e.actor.name : "系统");
    render(html`<div class="page">
      ${pageHeader({ back, title: item.title, titleId: "improvement-title", badge: statusBadge("improvement_status", item.status),
        sub: html`${label("improvement_source", item.source)} · 负责人 ${item.owner.name} · 期限 ${dueText(item)}` })}
      <div class="event-grid">
        <div class="main">
          <div class="card"><h2>问题说明</h2><p class="prewrap" id="improvement-description">${item.description || "—"}</p>
            ${item.result ? html`<h2>整改结果</h2><p class="prewrap" id="improvement-result">${item.result}</p>` : nothing}
            ${item.cancel_reason ? html`<h2>取消原因</h2><p class="prewrap">${item.cancel_reason}</p>` : nothing}</div>
          <div class="card"><h2>过程</h2><ol class="thread" id="improvement-timeline">${item.events.map((e) => html`
            <li class="thread-msg" data-action=${e.action}>
              <div class="thread-meta">${fmtTime(e.at)} · ${who(e)} · ${label("improvement_action", e.action)}</div>
              ${e.body ? html`<p class="prewrap">${e.body}</p>` : nothing}</li>`)}</ol></div>
        </div>
        <div class="side">
          <div class="card"><h2>信息</h2><dl class="facts">
            <dt>负责人</dt><dd id="improvement-owner">${item.owner.name}</dd>
            <dt>期限</dt><dd>${dueText(item)}</dd>
            <dt>来源</dt><dd>${label("improvement_source", item.source)}</dd>
            ${item.audit ? html`<dt>审计</dt><dd><a href="#/audits/${item.audit.audit_id}">查看审计</a></dd>` : nothing}
            ${item.figure ? html`<dt>指标</dt><dd id="improvement-figure"><a href="#/reports">${item.figure_label || item.figure}</a>${
              item.target != null ? `，目标 ${fmtValue(item.target, item.figure_unit)}` : ""}</dd>` : nothing}
            <dt>登记时间</dt><dd>${fmtTime(item.created_at)}</dd>
            ${item.closed_at ? html`<dt>结束时间</dt><dd>${fmtTime(item.closed_at)}</dd>` : nothing}
          </dl></div>
          <div class="card" id="improvement-actions"><h2>办理</h2>
            <div class="form-message" id="improvement-action-message">${actionError ? alertBox(actionError) : nothing}</div>
            ${actions()}</div>
          ${item.overdue ? html`<div class="card">${toneBadge("已逾期", "danger")} <span class="muted">已提醒负责人并报告工会主席</span></div>` : nothing}
        </div>
      </div></div>`, root);
  }

  draw();
}
