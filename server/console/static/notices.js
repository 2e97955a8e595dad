// Notices (API.md "Notices"): write one, send it over SMS, mini-program push and a printed poster,
// then follow every recipient's delivery per channel.
import { alertBox, api, busy, clearFieldErrors, confirmDialog, downloadFile, field, fill, fmtTime, h, localInputToIso, pager, safeFilename, showFieldErrors, toast, newestOnly } from "./core.js";

// In the order the form offers them.
const CHANNELS = { sms: "短信", push: "小程序推送", poster: "海报" };
const STATUS = {
  draft: ["草稿", "muted"], scheduled: ["已排期", "idle"], sending: ["发送中", "live"], sent: ["已发送", "open"],
};
const DELIVERY_STATUS = {
  sent: "已发送", queued: "待发送", failed: "发送失败", skipped: "未发送",
  sending: "发送中", unknown: "状态未知", duplicate: "重复",
};
// Rare states (a call in flight, or what a crashed worker left: docs/delivery.md) are listed only when
// present; they borrow the colours of the existing badges.
const RARE_STATUS = new Set(["sending", "unknown", "duplicate"]);
const RARE_TONE = { sending: "badge-live", unknown: "badge-idle", duplicate: "badge-d-failed" };
const RARE_COLOR = { sending: "#93c5fd", unknown: "#f59e0b", duplicate: "#b91c1c" };
const BODY_MAX = 5000;
const REFRESH_MS = 3000;
const EMPTY_AUDIENCE = "没有符合条件的会员，通知未发送";

function statusBadge(status) {
  const [text, tone] = STATUS[status] || [status, "muted"];
  return h(`span.badge.badge-${tone}.notice-status`, { dataset: { status } }, text);
}

function channelText(channels) {
  return Object.keys(CHANNELS).filter((c) => channels.includes(c)).map((c) => CHANNELS[c]).join("、");
}

function channelChips(channels) {
  return h("span.chips", Object.keys(CHANNELS).filter((c) => channels.includes(c))
    .map((c) => h(`span.chip.chip-${c}`, CHANNELS[c])));
}

/** "部门：质检部；活动报名者：…" — any listed group receives the notice. */
function audienceText(a, eventTitle = null) {
  if (a.all) return "全体会员";
  const groups = [["部门", a.departments], ["网格", a.grids], ["标签", a.tags]]
    .filter(([, v]) => v?.length).map(([k, v]) => `${k}：${v.join("、")}`);
  if (a.member_ids?.length) groups.push(`指定会员 ${a.member_ids.length} 人`);
  if (a.event_id != null) groups.push(`活动报名者：${eventTitle || `活动 #${a.event_id}`}`);
  return groups.join("；") || "指定会员";
}

function sendTimeText(n) {
  if (n.status === "sent") return fmtTime(n.sent_at);
  if (n.status === "sending") return "发送中…";
  return n.send_at ? `计划 ${fmtTime(n.send_at)}` : "—";
}

/** "no consent: 会员未绑定微信小程序" → the Chinese part; a provider's own error stays whole. */
function reason(lastError) {
  if (!lastError) return "";
  const m = lastError.match(/^[a-z][a-z _]*:\s*(.+)$/);
  return m ? m[1] : lastError;
}

const isFuture = (iso) => Boolean(iso) && Date.parse(iso) > Date.now();

// --- list -----------------------------------------------------------------------------------------

export async function viewNotices(root) {
  let page = 1;
  let status = "";
  const perPage = 20;
  const body = h("div.card");
  const onFilter = (e) => { status = e.target.value; page = 1; load(); };
  const filter = h("select.select-sm#notice-filter", { onchange: onFilter, "aria-label": "按状态筛选" },
    h("option", { value: "" }, "全部状态"),
    Object.entries(STATUS).map(([v, [t]]) => h("option", { value: v }, t)));
  root.append(h("div.page",
    h("div.page-head",
      h("div", h("h1", "通知"), h("p.muted", "短信、小程序推送和海报三个渠道，一次发给会员（北京时间）")),
      h("div.head-actions", filter, h("a.btn.btn-primary", { href: "#/notices/new" }, "＋ 新建通知"))),
    body));

  const fetchList = newestOnly(api);
  async function load() {
    fill(body, h("div.loading", "正在加载…"));
    const q = new URLSearchParams({ page, per_page: perPage });
    if (status) q.set("status", status);
    const data = await fetchList(`/notices?${q}`);
    if (!data) return;  // a newer filter took over
    if (!data.items.length) {
      fill(body, h("div.empty", status ? h("p", "没有该状态的通知。")
        : [h("p", "还没有通知。"), h("a.btn.btn-primary", { href: "#/notices/new" }, "写第一条通知")]));
      return;
    }
    const pages = Math.max(1, Math.ceil(data.total / perPage));
    fill(body,
      h("div.table-wrap", h("table.table#notices-table",
        h("thead", h("tr", h("th", "通知"), h("th", "渠道"), h("th", "状态"), h("th", "创建时间"), h("th", "发送时间"),
          h("th", ""))),
        h("tbody", data.items.map((n) => h("tr", { dataset: { noticeId: n.id } },
          h("td", h("a.event-link", { href: `#/notices/${n.id}` }, n.title), h("div.sub", audienceText(n.audience))),
          h("td", channelChips(n.channels)),
          h("td", statusBadge(n.status)),
          h("td.nowrap", fmtTime(n.created_at)),
          h("td.nowrap", { dataset: { col: "sent" } }, sendTimeText(n)),
          h("td.actions", h("a.btn.btn-sm.btn-ghost", { href: `#/notices/${n.id}` },
            n.status === "draft" ? "查看并发送" : "查看"))))))),
      pager(page, pages, data.total, (p) => { page = p; load(); }));
  }
  await load();
}

// --- compose --------------------------------------------------------------------------------------

export async function viewNewNotice(root) {
  const msg = h("div.form-message");
  const submit = h("button.btn.btn-primary", { type: "submit" }, "保存草稿");
  const bodyInput = h("textarea", { rows: 8, oninput: count });
  const counter = h("span#body-count");
  const channelBoxes = Object.entries(CHANNELS).map(([value, label]) =>
    h("label.check", h("input", { type: "checkbox", name: "channels", value, checked: value === "push", onchange: sync }),
      label));
  const fallback = h("input#f-sms_fallback", { type: "checkbox", name: "sms_fallback", checked: true });
  const fallbackHint = h("small.hint");
  const mode = (value, label) => h("label.check",
    h("input", { type: "radio", name: "audience_mode", value, checked: value === "all", onchange: sync }), label);
  const eventSelect = h("select", h("option", { value: "" }, "不按活动选择"));
  const eventHint = h("small.hint", "选择后，该活动已报名和候补的会员都会收到");
  const some = h("div.audience-some",
    h("p.hint", "以下条件满足任意一项的会员都会收到。多个名称用逗号分隔，须与会员名册中的名称一致。"),
    h("div.grid-2",
      field("audience.departments", "部门", h("input", { placeholder: "例如：生产一部，质检部" })),
      field("audience.grids", "网格", h("input", { placeholder: "例如：第一网格" })),
      field("audience.tags", "标签", h("input", { placeholder: "例如：青年，女职工" })),
      field("audience.member_ids", "会员 ID", h("input", { placeholder: "例如：12，35", inputmode: "numeric" }))),
    field("audience.event_id", "活动报名者", eventSelect));
  eventSelect.after(eventHint);

  const form = h("form.card.form#notice-form", { novalidate: true, onsubmit: onSubmit },
    msg,
    h("fieldset", h("legend", "内容"),
      field("title", "标题", h("input", { maxlength: 100 }), "短信和小程序推送的字数有限，过长的标题会被截短；全文在小程序中阅读。", true),
      field("body", "正文", bodyInput, "", true)),
    h("fieldset", h("legend", "发送渠道"),
      h("div.field", { dataset: { field: "channels" } },
        h("div.check-row", channelBoxes),
        h("small.hint", "海报不会自动发出：发送后可在通知页下载 PNG 或 PDF 打印张贴，海报上的二维码可打开通知全文。"),
        h("small.field-error", { dataset: { errorFor: "channels" } })),
      h("div.field", { dataset: { field: "sms_fallback" } },
        h("label.check", fallback, "未授权推送的会员改发短信"),
        fallbackHint,
        h("small.field-error", { dataset: { errorFor: "sms_fallback" } }))),
    h("fieldset", h("legend", "通知对象"),
      h("div.field", { dataset: { field: "audience" } },
        h("div.check-row", mode("all", "全体会员"), mode("some", "指定对象")),
        h("small.field-error", { dataset: { errorFor: "audience" } })),
      some),
    h("fieldset", h("legend", "发送时间（北京时间）"),
      h("div.grid-2",
        field("send_at", "定时发送", h("input", { type: "datetime-local" }),
          "留空表示点击「发送」后立即发出；填写后到时自动发出。"))),
    h("div.form-actions", h("a.btn.btn-ghost", { href: "#/notices" }, "取消"), submit));
  bodyInput.after(h("div.counter", counter));
  root.append(h("div.page.page-narrow",
    h("a.back", { href: "#/notices" }, "‹ 返回通知列表"),
    h("div.page-head", h("div", h("h1", "新建通知"),
      h("p.muted", "先保存为草稿，核对内容和海报后再发送"))),
    form));
  count();
  sync();
  form.elements.title.focus();
  await loadEvents();

  function count() {
    // Code points, as the server counts them, so an emoji is one character, not two.
    const n = [...bodyInput.value].length;
    counter.textContent = `${n} / ${BODY_MAX} 字`;
    counter.classList.toggle("over", n > BODY_MAX);
  }

  function chosen() {
    return [...form.querySelectorAll("input[name=channels]:checked")].map((i) => i.value);
  }

  function sync() {
    const ch = chosen();
    // The fallback only matters when push goes out and SMS is not already sent to everyone.
    fallback.disabled = !ch.includes("push") || ch.includes("sms");
    fallbackHint.textContent = !ch.includes("push") ? "仅在选择小程序推送时有效。"
      : ch.includes("sms") ? "已选择短信渠道，所有会员都会收到短信。"
        : "会员在小程序中授权订阅消息后才能收到推送；未授权或授权次数已用完的会员，改为发送短信。";
    some.hidden = form.elements.audience_mode.value !== "some";
  }

  async function loadEvents() {
    try {
      // Recent and upcoming events; a notice to people who came last month is still useful.
      const since = new Date(Date.now() - 60 * 86400_000).toISOString();
      const data = await api(`/events?${new URLSearchParams({ from: since, per_page: 100 })}`);
      eventSelect.append(...data.items.map((ev) => h("option", { value: ev.id },
        `${ev.title}（${fmtTime(ev.starts_at).slice(0, 10)}${ev.status === "cancelled" ? "，已取消" : ""}）`)));
    } catch (e) {
      eventHint.textContent = `活动列表加载失败：${e.message}`;
    }
  }

  const names = (v) => v.split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean);

  function audience() {
    const f = form.elements;
    if (f.audience_mode.value === "all") return { all: true };
    const a = {
      departments: names(f["audience.departments"].value),
      grids: names(f["audience.grids"].value),
      tags: names(f["audience.tags"].value),
      // Digits become numbers; anything else goes as typed, so the server names the bad entry.
      member_ids: names(f["audience.member_ids"].value).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
      event_id: eventSelect.value ? Number(eventSelect.value) : undefined,
    };
    return Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined && !(Array.isArray(v) && !v.length)));
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    const f = form.elements;
    const body = {
      title: f.title.value.trim(),
      body: bodyInput.value,
      channels: chosen(),
      audience: audience(),
      send_at: localInputToIso(f.send_at.value),
      sms_fallback: fallback.checked,
    };
    clearFieldErrors(form, msg);
    busy(submit, true);
    try {
      const created = await api("/notices", { method: "POST", body });
      toast(`已保存草稿「${created.title}」`);
      location.hash = `#/notices/${created.id}`;
    } catch (e) {
      showFieldErrors(form, msg, e);
    } finally {
      busy(submit, false);
    }
  }
}

// --- one notice -----------------------------------------------------------------------------------

export async function viewNotice(root, id) {
  let n = await api(`/notices/${id}`);
  let eventTitle = null;
  if (n.audience.event_id != null) {
    eventTitle = await api(`/events/${n.audience.event_id}`).then((ev) => ev.title, () => null);
  }
  const head = h("div.page-head");
  const sendMsg = h("div.form-message#send-message");
  const info = h("div.card#notice-info");
  const stats = h("div.card#notice-stats");
  const posterCard = n.poster_url ? h("div.card#poster") : null;
  const deliveries = h("div.card#deliveries");
  root.append(h("div.page", h("a.back", { href: "#/notices" }, "‹ 返回通知列表"), head, sendMsg,
    h("div.event-grid", h("div.main", info, deliveries), h("div.side", stats, posterCard))));

  let alive = true;
  let timer = null;
  let posterUrl = null;

  function renderHead() {
    fill(head,
      h("div", h("h1#notice-title", n.title, " ", statusBadge(n.status)),
        h("p.muted", `创建于 ${fmtTime(n.created_at)} · ${channelText(n.channels)}`)),
      h("div.head-actions",
        n.status === "sending" ? h("span.live-dot", `每 ${REFRESH_MS / 1000} 秒自动刷新`) : null,
        n.status !== "draft" ? h("button.btn.btn-ghost#refresh", { type: "button", onclick: refresh }, "刷新") : null,
        n.status === "draft" ? h("button.btn.btn-primary#send-notice", { type: "button", onclick: onSend }, "发送") : null));
  }

  function banner() {
    if (n.status === "draft") {
      return alertBox(n.send_at ? `草稿尚未发送。点击「发送」后，将于 ${fmtTime(n.send_at)}（北京时间）自动发出。`
        : "草稿尚未发送。核对内容和海报无误后，点击右上角「发送」。", "info");
    }
    if (n.status === "scheduled") return alertBox(`已排期，将于 ${fmtTime(n.send_at)}（北京时间）自动发送。`, "warn");
    if (n.status === "sending") return alertBox("正在发送。短信和推送按服务商的速率陆续发出，本页会自动更新。", "info");
    return alertBox(`已于 ${fmtTime(n.sent_at)} 发送完成。`, "ok");
  }

  function renderInfo() {
    const row = (k, v) => [h("dt", k), h("dd", v)];
    const fallbackApplies = n.channels.includes("push") && !n.channels.includes("sms");
    fill(info, h("h2", "通知内容"), banner(),
      h("dl.details",
        row("通知对象", audienceText(n.audience, eventTitle)),
        row("发送渠道", channelChips(n.channels)),
        fallbackApplies ? row("短信补发", n.sms_fallback ? "未授权推送的会员改发短信" : "不补发短信") : null,
        row("发送时间", n.send_at ? `定时 ${fmtTime(n.send_at)}` : n.status === "draft" ? "点击发送后立即发出" : "立即发送"),
        n.sent_at ? row("完成时间", fmtTime(n.sent_at)) : null,
        row("正文", h("div.notice-body", n.body))));
  }

  function renderStats() {
    const s = n.stats;
    const planned = n.status === "sending" || n.status === "sent";
    if (!planned || !s) {
      fill(stats, h("h2", "送达情况"), h("p.muted", n.status === "scheduled"
        ? "到发送时间后，这里显示各渠道的送达情况。" : "发送后，这里显示各渠道的送达情况。"));
      return;
    }
    const pct = s.recipients ? Math.round((100 * s.read) / s.recipients) : 0;
    const channels = Object.keys(s.by_channel).sort((a, b) => (a === "push" ? -1 : b === "push" ? 1 : 0));
    fill(stats, h("h2", "送达情况"),
      h("div.kpis",
        h("div.kpi", h("b#stat-recipients", String(s.recipients)), h("span", "接收会员")),
        h("div.kpi", h("b#stat-read", String(s.read)), h("span", "已读")),
        h("div.kpi", h("b", `${pct}%`), h("span", "阅读率"))),
      h("div.progress", h("span.read-bar")),
      channels.map((c) => channelStats(c, s.by_channel[c])),
      n.channels.includes("poster") ? h("p.hint", "海报：请在下方下载后打印张贴。") : null);
    stats.querySelector(".read-bar").style.width = `${pct}%`;
  }

  function channelStats(channel, counts) {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const shown = Object.entries(DELIVERY_STATUS).filter(([k]) => !RARE_STATUS.has(k) || counts[k]);
    const bar = h("div.stackbar", { role: "img",
      "aria-label": shown.map(([k, t]) => `${t} ${counts[k] || 0}`).join("，") });
    const paint = (el, k) => { if (RARE_COLOR[k]) el.style.background = RARE_COLOR[k]; return el; };
    for (const [k] of shown) {
      if (!counts[k]) continue;
      const seg = paint(h(`span.seg.seg-${k}`), k);
      seg.style.width = `${(100 * counts[k]) / total}%`;
      bar.append(seg);
    }
    const notes = [];
    if (counts.unknown) {
      // A push in doubt is never repeated; with SMS fallback (and no SMS already) an SMS goes instead.
      const bySms = channel === "push" && n.sms_fallback && !n.channels.includes("sms");
      notes.push(`${counts.unknown} 条状态未知：发送过程中断，无法确认是否送达；为免重复，系统不会重发${
        bySms ? "，已改发短信" : ""}。`);
    }
    if (counts.duplicate) notes.push(`${counts.duplicate} 条重复：服务商接受了不止一次，会员可能收到了两条。`);
    return h("div.channel-stat", { dataset: { channel } },
      h("div.channel-head", h("b", CHANNELS[channel] || channel), h("span.muted", `共 ${total} 条`)),
      bar,
      h("ul.legend", shown.map(([k, t]) =>
        h("li", { dataset: { stat: k } }, paint(h(`i.dot.seg-${k}`), k), t, " ", h("b", String(counts[k] || 0))))),
      notes.map((t) => h("p.hint.delivery-note", t)));
  }

  async function loadPoster() {
    if (!posterCard) return;
    const img = h("img#poster-preview", { alt: `海报预览：${n.title}` });
    const name = `${safeFilename(n.title)}-海报`;
    fill(posterCard, h("div.card-head", h("h2", "海报")),
      h("div.poster-frame", img),
      h("div.poster-actions",
        h("button.btn.btn-sm.btn-ghost", { type: "button",
          onclick: (e) => downloadFile(`/notices/${id}/poster?format=png`, `${name}.png`, e.currentTarget) }, "下载 PNG"),
        h("button.btn.btn-sm.btn-primary", { type: "button",
          onclick: (e) => downloadFile(`/notices/${id}/poster?format=pdf`, `${name}.pdf`, e.currentTarget) },
        "下载 PDF（A4 打印）")));
    try {
      // An <img src> cannot carry the bearer header, so the image comes through fetch as a blob: URL.
      const blob = await (await api(`/notices/${id}/poster?format=png`, { raw: true })).blob();
      if (!alive) return;
      posterUrl = URL.createObjectURL(blob);
      img.src = posterUrl;
    } catch (e) {
      img.replaceWith(alertBox(e.message));
    }
  }

  // Filters are built once, so a background refresh never closes a drop-down the user has open.
  let dPage = 1;
  let dSeq = 0;
  const channelFilter = h("select#delivery-channel", { onchange: refilter, "aria-label": "按渠道筛选" },
    h("option", { value: "" }, "全部渠道"), ["push", "sms"].map((c) => h("option", { value: c }, CHANNELS[c])));
  const statusFilter = h("select#delivery-status", { onchange: refilter, "aria-label": "按状态筛选" },
    h("option", { value: "" }, "全部状态"), Object.entries(DELIVERY_STATUS).map(([v, t]) => h("option", { value: v }, t)));
  const dBody = h("div");
  deliveries.append(h("div.card-head", h("h2", "发送明细"), h("div.head-actions", channelFilter, statusFilter)), dBody);

  function refilter() { dPage = 1; loadDeliveries(); }

  async function loadDeliveries({ quiet = false } = {}) {
    // Nothing to list before sending, or for a poster-only notice.
    deliveries.hidden = !Object.keys(n.stats?.by_channel || {}).length || !["sending", "sent"].includes(n.status);
    if (deliveries.hidden) return;
    const perPage = 20;
    const seq = ++dSeq;
    // A background refresh keeps the old rows until the new ones arrive, so the table does not flicker.
    if (!quiet) fill(dBody, h("div.loading", "正在加载…"));
    try {
      const q = new URLSearchParams({ page: dPage, per_page: perPage });
      if (channelFilter.value) q.set("channel", channelFilter.value);
      if (statusFilter.value) q.set("status", statusFilter.value);
      const data = await api(`/notices/${id}/deliveries?${q}`);
      // Only the newest request draws: an older answer may be for filters no longer chosen.
      if (!alive || seq !== dSeq) return;
      if (!data.items.length) {
        fill(dBody, h("div.empty", h("p", channelFilter.value || statusFilter.value ? "没有符合条件的记录。" : "暂无记录。")));
        return;
      }
      const pages = Math.max(1, Math.ceil(data.total / perPage));
      fill(dBody,
        h("div.table-wrap", h("table.table#deliveries-table",
          h("thead", h("tr", ["会员 ID", "渠道", "状态", "尝试次数", "发送时间", "说明"].map((t) => h("th", t)))),
          h("tbody", data.items.map((d) => h("tr", { dataset: { channel: d.channel, status: d.status } },
            h("td.mono", String(d.member_id)),
            h("td", CHANNELS[d.channel] || d.channel),
            h("td", h(`span.badge.badge-d-${d.status}${RARE_TONE[d.status] ? `.${RARE_TONE[d.status]}` : ""}`,
              DELIVERY_STATUS[d.status] || d.status)),
            h("td.num", String(d.attempts)),
            h("td.nowrap", d.sent_at ? fmtTime(d.sent_at) : "—"),
            h("td.error-text", { title: d.last_error || "" }, reason(d.last_error))))))),
        pager(dPage, pages, data.total, (p) => { dPage = p; loadDeliveries(); }));
    } catch (e) {
      if (!quiet && seq === dSeq) fill(dBody, alertBox(e.message));
    }
  }

  async function refresh() {
    try {
      n = await api(`/notices/${id}`);
    } catch (e) {
      if (e.status !== 401) toast(e.message, "error");
      return;
    }
    if (!alive) return;
    renderAll();
    await loadDeliveries({ quiet: true });
  }

  function poll() {
    // Only a notice that is going out changes by itself quickly enough to be worth polling.
    if (n.status === "sending" && !timer) timer = setInterval(refresh, REFRESH_MS);
    if (n.status !== "sending" && timer) { clearInterval(timer); timer = null; }
  }

  async function onSend(e) {
    const button = e.currentTarget;
    const when = isFuture(n.send_at) ? `将于 ${fmtTime(n.send_at)}（北京时间）自动发出。` : "将立即发出。";
    const ok = await confirmDialog("确认发送通知",
      `「${n.title}」\n发送渠道：${channelText(n.channels)}\n通知对象：${audienceText(n.audience, eventTitle)}\n` +
      `${when}发出后不能撤回。`, "确认发送");
    if (!ok) return;
    sendMsg.replaceChildren();
    busy(button, true);
    try {
      n = await api(`/notices/${id}/send`, { method: "POST" });
      toast(n.status === "scheduled" ? `已排期，将于 ${fmtTime(n.send_at)} 发送`
        : n.status === "sent" ? "通知已发送" : "通知已开始发送");
      if (!n.stats) n = await api(`/notices/${id}`);
      if (!alive) return;
      renderAll();
      await loadDeliveries();
    } catch (err) {
      busy(button, false);
      sendMsg.append(alertBox(err.code === "empty_audience" ? EMPTY_AUDIENCE : err.message));
    }
  }

  function renderAll() { renderHead(); renderInfo(); renderStats(); poll(); }
  renderAll();
  await Promise.all([loadDeliveries(), loadPoster()]);

  return () => {
    alive = false;
    if (timer) clearInterval(timer);
    if (posterUrl) URL.revokeObjectURL(posterUrl);
  };
}
