// Congress proposals (API.md "Congress proposals"): the sessions with their proposals, the 7-working-day
// assignment clock, one proposal's review, assignment, progress (pictures, video links), completion and the
// department heads' signed links, and the session's printable A4 summary.
import { ApiError, api, downloadFile, fmtTime, localInputToIso, uploadFile } from "./core.js";
import {
  PagedList, alertBox, field, filterSelect, formActions, formMessage, formState, input, options, pageHeader,
  pagedTable, statusBadge, submitForm, toast, toneBadge,
} from "./components.js";
import { label } from "./labels.js";
import { fmtDue } from "./requests.js";
import { html, nothing, render } from "./view.js";

const PER_PAGE = 20;
const HOUR = 3600 * 1000;
// An assignment clock this close to its end is shown amber: a day left to publish the assignment.
const SOON_HOURS = 24;
const AWAITING = ["submitted", "accepted"];
const IN_HAND = ["assigned", "in_progress"];

/** The assignment clock (7 working days after the session closes) while the proposal is not yet assigned. */
export function assignmentBadge(p, now = Date.now()) {
  if (!AWAITING.includes(p.status) || !p.assignment_due_at) return nothing;
  const left = new Date(p.assignment_due_at).getTime() - now;
  if (left < 0) {
    return html`<span class="badge badge-danger" data-clock="overdue">交办已超时 ${Math.max(1, Math.floor(-left / HOUR))} 小时</span>`;
  }
  if (left < SOON_HOURS * HOUR) {
    return html`<span class="badge badge-idle" data-clock="soon">交办 ${Math.max(1, Math.ceil(left / HOUR))} 小时内到期</span>`;
  }
  return html`<span class="badge badge-muted" data-clock="due">交办期限 ${fmtDue(p.assignment_due_at)}</span>`;
}

const dueCell = (p) => (p.due_date
  ? html`${p.due_date}${p.overdue ? html` ${toneBadge("已逾期", "danger")}` : nothing}` : "—");

const proposerText = (p) => (p.proposer ? p.proposer.name : "保密");

// --- sessions and their proposals ------------------------------------------------------------------

export async function viewProposals(root, sessionId = null) {
  const chosen = sessionId ? Number(sessionId) : null;
  const sessions = new PagedList({ path: "/congress-sessions", perPage: PER_PAGE, draw });
  const filters = { session_id: chosen ? String(chosen) : "", status: "" };
  const proposals = new PagedList({ path: "/proposals", query: () => filters, perPage: PER_PAGE, draw });
  const form = formState();
  let showForm = false;

  const sessionRow = (s) => html`<tr data-session-id=${s.id} class=${s.id === chosen ? "row-selected" : ""}>
    <td><a class="event-link" href="#/proposals/sessions/${s.id}">${s.name}</a></td>
    <td class="nowrap">${fmtTime(s.closes_at)} ${s.open ? toneBadge("征集中", "open") : toneBadge("已截止", "muted")}</td>
    <td class="nowrap">${s.min_cosigners} 人</td>
    <td class="nowrap">${fmtDue(s.assignment_due_at)}</td>
    <td class="num">${s.proposals_count}</td></tr>`;

  const proposalRow = (p) => html`<tr data-proposal-id=${p.id} class=${p.overdue ? "row-overdue" : ""}>
    <td class="mono">${p.number}</td>
    <td><a class="event-link" href="#/proposals/${p.id}">${p.title}</a>
      ${p.confidential ? html` ${toneBadge("保密", "idle")}` : nothing}</td>
    <td class="proposer">${proposerText(p)}</td>
    <td>${statusBadge("proposal_status", p.status)}</td>
    <td class="nowrap">${p.lead_department || "—"}</td>
    <td>${assignmentBadge(p)}</td>
    <td class="nowrap">${dueCell(p)}</td>
    <td class="nowrap">${p.grade ? html`<span data-grade=${p.grade}>${p.grade}</span>` : "—"}</td></tr>`;

  const current = () => sessions.data?.items.find((s) => s.id === chosen);

  function sessionForm() {
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "session" }, c);
    return html`<div class="card"><h2>新建职代会</h2>
      <form class="form" id="session-form" novalidate @submit=${(e) => submitForm(form, e, draw, async (el) => {
        const body = { name: el.name.value.trim(), closes_at: localInputToIso(el.closes_at.value),
          min_cosigners: el.min_cosigners.value === "" ? undefined : Number(el.min_cosigners.value) };
        const s = await api("/congress-sessions", { method: "POST", body });
        toast("职代会已创建");
        showForm = false;
        location.hash = `#/proposals/sessions/${s.id}`;
      })}>
        ${formMessage(form.errors)}
        ${f({ name: "name", label: "名称", required: true }, input())}
        ${f({ name: "closes_at", label: "提案截止时间（北京时间）", required: true,
          hint: "截止后 7 个工作日内须完成交办" }, input({ type: "datetime-local" }))}
        ${f({ name: "min_cosigners", label: "最少附议人数", hint: "默认 2 人" }, input({ type: "number" }))}
        ${formActions("创建", form)}
      </form></div>`;
  }

  function proposalsCard() {
    if (!chosen) return html`<div class="card"><p class="muted">选择一次职代会查看其提案。</p></div>`;
    const s = current();
    return html`<div class="card" id="session-proposals">
      <div class="page-head"><div><h2>${s ? s.name : "提案"}</h2>
        ${s ? html`<p class="muted">交办期限 ${fmtDue(s.assignment_due_at)}</p>` : nothing}</div>
        <div class="head-actions">
          ${filterSelect({ id: "proposal-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "proposal_status",
            value: filters.status, onChange: (v) => { filters.status = v; proposals.restart(); } })}
          <button class="btn btn-ghost btn-sm" id="summary-pdf" type="button" @click=${(e) =>
            downloadFile(`/congress-sessions/${chosen}/summary.pdf`, null, e.currentTarget)}>下载提案汇总（PDF）</button>
        </div></div>
      ${pagedTable(proposals, {
        id: "proposals-table", row: proposalRow,
        head: ["编号", "提案", "提案人", "状态", "主办部门", "交办时限", "办理期限", "评级"],
        empty: html`<p>${filters.status ? "没有符合条件的提案。" : "本次会议还没有提交的提案。"}</p>`,
      })}</div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "职代会提案",
        sub: "立案后须在会议截止后 7 个工作日内交办（节假日顺延）；保密提案对会员不显示提案人",
        actions: html`<button class="btn btn-primary btn-sm" id="new-session" type="button"
          @click=${() => { showForm = !showForm; draw(); }}>新建职代会</button>`,
      })}
      ${showForm ? sessionForm() : nothing}
      <div class="card">${pagedTable(sessions, {
        id: "sessions-table", row: sessionRow, head: ["职代会", "提案截止", "附议人数", "交办期限", "提案数"],
        empty: html`<p>还没有职代会。</p>`,
      })}</div>
      ${proposalsCard()}</div>`, root);
  }

  await Promise.all([sessions.load(), chosen ? proposals.load() : Promise.resolve()]);
}

// --- one proposal -------------------------------------------------------------------------------------

async function findProposal(id) {
  try {
    return await api(`/proposals/${id}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

/** Pictures are served with the bearer token only, so they are shown from blob URLs. */
async function pictureUrls(timeline, known) {
  for (const step of timeline) {
    for (const url of step.images || []) {
      if (known.has(url)) continue;
      try {
        const resp = await api(url.replace(/^\/api\/v1/, ""), { raw: true });
        known.set(url, URL.createObjectURL(await resp.blob()));
      } catch {
        known.set(url, null);
      }
    }
  }
}

export async function viewProposal(root, id) {
  let p = await findProposal(id);
  const back = { href: "#/proposals", text: "返回提案列表" };
  if (!p) {
    render(html`<div class="page">${pageHeader({ back, title: "提案" })}${alertBox("提案不存在")}</div>`, root);
    return undefined;
  }
  back.href = `#/proposals/sessions/${p.session_id}`;
  const pictures = new Map();
  // The proposal's head links (GET …/head-links), newest first; revoked ones stay listed as such.
  const links = [];
  const forms = { review: formState(), assign: formState(), update: formState(), complete: formState(),
    link: formState() };
  let actionError = "";

  const who = (s) => (s.actor ? s.actor.name : s.department ? `${s.department}（部门负责人）` : "系统");

  function timeline() {
    return html`<h2>办理过程</h2><ol class="thread" id="proposal-timeline">${p.timeline.map((s) => html`
      <li class="thread-msg" data-action=${s.action}>
        <div class="thread-meta">${fmtTime(s.at)} · <span class="step-by">${who(s)}</span> · ${label("proposal_action", s.action)}</div>
        ${s.body ? html`<p class="prewrap">${s.body}</p>` : nothing}
        ${s.images.length ? html`<div class="photos">${s.images.map((u) => (pictures.get(u)
          ? html`<a href=${pictures.get(u)} target="_blank" rel="noopener"><img src=${pictures.get(u)} alt="进展图片" loading="lazy"></a>`
          : html`<span class="muted">图片加载中或无法加载</span>`))}</div>` : nothing}
        ${s.video_url ? html`<p><a class="video-link" href=${s.video_url} target="_blank" rel="noopener noreferrer">查看视频</a></p>` : nothing}
      </li>`)}</ol>`;
  }

  function facts() {
    return html`<h2>提案信息</h2><dl class="facts">
      <dt>提案人</dt><dd id="proposal-proposer">${proposerText(p)}${p.proposer?.department ? ` · ${p.proposer.department}` : ""}</dd>
      <dt>建议承办部门</dt><dd>${p.department}</dd>
      <dt>期望完成</dt><dd>${p.deadline || "—"}</dd>
      <dt>附议人</dt><dd id="proposal-cosigners">${p.cosigners ? p.cosigners.map((c) => c.name).join("、") || "—" : `${p.cosigners_count} 人`}</dd>
      <dt>交办时限</dt><dd>${fmtDue(p.assignment_due_at)} ${assignmentBadge(p)}</dd>
      ${p.lead_department ? html`<dt>主办部门</dt><dd id="proposal-lead">${p.lead_department}</dd>
        <dt>协办部门</dt><dd>${p.co_departments.join("、") || "—"}</dd>
        <dt>办理期限</dt><dd>${dueCell(p)}</dd>` : nothing}
      ${p.review_reason ? html`<dt>审查意见</dt><dd class="prewrap">${p.review_reason}</dd>` : nothing}
      ${p.grade ? html`<dt>评级</dt><dd id="proposal-grade">${p.grade} · ${label("proposal_grade", p.grade)}</dd>` : nothing}
      ${p.satisfaction ? html`<dt>满意度</dt><dd>${"★".repeat(p.satisfaction)}${"☆".repeat(5 - p.satisfaction)}</dd>` : nothing}
    </dl>`;
  }

  /** One action's submit: a 409 invalid_transition reloads the proposal and says so. */
  const step = (name, done, work) => (e) => submitForm(forms[name], e, draw, async (el) => {
    actionError = "";
    try {
      const out = await work(el);
      if (out) p = out;
      toast(done);
    } catch (err) {
      if (err.code !== "invalid_transition") throw err;
      actionError = "状态已变化，已为您刷新";
      p = (await findProposal(id)) || p;
    }
  });

  const post = (path, body) => api(`/proposals/${id}/${path}`, { method: "POST", body });
  const f = (name, o, c) => field({ ...o, errors: forms[name].errors, prefix: name }, c);

  function reviewForm() {
    return html`<form class="form" id="review-form" novalidate @submit=${step("review", "已审查", (el) => {
      const decision = el.decision.value;
      const reason = el.reason.value.trim();
      if (decision === "reject" && !reason) {
        throw new ApiError(400, "invalid_request", "", { fields: { reason: "不予立案须填写理由" } });
      }
      return post("review", { decision, reason: reason || undefined });
    })}>
      <h3>审查</h3>${formMessage(forms.review.errors)}
      <div class="field" data-field="decision"><label for="review-decision">审查结果</label>
        <select id="review-decision" name="decision"><option value="accept">立案</option>
          <option value="opinion">转为意见</option><option value="reject">不予立案</option></select>
        <small class="field-error" data-error-for="decision"></small></div>
      ${f("review", { name: "reason", label: "理由（不予立案时必填）" },
        (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="2000"></textarea>`)}
      ${formActions("提交审查", forms.review)}</form>`;
  }

  function assignForm() {
    return html`<form class="form" id="assign-form" novalidate @submit=${step("assign", "已交办", (el) => post("assign", {
      lead_department: el.lead_department.value.trim(),
      co_departments: el.co_departments.value.split(/[,，、;；\n]/).map((s) => s.trim()).filter(Boolean),
      due_date: el.due_date.value || undefined,
    }))}>
      <h3>交办</h3>${formMessage(forms.assign.errors)}
      ${f("assign", { name: "lead_department", label: "主办部门", required: true }, input({ value: p.department }))}
      ${f("assign", { name: "co_departments", label: "协办部门", hint: "多个部门用逗号或顿号分隔" }, input())}
      ${f("assign", { name: "due_date", label: "办理期限", required: true }, input({ type: "date" }))}
      ${formActions("交办", forms.assign)}</form>`;
  }

  function updateForm() {
    return html`<form class="form" id="update-form" novalidate @submit=${step("update", "进展已发布", async (el) => {
      const images = [];
      for (const file of el.pictures.files) images.push(await uploadFile(file));
      const out = await post("updates", { body: el.body.value, images, video_url: el.video_url.value.trim() || undefined });
      el.body.value = "";
      el.pictures.value = "";
      el.video_url.value = "";
      return out;
    })}>
      <h3>办理进展</h3>${formMessage(forms.update.errors)}
      ${f("update", { name: "body", label: "进展情况", required: true },
        (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="5000"></textarea>`)}
      ${f("update", { name: "images", label: "图片", hint: "最多 9 张，JPEG、PNG 或 WebP" },
        (a) => html`<input id=${a.id} name="pictures" type="file" accept="image/jpeg,image/png,image/webp" multiple>`)}
      ${f("update", { name: "video_url", label: "视频链接", hint: "http:// 或 https:// 开头" }, input({ type: "url" }))}
      ${formActions("发布进展", forms.update)}</form>`;
  }

  function completeForm() {
    return html`<form class="form" id="complete-form" novalidate @submit=${step("complete", "已办结", (el) => post("complete", {
      report: el.report.value, grade: el.grade.value || undefined,
    }))}>
      <h3>办结</h3>${formMessage(forms.complete.errors)}
      ${f("complete", { name: "report", label: "办结报告", required: true },
        (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="5000"></textarea>`)}
      ${f("complete", { name: "grade", label: "评级", required: true }, (a) => html`<select id=${a.id} name=${a.name}>
        <option value="">请选择</option>${options("proposal_grade")}</select>`)}
      ${formActions("办结", forms.complete)}</form>`;
  }

  async function revoke(link) {
    try {
      await api(`/proposals/${id}/head-links/${link.id}`, { method: "DELETE" });
      link.revoked = true;
      toast("链接已撤销");
    } catch (e) {
      toast(e.message, "error");
    }
    draw();
  }

  function copy(link) {
    navigator.clipboard?.writeText(link.url).then(() => toast("链接已复制"), () => toast("复制失败，请手动复制", "error"));
  }

  function linksCard() {
    return html`<div class="card" id="head-links"><h2>部门负责人链接</h2>
      <p class="muted">负责人无需账号，凭链接查看提案并反馈进展；有效至办理期限，可随时撤销。</p>
      <form class="form" id="link-form" novalidate @submit=${step("link", "链接已生成", async (el) => {
        const link = await api(`/proposals/${id}/head-links`, { method: "POST", body: { department: el.department.value.trim() } });
        links.unshift(link);
        return null;
      })}>${formMessage(forms.link.errors)}
        ${f("link", { name: "department", label: "部门", required: true }, input({ value: p.lead_department || "" }))}
        ${formActions("生成链接", forms.link)}</form>
      ${links.length ? html`<ul class="head-link-list">${links.map((l) => html`<li data-link-id=${l.id}>
        <b>${l.department}</b> ${l.revoked ? toneBadge("已撤销", "muted")
          : new Date(l.expires_at) <= new Date() ? toneBadge("已过期", "muted")
            : html`<span class="muted">有效至 ${fmtTime(l.expires_at)}</span>`}
        <div class="link-row"><input class="input-sm link-url" readonly .value=${l.url} aria-label="链接地址">
          <button class="btn btn-ghost btn-sm" type="button" @click=${() => copy(l)}>复制</button>
          ${l.revoked ? nothing : html`<button class="btn btn-ghost btn-sm revoke-link" type="button" @click=${() => revoke(l)}>撤销</button>`}
        </div></li>`)}</ul>` : nothing}</div>`;
  }

  function actions() {
    const parts = [];
    if (p.status === "submitted") parts.push(reviewForm());
    if (p.status === "accepted") parts.push(assignForm());
    if (IN_HAND.includes(p.status)) parts.push(updateForm(), completeForm());
    return html`<h2>办理</h2><div class="form-message" id="proposal-action-message">${actionError ? alertBox(actionError) : nothing}</div>
      ${parts.length ? parts : html`<p class="muted">当前状态无需操作。</p>`}`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: p.title, titleId: "proposal-title", badge: statusBadge("proposal_status", p.status),
        sub: html`${p.number} · ${p.session_name} · ${p.submitted_at ? `${fmtTime(p.submitted_at)} 提交` : "草稿"}
          ${p.confidential ? toneBadge("保密", "idle") : nothing}` })}
      <div class="event-grid">
        <div class="main">
          <div class="card" id="proposal-content"><h2>问题</h2><p class="prewrap">${p.problem}</p>
            <h2>建议</h2><p class="prewrap">${p.solution}</p>
            ${p.report ? html`<h2>办结报告</h2><p class="prewrap" id="proposal-report">${p.report}</p>` : nothing}</div>
          <div class="card">${timeline()}</div>
        </div>
        <div class="side">
          <div class="card" id="proposal-facts">${facts()}</div>
          <div class="card" id="proposal-actions">${actions()}</div>
          ${IN_HAND.includes(p.status) || links.length ? linksCard() : nothing}
        </div>
      </div></div>`, root);
    refreshPictures();
  }

  // Pictures load after a draw; one more draw once new ones have their blob URLs.
  let loadingPictures = false;
  async function refreshPictures() {
    if (loadingPictures) return;
    loadingPictures = true;
    const before = pictures.size;
    await pictureUrls(p.timeline, pictures);
    loadingPictures = false;
    if (pictures.size !== before) draw();
  }

  draw();
  try {
    const known = await api(`/proposals/${id}/head-links`);
    links.push(...known.items.map((l) => ({ ...l, revoked: Boolean(l.revoked_at) })));
    if (links.length) draw();
  } catch {
    /* the list is a convenience: links can still be made and revoked from this page */
  }
  return () => pictures.forEach((src) => src && URL.revokeObjectURL(src));
}
