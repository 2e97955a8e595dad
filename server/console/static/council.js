// The worker council (docs/council.md): the representatives (one per department, appointed by admins from
// the department's roster), the monthly topics, and a topic's ideas by support, where staff enter the
// council's selection for management and management's answer.
import { api, fmtTime, localInputToIso, parts, session } from "./core.js";
import {
  PagedList, alertBox, confirmDialog, field, filterSelect, formActions, formMessage, formState, input, pageHeader,
  pagedTable, statusBadge, submitForm, table, toast,
} from "./components.js";
import { MemberPicker } from "./members.js";
import { html, nothing, render } from "./view.js";

const PER_PAGE = 20;
const isAdmin = () => (session.member?.roles || []).includes("admin");

// What a 409 invalid_transition means for each step: someone else took it first (or it does not apply).
const STALE = {
  select: "这条建议已选送管理层或已答复（可能其他工作人员刚刚操作过），不能再次选送，已为您刷新",
  answer: "这条建议已答复或尚未选送，已为您刷新",
};

// --- representatives and topics ----------------------------------------------------------------------

export async function viewCouncil(root) {
  const topics = new PagedList({ path: "/council/topics", perPage: PER_PAGE, draw });
  let reps = null;
  let repsError = "";
  const topicForm = formState();
  const repForm = formState();
  let showTopicForm = false;
  // The department whose representative an admin is appointing; the picker searches its roster only.
  let repDepartment = "";
  const picker = new MemberPicker(() => draw(), { filter: () => ({ department: repDepartment.trim() }) });

  async function loadReps() {
    try {
      reps = (await api("/council/representatives")).items;
      repsError = "";
    } catch (e) {
      repsError = e.message;
    }
  }

  function topicFormCard() {
    const f = (o, c) => field({ ...o, errors: topicForm.errors, prefix: "topic" }, c);
    return html`<div class="card"><h2>新建月度议题</h2>
      <form class="form" id="topic-form" novalidate @submit=${(e) => submitForm(topicForm, e, draw, async (el) => {
        const t = await api("/council/topics", { method: "POST", body: {
          month: el.month.value, title: el.title.value.trim(), description: el.description.value.trim(),
          closes_at: localInputToIso(el.closes_at.value) } });
        toast("议题已发布，全体会员将收到通知");
        showTopicForm = false;
        location.hash = `#/council/topics/${t.id}`;
      })}>
        ${formMessage(topicForm.errors)}
        ${f({ name: "month", label: "月份", required: true, hint: "每月一个议题" },
          input({ type: "month", value: parts(new Date().toISOString()).date.slice(0, 7) }))}
        ${f({ name: "title", label: "议题", required: true }, input({ maxlength: 100, placeholder: "例如：食堂就餐与考勤打卡" }))}
        ${f({ name: "description", label: "说明" },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="5000"></textarea>`)}
        ${f({ name: "closes_at", label: "征集截止时间（北京时间）", required: true,
          hint: "截止后不再接受建议和支持，议事会据此时的支持数选送" }, input({ type: "datetime-local" }))}
        ${formActions("发布议题", topicForm)}
      </form></div>`;
  }

  function repFormView() {
    return html`<form class="form" id="rep-form" novalidate @submit=${(e) => submitForm(repForm, e, draw, async () => {
      const rep = await api("/council/representatives", { method: "PUT",
        body: { department: repDepartment.trim(), member_id: picker.ids.at(-1) } });
      reps = [...reps.filter((r) => r.department !== rep.department), rep]
        .sort((a, b) => a.department.localeCompare(b.department, "zh-CN"));
      toast(`${rep.department}的职工代表：${rep.member.name}`);
      picker.chosen = [];
      repDepartment = "";
    })}>
      <h3>任命或更换代表</h3>${formMessage(repForm.errors)}
      ${field({ name: "department", label: "部门", required: true, errors: repForm.errors, prefix: "rep" },
        (a) => html`<input id=${a.id} name=${a.name} .value=${repDepartment} placeholder="例如：机修车间"
          @input=${(e) => { repDepartment = e.target.value; picker.chosen = []; draw(); }}>`)}
      ${picker.view("rep-member", repForm.errors, "member_id", "职工代表（从该部门名册中选择）")}
      ${formActions("任命", repForm)}</form>`;
  }

  function repsCard() {
    const row = (r) => html`<tr data-department=${r.department}>
      <td>${r.department}</td><td class="rep-name">${r.member.name}</td><td class="nowrap">${fmtTime(r.appointed_at)}</td>
      ${isAdmin() ? html`<td><button class="btn btn-ghost btn-sm" type="button" @click=${() => {
        repDepartment = r.department;
        picker.chosen = [];
        draw();
        document.getElementById("rep-member")?.focus();
      }}>更换</button></td>` : nothing}</tr>`;
    return html`<div class="card" id="council-reps"><h2>职工代表</h2>
      <p class="muted">每个部门一名，须在该部门的名册中；再次任命即更换。${isAdmin() ? "" : "由系统管理员任命。"}</p>
      ${repsError ? alertBox(repsError) : reps === null ? nothing : reps.length
        ? table({ id: "reps-table", head: ["部门", "职工代表", "任命时间", ...(isAdmin() ? [""] : [])], rows: reps.map(row) })
        : html`<div class="empty"><p>还没有任命职工代表。</p></div>`}
      ${isAdmin() && reps !== null ? repFormView() : nothing}</div>`;
  }

  const topicRow = (t) => html`<tr data-topic-id=${t.id}>
    <td class="mono">${t.month}</td>
    <td><a class="event-link" href="#/council/topics/${t.id}">${t.title}</a></td>
    <td>${statusBadge("council_topic_status", t.status)}</td>
    <td class="nowrap">${fmtTime(t.closes_at)}</td>
    <td class="num">${t.ideas_count}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "职工议事会",
        sub: "每月一个议题，会员在小程序中提建议、表示支持；议事会选出的建议由工会转给管理层并公布答复",
        actions: html`<button class="btn btn-primary btn-sm" id="new-topic" type="button"
          @click=${() => { showTopicForm = !showTopicForm; draw(); }}>新建议题</button>`,
      })}
      ${showTopicForm ? topicFormCard() : nothing}
      <div class="card"><h2>月度议题</h2>${pagedTable(topics, {
        id: "topics-table", row: topicRow, head: ["月份", "议题", "状态", "征集截止", "建议数"],
        empty: html`<p>还没有议题。</p>`,
      })}</div>
      ${repsCard()}</div>`, root);
  }

  await Promise.all([topics.load(), loadReps()]);
  draw();
}

// --- one topic ---------------------------------------------------------------------------------------

async function findTopic(id) {
  try {
    return await api(`/council/topics/${id}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

export async function viewTopic(root, id) {
  let t = await findTopic(id);
  const back = { href: "#/council", text: "返回议事会" };
  if (!t) {
    render(html`<div class="page">${pageHeader({ back, title: "议题" })}${alertBox("议题不存在")}</div>`, root);
    return;
  }
  const filters = { sort: "support", status: "" };
  const ideas = new PagedList({ path: `/council/topics/${id}/ideas`, query: () => filters, perPage: PER_PAGE, draw });
  const answerForms = new Map();  // idea id → formState
  let selecting = 0;
  let actionError = "";

  /** After a step: the topic (its selection) and the ideas as they now are. */
  async function reload() {
    t = (await findTopic(id)) || t;
    await ideas.load({ quiet: true });
  }

  async function select(idea) {
    if (!(await confirmDialog("选送管理层", `将“${idea.title}”作为议事会的意见转给管理层？提出人将收到通知。`, "选送"))) return;
    actionError = "";
    selecting = idea.id;
    draw();
    try {
      await api(`/council/ideas/${idea.id}/select`, { method: "POST" });
      toast("已选送管理层");
    } catch (e) {
      actionError = e.code === "invalid_transition" ? STALE.select : e.message;
    }
    selecting = 0;
    await reload();
    draw();
  }

  function answerForm(idea) {
    if (!answerForms.has(idea.id)) answerForms.set(idea.id, formState());
    const state = answerForms.get(idea.id);
    return html`<form class="form answer-form" novalidate @submit=${(e) => submitForm(state, e, draw, async (el) => {
      actionError = "";
      try {
        await api(`/council/ideas/${idea.id}/answer`, { method: "POST", body: { answer: el.answer.value.trim() } });
        toast("答复已记录并公布");
      } catch (err) {
        if (err.code !== "invalid_transition") throw err;
        actionError = STALE.answer;
      }
      await reload();
    })}>${formMessage(state.errors)}
      ${field({ name: "answer", label: "管理层答复", required: true, errors: state.errors, prefix: `answer-${idea.id}` },
        (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="5000" placeholder="照录管理层的答复，会员可见"></textarea>`)}
      ${formActions("记录答复", state)}</form>`;
  }

  function selectedCard() {
    return html`<div class="card" id="topic-selected"><h2>选送管理层的建议</h2>
      ${t.selected.length ? html`<ol class="thread">${t.selected.map((i) => html`<li class="thread-msg" data-idea-id=${i.id}>
        <div class="thread-meta">${statusBadge("council_idea_status", i.status)} · ${i.author.name} · ${i.supports} 人支持 ·
          ${fmtTime(i.selected_at)} 选送</div>
        <p><b>${i.title}</b></p><p class="prewrap muted">${i.body}</p>
        ${i.answer ? html`<div class="answer"><div class="thread-meta">管理层答复 · ${fmtTime(i.answered_at)}</div>
          <p class="prewrap idea-answer">${i.answer}</p></div>` : answerForm(i)}</li>`)}</ol>`
        : html`<p class="muted">议事会还没有选送建议。议事会开会决定后，在下面的建议列表中点“选送管理层”。</p>`}</div>`;
  }

  const ideaRow = (i, n) => html`<tr data-idea-id=${i.id}>
    <td class="num">${filters.sort === "support" && !filters.status ? (ideas.page - 1) * PER_PAGE + n + 1 : nothing}</td>
    <td><b class="idea-title">${i.title}</b><div class="muted prewrap">${i.body}</div></td>
    <td class="nowrap">${i.author.name}</td>
    <td class="num idea-supports">${i.supports}</td>
    <td class="nowrap">${fmtTime(i.created_at)}</td>
    <td>${statusBadge("council_idea_status", i.status)}</td>
    <td>${i.status === "submitted" ? html`<button class="btn btn-ghost btn-sm select-idea ${selecting === i.id ? "is-busy" : ""}"
      type="button" ?disabled=${Boolean(selecting)} @click=${() => select(i)}>选送管理层</button>` : nothing}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: t.title, titleId: "topic-title", badge: statusBadge("council_topic_status", t.status),
        sub: `${t.month} · 征集截止 ${fmtTime(t.closes_at)} · ${t.ideas_count} 条建议` })}
      ${t.description ? html`<div class="card"><p class="prewrap" id="topic-description">${t.description}</p></div>` : nothing}
      <div class="form-message" id="topic-action-message">${actionError ? alertBox(actionError) : nothing}</div>
      ${selectedCard()}
      <div class="card" id="topic-ideas">
        <div class="page-head"><div><h2>会员建议</h2>
          <p class="muted">支持数为会员在小程序中的支持（每人每条一次，不能支持自己的建议），截止后不再变化</p></div>
          <div class="head-actions">
            <select class="select-sm" id="idea-sort" aria-label="排序" @change=${(e) => { filters.sort = e.target.value; ideas.restart(); }}>
              <option value="support" ?selected=${filters.sort === "support"}>按支持数</option>
              <option value="new" ?selected=${filters.sort === "new"}>最新提出</option></select>
            ${filterSelect({ id: "idea-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "council_idea_status",
              value: filters.status, onChange: (v) => { filters.status = v; ideas.restart(); } })}
          </div></div>
        ${pagedTable(ideas, {
          id: "ideas-table", row: ideaRow, head: ["排名", "建议", "提出人", "支持", "提出时间", "状态", ""],
          empty: html`<p>${filters.status ? "没有符合条件的建议。" : "还没有会员提出建议。"}</p>`,
        })}</div></div>`, root);
  }

  await ideas.load();
}
