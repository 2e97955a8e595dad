// Suggestion box (API.md "Suggestions"): the anonymous inbox, one suggestion's thread with the staff's
// replies, status changes, publishing to the public board, and counts that never show a group under 5.
import { alertBox, api, busy, fill, fmtTime, h, pager, toast, newestOnly } from "./core.js";

export const SUGGESTION_STATUS = { new: "新", in_progress: "处理中", answered: "已答复", closed: "已关闭" };
export const SUGGESTION_CATEGORIES = {
  workplace_safety: "安全生产", pay_benefits: "薪酬福利", canteen_facilities: "食堂与后勤",
  management: "管理与作风", training_career: "培训与发展", other: "其他",
};
const PER_PAGE = 20;

function statusBadge(status) {
  return h(`span.badge.badge-s-${status}`, { dataset: { status } }, SUGGESTION_STATUS[status] || status);
}

function select(id, label, all, options, value, onchange) {
  return h(`select.select-sm#${id}`, { onchange, "aria-label": label },
    h("option", { value: "" }, all),
    Object.entries(options).map(([v, t]) => h("option", { value: v, selected: v === value }, t)));
}

// --- inbox ----------------------------------------------------------------------------------------

export async function viewSuggestions(root) {
  let page = 1;
  let status = "";
  let category = "";
  const body = h("div.card");
  const stats = h("div.card#suggestion-stats");
  const onStatus = (e) => { status = e.target.value; page = 1; load(); };
  const onCategory = (e) => { category = e.target.value; page = 1; load(); };
  root.append(h("div.page",
    h("div.page-head",
      h("div", h("h1", "意见箱"), h("p.muted#suggestions-note", "会员匿名提交的意见建议；系统不记录提交人。为保护匿名，新意见与补充会分批转入，可能几小时后才显示")),
      h("div.head-actions",
        select("suggestion-status", "按状态筛选", "全部状态", SUGGESTION_STATUS, status, onStatus),
        select("suggestion-category", "按类别筛选", "全部类别", SUGGESTION_CATEGORIES, category, onCategory))),
    h("div.event-grid", h("div.main", body), h("div.side", stats))));

  const fetchList = newestOnly(api);
  async function load() {
    fill(body, h("div.loading", "正在加载…"));
    const q = new URLSearchParams({ page, per_page: PER_PAGE });
    if (status) q.set("status", status);
    if (category) q.set("category", category);
    const data = await fetchList(`/suggestions?${q}`);
    if (!data) return;  // a newer filter took over
    if (!data.items.length) {
      fill(body, h("div.empty", h("p", status || category ? "没有符合条件的意见。" : "意见箱里还没有意见。刚提交的意见会在分批转入后显示。")));
      return;
    }
    const pages = Math.max(1, Math.ceil(data.total / PER_PAGE));
    fill(body,
      h("div.table-wrap", h("table.table#suggestions-table",
        h("thead", h("tr", ["意见", "类别", "状态", "提交日期", "回复"].map((t) => h("th", t)))),
        h("tbody", data.items.map((s) => h("tr", { dataset: { suggestionId: s.id } },
          h("td", h("a.event-link", { href: `#/suggestions/${s.id}` }, s.title || excerpt(s.content)),
            s.public ? h("div.sub", "已公开到意见公示栏") : null),
          h("td", s.category_label),
          h("td", statusBadge(s.status)),
          h("td.nowrap", s.submitted_on),
          h("td.num", String(s.messages.filter((m) => m.from === "staff").length))))))),
      pager(page, pages, data.total, (p) => { page = p; load(); }));
  }

  async function loadStats() {
    try {
      const s = await api("/suggestions/stats");
      const list = (groups) => (groups.length
        ? h("ul.stat-list", groups.map((g) => h("li", { dataset: { key: g.key } }, h("span", g.label), h("b", String(g.count)))))
        : h("p.muted", "数量较少，暂不分组显示"));
      fill(stats, h("h2", "统计"),
        h("p", "共 ", h("b#suggestion-total", s.total === null ? "少于 5" : String(s.total)), " 条"),
        h("h3", "按类别"), h("div#stats-by-category", list(s.by_category)),
        h("h3", "按月份"), h("div#stats-by-month", list(s.by_month)),
        h("small.hint", "为保护匿名，少于 5 条的分组已合并显示"));
    } catch (e) {
      fill(stats, h("h2", "统计"), alertBox(e.message));
    }
  }

  fill(stats, h("h2", "统计"), h("div.loading", "正在加载…"));
  await Promise.all([load(), loadStats()]);
}

function excerpt(text) {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
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
  if (!s) {
    root.append(h("div.page", h("a.back", { href: "#/suggestions" }, "‹ 返回意见箱"), alertBox("建议不存在")));
    return;
  }
  const head = h("div.page-head");
  const content = h("div.card#suggestion-content");
  const thread = h("div.card#suggestion-thread");
  const manage = h("div.card#suggestion-manage");
  root.append(h("div.page", h("a.back", { href: "#/suggestions" }, "‹ 返回意见箱"), head,
    h("div.event-grid", h("div.main", content, thread), h("div.side", manage))));

  async function reload() {
    s = (await findSuggestion(id)) || s;
    render();
  }

  function render() {
    fill(head, h("div",
      h("h1#suggestion-title", s.title || "（无标题）", " ", statusBadge(s.status)),
      h("p.muted", `${s.category_label} · ${s.submitted_on} 提交`)));
    fill(content, h("h2", "意见内容"), h("p.prewrap", s.content));
    renderThread();
    renderManage();
  }

  function renderThread() {
    const msg = h("div.form-message");
    const text = h("textarea#reply-body", { rows: 4, maxlength: 2000, "aria-label": "回复内容",
      placeholder: "回复会显示给持有回执码的提交人" });
    const send = h("button.btn.btn-primary", { type: "submit" }, "发送回复");
    const closed = s.status === "closed";
    fill(thread, h("h2", "沟通记录"),
      s.messages.length
        ? h("ol.thread", s.messages.map((m) => h(`li.thread-msg.thread-${m.from}`, { dataset: { from: m.from } },
          h("div.thread-meta", m.from === "staff" ? "工会回复" : "提交人",
            " · ", m.from === "staff" ? fmtTime(m.created_at) : fmtTime(m.created_at).slice(0, 10)),
          h("p.prewrap", m.body))))
        : h("p.muted", "还没有回复。"),
      closed ? alertBox("该建议已关闭，不能再回复。", "warn")
        : h("form.form#reply-form", { novalidate: true, onsubmit: onReply }, msg, text, h("div.form-actions", send)));

    async function onReply(e) {
      e.preventDefault();
      msg.replaceChildren();
      if (!text.value.trim()) { msg.append(alertBox("请输入回复内容")); return; }
      busy(send, true);
      try {
        await api(`/suggestions/${id}/messages`, { method: "POST", body: { body: text.value } });
        toast("回复已发送");
        await reload();
      } catch (err) {
        msg.append(alertBox(err.details?.fields?.body || err.message));
        busy(send, false);
      }
    }
  }

  function renderManage() {
    const msg = h("div.form-message#manage-message");
    const status = h("select#suggestion-status-select", { "aria-label": "处理状态" },
      Object.entries(SUGGESTION_STATUS).map(([v, t]) => h("option", { value: v, selected: v === s.status }, t)));
    const save = h("button.btn.btn-primary.btn-sm", { type: "button", onclick: onStatus }, "更新状态");
    const toggle = h("input#suggestion-public", { type: "checkbox", checked: s.public, onchange: onPublic });
    fill(manage, h("h2", "处理"), msg,
      h("div.inline-form", h("label", { for: "suggestion-status-select" }, "状态"), status, save),
      h("label.check", toggle, " 公开到意见公示栏"),
      h("small.hint", "公开后，会员可在小程序的意见公示栏看到该意见和工会的回复（不含提交人的追问）。"));

    async function patch(body, done) {
      msg.replaceChildren();
      try {
        s = { ...s, ...(await api(`/suggestions/${id}`, { method: "PATCH", body })) };
        toast(done);
        render();
      } catch (err) {
        render();
        $msg().append(alertBox(err.message));
      }
    }
    function onStatus() {
      busy(save, true);
      patch({ status: status.value }, `已标记为「${SUGGESTION_STATUS[status.value]}」`);
    }
    function onPublic() {
      toggle.disabled = true;
      patch({ public: toggle.checked }, toggle.checked ? "已公开到意见公示栏" : "已从意见公示栏撤下");
    }
  }

  const $msg = () => manage.querySelector("#manage-message");
  render();
}
