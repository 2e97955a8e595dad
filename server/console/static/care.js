// Hardship aid cases (困难职工帮扶, docs/care.md): the cases list with filters, a new case, one case's page
// (member, assessment, documents, the two-step decision, grants with their fund entries, visits, closing) and
// the chair's access log. A case's details are restricted: the page draws only what the server answers (a case
// the viewer may not see is "not found"), keeps nothing in the browser's storage, and names the case by its
// number only in headings and addresses.
import { API, ApiError, api, busy, downloadFile, fmtTime, hasRole, localInputToIso, session } from "./core.js";
import {
  PagedList, alertBox, confirmDialog, field, filterSelect, formActions, formMessage, formState, input, options,
  pageHeader, pagedTable, statusBadge, submitForm, toast, toneBadge,
} from "./components.js";
import { choices, label } from "./labels.js";
import { MemberPicker } from "./members.js";
import { html, nothing, render } from "./view.js";
import { amountError, yuan, yuanToFen } from "./fund.js";

const PER_PAGE = 20;

// Tones are presentation (components.js keeps those of the other sections): waiting on the union amber, aid
// under way blue, done green, ended without aid grey.
const STAGE_TONES = {
  opened: "danger", assessing: "idle", awaiting_chair: "idle", approved: "live", aided: "live",
  following_up: "live", closed: "open", rejected: "muted", withdrawn: "muted",
};
const OPEN_STAGES = ["opened", "assessing", "awaiting_chair", "approved", "aided", "following_up"];
const GRANT_STAGES = ["approved", "aided", "following_up"];
const ASSESS_STAGES = ["opened", "assessing"];

// The decisions each step may make: the handler approves or not; the chair may also send the case back.
const STEP_DECISIONS = { handler: ["approve", "reject"], chair: ["approve", "reject", "return"] };
const READ_WORDS = { read: "查看个案", download: "下载材料" };

// The server's messages are Chinese already; these say the same where an answer carries none.
const CARE_ERRORS = {
  not_found: "个案不存在，或您无权查看",
  forbidden: "您没有此操作的权限",
  wrong_stage: "个案的办理阶段已变化，已为您刷新",
  same_person: "四眼原则：您已作为经办人审核过本个案，主席审批须由另一人作出",
  case_open: "该会员已有同类帮扶个案正在办理",
};
const careError = (e) => e.message || CARE_ERRORS[e.code] || "操作失败，请稍后重试";

export const stageBadge = (stage) => html`<span class="badge badge-${STAGE_TONES[stage] || "muted"}"
  data-status=${stage}>${label("care_stage", stage)}</span>`;

const isChair = () => hasRole(["secretary"]);
const myId = () => session.member?.id;

// --- the list ------------------------------------------------------------------------------------

export async function viewCareCases(root) {
  const filters = { stage: "", category: "", mine: "" };
  const list = new PagedList({ path: "/care/cases", query: () => filters, perPage: PER_PAGE, draw });

  // Staff see an unassigned new case in their list but not its details until they take it (the chair sees all).
  const takable = (c) => !isChair() && !c.handlers.length && c.stage === "opened";

  async function take(c, button) {
    busy(button, true);
    try {
      await api(`/care/cases/${c.id}/handlers`, { method: "POST", body: { member_id: myId() } });
      toast(`个案 #${c.id} 由您经办`);
      location.hash = `#/care/${c.id}`;
    } catch (e) {
      // Taken by someone else meanwhile: 409 case_taken, or 404 once it has left the unassigned new ones.
      toast(["case_taken", "not_found"].includes(e.code) ? "该个案已由其他工会干事受理" : careError(e), "error");
      busy(button, false);
      list.load({ quiet: true });
    }
  }

  const row = (c) => html`<tr data-case-id=${c.id}>
    <td class="nowrap">${takable(c) ? html`个案 #${c.id}` : html`<a class="event-link" href="#/care/${c.id}">个案 #${c.id}</a>`}</td>
    <td>${c.member_name}${c.department ? html`<div class="sub">${c.department}</div>` : nothing}</td>
    <td class="nowrap">${label("care_category", c.category)}</td>
    <td>${stageBadge(c.stage)}</td>
    <td class="handlers">${c.handlers.length ? c.handlers.join("、") : takable(c)
      ? html`<button type="button" class="btn btn-primary btn-sm take" @click=${(e) => take(c, e.currentTarget)}>由我经办</button>`
      : toneBadge("待分配", "danger")}</td>
    <td class="nowrap">${c.next_visit_due || "—"}</td>
    <td class="nowrap">${fmtTime(c.opened_at)}<div class="sub">更新 ${fmtTime(c.updated_at)}</div></td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "困难帮扶",
        sub: isChair() ? "全部个案。个案详情仅经办人和主席可见，每次查看都记入审计记录。"
          : "您经办的个案和待分配的新个案。个案详情仅经办人和主席可见，每次查看都记入审计记录。",
        actions: html`
          ${filterSelect({ id: "care-stage", ariaLabel: "按阶段筛选", all: "全部阶段", vocab: "care_stage",
            value: filters.stage, onChange: (v) => { filters.stage = v; list.restart(); } })}
          ${filterSelect({ id: "care-category", ariaLabel: "按类别筛选", all: "全部类别", vocab: "care_category",
            value: filters.category, onChange: (v) => { filters.category = v; list.restart(); } })}
          <label class="check"><input id="care-mine" type="checkbox" .checked=${filters.mine === "1"}
            @change=${(e) => { filters.mine = e.currentTarget.checked ? "1" : ""; list.restart(); }}> 只看我经办的</label>
          <a class="btn btn-primary btn-sm" id="new-care-case" href="#/care/new">新建个案</a>`,
      })}
      <div class="card">${pagedTable(list, {
        id: "care-table", row, head: ["个案", "会员", "类别", "阶段", "经办人", "下次回访", "立案时间"],
        empty: html`<p>${Object.values(filters).some(Boolean) ? "没有符合条件的个案。" : "还没有帮扶个案。"}</p>`,
      })}</div></div>`, root);
  }

  await list.load();
}

// --- a new case ------------------------------------------------------------------------------------

export async function viewNewCareCase(root) {
  const form = formState();
  const picker = new MemberPicker(() => draw());
  let existing = null;  // a 409 case_open's case id

  async function onSubmit(e) {
    existing = null;
    await submitForm(form, e, draw, async (el) => {
      const m = picker.chosen.at(-1);
      if (!m) throw new ApiError(400, "invalid_request", "", { fields: { member: "请查找并选择会员" } });
      const body = { member_employee_no: m.employee_no, category: el.category.value, summary: el.summary.value.trim() };
      if (el.request_id.value.trim()) body.request_id = /^\d+$/.test(el.request_id.value.trim()) ? Number(el.request_id.value) : el.request_id.value;
      const take = el.take.checked;
      try {
        const c = await api("/care/cases", { method: "POST", body });
        // Only its handlers and the chair see a case: staff who register one take it, unless they leave it to others.
        if (take) await api(`/care/cases/${c.id}/handlers`, { method: "POST", body: { member_id: myId() } });
        toast(take ? "个案已建立，由您经办" : "个案已建立，已通知工会主席和工会干事");
        location.hash = take || isChair() ? `#/care/${c.id}` : "#/care";
      } catch (err) {
        if (err.code === "case_open") existing = err.details?.case_id ?? null;
        throw err;
      }
    });
  }

  function draw() {
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "care" }, c);
    render(html`<div class="page">
      ${pageHeader({ back: { href: "#/care", text: "返回帮扶个案" }, title: "新建帮扶个案",
        sub: "个案详情仅经办人和工会主席可见；立案会通知主席和工会干事（通知中不含会员姓名）。" })}
      <div class="card"><form class="form" id="care-form" novalidate @submit=${onSubmit}>
        ${formMessage(form.errors, existing ? html`<p id="care-existing">已有同类个案：<a class="event-link"
          href="#/care/${existing}">个案 #${existing}</a></p>` : nothing)}
        ${picker.view("care-member", form.errors, "member", "会员")}
        ${f({ name: "category", label: "困难类别", required: true }, (a) => html`<select id=${a.id} name=${a.name}>
          <option value="">请选择</option>${options("care_category")}</select>`)}
        ${f({ name: "summary", label: "情况摘要", required: true, hint: "简要写明困难；家庭情况在评估中填写" },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="2000"></textarea>`)}
        ${f({ name: "request_id", label: "关联诉求编号", hint: "由会员诉求转来时填写" }, input({ inputmode: "numeric" }))}
        <label class="check"><input id="care-new-take" name="take" type="checkbox" ?checked=${!isChair()}> 由我经办（经办人和主席才能查看个案详情）</label>
        ${formActions("建立个案", form, "#/care")}
      </form></div></div>`, root);
  }

  draw();
}

// --- one case --------------------------------------------------------------------------------------

async function findCase(id) {
  try {
    return await api(`/care/cases/${id}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

/** The two tabs of a case; the access log is the chair's. */
function caseTabs(id, active) {
  const tabs = [["case", `#/care/${id}`, "个案"], ["reads", `#/care/${id}/reads`, "查看记录"]];
  return isChair() ? html`<nav class="fund-tabs" aria-label="个案">${tabs.map(([key, href, text]) => html`
    <a href=${href} data-tab=${key} class=${key === active ? "active" : ""}>${text}</a>`)}</nav>` : nothing;
}

/** A document as multipart field `file` (POST …/documents): answers the document. */
async function uploadDocument(id, file) {
  const body = new FormData();
  body.append("file", file);
  const resp = await fetch(`${API}/care/cases/${id}/documents`, {
    method: "POST", body, headers: { Accept: "application/json", Authorization: `Bearer ${session.token}` },
  });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const err = data.error || {};
    throw new ApiError(resp.status, err.code || "http_error", `材料“${file.name}”上传失败：${err.message || resp.status}`,
      err.details || {});
  }
  return data;
}

const sizeText = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
const intOrText = (v) => (v.trim() === "" ? null : /^\d+$/.test(v.trim()) ? Number(v) : v);

export async function viewCareCase(root, id) {
  const back = { href: "#/care", text: "返回帮扶个案" };
  let c = await findCase(id);
  if (!c) {
    render(html`<div class="page">${pageHeader({ back, title: "帮扶个案" })}${alertBox(CARE_ERRORS.not_found)}</div>`, root);
    return;
  }
  const forms = { assess: formState(), upload: formState(), decide: formState(), grant: formState(),
    visit: formState(), close: formState(), handler: formState() };
  // Any staff member or the chair may handle a case; the server refuses anyone else.
  const picker = new MemberPicker(() => draw());
  let actionError = "";
  let grantKind = "money";
  const f = (name, o, ctl) => field({ ...o, errors: forms[name].errors, prefix: `care-${name}` }, ctl);

  const handles = () => c.handlers.some((h) => h.id === myId());
  const canWork = () => handles() || isChair();
  const open = () => OPEN_STAGES.includes(c.stage) && !c.purged;

  /**
   * One action's submit: the case as the action answers it (no second read in the access log; an upload answers
   * the document, so the case is read again). A 409 wrong_stage reloads the case and says so.
   */
  const act = (name, done, work) => (e) => submitForm(forms[name], e, draw, async (el) => {
    actionError = "";
    try {
      const out = await work(el);
      c = out?.member ? out : (await findCase(id)) || c;
      toast(done);
    } catch (err) {
      if (err.code === "wrong_stage") {
        c = (await findCase(id)) || c;
        actionError = careError(err);
        return;
      }
      if (!err.details?.fields) err.message = careError(err);
      throw err;
    }
  });

  function facts() {
    const m = c.member;
    return html`<div class="card" id="care-facts"><h2>个案概况</h2><dl class="details">
      <dt>会员</dt><dd id="care-member">${m.name}<div class="sub">${m.employee_no}${m.department ? ` · ${m.department}` : ""}${m.grid ? ` · ${m.grid}` : ""}</div></dd>
      <dt>类别</dt><dd id="care-category">${label("care_category", c.category)}</dd>
      <dt>情况摘要</dt><dd class="prewrap" id="care-summary">${c.summary || "—"}</dd>
      <dt>申请人</dt><dd id="care-opened-by">${c.opened_by.name}（${label("care_opener", c.opened_by.role)}）· ${fmtTime(c.opened_at)}</dd>
      ${c.request_id ? html`<dt>关联诉求</dt><dd><a class="event-link" href="#/requests/${c.request_id}">诉求 #${c.request_id}</a></dd>` : nothing}
      ${c.next_visit_due ? html`<dt>下次回访</dt><dd id="care-next-visit">${c.next_visit_due}</dd>` : nothing}
      ${c.closed_at ? html`<dt>结案</dt><dd id="care-outcome">${fmtTime(c.closed_at)}${c.outcome ? html`<div class="prewrap">${c.outcome}</div>` : nothing}</dd>` : nothing}
    </dl></div>`;
  }

  function assessment() {
    const a = c.assessment;
    // The assessment and the documents are the handlers' work (the chair reads them).
    const editable = handles() && ASSESS_STAGES.includes(c.stage) && !c.purged;
    const shown = a ? html`<dl class="details" id="care-assessment">
        <dt>家庭人口</dt><dd>${a.household_size ?? "—"}${a.household_size != null ? " 人" : ""}</dd>
        <dt>家庭月收入</dt><dd>${a.monthly_income_fen != null ? yuan(a.monthly_income_fen) : "—"}</dd>
        <dt>需赡养/抚养</dt><dd>${a.dependants ?? "—"}${a.dependants != null ? " 人" : ""}</dd>
        <dt>家庭情况</dt><dd class="prewrap">${a.situation || "—"}</dd>
        <dt>帮扶需求</dt><dd class="prewrap">${a.need || "—"}</dd>
        <dt>评估时间</dt><dd>${fmtTime(a.assessed_at)}</dd></dl>` : html`<p class="muted" id="care-assessment">尚未评估。</p>`;
    if (!editable) return html`<div class="card"><h2>家庭情况评估</h2>${shown}</div>`;
    return html`<div class="card"><h2>家庭情况评估</h2>${shown}
      <form class="form" id="assess-form" novalidate @submit=${act("assess", "评估已保存", async (el) => {
        const fen = yuanToFen(el.monthly_income.value);
        if (fen === null) throw new ApiError(400, "invalid_request", "", { fields: { monthly_income_fen: "金额格式不正确：请填写数字，最多两位小数" } });
        return api(`/care/cases/${id}/assessment`, { method: "PUT", body: {
          household_size: intOrText(el.household_size.value), monthly_income_fen: fen ?? null,
          dependants: intOrText(el.dependants.value), situation: el.situation.value, need: el.need.value } });
      })}>
        ${formMessage(forms.assess.errors)}
        <div class="grid-2">
        ${f("assess", { name: "household_size", label: "家庭人口（人）" }, input({ inputmode: "numeric", value: a?.household_size ?? "" }))}
        ${f("assess", { name: "monthly_income_fen", label: "家庭月收入（元）" }, (x) => html`<input id=${x.id} name="monthly_income"
          inputmode="decimal" .value=${a?.monthly_income_fen != null ? (a.monthly_income_fen / 100).toFixed(2) : ""}>`)}
        ${f("assess", { name: "dependants", label: "需赡养/抚养（人）" }, input({ inputmode: "numeric", value: a?.dependants ?? "" }))}
        </div>
        ${f("assess", { name: "situation", label: "家庭情况", required: true }, (x) => html`<textarea id=${x.id} name=${x.name}
          rows="3" maxlength="5000" .value=${a?.situation || ""}></textarea>`)}
        ${f("assess", { name: "need", label: "帮扶需求", required: true }, (x) => html`<textarea id=${x.id} name=${x.name}
          rows="2" maxlength="2000" .value=${a?.need || ""}></textarea>`)}
        ${formActions(a ? "更新评估" : "保存评估", forms.assess)}
      </form></div>`;
  }

  function documents() {
    const rows = c.documents.map((d) => html`<tr data-document-id=${d.id}>
      <td>${d.filename}</td><td class="nowrap">${sizeText(d.size)}</td>
      <td class="nowrap">${fmtTime(d.uploaded_at)}<div class="sub">${d.uploaded_by?.name ?? d.uploaded_by ?? ""}</div></td>
      <td class="actions"><button type="button" class="btn btn-ghost btn-sm" data-download=${d.id}
        @click=${(e) => downloadFile(`/care/cases/${id}/documents/${d.id}`, d.filename, e.currentTarget)}>下载</button></td></tr>`);
    return html`<div class="card"><h2>证明材料</h2>
      ${c.documents.length ? html`<div class="table-wrap"><table class="table" id="care-documents">
        <thead><tr><th>文件</th><th>大小</th><th>上传</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`
        : html`<p class="muted" id="care-documents">还没有材料。</p>`}
      ${handles() && open() ? html`<form class="form" id="upload-form" novalidate @submit=${act("upload", "材料已上传", async (el) => {
        if (!el.file.files.length) throw new ApiError(400, "invalid_request", "", { fields: { file: "请选择文件" } });
        for (const file of el.file.files) await uploadDocument(id, file);
        el.file.value = "";
      })}>
        ${formMessage(forms.upload.errors)}
        ${f("upload", { name: "file", label: "上传材料", hint: "图片或 PDF（诊断证明、收入证明等）；下载会记入审计记录" },
          (x) => html`<input id=${x.id} name=${x.name} type="file" accept="image/jpeg,image/png,image/webp,application/pdf" multiple>`)}
        ${formActions("上传", forms.upload)}</form>` : nothing}</div>`;
  }

  function decisions() {
    const list = c.decisions.map((d) => html`<li class="thread-msg" data-step=${d.step} data-decision=${d.decision}>
      <div class="thread-meta">${fmtTime(d.decided_at)} · ${d.decided_by.name} · ${label("care_decision_step", d.step)}
        ${c.round > 1 ? html` · 第 ${d.round} 轮` : nothing}</div>
      <p><b>${label("care_decision_kind", d.decision)}</b>${d.comment ? html` · <span class="prewrap">${d.comment}</span>` : nothing}</p></li>`);
    // The server says which step the viewer may decide now (the stage and four eyes considered).
    const step = c.can_decide;
    const barred = !step && c.stage === "awaiting_chair" && isChair();
    return html`<div class="card"><h2>审批</h2>
      <p class="muted" id="care-four-eyes">两级审批（四眼原则）：经办人评估后审核，再由工会主席审批；
        同一轮中作出经办人审核的人不能再作主席审批。主席“退回补充”后回到评估阶段，重新审核。</p>
      ${list.length ? html`<ol class="thread" id="care-decisions">${list}</ol>` : html`<p class="muted" id="care-decisions">尚无审批意见。</p>`}
      ${barred ? html`<div id="care-four-eyes-refusal">${alertBox("本轮经办人审核由您作出，按四眼原则，主席审批须由另一位主席作出。", "info")}</div>` : nothing}
      ${step ? html`<form class="form" id="decide-form" novalidate @submit=${act("decide", "审批意见已提交", async (el) => {
        return api(`/care/cases/${id}/decisions`, { method: "POST", body: { decision: el.decision.value, comment: el.comment.value } });
      })}>
        ${formMessage(forms.decide.errors)}
        ${step === "handler" && !c.assessment ? alertBox("请先完成家庭情况评估，再作审核。", "info") : nothing}
        <p class="muted" id="care-step">${step === "handler" ? "第一步：经办人审核" : "第二步：主席审批"}</p>
        ${f("decide", { name: "decision", label: "意见", required: true }, (x) => html`<select id=${x.id} name=${x.name}>
          ${STEP_DECISIONS[step].map((v) => html`<option value=${v}>${label("care_decision_kind", v)}</option>`)}</select>`)}
        ${f("decide", { name: "comment", label: "说明" }, (x) => html`<textarea id=${x.id} name=${x.name} rows="2" maxlength="2000"></textarea>`)}
        ${formActions("提交意见", forms.decide)}</form>`
        : c.stage === "awaiting_chair" && !isChair() ? html`<p class="muted">等待工会主席审批。</p>`
        : c.stage === "assessing" && !handles() ? html`<p class="muted">等待经办人审核。</p>` : nothing}
    </div>`;
  }

  function grants() {
    const rows = c.grants.map((g) => html`<tr data-grant-id=${g.id}>
      <td class="nowrap">${label("care_grant_kind", g.kind)}</td>
      <td class="num">${g.amount_fen != null ? yuan(g.amount_fen) : "—"}</td>
      <td>${g.description}</td>
      <td class="nowrap fund-entry">${g.fund_entry_id ? html`<a class="event-link" href="#/fund/entries/${g.fund_entry_id}">分录 #${g.fund_entry_id}</a>
        ${g.fund_entry_status ? statusBadge("fund_entry_status", g.fund_entry_status) : nothing}` : "—"}</td>
      <td class="nowrap">${fmtTime(g.granted_at)}<div class="sub">${g.granted_by.name}</div></td></tr>`);
    const canGrant = canWork() && GRANT_STAGES.includes(c.stage) && !c.purged;
    return html`<div class="card"><h2>帮扶发放</h2>
      ${rows.length ? html`<div class="table-wrap"><table class="table" id="care-grants">
        <thead><tr><th>方式</th><th>金额</th><th>内容</th><th>经费分录</th><th>发放</th></tr></thead><tbody>${rows}</tbody></table></div>`
        : html`<p class="muted" id="care-grants">尚未发放。</p>`}
      ${canGrant ? html`<form class="form" id="grant-form" novalidate @submit=${act("grant", "已登记发放", async (el) => {
        const body = { kind: el.kind.value, description: el.description.value.trim() };
        if (el.kind.value === "money") {
          const fen = yuanToFen(el.amount.value);
          const bad = amountError(fen);
          if (bad) throw new ApiError(400, "invalid_request", "", { fields: { amount_fen: bad } });
          body.amount_fen = fen;
        }
        const out = await api(`/care/cases/${id}/grants`, { method: "POST", body });
        el.description.value = "";
        if (el.amount) el.amount.value = "";
        return out;
      })}>
        ${formMessage(forms.grant.errors)}
        ${f("grant", { name: "kind", label: "方式", required: true }, (x) => html`<select id=${x.id} name=${x.name}
          @change=${(e) => { grantKind = e.currentTarget.value; draw(); }}>
          ${choices("care_grant_kind").map(([v, t]) => html`<option value=${v} ?selected=${v === grantKind}>${t}</option>`)}</select>`)}
        ${grantKind === "money" ? f("grant", { name: "amount_fen", label: "金额（元）", required: true,
          hint: "救助金记入工会经费支出（困难职工补助），经费明细只写“困难职工帮扶个案 #编号”，不写姓名；按经费审批规则审批" },
          (x) => html`<input id=${x.id} name="amount" inputmode="decimal">`) : nothing}
        ${f("grant", { name: "description", label: "内容", required: true }, input({ maxlength: 500 }))}
        ${formActions("登记发放", forms.grant)}</form>` : nothing}</div>`;
  }

  function visits() {
    const list = c.visits.map((v) => html`<li class="thread-msg" data-visit-id=${v.id}>
      <div class="thread-meta">${fmtTime(v.visited_at)} · ${v.visitors} · 记录人 ${v.recorded_by.name}
        ${v.next_visit_due ? html` · 下次回访 ${v.next_visit_due}` : nothing}</div>
      ${v.notes ? html`<p class="prewrap">${v.notes}</p>` : nothing}</li>`);
    return html`<div class="card"><h2>走访回访</h2>
      ${list.length ? html`<ol class="thread" id="care-visits">${list}</ol>` : html`<p class="muted" id="care-visits">还没有走访记录。</p>`}
      ${canWork() && open() ? html`<form class="form" id="visit-form" novalidate @submit=${act("visit", "走访已记录", async (el) => {
        const out = await api(`/care/cases/${id}/visits`, { method: "POST", body: {
          visited_at: localInputToIso(el.visited_at.value) ?? "", visitors: el.visitors.value.trim(), notes: el.notes.value,
          next_visit_due: el.next_visit_due.value || null } });
        for (const name of ["visited_at", "visitors", "notes", "next_visit_due"]) el[name].value = "";
        return out;
      })}>
        ${formMessage(forms.visit.errors)}
        ${f("visit", { name: "visited_at", label: "走访时间（北京时间）", required: true }, input({ type: "datetime-local" }))}
        ${f("visit", { name: "visitors", label: "走访人", required: true }, input({ maxlength: 200, placeholder: "例如：王主任、李干事" }))}
        ${f("visit", { name: "notes", label: "走访情况" }, (x) => html`<textarea id=${x.id} name=${x.name} rows="2" maxlength="5000"></textarea>`)}
        ${f("visit", { name: "next_visit_due", label: "下次回访日期", hint: "到期前一个工作日提醒经办人" }, input({ type: "date" }))}
        ${formActions("记录走访", forms.visit)}</form>` : nothing}</div>`;
  }

  function handlersCard() {
    const unassigned = !c.handlers.length;
    return html`<div class="card" id="care-handlers-card"><h2>经办人</h2>
      <ul class="plain-list" id="care-handlers">${c.handlers.length ? c.handlers.map((h) => html`<li data-handler-id=${h.id}>${h.name}
        ${isChair() && open() ? html`<button type="button" class="btn btn-ghost btn-sm" aria-label="移除经办人 ${h.name}"
          @click=${() => removeHandler(h)}>移除</button>` : nothing}</li>`) : html`<li class="muted">尚未分配</li>`}</ul>
      ${!isChair() && unassigned && open() ? html`<button type="button" class="btn btn-primary" id="care-take"
        ?disabled=${forms.handler.busy} @click=${() => addHandler(myId(), "您已成为本个案的经办人")}>由我经办</button>` : nothing}
      ${isChair() && open() ? html`<form class="form" id="handler-form" novalidate @submit=${(e) => {
        e.preventDefault();
        const m = picker.chosen.at(-1);
        if (!m) { actionError = "请先查找并选择工会干事"; draw(); return; }
        addHandler(m.id, `已指派 ${m.name} 为经办人`).then(() => { picker.chosen = []; draw(); });
      }}>${picker.view("handler-search", forms.handler.errors, "member_id", "指派经办人")}
        ${formActions("指派", forms.handler)}</form>` : nothing}</div>`;
  }

  async function addHandler(memberId, done) {
    actionError = "";
    forms.handler.busy = true;
    draw();
    try {
      c = await api(`/care/cases/${id}/handlers`, { method: "POST", body: { member_id: memberId } });
      toast(done);
    } catch (e) {
      actionError = careError(e);
    } finally {
      forms.handler.busy = false;
      draw();
    }
  }

  async function removeHandler(h) {
    if (!(await confirmDialog("移除经办人", `移除后 ${h.name} 将不能再查看本个案。`, "移除"))) return;
    actionError = "";
    try {
      c = await api(`/care/cases/${id}/handlers/${h.id}`, { method: "DELETE" });
      toast("已移除经办人");
    } catch (e) {
      actionError = careError(e);
    }
    draw();
  }

  function closeCard() {
    if (!canWork() || !open()) return nothing;
    return html`<div class="card"><h2>结案</h2>
      <form class="form" id="close-form" novalidate @submit=${act("close", "个案已结案", async (el) => {
        return api(`/care/cases/${id}/close`, { method: "POST", body: { outcome: el.outcome.value } });
      })}>
        ${formMessage(forms.close.errors)}
        ${f("close", { name: "outcome", label: "帮扶结果", required: true }, (x) => html`<textarea id=${x.id} name=${x.name} rows="2" maxlength="2000"></textarea>`)}
        ${formActions("结案", forms.close)}</form></div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: `帮扶个案 #${c.id}`, titleId: "care-title", badge: stageBadge(c.stage),
        sub: `${label("care_category", c.category)} · ${fmtTime(c.opened_at)} 立案 · 更新于 ${fmtTime(c.updated_at)}` })}
      ${caseTabs(id, "case")}
      ${c.purged ? alertBox("个案已超过保存期限，家庭情况、材料、走访记录和审批说明已按规定删除，只保留类别、阶段、日期和发放记录。", "info") : nothing}
      <div class="form-message" id="care-action-message">${actionError ? alertBox(actionError) : nothing}</div>
      <div class="event-grid">
        <div class="main">${facts()}${assessment()}${documents()}${decisions()}${grants()}${visits()}</div>
        <div class="side">${handlersCard()}${closeCard()}</div>
      </div></div>`, root);
  }

  draw();
}

// --- the chair's access log of one case ---------------------------------------------------------------

export async function viewCareReads(root, id) {
  const back = { href: `#/care/${id}`, text: `返回个案 #${id}` };
  const head = pageHeader({ back, title: `帮扶个案 #${id}`,
    sub: "每次打开个案详情、下载材料都记录在审计记录中，最新的在前；记录不可修改或删除。" });
  if (!isChair()) {
    render(html`<div class="page">${head}${alertBox("只有工会主席可以查看个案的查看记录。")}</div>`, root);
    return;
  }
  const list = new PagedList({ path: `/care/cases/${id}/reads`, perPage: 50, draw });
  const what = (r) => (r.document_id ? `${READ_WORDS.download} #${r.document_id}` : READ_WORDS[r.action] || r.action);
  const row = (r) => html`<tr data-read-id=${r.id} data-action=${r.action}><td class="nowrap">${fmtTime(r.at)}</td>
    <td>${r.actor ? r.actor.name : "—"}</td><td>${what(r)}</td></tr>`;

  function draw() {
    render(html`<div class="page">${head}${caseTabs(id, "reads")}
      <div class="card">${pagedTable(list, { id: "care-reads", row, head: ["时间", "查看人", "内容"],
        empty: html`<p>还没有查看记录。</p>` })}</div></div>`, root);
  }

  await list.load();
}
