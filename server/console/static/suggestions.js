// Suggestion box (API.md "Suggestions"): the anonymous inbox, one suggestion's thread with the staff's
// replies, status changes, publishing to the public board, and counts that never show a group under 5.
import { api, fmtTime } from "./core.js";
import {
  PagedList, alertBox, filterSelect, formActions, loading, options, pageHeader, pagedTable, statusBadge, toast,
} from "./components.js";
import { label } from "./labels.js";
import { html, live, nothing, render } from "./view.js";

const PER_PAGE = 20;
const excerpt = (text) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

// --- inbox ----------------------------------------------------------------------------------------

export async function viewSuggestions(root) {
  let status = "";
  let category = "";
  let stats = null;  // null while loading; {error} when it failed
  const list = new PagedList({ path: "/suggestions", query: () => ({ status, category }), perPage: PER_PAGE, draw });

  const row = (s) => html`<tr data-suggestion-id=${s.id}>
    <td><a class="event-link" href="#/suggestions/${s.id}">${s.title || excerpt(s.content)}</a>
      ${s.public ? html`<div class="sub">已公开到意见公示栏</div>` : nothing}</td>
    <td>${s.category_label}</td>
    <td>${statusBadge("suggestion_status", s.status)}</td>
    <td class="nowrap">${s.submitted_on}</td>
    <td class="num">${s.messages.filter((m) => m.from === "staff").length}</td></tr>`;

  function statsCard() {
    if (!stats) return html`<h2>统计</h2>${loading()}`;
    if (stats.error) return html`<h2>统计</h2>${alertBox(stats.error.message)}`;
    const groups = (list) => (list.length
      ? html`<ul class="stat-list">${list.map((g) => html`<li data-key=${g.key}><span>${g.label}</span><b>${g.count}</b></li>`)}</ul>`
      : html`<p class="muted">数量较少，暂不分组显示</p>`);
    return html`<h2>统计</h2>
      <p>共 <b id="suggestion-total">${stats.total === null ? "少于 5" : String(stats.total)}</b> 条</p>
      <h3>按类别</h3><div id="stats-by-category">${groups(stats.by_category)}</div>
      <h3>按月份</h3><div id="stats-by-month">${groups(stats.by_month)}</div>
      <small class="hint">为保护匿名，少于 5 条的分组已合并显示</small>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "意见箱",
        sub: html`<span id="suggestions-note">会员匿名提交的意见建议；系统不记录提交人。为保护匿名，新意见与补充会分批转入，可能几小时后才显示</span>`,
        actions: html`
          ${filterSelect({ id: "suggestion-status", ariaLabel: "按状态筛选", all: "全部状态", vocab: "suggestion_status",
            value: status, onChange: (v) => { status = v; list.restart(); } })}
          ${filterSelect({ id: "suggestion-category", ariaLabel: "按类别筛选", all: "全部类别", vocab: "suggestion_category",
            value: category, onChange: (v) => { category = v; list.restart(); } })}`,
      })}
      <div class="event-grid">
        <div class="main"><div class="card">${pagedTable(list, {
          id: "suggestions-table", row, head: ["意见", "类别", "状态", "提交日期", "回复"],
          empty: html`<p>${status || category ? "没有符合条件的意见。" : "意见箱里还没有意见。刚提交的意见会在分批转入后显示。"}</p>`,
        })}</div></div>
        <div class="side"><div class="card" id="suggestion-stats">${statsCard()}</div></div>
      </div></div>`, root);
  }

  async function loadStats() {
    try {
      stats = await api("/suggestions/stats");
    } catch (e) {
      stats = { error: e };
    }
    draw();
  }

  await Promise.all([list.load(), loadStats()]);
}

// --- one suggestion -------------------------------------------------------------------------------

/** One suggestion with its thread, or null when there is none with that id. */
async function findSuggestion(id) {
  try {
    return await api(`/suggestions/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

export async function viewSuggestion(root, id) {
  let s = await findSuggestion(id);
  const back = { href: "#/suggestions", text: "返回意见箱" };
  if (!s) {
    render(html`<div class="page">${pageHeader({ back, title: "意见" })}${alertBox("建议不存在")}</div>`, root);
    return;
  }
  let replyError = "";
  let replying = false;
  let manageError = "";
  let saving = false;
  let publicAsked = null;  // the box as clicked, shown while the change is saved

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: s.title || "（无标题）", titleId: "suggestion-title",
        badge: statusBadge("suggestion_status", s.status), sub: `${s.category_label} · ${s.submitted_on} 提交` })}
      <div class="event-grid">
        <div class="main">
          <div class="card" id="suggestion-content"><h2>意见内容</h2><p class="prewrap">${s.content}</p></div>
          <div class="card" id="suggestion-thread">${thread()}</div>
        </div>
        <div class="side"><div class="card" id="suggestion-manage">${manage()}</div></div>
      </div></div>`, root);
  }

  function thread() {
    const when = (m) => (m.from === "staff" ? fmtTime(m.created_at) : fmtTime(m.created_at).slice(0, 10));
    return html`<h2>沟通记录</h2>
      ${s.messages.length
        ? html`<ol class="thread">${s.messages.map((m) => html`<li class="thread-msg thread-${m.from}" data-from=${m.from}>
            <div class="thread-meta">${m.from === "staff" ? "工会回复" : "提交人"} · ${when(m)}</div>
            <p class="prewrap">${m.body}</p></li>`)}</ol>`
        : html`<p class="muted">还没有回复。</p>`}
      ${s.status === "closed" ? alertBox("该建议已关闭，不能再回复。", "warn")
        : html`<form class="form" id="reply-form" novalidate @submit=${onReply}>
          <div class="form-message">${replyError ? alertBox(replyError) : nothing}</div>
          <textarea id="reply-body" name="body" rows="4" maxlength="2000" aria-label="回复内容"
            placeholder="回复会显示给持有回执码的提交人"></textarea>
          ${s.status === "answered" ? nothing : html`<label class="check"><input id="reply-mark-answered"
            name="mark_answered" type="checkbox"> 同时标记为「${label("suggestion_status", "answered")}」</label>`}
          ${formActions("发送回复", { busy: replying })}</form>`}`;
  }

  async function onReply(e) {
    e.preventDefault();
    const box = e.currentTarget.elements.body;
    const markAnswered = Boolean(e.currentTarget.elements.mark_answered?.checked);
    replyError = box.value.trim() ? "" : "请输入回复内容";
    if (replyError) { draw(); return; }
    replying = true;
    draw();
    try {
      // One request: the reply and the status are stored together or not at all.
      await api(`/suggestions/${id}/messages`, { method: "POST", body: { body: box.value, mark_answered: markAnswered } });
      s = (await findSuggestion(id)) || s;
      box.value = "";
      toast(markAnswered ? `回复已发送，已标记为「${label("suggestion_status", "answered")}」` : "回复已发送");
    } catch (err) {
      replyError = err.details?.fields?.body || err.message;
    } finally {
      replying = false;
      draw();
    }
  }

  function manage() {
    return html`<h2>处理</h2>
      <div class="form-message" id="manage-message">${manageError ? alertBox(manageError) : nothing}</div>
      <div class="inline-form"><label for="suggestion-status-select">状态</label>
        <select id="suggestion-status-select" aria-label="处理状态">${options("suggestion_status", s.status)}</select>
        <button class="btn btn-primary btn-sm ${saving ? "is-busy" : ""}" type="button" ?disabled=${saving}
          @click=${onStatus}>更新状态</button></div>
      <label class="check"><input id="suggestion-public" type="checkbox" .checked=${live(publicAsked ?? s.public)} ?disabled=${saving}
        @change=${onPublic}> 公开到意见公示栏</label>
      <small class="hint">公开后，会员可在小程序的意见公示栏看到该意见和工会的回复（不含提交人的追问）。</small>`;
  }

  async function patch(body, done) {
    manageError = "";
    saving = true;
    draw();
    try {
      s = { ...s, ...(await api(`/suggestions/${id}`, { method: "PATCH", body })) };
      toast(done);
    } catch (err) {
      manageError = err.message;
    } finally {
      saving = false;
      publicAsked = null;
      draw();
    }
  }

  function onStatus() {
    const value = root.querySelector("#suggestion-status-select").value;
    patch({ status: value }, `已标记为「${label("suggestion_status", value)}」`);
  }

  function onPublic(e) {
    const checked = e.currentTarget.checked;
    publicAsked = checked;
    patch({ public: checked }, checked ? "已公开到意见公示栏" : "已从意见公示栏撤下");
  }

  draw();
}
