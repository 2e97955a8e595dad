// Votes (docs/votes.md): the list, a draft's form with candidates and their photos, and a vote's page —
// publish and close, the turnout while open (never counts), the results after the close (chart, table,
// receipt hashes with a check), and the paper count entered blind by two staff members.
import { API, api, audienceFields, blobUrl, fmtTime, intField, localInputToIso, parts, session } from "./core.js";
import {
  PagedList, alertBox, audienceBoxes, audienceText, confirmDialog, field, fieldError, filterSelect, formActions,
  formMessage, formState, input, loading, pageHeader, pagedTable, statusBadge, submitForm, table, toast,
} from "./components.js";
import { html, nothing, render } from "./view.js";
import * as echarts from "./vendor/echarts/echarts.esm.min.js";

const back = { href: "#/votes", text: "返回投票列表" };
const SEALED = "投票结束前不显示得票，以免影响投票";

const pct = (rate) => `${(rate * 100).toFixed(1)}%`;
const toInput = (iso) => (iso ? `${parts(iso).date}T${parts(iso).time}` : "");
const uploadId = (url) => (url ? url.split("/").pop() : null);

/** POST /uploads with the file as multipart field `file` → the upload's id. */
async function uploadPhoto(file) {
  const body = new FormData();
  body.append("file", file);
  let resp;
  try {
    resp = await fetch(`${API}/uploads`, {
      method: "POST", body, headers: { Authorization: `Bearer ${session.token}`, Accept: "application/json" },
    });
  } catch {
    throw new Error("无法连接服务器，请检查网络后重试");
  }
  let data = null;
  try { data = await resp.json(); } catch { /* not our JSON shape */ }
  if (!resp.ok) throw new Error(data?.error?.details?.fields?.file || data?.error?.message || `上传失败（${resp.status}）`);
  return data.id;
}

/** sha256 (hex) of the text's UTF-8 bytes, as the server hashes receipts. */
async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// --- the list -------------------------------------------------------------------------------------

export async function viewVotes(root) {
  let status = "";
  const list = new PagedList({ path: "/votes", query: () => ({ status }), draw });
  const turnouts = {};

  const row = (v) => html`<tr data-vote-id=${v.id}>
    <td><a class="event-link" href="#/votes/${v.id}">${v.title}</a>
      <div class="sub">${v.candidates.length} 名候选人 · ${audienceText(v.audience)}</div></td>
    <td>${statusBadge("vote_status", v.status)}</td>
    <td class="nowrap">${fmtTime(v.opens_at)}<div class="sub">至 ${fmtTime(v.closes_at)}</div></td>
    <td class="num">${v.max_choices}</td>
    <td class="num" data-col="turnout">${v.status === "draft" ? "—" : turnouts[v.id] ?? "…"}</td></tr>`;

  async function loadTurnouts() {
    const items = (list.data?.items || []).filter((v) => v.status !== "draft" && !(v.id in turnouts));
    await Promise.all(items.map(async (v) => {
      try {
        const t = await api(`/votes/${v.id}/turnout`);
        turnouts[v.id] = `${t.voted} / ${t.eligible}（${pct(t.rate)}）`;
      } catch {
        turnouts[v.id] = "—";
      }
    }));
    draw();
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ title: "投票", sub: "评优、工匠之星、议事会议题；结束后公布结果和全部回执摘要（北京时间）", actions: html`
        ${filterSelect({ id: "vote-filter", ariaLabel: "按状态筛选", all: "全部状态", vocab: "vote_status", value: status,
          onChange: (v) => { status = v; list.restart(); } })}
        <a class="btn btn-primary" href="#/votes/new" id="new-vote">＋ 新建投票</a>` })}
      <div class="card">${pagedTable(list, {
        id: "votes-table", row, head: ["投票", "状态", "时间", { text: "每票最多选", cls: "num" }, { text: "投票率", cls: "num" }],
        empty: status ? html`<p>没有该状态的投票。</p>`
          : html`<p>还没有投票。</p><a class="btn btn-primary" href="#/votes/new">新建第一个投票</a>`,
      })}</div></div>`, root);
  }
  await list.load();
  const pagerGo = list.go.bind(list);
  list.go = (p) => pagerGo(p).then(loadTurnouts);
  await loadTurnouts();
}

// --- the draft's form -----------------------------------------------------------------------------

let candidateKey = 0;
const blankCandidate = () => ({ key: ++candidateKey, name: "", description: "", photo: null, preview: null, uploading: false, error: "" });

export const viewNewVote = (root) => voteForm(root, null);

export async function viewEditVote(root, id) {
  const vote = await api(`/votes/${id}`);
  if (vote.status !== "draft") { location.hash = `#/votes/${id}`; return undefined; }
  return voteForm(root, vote);
}

async function voteForm(root, vote) {
  const form = formState();
  const candidates = vote
    ? vote.candidates.map((c) => ({ ...blankCandidate(), name: c.name, description: c.description, photo: uploadId(c.photo_url),
      photoUrl: c.photo_url }))
    : [blankCandidate(), blankCandidate()];
  const previews = new Set();

  const move = (i, d) => { const [c] = candidates.splice(i, 1); candidates.splice(i + d, 0, c); draw(); };

  async function onPhoto(c, e) {
    const file = e.currentTarget.files[0];
    if (!file) return;
    c.preview = URL.createObjectURL(file);  // the local file at once; the upload runs beside it
    previews.add(c.preview);
    Object.assign(c, { uploading: true, error: "", photo: null });
    draw();
    try {
      c.photo = await uploadPhoto(file);
    } catch (err) {
      c.error = err.message;
      URL.revokeObjectURL(c.preview);
      previews.delete(c.preview);
      c.preview = null;  // nothing of it is saved: no preview either
      e.target.value = "";
    } finally {
      c.uploading = false;
      draw();
    }
  }

  const candidateRow = (c, i, errors) => html`<li class="card candidate-edit" data-candidate=${i}>
    <div class="candidate-photo">${c.preview ? html`<img src=${c.preview} alt="候选人照片预览">` : html`<span class="muted">无照片</span>`}</div>
    <div class="candidate-fields">
      <div class="field ${errors.fields[`candidates.${i}.name`] ? "has-error" : ""}">
        <label for="cand-name-${i}">姓名<span class="req"> *</span></label>
        <input id="cand-name-${i}" name="cand-name-${i}" maxlength="100" .value=${c.name}
          @input=${(e) => { c.name = e.currentTarget.value; }}>
        ${fieldError(`candidates.${i}.name`, errors)}</div>
      <div class="field">
        <label for="cand-desc-${i}">简介</label>
        <textarea id="cand-desc-${i}" name="cand-desc-${i}" rows="2" maxlength="2000" .value=${c.description}
          @input=${(e) => { c.description = e.currentTarget.value; }}></textarea>
        ${fieldError(`candidates.${i}.description`, errors)}</div>
      <div class="field">
        <label for="cand-photo-${i}">照片</label>
        <input id="cand-photo-${i}" type="file" accept="image/jpeg,image/png,image/webp" @change=${(e) => onPhoto(c, e)}>
        <small class="hint" data-photo-state=${c.uploading ? "uploading" : c.photo ? "done" : "none"}>${
          c.uploading ? "正在上传…" : c.photo ? "照片已上传" : "JPEG、PNG 或 WebP，不超过 5 MB"}</small>
        <small class="field-error" data-error-for="candidates.${i}.photo">${c.error || errors.fields[`candidates.${i}.photo`] || nothing}</small>
      </div>
    </div>
    <div class="candidate-tools">
      <button type="button" class="btn btn-sm btn-ghost" aria-label="上移" ?disabled=${i === 0} @click=${() => move(i, -1)}>↑</button>
      <button type="button" class="btn btn-sm btn-ghost" aria-label="下移" ?disabled=${i === candidates.length - 1}
        @click=${() => move(i, 1)}>↓</button>
      <button type="button" class="btn btn-sm btn-danger-ghost" ?disabled=${candidates.length <= 1}
        @click=${() => { candidates.splice(i, 1); draw(); }}>移除</button>
    </div></li>`;

  function draw() {
    const errors = form.errors;
    const f = (opts, control) => field({ ...opts, errors }, control);
    render(html`<div class="page page-narrow">
      ${pageHeader({ back: vote ? { href: `#/votes/${vote.id}`, text: "返回投票" } : back,
        title: vote ? "编辑投票" : "新建投票", sub: "先保存为草稿，核对后在投票页发布" })}
      <form class="card form" id="vote-form" novalidate @submit=${onSubmit}>
        ${formMessage(errors)}
        <fieldset><legend>内容</legend>
          ${f({ name: "title", label: "标题", required: true }, input({ maxlength: 100, value: vote?.title }))}
          ${f({ name: "description", label: "说明" }, (a) => html`<textarea id=${a.id} name=${a.name} rows="4" maxlength="5000"
            .value=${vote?.description || ""}></textarea>`)}
        </fieldset>
        <fieldset><legend>投票对象</legend>
          <p class="hint">都留空表示面向全体会员；填写的每一类都须符合。多个名称用逗号分隔，须与会员名册中的名称一致。</p>
          ${fieldError("audience", errors)}
          <div class="grid-2">${audienceBoxes(errors, undefined, vote?.audience || {})}</div>
        </fieldset>
        <fieldset><legend>时间（北京时间）与规则</legend>
          <div class="grid-2">
            ${f({ name: "opens_at", label: "开始时间", required: true }, input({ type: "datetime-local", value: toInput(vote?.opens_at) }))}
            ${f({ name: "closes_at", label: "截止时间", required: true }, input({ type: "datetime-local", value: toInput(vote?.closes_at) }))}
            ${f({ name: "max_choices", label: "每票最多可选", required: true, hint: "不能超过候选人数" },
              input({ type: "number", min: 1, step: 1, inputmode: "numeric", value: String(vote?.max_choices ?? 1) }))}
          </div>
        </fieldset>
        <fieldset><legend>候选人</legend>
          ${fieldError("candidates", errors)}
          <ol class="candidate-list" id="candidates">${candidates.map((c, i) => candidateRow(c, i, errors))}</ol>
          <button type="button" class="btn btn-ghost" id="add-candidate" @click=${() => { candidates.push(blankCandidate()); draw(); }}>
            ＋ 添加候选人</button>
        </fieldset>
        ${formActions("保存草稿", form, vote ? `#/votes/${vote.id}` : "#/votes")}
      </form></div>`, root);
  }

  function onSubmit(ev) {
    return submitForm(form, ev, draw, async (f) => {
      if (candidates.some((c) => c.uploading)) throw new Error("照片正在上传，请稍候再保存");
      const a = audienceFields(f);
      const body = {
        title: f.title.value.trim(),
        description: f.description.value,
        audience: a.departments.length || a.grids.length || a.tags.length ? a : { all: true },
        opens_at: localInputToIso(f.opens_at.value),
        closes_at: localInputToIso(f.closes_at.value),
        max_choices: intField(f.max_choices.value),
        candidates: candidates.map((c) => ({ name: c.name.trim(), description: c.description, photo: c.photo || undefined })),
      };
      const saved = vote ? await api(`/votes/${vote.id}`, { method: "PATCH", body })
        : await api("/votes", { method: "POST", body });
      toast("草稿已保存");
      location.hash = `#/votes/${saved.id}`;
    });
  }

  draw();
  // A draft's photos are shown from the server (token → blob).
  await Promise.all(candidates.filter((c) => c.photoUrl).map(async (c) => {
    c.preview = await blobUrl(c.photoUrl);
    if (c.preview) previews.add(c.preview);
  }));
  draw();
  return () => previews.forEach((u) => URL.revokeObjectURL(u));
}

// --- one vote -------------------------------------------------------------------------------------

export async function viewVote(root, id) {
  let v = await api(`/votes/${id}`);
  let photos = {};
  let turnout = null;
  let results = null;
  let paper = undefined;  // undefined: not loaded; null: nothing entered
  let message = "";
  let acting = false;
  let chart = null;
  const check = { text: "", answer: null };
  const paperForm = formState();

  async function refresh() {
    message = "";
    turnout = results = null;
    if (v.status !== "draft") {
      try { turnout = await api(`/votes/${id}/turnout`); } catch (e) { message = e.message; }
    }
    if (v.results_available) {
      results = await api(`/votes/${id}/results`);
      paper = (await api(`/votes/${id}/paper-counts`)).paper;
    }
  }

  async function act(path, title, body, ok, done) {
    if (!(await confirmDialog(title, body, ok))) return;
    acting = true;
    draw();
    try {
      v = await api(`/votes/${id}/${path}`, { method: "POST" });
      await refresh();
      toast(done);
    } catch (e) {
      message = e.details?.fields ? Object.values(e.details.fields).join("；") : e.message;
    } finally {
      acting = false;
      draw();
    }
  }

  const publish = () => act("publish", "发布投票", `发布后不能再修改候选人和规则。投票对象中的会员将收到通知${
    Date.parse(v.opens_at) > Date.now() ? `（于 ${fmtTime(v.opens_at)} 开始时）` : ""}，可在小程序中投票。`, "发布", "投票已发布，会员将收到通知");
  const closeEarly = () => act("close", "提前结束投票", "结束后不再接受投票，随即统计并公布结果，不能撤销。", "结束投票", "投票已结束");

  function info() {
    return html`<h2>投票信息</h2><dl class="details" id="vote-facts">
      <dt>投票对象</dt><dd id="vote-audience">${audienceText(v.audience)}</dd>
      <dt>时间</dt><dd id="vote-times">${fmtTime(v.opens_at)} 至 ${fmtTime(v.closes_at)}</dd>
      <dt>每票最多可选</dt><dd id="vote-max">${v.max_choices} 人</dd>
      ${v.closed_at ? html`<dt>结束于</dt><dd>${fmtTime(v.closed_at)}</dd>` : nothing}
      ${v.created_by ? html`<dt>创建人</dt><dd>${v.created_by.name}</dd>` : nothing}
    </dl>${v.description ? html`<p class="prewrap">${v.description}</p>` : nothing}`;
  }

  const candidateCards = () => html`<h2>候选人</h2><ol class="candidate-view" id="vote-candidates">${v.candidates.map((c) => html`
    <li data-candidate-id=${c.id}>${photos[c.id] ? html`<img src=${photos[c.id]} alt="${c.name}的照片">`
      : html`<span class="candidate-nophoto muted">${c.photo_url ? "照片无法加载" : "无照片"}</span>`}
      <div><b>${c.name}</b>${c.description ? html`<p class="muted prewrap">${c.description}</p>` : nothing}</div></li>`)}</ol>`;

  function turnoutCard() {
    if (!turnout) return nothing;
    return html`<div class="card" id="vote-turnout"><h2>投票率 <small class="muted">截至 ${fmtTime(turnout.as_of)}</small></h2>
      <div class="kpis"><div class="kpi"><b id="turnout-voted">${turnout.voted}</b><span>已投票</span></div>
        <div class="kpi"><b id="turnout-eligible">${turnout.eligible}</b><span>可投票会员</span></div>
        <div class="kpi"><b id="turnout-rate">${pct(turnout.rate)}</b><span>投票率</span></div></div>
      ${turnout.by_department.length ? table({ id: "turnout-departments", head: ["部门", { text: "已投", cls: "num" },
        { text: "可投", cls: "num" }], rows: turnout.by_department.map((d) => html`<tr><td>${d.department}</td>
        <td class="num">${d.voted}</td><td class="num">${d.eligible}</td></tr>`) }) : nothing}
      ${v.status !== "closed" ? html`<p class="hint" id="sealed-note">${SEALED}</p>` : nothing}</div>`;
  }

  async function onCheck(e) {
    e.preventDefault();
    const text = e.currentTarget.elements.receipt.value.trim();
    if (!text) return;
    // A pasted digest is looked up as it is; anything else is a receipt, hashed as the server does.
    const digest = /^[0-9a-f]{64}$/i.test(text) ? text.toLowerCase() : await sha256Hex(text);
    check.answer = { digest, found: results.receipts.includes(digest) };
    draw();
  }

  function resultsCard() {
    if (!results) return nothing;
    const r = results;
    const paperOf = (cid) => r.paper?.candidates?.find((c) => c.id === cid)?.votes ?? 0;
    const totalOf = (cid) => r.total.candidates.find((c) => c.id === cid)?.votes ?? 0;
    const rows = [...r.candidates].sort((a, b) => totalOf(b.id) - totalOf(a.id)).map((c) => html`<tr data-candidate-id=${c.id}>
      <td>${c.name}</td><td class="num" data-col="online">${c.votes}</td>
      ${r.paper ? html`<td class="num" data-col="paper">${paperOf(c.id)}</td><td class="num" data-col="total">${totalOf(c.id)}</td>` : nothing}</tr>`);
    const q = check.text.trim().toLowerCase();
    const shown = q ? r.receipts.filter((h) => h.includes(q)) : r.receipts;
    return html`<div class="card" id="vote-results"><h2>投票结果</h2>
      <div class="kpis"><div class="kpi"><b id="results-ballots">${r.ballots}</b><span>线上选票</span></div>
        <div class="kpi"><b id="results-voters">${r.voters}</b><span>线上投票人数</span></div>
        <div class="kpi"><b id="results-total">${r.total.ballots}</b><span>合计选票${r.paper ? "（含纸质票）" : ""}</span></div></div>
      <div id="results-chart" class="dash-chart"></div>
      ${table({ id: "results-table", head: ["候选人", { text: "线上票数", cls: "num" },
        ...(r.paper ? [{ text: "纸质票数", cls: "num" }, { text: "合计", cls: "num" }] : [])], rows })}
      ${r.paper ? html`<p class="hint" id="results-paper">纸质选票 <b>${r.paper.ballots}</b> 张，由 ${r.paper.entered_by.join("、")}
        两人分别录入一致后计入（${fmtTime(r.paper.confirmed_at)}）。</p>`
        : html`<p class="hint" id="results-paper">纸质票尚未录入确认，以上为线上票数。</p>`}
      <details id="receipts"><summary>回执摘要（${r.receipts.length} 条，SHA-256）</summary>
        <p class="hint">会员可用小程序中保存的回执核对自己的选票已被计入：回执的 SHA-256 摘要应在此列表中。</p>
        <form class="inline-form" id="receipt-check" @submit=${onCheck}>
          <input name="receipt" id="receipt-q" placeholder="输入回执摘要或回执核对" aria-label="输入回执摘要或回执核对"
            @input=${(e) => { check.text = e.currentTarget.value; check.answer = null; draw(); }}>
          <button class="btn btn-sm" type="submit">核对</button></form>
        ${check.answer ? html`<p id="receipt-answer" data-found=${check.answer.found ? "yes" : "no"}
          class=${check.answer.found ? "alert alert-ok" : "alert alert-error"}>${check.answer.found
          ? `已找到：摘要 ${check.answer.digest} 在列表中，该选票已计入。` : `未找到：摘要 ${check.answer.digest} 不在列表中。`}</p>` : nothing}
        <ol class="receipt-list mono" id="receipt-list">${shown.slice(0, 500).map((h) => html`<li>${h}</li>`)}</ol>
        ${shown.length > 500 ? html`<p class="hint">仅显示前 500 条，请输入摘要查找。</p>` : nothing}
      </details></div>`;
  }

  function paperCard() {
    if (!results) return nothing;
    if (paper?.status === "confirmed") {
      return html`<div class="card" id="paper-card"><h2>纸质票</h2><p id="paper-state" data-state="confirmed">纸质票数已由
        ${paper.entered_by.join("、")} 录入并核对一致，已计入合计。</p></div>`;
    }
    const pending = paper?.status === "pending";
    const errors = paperForm.errors;
    return html`<div class="card" id="paper-card"><h2>录入纸质票</h2>
      ${pending ? html`<p id="paper-state" data-state="pending">${paper.entered_by[0]} 已于 ${fmtTime(paper.entered_at)} 录入，
        等待另一位工作人员独立录入核对（看不到第一次录入的数字）。两次一致后计入结果。</p>`
        : html`<p id="paper-state" data-state="none" class="hint">由一位工作人员录入纸质选票数和各候选人票数，再由另一位工作人员独立录入核对。</p>`}
      <form class="form" id="paper-form" novalidate @submit=${onPaper}>
        ${formMessage(errors)}
        ${field({ name: "ballots", label: "纸质选票数", required: true, errors, prefix: "paper" },
          input({ type: "number", min: 0, step: 1, inputmode: "numeric" }))}
        ${fieldError("counts", errors)}
        <div class="grid-2">${v.candidates.map((c) => field({ name: `counts.${c.id}`, label: `${c.name} 得票`, errors, prefix: "paper" },
          input({ type: "number", min: 0, step: 1, inputmode: "numeric" })))}</div>
        ${formActions(pending ? "核对确认" : "提交录入", paperForm)}
      </form></div>`;
  }

  function onPaper(ev) {
    const pending = paper?.status === "pending";
    return submitForm(paperForm, ev, draw, async (f) => {
      const counts = {};
      for (const c of v.candidates) {
        const n = intField(f[`counts.${c.id}`].value);
        if (n !== undefined) counts[String(c.id)] = n;
      }
      const body = { ballots: intField(f.ballots.value), counts };
      try {
        await api(`/votes/${id}/paper-counts${pending ? "/confirm" : ""}`, { method: "POST", body });
      } catch (e) {
        if (["paper_counts_mismatch", "paper_counts_pending", "paper_counts_missing", "paper_counts_recorded"].includes(e.code)) {
          // The entry on the server changed (discarded, or someone else's): show it as it now is.
          paper = (await api(`/votes/${id}/paper-counts`)).paper;
          results = await api(`/votes/${id}/results`);
        }
        throw e;
      }
      ev.target.reset();
      await refresh();
      toast(pending ? "纸质票数核对一致，已计入结果" : "已录入，等待另一位工作人员核对");
    });
  }

  function drawChart() {
    const el = root.querySelector("#results-chart");
    if (!el || !results) return;
    // lit-html keeps the same element across draws: draw on the chart already there.
    if (chart && chart.getDom() !== el) { chart.dispose(); chart = null; }
    const r = results;
    const order = [...r.total.candidates].sort((a, b) => a.votes - b.votes);  // bottom-up: the most votes on top
    const online = Object.fromEntries(r.candidates.map((c) => [c.id, c.votes]));
    const onPaper = Object.fromEntries((r.paper?.candidates || []).map((c) => [c.id, c.votes]));
    chart = chart || echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption({
      animation: false,
      color: ["#b91c1c", "#1d4ed8"],
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 90, right: 24, top: 32, bottom: 24 },
      xAxis: { type: "value", minInterval: 1, name: "票" },
      yAxis: { type: "category", data: order.map((c) => c.name) },
      series: [
        { name: "线上", type: "bar", stack: "votes", data: order.map((c) => online[c.id] || 0) },
        ...(r.paper ? [{ name: "纸质", type: "bar", stack: "votes", data: order.map((c) => onPaper[c.id] || 0) }] : []),
      ],
    }, { notMerge: true });
  }

  function draw() {
    const draft = v.status === "draft";
    const running = v.status === "open" || v.status === "scheduled";
    render(html`<div class="page">
      ${pageHeader({ back, title: v.title, titleId: "vote-title", badge: statusBadge("vote_status", v.status),
        sub: `${v.candidates.length} 名候选人 · 每票最多选 ${v.max_choices} 人`,
        actions: html`
          ${draft ? html`<a class="btn" id="edit-vote" href="#/votes/${id}/edit">编辑</a>
            <button class="btn btn-primary" id="publish-vote" type="button" ?disabled=${acting} @click=${publish}>发布</button>` : nothing}
          ${running ? html`<button class="btn btn-danger-ghost" id="close-vote" type="button" ?disabled=${acting}
            @click=${closeEarly}>提前结束</button>` : nothing}` })}
      ${message ? alertBox(message) : nothing}
      <div class="event-grid">
        <div class="main">
          ${v.status === "closed" && !results ? html`<div class="card">${loading()}</div>` : resultsCard()}
          ${paperCard()}
          <div class="card">${candidateCards()}</div>
        </div>
        <div class="side">
          <div class="card">${info()}</div>
          ${turnoutCard()}
          ${draft ? html`<div class="card"><p class="hint">草稿：会员还看不到。核对候选人和时间后点击“发布”。</p></div>` : nothing}
        </div>
      </div></div>`, root);
    drawChart();
  }

  const onResize = () => chart?.resize();
  await refresh();
  draw();
  const entries = await Promise.all(v.candidates.filter((c) => c.photo_url).map(async (c) => [c.id, await blobUrl(c.photo_url)]));
  photos = Object.fromEntries(entries.filter(([, u]) => u));
  draw();
  window.addEventListener("resize", onResize);
  return () => {
    window.removeEventListener("resize", onResize);
    chart?.dispose();
    Object.values(photos).forEach((u) => URL.revokeObjectURL(u));
  };
}
