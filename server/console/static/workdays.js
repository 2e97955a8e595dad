// Working-day calendar (API.md "Working-day calendar (China)"): a year as 12 month grids marking holidays,
// make-up working days (调休) and weekends, with where each answer comes from; admins set or reset a day
// and upload a year's schedule (CSV); the banner warns admins while this or next year is not entered.
import { API, api, session } from "./core.js";
import { alertBox, loading, pageHeader, table, toast } from "./components.js";
import { label } from "./labels.js";
import { html, nothing, render } from "./view.js";

const isAdmin = () => (session.member?.roles || []).includes("admin");
const WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"];
const pad = (n) => String(n).padStart(2, "0");

/** Today's year in Beijing time (the browser's own zone may differ). */
function thisYear() {
  return Number(new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format(new Date()));
}

/** Monday = 0 … Sunday = 6 of a YYYY-MM-DD day, computed in UTC so no zone shifts it. */
const weekday = (iso) => (new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7;

/** What a day is, for its colour: holiday, makeup (a weekend worked), weekend, or a plain workday. */
function kind(d) {
  const weekend = weekday(d.date) >= 5;
  if (d.workday) return weekend ? "makeup" : "workday";
  return weekend && !d.name ? "weekend" : "holiday";
}

const KIND_TEXT = { holiday: "节假日", makeup: "调休上班", weekend: "周末", workday: "工作日" };

// --- the banner (every page, admins only) ----------------------------------------------------------

let bannerSeq = 0;

/** Shows or hides the top banner for admins from GET /workdays/status; called on each page visit and after
 * an admin changed the calendar. */
export async function refreshWorkdayBanner() {
  const el = document.getElementById("workday-banner");
  if (!el) return;
  const mine = ++bannerSeq;
  if (!session.valid || !isAdmin()) { el.hidden = true; return; }
  let status = null;
  try { status = await api("/workdays/status"); } catch { /* the banner is a hint; a failed check shows nothing */ }
  if (mine !== bannerSeq) return;
  const years = status?.warn_years || [];
  el.hidden = !years.length;
  render(years.length ? html`<span>${years.map((y) => `${y} 年`).join("、")}的节假日安排尚未录入，工作日按周一至周五计算。
    请在“工作日历”中录入。</span> <a href="#/workdays/${years[0]}">去录入</a>` : nothing, el);
}

// --- the year view ---------------------------------------------------------------------------------

export async function viewWorkdays(root, yearText) {
  const year = Number(yearText) || thisYear();
  const admin = isAdmin();
  let days = null;        // [{date, workday, name, known, source}] of the year
  let error = null;
  let picked = null;      // the day open in the side panel
  const edit = { busy: false, error: "" };
  const upload = { file: null, busy: false, report: null, error: "", lines: [] };

  async function load() {
    try {
      days = (await api(`/workdays?from=${year}-01-01&to=${year}-12-31`)).items;
      error = null;
    } catch (e) {
      error = e;
    }
    if (picked) picked = days?.find((d) => d.date === picked.date) || null;
    draw();
  }

  function pick(d) {
    picked = d;
    edit.error = "";
    draw();
    document.getElementById("day-panel")?.scrollIntoView({ block: "nearest" });
  }

  function cell(d) {
    const k = kind(d);
    const title = [d.date, d.name, KIND_TEXT[k], label("workday_source", d.source)].filter(Boolean).join(" · ");
    return html`<td><button type="button" class="wd-day wd-${k} ${d.source === "admin" ? "wd-admin" : ""}
        ${picked?.date === d.date ? "wd-picked" : ""}" data-date=${d.date} data-kind=${k} data-source=${d.source}
        title=${title} aria-label=${title} @click=${() => pick(d)}>${Number(d.date.slice(8))}</button></td>`;
  }

  function month(m) {
    const inMonth = days.filter((d) => d.date.startsWith(`${year}-${pad(m)}-`));
    const lead = weekday(inMonth[0].date);
    const cells = [...Array(lead).fill(null), ...inMonth];
    const weeks = [];
    for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
    return html`<div class="wd-month" data-month=${m}><h3>${m} 月</h3>
      <table><thead><tr>${WEEKDAYS.map((w) => html`<th>${w}</th>`)}</tr></thead>
      <tbody>${weeks.map((w) => html`<tr>${w.map((d) => (d ? cell(d) : html`<td></td>`))}</tr>`)}</tbody></table></div>`;
  }

  function yearStatus() {
    const known = days.some((d) => d.known);
    const entered = days.filter((d) => d.source === "admin").length;
    const holidays = days.filter((d) => kind(d) === "holiday").length;
    const makeups = days.filter((d) => kind(d) === "makeup").length;
    return html`<p id="year-status" data-known=${String(known)}>${known
      ? html`${year} 年的安排已知：节假日 <b>${holidays}</b> 天，调休上班 <b>${makeups}</b> 天${entered
        ? html`（其中管理员录入 ${entered} 天）` : nothing}。`
      : alertBox(html`${year} 年的节假日安排尚未录入，暂按周一至周五计算工作日。${admin
        ? "请点击日期逐日设置，或在下方上传国务院公布的安排（CSV）。" : "请联系系统管理员录入。"}`, "warn")}</p>`;
  }

  const legend = () => html`<div class="wd-legend">
    <span><i class="wd-swatch wd-holiday"></i>节假日</span><span><i class="wd-swatch wd-makeup"></i>调休上班</span>
    <span><i class="wd-swatch wd-weekend"></i>周末</span><span><i class="wd-swatch wd-workday"></i>工作日</span>
    <span><i class="wd-swatch wd-workday wd-admin"></i>管理员录入</span></div>`;

  async function save(ev) {
    ev.preventDefault();
    const f = ev.currentTarget.elements;
    const body = { workday: f.workday.value === "1" };
    const name = f.name.value.trim();
    if (name) body.name = name;
    await change(() => api(`/workdays/${picked.date}`, { method: "PUT", body }), "已保存");
  }

  const reset = () => change(() => api(`/workdays/${picked.date}`, { method: "DELETE" }), "已恢复默认");

  async function change(call, done) {
    edit.busy = true;
    edit.error = "";
    draw();
    try {
      const d = await call();
      days = days.map((x) => (x.date === d.date ? d : x));
      picked = d;
      toast(done);
      refreshWorkdayBanner();
    } catch (e) {
      edit.error = Object.values(e.details?.fields || {})[0] || e.message;
    } finally {
      edit.busy = false;
      draw();
    }
  }

  function panel() {
    if (!picked) {
      return html`<div class="card" id="day-panel"><h2>日期</h2>
        <p class="muted">${admin ? "点击日历中的日期查看或修改。" : "点击日历中的日期查看详情。"}</p></div>`;
    }
    const d = picked;
    const k = kind(d);
    return html`<div class="card" id="day-panel" data-date=${d.date}>
      <h2 id="day-title">${d.date}（周${WEEKDAYS[weekday(d.date)]}）</h2>
      <dl class="details">
        <dt>类型</dt><dd id="day-kind">${KIND_TEXT[k]}${d.name ? `：${d.name}` : ""}</dd>
        <dt>来源</dt><dd id="day-source">${label("workday_source", d.source)}</dd>
      </dl>
      ${admin ? html`<form class="form wd-edit" id="day-form" @submit=${save}>
        <div class="field"><span>这一天</span>
          <label class="check"><input type="radio" name="workday" value="1" ?checked=${d.workday}>上班（工作日）</label>
          <label class="check"><input type="radio" name="workday" value="0" ?checked=${!d.workday}>休息（节假日）</label>
        </div>
        <div class="field"><label for="day-name">名称（可选）</label>
          <input id="day-name" name="name" maxlength="40" placeholder="例如：春节、春节调休" .value=${d.name || ""}></div>
        ${edit.error ? alertBox(edit.error) : nothing}
        <div class="form-actions">
          ${d.source === "admin" ? html`<button type="button" class="btn btn-ghost" id="day-reset" ?disabled=${edit.busy}
            @click=${reset}>恢复默认</button>` : nothing}
          <button type="submit" class="btn btn-primary ${edit.busy ? "is-busy" : ""}" id="day-save"
            ?disabled=${edit.busy}>保存</button>
        </div></form>` : nothing}
    </div>`;
  }

  async function startUpload(ev) {
    ev.preventDefault();
    Object.assign(upload, { busy: true, report: null, error: "", lines: [] });
    draw();
    try {
      const data = new FormData();
      data.append("file", upload.file);
      const resp = await fetch(`${API}/workdays/import`, {
        method: "POST", body: data, headers: { Authorization: `Bearer ${session.token}`, Accept: "application/json" },
      });
      let body = null;
      try { body = await resp.json(); } catch { /* not our JSON shape */ }
      if (!resp.ok) {
        upload.error = body?.error?.details?.fields?.file || body?.error?.message || `上传失败（${resp.status}）`;
        upload.lines = body?.error?.details?.lines || [];
        return;
      }
      upload.report = body;
      toast("已导入");
      refreshWorkdayBanner();
      await load();
    } catch {
      upload.error = "无法连接服务器，请检查网络后重试";
    } finally {
      upload.busy = false;
      draw();
    }
  }

  function uploadCard() {
    const r = upload.report;
    return html`<div class="card" id="workday-import"><h2>导入安排</h2>
      <p class="muted">每年 11 月国务院公布下一年的节假日安排后，整理为 CSV 上传（与命令 flask workdays import 规则相同）：
        表头 <span class="mono">date,workday,name</span>，每行一天，只列放假和调休上班的日期，例如
        <span class="mono">2027-02-06,1,春节调休</span>。workday 填 1/0、true/false 或 是/否。有任何错误行时整份文件不导入。</p>
      <form class="inline-form wd-import" @submit=${startUpload}>
        <input type="file" id="workday-file" name="file" accept=".csv,text/csv" aria-label="安排文件"
          @change=${(e) => { upload.file = e.target.files[0] || null; draw(); }}>
        <button class="btn btn-primary ${upload.busy ? "is-busy" : ""}" id="workday-upload" type="submit"
          ?disabled=${!upload.file || upload.busy}>上传并导入</button>
      </form>
      ${upload.error ? alertBox(upload.error) : nothing}
      ${upload.lines.length ? table({
        id: "workday-import-errors", head: ["行号", "原因"],
        rows: upload.lines.map((x) => html`<tr data-line=${x.line}><td class="num">${x.line}</td><td>${x.reason}</td></tr>`),
      }) : nothing}
      ${r ? html`<p id="workday-import-report">已导入 ${r.years.join("、")} 年共 ${r.rows} 天：新增 <b>${r.created}</b>，
        更新 <b>${r.updated}</b>，未变 ${r.unchanged}</p>` : nothing}
    </div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: html`工作日历 <span id="workday-year">${year}</span>`,
        sub: "诉求等时限按此处的工作日计算：国务院公布的节假日与调休，加上管理员录入的日期；未录入的年份按周一至周五计算。",
        actions: html`<a class="btn btn-ghost" id="year-prev" href="#/workdays/${year - 1}">‹ ${year - 1}</a>
          <a class="btn btn-ghost" id="year-next" href="#/workdays/${year + 1}">${year + 1} ›</a>`,
      })}
      ${error ? alertBox(error.message) : days === null ? loading() : html`
        <div class="event-grid">
          <div class="main"><div class="card">${yearStatus()}${legend()}
            <div class="wd-year" id="workday-year-grid">${Array.from({ length: 12 }, (_, i) => month(i + 1))}</div></div>
            ${admin ? uploadCard() : nothing}</div>
          <div class="side">${panel()}</div>
        </div>`}
    </div>`, root);
  }

  draw();
  await load();
}
