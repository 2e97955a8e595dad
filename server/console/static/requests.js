// Members' requests (API.md "Requests"): the queue with filters and clock badges, one request's page
// with its timeline, internal notes, acceptance, assignment and resolution.
import { api, fmtTime, parts, session } from "./core.js";
import {
  PagedList, alertBox, filterSelect, formActions, pageHeader, pagedTable, statusBadge, toast, toneBadge,
} from "./components.js";
import { label } from "./labels.js";
import { MemberPicker } from "./members.js";
import { html, nothing, render } from "./view.js";

const PER_PAGE = 20;
const HOUR = 3600 * 1000;
// A clock this close to its end is shown amber: the handler still has time to act.
const SOON_HOURS = 4;

const OPEN = ["submitted", "accepted", "reopened"];

/** A due time; a working-day deadline (midnight after the day) reads as that day's 24:00. */
export function fmtDue(iso) {
  if (!iso) return "—";
  const p = parts(iso);
  if (p.time !== "00:00") return fmtTime(iso);
  return `${parts(new Date(new Date(iso).getTime() - 60_000).toISOString()).date} 24:00`;
}

/**
 * The clock that matters now, as a badge: the first response while none is given, else the resolution
 * while the request is open. Red when overdue, amber when due within SOON_HOURS, otherwise the due time.
 */
export function clockBadge(r, now = Date.now()) {
  let due = null;
  let what = "";
  if (!r.first_response_at && OPEN.includes(r.status)) { due = r.first_response_due_at; what = "首次响应"; }
  else if (OPEN.includes(r.status)) { due = r.resolve_due_at; what = "办结"; }
  if (!due) return nothing;
  const left = new Date(due).getTime() - now;
  if (r.overdue || left < 0) {
    const hours = Math.max(1, Math.floor(-left / HOUR));
    return html`<span class="badge badge-danger" data-clock="overdue">${what}已超时 ${hours} 小时</span>`;
  }
  if (left < SOON_HOURS * HOUR) {
    return html`<span class="badge badge-idle" data-clock="soon">${what} ${Math.max(1, Math.ceil(left / HOUR))} 小时内到期</span>`;
  }
  return html`<span class="badge badge-muted" data-clock="due">${what}期限 ${fmtDue(due)}</span>`;
}

const escalation = (level) => (level ? toneBadge(level === 1 ? "已升级：网格与工会" : "已升级：工会主席", "danger") : nothing);

const who = (m) => (m ? html`${m.name}${m.employee_no ? html`<div class="sub">${m.employee_no}${m.department ? ` · ${m.department}` : ""}</div>` : nothing}` : "—");

const isAdmin = () => (session.member?.roles || []).includes("admin");

// --- the queue ------------------------------------------------------------------------------------

export async function viewRequests(root) {
  const filters = { status: "", category: "", grid: "", overdue: "" };
  const list = new PagedList({ path: "/requests", query: () => filters, perPage: PER_PAGE, draw });

  const row = (r) => html`<tr data-request-id=${r.id} class=${r.overdue ? "row-overdue" : ""}>
    <td><a class="event-link" href="#/requests/${r.id}">${r.title}</a>
      <div class="sub">${r.urgent ? toneBadge("紧急", "danger") : nothing}
        ${r.confidential ? toneBadge("保密", "idle") : nothing} ${fmtTime(r.created_at)} 提交</div></td>
    <td>${who(r.member)}</td>
    <td class="nowrap">${label("request_category", r.category)}</td>
    <td class="nowrap">${r.grid || "—"}</td>
    <td>${statusBadge("request_status", r.status)}</td>
    <td>${clockBadge(r)} ${escalation(r.escalation_level)}</td>
    <td class="nowrap">${r.assignee ? r.assignee.name : "—"}</td></tr>`;

  function onFilter(e) {
    e.preventDefault();
    const f = e.currentTarget.elements;
    filters.grid = f.grid.value.trim();
    list.restart();
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "会员诉求",
        sub: "超时的在前；紧急诉求 24 小时内响应、48 小时内办结，其余按工作日计时（节假日顺延）",
        actions: html`
          ${filterSelect({ id: "request-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "request_status",
            value: filters.status, onChange: (v) => { filters.status = v; list.restart(); } })}
          ${filterSelect({ id: "request-category", ariaLabel: "按类别筛选", all: "全部类别", vocab: "request_category",
            value: filters.category, onChange: (v) => { filters.category = v; list.restart(); } })}
          <form class="inline-form" @submit=${onFilter}><input name="grid" class="input-sm" placeholder="网格"
            aria-label="按网格筛选" .value=${filters.grid}></form>
          <label class="check"><input id="request-overdue" type="checkbox" .checked=${filters.overdue === "1"}
            @change=${(e) => { filters.overdue = e.currentTarget.checked ? "1" : ""; list.restart(); }}> 只看超时</label>
          <a class="btn btn-ghost btn-sm" href="#/requests/plan">服务计划</a>
          ${isAdmin() ? html`<a class="btn btn-ghost btn-sm" href="#/requests/reads" id="confidential-reads-link">保密诉求查看记录</a>`
            : nothing}`,
      })}
      <div class="card">${pagedTable(list, {
        id: "requests-table", row, head: ["诉求", "会员", "类别", "网格", "状态", "时限", "处理人"],
        empty: html`<p>${Object.values(filters).some(Boolean) ? "没有符合条件的诉求。" : "还没有会员诉求。"}</p>`,
      })}</div></div>`, root);
  }

  await list.load();
}

// --- one request ----------------------------------------------------------------------------------

async function findRequest(id) {
  try {
    return await api(`/requests/${id}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

/** Photos are served with the bearer token only, so they are fetched and shown from blob URLs. */
async function photoUrls(attachments) {
  const urls = [];
  for (const a of attachments || []) {
    try {
      const resp = await api(a.url.replace(/^\/api\/v1/, ""), { raw: true });
      urls.push({ id: a.id, src: URL.createObjectURL(await resp.blob()) });
    } catch {
      urls.push({ id: a.id, src: null });
    }
  }
  return urls;
}

export async function viewRequest(root, id) {
  let r = await findRequest(id);
  const back = { href: "#/requests", text: "返回诉求列表" };
  if (!r) {
    render(html`<div class="page">${pageHeader({ back, title: "诉求" })}${alertBox("诉求不存在")}</div>`, root);
    return;
  }
  let photos = [];
  let busyAction = "";
  let actionError = "";
  const picker = new MemberPicker(() => draw());

  const stepText = (s) => label("timeline_action", s.action);

  function timeline() {
    // An internal note is its own action ("note"); the member's timeline never has one.
    return html`<h2>办理过程</h2><ol class="thread" id="request-timeline">${r.timeline.map((s) => html`
      <li class="thread-msg ${s.action === "note" ? "thread-internal" : ""}" data-action=${s.action}>
        <div class="thread-meta">${fmtTime(s.at)} · ${s.by ? s.by.name : "系统"} · ${stepText(s)}
          ${s.action === "note" ? toneBadge("会员不可见", "idle") : nothing}</div>
        ${s.body ? html`<p class="prewrap">${s.body}</p>` : nothing}</li>`)}</ol>`;
  }

  function clocks() {
    return html`<h2>时限</h2><dl class="facts">
      <dt>首次响应期限</dt><dd id="first-response-due">${fmtDue(r.first_response_due_at)}
        ${r.first_response_at ? html`<div class="sub">已于 ${fmtTime(r.first_response_at)} 响应</div>` : nothing}</dd>
      <dt>办结期限</dt><dd id="resolve-due">${fmtDue(r.resolve_due_at)}
        ${r.resolved_at ? html`<div class="sub">已于 ${fmtTime(r.resolved_at)} 办结</div>` : nothing}</dd>
      <dt>当前</dt><dd>${clockBadge(r)} ${escalation(r.escalation_level)}</dd>
      ${r.satisfaction ? html`<dt>满意度</dt><dd id="request-satisfaction">${"★".repeat(r.satisfaction)}${"☆".repeat(5 - r.satisfaction)}</dd>` : nothing}
    </dl>`;
  }

  function actions() {
    const open = OPEN.includes(r.status);
    return html`<h2>办理</h2>
      <div class="form-message" id="request-action-message">${actionError ? alertBox(actionError) : nothing}</div>
      ${r.status === "submitted" || r.status === "reopened" ? html`<button id="request-accept" type="button"
        class="btn btn-primary ${busyAction === "accept" ? "is-busy" : ""}" ?disabled=${Boolean(busyAction)}
        @click=${() => act("accept", {}, "已受理")}>受理</button>` : nothing}
      ${open ? html`<form class="form" id="assign-form" novalidate @submit=${onAssign}>
          <p class="muted">当前处理人：<b id="request-assignee">${r.assignee ? r.assignee.name : "未指派"}</b></p>
          ${picker.view("assignee-search", { fields: {}, alerts: [] }, "assignee_id", "指派给")}
          ${formActions("指派", { busy: busyAction === "assign" })}</form>
        <form class="form" id="resolve-form" novalidate @submit=${onResolve}>
          <label for="resolution">办结答复（会员可见）</label>
          <textarea id="resolution" name="resolution" rows="3" maxlength="2000"></textarea>
          ${formActions("办结", { busy: busyAction === "resolve" })}</form>` : nothing}
      ${r.status === "resolved" ? html`<p class="muted">已办结，等待会员确认（会员可在 15 天内重新打开）。</p>` : nothing}
      ${r.status === "closed" ? html`<p class="muted">会员已确认办结。</p>` : nothing}`;
  }

  function messageForm() {
    return r.status === "closed" ? nothing : html`<form class="form" id="message-form" novalidate @submit=${onMessage}>
      <textarea id="message-body" name="body" rows="3" maxlength="2000" aria-label="回复内容"
        placeholder="回复会显示给会员；勾选“内部备注”则只有处理人可见"></textarea>
      <label class="check"><input id="message-internal" name="internal" type="checkbox"> 内部备注（会员不可见）</label>
      ${formActions("发送", { busy: busyAction === "message" })}</form>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: r.title, titleId: "request-title", badge: statusBadge("request_status", r.status),
        sub: html`${label("request_category", r.category)} · ${r.grid || "无网格"} · ${r.member.name}
          ${r.raised_by ? ` · 由 ${r.raised_by.name} 代为提交` : ""} · ${fmtTime(r.created_at)} 提交
          ${r.urgent ? toneBadge("紧急", "danger") : nothing} ${r.confidential ? toneBadge("保密", "idle") : nothing}` })}
      <div class="event-grid">
        <div class="main">
          <div class="card" id="request-content"><h2>诉求内容</h2><p class="prewrap">${r.content}</p>
            ${photos.length ? html`<div class="photos" id="request-photos">${photos.map((p) => (p.src
              ? html`<a href=${p.src} target="_blank" rel="noopener"><img src=${p.src} alt="诉求图片" loading="lazy"></a>`
              : html`<span class="muted">图片无法加载</span>`))}</div>` : nothing}</div>
          <div class="card">${timeline()}${messageForm()}</div>
        </div>
        <div class="side">
          <div class="card" id="request-clocks">${clocks()}</div>
          <div class="card" id="request-actions">${actions()}</div>
        </div>
      </div></div>`, root);
  }

  async function act(action, body, done) {
    actionError = "";
    busyAction = action;
    draw();
    try {
      r = await api(`/requests/${id}/${action}`, { method: "POST", body });
      toast(done);
      return true;
    } catch (e) {
      actionError = e.code === "invalid_transition" ? "状态已变化，已为您刷新。" : e.message;
      if (e.code === "invalid_transition") r = (await findRequest(id)) || r;
      return false;
    } finally {
      busyAction = "";
      draw();
    }
  }

  async function onAssign(e) {
    e.preventDefault();
    const chosen = picker.ids.at(-1);
    if (!chosen) { actionError = "请先查找并选择处理人"; draw(); return; }
    if (await act("assign", { assignee_id: chosen }, "已指派")) picker.chosen = [];
    draw();
  }

  async function onResolve(e) {
    e.preventDefault();
    const box = e.currentTarget.elements.resolution;
    if (!box.value.trim()) { actionError = "请填写办结答复"; draw(); return; }
    if (await act("resolve", { resolution: box.value }, "已办结，已通知会员确认")) box.value = "";
  }

  async function onMessage(e) {
    e.preventDefault();
    const f = e.currentTarget.elements;
    const text = f.body.value;
    if (!text.trim()) { actionError = "请输入回复内容"; draw(); return; }
    const internal = f.internal.checked;
    actionError = "";
    busyAction = "message";
    draw();
    try {
      await api(`/requests/${id}/messages`, { method: "POST", body: { body: text, internal } });
      r = (await findRequest(id)) || r;
      f.body.value = "";
      f.internal.checked = false;
      toast(internal ? "内部备注已保存" : "回复已发送给会员");
    } catch (err) {
      actionError = err.message;
    } finally {
      busyAction = "";
      draw();
    }
  }

  draw();
  photos = await photoUrls(r.attachments);
  if (photos.length) draw();
  return () => photos.forEach((p) => p.src && URL.revokeObjectURL(p.src));
}

// --- the log of staff reads of confidential and hardship requests (admins) -------------------------

export async function viewConfidentialReads(root) {
  const list = new PagedList({ path: "/requests/confidential-reads", perPage: PER_PAGE, draw });
  const row = (a) => html`<tr data-read-id=${a.id}><td class="nowrap">${fmtTime(a.viewed_at)}</td>
    <td>${a.viewer.name}</td><td><a class="event-link" href="#/requests/${a.request_id}">${a.request_title}</a></td>
    <td class="mono">${a.route}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back: { href: "#/requests", text: "返回诉求列表" }, title: "保密诉求查看记录",
        sub: "工作人员每次打开保密或困难帮扶类诉求都会记录在此，最新的在前。" })}
      <div class="card">${isAdmin() ? pagedTable(list, {
        id: "confidential-reads-table", row, head: ["时间", "查看人", "诉求", "接口"],
        empty: html`<p>还没有查看记录。</p>`,
      }) : alertBox("只有系统管理员可以查看此记录。")}</div></div>`, root);
  }

  if (isAdmin()) await list.load();
  else draw();
}
