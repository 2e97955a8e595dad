// Benefits and care packs (福利, 四季暖心; docs/benefits.md): campaigns with their options and windows, the claim
// and redemption figures by option and department, the claims list with its XLSX, the redemption scanner (camera,
// a USB scanner or a typed code; offline, codes are checked here with the campaign's key, queued on this browser
// and synced in batches) and workshop delivery (a delegate collects for night-shift members).
import {
  api, audienceFields, busy, downloadFile, fmtTime, intField, localInputToIso, parts, safeFilename,
} from "./core.js";
import {
  PagedList, alertBox, audienceBoxes, audienceText, confirmDialog, field, fieldError, formActions, formMessage,
  formState, input, loading, pageHeader, pagedTable, statusBadge, submitButton, submitForm, table, toast,
} from "./components.js";
import { choices, label } from "./labels.js";
import { html, nothing, render } from "./view.js";
import { cameraControl, checkSignedCode, scannerBody, seenStore, signedCodeVerifier } from "./scan.js";
import * as echarts from "./vendor/echarts/echarts.esm.min.js";

const PER_PAGE = 20;

/** The server's label of a value ("—" for none). */
const name = (vocab, value) => (value === null || value === undefined ? "—" : label(vocab, value));

const selectOptions = (vocab, selected = "") =>
  choices(vocab).map(([v, t]) => html`<option value=${v} ?selected=${v === selected}>${t}</option>`);

// A cancelled campaign's phase is "closed" (labelled 已取消 by the server).
const phaseBadge = (b) => statusBadge("benefit_phase", b.phase);
const claimBadge = (c) => statusBadge("claim_status", c.status);

const kindText = (b) => name("benefit_kind", b.kind) + (b.season ? ` · ${name("benefit_season", b.season)}` : "");

/** "62.5%" of part over whole; "—" when there is no whole. */
const pct = (part, whole) => (whole ? `${Math.round((1000 * part) / whole) / 10}%` : "—");

/** "张三 · 工号 E1234 · 生产一部", as every staff list names a member. */
function who(out) {
  if (!out?.member_name) return out?.claim_id != null ? `领取记录 ${out.claim_id}` : "";
  return [out.member_name, out.employee_no && `工号 ${out.employee_no}`, out.department].filter(Boolean).join(" · ");
}

const localInput = (iso) => { const p = parts(iso); return `${p.date}T${p.time}`; };

// --- the list ----------------------------------------------------------------------------------------

export async function viewBenefits(root) {
  const filters = { phase: "" };
  const list = new PagedList({ path: "/benefits", query: () => ({ scope: "all", ...filters }), perPage: PER_PAGE, draw });
  const stats = new Map();  // id → stats answer, or {error}

  const rate = (b, key) => {
    const s = stats.get(b.id);
    if (!s) return html`<span class="muted">…</span>`;
    if (s.error) return "—";
    return key === "claim" ? html`<span data-rate="claim">${pct(s.claimed, s.eligible)}</span>
      <div class="sub">${s.claimed} / ${s.eligible} 人</div>`
      : html`<span data-rate="redeem">${pct(s.redeemed, s.claimed)}</span><div class="sub">${s.redeemed} / ${s.claimed}</div>`;
  };

  const row = (b) => html`<tr data-benefit-id=${b.id}>
    <td><a class="event-link" href="#/benefits/${b.id}">${b.title}</a><div class="sub">${kindText(b)} · ${
      b.options.map((o) => o.name).join("、")}</div></td>
    <td>${phaseBadge(b)}</td>
    <td class="nowrap">${fmtTime(b.claim_opens_at)}<div class="sub">至 ${fmtTime(b.claim_closes_at)}</div></td>
    <td class="nowrap">${fmtTime(b.redeem_until)}</td>
    <td class="num">${rate(b, "claim")}</td>
    <td class="num">${rate(b, "redeem")}</td>
    <td class="actions">${b.status === "published" ? html`<a class="btn btn-sm btn-ghost" href="#/benefits/${b.id}/scan">核销</a>` : nothing}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "福利发放",
        sub: "四季暖心、关爱礼包：会员在小程序中选择领取，凭领取码现场核销（北京时间）",
        actions: html`<select class="select-sm" id="benefit-phase" aria-label="按阶段筛选"
            @change=${(e) => { filters.phase = e.target.value; list.restart(); }}>
            <option value="" ?selected=${!filters.phase}>全部阶段</option>${selectOptions("benefit_phase", filters.phase)}</select>
          <a class="btn btn-primary" id="new-benefit" href="#/benefits/new">＋ 新建福利</a>`,
      })}
      <div class="card">${pagedTable(list, {
        id: "benefits-table", row,
        head: ["福利", "阶段", "领取时间", "兑领截止", { text: "领取率", cls: "num" }, { text: "核销率", cls: "num" }, ""],
        empty: html`<p>还没有福利发放。</p><a class="btn btn-primary" href="#/benefits/new">新建福利</a>`,
      })}</div></div>`, root);
  }

  // The rates come from each campaign's stats; a page holds at most PER_PAGE, asked at once.
  async function loadRates() {
    const items = list.data?.items || [];
    await Promise.all(items.filter((b) => !stats.has(b.id)).map(async (b) => {
      try { stats.set(b.id, await api(`/benefits/${b.id}/stats`)); } catch (e) { stats.set(b.id, { error: e }); }
    }));
    draw();
  }

  const load = list.load.bind(list);
  list.load = async (o) => { await load(o); await loadRates(); };
  await list.load();
}

// --- new and edit ------------------------------------------------------------------------------------

/** The options editor's rows ({id?, name, description, stock, claimed?}); when editing, rows with an id exist on the
 * server: only their stock may change (raised), and they cannot be removed. */
function optionRows(rows, errors, onChange, { editing = false } = {}) {
  const set = (i, key) => (e) => { rows[i][key] = e.target.value; };
  return html`<div class="table-wrap"><table class="table" id="options-table">
    <thead><tr><th>名称</th><th>说明</th><th class="num">数量</th><th></th></tr></thead>
    <tbody>${rows.map((r, i) => html`<tr data-option-row=${i}>
      <td>${r.id && editing ? html`${r.name}` : html`<input name="options.${i}.name" aria-label="第 ${i + 1} 项名称"
        maxlength="100" .value=${r.name} @input=${set(i, "name")}>`}${fieldError(`options.${i}.name`, errors)}</td>
      <td>${r.id && editing ? html`${r.description || "—"}` : html`<input name="options.${i}.description"
        aria-label="第 ${i + 1} 项说明" maxlength="500" .value=${r.description} @input=${set(i, "description")}>`}</td>
      <td class="num"><input name="options.${i}.stock" aria-label="第 ${i + 1} 项数量" type="number" min=${r.id && editing ? r.stock ?? 0 : 0}
        step="1" inputmode="numeric" placeholder="不限" .value=${r.stock ?? ""} @input=${set(i, "stock")}>
        ${r.id && editing ? html`<div class="sub">已领 ${r.claimed}</div>` : nothing}${fieldError(`options.${i}.stock`, errors)}</td>
      <td>${!r.id || !editing ? html`<button class="btn btn-sm btn-ghost" type="button" ?disabled=${rows.length < 2}
        @click=${() => { rows.splice(i, 1); onChange(); }}>删除</button>` : nothing}</td></tr>`)}</tbody></table></div>
    <button class="btn btn-sm btn-ghost" id="add-option" type="button"
      @click=${() => { rows.push({ name: "", description: "", stock: "" }); onChange(); }}>＋ 添加一项</button>
    ${fieldError("options", errors)}`;
}

/** A stock box's value: a whole number, null when empty (no limit), else the text (the server names it). */
const stockValue = (v) => (String(v ?? "").trim() === "" ? null : intField(String(v)));

export function viewNewBenefit(root) {
  const form = formState();
  const rows = [{ name: "", description: "", stock: "" }];

  function draw() {
    const errors = form.errors;
    const f = (opts, control) => field({ ...opts, errors, prefix: "benefit" }, control);
    const when = (n, text, hint = "") => f({ name: n, label: text, hint, required: true }, input({ type: "datetime-local" }));
    render(html`<div class="page page-narrow">
      ${pageHeader({ back: { href: "#/benefits", text: "返回福利列表" }, title: "新建福利",
        sub: "发布后面向人群内的会员即可在小程序中选择领取" })}
      <form class="card form" id="benefit-form" novalidate @submit=${onSubmit}>
        ${formMessage(errors)}
        <fieldset><legend>基本信息</legend>
          ${f({ name: "title", label: "名称", required: true }, input({ maxlength: 100 }))}
          <div class="grid-2">
            ${f({ name: "kind", label: "类型" }, (a) => html`<select id=${a.id} name=${a.name}>${selectOptions("benefit_kind", "seasonal")}</select>`)}
            ${f({ name: "season", label: "季节" }, (a) => html`<select id=${a.id} name=${a.name}>
              <option value="">不限</option>${selectOptions("benefit_season")}</select>`)}
          </div>
          ${f({ name: "description", label: "说明" },
            (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="5000"></textarea>`)}
        </fieldset>
        <fieldset><legend>可选内容（会员任选一项，每人限领一份）</legend>
          <p class="hint">数量留空表示不限量。</p>
          ${optionRows(rows, errors, draw)}
        </fieldset>
        <fieldset><legend>时间（北京时间）</legend>
          <div class="grid-2">
            ${when("claim_opens_at", "领取开始")}
            ${when("claim_closes_at", "领取截止")}
            ${when("redeem_until", "兑领截止", "会员凭码领取的最后时间，不早于领取截止")}
          </div>
        </fieldset>
        <fieldset><legend>面向人群</legend>
          <p class="hint">都留空表示面向全体会员。多个名称用逗号分隔，须与会员名册中的名称一致。</p>
          ${audienceBoxes(errors)}
        </fieldset>
        <div class="field checks">
          <label class="check"><input type="checkbox" name="allow_workshop_delivery">允许选择“送到车间”（夜班会员由代领人统一领取）</label>
          <label class="check"><input type="checkbox" name="announce" checked>发布时通知面向人群内的会员</label>
          ${fieldError("allow_workshop_delivery", errors)}${fieldError("announce", errors)}
        </div>
        ${formActions("发布福利", form, "#/benefits")}
      </form></div>`, root);
  }

  function onSubmit(ev) {
    return submitForm(form, ev, draw, async (el) => {
      const body = {
        title: el.title.value.trim(),
        description: el.description.value,
        kind: el.kind.value,
        season: el.season.value || null,
        options: rows.map((r) => ({ name: r.name.trim(), description: r.description, stock: stockValue(r.stock) })),
        claim_opens_at: localInputToIso(el.claim_opens_at.value),
        claim_closes_at: localInputToIso(el.claim_closes_at.value),
        redeem_until: localInputToIso(el.redeem_until.value),
        audience: audienceFields(el),
        allow_workshop_delivery: el.allow_workshop_delivery.checked,
        announce: el.announce.checked,
      };
      const b = await api("/benefits", { method: "POST", body });
      toast(body.announce ? `已发布「${b.title}」，已通知会员` : `已发布「${b.title}」`);
      location.hash = `#/benefits/${b.id}`;
    });
  }

  draw();
}

export async function viewEditBenefit(root, id) {
  const b = await api(`/benefits/${id}`);
  const form = formState();
  const rows = b.options.map((o) => ({ ...o, stock: o.stock ?? "" }));
  const back = { href: `#/benefits/${id}`, text: "返回福利" };

  function draw() {
    const errors = form.errors;
    const f = (opts, control) => field({ ...opts, errors, prefix: "edit" }, control);
    render(html`<div class="page page-narrow">
      ${pageHeader({ back, title: `编辑：${b.title}`, sub: "时间只能延后，数量只能增加；已领取的会员不受影响" })}
      <form class="card form" id="benefit-edit-form" novalidate @submit=${onSubmit}>
        ${formMessage(errors)}
        ${f({ name: "title", label: "名称", required: true }, input({ maxlength: 100, value: b.title }))}
        ${f({ name: "description", label: "说明" },
          (a) => html`<textarea id=${a.id} name=${a.name} rows="3" maxlength="5000" .value=${b.description || ""}></textarea>`)}
        <fieldset><legend>可选内容</legend>${optionRows(rows, errors, draw, { editing: true })}</fieldset>
        <div class="grid-2">
          ${f({ name: "claim_closes_at", label: "领取截止（北京时间）" }, input({ type: "datetime-local", value: localInput(b.claim_closes_at) }))}
          ${f({ name: "redeem_until", label: "兑领截止（北京时间）" }, input({ type: "datetime-local", value: localInput(b.redeem_until) }))}
        </div>
        ${formActions("保存修改", form, `#/benefits/${id}`)}
      </form></div>`, root);
  }

  function onSubmit(ev) {
    return submitForm(form, ev, draw, async (el) => {
      // Only what changed is sent: an untouched time keeps its stored seconds, an untouched stock is not "raised".
      const body = {};
      if (el.title.value.trim() !== b.title) body.title = el.title.value.trim();
      if (el.description.value !== (b.description || "")) body.description = el.description.value;
      for (const k of ["claim_closes_at", "redeem_until"]) {
        if (el[k].value !== localInput(b[k])) body[k] = localInputToIso(el[k].value);
      }
      const options = [];
      for (const r of rows) {
        if (!r.id) options.push({ name: r.name.trim(), description: r.description, stock: stockValue(r.stock) });
        else if (String(r.stock ?? "") !== String(b.options.find((o) => o.id === r.id).stock ?? "")) {
          options.push({ id: r.id, stock: stockValue(r.stock) });
        }
      }
      if (options.length) body.options = options;
      if (!Object.keys(body).length) { toast("没有修改"); location.hash = `#/benefits/${id}`; return; }
      await api(`/benefits/${id}`, { method: "PATCH", body });
      toast("福利已更新");
      location.hash = `#/benefits/${id}`;
    });
  }

  draw();
}

// --- one campaign: figures and claims ------------------------------------------------------------------

export async function viewBenefit(root, id) {
  let b = await api(`/benefits/${id}`);
  let stats = null;  // null while loading; {error} when it failed
  let chart = null;
  const filters = { status: "", delivery: "", department: "", q: "" };
  const claims = new PagedList({ path: `/benefits/${id}/claims`, query: () => filters, perPage: 50, draw });
  const live = () => b.status === "published";

  function info() {
    const row = (k, v) => html`<dt>${k}</dt><dd>${v}</dd>`;
    return html`<h2>福利信息</h2>
      ${b.status === "cancelled" ? alertBox("该福利已取消发放，会员不能再领取，领取码不能再核销。", "warn") : nothing}
      <dl class="details">
        ${row("类型", kindText(b))}
        ${row("领取时间", `${fmtTime(b.claim_opens_at)} 至 ${fmtTime(b.claim_closes_at)}`)}
        ${row("兑领截止", fmtTime(b.redeem_until))}
        ${row("面向人群", audienceText(b.audience))}
        ${row("送到车间", b.allow_workshop_delivery ? "允许（夜班会员由代领人统一领取）" : "不允许")}
        ${row("说明", b.description || "—")}
      </dl>`;
  }

  function statsCard() {
    if (!stats) return html`<h2>领取与核销</h2>${loading()}`;
    if (stats.error) return html`<h2>领取与核销</h2>${alertBox(stats.error.message)}`;
    return html`<h2>领取与核销</h2>
      <div class="kpis">
        <div class="kpi"><b id="stat-eligible">${stats.eligible}</b><span>应领人数</span></div>
        <div class="kpi"><b id="stat-claimed">${stats.claimed}</b><span>已领取 · <span id="stat-claim-rate">${pct(stats.claimed, stats.eligible)}</span></span></div>
        <div class="kpi"><b id="stat-redeemed">${stats.redeemed}</b><span>已核销 · <span id="stat-redeem-rate">${pct(stats.redeemed, stats.claimed)}</span></span></div>
      </div>`;
  }

  function breakdown() {
    if (!stats || stats.error) return nothing;
    return html`<div class="card" id="by-option"><h2>按选项</h2>
        <div id="option-chart" class="dash-chart" ?hidden=${!stats.by_option.length}></div>
        ${table({ id: "by-option-table", head: ["选项", { text: "数量", cls: "num" }, { text: "已领取", cls: "num" },
          { text: "已核销", cls: "num" }, { text: "剩余", cls: "num" }],
          rows: stats.by_option.map((o) => html`<tr data-option-id=${o.option_id}><td>${o.name}</td>
            <td class="num">${o.stock ?? "不限"}</td><td class="num">${o.claimed}</td><td class="num">${o.redeemed}</td>
            <td class="num">${o.stock === null || o.stock === undefined ? "—" : Math.max(0, o.stock - o.claimed)}</td></tr>`) })}</div>
      <div class="card" id="by-department"><h2>按部门</h2>
        ${stats.by_department?.length ? table({ id: "by-department-table", head: ["部门", { text: "应领", cls: "num" },
          { text: "已领取", cls: "num" }, { text: "领取率", cls: "num" }, { text: "已核销", cls: "num" }],
          rows: stats.by_department.map((d) => html`<tr data-department=${d.department}><td>${d.department}</td>
            <td class="num">${d.eligible}</td><td class="num">${d.claimed}</td><td class="num">${pct(d.claimed, d.eligible)}</td>
            <td class="num">${d.redeemed}</td></tr>`) }) : html`<p class="empty">面向人群内还没有会员。</p>`}</div>`;
  }

  function claimsCard() {
    const set = (k) => (e) => { filters[k] = e.target.value.trim(); claims.restart(); };
    const query = () => new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
    return html`<div class="card-head"><h2>领取名单</h2>
        <div class="head-actions">
          <button class="btn btn-sm btn-ghost" id="claims-xlsx" type="button" @click=${(e) => downloadFile(
            `/benefits/${id}/claims?format=xlsx${query() ? `&${query()}` : ""}`, `${safeFilename(b.title)}-领取名单.xlsx`, e.currentTarget)}>导出 Excel</button>
        </div></div>
      <div class="card-head filters">
        <select class="select-sm" id="claims-status" aria-label="按状态筛选" @change=${set("status")}>
          <option value="">全部状态</option>${selectOptions("claim_status", filters.status)}</select>
        <select class="select-sm" id="claims-delivery" aria-label="按领取方式筛选" @change=${set("delivery")}>
          <option value="">全部领取方式</option>${selectOptions("claim_delivery", filters.delivery)}</select>
        <input class="input-sm" id="claims-department" aria-label="部门" placeholder="部门" .value=${filters.department}
          @change=${set("department")}>
        <input class="input-sm" id="claims-q" type="search" aria-label="搜索姓名或工号" placeholder="姓名或工号" .value=${filters.q}
          @change=${set("q")}>
      </div>
      ${pagedTable(claims, {
        id: "claims-table",
        head: ["工号", "姓名", "部门", "选项", "领取方式", "状态", "领取时间", "核销"],
        empty: html`<p>${Object.values(filters).some(Boolean) ? "没有符合条件的领取记录。" : "还没有会员领取。"}</p>`,
        row: (c) => html`<tr data-claim-id=${c.id} data-employee-no=${c.employee_no}>
          <td class="mono">${c.employee_no}</td><td>${c.member_name}</td><td>${c.department || "—"}</td>
          <td>${c.option_name}</td><td>${name("claim_delivery", c.delivery)}</td><td>${claimBadge(c)}</td>
          <td class="nowrap">${fmtTime(c.claimed_at)}</td>
          <td class="nowrap">${c.redeemed_at ? html`${fmtTime(c.redeemed_at)}${c.redeemed_via === "delegate"
            ? html`<div class="sub">代领：${c.delegate_name || "—"}</div>` : nothing}` : "—"}</td></tr>`,
      })}`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        back: { href: "#/benefits", text: "返回福利列表" }, title: b.title, titleId: "benefit-title", badge: phaseBadge(b),
        sub: `${kindText(b)} · 领取 ${fmtTime(b.claim_opens_at)} 至 ${fmtTime(b.claim_closes_at)} · 兑领截止 ${fmtTime(b.redeem_until)}`,
        actions: live() ? html`
          <a class="btn btn-primary" id="open-redeem" href="#/benefits/${id}/scan">扫码核销</a>
          ${b.allow_workshop_delivery ? html`<a class="btn" id="open-deliveries" href="#/benefits/${id}/deliveries">车间代领</a>` : nothing}
          <a class="btn" id="edit-benefit" href="#/benefits/${id}/edit">编辑</a>
          <button class="btn btn-danger-ghost" id="cancel-benefit" type="button" @click=${onCancel}>取消发放</button>` : nothing,
      })}
      <div class="event-grid">
        <div class="card">${info()}</div>
        <div class="side"><div class="card" id="stats">${statsCard()}</div></div>
      </div>
      ${breakdown()}
      <div class="card" id="claims">${claimsCard()}</div>
    </div>`, root);
  }

  function drawChart() {
    const el = root.querySelector("#option-chart");
    chart?.dispose();
    chart = null;
    if (!el || !stats?.by_option?.length) return;
    chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption({
      animation: false,
      color: ["#b91c1c", "#15803d", "#94a3b8"],
      // richText draws the tooltip on the canvas; the HTML tooltip writes style attributes the CSP blocks.
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: stats.by_option.map((o) => o.name) },
      yAxis: { type: "value", minInterval: 1, name: "份" },
      series: [
        { name: "已领取", type: "bar", data: stats.by_option.map((o) => o.claimed) },
        { name: "已核销", type: "bar", data: stats.by_option.map((o) => o.redeemed) },
        { name: "剩余", type: "bar", data: stats.by_option.map((o) => (o.stock == null ? 0 : Math.max(0, o.stock - o.claimed))) },
      ],
    });
  }

  async function loadStats() {
    try {
      stats = await api(`/benefits/${id}/stats`);
    } catch (e) {
      if (e.status === 401) throw e;
      stats = { error: e };
    }
    draw();
    drawChart();
  }

  async function onCancel(e) {
    const button = e.currentTarget;
    const ok = await confirmDialog("取消发放", `确定取消「${b.title}」吗？已领取的会员将收到通知，未核销的领取码作废，此操作不能撤销。`, "确认取消发放");
    if (!ok) return;
    busy(button, true);
    try {
      b = await api(`/benefits/${id}/cancel`, { method: "POST" });
      toast("已取消发放，已通知领取的会员");
      draw();
    } catch (err) {
      busy(button, false);
      toast(err.message, "error");
    }
  }

  const onResize = () => chart?.resize();
  draw();
  await Promise.all([loadStats(), claims.load()]);
  window.addEventListener("resize", onResize);
  return () => {
    window.removeEventListener("resize", onResize);
    chart?.dispose();
  };
}

// --- the redemption scanner ----------------------------------------------------------------------------

// As the server reads claim codes: b1.{benefit_id}.{claim_id}.{member_id}.{signature} (base64url Ed25519).
const REDEEM_WORDS = {
  inputId: "code-input", label: "领取码", placeholder: "用扫码枪扫描会员的领取码，或输入领取码后按回车", button: "核销",
  aim: "将会员手机上的领取码对准摄像头", preparing: "正在准备离线验码…", scans: "核销",
};
const CLAIM_CHECK = {
  pattern: /^(b1\.(\d{1,12})\.(\d{1,12})\.(\d{1,12}))\.([A-Za-z0-9_-]{86})$/,
  messages: { invalid: "领取码无效", foreign: "不是本次福利的领取码" },
};

// Offline scans sent per sync request (the server takes at most 500).
const SYNC_BATCH = 200;
const scanKey = (item) => `${item.scanned_at} ${item.claim_code}`;

const MODE_TEXT = {
  verify: "断网时也能当场验码：伪造或其他福利的领取码会被直接拒绝，扫描记录保存在本机，联网后同步。",
  nokey: "未能获取本次福利的验码公钥：断网时扫描的领取码先记录下来，联网同步时再核验。",
  unsupported: "此浏览器不支持离线验码：断网时扫描的领取码先记录下来，联网同步时再核验。",
};

export async function viewRedeem(root, id) {
  const verifying = signedCodeVerifier({ keyPath: `/benefits/${id}/redeem-key`, owner: "benefit_id", id,
    store: `console.redeem-key.${id}` });
  const b = await api(`/benefits/${id}`);
  const key = `console.redeem-queue.${id}`;
  const queued = () => { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch { return []; } };
  const done = seenStore(`console.redeem-done.${id}`);
  let mode = null;
  let syncing = false;
  const results = [];  // newest first: {kind, time, text}
  const camera = cameraControl(() => root.querySelector("#camera-video"), (text) => redeem(text), () => draw());

  function draw() {
    render(html`<div class="page page-narrow">
      ${pageHeader({ back: { href: `#/benefits/${id}`, text: "返回福利" }, title: "扫码核销",
        sub: `${b.title} · 兑领截止 ${fmtTime(b.redeem_until)}`, badge: phaseBadge(b) })}
      ${scannerBody({ words: REDEEM_WORDS, onSubmit, camera, mode, modeText: MODE_TEXT, pending: queued(), syncing,
        sync, results })}
    </div>`, root);
  }

  function show(kind, text) {
    results.unshift({ kind, text, time: parts(new Date().toISOString()).time });
    draw();
  }

  async function onSubmit(e) {
    e.preventDefault();
    const box = e.currentTarget.elements[0];
    const code = box.value.trim();
    box.value = "";
    box.focus();
    if (code) await redeem(code);
  }

  /** A refusal as staff read it: the server's words, with the first redemption's time where it says one. */
  function refusal(err) {
    if (err.code === "already_redeemed") {
      return `${err.message}${err.details?.redeemed_at ? `（${fmtTime(err.details.redeemed_at)} 已核销）` : ""}，请勿重复发放`;
    }
    return err.message;
  }

  async function redeem(code) {
    try {
      const out = await api(`/benefits/${id}/redemptions`, { method: "POST", body: { claim_code: code } });
      done.put(code, out.redeemed_at);
      show("ok", `${who(out)} · ${out.option_name} 核销成功（${fmtTime(out.redeemed_at)}）`);
    } catch (err) {
      if (err.status === 0) await redeemOffline(code);
      else if (err.status !== 401) {
        if (err.code === "already_redeemed" && err.details?.redeemed_at) done.put(code, err.details.redeemed_at);
        show("error", refusal(err));
      }
    }
  }

  async function redeemOffline(code) {
    const checked = await checkSignedCode(await verifying, { ...CLAIM_CHECK, id }, code);
    if (checked.error) {
      show("error", `${checked.error}（离线验码，未记录）`);
      return;
    }
    const used = done.get(code);
    if (used) {
      show("error", `该领取码已核销（${fmtTime(used)}），请勿重复发放（离线，未记录）`);
      return;
    }
    const earlier = queued().find((item) => item.claim_code === code);
    if (earlier) {
      show("error", `该领取码已离线记录（${fmtTime(earlier.scanned_at)}），请勿重复发放`);
      return;
    }
    localStorage.setItem(key, JSON.stringify([...queued(), { claim_code: code, scanned_at: new Date().toISOString() }]));
    show("warn", checked.status === "ok" ? "领取码有效，已离线记录，可以发放；联网后请点击「立即同步」"
      : "网络异常，已离线记录，未能当场验码，联网同步时核验（恢复网络后请点击「立即同步」）");
  }

  async function sync() {
    if (!queued().length || syncing) return;
    syncing = true;
    draw();
    let sent = 0;
    let failed = 0;
    try {
      // In batches the server takes (at most 500 a request); each batch leaves the queue once the server has it, so
      // a failure part way keeps only what was not synced, and scans queued meanwhile are kept.
      for (let items = queued(); items.length; items = queued()) {
        const chunk = items.slice(0, SYNC_BATCH);
        const out = await api(`/benefits/${id}/redemptions/batch`, { method: "POST", body: { items: chunk } });
        const synced = new Set(chunk.map(scanKey));
        localStorage.setItem(key, JSON.stringify(queued().filter((item) => !synced.has(scanKey(item)))));
        for (const r of out.items) if (r.redeemed_at) done.put(chunk[r.index].claim_code, r.redeemed_at);
        for (const r of out.items) showSynced(r, chunk[r.index], sent + r.index + 1);
        sent += chunk.length;
        failed += out.items.filter((r) => r.status === "error").length;
      }
      toast(`已同步 ${sent - failed} 条离线核销`);
    } catch (err) {
      toast(sent ? `已同步 ${sent - failed} 条，其余未能同步：${err.message}` : err.message, "error");
    }
    syncing = false;
    draw();
  }

  function showSynced(r, item, n) {
    const head = `离线核销第 ${n} 条：`;
    if (r.status === "redeemed") show("ok", `${head}${who(r)} 核销成功（${fmtTime(r.redeemed_at)}）`);
    // Redeemed at this very scan's time, to the millisecond (a synced scan is recorded at its scan time): this scan
    // reached the server before (a sync cut off before this browser heard the answer), so nothing was handed out twice.
    else if (r.status === "already_redeemed" && Date.parse(r.redeemed_at) === Date.parse(item.scanned_at)) {
      show("warn", `${head}${who(r)} 已同步过（${fmtTime(r.redeemed_at)}）`);
    // Redeemed before by someone else (online, at another desk): the first time stands, and the goods were handed
    // out twice: staff must know.
    } else if (r.status === "already_redeemed") {
      show("error", `${head}${who(r)} 已于 ${fmtTime(r.redeemed_at)} 核销，本次为重复发放`);
    } else show("error", `${head}${who(r) ? `${who(r)}：` : ""}${r.error?.message || "核销失败"}`);
  }

  draw();
  root.querySelector("#code-input").focus();
  verifying.then((v) => { mode = v.key ? "verify" : v.reason; draw(); });
  return camera.stop;
}

// --- workshop delivery ----------------------------------------------------------------------------------

export async function viewDeliveries(root, id) {
  const b = await api(`/benefits/${id}`);
  const filters = { department: "" };
  // The claims that asked for delivery and are still waiting; a delegate takes a team's worth at once.
  const list = new PagedList({ path: `/benefits/${id}/claims`, query: () => ({ delivery: "workshop", status: "claimed",
    ...filters }), perPage: 100, draw });
  const form = formState();
  const ticked = new Set();
  let outcome = [];  // the last delivery's per-claim results

  const resultLine = (r) => {
    if (r.status === "redeemed") return html`<li class="scan-ok">${who(r)} 已交代领人（${fmtTime(r.redeemed_at)}）</li>`;
    if (r.status === "already_redeemed") return html`<li class="scan-error">${who(r)} 已于 ${fmtTime(r.redeemed_at)} 核销，未重复发放</li>`;
    return html`<li class="scan-error">${who(r) ? `${who(r)}：` : ""}${r.error?.message || "代领失败"}</li>`;
  };

  function draw() {
    const items = list.data?.items || [];
    const all = items.length > 0 && items.every((c) => ticked.has(c.id));
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "delivery" }, c);
    render(html`<div class="page">
      ${pageHeader({ back: { href: `#/benefits/${id}`, text: "返回福利" }, title: "车间代领",
        sub: `${b.title} · 选择“送到车间”的会员由代领人（如夜班班组长）统一领取` })}
      ${b.allow_workshop_delivery ? nothing : alertBox("该福利不允许送到车间。", "warn")}
      <form class="card form" id="delivery-form" novalidate @submit=${onSubmit}>
        ${formMessage(form.errors)}
        <div class="grid-2">
          ${f({ name: "delegate_employee_no", label: "代领人工号", required: true, hint: "代领人须为本会会员" }, input({ maxlength: 32 }))}
          <div class="field"><label for="delivery-department">部门</label>
            <input id="delivery-department" placeholder="按部门筛选待代领的会员" .value=${filters.department}
              @change=${(e) => { filters.department = e.target.value.trim(); ticked.clear(); list.restart(); }}></div>
        </div>
        ${fieldError("claim_ids", form.errors)}
        ${list.loading ? loading() : list.error ? alertBox(list.error.message) : !items.length
          ? html`<p class="empty" id="delivery-empty">没有待代领的领取记录。</p>`
          : table({ id: "delivery-table",
            head: [{ cls: "", text: html`<input type="checkbox" class="tick" id="tick-all" aria-label="全选" .checked=${all}
              @change=${(e) => { for (const c of items) (e.target.checked ? ticked.add(c.id) : ticked.delete(c.id)); draw(); }}>` },
              "工号", "姓名", "部门", "选项", "领取时间"],
            rows: items.map((c) => html`<tr data-claim-id=${c.id} data-employee-no=${c.employee_no}>
              <td><input type="checkbox" class="tick" aria-label="代领 ${c.member_name}" .checked=${ticked.has(c.id)}
                @change=${(e) => { (e.target.checked ? ticked.add(c.id) : ticked.delete(c.id)); draw(); }}></td>
              <td class="mono">${c.employee_no}</td><td>${c.member_name}</td><td>${c.department || "—"}</td>
              <td>${c.option_name}</td><td class="nowrap">${fmtTime(c.claimed_at)}</td></tr>`) })}
        ${list.data && list.data.total > items.length ? html`<p class="hint">共 ${list.data.total} 条，仅显示前 ${items.length} 条，可按部门筛选。</p>` : nothing}
        <div class="form-actions"><span class="muted" id="ticked-count">已选 ${ticked.size} 人</span>
          ${submitButton("登记代领", form.busy, { id: "delivery-submit" })}</div>
      </form>
      ${outcome.length ? html`<div class="card"><h2>本次代领</h2><ol class="scan-results" id="delivery-results">${outcome.map(resultLine)}</ol></div>` : nothing}
    </div>`, root);
  }

  function onSubmit(ev) {
    return submitForm(form, ev, draw, async (el) => {
      const ids = [...ticked];
      if (!ids.length) throw Object.assign(new Error(""), { details: { fields: { claim_ids: "请勾选要代领的会员" } } });
      const out = await api(`/benefits/${id}/deliveries`, { method: "POST",
        body: { delegate_employee_no: el.delegate_employee_no.value.trim(), claim_ids: ids } });
      outcome = out.items;
      const n = out.items.filter((r) => r.status === "redeemed").length;
      toast(`已登记 ${n} 人由代领人领取`, n === ids.length ? "ok" : "error");
      ticked.clear();
      await list.load({ quiet: true });
    });
  }

  await list.load();
}
