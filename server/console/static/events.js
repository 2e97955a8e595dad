// Events (API.md "Events"): the list, creating one, and one event with its seats, check-in figures and
// roster. The venue screen and ticket scanning have modules of their own (screen.js, scan.js).
import {
  api, audienceFields, busy, downloadFile, fmtRange, fmtTime, intField, localInputToIso, parts, safeFilename,
} from "./core.js";
import {
  PagedList, alertBox, audienceBoxes, audienceText, confirmDialog, field, fieldError, filterSelect, formActions,
  formMessage, formState, input, loading, options, pageHeader, pagedTable, statusBadge, submitButton, submitForm, toast,
  toneBadge,
} from "./components.js";
import { label } from "./labels.js";
import { cssProps, html, nothing, render } from "./view.js";
import { mountAutoNotices } from "./autonotices.js";

/** Where an event stands now, as [text, badge tone]. */
export function eventPhase(ev, now = Date.now()) {
  if (ev.status === "cancelled") return ["已取消", "muted"];
  if (now >= Date.parse(ev.ends_at)) return ["已结束", "muted"];
  if (now >= Date.parse(ev.starts_at)) return ["进行中", "live"];
  const closes = Date.parse(ev.signup_closes_at || ev.starts_at);
  const opens = ev.signup_opens_at ? Date.parse(ev.signup_opens_at) : -Infinity;
  if (now < opens) return ["未开始报名", "idle"];
  if (now < closes) return ["报名中", "open"];
  return ["报名截止", "idle"];
}

const phaseBadge = (ev) => toneBadge(...eventPhase(ev));

/** Over (ends_at passed): nothing left to cancel, and seats no longer matter. */
const eventEnded = (ev, now = Date.now()) => now >= Date.parse(ev.ends_at);

/** Whether the venue code is still worth showing: check-in closes checkin_closes_minutes_after the start. */
const checkinNotClosed = (ev, now = Date.now()) => ev.status === "published" &&
  now <= Date.parse(ev.starts_at) + (ev.checkin_closes_minutes_after ?? 0) * 60000;

const capacityText = (ev) => `${ev.confirmed_count} / ${ev.capacity === null ? "不限" : ev.capacity}`;

// --- events list ----------------------------------------------------------------------------------

export async function viewEvents(root) {
  // Upcoming (not yet over) first, soonest at the top; the events that are over behind a filter.
  let when = "upcoming";
  const list = new PagedList({ path: "/events", query: () => ({ when }), draw });

  function row(ev) {
    return html`<tr data-event-id=${ev.id}>
      <td><a class="event-link" href="#/events/${ev.id}">${ev.title}</a>
        <div class="sub">${label("event_kind", ev.kind)} · ${ev.location}</div></td>
      <td class="nowrap">${fmtRange(ev.starts_at, ev.ends_at)}</td>
      <td>${phaseBadge(ev)}</td>
      <td class="num" data-col="confirmed">${capacityText(ev)}</td>
      <td class="num" data-col="waitlist">${ev.waitlist ? String(ev.waitlist_count) : "—"}</td>
      <td class="actions"><a class="btn btn-sm btn-ghost" href="#/events/${ev.id}">管理</a>
        ${checkinNotClosed(ev) ? html`<a class="btn btn-sm btn-ghost" href="#/events/${ev.id}/screen">签到码</a>` : nothing}</td>
    </tr>`;
  }

  function onWhen(e) {
    when = e.target.value;
    list.restart();
  }

  function draw() {
    const past = when === "past";
    render(html`<div class="page">
      ${pageHeader({ title: "活动管理",
        sub: past ? "已结束的活动，最近的在前（北京时间）" : "未结束的活动，即将开始的在前（北京时间）",
        actions: html`<select class="select-sm" id="events-when" aria-label="按时间筛选" @change=${onWhen}>
            <option value="upcoming" ?selected=${!past}>未结束的活动</option>
            <option value="past" ?selected=${past}>已结束的活动</option></select>
          <a class="btn btn-primary" href="#/events/new">＋ 新建活动</a>` })}
      <div class="card">${pagedTable(list, {
        id: "events-table", row,
        head: ["活动", "时间", "状态", { text: "报名 / 名额", cls: "num" }, { text: "候补", cls: "num" }, ""],
        empty: past ? html`<p>还没有已结束的活动。</p>`
          : html`<p>没有未结束的活动。</p><a class="btn btn-primary" href="#/events/new">新建活动</a>`,
      })}</div></div>`, root);
  }
  await list.load();
}

// --- create event ---------------------------------------------------------------------------------

export function viewNewEvent(root) {
  const form = formState();
  draw();

  function draw() {
    const errors = form.errors;
    const f = (opts, control) => field({ ...opts, errors }, control);
    const when = (name, text, hint = "", required = false) =>
      f({ name, label: text, hint, required }, input({ type: "datetime-local" }));
    render(html`<div class="page page-narrow">
      ${pageHeader({ title: "新建活动", sub: "发布后会员即可在小程序中看到并报名" })}
      <form class="card form" id="event-form" novalidate @submit=${onSubmit}>
        ${formMessage(errors)}
        <fieldset><legend>基本信息</legend>
          <div class="grid-2">
            ${f({ name: "title", label: "活动名称", required: true }, input({ maxlength: 100 }))}
            ${f({ name: "kind", label: "类型", required: true },
              (a) => html`<select id=${a.id} name=${a.name}>${options("event_kind")}</select>`)}
          </div>
          ${f({ name: "location", label: "地点", required: true }, input({ maxlength: 200 }))}
          ${f({ name: "description", label: "活动介绍" },
            (a) => html`<textarea id=${a.id} name=${a.name} rows="4" maxlength="5000"></textarea>`)}
        </fieldset>
        <fieldset><legend>时间（北京时间）</legend>
          <div class="grid-2">
            ${when("starts_at", "开始时间", "", true)}
            ${when("ends_at", "结束时间", "", true)}
            ${when("signup_opens_at", "报名开始", "留空表示发布后即可报名")}
            ${when("signup_closes_at", "报名截止", "留空表示活动开始时截止")}
          </div>
        </fieldset>
        <fieldset><legend>名额与签到</legend>
          <div class="grid-2">
            ${f({ name: "capacity", label: "名额", hint: "留空表示不限名额" },
              input({ type: "number", min: 0, step: 1, inputmode: "numeric" }))}
            <div class="field checks">
              <label class="check"><input type="checkbox" name="waitlist" checked>名额满后允许候补</label>
              <label class="check"><input type="checkbox" name="walk_in">允许未报名者现场签到</label>
              ${fieldError("waitlist", errors)}${fieldError("walk_in", errors)}
            </div>
            ${f({ name: "checkin_opens_minutes_before", label: "开始前多少分钟可签到" }, input({ type: "number", min: 0, value: 60 }))}
            ${f({ name: "checkin_closes_minutes_after", label: "开始后多少分钟停止签到" }, input({ type: "number", min: 0, value: 120 }))}
          </div>
        </fieldset>
        <fieldset><legend>面向人群</legend>
          <p class="hint">都留空表示面向全体会员。多个名称用逗号分隔，须与会员名册中的名称一致。</p>
          ${audienceBoxes(errors)}
        </fieldset>
        ${formActions("发布活动", form, "#/events")}
      </form></div>`, root);
  }

  function onSubmit(ev) {
    return submitForm(form, ev, draw, async (f) => {
      const body = {
        title: f.title.value.trim(),
        description: f.description.value,
        kind: f.kind.value,
        location: f.location.value.trim(),
        starts_at: localInputToIso(f.starts_at.value),
        ends_at: localInputToIso(f.ends_at.value),
        signup_opens_at: localInputToIso(f.signup_opens_at.value),
        signup_closes_at: localInputToIso(f.signup_closes_at.value),
        capacity: intField(f.capacity.value) ?? null,
        waitlist: f.waitlist.checked,
        walk_in: f.walk_in.checked,
        checkin_opens_minutes_before: intField(f.checkin_opens_minutes_before.value),
        checkin_closes_minutes_after: intField(f.checkin_closes_minutes_after.value),
        audience: audienceFields(f),
      };
      const created = await api("/events", { method: "POST", body });
      toast(`已发布活动「${created.title}」`);
      location.hash = "#/events";
    });
  }
}

// --- one event ------------------------------------------------------------------------------------

export async function viewEvent(root, id) {
  let ev = await api(`/events/${id}`);
  let stats = null;  // null while loading; {error} when it failed
  let capacityMessage = nothing;
  let savingCapacity = false;
  let rosterStatus = "";
  let editing = false;
  const edit = formState();
  const roster = new PagedList({ path: `/events/${id}/registrations`, query: () => ({ status: rosterStatus }), perPage: 50, draw });

  function draw() {
    const live = ev.status === "published";
    // The scan page stays after the end too: scans made offline may still wait there to be synced.
    render(html`<div class="page">
      ${pageHeader({
        back: { href: "#/events", text: "返回活动列表" }, title: ev.title, titleId: "event-title", badge: phaseBadge(ev),
        sub: `${label("event_kind", ev.kind)} · ${fmtRange(ev.starts_at, ev.ends_at)} · ${ev.location}`,
        actions: html`
          ${live ? posterMenu() : nothing}
          ${live ? html`<a class="btn" id="open-scan" href="#/events/${id}/scan">扫描电子票</a>` : nothing}
          ${checkinNotClosed(ev) ? html`<a class="btn btn-primary" id="open-screen" href="#/events/${id}/screen">现场签到码</a>` : nothing}
          ${live && ev.kind === "volunteer"
            ? html`<a class="btn btn-primary" id="open-checkout-screen" href="#/events/${id}/screen/checkout">现场签退码</a>` : nothing}
          ${live && !eventEnded(ev) && !editing
            ? html`<button class="btn" id="edit-event" type="button" @click=${() => toggleEdit(true)}>编辑活动</button>` : nothing}
          ${live && !eventEnded(ev)
            ? html`<button class="btn btn-danger-ghost" id="cancel-event" type="button" @click=${onCancel}>取消活动</button>` : nothing}`,
      })}
      <div class="event-grid">
        <div class="card">${editing ? editForm() : info()}</div>
        <div class="side"><div class="card">${capacity()}</div><div class="card" id="stats">${statsCard()}</div></div>
      </div>
      <div class="card" id="roster">${rosterCard()}</div>
      <div class="card" id="auto-notices"></div>
    </div>`, root);
  }

  function posterMenu() {
    const get = (format) => (e) => {
      e.currentTarget.closest("details").open = false;
      downloadFile(`/events/${id}/poster?format=${format}`, `${safeFilename(ev.title)}-海报.${format}`, e.currentTarget);
    };
    // A click anywhere else closes it, as a drop-down should.
    const onToggle = (e) => {
      const menu = e.currentTarget;
      const outside = (c) => { if (!menu.contains(c.target)) menu.open = false; };
      if (menu.open) document.addEventListener("click", outside);
      menu.addEventListener("toggle", () => document.removeEventListener("click", outside), { once: true });
    };
    return html`<details class="menu" id="event-poster" @toggle=${onToggle}>
      <summary class="btn">打印海报</summary>
      <div class="menu-list">
        <button class="menu-item" type="button" @click=${get("pdf")}>下载 PDF（A4 打印）</button>
        <button class="menu-item" type="button" @click=${get("png")}>下载 PNG 图片</button>
      </div></details>`;
  }

  function info() {
    const row = (k, v) => html`<dt>${k}</dt><dd>${v}</dd>`;
    return html`<h2>活动信息</h2>
      ${ev.status === "cancelled" ? alertBox("该活动已取消，会员不能再报名或签到。", "warn") : nothing}
      <dl class="details">
        ${row("时间", fmtRange(ev.starts_at, ev.ends_at))}
        ${row("地点", ev.location)}
        ${row("类型", label("event_kind", ev.kind))}
        ${row("报名时间", `${ev.signup_opens_at ? fmtTime(ev.signup_opens_at) : "发布后"} 至 ${fmtTime(ev.signup_closes_at || ev.starts_at)}`)}
        ${row("面向人群", audienceText(ev.audience))}
        ${row("候补", ev.waitlist ? "名额满后可候补" : "不设候补")}
        ${row("现场签到", `开始前 ${ev.checkin_opens_minutes_before} 分钟至开始后 ${ev.checkin_closes_minutes_after} 分钟` +
          (ev.walk_in ? "，允许未报名者签到" : ""))}
        ${row("介绍", ev.description || "—")}
      </dl>`;
  }

  // -- editing after publishing: time, place, description, audience (PATCH /events/{id}) --

  const localInput = (iso) => { const p = parts(iso); return `${p.date}T${p.time}`; };

  function toggleEdit(on) {
    editing = on;
    Object.assign(edit, formState());
    draw();
    if (on) root.querySelector("#edit-form [name=location]")?.focus();
  }

  function editForm() {
    const local = localInput;
    const f = (opts, control) => field({ ...opts, prefix: "edit", errors: edit.errors }, control);
    const told = ev.confirmed_count + ev.waitlist_count;
    return html`<h2>编辑活动</h2>
      <form class="form" id="edit-form" novalidate @submit=${onSaveEdit}>
        ${formMessage(edit.errors)}
        <div class="grid-2">
          ${f({ name: "starts_at", label: "开始时间（北京时间）", required: true },
            input({ type: "datetime-local", value: local(ev.starts_at) }))}
          ${f({ name: "ends_at", label: "结束时间（北京时间）", required: true },
            input({ type: "datetime-local", value: local(ev.ends_at) }))}
        </div>
        ${f({ name: "location", label: "地点", required: true }, input({ maxlength: 200, value: ev.location }))}
        ${f({ name: "description", label: "活动介绍" },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="4" maxlength="5000" .value=${ev.description}></textarea>`)}
        <fieldset><legend>面向人群</legend>
          <p class="hint">都留空表示面向全体会员。已报名的会员不受影响。</p>
          ${audienceBoxes(edit.errors, undefined, ev.audience)}
        </fieldset>
        <small class="hint" id="edit-hint">${told
          ? `修改时间或地点后，已报名和候补的 ${told} 名会员会收到变更通知。` : "目前没有人报名。"}</small>
        <div class="form-actions">
          <button class="btn btn-ghost" type="button" @click=${() => toggleEdit(false)}>取消</button>
          ${submitButton("保存修改", edit.busy)}
        </div>
      </form>`;
  }

  function onSaveEdit(e) {
    return submitForm(edit, e, draw, async (f) => {
      const wanted = {
        starts_at: localInputToIso(f.starts_at.value), ends_at: localInputToIso(f.ends_at.value),
        location: f.location.value.trim(), description: f.description.value, audience: audienceFields(f),
      };
      // Only what changed is sent, so an unchanged time is not a "move" (and an old event stays editable).
      // Times compare as shown (to the minute): an untouched box keeps the stored seconds.
      const same = {
        starts_at: f.starts_at.value === localInput(ev.starts_at),
        ends_at: f.ends_at.value === localInput(ev.ends_at),
        location: wanted.location === ev.location, description: wanted.description === ev.description,
        audience: ["departments", "grids", "tags"].every((k) => wanted.audience[k].join() === ev.audience[k].join()),
      };
      const body = Object.fromEntries(Object.entries(wanted).filter(([k]) => !same[k]));
      if (!Object.keys(body).length) { toggleEdit(false); toast("没有修改"); return; }
      const moved = ["starts_at", "ends_at", "location"].some((k) => k in body);
      const told = ev.confirmed_count + ev.waitlist_count;
      if (moved && told && !(await confirmDialog("修改时间或地点",
        `已报名和候补的 ${told} 名会员会收到变更通知（小程序推送，无法推送的发短信）。确定保存吗？`, "保存并通知"))) return;
      ev = await api(`/events/${id}`, { method: "PATCH", body });
      editing = false;
      toast(moved && told ? `活动已更新，已通知 ${told} 名报名会员` : "活动已更新");
    });
  }

  function capacity() {
    const editable = ev.status === "published" && !eventEnded(ev);
    return html`<h2>名额</h2>
      <div class="kpis">
        <div class="kpi"><b id="confirmed-count">${ev.confirmed_count}</b><span>已报名</span></div>
        <div class="kpi"><b>${ev.capacity === null ? "不限" : ev.capacity}</b><span>名额</span></div>
        <div class="kpi"><b id="waitlist-count">${ev.waitlist_count}</b><span>候补</span></div>
      </div>
      ${editable ? html`<form class="inline-form" id="capacity-form" novalidate @submit=${onSaveCapacity}>
          <label for="capacity-input">修改名额</label>
          <input id="capacity-input" type="number" min="0" step="1" name="capacity" placeholder="不限"
            .value=${String(ev.capacity ?? "")}>
          ${submitButton("保存", savingCapacity, { id: "capacity-save" })}
        </form>
        <small class="hint">增加名额后，候补会员按先后顺序自动转为报名成功。留空表示不限。</small>` : nothing}
      <div class="form-message">${capacityMessage}</div>`;
  }

  async function onSaveCapacity(e) {
    e.preventDefault();
    const raw = e.currentTarget.elements.capacity.value.trim();
    const capacity = raw === "" ? null : /^\d+$/.test(raw) ? Number(raw) : raw;
    capacityMessage = nothing;
    savingCapacity = true;
    draw();
    try {
      const before = ev.waitlist_count;
      ev = await api(`/events/${id}`, { method: "PATCH", body: { capacity } });
      const promoted = before - ev.waitlist_count;
      toast(promoted > 0 ? `名额已更新，${promoted} 名候补会员已转为报名成功` : "名额已更新");
      loadStats();
      roster.load();
    } catch (err) {
      capacityMessage = alertBox(err.details?.fields?.capacity || err.message);
    } finally {
      savingCapacity = false;
      draw();
    }
  }

  function statsCard() {
    if (!stats) return html`<h2>签到统计</h2>${loading()}`;
    if (stats.error) return html`<h2>签到统计</h2>${alertBox(stats.error.message)}`;
    const pct = stats.registered ? Math.min(100, (100 * stats.checked_in) / stats.registered) : 0;
    return html`<h2>签到统计</h2>
      <div class="kpis">
        <div class="kpi"><b id="stat-checked-in">${stats.checked_in}</b><span>已签到</span></div>
        <div class="kpi"><b id="stat-registered">${stats.registered}</b><span>已报名</span></div>
        <div class="kpi"><b>${stats.walk_ins}</b><span>现场加入</span></div>
      </div>
      <div class="progress"><span style=${cssProps({ width: `${pct}%` })}></span></div>`;
  }

  async function loadStats() {
    try {
      stats = await api(`/events/${id}/checkins/stats`);
    } catch (e) {
      stats = { error: e };
    }
    draw();
  }

  function rosterCard() {
    const download = (format) => (e) => downloadFile(`/events/${id}/registrations?format=${format}`, null, e.currentTarget);
    const onFilter = (value) => { rosterStatus = value; roster.restart(); };
    return html`<div class="card-head"><h2>报名名单</h2>
        <div class="head-actions">
          ${filterSelect({ id: "roster-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "registration_status",
            value: rosterStatus, onChange: onFilter, cls: "" })}
          <button class="btn btn-sm btn-ghost" type="button" @click=${download("csv")}>导出 CSV</button>
          <button class="btn btn-sm btn-ghost" type="button" @click=${download("xlsx")}>导出 Excel</button>
        </div></div>
      ${pagedTable(roster, {
        id: "roster-table",
        head: ["工号", "姓名", "部门", "网格", "手机", "状态", "报名时间", "签到时间"],
        empty: html`<p>${rosterStatus ? "没有符合条件的报名。" : "还没有人报名。"}</p>`,
        row: (r) => html`<tr data-employee-no=${r.employee_no}>
          <td class="mono">${r.employee_no}</td><td>${r.name}</td><td>${r.department || "—"}</td><td>${r.grid || "—"}</td>
          <td class="mono">${r.phone_masked || "—"}</td>
          <td>${statusBadge("registration_status", r.status, {
            text: r.status === "waitlisted" && r.waitlist_position ? `候补第 ${r.waitlist_position} 位` : null })}</td>
          <td class="nowrap">${fmtTime(r.created_at)}</td>
          <td class="nowrap">${r.checked_in_at ? fmtTime(r.checked_in_at) : "—"}</td></tr>`,
      })}`;
  }

  async function onCancel(e) {
    const button = e.currentTarget;
    const ok = await confirmDialog("取消活动", `确定取消「${ev.title}」吗？已报名的会员将收到取消通知，此操作不能撤销。`, "确认取消活动");
    if (!ok) return;
    busy(button, true);
    try {
      ev = await api(`/events/${id}/cancel`, { method: "POST" });
      toast("活动已取消");
      draw();
    } catch (err) {
      busy(button, false);
      toast(err.message, "error");
    }
  }

  draw();
  await Promise.all([loadStats(), roster.load(), mountAutoNotices(root.querySelector("#auto-notices"), { event_id: id })]);
}
