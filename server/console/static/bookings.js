// Slot booking (API.md "Slot booking"): calendars for health checks, the secretary's reception day and
// the legal clinic; a day's slots, who booked them, and the staff's moves and cancellations.
import {
  STAFF_ROLES, TZ_OFFSET, api, audienceFields, downloadFile, fmtRange, fmtTime, intField, localInputToIso, parts,
  safeFilename, session,
} from "./core.js";
import {
  PagedList, alertBox, audienceBoxes, audienceText, confirmDialog, field, filterSelect, formActions, formMessage,
  formState, input, loading, options, pageHeader, pagedTable, statusBadge, submitButton, submitForm, table, toast,
} from "./components.js";
import { choices, label } from "./labels.js";
import { html, nothing, render } from "./view.js";
import { mountAutoNotices } from "./autonotices.js";

/** The kinds this user may create: the secretary alone may only plan reception days. */
function creatableKinds() {
  const roles = session.member?.roles || [];
  const full = roles.some((r) => STAFF_ROLES.includes(r) && r !== "secretary");
  return full ? choices("calendar_kind").map(([v]) => v) : ["reception_day"];
}

const todayBeijing = () => parts(new Date().toISOString()).date;
const isDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || "");
/** "2026-12-01" + "09:00" → an ISO time in Beijing. */
const dayTime = (day, time) => (day && time ? `${day}T${time}:00${TZ_OFFSET}` : undefined);
const hhmm = (from, to) => `${parts(from).time}–${parts(to).time}`;

function nextDay(day) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

// --- calendars ------------------------------------------------------------------------------------

export async function viewCalendars(root) {
  let kind = "";
  const list = new PagedList({ path: "/calendars", query: () => ({ kind }), draw });

  const row = (c) => html`<tr data-calendar-id=${c.id}>
    <td><a class="event-link" href="#/bookings/${c.id}">${c.title}</a><div class="sub">${audienceText(c.audience)}</div></td>
    <td>${statusBadge("calendar_kind", c.kind)}</td>
    <td>${c.location}</td>
    <td>${c.host || "—"}</td>
    <td class="nowrap">开始前 ${c.cancel_cutoff_hours} 小时</td>
    <td class="actions"><a class="btn btn-sm btn-ghost" href="#/bookings/${c.id}">管理时段</a></td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ title: "预约", sub: "体检、书记接待日和法律门诊的预约时段（北京时间）", actions: html`
        ${filterSelect({ id: "calendar-filter", ariaLabel: "按类型筛选", all: "全部类型", vocab: "calendar_kind", value: kind,
          onChange: (v) => { kind = v; list.restart(); } })}
        <a class="btn btn-primary" href="#/bookings/new">＋ 新建预约日历</a>` })}
      <div class="card">${pagedTable(list, {
        id: "calendars-table", row, head: ["日历", "类型", "地点", "接待人", "取消截止", ""],
        empty: kind ? html`<p>没有该类型的预约日历。</p>`
          : html`<p>还没有预约日历。</p><a class="btn btn-primary" href="#/bookings/new">新建第一个预约日历</a>`,
      })}</div></div>`, root);
  }
  await list.load();
}

export function viewNewCalendar(root) {
  const kinds = creatableKinds();
  const form = formState();
  draw();
  root.querySelector("[name=title]").focus();

  function draw() {
    const f = (opts, control) => field({ ...opts, errors: form.errors }, control);
    render(html`<div class="page page-narrow">
      ${pageHeader({ back: { href: "#/bookings", text: "返回预约日历" }, title: "新建预约日历", sub: "创建后再添加可预约的时段" })}
      <form class="card form" id="calendar-form" novalidate @submit=${onSubmit}>
        ${formMessage(form.errors)}
        <fieldset><legend>基本信息</legend>
          <div class="grid-2">
            ${f({ name: "kind", label: "类型", required: true, hint: kinds.length === 1 ? "书记只能创建书记接待日" : "" },
              (a) => html`<select id=${a.id} name=${a.name}>${options("calendar_kind", "", kinds)}</select>`)}
            ${f({ name: "title", label: "名称", required: true }, input({ maxlength: 100, placeholder: "例如：12 月书记接待日" }))}
          </div>
          <div class="grid-2">
            ${f({ name: "location", label: "地点", required: true }, input({ maxlength: 200 }))}
            ${f({ name: "host", label: "接待人", hint: "选填" }, input({ maxlength: 100, placeholder: "例如：张书记" }))}
          </div>
        </fieldset>
        <fieldset><legend>预约规则</legend>
          <div class="grid-2">
            ${f({ name: "cancel_cutoff_hours", label: "取消截止（开始前小时数）", hint: "超过截止时间，会员只能联系工会取消" },
              input({ type: "number", min: 0, step: 1, value: 24 }))}
            ${f({ name: "max_active_per_member", label: "每人最多同时预约", hint: "本日历中尚未开始的预约数" },
              input({ type: "number", min: 1, step: 1, value: 1 }))}
          </div>
        </fieldset>
        <fieldset><legend>面向人群</legend>
          <p class="hint">都留空表示面向全体会员（例如体检只面向 40 岁以上会员时填写标签）。多个名称用逗号分隔。</p>
          ${audienceBoxes(form.errors, "例如：40岁以上")}
        </fieldset>
        ${formActions("创建日历", form, "#/bookings")}
      </form></div>`, root);
  }

  function onSubmit(ev) {
    return submitForm(form, ev, draw, async (f) => {
      const body = {
        kind: f.kind.value,
        title: f.title.value.trim(),
        location: f.location.value.trim(),
        host: f.host.value.trim() || undefined,
        cancel_cutoff_hours: intField(f.cancel_cutoff_hours.value),
        max_active_per_member: intField(f.max_active_per_member.value),
        audience: audienceFields(f),
      };
      const created = await api("/calendars", { method: "POST", body });
      toast(`已创建「${created.title}」，请添加时段`);
      location.hash = `#/bookings/${created.id}`;
    });
  }
}

// --- one calendar ---------------------------------------------------------------------------------

export async function viewCalendar(root, id, dayArg) {
  // Without a day in the address the calendar opens on the next day that has slots (the overview
  // names it), else today.
  const [cal, overview] = await Promise.all([api(`/calendars/${id}`),
    api(`/calendars/${id}/days${isDay(dayArg) ? `?month=${dayArg.slice(0, 7)}` : ""}`)]);
  const reception = cal.kind === "reception_day";
  const firstDay = isDay(dayArg) ? dayArg : overview.next_date || todayBeijing();
  let day = firstDay;
  let month = overview;  // the month shown in the overview: {month, next_date, days}
  let alive = true;
  // Each part of the page: null while loading, {error} when it failed, else the answer.
  let slots = null;
  let bookings = null;
  const generate = { ...formState(), notice: "" };
  const single = formState();
  let moving = null;  // the slot whose move form is open
  const move = formState();

  function draw() {
    const row = (k, v) => html`<dt>${k}</dt><dd>${v}</dd>`;
    render(html`<div class="page">
      ${pageHeader({
        back: { href: "#/bookings", text: "返回预约日历" }, title: cal.title, titleId: "calendar-title",
        badge: statusBadge("calendar_kind", cal.kind),
        sub: [cal.location, cal.host ? `接待人：${cal.host}` : null].filter(Boolean).join(" · "),
        actions: html`<label class="day-pick">查看日期<input id="day" type="date" .value=${day} aria-label="日期"
          @change=${onDay}></label>`,
      })}
      <div class="event-grid">
        <div class="main">
          <div class="card" id="slots">${slotsCard()}</div>
          <div class="card" id="day-bookings">${bookingsCard()}</div>
        </div>
        <div class="side">
          <div class="card" id="month">${monthCard()}</div>
          <div class="card" id="calendar-info"><h2>预约规则</h2><dl class="details">
            ${row("取消截止", `开始前 ${cal.cancel_cutoff_hours} 小时`)}
            ${row("每人限约", `${cal.max_active_per_member} 个未开始的预约`)}
            ${row("面向人群", audienceText(cal.audience))}</dl></div>
          ${generateCard()}${singleCard()}
        </div>
      </div>
      <div class="card" id="auto-notices"></div></div>`, root);
  }

  function onDay(e) {
    if (isDay(e.currentTarget.value)) showDay(e.currentTarget.value);
  }

  function showDay(d) {
    day = d;
    moving = null;
    slots = bookings = null;
    // The chosen day stays in the address (a reload keeps it) without re-rendering the forms.
    history.replaceState(null, "", `#/bookings/${id}/${d}`);
    return reload();
  }

  const reload = () => Promise.all([loadSlots(), loadBookings(),
    loadMonth(month.month === day.slice(0, 7) ? month.month : day.slice(0, 7))]);

  // -- the month overview --

  async function loadMonth(m) {
    try {
      const data = await api(`/calendars/${id}/days?month=${m}`);
      if (!alive) return;
      month = data;
    } catch (e) {
      toast(e.message, "error");
    }
    draw();
  }

  function shiftMonth(m, by) {
    const [y, mo] = m.split("-").map(Number);
    const d = new Date(Date.UTC(y, mo - 1 + by, 1));
    return d.toISOString().slice(0, 7);
  }

  function monthCard() {
    const [y, mo] = month.month.split("-").map(Number);
    const first = new Date(Date.UTC(y, mo - 1, 1));
    const count = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    const lead = (first.getUTCDay() + 6) % 7;  // weeks start on Monday
    const byDate = Object.fromEntries(month.days.map((x) => [x.date, x]));
    const today = todayBeijing();
    const cells = [];
    for (let i = 0; i < lead; i++) cells.push(html`<span class="month-pad"></span>`);
    for (let n = 1; n <= count; n++) {
      const date = `${month.month}-${String(n).padStart(2, "0")}`;
      const info = byDate[date];
      const cls = ["month-day", info ? "has-slots" : "", info && info.booked ? "has-bookings" : "",
        date === day ? "is-selected" : "", date === today ? "is-today" : ""].join(" ");
      const title = info ? `${date}：${info.slots} 个时段，已约 ${info.booked} / ${info.capacity}` : `${date}：没有时段`;
      cells.push(html`<button type="button" class=${cls} data-date=${date} title=${title} aria-label=${title}
        @click=${() => showDay(date)}><b>${n}</b>${info ? html`<small>${info.booked}/${info.capacity}</small>` : nothing}</button>`);
    }
    const go = (by) => loadMonth(shiftMonth(month.month, by));
    return html`<div class="card-head"><h2 id="month-title">${y} 年 ${mo} 月</h2><div class="head-actions">
        <button class="btn btn-sm btn-ghost" type="button" aria-label="上个月" @click=${() => go(-1)}>‹</button>
        <button class="btn btn-sm btn-ghost" type="button" aria-label="下个月" @click=${() => go(1)}>›</button></div></div>
      <div class="month-grid">${"一二三四五六日".split("").map((w) => html`<span class="month-head">${w}</span>`)}${cells}</div>
      <p class="hint">有时段的日子标出“已约 / 名额”。${month.next_date
        ? html`下一个有时段的日子：<a href="#" id="next-day" @click=${(e) => { e.preventDefault(); showDay(month.next_date); }}>${month.next_date}</a>`
        : "还没有未开始的时段。"}</p>`;
  }

  // -- announcing slots: staff see whom it reaches and choose now, later or not at all --

  let announceHost = null;

  /** Asks whether to tell the calendar's members about these slots; resolves when staff have chosen. */
  async function askAnnouncement(created) {
    const open = created.filter((s) => s.status === "open" && Date.parse(s.starts_at) > Date.now());
    if (!open.length) return;
    let reach;
    try {
      reach = await api(`/calendars/${id}/announcement`);
    } catch (e) {
      toast(e.message, "error");
      return;
    }
    const publishAt = open.map((s) => s.publish_at).filter(Boolean)
      .filter((t) => Date.parse(t) > Date.now()).sort().pop();
    if (!announceHost) { announceHost = document.createElement("div"); document.body.append(announceHost); }
    let error = "";
    let sending = false;
    const c = reach.by_channel;
    const summary = reach.recipients ? [
      `将通知“${audienceText(cal.audience)}”的 ${reach.recipients} 名会员：`,
      `${label("notice_channel", "push")} ${c.push} 人，${label("notice_channel", "sms")} ${c.sms} 人（未授权推送的会员改发短信）`,
      c.none ? `，${c.none} 人无法送达（未授权推送且名册中没有手机号）` : "", "。",
    ].join("") : "该日历面向的人群中目前没有会员，无法发送通知。";
    return new Promise((resolve) => {
      const drawDialog = () => render(html`<dialog id="announce" class="dialog dialog-wide" @cancel=${() => finish(null)}>
        <h2>发送开放预约通知？</h2>
        <p id="announce-summary">${summary}</p>
        <p class="muted">${open.length} 个新时段${publishAt ? `，定于 ${fmtTime(publishAt)} 公开` : "，已公开"}。</p>
        ${reach.recipients ? html`<div class="field" data-field="send_at">
            <label for="announce-at">定时发送（北京时间）</label>
            <input id="announce-at" type="datetime-local">
            <small class="hint">选填；填写后点“定时发送”</small></div>` : nothing}
        ${error ? alertBox(error) : nothing}
        <div class="dialog-actions">
          <button type="button" class="btn btn-ghost" id="announce-none" @click=${() => finish(null)}>不发送</button>
          ${reach.recipients ? html`
            <button type="button" class="btn" id="announce-later" ?disabled=${sending} @click=${later}>定时发送</button>
            <button type="button" class="btn btn-primary" id="announce-now" ?disabled=${sending}
              @click=${() => send(undefined)}>${publishAt ? "公开时发送" : "现在发送"}</button>` : nothing}
        </div></dialog>`, announceHost);
      const dlg = () => announceHost.querySelector("dialog");
      drawDialog();
      dlg().showModal();

      function finish(message) {
        if (dlg().open) dlg().close();
        toast(message || "未发送通知；需要时可在时段列表上方点“通知会员”");
        resolve();
      }
      function later() {
        const value = announceHost.querySelector("#announce-at").value;
        if (!value) { error = "请填写定时发送的时间"; drawDialog(); return; }
        send(localInputToIso(value));
      }
      async function send(sendAt) {
        sending = true;
        error = "";
        drawDialog();
        try {
          const out = await api(`/calendars/${id}/announcement`, { method: "POST",
            body: { slot_ids: open.map((s) => s.id), send_at: sendAt } });
          finish(out.send_at ? `开放预约通知定于 ${fmtTime(out.send_at)} 发送给 ${reach.recipients} 名会员`
            : `已向 ${reach.recipients} 名会员发送开放预约通知`);
        } catch (e) {
          error = e.details?.fields ? Object.values(e.details.fields).join("；") : e.message;
          sending = false;
          drawDialog();
        }
      }
    });
  }

  // -- planning forms --

  function generateCard() {
    const f = (opts, control) => field({ ...opts, prefix: "gen", errors: generate.errors }, control);
    return html`<div class="card" id="generate"><h2>按时长生成一天的时段</h2>
      <form class="form" id="generate-form" novalidate @submit=${onGenerate}>
        ${formMessage(generate.errors, generate.notice ? alertBox(generate.notice, "warn") : nothing)}
        ${f({ name: "generate.date", label: "日期", required: true }, input({ type: "date", value: firstDay }))}
        <div class="grid-2">
          ${f({ name: "generate.start", label: "开始", required: true }, input({ type: "time", value: "09:00" }))}
          ${f({ name: "generate.end", label: "结束", required: true }, input({ type: "time", value: "11:30" }))}
          ${f({ name: "generate.slot_minutes", label: "每段分钟数", required: true }, input({ type: "number", min: 5, step: 5, value: 30 }))}
          ${f({ name: "generate.capacity", label: "每段名额", required: true }, input({ type: "number", min: 1, step: 1, value: 1 }))}
        </div>
        ${f({ name: "publish_at", label: "公开时间（北京时间）",
          hint: "留空表示立即公开，会员即可预约；生成后再选择是否通知会员" },
          input({ type: "datetime-local" }))}
        ${formActions("生成时段", generate)}
      </form></div>`;
  }

  function onGenerate(ev) {
    return submitForm(generate, ev, draw, async (f) => {
      const g = (n) => f[`generate.${n}`].value;
      const body = {
        generate: {
          date: g("date") || undefined, start: g("start") || undefined, end: g("end") || undefined,
          slot_minutes: intField(g("slot_minutes")), capacity: intField(g("capacity")),
        },
        publish_at: localInputToIso(f.publish_at.value),
      };
      generate.notice = "";
      const out = await api(`/calendars/${id}/slots`, { method: "POST", body });
      toast(`已生成 ${out.items.length} 个时段`);
      // The dropped remainder stays said on the form: the secretary may want to add it by hand.
      generate.notice = out.message || "";
      await showDay(g("date"));
      askAnnouncement(out.items);
    });
  }

  function singleCard() {
    const f = (opts, control) => field({ ...opts, prefix: "one", errors: single.errors }, control);
    return html`<div class="card" id="single"><h2>添加单个时段</h2>
      <form class="form" id="single-form" novalidate @submit=${onSingle}>
        ${formMessage(single.errors)}
        ${f({ name: "date", label: "日期", required: true }, input({ type: "date", value: firstDay }))}
        <div class="grid-2">
          ${f({ name: "slots.0.starts_at", label: "开始", required: true }, input({ type: "time" }))}
          ${f({ name: "slots.0.ends_at", label: "结束", required: true }, input({ type: "time" }))}
        </div>
        ${f({ name: "slots.0.capacity", label: "名额", required: true }, input({ type: "number", min: 1, step: 1, value: 1 }))}
        ${f({ name: "publish_at", label: "公开时间（北京时间）", hint: "留空表示立即公开" }, input({ type: "datetime-local" }))}
        ${formActions("添加时段", single)}
      </form></div>`;
  }

  function onSingle(ev) {
    return submitForm(single, ev, draw, async (f) => {
      const d = f.date.value;
      const body = {
        slots: [{
          starts_at: dayTime(d, f["slots.0.starts_at"].value),
          ends_at: dayTime(d, f["slots.0.ends_at"].value),
          capacity: intField(f["slots.0.capacity"].value),
        }],
        publish_at: localInputToIso(f.publish_at.value),
      };
      if (!d) throw { details: { fields: { date: "请选择日期" } } };
      const out = await api(`/calendars/${id}/slots`, { method: "POST", body });
      toast("已添加时段");
      await showDay(d);
      askAnnouncement(out.items);
    });
  }

  // -- the day's slots --

  function publishCell(s) {
    if (s.status === "cancelled") return statusBadge("slot_status", s.status);
    return s.published ? html`<span class="badge badge-open">已公开</span>`
      : html`<span class="badge badge-idle">定于 ${fmtTime(s.publish_at)} 公开</span>`;
  }

  function slotsCard() {
    const title = html`<h2>${day} 的时段</h2>`;
    if (!slots) return html`<div class="card-head">${title}</div>${loading()}`;
    if (slots.error) return html`<div class="card-head">${title}</div>${alertBox(slots.error.message)}`;
    if (!slots.items.length) {
      return html`<div class="card-head">${title}</div><div class="empty"><p>这一天还没有时段。可在右侧生成或添加。</p></div>`;
    }
    const open = slots.items.filter((s) => s.status === "open");
    const sum = (key) => open.reduce((n, s) => n + s[key], 0);
    const ahead = open.filter((s) => Date.parse(s.starts_at) > Date.now());
    return html`<div class="card-head">${title}<div class="head-actions">
        <span class="muted">${open.length} 个时段，已约 ${sum("booked")} / ${sum("capacity")}</span>
        ${ahead.length ? html`<button class="btn btn-sm btn-ghost" id="announce-day" type="button"
          @click=${() => askAnnouncement(ahead)}>通知会员</button>` : nothing}</div></div>
      ${table({ id: "slots-table", head: ["时间", { text: "已约 / 名额", cls: "num" }, "公开", ""],
        rows: slots.items.map((s) => html`${slotRow(s)}${moving === s.id ? moveRow(s) : nothing}`) })}`;
  }

  function slotRow(s) {
    const live = s.status === "open";
    return html`<tr data-slot-id=${s.id} data-status=${s.status}>
      <td class="nowrap">${hhmm(s.starts_at, s.ends_at)}${
        s.location !== cal.location ? html`<div class="sub">${s.location}</div>` : nothing}</td>
      <td class="num" data-col="booked">${s.booked} / ${s.capacity}</td>
      <td>${publishCell(s)}</td>
      <td class="actions">${live ? html`
        <button class="btn btn-sm btn-ghost" type="button" @click=${() => toggleMove(s)}>调整时间</button>
        <button class="btn btn-sm btn-danger-ghost" type="button" @click=${() => cancelSlot(s)}>取消时段</button>` : nothing}</td>
    </tr>`;
  }

  function toggleMove(s) {
    moving = moving === s.id ? null : s.id;
    Object.assign(move, formState());
    draw();
    root.querySelector(".move-form [name=starts_at]")?.focus();
  }

  function moveRow(s) {
    const local = (iso) => { const p = parts(iso); return `${p.date}T${p.time}`; };
    const f = (opts, control) => field({ ...opts, prefix: `move-${s.id}`, errors: move.errors }, control);
    return html`<tr class="move-row"><td colspan="4">
      <form class="form move-form" novalidate @submit=${(e) => onMove(e, s)}>
        ${formMessage(move.errors)}
        <div class="grid-2">
          ${f({ name: "starts_at", label: "新的开始时间" }, input({ type: "datetime-local", value: local(s.starts_at) }))}
          ${f({ name: "ends_at", label: "新的结束时间" }, input({ type: "datetime-local", value: local(s.ends_at) }))}
        </div>
        <div class="move-actions">
          <small class="hint">${s.booked ? `已预约的 ${s.booked} 名会员会收到时间变更通知。` : "该时段还没有人预约。"}</small>
          <button class="btn btn-sm btn-ghost" type="button" @click=${() => toggleMove(s)}>取消</button>
          ${submitButton("保存", move.busy, { cls: "btn btn-sm btn-primary" })}
        </div>
      </form></td></tr>`;
  }

  function onMove(ev, s) {
    return submitForm(move, ev, draw, async (f) => {
      const body = { starts_at: localInputToIso(f.starts_at.value), ends_at: localInputToIso(f.ends_at.value) };
      const moved = await api(`/slots/${s.id}`, { method: "PATCH", body });
      const when = fmtRange(moved.starts_at, moved.ends_at);
      toast(s.booked ? `时段已调整为 ${when}，已通知预约会员` : `时段已调整为 ${when}`);
      moving = null;
      const d = parts(moved.starts_at).date;
      await (d === day ? reload() : showDay(d));
    });
  }

  async function cancelSlot(s) {
    const who = s.booked ? `已预约的 ${s.booked} 名会员的预约将一并取消，系统会通知他们。` : "该时段还没有人预约。";
    const ok = await confirmDialog("取消时段", `确定取消 ${fmtRange(s.starts_at, s.ends_at)} 的时段吗？\n${who}此操作不能撤销。`,
      "确认取消时段");
    if (!ok) return;
    try {
      await api(`/slots/${s.id}/cancel`, { method: "POST" });
      toast(s.booked ? `时段已取消，已通知 ${s.booked} 名会员` : "时段已取消");
      await reload();
    } catch (e) {
      toast(e.message, "error");
    }
  }

  async function loadSlots() {
    const q = new URLSearchParams({ from: `${day}T00:00:00${TZ_OFFSET}`, to: `${nextDay(day)}T00:00:00${TZ_OFFSET}`,
      per_page: 100 });
    const asked = day;
    let data;
    try {
      data = await api(`/calendars/${id}/slots?${q}`);
    } catch (e) {
      data = { error: e };
    }
    if (!alive || asked !== day) return;
    slots = data;
    draw();
  }

  // -- the day's bookings --

  function bookingsCard() {
    const name = `${safeFilename(cal.title)}-预约名单-${day.replaceAll("-", "")}`;
    const get = (format) => (e) =>
      downloadFile(`/calendars/${id}/bookings?date=${day}&format=${format}`, `${name}.${format}`, e.currentTarget);
    const head = html`<div class="card-head"><h2>${day} 的预约</h2><div class="head-actions">
      <button class="btn btn-sm btn-ghost" type="button" @click=${get("csv")}>导出 CSV</button>
      <button class="btn btn-sm btn-ghost" type="button" @click=${get("xlsx")}>导出 Excel</button></div></div>`;
    if (!bookings) return html`${head}${loading()}`;
    if (bookings.error) return html`${head}${alertBox(bookings.error.message)}`;
    if (!bookings.items.length) return html`${head}<div class="empty"><p>这一天还没有人预约。</p></div>`;
    // Only the topic column is optional; the actions column keeps its (empty) header cell.
    const cols = ["时间", "工号", "姓名", "部门", "手机", reception ? "想反映的问题" : null, "状态", ""].filter((t) => t !== null);
    return html`${head}
      ${table({ id: "bookings-table", head: cols, rows: bookings.items.map((b) => html`<tr data-booking-id=${b.id} data-status=${b.status}>
        <td class="nowrap">${hhmm(b.starts_at, b.ends_at)}</td>
        <td class="mono">${b.employee_no}</td><td class="nowrap">${b.name}</td><td class="nowrap">${b.department || "—"}</td>
        <td class="mono">${b.phone_masked || "—"}</td>
        ${reception ? html`<td class="topic">${b.topic || "—"}</td>` : nothing}
        <td>${statusBadge("booking_status", b.status, { text: b.status === "cancelled" && b.cancelled_by_staff ? "工会代取消" : null })}</td>
        <td class="actions">${b.status === "booked"
          ? html`<button class="btn btn-sm btn-danger-ghost" type="button" @click=${() => cancelBooking(b)}>代为取消</button>` : nothing}</td>
      </tr>`) })}
      ${bookings.total > bookings.items.length
        ? html`<p class="hint">仅显示前 ${bookings.items.length} 条，共 ${bookings.total} 条；完整名单请导出。</p>` : nothing}`;
  }

  async function loadBookings() {
    const asked = day;
    let data;
    try {
      data = await api(`/calendars/${id}/bookings?${new URLSearchParams({ date: day, per_page: 100 })}`);
    } catch (e) {
      data = { error: e };
    }
    if (!alive || asked !== day) return;
    bookings = data;
    draw();
  }

  async function cancelBooking(b) {
    const ok = await confirmDialog("代会员取消预约",
      `确定为 ${b.name}（${b.employee_no}）取消 ${fmtRange(b.starts_at, b.ends_at)} 的预约吗？\n系统会通知该会员，名额将重新开放。`,
      "确认取消预约");
    if (!ok) return;
    try {
      await api(`/bookings/${b.id}`, { method: "DELETE" });
      toast(`已为 ${b.name} 取消预约`);
      await reload();
    } catch (e) {
      toast(e.message, "error");
    }
  }

  draw();
  await Promise.all([showDay(day), mountAutoNotices(root.querySelector("#auto-notices"), { calendar_id: id })]);
  return () => { alive = false; };
}
