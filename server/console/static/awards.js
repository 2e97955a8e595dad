// Award procedures (docs/awards.md): criteria and quota, nominees, the decision opening the notice period
// (公示期, working days), the named objections, and the final list after the period.
import { ApiError, api, fmtTime } from "./core.js";
import {
  PagedList, alertBox, field, filterSelect, formActions, formMessage, formState, input, pageHeader, pagedTable,
  statusBadge, submitForm, toast, toneBadge,
} from "./components.js";
import { html, nothing, render } from "./view.js";

const PER_PAGE = 20;

export async function viewAwards(root) {
  const filters = { status: "" };
  const list = new PagedList({ path: "/awards", query: () => filters, perPage: PER_PAGE, draw });
  const form = formState();
  let showForm = false;

  const row = (a) => html`<tr data-award-id=${a.id}>
    <td><a class="event-link" href="#/awards/${a.id}">${a.title}</a></td>
    <td class="num">${a.year}</td>
    <td>${statusBadge("award_status", a.status)}</td>
    <td class="num">${a.winners_count}/${a.quota}</td>
    <td class="nowrap">${a.objection_closes_at ? fmtTime(a.objection_closes_at) : "—"}</td>
    <td class="num">${a.objections_count ?? "—"}</td></tr>`;

  function newForm() {
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "award" }, c);
    return html`<div class="card"><h2>新建评选</h2>
      <form class="form" id="award-form" novalidate @submit=${(e) => submitForm(form, e, draw, async (el) => {
        const a = await api("/awards", { method: "POST", body: {
          title: el.title.value.trim(), year: Number(el.year.value) || el.year.value, criteria: el.criteria.value,
          quota: Number(el.quota.value) || el.quota.value } });
        toast("评选已创建");
        showForm = false;
        location.hash = `#/awards/${a.id}`;
      })}>
        ${formMessage(form.errors)}
        ${f({ name: "title", label: "评选名称", required: true }, input())}
        ${f({ name: "year", label: "年度", required: true }, input({ type: "number", value: String(new Date().getFullYear()) }))}
        ${f({ name: "criteria", label: "评选标准", required: true },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="10000"></textarea>`)}
        ${f({ name: "quota", label: "名额", required: true }, input({ type: "number" }))}
        ${formActions("创建", form)}
      </form></div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "评优评先",
        sub: "确定拟表彰名单后进入公示期（工作日计算），公示期满确定最终名单",
        actions: html`
          ${filterSelect({ id: "award-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "award_status",
            value: filters.status, onChange: (v) => { filters.status = v; list.restart(); } })}
          <button class="btn btn-primary btn-sm" id="new-award" type="button"
            @click=${() => { showForm = !showForm; draw(); }}>新建评选</button>`,
      })}
      ${showForm ? newForm() : nothing}
      <div class="card">${pagedTable(list, {
        id: "awards-table", row, head: ["评选", "年度", "状态", "表彰/名额", "公示截止", "实名异议"],
        empty: html`<p>还没有评选。</p>`,
      })}</div></div>`, root);
  }

  await list.load();
}

export async function viewAward(root, id) {
  const back = { href: "#/awards", text: "返回评选列表" };
  let a;
  try {
    a = await api(`/awards/${id}`);
  } catch (e) {
    if (e.code !== "not_found") throw e;
    render(html`<div class="page">${pageHeader({ back, title: "评选" })}${alertBox("评选不存在")}</div>`, root);
    return;
  }
  let objections = [];
  const forms = { nominee: formState(), decide: formState(), finalize: formState() };
  const f = (name, o, c) => field({ ...o, errors: forms[name].errors, prefix: name }, c);
  const post = (path, body) => api(`/awards/${id}/${path}`, { method: "POST", body });

  async function nomineeByEmployeeNo(no) {
    const page = await api(`/members?${new URLSearchParams({ q: no.trim(), with_phone: "false", per_page: "20" })}`);
    return page.items.find((m) => m.employee_no.toUpperCase() === no.trim().toUpperCase());
  }

  function nomineesCard() {
    const draft = a.status === "draft";
    return html`<div class="card"><h2>${draft ? "提名" : "名单"}</h2>
      ${a.nominees.length ? html`<div class="table-wrap"><table class="table" id="nominees-table">
        <thead><tr>${draft ? html`<th>拟表彰</th>` : nothing}<th>姓名</th><th>部门</th><th class="num">志愿时长（小时）</th><th>推荐理由</th><th>结果</th>${draft ? html`<th></th>` : nothing}</tr></thead>
        <tbody>${a.nominees.map((n) => html`<tr data-nominee-id=${n.id}>
          ${draft ? html`<td><input type="checkbox" class="winner-box" form="decide-form" name="winner" value=${n.id} aria-label="拟表彰 ${n.member.name}"></td>` : nothing}
          <td>${n.member.name}</td><td>${n.department || "—"}</td>
          <td class="num">${n.volunteer_hours ?? "—"}</td><td class="prewrap">${n.reason}</td>
          <td>${n.removed_reason ? html`${toneBadge("异议成立已取消", "danger")} <span class="muted">${n.removed_reason}</span>`
            : n.final ? toneBadge("最终表彰", "open") : n.winner ? toneBadge("拟表彰", "live") : toneBadge("提名", "muted")}</td>
          ${draft ? html`<td><button class="btn btn-ghost btn-sm remove-nominee" type="button" @click=${async () => {
            try { a = await api(`/awards/${id}/nominees/${n.id}`, { method: "DELETE" }); toast("已撤回提名"); } catch (e) { toast(e.message, "error"); }
            draw();
          }}>撤回</button></td>` : nothing}</tr>`)}</tbody></table></div>` : html`<p class="muted">还没有提名。</p>`}
      ${draft ? html`
        <form class="form" id="nominee-form" novalidate @submit=${(e) => submitForm(forms.nominee, e, draw, async (el) => {
          const m = await nomineeByEmployeeNo(el.employee_no.value);
          if (!m) throw new ApiError(400, "invalid_request", "", { fields: { employee_no: "名册中没有该工号" } });
          a = await post("nominees", { member_id: m.id, reason: el.reason.value });
          el.employee_no.value = "";
          el.reason.value = "";
          toast("已添加提名");
        })}><h3>添加提名</h3>${formMessage(forms.nominee.errors)}
          ${f("nominee", { name: "employee_no", label: "工号", required: true }, input())}
          ${f("nominee", { name: "reason", label: "推荐理由", required: true },
            (x) => html`<textarea id=${x.id} name=${x.name} rows="2" maxlength="5000"></textarea>`)}
          ${formActions("添加提名", forms.nominee)}</form>
        <form class="form" id="decide-form" novalidate @submit=${(e) => submitForm(forms.decide, e, draw, async (el) => {
          // The boxes sit in the nominees' table, tied to this form by their form attribute.
          const winners = [...el].filter((b) => b.name === "winner" && b.checked).map((b) => Number(b.value));
          a = await post("decide", { winners });
          toast("已确定拟表彰名单，公示期开始，已通知全体会员");
        })}><h3>确定拟表彰名单</h3>${formMessage(forms.decide.errors)}
          <p class="muted">勾选上表中的拟表彰人选（名额 ${a.quota} 人），提交后进入公示期。</p>
          ${formActions("确定并公示", forms.decide)}</form>` : nothing}</div>`;
  }

  function objectionsCard() {
    if (a.status === "draft") return nothing;
    return html`<div class="card" id="objections"><h2>实名异议（${objections.length}）</h2>
      ${objections.length ? html`<ul class="thread">${objections.map((o) => html`<li class="thread-msg" data-objection-id=${o.id}>
        <div class="thread-meta">${fmtTime(o.created_at)} · ${o.member.name}${o.nominee_name ? ` · 针对 ${o.nominee_name}` : ""}</div>
        <p class="prewrap">${o.body}</p></li>`)}</ul>` : html`<p class="muted">暂无实名异议。</p>`}
      <p class="muted">匿名异议见<a href="#/suggestions">意见箱</a>（类别“评优异议”）。</p></div>`;
  }

  function finalizeCard() {
    if (a.status !== "notice") return nothing;
    if (a.objections_open) {
      return html`<div class="card"><h2>最终名单</h2><p class="muted" id="finalize-wait">公示期至 ${fmtTime(a.objection_closes_at)}，届满后方可确定最终名单。</p></div>`;
    }
    const winners = a.nominees.filter((n) => n.winner);
    return html`<div class="card"><h2>确定最终名单</h2>
      <form class="form" id="finalize-form" novalidate @submit=${(e) => submitForm(forms.finalize, e, draw, async (el) => {
        const removals = winners.filter((n) => el[`remove-${n.id}`].checked)
          .map((n) => ({ nominee_id: n.id, reason: el[`reason-${n.id}`].value.trim() }));
        a = await post("finalize", { removals });
        toast("最终名单已公布，已通知全体会员");
      })}>${formMessage(forms.finalize.errors)}
        <p class="muted">异议经核实成立的，勾选取消并填写理由。</p>
        ${winners.map((n) => html`<div class="field" data-field="removals"><label>
          <input type="checkbox" name="remove-${n.id}" aria-label="取消 ${n.member.name}"> 取消 ${n.member.name}</label>
          <input name="reason-${n.id}" aria-label="取消 ${n.member.name} 的理由" placeholder="取消理由" maxlength="2000"></div>`)}
        ${formActions("公布最终名单", forms.finalize)}</form></div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: a.title, titleId: "award-heading", badge: statusBadge("award_status", a.status),
        sub: html`${a.year} 年度 · 名额 ${a.quota} 人${a.objection_closes_at ? html` · 公示截止 <span id="award-closes">${fmtTime(a.objection_closes_at)}</span>` : nothing}` })}
      <div class="event-grid">
        <div class="main"><div class="card"><h2>评选标准</h2><p class="prewrap">${a.criteria}</p></div>${nomineesCard()}</div>
        <div class="side">${finalizeCard()}${objectionsCard()}</div>
      </div></div>`, root);
  }

  draw();
  if (a.status !== "draft") {
    objections = (await api(`/awards/${id}/objections`)).items;
    draw();
  }
}
