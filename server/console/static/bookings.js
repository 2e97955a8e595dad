// Slot booking (API.md "Slot booking"): calendars for health checks, the secretary's reception day and
// the legal clinic; a day's slots, who booked them, and the staff's moves and cancellations.
import { STAFF_ROLES, TZ_OFFSET, alertBox, api, busy, clearFieldErrors, confirmDialog, downloadFile, field, fill, fmtRange, fmtTime, h, localInputToIso, pager, parts, safeFilename, session, showFieldErrors, toast, newestOnly, audienceFields, intField } from "./core.js";

export const CAL_KINDS = { health_check: "体检", reception_day: "书记接待日", legal_clinic: "法律门诊" };
const BOOKING_STATUS = { booked: "已预约", cancelled: "已取消" };

function kindBadge(kind) {
  return h(`span.badge.badge-kind.badge-kind-${kind}`, { dataset: { kind } }, CAL_KINDS[kind] || kind);
}

/** The kinds this user may create: the secretary alone may only plan reception days. */
function creatableKinds() {
  const roles = session.member?.roles || [];
  const full = roles.some((r) => STAFF_ROLES.includes(r) && r !== "secretary");
  return full ? Object.keys(CAL_KINDS) : ["reception_day"];
}

function audienceText(a) {
  return [["部门", a.departments], ["网格", a.grids], ["标签", a.tags]]
    .filter(([, v]) => v?.length).map(([k, v]) => `${k}：${v.join("、")}`).join("；") || "全体会员";
}

const todayBeijing = () => parts(new Date().toISOString()).date;
const isDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || "");
/** "2026-12-01" + "09:00" → an ISO time in Beijing. */
const dayTime = (day, time) => (day && time ? `${day}T${time}:00${TZ_OFFSET}` : undefined);

function nextDay(day) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** field() with ids of its own, for forms that share field names on one page. */
function fieldIn(prefix, name, label, input, hint = "", required = false) {
  const box = field(name, label, input, hint, required);
  input.id = `${prefix}-${name.replaceAll(".", "-")}`;
  box.querySelector("label").htmlFor = input.id;
  return box;
}

// --- calendars ------------------------------------------------------------------------------------

export async function viewCalendars(root) {
  let page = 1;
  let kind = "";
  const perPage = 20;
  const body = h("div.card");
  const onFilter = (e) => { kind = e.target.value; page = 1; load(); };
  const filter = h("select.select-sm#calendar-filter", { onchange: onFilter, "aria-label": "按类型筛选" },
    h("option", { value: "" }, "全部类型"),
    Object.entries(CAL_KINDS).map(([v, t]) => h("option", { value: v }, t)));
  root.append(h("div.page",
    h("div.page-head",
      h("div", h("h1", "预约"), h("p.muted", "体检、书记接待日和法律门诊的预约时段（北京时间）")),
      h("div.head-actions", filter, h("a.btn.btn-primary", { href: "#/bookings/new" }, "＋ 新建预约日历"))),
    body));

  const fetchList = newestOnly(api);
  async function load() {
    fill(body, h("div.loading", "正在加载…"));
    const q = new URLSearchParams({ page, per_page: perPage });
    if (kind) q.set("kind", kind);
    const data = await fetchList(`/calendars?${q}`);
    if (!data) return;  // a newer filter took over
    if (!data.items.length) {
      fill(body, h("div.empty", kind ? h("p", "没有该类型的预约日历。")
        : [h("p", "还没有预约日历。"), h("a.btn.btn-primary", { href: "#/bookings/new" }, "新建第一个预约日历")]));
      return;
    }
    const pages = Math.max(1, Math.ceil(data.total / perPage));
    fill(body,
      h("div.table-wrap", h("table.table#calendars-table",
        h("thead", h("tr", ["日历", "类型", "地点", "接待人", "取消截止", ""].map((t) => h("th", t)))),
        h("tbody", data.items.map((c) => h("tr", { dataset: { calendarId: c.id } },
          h("td", h("a.event-link", { href: `#/bookings/${c.id}` }, c.title), h("div.sub", audienceText(c.audience))),
          h("td", kindBadge(c.kind)),
          h("td", c.location),
          h("td", c.host || "—"),
          h("td.nowrap", `开始前 ${c.cancel_cutoff_hours} 小时`),
          h("td.actions", h("a.btn.btn-sm.btn-ghost", { href: `#/bookings/${c.id}` }, "管理时段"))))))),
      pager(page, pages, data.total, (p) => { page = p; load(); }));
  }
  await load();
}

export function viewNewCalendar(root) {
  const kinds = creatableKinds();
  const kind = h("select", kinds.map((k) => h("option", { value: k }, CAL_KINDS[k])));
  const msg = h("div.form-message");
  const submit = h("button.btn.btn-primary", { type: "submit" }, "创建日历");
  const form = h("form.card.form#calendar-form", { novalidate: true, onsubmit: onSubmit },
    msg,
    h("fieldset", h("legend", "基本信息"),
      h("div.grid-2",
        field("kind", "类型", kind, kinds.length === 1 ? "书记只能创建书记接待日" : "", true),
        field("title", "名称", h("input", { maxlength: 100, placeholder: "例如：12 月书记接待日" }), "", true)),
      h("div.grid-2",
        field("location", "地点", h("input", { maxlength: 200 }), "", true),
        field("host", "接待人", h("input", { maxlength: 100, placeholder: "例如：张书记" }), "选填"))),
    h("fieldset", h("legend", "预约规则"),
      h("div.grid-2",
        field("cancel_cutoff_hours", "取消截止（开始前小时数）",
          h("input", { type: "number", min: 0, step: 1, value: 24 }), "超过截止时间，会员只能联系工会取消"),
        field("max_active_per_member", "每人最多同时预约",
          h("input", { type: "number", min: 1, step: 1, value: 1 }), "本日历中尚未开始的预约数"))),
    h("fieldset", h("legend", "面向人群"),
      h("p.hint", "都留空表示面向全体会员（例如体检只面向 40 岁以上会员时填写标签）。多个名称用逗号分隔。"),
      field("audience.departments", "部门", h("input", { placeholder: "例如：生产一部，质检部" })),
      field("audience.grids", "网格", h("input", { placeholder: "例如：第一网格" })),
      field("audience.tags", "标签", h("input", { placeholder: "例如：40岁以上" }))),
    h("div.form-actions", h("a.btn.btn-ghost", { href: "#/bookings" }, "取消"), submit));
  root.append(h("div.page.page-narrow",
    h("a.back", { href: "#/bookings" }, "‹ 返回预约日历"),
    h("div.page-head", h("div", h("h1", "新建预约日历"), h("p.muted", "创建后再添加可预约的时段"))),
    form));
  form.elements.title.focus();

  async function onSubmit(ev) {
    ev.preventDefault();
    const f = form.elements;
    const body = {
      kind: f.kind.value,
      title: f.title.value.trim(),
      location: f.location.value.trim(),
      host: f.host.value.trim() || undefined,
      cancel_cutoff_hours: intField(f.cancel_cutoff_hours.value),
      max_active_per_member: intField(f.max_active_per_member.value),
      audience: audienceFields(f),
    };
    clearFieldErrors(form, msg);
    busy(submit, true);
    try {
      const created = await api("/calendars", { method: "POST", body });
      toast(`已创建「${created.title}」，请添加时段`);
      location.hash = `#/bookings/${created.id}`;
    } catch (e) {
      showFieldErrors(form, msg, e);
    } finally {
      busy(submit, false);
    }
  }
}

// --- one calendar ---------------------------------------------------------------------------------

export async function viewCalendar(root, id, dayArg) {
  const cal = await api(`/calendars/${id}`);
  const reception = cal.kind === "reception_day";
  let day = isDay(dayArg) ? dayArg : todayBeijing();
  let alive = true;

  const dayInput = h("input#day", { type: "date", value: day, "aria-label": "日期", onchange: onDay });
  const slotsCard = h("div.card#slots");
  const bookingsCard = h("div.card#day-bookings");
  const row = (k, v) => [h("dt", k), h("dd", v)];
  root.append(h("div.page",
    h("a.back", { href: "#/bookings" }, "‹ 返回预约日历"),
    h("div.page-head",
      h("div", h("h1#calendar-title", cal.title, " ", kindBadge(cal.kind)),
        h("p.muted", [cal.location, cal.host ? `接待人：${cal.host}` : null].filter(Boolean).join(" · "))),
      h("div.head-actions", h("label.day-pick", "查看日期", dayInput))),
    h("div.event-grid",
      h("div.main", slotsCard, bookingsCard),
      h("div.side",
        h("div.card#calendar-info", h("h2", "预约规则"), h("dl.details",
          row("取消截止", `开始前 ${cal.cancel_cutoff_hours} 小时`),
          row("每人限约", `${cal.max_active_per_member} 个未开始的预约`),
          row("面向人群", audienceText(cal.audience)))),
        generateCard(), singleCard()))));

  function onDay() {
    if (!isDay(dayInput.value)) return;
    showDay(dayInput.value);
  }

  function showDay(d) {
    day = d;
    dayInput.value = d;
    // The chosen day stays in the address (a reload keeps it) without re-rendering the forms.
    history.replaceState(null, "", `#/bookings/${id}/${d}`);
    return Promise.all([loadSlots(), loadBookings()]);
  }

  // -- planning forms --

  function generateCard() {
    const msg = h("div.form-message");
    const submit = h("button.btn.btn-primary", { type: "submit" }, "生成时段");
    const form = h("form.form#generate-form", { novalidate: true, onsubmit: onSubmit },
      msg,
      fieldIn("gen", "generate.date", "日期", h("input", { type: "date", value: day }), "", true),
      h("div.grid-2",
        fieldIn("gen", "generate.start", "开始", h("input", { type: "time", value: "09:00" }), "", true),
        fieldIn("gen", "generate.end", "结束", h("input", { type: "time", value: "11:30" }), "", true),
        fieldIn("gen", "generate.slot_minutes", "每段分钟数", h("input", { type: "number", min: 5, step: 5, value: 30 }), "", true),
        fieldIn("gen", "generate.capacity", "每段名额", h("input", { type: "number", min: 1, step: 1, value: 1 }), "", true)),
      fieldIn("gen", "publish_at", "公开时间（北京时间）", h("input", { type: "datetime-local" }),
        reception ? "留空表示立即公开；到时会员可预约，并收到接待日通知" : "留空表示立即公开，会员即可预约"),
      h("div.form-actions", submit));
    return h("div.card#generate", h("h2", "按时长生成一天的时段"), form);

    async function onSubmit(ev) {
      ev.preventDefault();
      const f = form.elements;
      const g = (n) => f[`generate.${n}`].value;
      const body = {
        generate: {
          date: g("date") || undefined, start: g("start") || undefined, end: g("end") || undefined,
          slot_minutes: intField(g("slot_minutes")), capacity: intField(g("capacity")),
        },
        publish_at: localInputToIso(f.publish_at.value),
      };
      clearFieldErrors(form, msg);
      busy(submit, true);
      try {
        const out = await api(`/calendars/${id}/slots`, { method: "POST", body });
        toast(`已生成 ${out.items.length} 个时段`);
        // The dropped remainder stays said on the form: the secretary may want to add it by hand.
        if (out.message) msg.append(alertBox(out.message, "warn"));
        await showDay(g("date"));
      } catch (e) {
        showFieldErrors(form, msg, e);
      } finally {
        busy(submit, false);
      }
    }
  }

  function singleCard() {
    const msg = h("div.form-message");
    const submit = h("button.btn.btn-primary", { type: "submit" }, "添加时段");
    const form = h("form.form#single-form", { novalidate: true, onsubmit: onSubmit },
      msg,
      fieldIn("one", "date", "日期", h("input", { type: "date", value: day }), "", true),
      h("div.grid-2",
        fieldIn("one", "slots.0.starts_at", "开始", h("input", { type: "time" }), "", true),
        fieldIn("one", "slots.0.ends_at", "结束", h("input", { type: "time" }), "", true)),
      fieldIn("one", "slots.0.capacity", "名额", h("input", { type: "number", min: 1, step: 1, value: 1 }), "", true),
      fieldIn("one", "publish_at", "公开时间（北京时间）", h("input", { type: "datetime-local" }), "留空表示立即公开"),
      h("div.form-actions", submit));
    return h("div.card#single", h("h2", "添加单个时段"), form);

    async function onSubmit(ev) {
      ev.preventDefault();
      const f = form.elements;
      const d = f.date.value;
      const body = {
        slots: [{
          starts_at: dayTime(d, f["slots.0.starts_at"].value),
          ends_at: dayTime(d, f["slots.0.ends_at"].value),
          capacity: intField(f["slots.0.capacity"].value),
        }],
        publish_at: localInputToIso(f.publish_at.value),
      };
      clearFieldErrors(form, msg);
      if (!d) {
        showFieldErrors(form, msg, { details: { fields: { date: "请选择日期" } } });
        return;
      }
      busy(submit, true);
      try {
        await api(`/calendars/${id}/slots`, { method: "POST", body });
        toast("已添加时段");
        await showDay(d);
      } catch (e) {
        showFieldErrors(form, msg, e);
      } finally {
        busy(submit, false);
      }
    }
  }

  // -- the day's slots --

  function publishCell(s) {
    if (s.status === "cancelled") return h("span.badge.badge-muted", "已取消");
    return s.published ? h("span.badge.badge-open", "已公开")
      : h("span.badge.badge-idle", `定于 ${fmtTime(s.publish_at)} 公开`);
  }

  async function loadSlots() {
    const head = h("div.card-head", h("h2", `${day} 的时段`));
    fill(slotsCard, head, h("div.loading", "正在加载…"));
    const q = new URLSearchParams({ from: `${day}T00:00:00${TZ_OFFSET}`, to: `${nextDay(day)}T00:00:00${TZ_OFFSET}`,
      per_page: 100 });
    let data;
    try {
      data = await api(`/calendars/${id}/slots?${q}`);
    } catch (e) {
      fill(slotsCard, head, alertBox(e.message));
      return;
    }
    if (!alive) return;
    if (!data.items.length) {
      fill(slotsCard, head, h("div.empty", h("p", "这一天还没有时段。可在右侧生成或添加。")));
      return;
    }
    const open = data.items.filter((s) => s.status === "open");
    head.append(h("span.muted", `${open.length} 个时段，已约 ${open.reduce((n, s) => n + s.booked, 0)} / ` +
      `${open.reduce((n, s) => n + s.capacity, 0)}`));
    const tbody = h("tbody");
    for (const s of data.items) tbody.append(slotRow(s));
    fill(slotsCard, head, h("div.table-wrap", h("table.table#slots-table",
      h("thead", h("tr", h("th", "时间"), h("th.num", "已约 / 名额"), h("th", "公开"), h("th", ""))), tbody)));
  }

  function slotRow(s) {
    const live = s.status === "open";
    const tr = h("tr", { dataset: { slotId: s.id, status: s.status } },
      h("td.nowrap", `${parts(s.starts_at).time}–${parts(s.ends_at).time}`,
        s.location !== cal.location ? h("div.sub", s.location) : null),
      h("td.num", { dataset: { col: "booked" } }, `${s.booked} / ${s.capacity}`),
      h("td", publishCell(s)),
      h("td.actions", live ? [
        h("button.btn.btn-sm.btn-ghost", { type: "button", onclick: () => toggleMove(tr, s) }, "调整时间"),
        h("button.btn.btn-sm.btn-danger-ghost", { type: "button", onclick: () => cancelSlot(s) }, "取消时段"),
      ] : null));
    return tr;
  }

  function toggleMove(tr, s) {
    const open = tr.nextElementSibling?.classList.contains("move-row");
    tr.parentElement.querySelectorAll(".move-row").forEach((r) => r.remove());
    if (open) return;
    const msg = h("div.form-message");
    const save = h("button.btn.btn-sm.btn-primary", { type: "submit" }, "保存");
    const local = (iso) => { const p = parts(iso); return `${p.date}T${p.time}`; };
    const form = h("form.form.move-form", { novalidate: true, onsubmit: onSave },
      msg,
      h("div.grid-2",
        fieldIn(`move-${s.id}`, "starts_at", "新的开始时间", h("input", { type: "datetime-local", value: local(s.starts_at) })),
        fieldIn(`move-${s.id}`, "ends_at", "新的结束时间", h("input", { type: "datetime-local", value: local(s.ends_at) }))),
      h("div.move-actions",
        h("small.hint", s.booked ? `已预约的 ${s.booked} 名会员会收到时间变更通知。` : "该时段还没有人预约。"),
        h("button.btn.btn-sm.btn-ghost", { type: "button", onclick: () => row.remove() }, "取消"), save));
    const row = h("tr.move-row", h("td", { colSpan: 4 }, form));
    tr.after(row);
    form.elements.starts_at.focus();

    async function onSave(ev) {
      ev.preventDefault();
      const body = { starts_at: localInputToIso(form.elements.starts_at.value),
        ends_at: localInputToIso(form.elements.ends_at.value) };
      clearFieldErrors(form, msg);
      busy(save, true);
      try {
        const moved = await api(`/slots/${s.id}`, { method: "PATCH", body });
        toast(s.booked ? `时段已调整为 ${fmtRange(moved.starts_at, moved.ends_at)}，已通知预约会员`
          : `时段已调整为 ${fmtRange(moved.starts_at, moved.ends_at)}`);
        const d = parts(moved.starts_at).date;
        await (d === day ? Promise.all([loadSlots(), loadBookings()]) : showDay(d));
      } catch (e) {
        busy(save, false);
        showFieldErrors(form, msg, e);
      }
    }
  }

  async function cancelSlot(s) {
    const who = s.booked ? `已预约的 ${s.booked} 名会员的预约将一并取消，系统会通知他们。` : "该时段还没有人预约。";
    const ok = await confirmDialog("取消时段", `确定取消 ${fmtRange(s.starts_at, s.ends_at)} 的时段吗？\n${who}此操作不能撤销。`,
      "确认取消时段");
    if (!ok) return;
    try {
      await api(`/slots/${s.id}/cancel`, { method: "POST" });
      toast(s.booked ? `时段已取消，已通知 ${s.booked} 名会员` : "时段已取消");
      await Promise.all([loadSlots(), loadBookings()]);
    } catch (e) {
      toast(e.message, "error");
    }
  }

  // -- the day's bookings --

  async function loadBookings() {
    const name = `${safeFilename(cal.title)}-预约名单-${day.replaceAll("-", "")}`;
    const head = h("div.card-head", h("h2", `${day} 的预约`),
      h("div.head-actions",
        h("button.btn.btn-sm.btn-ghost", { type: "button",
          onclick: (e) => downloadFile(`/calendars/${id}/bookings?date=${day}&format=csv`, `${name}.csv`, e.currentTarget) },
        "导出 CSV"),
        h("button.btn.btn-sm.btn-ghost", { type: "button",
          onclick: (e) => downloadFile(`/calendars/${id}/bookings?date=${day}&format=xlsx`, `${name}.xlsx`, e.currentTarget) },
        "导出 Excel")));
    fill(bookingsCard, head, h("div.loading", "正在加载…"));
    let data;
    try {
      data = await api(`/calendars/${id}/bookings?${new URLSearchParams({ date: day, per_page: 100 })}`);
    } catch (e) {
      fill(bookingsCard, head, alertBox(e.message));
      return;
    }
    if (!alive) return;
    if (!data.items.length) {
      fill(bookingsCard, head, h("div.empty", h("p", "这一天还没有人预约。")));
      return;
    }
    // Only the topic column is optional; the actions column keeps its (empty) header cell.
    const cols = ["时间", "工号", "姓名", "部门", "手机", reception ? "想反映的问题" : null, "状态", ""].filter((t) => t !== null);
    fill(bookingsCard, head,
      h("div.table-wrap", h("table.table#bookings-table",
        h("thead", h("tr", cols.map((t) => h("th", t)))),
        h("tbody", data.items.map((b) => h("tr", { dataset: { bookingId: b.id, status: b.status } },
          h("td.nowrap", `${parts(b.starts_at).time}–${parts(b.ends_at).time}`),
          h("td.mono", b.employee_no), h("td.nowrap", b.name), h("td.nowrap", b.department || "—"),
          h("td.mono", b.phone_masked || "—"),
          reception ? h("td.topic", b.topic || "—") : null,
          h("td", h(`span.badge.badge-b-${b.status}`, b.status === "cancelled" && b.cancelled_by_staff
            ? "工会代取消" : BOOKING_STATUS[b.status])),
          h("td.actions", b.status === "booked"
            ? h("button.btn.btn-sm.btn-danger-ghost", { type: "button", onclick: () => cancelBooking(b) }, "代为取消")
            : null)))))),
      data.total > data.items.length ? h("p.hint", `仅显示前 ${data.items.length} 条，共 ${data.total} 条；完整名单请导出。`) : null);
  }

  async function cancelBooking(b) {
    const ok = await confirmDialog("代会员取消预约",
      `确定为 ${b.name}（${b.employee_no}）取消 ${fmtRange(b.starts_at, b.ends_at)} 的预约吗？\n系统会通知该会员，名额将重新开放。`,
      "确认取消预约");
    if (!ok) return;
    try {
      await api(`/bookings/${b.id}`, { method: "DELETE" });
      toast(`已为 ${b.name} 取消预约`);
      await Promise.all([loadSlots(), loadBookings()]);
    } catch (e) {
      toast(e.message, "error");
    }
  }

  await showDay(day);
  return () => { alive = false; };
}
