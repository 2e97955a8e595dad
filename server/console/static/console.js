// Staff web console: a small single-page app over /api/v1 (API.md). No build step, no dependencies.
import { $, ApiError, STAFF_ROLES, alertBox, api, fmtWait, busy, clearFieldErrors, confirmDialog, downloadFile, field, filenameFrom, fill, flash, fmtRange, fmtTime, h, localInputToIso, pager, parts, safeFilename, saveBlob, session, showFieldErrors, signOut, toast, newestOnly, audienceFields, intField } from "./core.js";
import { viewCalendar, viewCalendars, viewNewCalendar } from "./bookings.js";
import { viewNewNotice, viewNotice, viewNotices } from "./notices.js";
import { viewSuggestion, viewSuggestions } from "./suggestions.js";

const KINDS = {
  activity: "文体活动", training: "培训", health_check: "体检", lecture: "讲座",
  volunteer: "志愿服务", meeting: "会议", other: "其他",
};
const REG_STATUS = { confirmed: "已报名", waitlisted: "候补", cancelled: "已取消" };

function eventPhase(ev, now = Date.now()) {
  if (ev.status === "cancelled") return ["已取消", "muted"];
  if (now >= Date.parse(ev.ends_at)) return ["已结束", "muted"];
  if (now >= Date.parse(ev.starts_at)) return ["进行中", "live"];
  const closes = Date.parse(ev.signup_closes_at || ev.starts_at);
  const opens = ev.signup_opens_at ? Date.parse(ev.signup_opens_at) : -Infinity;
  if (now < opens) return ["未开始报名", "idle"];
  if (now < closes) return ["报名中", "open"];
  return ["报名截止", "idle"];
}

/** Over (ends_at passed): nothing left to cancel, and seats no longer matter. */
function eventEnded(ev, now = Date.now()) {
  return now >= Date.parse(ev.ends_at);
}

/** Whether the venue code is still worth showing: check-in closes checkin_closes_minutes_after the start. */
function checkinNotClosed(ev, now = Date.now()) {
  return ev.status === "published" &&
    now <= Date.parse(ev.starts_at) + (ev.checkin_closes_minutes_after ?? 0) * 60000;
}

function capacityText(ev) {
  return ev.capacity === null ? `${ev.confirmed_count} / 不限` : `${ev.confirmed_count} / ${ev.capacity}`;
}

// --- router ---------------------------------------------------------------------------------------

const routes = [
  [/^#\/login$/, viewLogin, { public: true }],
  [/^#\/events$/, viewEvents],
  [/^#\/events\/new$/, viewNewEvent],
  [/^#\/events\/(\d+)$/, viewEvent],
  [/^#\/events\/(\d+)\/screen$/, viewScreen, { bare: true }],
  [/^#\/events\/(\d+)\/scan$/, viewScan],
  [/^#\/notices$/, viewNotices],
  [/^#\/notices\/new$/, viewNewNotice],
  [/^#\/notices\/(\d+)$/, viewNotice],
  [/^#\/bookings$/, viewCalendars],
  [/^#\/bookings\/new$/, viewNewCalendar],
  [/^#\/bookings\/(\d+)(?:\/(\d{4}-\d{2}-\d{2}))?$/, viewCalendar],
  [/^#\/suggestions$/, viewSuggestions],
  [/^#\/suggestions\/([\w-]+)$/, viewSuggestion],
];

let cleanup = null;
let navigation = 0;

async function route() {
  const current = ++navigation;
  if (cleanup) { cleanup(); cleanup = null; }
  const hash = location.hash || "#/events";
  const match = routes.find(([re]) => re.test(hash));
  if (!match) { location.hash = "#/events"; return; }
  const [re, view, opts = {}] = match;
  if (!opts.public && !session.valid) {
    if (session.token) flash.signIn = "登录已过期，请重新登录";
    session.clear();
    location.hash = "#/login";
    return;
  }
  const signedIn = !opts.public && !opts.bare;
  $("#topbar").hidden = !signedIn;
  document.body.classList.toggle("bare", Boolean(opts.bare));
  if (signedIn) {
    $("#user-name").textContent = session.member?.name || "";
    const section = hash === "#/events/new" ? "new" : hash.startsWith("#/notices") ? "notices"
      : hash.startsWith("#/bookings") ? "bookings"
      : hash.startsWith("#/suggestions") ? "suggestions" : "events";
    for (const a of document.querySelectorAll("[data-nav]")) {
      a.classList.toggle("active", a.dataset.nav === section);
    }
  }
  // Each visit renders into its own box, so a slow answer for a page already left lands nowhere.
  const root = h("div.route");
  fill($("#view"), root);
  try {
    const done = (await view(root, ...hash.match(re).slice(1))) || null;
    if (current === navigation) cleanup = done;
    else done?.();
  } catch (e) {
    if (current === navigation && !(e instanceof ApiError && e.status === 401)) {
      fill(root, h("div.page", alertBox(e.message || "页面加载失败")));
      if (!(e instanceof ApiError)) console.error(e);
    }
  }
}

// --- sign-in --------------------------------------------------------------------------------------

function viewLogin(root) {
  const notice = flash.signIn;
  flash.signIn = "";
  const msg = h("div.form-message");
  if (notice) msg.append(alertBox(notice, "warn"));
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, "登录");
  const form = h("form.login-card", { novalidate: true, onsubmit: onSubmit },
    h("div.login-brand", h("span.brand-mark.brand-mark-lg", "同"),
      h("div", h("h1", document.body.dataset.unionName || "同心工会"), h("p.muted", "工会工作人员管理后台"))),
    msg,
    h("label.field", h("span", "工号"),
      h("input", { name: "employee_no", autocomplete: "username", required: true })),
    h("label.field", h("span", "密码"),
      h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    submit,
    h("p.hint", "仅限工会工作人员使用。忘记密码请联系系统管理员。"));
  root.append(h("div.login-wrap", form));
  form.elements.employee_no.focus();

  async function onSubmit(ev) {
    ev.preventDefault();
    const employee_no = form.elements.employee_no.value.trim();
    const password = form.elements.password.value;
    msg.replaceChildren();
    if (!employee_no || !password) {
      msg.append(alertBox("请输入工号和密码"));
      return;
    }
    busy(submit, true);
    try {
      const out = await api("/auth/password-login", { method: "POST", body: { employee_no, password } });
      if (!out.member || !out.member.roles.some((r) => STAFF_ROLES.includes(r))) {
        // The API would refuse every staff call anyway; say so up front instead of failing later.
        msg.append(alertBox("该账号没有管理后台权限。管理后台仅限工会工作人员使用，如需开通请联系工会管理员。"));
        return;
      }
      session.save(out);
      location.hash = "#/events";
    } catch (e) {
      // Throttled (too many attempts for this account or from this network): say how long to wait.
      const wait = e.code === "rate_limited" && Number(e.details.retry_after);
      msg.append(alertBox(wait ? `登录尝试次数过多，为保护账号安全已暂停登录，请 ${fmtWait(wait)}后再试` : e.message));
    } finally {
      busy(submit, false);
    }
  }
}

// --- events list ----------------------------------------------------------------------------------

async function viewEvents(root) {
  let page = 1;
  const perPage = 20;
  const body = h("div.card");
  root.append(h("div.page",
    h("div.page-head", h("div", h("h1", "活动管理"), h("p.muted", "全部活动，按开始时间排列（北京时间）")),
      h("a.btn.btn-primary", { href: "#/events/new" }, "＋ 新建活动")),
    body));

  const fetchList = newestOnly(api);
  async function load() {
    fill(body, h("div.loading", "正在加载…"));
    const data = await fetchList(`/events?page=${page}&per_page=${perPage}`);
    if (!data) return;  // a newer page took over
    if (!data.items.length) {
      fill(body, h("div.empty", h("p", "还没有活动。"), h("a.btn.btn-primary", { href: "#/events/new" }, "新建第一个活动")));
      return;
    }
    const rows = data.items.map((ev) => {
      const [phase, tone] = eventPhase(ev);
      return h("tr", { dataset: { eventId: ev.id } },
        h("td", h("a.event-link", { href: `#/events/${ev.id}` }, ev.title),
          h("div.sub", `${KINDS[ev.kind] || ev.kind} · ${ev.location}`)),
        h("td.nowrap", fmtRange(ev.starts_at, ev.ends_at)),
        h("td", h(`span.badge.badge-${tone}`, phase)),
        h("td.num", { dataset: { col: "confirmed" } }, capacityText(ev)),
        h("td.num", { dataset: { col: "waitlist" } }, ev.waitlist ? String(ev.waitlist_count) : "—"),
        h("td.actions", h("a.btn.btn-sm.btn-ghost", { href: `#/events/${ev.id}` }, "管理"),
          checkinNotClosed(ev) ? h("a.btn.btn-sm.btn-ghost", { href: `#/events/${ev.id}/screen` }, "签到码") : null));
    });
    const pages = Math.max(1, Math.ceil(data.total / perPage));
    fill(body, 
      h("table.table#events-table",
        h("thead", h("tr", h("th", "活动"), h("th", "时间"), h("th", "状态"), h("th.num", "报名 / 名额"),
          h("th.num", "候补"), h("th", ""))),
        h("tbody", rows)),
      pager(page, pages, data.total, (p) => { page = p; load(); }));
  }
  await load();
}

// --- create event ---------------------------------------------------------------------------------

function viewNewEvent(root) {
  const kind = h("select", Object.entries(KINDS).map(([v, t]) => h("option", { value: v }, t)));
  const msg = h("div.form-message");
  const submit = h("button.btn.btn-primary", { type: "submit" }, "发布活动");
  const form = h("form.card.form#event-form", { novalidate: true, onsubmit: onSubmit },
    msg,
    h("fieldset", h("legend", "基本信息"),
      h("div.grid-2",
        field("title", "活动名称", h("input", { maxlength: 100 }), "", true),
        field("kind", "类型", kind, "", true)),
      field("location", "地点", h("input", { maxlength: 200 }), "", true),
      field("description", "活动介绍", h("textarea", { rows: 4, maxlength: 5000 }))),
    h("fieldset", h("legend", "时间（北京时间）"),
      h("div.grid-2",
        field("starts_at", "开始时间", h("input", { type: "datetime-local" }), "", true),
        field("ends_at", "结束时间", h("input", { type: "datetime-local" }), "", true),
        field("signup_opens_at", "报名开始", h("input", { type: "datetime-local" }), "留空表示发布后即可报名"),
        field("signup_closes_at", "报名截止", h("input", { type: "datetime-local" }), "留空表示活动开始时截止"))),
    h("fieldset", h("legend", "名额与签到"),
      h("div.grid-2",
        field("capacity", "名额", h("input", { type: "number", min: 0, step: 1, inputmode: "numeric" }), "留空表示不限名额"),
        h("div.field.checks",
          h("label.check", h("input", { type: "checkbox", name: "waitlist", checked: true }), "名额满后允许候补"),
          h("label.check", h("input", { type: "checkbox", name: "walk_in" }), "允许未报名者现场签到"),
          h("small.field-error", { dataset: { errorFor: "waitlist" } }),
          h("small.field-error", { dataset: { errorFor: "walk_in" } })),
        field("checkin_opens_minutes_before", "开始前多少分钟可签到", h("input", { type: "number", min: 0, value: 60 })),
        field("checkin_closes_minutes_after", "开始后多少分钟停止签到", h("input", { type: "number", min: 0, value: 120 })))),
    h("fieldset", h("legend", "面向人群"),
      h("p.hint", "都留空表示面向全体会员。多个名称用逗号分隔，须与会员名册中的名称一致。"),
      field("audience.departments", "部门", h("input", { placeholder: "例如：生产一部，质检部" })),
      field("audience.grids", "网格", h("input", { placeholder: "例如：第一网格" })),
      field("audience.tags", "标签", h("input", { placeholder: "例如：青年，女职工" }))),
    h("div.form-actions", h("a.btn.btn-ghost", { href: "#/events" }, "取消"), submit));
  root.append(h("div.page.page-narrow",
    h("div.page-head", h("div", h("h1", "新建活动"), h("p.muted", "发布后会员即可在小程序中看到并报名"))),
    form));


  async function onSubmit(ev) {
    ev.preventDefault();
    const f = form.elements;
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
    clearFieldErrors(form, msg);
    busy(submit, true);
    try {
      const created = await api("/events", { method: "POST", body });
      toast(`已发布活动「${created.title}」`);
      location.hash = "#/events";
    } catch (e) {
      showFieldErrors(form, msg, e);
    } finally {
      busy(submit, false);
    }
  }
}

// --- one event ------------------------------------------------------------------------------------

async function viewEvent(root, id) {
  let ev = await api(`/events/${id}`);
  const head = h("div.page-head");
  const info = h("div.card");
  const capCard = h("div.card");
  const stats = h("div.card#stats");
  const roster = h("div.card#roster");
  root.append(h("div.page", h("a.back", { href: "#/events" }, "‹ 返回活动列表"), head,
    h("div.event-grid", info, h("div.side", capCard, stats)), roster));

  function renderHead() {
    const [phase, tone] = eventPhase(ev);
    const live = ev.status === "published";
    // The scan page stays after the end too: scans made offline may still wait there to be synced.
    fill(head, 
      h("div", h("h1#event-title", ev.title, " ", h(`span.badge.badge-${tone}`, phase)),
        h("p.muted", `${KINDS[ev.kind] || ev.kind} · ${fmtRange(ev.starts_at, ev.ends_at)} · ${ev.location}`)),
      h("div.head-actions",
        live ? posterMenu() : null,
        live ? h("a.btn#open-scan", { href: `#/events/${id}/scan` }, "扫描电子票") : null,
        checkinNotClosed(ev) ? h("a.btn.btn-primary#open-screen", { href: `#/events/${id}/screen` }, "现场签到码") : null,
        live && !eventEnded(ev)
          ? h("button.btn.btn-danger-ghost#cancel-event", { type: "button", onclick: onCancel }, "取消活动") : null));
  }

  function posterMenu() {
    const menu = h("details.menu#event-poster");
    const get = (format) => (e) => {
      menu.open = false;
      downloadFile(`/events/${id}/poster?format=${format}`, `${safeFilename(ev.title)}-海报.${format}`, e.currentTarget);
    };
    // A click anywhere else closes it, as a drop-down should.
    const outside = (e) => { if (!menu.contains(e.target)) menu.open = false; };
    menu.addEventListener("toggle", () => {
      if (menu.open) document.addEventListener("click", outside);
      else document.removeEventListener("click", outside);
    });
    menu.append(h("summary.btn", "打印海报"),
      h("div.menu-list",
        h("button.menu-item", { type: "button", onclick: get("pdf") }, "下载 PDF（A4 打印）"),
        h("button.menu-item", { type: "button", onclick: get("png") }, "下载 PNG 图片")));
    return menu;
  }

  function renderInfo() {
    const aud = ev.audience;
    const audText = [["部门", aud.departments], ["网格", aud.grids], ["标签", aud.tags]]
      .filter(([, v]) => v.length).map(([k, v]) => `${k}：${v.join("、")}`).join("；") || "全体会员";
    const row = (k, v) => [h("dt", k), h("dd", v)];
    fill(info, h("h2", "活动信息"),
      ev.status === "cancelled" ? alertBox("该活动已取消，会员不能再报名或签到。", "warn") : null,
      h("dl.details",
        row("时间", fmtRange(ev.starts_at, ev.ends_at)),
        row("地点", ev.location),
        row("类型", KINDS[ev.kind] || ev.kind),
        row("报名时间", `${ev.signup_opens_at ? fmtTime(ev.signup_opens_at) : "发布后"} 至 ` +
          fmtTime(ev.signup_closes_at || ev.starts_at)),
        row("面向人群", audText),
        row("候补", ev.waitlist ? "名额满后可候补" : "不设候补"),
        row("现场签到", `开始前 ${ev.checkin_opens_minutes_before} 分钟至开始后 ${ev.checkin_closes_minutes_after} 分钟` +
          (ev.walk_in ? "，允许未报名者签到" : "")),
        row("介绍", ev.description || "—")));
  }

  function renderCapacity() {
    const input = h("input#capacity-input", { type: "number", min: 0, step: 1, name: "capacity",
      value: ev.capacity ?? "", placeholder: "不限" });
    const msg = h("div.form-message");
    const save = h("button.btn.btn-primary#capacity-save", { type: "submit" }, "保存");
    const editable = ev.status === "published" && !eventEnded(ev);
    fill(capCard, h("h2", "名额"),
      h("div.kpis",
        h("div.kpi", h("b#confirmed-count", String(ev.confirmed_count)), h("span", "已报名")),
        h("div.kpi", h("b", ev.capacity === null ? "不限" : String(ev.capacity)), h("span", "名额")),
        h("div.kpi", h("b#waitlist-count", String(ev.waitlist_count)), h("span", "候补"))),
      editable ? h("form.inline-form#capacity-form", { novalidate: true, onsubmit: onSave },
        h("label", { for: "capacity-input" }, "修改名额"), input, save) : null,
      editable ? h("small.hint", "增加名额后，候补会员按先后顺序自动转为报名成功。留空表示不限。") : null,
      msg);

    async function onSave(e) {
      e.preventDefault();
      const raw = input.value.trim();
      const capacity = raw === "" ? null : /^\d+$/.test(raw) ? Number(raw) : raw;
      msg.replaceChildren();
      busy(save, true);
      try {
        const before = ev.waitlist_count;
        ev = await api(`/events/${id}`, { method: "PATCH", body: { capacity } });
        const promoted = before - ev.waitlist_count;
        toast(promoted > 0 ? `名额已更新，${promoted} 名候补会员已转为报名成功` : "名额已更新");
        renderAll();
        loadStats();
        loadRoster();
      } catch (err) {
        msg.append(alertBox(err.details?.fields?.capacity || err.message));
      } finally {
        busy(save, false);
      }
    }
  }

  async function loadStats() {
    fill(stats, h("h2", "签到统计"), h("div.loading", "正在加载…"));
    try {
      const s = await api(`/events/${id}/checkins/stats`);
      fill(stats, h("h2", "签到统计"),
        h("div.kpis",
          h("div.kpi", h("b#stat-checked-in", String(s.checked_in)), h("span", "已签到")),
          h("div.kpi", h("b#stat-registered", String(s.registered)), h("span", "已报名")),
          h("div.kpi", h("b", String(s.walk_ins)), h("span", "现场加入"))),
        h("div.progress", h("span")));
      const pct = s.registered ? Math.min(100, (100 * s.checked_in) / s.registered) : 0;
      stats.querySelector(".progress span").style.width = `${pct}%`;
    } catch (e) {
      fill(stats, h("h2", "签到统计"), alertBox(e.message));
    }
  }

  let rosterPage = 1;
  let rosterStatus = "";
  async function loadRoster() {
    const perPage = 50;
    const onFilter = (e) => { rosterStatus = e.target.value; rosterPage = 1; loadRoster(); };
    const filter = h("select#roster-status", { onchange: onFilter, "aria-label": "按状态筛选" },
      h("option", { value: "" }, "全部状态"),
      Object.entries(REG_STATUS).map(([v, t]) => h("option", { value: v, selected: v === rosterStatus }, t)));
    const headRow = h("div.card-head", h("h2", "报名名单"),
      h("div.head-actions", filter,
        h("button.btn.btn-sm.btn-ghost", { type: "button", onclick: (e) => download("csv", e.target) }, "导出 CSV"),
        h("button.btn.btn-sm.btn-ghost", { type: "button", onclick: (e) => download("xlsx", e.target) }, "导出 Excel")));
    fill(roster, headRow, h("div.loading", "正在加载…"));
    try {
      const q = new URLSearchParams({ page: rosterPage, per_page: perPage });
      if (rosterStatus) q.set("status", rosterStatus);
      const data = await api(`/events/${id}/registrations?${q}`);
      if (!data.items.length) {
        fill(roster, headRow, h("div.empty", h("p", rosterStatus ? "没有符合条件的报名。" : "还没有人报名。")));
        return;
      }
      const pages = Math.max(1, Math.ceil(data.total / perPage));
      fill(roster, headRow,
        h("div.table-wrap", h("table.table#roster-table",
          h("thead", h("tr", ["工号", "姓名", "部门", "网格", "手机", "状态", "报名时间", "签到时间"].map((t) => h("th", t)))),
          h("tbody", data.items.map((r) => h("tr", { dataset: { employeeNo: r.employee_no } },
            h("td.mono", r.employee_no), h("td", r.name), h("td", r.department || "—"), h("td", r.grid || "—"),
            h("td.mono", r.phone_masked || "—"),
            h("td", h(`span.badge.badge-reg-${r.status}`, { dataset: { status: r.status } },
              r.status === "waitlisted" && r.waitlist_position
                ? `候补第 ${r.waitlist_position} 位` : REG_STATUS[r.status])),
            h("td.nowrap", fmtTime(r.created_at)),
            h("td.nowrap", r.checked_in_at ? fmtTime(r.checked_in_at) : "—")))))),
        pager(rosterPage, pages, data.total, (p) => { rosterPage = p; loadRoster(); }));
    } catch (e) {
      fill(roster, headRow, alertBox(e.message));
    }
  }

  async function download(format, button) {
    busy(button, true);
    try {
      const resp = await api(`/events/${id}/registrations?format=${format}`, { raw: true });
      const blob = await resp.blob();
      saveBlob(blob, filenameFrom(resp.headers.get("Content-Disposition")) || `报名名单-${id}.${format}`);
    } catch (e) {
      toast(e.message, "error");
    } finally {
      busy(button, false);
    }
  }

  async function onCancel() {
    const ok = await confirmDialog("取消活动", `确定取消「${ev.title}」吗？已报名的会员将收到取消通知，此操作不能撤销。`, "确认取消活动");
    if (!ok) return;
    try {
      ev = await api(`/events/${id}/cancel`, { method: "POST" });
      toast("活动已取消");
      renderAll();
    } catch (e) {
      toast(e.message, "error");
    }
  }

  function renderAll() { renderHead(); renderInfo(); renderCapacity(); }
  renderAll();
  await Promise.all([loadStats(), loadRoster()]);
}

// --- venue check-in screen ------------------------------------------------------------------------

async function viewScreen(root, id) {
  const ev = await api(`/events/${id}`);
  const img = h("img#qr", { alt: "签到二维码" });
  const status = h("div.screen-status");
  const countdown = h("span#countdown", "—");
  const bar = h("span");
  const checked = h("b#screen-checked-in", "—");
  const registered = h("b#screen-registered", "—");
  const clock = h("div.screen-clock");
  const fullscreenBtn = h("button.btn.btn-sm.screen-btn", { type: "button", onclick: toggleFullscreen }, "全屏显示");
  const frame = h("div.qr-frame", img, status);
  const hint = h("p.qr-hint", "请打开微信「同心」小程序，点击「扫码签到」");
  const timer = h("div.qr-timer", h("div.timer-bar", bar), h("div.timer-text", countdown, " 秒后刷新二维码"));
  root.append(h("div.screen",
    h("div.screen-tools",
      h("a.btn.btn-sm.screen-btn", { href: `#/events/${id}` }, "‹ 返回"), fullscreenBtn),
    h("div.screen-main",
      h("div.screen-info",
        h("div.screen-kicker", `${document.body.dataset.unionName || "同心工会"} · 现场签到`),
        h("h1#screen-title", ev.title),
        h("p.screen-meta", `${fmtRange(ev.starts_at, ev.ends_at)}`),
        h("p.screen-meta", ev.location),
        h("div.screen-count",
          h("div.count-label", "已签到 / 已报名"),
          h("div.count-value", checked, h("span.count-sep", "/"), registered)),
        clock),
      h("div.screen-qr",
        frame,
        hint,
        timer))));

  let alive = true;
  let refreshAt = 0;
  let periodMs = 30000;
  let objectUrl = null;
  const timers = [];
  let wakeLock = null;

  async function refreshCode() {
    if (!alive) return;
    let delay;
    try {
      const code = await api(`/events/${id}/checkin-code`);
      periodMs = (code.period_seconds || 30) * 1000;
      if (code.checkin_open === false) {
        // Every scan outside the window is refused (409 checkin_closed): show no code at all, and
        // keep polling so the code appears by itself once check-in opens.
        if (!alive) return;
        // Before or after? Judged by the server's clock (valid_until lies 1–2 periods after its now),
        // not this laptop's; the window's midpoint keeps that estimate's slack harmless.
        const serverNow = Date.parse(code.valid_until) - 1.5 * periodMs;
        const middle = (Date.parse(code.checkin_opens_at) + Date.parse(code.checkin_closes_at)) / 2;
        showClosed(serverNow < middle, code);
      } else {
        const resp = await api(`/events/${id}/checkin-code?format=png`, { raw: true });
        const blob = await resp.blob();
        if (!alive) return;
        const url = URL.createObjectURL(blob);
        img.onload = () => { if (objectUrl && objectUrl !== url) URL.revokeObjectURL(objectUrl); objectUrl = url; };
        img.src = url;
        img.dataset.token = code.token;
        fill(status, );
        showCode();
      }
      // valid_until falls on a period boundary: fetch the new code just after the next boundary, so
      // the code on screen is always the newest and a late scan still has a full period to be sent.
      // Taken modulo one period, a wrong clock on this laptop only shifts the phase.
      const left = ((Date.parse(code.valid_until) - Date.now()) % periodMs + periodMs) % periodMs;
      delay = Math.min(Math.max(left, 1000), periodMs) + 300;
    } catch (e) {
      if (e.status === 401) return;
      fill(status, h("div.qr-error", e.status === 0 ? "网络异常，正在重试…" : e.message));
      delay = 5000;
    }
    refreshAt = Date.now() + delay;
    timers.push(setTimeout(refreshCode, delay));
  }

  function showCode() {
    if (img.parentNode !== frame) fill(frame, img, status);
    hint.hidden = timer.hidden = false;
  }

  function showClosed(notYet, code) {
    fill(status, );
    fill(frame, notYet
      ? h("div#qr-closed.qr-closed", h("div.qr-closed-title", "签到尚未开始"),
        h("div.qr-closed-sub", `北京时间 ${fmtTime(code.checkin_opens_at)} 开始签到`))
      : h("div#qr-closed.qr-closed", h("div.qr-closed-title", "签到已结束"),
        h("div.qr-closed-sub", `签到已于北京时间 ${fmtTime(code.checkin_closes_at)} 截止`)), status);
    hint.hidden = timer.hidden = true;
  }

  async function refreshStats() {
    try {
      const s = await api(`/events/${id}/checkins/stats`);
      checked.textContent = String(s.checked_in);
      registered.textContent = String(s.registered);
    } catch { /* keep the last numbers on screen; the next poll retries */ }
  }

  function tick() {
    const left = Math.max(0, refreshAt - Date.now());
    countdown.textContent = refreshAt ? String(Math.ceil(left / 1000)) : "—";
    bar.style.width = refreshAt ? `${Math.min(100, (100 * left) / periodMs)}%` : "0";
    const p = parts(new Date().toISOString());
    clock.textContent = `北京时间 ${p.date} ${p.time}`;
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen?.().catch(() => toast("浏览器不允许全屏，请按 F11", "error"));
  }
  const onFs = () => { fullscreenBtn.textContent = document.fullscreenElement ? "退出全屏" : "全屏显示"; };
  document.addEventListener("fullscreenchange", onFs);

  // Keep a projector laptop from dimming while the code is on screen (where the browser allows it).
  navigator.wakeLock?.request("screen").then((l) => { wakeLock = l; }).catch(() => {});

  timers.push(setInterval(refreshStats, 5000), setInterval(tick, 250));
  await Promise.all([refreshCode(), refreshStats()]);
  tick();

  return () => {
    alive = false;
    timers.forEach((t) => { clearTimeout(t); clearInterval(t); });
    document.removeEventListener("fullscreenchange", onFs);
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    wakeLock?.release().catch(() => {});
    if (objectUrl) URL.revokeObjectURL(objectUrl);
  };
}

// --- ticket scanning ------------------------------------------------------------------------------

// As server/events/checkin.py reads tickets: t1.{event_id}.{registration_id}.{member_id}.{signature}.
const TICKET = /^(t1\.(\d{1,12})\.(\d{1,12})\.(\d{1,12}))\.([A-Za-z0-9_-]{86})$/;

function fromB64url(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function toB64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The event's ticket key as a WebCrypto key: fetched when online and kept in localStorage, so tickets
 * can still be checked at the door once the network is gone. Resolves to {key} or {reason} (no key). */
async function ticketVerifier(id) {
  const name = `console.checkin-key.${id}`;
  let stored = null;
  try { stored = JSON.parse(localStorage.getItem(name) || "null"); } catch { /* unreadable: fetch again */ }
  try {
    const k = await api(`/events/${id}/checkin-key`);
    if (k.algorithm === "Ed25519" && String(k.event_id) === String(id)) {
      stored = { event_id: k.event_id, algorithm: k.algorithm, public_key: k.public_key };
      localStorage.setItem(name, JSON.stringify(stored));
    }
  } catch { /* offline or refused: the copy saved on an earlier visit still serves */ }
  if (!stored?.public_key || String(stored.event_id) !== String(id)) return { reason: "nokey" };
  if (!globalThis.crypto?.subtle) return { reason: "unsupported" };  // e.g. a page not served over HTTPS
  try {
    const key = await crypto.subtle.importKey("raw", fromB64url(stored.public_key), { name: "Ed25519" }, false, ["verify"]);
    return { key };
  } catch {
    return { reason: "unsupported" };
  }
}

/** Check a ticket in the browser: "ok", "unchecked" (cannot tell here) or the reason it is refused. */
async function checkTicket(verifier, id, ticket) {
  const m = TICKET.exec(ticket);
  if (!m) return { error: "电子票无效" };
  if (Number(m[2]) !== Number(id)) return { error: "该电子票不属于本活动" };
  if (!verifier.key) return { status: "unchecked" };
  const sig = fromB64url(m[5]);
  // Only the canonical encoding counts, as on the server: one signature makes one ticket string.
  if (toB64url(sig) !== m[5]) return { error: "电子票无效" };
  try {
    const ok = await crypto.subtle.verify("Ed25519", verifier.key, sig, new TextEncoder().encode(m[1]));
    return ok ? { status: "ok" } : { error: "电子票无效" };
  } catch {
    return { status: "unchecked" };  // never turn a member away for a browser fault; the sync decides
  }
}

/** Staff scan a member's signed ticket (a handheld scanner types it and presses Enter, or it is pasted).
 * Scans made while the network is down are verified here with the event's key, kept on this browser with
 * their time and synced later. */
async function viewScan(root, id) {
  const verifying = ticketVerifier(id);
  const ev = await api(`/events/${id}`);
  const key = `console.scan-queue.${id}`;
  const queued = () => { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch { return []; } };
  const input = h("input#ticket-input", { autocomplete: "off", "aria-label": "电子票",
    placeholder: "用扫码枪扫描会员的电子票，或粘贴电子票内容后按回车" });
  const submit = h("button.btn.btn-primary", { type: "submit" }, "签到");
  const results = h("ol.scan-results#scan-results");
  const pending = h("div#scan-pending");
  const offlineNote = h("p.hint#scan-offline-mode", "正在准备离线验票…");
  root.append(h("div.page.page-narrow",
    h("a.back", { href: `#/events/${id}` }, "‹ 返回活动"),
    h("div.page-head", h("div", h("h1", "扫描电子票"), h("p.muted", `${ev.title} · ${fmtRange(ev.starts_at, ev.ends_at)}`))),
    h("form.card.inline-form#scan-form", { novalidate: true, onsubmit: onScan }, input, submit),
    offlineNote,
    pending,
    h("div.card", h("h2", "本次扫描"), results)));
  input.focus();
  renderPending();
  verifying.then((v) => {
    offlineNote.dataset.mode = v.key ? "verify" : v.reason;
    offlineNote.textContent = v.key ? "断网时也能当场验票：伪造或其他活动的电子票会被直接拒绝。"
      : v.reason === "nokey" ? "未能获取本活动的验票公钥：断网时扫描的电子票先记录下来，联网同步时再核验。"
        : "此浏览器不支持离线验票：断网时扫描的电子票先记录下来，联网同步时再核验。";
  });

  function show(kind, text) {
    results.prepend(h(`li.scan-${kind}`, h("span.muted", `${parts(new Date().toISOString()).time} `), text));
  }

  function renderPending() {
    const items = queued();
    fill(pending, items.length ? h("div.card", alertBox(`有 ${items.length} 条离线扫描尚未同步。`, "warn"),
      h("button.btn.btn-primary#scan-sync", { type: "button", onclick: sync }, "立即同步")) : null);
  }

  async function onScan(e) {
    e.preventDefault();
    const ticket = input.value.trim();
    input.value = "";
    input.focus();
    if (!ticket) return;
    try {
      const out = await api(`/events/${id}/checkins`, { method: "POST", body: { ticket } });
      // 201 and 200 answer alike; a repeat scan shows the first check-in's time.
      show("ok", `${out.name || `会员 ${out.member_id}`} 签到成功（${fmtTime(out.checked_in_at)}）`);
    } catch (err) {
      if (err.status === 0) await scanOffline(ticket);
      else if (err.status !== 401) show("error", err.message);
    }
  }

  async function scanOffline(ticket) {
    const checked = await checkTicket(await verifying, id, ticket);
    if (checked.error) {
      show("error", `${checked.error}（离线验票，未记录）`);
      return;
    }
    const earlier = queued().find((item) => item.ticket === ticket);
    if (earlier) {
      show("warn", `该电子票已离线记录（${fmtTime(earlier.scanned_at)}），无需重复扫描`);
      return;
    }
    localStorage.setItem(key, JSON.stringify([...queued(), { ticket, scanned_at: new Date().toISOString() }]));
    show("warn", checked.status === "ok" ? "电子票有效，已离线记录，联网后同步（恢复网络后请点击「立即同步」）"
      : "网络异常，已离线记录，未能当场验票，联网同步时核验（恢复网络后请点击「立即同步」）");
    renderPending();
  }

  async function sync(e) {
    const items = queued();
    if (!items.length) return;
    busy(e.currentTarget, true);
    try {
      const out = await api(`/events/${id}/checkins/batch`, { method: "POST", body: { items } });
      const failed = out.items.filter((r) => r.status === "error");
      localStorage.removeItem(key);
      toast(`已同步 ${items.length - failed.length} 条离线扫描`);
      for (const r of failed) show("error", `离线扫描第 ${r.index + 1} 条：${r.error?.message || "签到失败"}`);
    } catch (err) {
      toast(err.message, "error");
    }
    renderPending();
  }
}

// --- start ----------------------------------------------------------------------------------------

$("#sign-out").addEventListener("click", () => signOut("您已退出登录"));
window.addEventListener("hashchange", route);
route();
