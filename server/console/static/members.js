// Members (API.md "Members for staff"): search the roster, a member's page with what they signed up for,
// booked and attended; admins edit, upload a roster file and reset console passwords, and read who was
// shown whose full phone number (every such answer is logged by the server).
import { API, api, fmtRange, fmtTime, session } from "./core.js";
import {
  PagedList, alertBox, confirmDialog, field, fieldError, formActions, formMessage, formState, input,
  pageHeader, pagedTable, statusBadge, submitForm, table, toast,
} from "./components.js";
import { choices, label } from "./labels.js";
import { cssProps, html, nothing, render } from "./view.js";

const isAdmin = () => (session.member?.roles || []).includes("admin");
const names = (v) => v.split(/[,，、;；\n]+/).map((s) => s.trim()).filter(Boolean);
const roleText = (roles) => roles.filter((r) => r !== "member").map((r) => label("member_role", r)).join("、");

// --- the list -------------------------------------------------------------------------------------

export async function viewMembers(root) {
  const filters = { q: "", department: "", grid: "", tag: "", role: "" };
  const list = new PagedList({ path: "/members", query: () => filters, draw });
  const upload = { file: null, progress: null, report: null, error: "" };

  const row = (m) => html`<tr data-member-id=${m.id} data-employee-no=${m.employee_no}>
    <td class="mono">${m.employee_no}</td>
    <td class="nowrap"><a class="event-link" href="#/members/${m.id}">${m.name}</a>
      ${m.is_active ? nothing : html` <span class="badge badge-muted">已停用</span>`}</td>
    <td class="nowrap">${m.department || "—"}</td><td class="nowrap">${m.grid || "—"}</td>
    <td>${m.tags.join("、") || "—"}</td>
    <td class="mono nowrap" data-phone>${m.phone || "—"}</td>
    <td>${roleText(m.roles) || "会员"}</td></tr>`;

  function search(ev) {
    ev.preventDefault();
    const f = ev.currentTarget.elements;
    for (const k of ["q", "department", "grid", "tag", "role"]) filters[k] = f[k].value.trim();
    list.restart();
  }

  function importCard() {
    const pct = upload.progress === null ? 0 : Math.round(upload.progress * 100);
    return html`<div class="card" id="roster-import">
      <h2>导入名册</h2>
      <p class="muted">CSV 或 Excel（.xlsx），列：工号、姓名、手机号、部门、网格、角色、标签（与命令 flask members import
        规则相同）。按工号新增或更新；有错误的行会列出行号和原因，其余行照常导入；文件中没有的会员不会被停用。</p>
      <form @submit=${startUpload}>
        <input type="file" id="roster-file" name="file" accept=".csv,.xlsx" aria-label="名册文件"
          @change=${(e) => { upload.file = e.target.files[0] || null; draw(); }}>
        <button class="btn btn-primary" id="roster-upload" type="submit"
          ?disabled=${!upload.file || upload.progress !== null}>上传并导入</button>
      </form>
      ${upload.progress === null ? nothing : html`<div class="progress" id="roster-progress" role="progressbar"
        aria-valuenow=${pct} aria-valuemin="0" aria-valuemax="100"><span style=${cssProps({ width: `${pct}%` })}></span></div>
        <small class="muted">${pct < 100 ? `正在上传 ${pct}%` : "已上传，正在导入…"}</small>`}
      ${upload.error ? alertBox(upload.error) : nothing}
      ${upload.report ? reportView(upload.report) : nothing}
    </div>`;
  }

  const reportView = (r) => html`<div id="roster-report">
    <p>共 ${r.rows} 行：新增 <b id="report-created">${r.created}</b>，更新 <b id="report-updated">${r.updated}</b>，
      未变 ${r.unchanged}，未导入 <b id="report-rejected">${r.rejected.length}</b></p>
    ${r.rejected.length ? table({
      id: "roster-rejected", head: ["行号", "工号", "原因"],
      rows: r.rejected.map((x) => html`<tr data-line=${x.line}><td class="num">${x.line}</td>
        <td class="mono">${x.employee_no || "—"}</td><td>${x.reason}</td></tr>`),
    }) : nothing}</div>`;

  async function startUpload(ev) {
    ev.preventDefault();
    Object.assign(upload, { progress: 0, report: null, error: "" });
    draw();
    try {
      upload.report = await uploadFile("/members/import", upload.file, (p) => { upload.progress = p; draw(); });
      toast("名册已导入");
      list.restart();
    } catch (e) {
      upload.error = e.details?.fields?.file || e.message;
    } finally {
      upload.progress = null;
      draw();
    }
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "会员", sub: "按姓名、工号、手机号、部门、网格或标签查找会员。完整手机号的每次查看都会记录。",
        actions: isAdmin() ? html`<a class="btn btn-ghost" href="#/members/phone-access" id="phone-access-link">手机号查看记录</a>` : nothing,
      })}
      <div class="card">
        <form class="filters" id="member-search" @submit=${search}>
          <input name="q" id="member-q" placeholder="姓名、工号或手机号" aria-label="姓名、工号或手机号" .value=${filters.q}>
          <input name="department" placeholder="部门" aria-label="部门" .value=${filters.department}>
          <input name="grid" placeholder="网格" aria-label="网格" .value=${filters.grid}>
          <input name="tag" placeholder="标签" aria-label="标签" .value=${filters.tag}>
          <select name="role" aria-label="角色"><option value="">全部角色</option>
            ${choices("member_role").map(([v, t]) => html`<option value=${v} ?selected=${v === filters.role}>${t}</option>`)}</select>
          <button class="btn btn-primary" type="submit" id="member-search-go">查找</button>
        </form>
        ${pagedTable(list, {
          id: "members-table", row, head: ["工号", "姓名", "部门", "网格", "标签", "手机号", "角色"],
          empty: html`<p>没有符合条件的会员。</p>`,
        })}
      </div>
      ${isAdmin() ? importCard() : nothing}
    </div>`, root);
  }

  await list.load();
}

/** POST a file as multipart with upload progress (fetch reports none), answering the JSON or an ApiError-like. */
function uploadFile(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", API + path);
    xhr.setRequestHeader("Authorization", `Bearer ${session.token}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not our JSON shape */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else {
        const err = body?.error || {};
        reject(Object.assign(new Error(err.message || `上传失败（${xhr.status}）`), { details: err.details || {} }));
      }
    });
    xhr.addEventListener("error", () => reject(new Error("无法连接服务器，请检查网络后重试")));
    const data = new FormData();
    data.append("file", file);
    xhr.send(data);
  });
}

// --- one member -----------------------------------------------------------------------------------

export async function viewMember(root, id) {
  let m = await api(`/members/${id}`);
  const edit = formState();
  let password = null;  // the new password, shown once after a reset
  let requests = null;  // the member's requests, loaded after the page is drawn
  let served = null;  // a liaison's grids ({own_grid, grids}) and every grid to choose from
  let servedError = "";
  const back = { href: "#/members", text: "返回会员列表" };

  const facts = () => html`<dl class="details" id="member-facts">
    <dt>工号</dt><dd class="mono">${m.employee_no}</dd>
    <dt>手机号</dt><dd class="mono" id="member-phone">${m.phone || "—"}</dd>
    <dt>部门</dt><dd id="member-department">${m.department || "—"}</dd>
    <dt>网格</dt><dd id="member-grid">${m.grid || "—"}</dd>
    <dt>标签</dt><dd id="member-tags">${m.tags.join("、") || "—"}</dd>
    <dt>角色</dt><dd id="member-roles">${m.roles.map((r) => label("member_role", r)).join("、")}</dd>
    <dt>后台密码</dt><dd>${m.has_password ? "已设置" : "未设置"}</dd></dl>`;

  const history = () => html`
    <div class="card" id="member-registrations"><h2>活动报名（${m.counts.registrations}）</h2>
      ${m.registrations.length ? table({ id: "registrations-table", head: ["活动", "时间", "状态", "签到"],
        rows: m.registrations.map((r) => html`<tr><td><a class="event-link" href="#/events/${r.event_id}">${r.title}</a></td>
          <td class="nowrap">${fmtTime(r.starts_at)}</td><td>${statusBadge("registration_status", r.status)}</td>
          <td class="nowrap">${r.checked_in_at ? fmtTime(r.checked_in_at) : "—"}</td></tr>`) })
        : html`<p class="muted">没有报名记录。</p>`}</div>
    <div class="card" id="member-bookings"><h2>预约（${m.counts.bookings}）</h2>
      ${m.bookings.length ? table({ id: "bookings-table", head: ["服务", "时段", "状态"],
        rows: m.bookings.map((b) => html`<tr><td>${b.calendar}</td><td class="nowrap">${fmtRange(b.starts_at, b.ends_at)}</td>
          <td>${statusBadge("booking_status", b.status)}</td></tr>`) })
        : html`<p class="muted">没有预约记录。</p>`}</div>
    <div class="card" id="member-checkins"><h2>签到（${m.counts.checkins}）</h2>
      ${m.checkins.length ? table({ id: "checkins-table", head: ["活动", "签到时间", "方式"],
        rows: m.checkins.map((c) => html`<tr><td><a class="event-link" href="#/events/${c.event_id}">${c.title}</a></td>
          <td class="nowrap">${fmtTime(c.checked_in_at)}</td><td>${label("checkin_method", c.method)}</td></tr>`) })
        : html`<p class="muted">没有签到记录。</p>`}</div>
    <div class="card" id="member-requests"><h2>诉求（${requests ? requests.total : "…"}）</h2>
      ${!requests ? html`<div class="loading">正在加载…</div>` : requests.error ? html`<p class="muted">${requests.error}</p>`
        : requests.items.length ? table({ id: "member-requests-table", head: ["诉求", "类别", "提交时间", "状态"],
          rows: requests.items.map((q) => html`<tr data-request-id=${q.id}>
            <td><a class="event-link" href="#/requests/${q.id}">${q.title}</a></td><td>${label("request_category", q.category)}</td>
            <td class="nowrap">${fmtTime(q.created_at)}</td><td>${statusBadge("request_status", q.status)}</td></tr>`) })
        : html`<p class="muted">没有诉求记录。</p>`}</div>`;

  function editCard() {
    const errors = edit.errors;
    return html`<div class="card" id="member-edit"><h2>修改资料</h2>
      <form novalidate @submit=${(ev) => submitForm(edit, ev, draw, save)}>
        ${formMessage(errors)}
        ${field({ name: "phone", label: "手机号", errors, hint: "11 位大陆手机号，留空则清除" }, input({ value: m.phone || "", inputmode: "tel" }))}
        ${field({ name: "department", label: "部门", errors }, input({ value: m.department || "" }))}
        ${field({ name: "grid", label: "网格", errors }, input({ value: m.grid || "" }))}
        ${field({ name: "tags", label: "标签", errors, hint: "多个标签用逗号分隔" }, input({ value: m.tags.join("，") }))}
        <fieldset class="field" data-field="roles"><legend>角色</legend>
          ${choices("member_role").map(([v, t]) => html`<label class="check"><input type="checkbox" name="roles" value=${v}
            ?checked=${m.roles.includes(v)} ?disabled=${v === "member"}> ${t}</label>`)}
          ${fieldError("roles", errors)}</fieldset>
        ${formActions("保存", edit)}
      </form></div>`;
  }

  async function save(f) {
    const roles = [...f.roles].filter((c) => c.checked || c.value === "member").map((c) => c.value);
    m = await api(`/members/${id}`, { method: "PATCH", body: {
      phone: f.phone.value.trim(), department: f.department.value.trim(), grid: f.grid.value.trim(),
      tags: names(f.tags.value), roles,
    } });
    toast("已保存");
  }

  async function resetPassword() {
    if (!(await confirmDialog("重置后台密码",
      `为 ${m.name}（${m.employee_no}）生成新的后台登录密码？旧密码立即失效，该会员在所有设备上退出登录。`, "重置密码"))) return;
    try {
      password = (await api(`/members/${id}/password`, { method: "POST" })).password;
      m = { ...m, has_password: true };
    } catch (e) {
      toast(e.message, "error");
    }
    draw();
  }

  // A liaison serves the grid of their roster row and any an admin adds (requests reach them from those).
  function liaisonCard() {
    if (!m.roles.includes("liaison")) return nothing;
    if (!served) return html`<div class="card" id="member-liaison-grids"><h2>联系网格</h2><div class="loading">正在加载…</div></div>`;
    const added = new Set(served.grids.map((g) => g.id));
    const others = served.all.filter((g) => !added.has(g.id) && g.id !== served.own_grid?.id);
    return html`<div class="card" id="member-liaison-grids"><h2>联系网格</h2>
      ${servedError ? alertBox(servedError) : nothing}
      <p>本人所在网格：<b id="liaison-own-grid">${served.own_grid ? served.own_grid.name : "无"}</b></p>
      <div class="chips" aria-label="另行联系的网格">${served.grids.map((g) => html`<span class="chip" data-grid-id=${g.id}>${g.name}
        ${isAdmin() ? html`<button type="button" class="chip-x" aria-label="移除 ${g.name}"
          @click=${() => saveGrids([...added].filter((x) => x !== g.id))}>×</button>` : nothing}</span>`)}</div>
      ${isAdmin() && others.length ? html`<div class="inline-form"><select id="liaison-add-grid" aria-label="增加联系网格">
          ${others.map((g) => html`<option value=${g.id}>${g.name}（${g.members} 人）</option>`)}</select>
        <button class="btn btn-sm btn-primary" type="button" id="liaison-add"
          @click=${() => saveGrids([...added, Number(root.querySelector("#liaison-add-grid").value)])}>增加</button></div>`
        : nothing}
      <small class="hint">联络员可看到并受理所联系网格会员的诉求（保密和困难帮扶类除外）。</small></div>`;
  }

  async function loadServed() {
    if (!m.roles.includes("liaison")) return;
    try {
      const [mine, all] = await Promise.all([api(`/members/${m.id}/liaison-grids`), api("/grids")]);
      served = { ...mine, all: all.items };
    } catch (e) {
      served = { own_grid: null, grids: [], all: [] };
      servedError = e.message;
    }
    draw();
  }

  async function saveGrids(ids) {
    servedError = "";
    try {
      const mine = await api(`/members/${m.id}/liaison-grids`, { method: "PUT", body: { grid_ids: ids } });
      served = { ...served, ...mine };
      toast("联系网格已保存");
    } catch (e) {
      servedError = e.message;
    }
    draw();
  }

  const passwordCard = () => html`<div class="card" id="member-password"><h2>后台密码</h2>
    ${password ? html`<div class="alert alert-ok" role="status">新密码（只显示这一次，请转告本人）：
      <b class="mono" id="new-password">${password}</b></div>` : nothing}
    <button class="btn btn-danger" type="button" id="reset-password" @click=${resetPassword}>重置密码</button></div>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: m.name, titleId: "member-name",
        badge: m.is_active ? nothing : html`<span class="badge badge-muted">已停用</span>`,
        sub: [m.department, m.grid].filter(Boolean).join(" · ") || nothing })}
      <div class="event-grid">
        <div class="main"><div class="card"><h2>资料</h2>${facts()}</div>${history()}</div>
        <div class="side">${isAdmin() ? html`${editCard()}${passwordCard()}` : html`<div class="card muted" id="member-readonly">
          只有系统管理员可以修改会员资料。</div>`}${liaisonCard()}</div>
      </div></div>`, root);
  }

  draw();
  loadServed();
  try {
    requests = await api(`/requests?member_id=${m.id}&per_page=20`);
  } catch (e) {
    requests = { total: "—", items: [], error: e.message };
  }
  draw();
}

// --- the phone access log (admins) ----------------------------------------------------------------

export async function viewPhoneAccess(root) {
  const list = new PagedList({ path: "/admin/phone-access", draw });
  const who = (p) => html`${p.name} <span class="mono muted">${p.employee_no}</span>${p.department ? html` · ${p.department}` : nothing}`;
  const row = (a) => html`<tr data-access-id=${a.id}><td class="nowrap">${fmtTime(a.viewed_at)}</td>
    <td>${who(a.viewer)}</td><td><a class="event-link" href="#/members/${a.member.id}">${who(a.member)}</a></td>
    <td class="mono">${a.route}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back: { href: "#/members", text: "返回会员列表" }, title: "手机号查看记录",
        sub: "工作人员每次看到会员完整手机号（会员列表、会员页面）都会记录在此，最新的在前。" })}
      <div class="card">${isAdmin() ? pagedTable(list, {
        id: "phone-access-table", row, head: ["时间", "查看人", "被查看会员", "接口"],
        empty: html`<p>还没有查看记录。</p>`,
      }) : alertBox("只有系统管理员可以查看此记录。")}</div></div>`, root);
  }

  if (isAdmin()) await list.load();
  else draw();
}

// --- picking members by name (the notice form's recipients) --------------------------------------

/**
 * Members picked by searching names, employee numbers or phones (GET /members without phones, so a
 * search logs nothing). `picker.ids` are the chosen members' ids; `picker.view(id, errors, fieldName)`
 * draws the box, its suggestions and the chosen members as removable chips; `draw` re-renders the page.
 * `filter()` adds fixed conditions to the search (`{ department }`: only that department's roster).
 */
export class MemberPicker {
  constructor(draw, { filter = () => ({}) } = {}) {
    Object.assign(this, { draw, filter, chosen: [], results: [], text: "", error: "", seq: 0, timer: null });
  }

  get ids() { return this.chosen.map((m) => m.id); }

  search(text) {
    this.text = text;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), 250);
  }

  async load() {
    const mine = ++this.seq;
    const q = this.text.trim();
    if (!q) { this.results = []; this.draw(); return; }
    try {
      const params = new URLSearchParams({ q, per_page: 8, with_phone: "false" });
      for (const [k, v] of Object.entries(this.filter())) if (v) params.set(k, v);
      const out = await api(`/members?${params}`);
      if (mine !== this.seq) return;  // only the newest search is shown
      Object.assign(this, { results: out.items, error: "" });
    } catch (e) {
      if (mine !== this.seq) return;
      Object.assign(this, { results: [], error: e.message });
    }
    this.draw();
  }

  pick(m) {
    if (!this.chosen.some((c) => c.id === m.id)) this.chosen = [...this.chosen, m];
    Object.assign(this, { results: [], text: "" });
    this.seq++;
    this.draw();
  }

  drop(id) {
    this.chosen = this.chosen.filter((m) => m.id !== id);
    this.draw();
  }

  view(id, errors, fieldName, caption = "指定会员") {
    const who = (m) => `${m.name}（${m.employee_no}${m.department ? ` · ${m.department}` : ""}）`;
    return html`<div class="field member-picker ${errors.fields[fieldName] ? "has-error" : ""}" data-field=${fieldName}>
      <label for=${id}>${caption}</label>
      <input id=${id} type="search" autocomplete="off" placeholder="输入姓名、工号或手机号查找" .value=${this.text}
        @input=${(e) => this.search(e.target.value)}
        @keydown=${(e) => { if (e.key === "Enter") { e.preventDefault(); if (this.results[0]) this.pick(this.results[0]); } }}>
      ${this.results.length ? html`<ul class="picker-results" role="listbox" aria-label="查找结果">${this.results.map((m) =>
        html`<li><button type="button" class="picker-option" role="option" data-member-id=${m.id}
          @click=${() => this.pick(m)}>${who(m)}</button></li>`)}</ul>`
        : nothing}
      ${this.error ? html`<small class="field-error">${this.error}</small>` : nothing}
      <div class="chips picked" aria-label="已选会员">${this.chosen.map((m) => html`<span class="chip" data-member-id=${m.id}>${who(m)}
        <button type="button" class="chip-x" aria-label="移除 ${m.name}" @click=${() => this.drop(m.id)}>×</button></span>`)}</div>
      ${fieldError(fieldName, errors)}
    </div>`;
  }
}
