// The management effectiveness report (工会管理效能报告; docs/reports.md): a period's one-page summary, each
// area's figures, tables and charts, the improvement items the report checks (整改跟踪), the definitions, and the
// archived reports. The page draws the report dict as the server sends it and computes no figure; 立整改 opens an
// improvement item naming a figure or a table cell, which the report of the period holding its due date checks.
import { ApiError, api, downloadFile, fmtTime, fmtValue, parts } from "./core.js";
import {
  alertBox, field, fieldError, formMessage, formState, input, loading, pageHeader, submitButton, submitForm, table,
  toast, toneBadge,
} from "./components.js";
import { label } from "./labels.js";
import { MemberPicker } from "./members.js";
import { html, nothing, render } from "./view.js";
import * as echarts from "./vendor/echarts/echarts.esm.min.js";

const PALETTE = ["#b91c1c", "#1d4ed8", "#15803d", "#b45309", "#7c3aed", "#0e7490"];
const QUARTER_NAMES = "一二三四";
const BASE = "/reports/effectiveness";
// Units a target can be set in, as staff type it (a percent as 60, sent as 0.6).
const UNIT_NAME = { percent: "%", hours: "小时", days: "天", score: "分", times: "次", count: "" };
const VERDICT_TONE = { 已达标: "open", 未达标: "danger", 无法判断: "muted", 进行中: "live" };
const CELL_UNITS = ["percent", "hours", "days", "score", "times"];

// --- periods ----------------------------------------------------------------------------------------

export const periodLabel = (key) => {
  const [y, q] = key.split("Q");
  return q ? `${y}年第${QUARTER_NAMES[Number(q) - 1]}季度` : `${y}年度`;
};

/** The periods on offer: every quarter of this year and the two before that has begun, and the whole years. */
export function periodChoices(today = parts(new Date().toISOString()).date) {
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  return [year, year - 1, year - 2].map((y) => ({
    year: y,
    keys: [String(y), ...[4, 3, 2, 1].filter((q) => y < year || q <= quarter).map((q) => `${y}Q${q}`)],
  }));
}

const periodQuery = (key) => (key.includes("Q") ? `quarter=${key}` : `year=${key}`);

// --- numbers ------------------------------------------------------------------------------------------

/** The change against the previous period: ▲/▼ and how much, green when better, red when worse, grey without. */
function change(f) {
  if (f.change == null) return html`<span class="trend trend-none" data-trend="none">—</span>`;
  if (f.change === 0) return html`<span class="trend trend-none" data-trend="flat">持平</span>`;
  const up = f.change > 0;
  const size = f.unit === "percent" ? `${Math.abs(f.change * 100).toFixed(1)} 个百分点` : fmtValue(Math.abs(f.change), f.unit);
  const good = f.better == null ? "none" : (up === (f.better === "higher")) ? "good" : "bad";
  return html`<span class="trend trend-${good}" data-trend=${good}>${up ? "▲" : "▼"} ${size}</span>`;
}

/** The verb of an improvement's title: raise what should be higher, shorten a time, lower the rest. */
const verb = (fig) => (fig.better === "higher" ? "提升" : ["hours", "days"].includes(fig.unit) ? "缩短" : "降低");

/** A target as typed (a percent in %) to the figure's own scale, or an error beside the box. */
function readTarget(text, unit) {
  const s = text.trim();
  if (!s) return [undefined, "请填写目标值"];
  if (!/^\d+(\.\d+)?$/.test(s)) return [undefined, "请输入不小于 0 的数字"];
  const n = Number(s);
  if (unit === "percent") {
    if (n > 100) return [undefined, "百分比应在 0 到 100 之间"];
    return [Math.round(n * 100) / 10000, null];
  }
  if (unit === "score" && (n < 1 || n > 5)) return [undefined, "评分应在 1 到 5 之间"];
  return [n, null];
}

// --- charts -----------------------------------------------------------------------------------------

function chartOption(t) {
  const cols = t.chart.series.map((k) => t.columns.find((c) => c.key === k)).filter(Boolean);
  const pct = cols.length > 0 && cols.every((c) => c.unit === "percent");
  // Percent values are drawn as 0..100 so the axis and the tooltip read like the table.
  const val = (v, c) => (v == null ? null : c.unit === "percent" ? Math.round(v * 10000) / 100 : v);
  const many = t.rows.length > 8;
  return {
    animation: false,
    color: PALETTE,
    // richText draws the tooltip on the canvas; the HTML tooltip writes style attributes the CSP blocks.
    tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: t.chart.kind === "bar" ? "shadow" : "line" },
      valueFormatter: (v) => (v == null ? "—" : pct ? `${v}%` : String(v)) },
    legend: cols.length > 1 ? { top: 0 } : { show: false },
    grid: { left: 8, right: 16, top: cols.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: t.rows.map((r) => r.label),
      axisLabel: { interval: 0, rotate: many ? 40 : 0, width: many ? 80 : 120, overflow: "truncate" } },
    yAxis: { type: "value", axisLabel: { formatter: pct ? "{value}%" : "{value}" },
      minInterval: cols.every((c) => c.unit === "count") ? 1 : 0 },
    series: cols.map((c) => ({ name: c.label, type: t.chart.kind, data: t.rows.map((r) => val(r[c.key], c)),
      connectNulls: false, barMaxWidth: 36 })),
  };
}

// --- the page ---------------------------------------------------------------------------------------

/** #/reports (the last complete quarter), #/reports/2026Q4, #/reports/2026; "/archived": the archived copy. */
export async function viewReport(root, key = null, archived = null) {
  const isArchived = Boolean(archived && key);
  let report = null;
  let error = null;
  let archive = null;
  let archiveError = null;
  // The 立整改 form: what it names (figure or cell), its state and its owner picker.
  let target = null;
  let form = formState();
  let picker = null;
  const charts = [];
  let chartsOf = null;

  const fetchReport = () => api(isArchived ? `${BASE}/archive/${key}` : key ? `${BASE}?${periodQuery(key)}` : BASE);
  const figureMap = () => Object.fromEntries(report.figures.map((f) => [f.key, f]));

  // --- 立整改 ---

  function openForm(ref, fig, group, value) {
    const title = `${verb(fig)}${fig.label}${group ? `（${group}）` : ""}`;
    // A running period's items are due by its end by default, so this report checks them.
    const due = report.period.complete ? "" : report.period.end;
    target = { ref, fig, group, value, title, due };
    form = formState();
    picker = new MemberPicker(() => draw());
    draw();
    const dlg = root.querySelector("#improve-dialog");
    if (!dlg.open) dlg.showModal();
    dlg.querySelector("[name=title]").focus();
  }

  function closeForm() {
    const dlg = root.querySelector("#improve-dialog");
    if (dlg?.open) dlg.close();
  }

  const improveButton = (ref, fig, group, value, name) => html`<button type="button" class="btn btn-ghost btn-xs improve"
    data-improve=${ref} aria-label="立整改：${name}" title="就此指标登记整改事项"
    @click=${() => openForm(ref, fig, group, value)}>立整改</button>`;

  async function submitImprovement(el) {
    const [value, targetError] = readTarget(el.target.value, target.fig.unit);
    if (targetError) throw new ApiError(400, "invalid_request", targetError, { fields: { target: targetError } });
    const body = {
      title: el.title.value.trim(), description: el.description.value.trim(), source: "report",
      owner_id: picker.chosen[picker.chosen.length - 1]?.id, due_date: el.due_date.value || undefined,
      figure: target.ref, target: value,
    };
    const item = await api("/improvements", { method: "POST", body });
    closeForm();
    try {
      report = await fetchReport();
    } catch (e) {
      if (e.status === 401) throw e;
    }
    const tracked = report.improvements.some((i) => i.id === item.id);
    toast(tracked ? "整改事项已登记，已列入本期整改跟踪" : "整改事项已登记；期限不在本期，由期限所在期间的报告跟踪");
  }

  function improveForm() {
    if (!target) return nothing;
    const t = target;
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "improve" }, c);
    const unit = UNIT_NAME[t.fig.unit] || "";
    return html`<form class="form" id="improve-form" novalidate
      @submit=${(e) => submitForm(form, e, draw, submitImprovement)}>
      <h2>立整改</h2>
      <p class="muted" id="improve-figure">指标：${t.fig.label}${t.group ? `（${t.group}）` : ""}；本期
        ${fmtValue(t.value, t.fig.unit)}</p>
      ${fieldError("figure", form.errors)}
      ${formMessage(form.errors)}
      ${f({ name: "title", label: "整改事项", required: true }, input({ value: t.title, maxlength: 100 }))}
      ${picker.view("improve-owner", form.errors, "owner_id", "负责人")}
      ${f({ name: "due_date", label: "整改期限", required: true, hint: "期限所在期间的报告检查是否达标" },
        input({ type: "date", value: t.due }))}
      ${f({ name: "target", label: `目标值${unit ? `（${unit}）` : ""}`, required: true,
        hint: t.fig.better === "lower" ? "不高于此值即为达标" : "达到或高于此值即为达标" },
        (a) => html`<div class="input-unit"><input id=${a.id} name=${a.name} inputmode="decimal" autocomplete="off"
          placeholder=${t.fig.unit === "percent" && t.value != null ? (t.value * 100).toFixed(1) : ""}>${unit
          ? html`<span>${unit}</span>` : nothing}</div>`)}
      ${f({ name: "description", label: "问题说明" },
        (a) => html`<textarea id=${a.id} name=${a.name} rows="2" maxlength="5000"></textarea>`)}
      <div class="form-actions"><button type="button" class="btn btn-ghost" @click=${closeForm}>取消</button>
        ${submitButton("登记整改事项", form.busy)}</div></form>`;
  }

  // --- parts of the report ---

  const card = (f) => html`<div class="report-card" data-figure=${f.key}>
    <span class="report-card-label">${f.label}</span>
    <b class="report-card-value">${fmtValue(f.value, f.unit)}</b>
    <span class="report-card-prev">上期 ${fmtValue(f.previous, f.unit)}</span>
    ${change(f)}</div>`;

  const figureRow = (f) => html`<li data-figure=${f.key}>
    <span class="report-fig-label" title=${f.definition}>${f.label}</span>
    <b class="report-fig-value">${fmtValue(f.value, f.unit)}</b>
    <span class="muted">上期 ${fmtValue(f.previous, f.unit)}</span>
    ${change(f)}
    ${f.better && !isArchived ? improveButton(f.key, f, null, f.value, f.label) : nothing}</li>`;

  function cell(t, r, c, figs) {
    const v = r[c.key];
    // A merged group still under five shows its size only; its other cells would tell about fewer than five.
    const size = t.columns.find((x) => x.unit === "count");
    const small = r.merged && v == null && size && r[size.key] != null && r[size.key] < report.min_group;
    // A cell can be checked when its column stands for a figure (participation.by_department:12:rate).
    const fig = figs[c.figure];
    const can = !isArchived && fig?.better && CELL_UNITS.includes(c.unit);
    return html`<td class="num" data-col=${c.key}>${small ? html`<span class="muted">不足${report.min_group}人</span>`
      : fmtValue(v, c.unit)}${can ? improveButton(`${t.key}:${r.key}:${c.key}`, fig, r.label, v,
      `${fig.label}（${r.label}）`) : nothing}</td>`;
  }

  function reportTable(t, figs) {
    const [first, ...rest] = t.columns;
    return html`<div class="report-table" data-table=${t.key}>
      <h3>${t.title}</h3>
      ${t.chart && t.rows.length ? html`<div class="report-chart" data-chart=${t.key}></div>` : nothing}
      ${t.rows.length ? table({
        id: `table-${t.key.replaceAll(".", "-")}`,
        head: [first.label, ...rest.map((c) => ({ text: c.label, cls: "num" }))],
        rows: t.rows.map((r) => html`<tr data-row=${r.key} class=${r.merged ? "row-merged" : ""}>
          <td>${r.label}${r.merged && !r.label.includes("合并") ? html` <span class="badge badge-muted">合并</span>` : nothing}</td>
          ${rest.map((c) => cell(t, r, c, figs))}</tr>`),
      }) : html`<p class="empty">本期没有数据。</p>`}
      ${t.note ? html`<p class="hint report-note">${t.note}</p>` : nothing}</div>`;
  }

  function section(s, figs) {
    return html`<section class="card report-section" id="section-${s.key}" data-section=${s.key}>
      <h2>${s.title}</h2>
      <ul class="report-figures">${s.figures.map((k) => figs[k]).filter(Boolean).map(figureRow)}</ul>
      ${s.tables.map((t) => reportTable(t, figs))}
      ${s.note ? html`<p class="hint">${s.note}</p>` : nothing}</section>`;
  }

  function checks() {
    const items = report.improvements;
    const row = (i) => html`<tr data-improvement-id=${i.id}>
      <td><a class="event-link" href="#/improvements/${i.id}">${i.title}</a></td>
      <td>${i.figure_label}${i.group ? html`<div class="sub">${i.group}</div>` : nothing}</td>
      <td class="num">${fmtValue(i.target, i.unit)}</td>
      <td class="num">${fmtValue(i.value, i.unit)}</td>
      <td>${toneBadge(i.verdict, VERDICT_TONE[i.verdict] || "muted")}</td>
      <td class="nowrap">${i.owner.name}</td>
      <td class="nowrap">${i.due_date}</td></tr>`;
    return html`<section class="card report-section" id="report-checks"><h2>整改跟踪</h2>
      ${items.length ? table({ id: "checks-table", head: ["整改事项", "指标", { text: "目标", cls: "num" },
        { text: "本期值", cls: "num" }, "结论", "负责人", "期限"], rows: items.map(row) })
        : html`<p class="empty">本期没有需跟踪的整改事项。可在上方指标或表格单元格旁点“立整改”登记。</p>`}
      <p class="hint">期限在本期内的事项按本期数值判断是否达标；期限在以后的显示“进行中”。</p></section>`;
  }

  const appendix = () => html`<details class="card report-appendix" id="report-appendix">
    <summary><h2>指标定义</h2></summary>
    <dl class="details">${report.figures.map((f) => html`<dt>${f.label}</dt><dd data-definition=${f.key}>${f.definition}</dd>`)}</dl>
  </details>`;

  function archiveCard() {
    const row = (a) => html`<tr data-period=${a.period}>
      <td><a href="#/reports/${a.period}">${a.label}</a></td>
      <td class="nowrap">${fmtTime(a.generated_at)}</td>
      <td>${label("report_origin", a.origin)}</td>
      <td class="actions"><a class="btn btn-ghost btn-sm" href="#/reports/${a.period}/archived">查看归档版</a>
        <button type="button" class="btn btn-ghost btn-sm" data-archive-pdf=${a.period}
          @click=${(e) => downloadFile(`${BASE}/archive/${a.period}.pdf`, `工会管理效能报告-${a.label}.pdf`, e.currentTarget)}>下载 PDF</button></td></tr>`;
    return html`<div class="card" id="report-archive"><h2>归档报告</h2>
      ${archiveError ? alertBox(archiveError) : !archive ? loading() : archive.items.length
        ? table({ id: "archive-table", head: ["期间", "生成时间", "方式", { text: "", cls: "actions" }], rows: archive.items.map(row) })
        : html`<p class="empty">还没有归档的报告。每季度结束后系统自动生成并归档。</p>`}</div>`;
  }

  function periodSelect() {
    const shown = report?.period.key || key;
    const choices = periodChoices();
    const listed = choices.some((c) => c.keys.includes(shown));
    return html`<select class="select-sm" id="report-period" aria-label="报告期间"
      @change=${(e) => { location.hash = `#/reports/${e.target.value}`; }}>
      ${!shown ? html`<option value="" selected>上一个完整季度</option>` : nothing}
      ${shown && !listed ? html`<option value=${shown} selected>${periodLabel(shown)}</option>` : nothing}
      ${choices.map((c) => html`<optgroup label="${c.year}年">${c.keys.map((k) => html`<option value=${k}
        ?selected=${k === shown}>${k.includes("Q") ? periodLabel(k) : `${c.year}年全年`}</option>`)}</optgroup>`)}
    </select>`;
  }

  function downloads() {
    if (!report) return nothing;
    const p = report.period;
    if (isArchived) {
      return html`<button type="button" class="btn btn-primary btn-sm" id="report-pdf"
        @click=${(e) => downloadFile(`${BASE}/archive/${p.key}.pdf`, `工会管理效能报告-${p.label}.pdf`, e.currentTarget)}>PDF</button>`;
    }
    const q = periodQuery(p.key);
    return html`<button type="button" class="btn btn-primary btn-sm" id="report-pdf"
        @click=${(e) => downloadFile(`${BASE}?${q}&format=pdf`, `工会管理效能报告-${p.label}.pdf`, e.currentTarget)}>PDF</button>
      <button type="button" class="btn btn-ghost btn-sm" id="report-xlsx"
        @click=${(e) => downloadFile(`${BASE}?${q}&format=xlsx`, `工会管理效能报告-${p.label}.xlsx`, e.currentTarget)}>Excel</button>`;
  }

  function body() {
    if (error) return alertBox(error);
    if (!report) return loading();
    const figs = figureMap();
    const headline = report.figures.filter((f) => f.headline);
    return html`
      ${isArchived ? html`<div class="alert alert-info report-banner" id="report-archived">归档版本：${fmtTime(report.generated_at)}
        生成时的数据，与报送党政联席会的 PDF 一致。<a href="#/reports/${report.period.key}">查看按当前数据计算的报告</a></div>` : nothing}
      ${report.period.complete ? nothing
        : html`<div class="alert alert-warn report-banner" id="report-incomplete">本期尚未结束，数据截至今日</div>`}
      <div class="card" id="report-summary"><h2>概览 <small class="muted">与${report.previous.label}相比</small></h2>
        <div class="report-cards">${headline.map(card)}</div></div>
      ${report.sections.map((s) => section(s, figs))}
      ${checks()}
      ${appendix()}`;
  }

  function draw() {
    const p = report?.period;
    render(html`<div class="page" id="report-page">
      ${pageHeader({
        title: "工会管理效能报告", titleId: "report-title",
        sub: p ? html`<span id="report-period-label">${p.label}</span>（${p.start} 至 ${p.end}）· 生成于 ${fmtTime(report.generated_at)}`
          : key ? periodLabel(key) : "上一个完整季度",
        actions: html`${periodSelect()}${downloads()}`,
      })}
      ${body()}
      ${archiveCard()}
      <dialog class="dialog dialog-wide" id="improve-dialog" @close=${() => { target = null; draw(); }}>${improveForm()}</dialog>
    </div>`, root);
    drawCharts();
  }

  function disposeCharts() {
    while (charts.length) charts.pop().dispose();
    chartsOf = null;
  }

  function drawCharts() {
    // Drawn once per report (a re-render for the form keeps the same boxes); a new report draws them afresh.
    if (!report || chartsOf === report) return;
    disposeCharts();
    for (const t of report.sections.flatMap((s) => s.tables)) {
      const el = root.querySelector(`[data-chart="${t.key}"]`);
      if (!el || !t.chart) continue;
      const chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(chartOption(t));
      charts.push(chart);
    }
    chartsOf = report;
  }

  const onResize = () => charts.forEach((c) => c.resize());
  draw();
  const archiveLoad = api(`${BASE}/archive`).then((a) => { archive = a; }, (e) => { archiveError = e.message; });
  try {
    report = await fetchReport();
  } catch (e) {
    if (e.status === 401) throw e;
    error = e.code === "not_found" ? "该期间没有归档的报告" : e.message;
  }
  draw();
  archiveLoad.then(() => { if (root.isConnected) draw(); });
  window.addEventListener("resize", onResize);
  return () => {
    window.removeEventListener("resize", onResize);
    disposeCharts();
  };
}
