// Volunteer hours (docs/volunteers.md): members' totals by year (filter, search, Excel), the leaderboard as
// members see it, and a member's record with staff adjustments (a reason each, kept) and the certificate.
import { api, downloadFile, fmtTime } from "./core.js";
import {
  PagedList, alertBox, field, formActions, formMessage, formState, input, pageHeader, pagedTable, submitForm, table,
  toast, toneBadge,
} from "./components.js";
import { html, nothing, render } from "./view.js";

const thisYear = () => new Date().getFullYear();
const hm = (minutes) => {
  const sign = minutes < 0 ? "-" : "";
  const m = Math.abs(minutes);
  return `${sign}${Math.floor(m / 60)} 小时${m % 60 ? ` ${m % 60} 分钟` : ""}`;
};

export async function viewVolunteers(root) {
  const filters = { year: String(thisYear()), department: "", q: "" };
  const list = new PagedList({ path: "/volunteer-hours", query: () => filters, perPage: 20, draw });
  let board = null;
  let boardError = "";

  const row = (m) => html`<tr data-member-id=${m.member_id}>
    <td><a class="event-link" href="#/volunteers/${m.member_id}">${m.name}</a></td>
    <td>${m.employee_no}</td><td>${m.department || "—"}</td>
    <td class="num">${m.events}</td><td class="num">${m.total_hours}</td><td class="num">${m.points}</td></tr>`;

  function onFilter(e) {
    e.preventDefault();
    const el = e.currentTarget.elements;
    Object.assign(filters, { year: el.year.value.trim(), department: el.department.value.trim(), q: el.q.value.trim() });
    list.restart();
    loadBoard();
  }

  async function loadBoard() {
    try {
      board = await api(`/volunteers/leaderboard?${new URLSearchParams({ year: filters.year || String(thisYear()), limit: "10" })}`);
      boardError = "";
    } catch (e) {
      boardError = e.message;
    }
    draw();
  }

  function boardCard() {
    if (boardError) return alertBox(boardError);
    if (!board) return html`<p class="muted">正在加载…</p>`;
    if (!board.items.length) return html`<p class="muted" id="board-empty">${board.year}年暂无排行。</p>`;
    return table({ id: "leaderboard", head: ["名次", "姓名", "部门", { text: "时长（小时）", cls: "num" }],
      rows: board.items.map((r) => html`<tr><td class="num">${r.rank}</td><td>${r.name}</td><td>${r.department || "—"}</td>
        <td class="num">${r.total_hours}</td></tr>`) });
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "志愿服务",
        sub: "志愿服务活动现场扫码签到、签退自动计时（不超过活动时长）；工作人员可填写原因调整时长",
        actions: html`<button class="btn btn-sm btn-ghost" id="export-xlsx" type="button" @click=${(e) => downloadFile(
          `/volunteer-hours?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), format: "xlsx" })}`,
          null, e.currentTarget)}>导出 Excel</button>`,
      })}
      <div class="card">
        <form class="card-head filters" id="volunteer-filters" @submit=${onFilter}>
          <input name="year" type="number" aria-label="年度" placeholder="年度（空为全部）" .value=${filters.year}>
          <input name="department" aria-label="部门" placeholder="部门" .value=${filters.department}>
          <input name="q" aria-label="姓名或工号" placeholder="姓名或工号" .value=${filters.q}>
          <button class="btn btn-sm" id="apply-filters" type="submit">查询</button>
        </form>
        ${pagedTable(list, {
          id: "volunteers-table", row,
          head: ["姓名", "工号", "部门", { text: "活动（次）", cls: "num" }, { text: "时长（小时）", cls: "num" },
            { text: "积分", cls: "num" }],
          empty: html`<p>该条件下没有志愿服务记录。</p>`,
        })}
      </div>
      <div class="card" id="board-card"><h2>${board ? board.year : filters.year}年排行榜（前 10 名）</h2>
        <p class="muted">与会员在小程序中看到的一致；选择不展示的会员不参与排名。</p>${boardCard()}</div>
    </div>`, root);
  }

  await Promise.all([list.load(), loadBoard()]);
}

export async function viewVolunteer(root, memberId) {
  const back = { href: "#/volunteers", text: "返回志愿服务" };
  let year = String(thisYear());
  let record;
  const form = formState();

  async function load() {
    const q = year ? `?year=${year}` : "";
    record = await api(`/volunteer-hours/${memberId}${q}`);
  }

  try {
    await load();
  } catch (e) {
    if (e.code !== "not_found") throw e;
    render(html`<div class="page">${pageHeader({ back, title: "志愿服务记录" })}${alertBox("会员不存在")}</div>`, root);
    return;
  }

  const itemRow = (i) => html`<tr class=${i.kind === "adjustment" ? "adjustment-row" : "event-row"}>
    <td class="nowrap">${i.date}</td>
    <td>${i.kind === "adjustment" ? toneBadge("调整", "live") : toneBadge("活动", "muted")} ${i.title || "—"}</td>
    <td class="nowrap">${i.checked_in_at ? fmtTime(i.checked_in_at) : "—"}</td>
    <td class="nowrap">${i.checked_out_at ? fmtTime(i.checked_out_at) : i.kind === "event" ? "未签退" : "—"}</td>
    <td class="num">${i.kind === "adjustment" && i.minutes > 0 ? "+" : ""}${i.minutes}</td>
    <td class="prewrap">${i.reason || ""}${i.created_by ? html` <span class="muted">（${i.created_by}）</span>` : nothing}</td></tr>`;

  function adjustForm() {
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "adjust" }, c);
    const events = record.items.filter((i) => i.kind === "event");
    return html`<div class="card"><h2>调整时长</h2>
      <form class="form" id="adjust-form" novalidate @submit=${(e) => submitForm(form, e, draw, async (el) => {
        const raw = el.minutes.value.trim();
        const minutes = /^-?\d+$/.test(raw) ? Number(raw) * (el.direction.value === "minus" ? -1 : 1) : raw;
        const body = { minutes, reason: el.reason.value };
        if (el.event_id.value) body.event_id = Number(el.event_id.value);
        const r = await api(`/volunteer-hours/${memberId}/adjustments`, { method: "POST", body });
        el.minutes.value = "";
        el.reason.value = "";
        toast(`已调整，累计时长 ${hm(r.total_minutes)}`);
        await load();
      })}>
        ${formMessage(form.errors)}
        ${f({ name: "direction", label: "调整方向", required: true }, (a) => html`<select id=${a.id} name=${a.name}>
          <option value="plus">增加</option><option value="minus">减少</option></select>`)}
        ${f({ name: "minutes", label: "分钟数", required: true, hint: "如 90 表示 1 小时 30 分钟" }, input({ type: "number" }))}
        ${f({ name: "event_id", label: "相关活动（可不选）" }, (a) => html`<select id=${a.id} name=${a.name}>
          <option value="">不关联活动</option>${events.map((i) => html`<option value=${i.event_id}>${i.date} ${i.title}</option>`)}</select>`)}
        ${f({ name: "reason", label: "调整原因", required: true, hint: "原因会保留并记入审计留痕，会员可以看到" },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="500"></textarea>`)}
        ${formActions("保存调整", form)}
      </form></div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        back, title: `${record.name} 的志愿服务记录`, titleId: "volunteer-title",
        sub: html`<span id="volunteer-total">${year ? `${year}年` : "累计"} ${hm(record.total_minutes)}（${record.total_hours} 小时）· 积分 ${record.points}</span>`,
        actions: html`
          <select id="volunteer-year" aria-label="年度" class="select-sm" @change=${async (e) => { year = e.currentTarget.value; await load(); draw(); }}>
            ${[thisYear(), thisYear() - 1, thisYear() - 2].map((y) => html`<option value=${y} ?selected=${String(y) === year}>${y}年</option>`)}
            <option value="" ?selected=${year === ""}>全部年度</option></select>
          <button class="btn btn-primary btn-sm" id="certificate" type="button" @click=${(e) => downloadFile(
            `/volunteer-hours/${memberId}/certificate.pdf?year=${year || thisYear()}`, null, e.currentTarget)}>下载${year || thisYear()}年度证明（PDF）</button>`,
      })}
      <div class="card">${record.items.length
        ? table({ id: "volunteer-items", head: ["日期", "活动 / 调整", "签到", "签退", { text: "分钟", cls: "num" }, "原因"],
          rows: record.items.map(itemRow) })
        : html`<p class="muted" id="volunteer-empty">该年度没有志愿服务记录。</p>`}</div>
      ${adjustForm()}
    </div>`, root);
  }

  draw();
}
