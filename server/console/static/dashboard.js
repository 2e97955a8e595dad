// The dashboard, the console's first page: the week's events with sign-up and check-in counts, today's
// bookings, open suggestions, failing deliveries, and check-ins per month by department (ECharts, vendored).
import { api, fmtRange, parts } from "./core.js";
import { alertBox, loading, pageHeader, statusBadge, table } from "./components.js";
import { html, nothing, render } from "./view.js";
import * as echarts from "./vendor/echarts/echarts.esm.min.js";

// Departments in the chart take these in order (the console's red first, then distinguishable hues).
const PALETTE = ["#b91c1c", "#1d4ed8", "#15803d", "#b45309", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f",
  "#9a3412", "#475569"];

/** "2026-03" as "3月"; the first month shown and every January say their year. */
const monthLabel = (m, i) => {
  const [y, mm] = m.split("-");
  return i === 0 || mm === "01" ? `${y}年${Number(mm)}月` : `${Number(mm)}月`;
};

export async function viewDashboard(root) {
  let data = null;
  let error = null;
  let chart = null;

  const signUps = (e) => html`${e.confirmed_count}${e.capacity ? html`<span class="muted"> / ${e.capacity}</span>` : nothing}
    ${e.waitlist_count ? html`<div class="sub">候补 ${e.waitlist_count}</div>` : nothing}`;

  const eventRow = (e) => html`<tr data-event-id=${e.id}>
    <td class="nowrap">${fmtRange(e.starts_at, e.ends_at)}${e.is_today ? html` <span class="badge badge-live">今天</span>` : nothing}</td>
    <td><a class="event-link" href="#/events/${e.id}">${e.title}</a> ${statusBadge("event_kind", e.kind)}
      <div class="sub">${e.location}</div></td>
    <td class="num" data-figure="confirmed">${signUps(e)}</td>
    <td class="num" data-figure="checked-in">${e.checked_in}</td>
    <td class="nowrap">${e.is_today
      // The live screen opens in a window of its own (the projector's); the sign-in is shared by the tabs.
      ? html`<a class="btn btn-sm btn-ghost" href="#/events/${e.id}/screen" target="_blank" rel="noopener">投屏签到码</a>`
      : nothing}</td></tr>`;

  const bookingRow = (b) => html`<tr data-booking-id=${b.id}>
    <td class="nowrap">${parts(b.starts_at).time}–${parts(b.ends_at).time}</td>
    <td><a href="#/bookings/${b.calendar_id}/${parts(b.starts_at).date}">${b.calendar_title}</a>
      <div class="sub">${b.location}</div></td>
    <td>${b.member_name}<div class="sub">${b.employee_no}${b.department ? ` · ${b.department}` : ""}</div></td></tr>`;

  function tiles(d) {
    const todays = d.events.filter((e) => e.is_today);
    const tile = (id, text, value, href, toneName = "") => html`<a class="kpi dash-tile ${toneName}" id=${id} href=${href}>
      <b>${value}</b><span>${text}</span></a>`;
    return html`<div class="dash-tiles">
      ${tile("tile-events-today", "今日活动", todays.length, "#/events")}
      ${tile("tile-checkins-today", "今日签到人次", todays.reduce((n, e) => n + e.checked_in, 0), "#/events")}
      ${tile("tile-bookings-today", "今日预约", d.bookings.length, "#/bookings")}
      ${tile("tile-suggestions", "待处理意见", d.suggestions.open, "#/suggestions", d.suggestions.open ? "dash-warn" : "")}
      ${tile("tile-deliveries", "发送失败/状态未知", d.deliveries.failing,
        d.deliveries.notices.length ? `#/notices/${d.deliveries.notices[0].id}` : "#/notices",
        d.deliveries.failing ? "dash-danger" : "")}
    </div>`;
  }

  function draw() {
    const d = data;
    render(html`<div class="page" id="dashboard">
      ${pageHeader({ title: "工作台", sub: d ? `今天是 ${d.today}，北京时间` : nothing })}
      ${error ? alertBox(error) : nothing}
      ${!d ? (error ? nothing : loading()) : html`
        ${tiles(d)}
        <div class="event-grid">
          <div class="main">
            <div class="card"><h2>今天及未来 7 天的活动</h2>
              ${d.events.length ? table({ id: "dash-events", head: ["时间", "活动", { text: "报名", cls: "num" },
                { text: "签到", cls: "num" }, ""], rows: d.events.map(eventRow) })
                : html`<p class="empty">未来 7 天没有活动。</p>`}</div>
            <div class="card dash-chart-card"><h2>近 12 个月参与情况 <small class="muted">各部门每月签到人次</small></h2>
              ${d.participation.series.length ? nothing : html`<p class="empty">近 12 个月还没有签到记录。</p>`}
              <div id="participation-chart" class="dash-chart" ?hidden=${!d.participation.series.length}></div></div>
          </div>
          <div class="side">
            <div class="card"><h2>今日预约</h2>
              ${d.bookings.length ? table({ id: "dash-bookings", head: ["时间", "服务", "会员"], rows: d.bookings.map(bookingRow) })
                : html`<p class="empty">今天没有预约。</p>`}</div>
            <div class="card"><h2>需要处理</h2>
              <ul class="stat-list" id="dash-attention">
                <li><a href="#/suggestions">待处理的意见</a><b id="open-suggestions">${d.suggestions.open}</b></li>
                ${d.deliveries.notices.map((n) => html`<li data-notice-id=${n.id}>
                  <a href="#/notices/${n.id}">${n.title}</a><b title="发送失败或状态未知">${n.failing}</b></li>`)}
              </ul>
              ${d.deliveries.failing ? html`<p class="hint">共 <b id="failing-deliveries">${d.deliveries.failing}</b>
                条消息发送失败（${d.deliveries.failed}）或状态未知（${d.deliveries.unknown}），点开通知查看并处理。</p>`
                : html`<p class="hint" id="failing-deliveries-none">没有发送失败的消息。</p>`}
            </div>
          </div>
        </div>`}
    </div>`, root);
  }

  function drawChart() {
    const el = root.querySelector("#participation-chart");
    const p = data.participation;
    if (!el || !p.series.length) return;
    chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption({
      // Drawn at once: a tool page, and screenshots and tests see the final picture.
      animation: false,
      color: PALETTE,
      // richText draws the tooltip on the canvas; the HTML tooltip writes style attributes the CSP blocks.
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: p.months.map(monthLabel) },
      yAxis: { type: "value", minInterval: 1, name: "人次" },
      series: p.series.map((s) => ({ name: s.department, type: "bar", stack: "checkins", data: s.counts,
        emphasis: { focus: "series" } })),
    });
  }

  const onResize = () => chart?.resize();
  draw();
  try {
    data = await api("/dashboard");
  } catch (e) {
    if (e.status === 401) throw e;
    error = e.message;
  }
  draw();
  if (data) drawChart();
  window.addEventListener("resize", onResize);
  return () => {
    window.removeEventListener("resize", onResize);
    chart?.dispose();
  };
}
