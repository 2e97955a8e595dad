// Notices (API.md "Notices"): write one, send it over SMS, mini-program push and a printed poster,
// then follow every recipient's delivery per channel.
import { api, downloadFile, fmtTime, localInputToIso, safeFilename } from "./core.js";
import {
  PagedList, alertBox, confirmDialog, field, fieldError, filterSelect, formActions, formMessage, formState, input,
  pageHeader, pagedTable, statusBadge, submitForm, toast,
} from "./components.js";
import { choices, label } from "./labels.js";
import { cssProps, html, nothing, render } from "./view.js";
import { MemberPicker } from "./members.js";

const POSTER_EARLY = "该通知尚未发送：海报上的二维码要在通知发送后才能打开，扫码只会看到“通知尚未发布”。";

// Rare delivery states (a call in flight, or what a crashed worker left: docs/delivery.md) are listed in
// a channel's legend only when present.
const RARE_STATUS = new Set(["sending", "unknown", "duplicate"]);
const BODY_MAX = 5000;
const REFRESH_MS = 3000;
const EMPTY_AUDIENCE = "没有符合条件的会员，通知未发送";

/** The notice's channels in the labels' display order. */
const ordered = (channels) => choices("notice_channel").map(([c]) => c).filter((c) => channels.includes(c));
const channelText = (channels) => ordered(channels).map((c) => label("notice_channel", c)).join("、");
const channelChips = (channels) =>
  html`<span class="chips">${ordered(channels).map((c) =>
    html`<span class="chip chip-${c}">${label("notice_channel", c)}</span>`)}</span>`;

/** "张三（E1234 · 生产一部）": a named member as the recipient picker shows one. */
const memberWho = (m) => `${m.name}（${m.employee_no}${m.department ? ` · ${m.department}` : ""}）`;

/** "指定会员：张三、李四 等 12 人" — the names the notice carries (audience_members, the first 20 of
 * audience.member_ids), at most ``shown`` of them; ``full`` adds employee numbers and departments. */
function chosenText(n, { shown = 3, full = false } = {}) {
  const count = n.audience.member_ids.length;
  const names = (n.audience_members || []).slice(0, shown).map(full ? memberWho : (m) => m.name);
  if (!names.length) return `指定会员 ${count} 人`;
  return `指定会员：${names.join("、")}${count > names.length ? ` 等 ${count} 人` : ""}`;
}

/** "部门：质检部；活动报名者：…" — any listed group of notice ``n`` receives it. */
function audienceText(n, eventTitle = null, members = {}) {
  const a = n.audience;
  if (a.all) return "全体会员";
  const groups = [["部门", a.departments], ["网格", a.grids], ["标签", a.tags]]
    .filter(([, v]) => v?.length).map(([k, v]) => `${k}：${v.join("、")}`);
  if (a.member_ids?.length) groups.push(chosenText(n, members));
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
const noticeBadge = (n) => statusBadge("notice_status", n.status);

// --- list -----------------------------------------------------------------------------------------

export async function viewNotices(root) {
  let status = "";
  // Only what staff wrote: automatic notices are shown with their event or booking calendar.
  const list = new PagedList({ path: "/notices", query: () => ({ status, source: "staff" }), draw });

  const row = (n) => html`<tr data-notice-id=${n.id}>
    <td><a class="event-link" href="#/notices/${n.id}">${n.title}</a><div class="sub" data-col="audience">${audienceText(n)}</div></td>
    <td>${channelChips(n.channels)}</td>
    <td>${noticeBadge(n)}</td>
    <td class="nowrap">${fmtTime(n.created_at)}</td>
    <td class="nowrap" data-col="sent">${sendTimeText(n)}</td>
    <td class="actions"><a class="btn btn-sm btn-ghost" href="#/notices/${n.id}">${n.status === "draft" ? "查看并发送" : "查看"}</a></td>
  </tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ title: "通知", sub: "短信、小程序推送和海报三个渠道，一次发给会员（北京时间）", actions: html`
        ${filterSelect({ id: "notice-filter", ariaLabel: "按状态筛选", all: "全部状态", vocab: "notice_status", value: status,
          onChange: (v) => { status = v; list.restart(); } })}
        <a class="btn btn-primary" href="#/notices/new">＋ 新建通知</a>` })}
      <div class="card">${pagedTable(list, {
        id: "notices-table", row, head: ["通知", "渠道", "状态", "创建时间", "发送时间", ""],
        empty: status ? html`<p>没有该状态的通知。</p>`
          : html`<p>还没有通知。</p><a class="btn btn-primary" href="#/notices/new">写第一条通知</a>`,
      })}</div></div>`, root);
  }
  await list.load();
}

// --- compose --------------------------------------------------------------------------------------

export async function viewNewNotice(root) {
  const form = formState();
  let channels = ["push"];
  let everyone = true;
  let bodyLength = 0;
  let events = [];
  let eventsError = "";
  const recipients = new MemberPicker(draw);
  draw();
  root.querySelector("[name=title]").focus();
  await loadEvents();

  function draw() {
    const errors = form.errors;
    const f = (opts, control) => field({ ...opts, errors }, control);
    // The fallback only matters when push goes out and SMS is not already sent to everyone.
    const push = channels.includes("push");
    const sms = channels.includes("sms");
    const fallbackHint = !push ? "仅在选择小程序推送时有效。"
      : sms ? "已选择短信渠道，所有会员都会收到短信。"
        : "会员在小程序中授权订阅消息后才能收到推送；未授权或授权次数已用完的会员，改为发送短信。";
    const mode = (value, text) => html`<label class="check"><input type="radio" name="audience_mode" value=${value}
      ?checked=${(value === "all") === everyone} @change=${onMode}>${text}</label>`;
    render(html`<div class="page page-narrow">
      ${pageHeader({ back: { href: "#/notices", text: "返回通知列表" }, title: "新建通知", sub: "先保存为草稿，核对内容和海报后再发送" })}
      <form class="card form" id="notice-form" novalidate @submit=${onSubmit}>
        ${formMessage(errors)}
        <fieldset><legend>内容</legend>
          ${f({ name: "title", label: "标题", required: true,
            hint: "短信和小程序推送的字数有限，过长的标题会被截短；全文在小程序中阅读。" }, input({ maxlength: 100 }))}
          ${f({ name: "body", label: "正文", required: true }, (a) => html`<textarea id=${a.id} name=${a.name} rows="8"
            @input=${onBody}></textarea>
            <div class="counter"><span id="body-count" class=${bodyLength > BODY_MAX ? "over" : ""}>${
              bodyLength} / ${BODY_MAX} 字</span></div>`)}
        </fieldset>
        <fieldset><legend>发送渠道</legend>
          <div class="field ${errors.fields.channels ? "has-error" : ""}" data-field="channels">
            <div class="check-row">${choices("notice_channel").map(([value, text]) => html`<label class="check"><input
              type="checkbox" name="channels" value=${value} ?checked=${value === "push"} @change=${onChannels}>${text}</label>`)}</div>
            <small class="hint">海报不会自动发出：发送后可在通知页下载 PNG 或 PDF 打印张贴，海报上的二维码可打开通知全文。</small>
            ${fieldError("channels", errors)}
          </div>
          <div class="field" data-field="sms_fallback">
            <label class="check"><input id="f-sms_fallback" type="checkbox" name="sms_fallback" checked
              ?disabled=${!push || sms}>未授权推送的会员改发短信</label>
            <small class="hint">${fallbackHint}</small>
            ${fieldError("sms_fallback", errors)}
          </div>
        </fieldset>
        <fieldset><legend>通知对象</legend>
          <div class="field ${errors.fields.audience ? "has-error" : ""}" data-field="audience">
            <div class="check-row">${mode("all", "全体会员")}${mode("some", "指定对象")}</div>
            ${fieldError("audience", errors)}
          </div>
          <div class="audience-some" ?hidden=${everyone}>
            <p class="hint">以下条件满足任意一项的会员都会收到。多个名称用逗号分隔，须与会员名册中的名称一致。</p>
            <div class="grid-2">
              ${f({ name: "audience.departments", label: "部门" }, input({ placeholder: "例如：生产一部，质检部" }))}
              ${f({ name: "audience.grids", label: "网格" }, input({ placeholder: "例如：第一网格" }))}
              ${f({ name: "audience.tags", label: "标签" }, input({ placeholder: "例如：青年，女职工" }))}
            </div>
            ${recipients.view("f-audience-member_ids", errors, "audience.member_ids")}
            ${f({ name: "audience.event_id", label: "活动报名者" }, (a) => html`<select id=${a.id} name=${a.name}>
                <option value="">不按活动选择</option>
                ${events.map((ev) => html`<option value=${ev.id}>${ev.title}（${fmtTime(ev.starts_at).slice(0, 10)}${
                  ev.status === "cancelled" ? "，已取消" : ""}）</option>`)}</select>
              <small class="hint">${eventsError ? `活动列表加载失败：${eventsError}` : "选择后，该活动已报名和候补的会员都会收到"}</small>`)}
          </div>
        </fieldset>
        <fieldset><legend>发送时间（北京时间）</legend>
          <div class="grid-2">${f({ name: "send_at", label: "定时发送", hint: "留空表示点击「发送」后立即发出；填写后到时自动发出。" },
            input({ type: "datetime-local" }))}</div>
        </fieldset>
        ${formActions("保存草稿", form, "#/notices")}
      </form></div>`, root);
  }

  function onBody(e) {
    // Code points, as the server counts them, so an emoji is one character, not two.
    bodyLength = [...e.currentTarget.value].length;
    draw();
  }

  function onChannels(e) {
    channels = [...e.currentTarget.form.querySelectorAll("input[name=channels]:checked")].map((i) => i.value);
    draw();
  }

  function onMode(e) {
    everyone = e.currentTarget.value === "all";
    draw();
  }

  async function loadEvents() {
    try {
      // Recent and upcoming events; a notice to people who came last month is still useful.
      const since = new Date(Date.now() - 60 * 86400_000).toISOString();
      events = (await api(`/events?${new URLSearchParams({ from: since, per_page: 100 })}`)).items;
    } catch (e) {
      eventsError = e.message;
    }
    draw();
  }

  const names = (v) => v.split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean);

  function audience(f) {
    if (everyone) return { all: true };
    const a = {
      departments: names(f["audience.departments"].value),
      grids: names(f["audience.grids"].value),
      tags: names(f["audience.tags"].value),
      member_ids: recipients.ids,
      event_id: f["audience.event_id"].value ? Number(f["audience.event_id"].value) : undefined,
    };
    return Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined && !(Array.isArray(v) && !v.length)));
  }

  function onSubmit(ev) {
    return submitForm(form, ev, draw, async (f) => {
      const body = {
        title: f.title.value.trim(),
        body: f.body.value,
        channels,
        audience: audience(f),
        send_at: localInputToIso(f.send_at.value),
        sms_fallback: f.sms_fallback.checked,
      };
      const created = await api("/notices", { method: "POST", body });
      toast(`已保存草稿「${created.title}」`);
      location.hash = `#/notices/${created.id}`;
    });
  }
}

// --- one notice -----------------------------------------------------------------------------------

export async function viewNotice(root, id) {
  let n = await api(`/notices/${id}`);
  let eventTitle = null;
  if (n.audience.event_id != null) {
    eventTitle = await api(`/events/${n.audience.event_id}`).then((ev) => ev.title, () => null);
  }
  let alive = true;
  let timer = null;
  let posterUrl = null;
  let posterError = "";
  let sendError = "";
  let sending = false;
  let channel = "";
  let deliveryStatus = "";
  const deliveries = new PagedList({ path: `/notices/${id}/deliveries`, query: () => ({ channel, status: deliveryStatus }), draw });
  // Nothing to list before sending, or for a poster-only notice.
  const hasDeliveries = () => Object.keys(n.stats?.by_channel || {}).length > 0 && ["sending", "sent"].includes(n.status);

  function draw() {
    if (!alive) return;
    render(html`<div class="page">
      ${pageHeader({
        back: { href: "#/notices", text: "返回通知列表" }, title: n.title, titleId: "notice-title", badge: noticeBadge(n),
        sub: `创建于 ${fmtTime(n.created_at)} · ${channelText(n.channels)}`,
        actions: html`
          ${n.status === "sending" ? html`<span class="live-dot">每 ${REFRESH_MS / 1000} 秒自动刷新</span>` : nothing}
          ${n.status !== "draft" ? html`<button class="btn btn-ghost" id="refresh" type="button" @click=${refresh}>刷新</button>` : nothing}
          ${n.status === "draft" ? html`<button class="btn btn-primary ${sending ? "is-busy" : ""}" id="send-notice" type="button"
            ?disabled=${sending} @click=${onSend}>发送</button>` : nothing}`,
      })}
      <div class="form-message" id="send-message">${sendError ? alertBox(sendError) : nothing}</div>
      <div class="event-grid">
        <div class="main">
          <div class="card" id="notice-info">${info()}</div>
          <div class="card" id="deliveries" ?hidden=${!hasDeliveries()}>${deliveryCard()}</div>
        </div>
        <div class="side"><div class="card" id="notice-stats">${stats()}</div>${n.poster_url ? poster() : nothing}</div>
      </div></div>`, root);
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

  function info() {
    const row = (k, v) => html`<dt>${k}</dt><dd>${v}</dd>`;
    const fallbackApplies = n.channels.includes("push") && !n.channels.includes("sms");
    return html`<h2>通知内容</h2>${banner()}
      <dl class="details">
        ${row("通知对象", html`<span id="notice-audience">${audienceText(n, eventTitle, { shown: 20, full: true })}</span>`)}
        ${row("发送渠道", channelChips(n.channels))}
        ${fallbackApplies ? row("短信补发", n.sms_fallback ? "未授权推送的会员改发短信" : "不补发短信") : nothing}
        ${row("发送时间", n.send_at ? `定时 ${fmtTime(n.send_at)}` : n.status === "draft" ? "点击发送后立即发出" : "立即发送")}
        ${n.sent_at ? row("完成时间", fmtTime(n.sent_at)) : nothing}
        ${row("正文", html`<div class="notice-body">${n.body}</div>`)}
      </dl>`;
  }

  function stats() {
    const s = n.stats;
    if (!["sending", "sent"].includes(n.status) || !s) {
      return html`<h2>送达情况</h2><p class="muted">${n.status === "scheduled"
        ? "到发送时间后，这里显示各渠道的送达情况。" : "发送后，这里显示各渠道的送达情况。"}</p>`;
    }
    const pct = s.recipients ? Math.round((100 * s.read) / s.recipients) : 0;
    const channels = Object.keys(s.by_channel).sort((a, b) => (a === "push" ? -1 : b === "push" ? 1 : 0));
    return html`<h2>送达情况</h2>
      <div class="kpis">
        <div class="kpi"><b id="stat-recipients">${s.recipients}</b><span>接收会员</span></div>
        <div class="kpi"><b id="stat-read">${s.read}</b><span>已读</span></div>
        <div class="kpi"><b>${pct}%</b><span>阅读率</span></div>
      </div>
      <div class="progress"><span class="read-bar" style=${cssProps({ width: `${pct}%` })}></span></div>
      ${channels.map((c) => channelStats(c, s.by_channel[c]))}
      ${n.channels.includes("poster") ? html`<p class="hint">海报：请在下方下载后打印张贴。</p>` : nothing}`;
  }

  function channelStats(channelName, counts) {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const shown = choices("delivery_status").filter(([k]) => !RARE_STATUS.has(k) || counts[k]);
    const notes = [];
    if (counts.unknown) {
      // A push in doubt is never repeated; with SMS fallback (and no SMS already) an SMS goes instead.
      const bySms = channelName === "push" && n.sms_fallback && !n.channels.includes("sms");
      notes.push(`${counts.unknown} 条状态未知：发送过程中断，无法确认是否送达；为免重复，系统不会重发${bySms ? "，已改发短信" : ""}。`);
    }
    if (counts.duplicate) notes.push(`${counts.duplicate} 条重复：服务商接受了不止一次，会员可能收到了两条。`);
    return html`<div class="channel-stat" data-channel=${channelName}>
      <div class="channel-head"><b>${label("notice_channel", channelName)}</b><span class="muted">共 ${total} 条</span></div>
      <div class="stackbar" role="img" aria-label=${shown.map(([k, t]) => `${t} ${counts[k] || 0}`).join("，")}>
        ${shown.filter(([k]) => counts[k]).map(([k]) =>
          html`<span class="seg seg-${k}" style=${cssProps({ width: `${(100 * counts[k]) / total}%` })}></span>`)}</div>
      <ul class="legend">${shown.map(([k, t]) =>
        html`<li data-stat=${k}><i class="dot seg-${k}"></i>${t} <b>${counts[k] || 0}</b></li>`)}</ul>
      ${notes.map((t) => html`<p class="hint delivery-note">${t}</p>`)}
    </div>`;
  }

  function poster() {
    const name = `${safeFilename(n.title)}-海报`;
    // The QR page (/n/<id>) opens only once the notice is sent; a poster printed earlier must not surprise.
    const early = n.status === "draft" || n.status === "scheduled";
    const get = (format) => async (e) => {
      const button = e.currentTarget;
      if (early && !(await confirmDialog("通知尚未发送", POSTER_EARLY, "仍然下载"))) return;
      downloadFile(`/notices/${id}/poster?format=${format}`, `${name}.${format}`, button);
    };
    return html`<div class="card" id="poster"><div class="card-head"><h2>海报</h2></div>
      ${early ? html`<div id="poster-early">${alertBox(POSTER_EARLY, "warn")}</div>` : nothing}
      <div class="poster-frame">${posterError ? alertBox(posterError)
        : html`<img id="poster-preview" alt="海报预览：${n.title}" src=${posterUrl || nothing}>`}</div>
      <div class="poster-actions">
        <button class="btn btn-sm btn-ghost" type="button" @click=${get("png")}>下载 PNG</button>
        <button class="btn btn-sm btn-primary" type="button" @click=${get("pdf")}>下载 PDF（A4 打印）</button>
      </div></div>`;
  }

  async function loadPoster() {
    if (!n.poster_url) return;
    try {
      // An <img src> cannot carry the bearer header, so the image comes through fetch as a blob: URL.
      const blob = await (await api(`/notices/${id}/poster?format=png`, { raw: true })).blob();
      if (!alive) return;
      posterUrl = URL.createObjectURL(blob);
    } catch (e) {
      posterError = e.message;
    }
    draw();
  }

  // Filters keep their DOM across background refreshes, so a refresh never closes an open drop-down.
  function deliveryCard() {
    const filtered = channel || deliveryStatus;
    return html`<div class="card-head"><h2>发送明细</h2><div class="head-actions">
        ${filterSelect({ id: "delivery-channel", ariaLabel: "按渠道筛选", all: "全部渠道", vocab: "notice_channel", value: channel,
          only: ["push", "sms"], cls: "", onChange: (v) => { channel = v; deliveries.restart(); } })}
        ${filterSelect({ id: "delivery-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "delivery_status",
          value: deliveryStatus, cls: "", onChange: (v) => { deliveryStatus = v; deliveries.restart(); } })}
      </div></div>
      ${hasDeliveries() ? pagedTable(deliveries, {
        id: "deliveries-table", head: ["会员", "工号", "部门", "渠道", "状态", "尝试次数", "发送时间", "说明"],
        empty: html`<p>${filtered ? "没有符合条件的记录。" : "暂无记录。"}</p>`,
        row: (d) => html`<tr data-channel=${d.channel} data-status=${d.status} data-member-id=${d.member_id}>
          <td class="nowrap"><a class="event-link" href="#/members/${d.member_id}">${d.name}</a></td>
          <td class="mono">${d.employee_no}</td><td class="nowrap">${d.department || "—"}</td>
          <td>${label("notice_channel", d.channel)}</td>
          <td>${statusBadge("delivery_status", d.status)}</td>
          <td class="num">${d.attempts}</td>
          <td class="nowrap">${d.sent_at ? fmtTime(d.sent_at) : "—"}</td>
          <td class="error-text" title=${d.last_error || ""}>${reason(d.last_error)}</td></tr>`,
      }) : nothing}`;
  }

  async function refresh() {
    try {
      n = await api(`/notices/${id}`);
    } catch (e) {
      if (e.status !== 401) toast(e.message, "error");
      return;
    }
    if (!alive) return;
    poll();
    draw();
    if (hasDeliveries()) await deliveries.load({ quiet: Boolean(deliveries.data) });
  }

  function poll() {
    // Only a notice that is going out changes by itself quickly enough to be worth polling.
    if (n.status === "sending" && !timer) timer = setInterval(refresh, REFRESH_MS);
    if (n.status !== "sending" && timer) { clearInterval(timer); timer = null; }
  }

  async function onSend() {
    const when = isFuture(n.send_at) ? `将于 ${fmtTime(n.send_at)}（北京时间）自动发出。` : "将立即发出。";
    const ok = await confirmDialog("确认发送通知",
      `「${n.title}」\n发送渠道：${channelText(n.channels)}\n通知对象：${audienceText(n, eventTitle, { shown: 10 })}\n` +
      `${when}发出后不能撤回。`, "确认发送");
    if (!ok) return;
    sendError = "";
    sending = true;
    draw();
    try {
      n = await api(`/notices/${id}/send`, { method: "POST" });
      toast(n.status === "scheduled" ? `已排期，将于 ${fmtTime(n.send_at)} 发送`
        : n.status === "sent" ? "通知已发送" : "通知已开始发送");
      if (!n.stats) n = await api(`/notices/${id}`);
      if (!alive) return;
      poll();
      if (hasDeliveries()) deliveries.restart();
    } catch (err) {
      sendError = err.code === "empty_audience" ? EMPTY_AUDIENCE : err.message;
    } finally {
      sending = false;
      draw();
    }
  }

  poll();
  draw();
  await Promise.all([hasDeliveries() ? deliveries.load() : null, loadPoster()]);

  return () => {
    alive = false;
    if (timer) clearInterval(timer);
    if (posterUrl) URL.revokeObjectURL(posterUrl);
  };
}
