// Surveys (API.md "Surveys", docs/surveys.md): the list, the builder with a live preview as a member sees
// it, and one survey's page (publish, close early, turnout, results with charts, the XLSX download).
import { api, audienceFields, downloadFile, fmtTime, localInputToIso, parts } from "./core.js";
import {
  PagedList, alertBox, audienceBoxes, audienceText, confirmDialog, field, fieldError, filterSelect,
  formMessage, formState, loading, options, pageHeader, pagedTable, statusBadge, submitForm, submitButton, table,
  toast, toneBadge,
} from "./components.js";
import { label } from "./labels.js";
import { html, nothing, render } from "./view.js";
import * as echarts from "./vendor/echarts/echarts.esm.min.js";

const CHOICE = ["single", "multiple"];
const ANONYMITY = "匿名问卷：系统只记录谁已填写，答案与填写人分开保存，无法对应";
const TAG_HINT = "选择此项的会员将被加上标签";

const anonBadge = (s) => (s.anonymous ? toneBadge("匿名", "live") : toneBadge("实名", "muted"));
const pct = (rate) => `${Math.round(rate * 1000) / 10}%`;
/** A breakdown group as staff read it: "other" is the small groups merged by the server, "" no group. */
const groupName = (g) => (g === "other" ? "其他（不足 5 人的合并）" : g === "" ? "未填写" : g);
const localInput = (iso) => { if (!iso) return ""; const p = parts(iso); return `${p.date}T${p.time}`; };

// --- the list -------------------------------------------------------------------------------------

export async function viewSurveys(root) {
  const filters = { status: "" };
  const list = new PagedList({ path: "/surveys", query: () => filters, draw });

  const row = (s) => html`<tr data-survey-id=${s.id}>
    <td><a class="event-link" href="#/surveys/${s.id}">${s.title}</a> ${anonBadge(s)}
      <div class="sub">${s.questions.length} 题 · ${audienceText(s.audience)}</div></td>
    <td>${statusBadge("survey_status", s.status)}</td>
    <td class="nowrap">${fmtTime(s.opens_at)}<div class="sub">至 ${fmtTime(s.closes_at)}</div></td>
    <td class="num nowrap" data-figure="turnout">${s.answered_count}/${s.eligible_count}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "问卷",
        sub: "实名问卷的选项可为会员加标签（需求画像）；匿名问卷只记录谁已填写",
        actions: html`${filterSelect({ id: "survey-status", ariaLabel: "按状态筛选", all: "全部状态",
          vocab: "survey_status", value: filters.status, onChange: (v) => { filters.status = v; list.restart(); } })}
          <a class="btn btn-primary btn-sm" id="new-survey" href="#/surveys/new">新建问卷</a>`,
      })}
      <div class="card">${pagedTable(list, {
        id: "surveys-table", row, head: ["问卷", "状态", "时间", { text: "已填/应填", cls: "num" }],
        empty: html`<p>${filters.status ? "没有符合条件的问卷。" : "还没有问卷。"}</p>`,
      })}</div></div>`, root);
  }

  await list.load();
}

// --- the builder ----------------------------------------------------------------------------------

const blankQuestion = (kind = "single") => ({
  kind, text: "", required: true, options: CHOICE.includes(kind) ? [{ text: "", tag: "" }, { text: "", tag: "" }] : [],
});

/** A SurveyOut's questions as the builder edits them: options carry their tag, so moving one keeps it. */
const editable = (questions) => questions.map((q) => ({
  kind: q.kind, text: q.text, required: q.required,
  options: q.options.map((text, i) => ({ text, tag: q.option_tags[String(i)] || "" })),
}));

/** The builder's questions as the API takes them (option_tags keyed by the option's 0-based index). */
function questionsIn(questions, anonymous) {
  return questions.map((q) => {
    const choice = CHOICE.includes(q.kind);
    const tags = {};
    if (choice && !anonymous) q.options.forEach((o, i) => { if (o.tag.trim()) tags[String(i)] = o.tag.trim(); });
    return { kind: q.kind, text: q.text.trim(), required: q.required,
      options: choice ? q.options.map((o) => o.text.trim()) : null,
      option_tags: Object.keys(tags).length ? tags : null };
  });
}

/** One question as the mini-program shows it, disabled: radios, boxes, five stars or a text area. */
function previewQuestion(q, i) {
  const name = `preview-q${i}`;
  const control = {
    single: () => q.options.map((o) => html`<label class="check"><input type="radio" name=${name} disabled>
      ${o.text || html`<span class="muted">（选项）</span>`}</label>`),
    multiple: () => q.options.map((o) => html`<label class="check"><input type="checkbox" disabled>
      ${o.text || html`<span class="muted">（选项）</span>`}</label>`),
    scale: () => html`<div class="sv-stars" aria-label="1 到 5 星">${[1, 2, 3, 4, 5].map(() => html`<span>☆</span>`)}</div>`,
    text: () => html`<textarea rows="3" disabled placeholder="请输入"></textarea>`,
  }[q.kind];
  return html`<div class="sv-preview-q" data-preview-question=${i} data-kind=${q.kind}>
    <div class="sv-preview-title">${i + 1}. ${q.text || html`<span class="muted">（题目）</span>`}
      ${q.required ? html`<span class="req">*</span>` : nothing}
      <small class="muted">${label("question_kind", q.kind)}</small></div>
    ${control ? control() : nothing}</div>`;
}

function preview(s) {
  return html`<div class="card sv-preview" id="survey-preview"><h2>会员看到的样子</h2>
    <div class="sv-phone">
      <h3 id="preview-title">${s.title || html`<span class="muted">（问卷标题）</span>`}</h3>
      ${s.description ? html`<p class="prewrap muted">${s.description}</p>` : nothing}
      ${s.anonymous ? html`<p class="hint" id="preview-anonymous">${ANONYMITY}</p>` : nothing}
      ${s.questions.map(previewQuestion)}
      <button class="btn btn-primary btn-block" type="button" disabled>提交</button>
    </div></div>`;
}

async function loadDraft(id) {
  try {
    return await api(`/surveys/${id}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

export const viewNewSurvey = (root) => builder(root, null);

export async function viewEditSurvey(root, id) {
  const survey = await loadDraft(id);
  if (!survey || survey.status !== "draft") {
    render(html`<div class="page">${pageHeader({ back: { href: `#/surveys/${id}`, text: "返回问卷" }, title: "编辑问卷" })}
      ${alertBox(survey ? "问卷已发布，不能再修改。" : "问卷不存在")}</div>`, root);
    return;
  }
  return builder(root, survey);
}

function builder(root, survey) {
  const state = formState();
  const s = survey
    ? { title: survey.title, description: survey.description || "", anonymous: survey.anonymous,
      opens_at: localInput(survey.opens_at), closes_at: localInput(survey.closes_at),
      questions: editable(survey.questions) }
    : { title: "", description: "", anonymous: false, opens_at: "", closes_at: "", questions: [blankQuestion()] };
  const audience = survey ? survey.audience : {};
  const back = survey ? { href: `#/surveys/${survey.id}`, text: "返回问卷" } : { href: "#/surveys", text: "返回问卷列表" };

  const set = (fn) => (e) => { fn(e.currentTarget); draw(); };
  const move = (list, i, by) => { const [x] = list.splice(i, 1); list.splice(i + by, 0, x); draw(); };
  const remove = (list, i) => { list.splice(i, 1); draw(); };

  function optionRow(q, qi, o, oi) {
    const at = `q${qi}-o${oi}`;
    return html`<div class="sv-option" data-option=${oi}>
      <input id=${at} aria-label="第 ${qi + 1} 题选项 ${oi + 1}" placeholder="选项 ${oi + 1}" maxlength="200"
        .value=${o.text} @input=${set((el) => { o.text = el.value; })}>
      ${s.anonymous ? nothing : html`<input class="sv-tag" id="${at}-tag" aria-label="第 ${qi + 1} 题选项 ${oi + 1} 的标签"
        placeholder="标签（可选）" title=${TAG_HINT} maxlength="50" .value=${o.tag} @input=${set((el) => { o.tag = el.value; })}>`}
      <button type="button" class="btn btn-sm btn-ghost" aria-label="删除第 ${qi + 1} 题选项 ${oi + 1}"
        @click=${() => remove(q.options, oi)}>删除</button></div>`;
  }

  function questionCard(q, i) {
    const at = `questions.${i}`;
    const choice = CHOICE.includes(q.kind);
    return html`<div class="sv-question ${state.errors.fields[at] || state.errors.fields[`${at}.options`] ? "has-error" : ""}"
      data-question=${i}>
      <div class="sv-question-head">
        <b>第 ${i + 1} 题</b>
        <select id="q${i}-kind" aria-label="第 ${i + 1} 题题型" @change=${set((el) => {
          q.kind = el.value;
          if (CHOICE.includes(q.kind) && !q.options.length) q.options = blankQuestion().options;
        })}>${options("question_kind", q.kind)}</select>
        <label class="check"><input type="checkbox" id="q${i}-required" .checked=${q.required}
          @change=${set((el) => { q.required = el.checked; })}> 必答</label>
        <span class="sv-spacer"></span>
        <button type="button" class="btn btn-sm btn-ghost" aria-label="第 ${i + 1} 题上移" ?disabled=${i === 0}
          @click=${() => move(s.questions, i, -1)}>上移</button>
        <button type="button" class="btn btn-sm btn-ghost" aria-label="第 ${i + 1} 题下移"
          ?disabled=${i === s.questions.length - 1} @click=${() => move(s.questions, i, 1)}>下移</button>
        <button type="button" class="btn btn-sm btn-danger-ghost" aria-label="删除第 ${i + 1} 题"
          ?disabled=${s.questions.length === 1} @click=${() => remove(s.questions, i)}>删除</button>
      </div>
      ${field({ name: `${at}.text`, label: "题目", required: true, errors: state.errors }, (a) => html`<input id=${a.id}
        maxlength="500" .value=${q.text} @input=${set((el) => { q.text = el.value; })}>`)}
      ${choice ? html`<div class="sv-options">
        ${!s.anonymous ? html`<small class="hint">${TAG_HINT}（需求画像，可用于通知、活动的对象）</small>` : nothing}
        ${q.options.map((o, oi) => optionRow(q, i, o, oi))}
        <button type="button" class="btn btn-sm btn-ghost" id="q${i}-add-option"
          @click=${() => { q.options.push({ text: "", tag: "" }); draw(); }}>添加选项</button></div>` : nothing}
      ${fieldError(`${at}.options`, state.errors)}${fieldError(`${at}.option_tags`, state.errors)}
      ${fieldError(at, state.errors)}
    </div>`;
  }

  function draw() {
    const errors = state.errors;
    render(html`<div class="page">
      ${pageHeader({ back, title: survey ? "编辑问卷" : "新建问卷", sub: "保存为草稿，发布前可随时修改" })}
      <div class="event-grid sv-builder">
        <form class="card form main" id="survey-form" novalidate @submit=${(ev) => submitForm(state, ev, draw, save)}>
          ${formMessage(errors)}
          <fieldset><legend>基本信息</legend>
            ${field({ name: "title", label: "标题", required: true, errors }, (a) => html`<input id=${a.id} name=${a.name}
              maxlength="100" .value=${s.title} @input=${set((el) => { s.title = el.value; })}>`)}
            ${field({ name: "description", label: "说明", errors }, (a) => html`<textarea id=${a.id} name=${a.name} rows="3"
              maxlength="5000" .value=${s.description} @input=${set((el) => { s.description = el.value; })}></textarea>`)}
            <div class="field" data-field="anonymous">
              <label class="check"><input type="checkbox" id="f-anonymous" name="anonymous" .checked=${s.anonymous}
                @change=${set((el) => { s.anonymous = el.checked; })}> 匿名问卷</label>
              <small class="hint" id="anonymous-hint">${ANONYMITY}。匿名问卷的选项不能加标签，结果不能按标签分组。</small>
              ${fieldError("anonymous", errors)}</div>
            <div class="grid-2">
              ${field({ name: "opens_at", label: "开始时间（北京时间）", required: true, errors }, (a) => html`<input
                id=${a.id} name=${a.name} type="datetime-local" .value=${s.opens_at} @input=${set((el) => { s.opens_at = el.value; })}>`)}
              ${field({ name: "closes_at", label: "结束时间（北京时间）", required: true, errors }, (a) => html`<input
                id=${a.id} name=${a.name} type="datetime-local" .value=${s.closes_at} @input=${set((el) => { s.closes_at = el.value; })}>`)}
            </div></fieldset>
          <fieldset><legend>填写对象</legend>
            <p class="hint">每一类都要符合；都不填表示全体会员。</p>
            <div class="grid-2">${audienceBoxes(errors, "例如：青年，女职工", audience)}</div>
            ${fieldError("audience", errors)}</fieldset>
          <fieldset id="survey-questions"><legend>题目</legend>
            ${fieldError("questions", errors)}
            ${s.questions.map(questionCard)}
            <div class="sv-add">添加：${["single", "multiple", "scale", "text"].map((k) => html`<button type="button"
              class="btn btn-sm btn-ghost" data-add-kind=${k} @click=${() => { s.questions.push(blankQuestion(k)); draw(); }}
              >${label("question_kind", k)}</button>`)}</div></fieldset>
          <div class="form-actions"><a class="btn btn-ghost" href=${back.href}>取消</a>
            ${submitButton("保存草稿", state.busy, { id: "save-survey" })}</div>
        </form>
        <div class="side">${preview(s)}</div>
      </div></div>`, root);
  }

  async function save(f) {
    const body = {
      title: s.title.trim(), description: s.description.trim() || null, anonymous: s.anonymous,
      audience: audienceFields(f), opens_at: localInputToIso(s.opens_at), closes_at: localInputToIso(s.closes_at),
      questions: questionsIn(s.questions, s.anonymous),
    };
    const saved = survey
      ? await api(`/surveys/${survey.id}`, { method: "PATCH", body })
      : await api("/surveys", { method: "POST", body });
    toast("问卷草稿已保存");
    location.hash = `#/surveys/${saved.id}`;
  }

  draw();
}

// --- one survey -----------------------------------------------------------------------------------

// The breakdowns GET /surveys/{id}/results offers (a query parameter, not a vocabulary).
const BY = { department: "部门", grid: "网格", tag: "标签" };
const PALETTE = ["#b91c1c", "#1d4ed8", "#15803d", "#b45309", "#7c3aed"];

export async function viewSurvey(root, id) {
  let s = await loadDraft(id);
  const back = { href: "#/surveys", text: "返回问卷列表" };
  if (!s) {
    render(html`<div class="page">${pageHeader({ back, title: "问卷" })}${alertBox("问卷不存在")}</div>`, root);
    return;
  }
  let turnout = null;
  let results = null;
  let by = "";
  let error = "";
  let acting = "";
  let loadingStats = s.status !== "draft";
  const charts = [];

  async function loadStats() {
    if (s.status === "draft") return;
    try {
      [turnout, results] = await Promise.all([
        api(`/surveys/${id}/turnout`), api(`/surveys/${id}/results${by ? `?by=${by}` : ""}`)]);
      error = "";
    } catch (e) {
      if (e.status === 401) throw e;
      error = e.message;
    }
  }

  function facts() {
    return html`<dl class="details" id="survey-facts">
      <dt>状态</dt><dd>${statusBadge("survey_status", s.status)}</dd>
      <dt>方式</dt><dd>${anonBadge(s)}${s.anonymous ? html`<div class="hint">${ANONYMITY}</div>` : nothing}</dd>
      <dt>填写对象</dt><dd id="survey-audience">${audienceText(s.audience)}</dd>
      <dt>时间</dt><dd id="survey-times">${fmtTime(s.opens_at)} 至 ${fmtTime(s.closes_at)}</dd>
      ${s.published_at ? html`<dt>发布于</dt><dd>${fmtTime(s.published_at)}</dd>` : nothing}
      ${s.description ? html`<dt>说明</dt><dd>${s.description}</dd>` : nothing}
    </dl>`;
  }

  function actions() {
    if (s.status === "draft") {
      return html`<a class="btn btn-ghost" id="edit-survey" href="#/surveys/${id}/edit">编辑</a>
        <button type="button" class="btn btn-primary ${acting === "publish" ? "is-busy" : ""}" id="publish-survey"
          ?disabled=${Boolean(acting)} @click=${publish}>发布</button>`;
    }
    return html`${s.status !== "closed" ? html`<button type="button" class="btn btn-danger-ghost
        ${acting === "close" ? "is-busy" : ""}" id="close-survey" ?disabled=${Boolean(acting)} @click=${closeEarly}>提前结束</button>`
      : nothing}
      <button type="button" class="btn btn-ghost" id="download-results"
        @click=${(e) => downloadFile(`/surveys/${id}/results.xlsx`, null, e.currentTarget)}>导出 Excel</button>`;
  }

  function turnoutCard() {
    if (!turnout) return nothing;
    const t = turnout;
    return html`<div class="card" id="survey-turnout"><h2>填写情况</h2>
      <div class="kpis"><div class="kpi"><b id="turnout-answered">${t.answered}</b><span>已填写</span></div>
        <div class="kpi"><b id="turnout-eligible">${t.eligible}</b><span>应填写</span></div>
        <div class="kpi"><b id="turnout-rate">${pct(t.rate)}</b><span>填写率</span></div></div>
      ${t.by_department.length ? table({ id: "turnout-departments", head: ["部门", { text: "已填", cls: "num" },
        { text: "应填", cls: "num" }], rows: t.by_department.map((d) => html`<tr data-department=${d.department}>
          <td>${groupName(d.department)}</td><td class="num">${d.answered}</td><td class="num">${d.eligible}</td></tr>`) })
        : nothing}
      <p class="hint">不足 5 人的部门合并为“其他”。</p></div>`;
  }

  /** The counts under each chart: what the chart draws, readable by tests and screen readers. */
  function countsTable(q) {
    if (q.options) {
      return table({ id: `q${q.question}-counts`, head: ["选项", { text: "人数", cls: "num" }],
        rows: q.options.map((o) => html`<tr data-option=${o.option}><td>${o.text}</td><td class="num">${o.count}</td></tr>`) });
    }
    return table({ id: `q${q.question}-counts`, head: ["分值", { text: "人数", cls: "num" }],
      rows: ["1", "2", "3", "4", "5"].map((v) => html`<tr data-value=${v}><td>${v} 星</td>
        <td class="num">${q.distribution[v] || 0}</td></tr>`) });
  }

  function questionResult(q) {
    const head = html`<h3>${q.question + 1}. ${q.text} <small class="muted">${label("question_kind", q.kind)} ·
      ${q.answered} 人作答</small></h3>`;
    if (q.kind === "text") {
      return html`<div class="sv-result" data-result=${q.question}>${head}
        ${q.texts.length ? html`<ul class="sv-texts" id="q${q.question}-texts">${q.texts.map((t) => html`<li class="prewrap">${t}</li>`)}</ul>`
          : html`<p class="empty">还没有回答。</p>`}</div>`;
    }
    return html`<div class="sv-result" data-result=${q.question}>${head}
      ${q.kind === "scale" ? html`<p>平均分 <b id="q${q.question}-mean">${q.mean == null ? "—" : q.mean.toFixed(2)}</b></p>` : nothing}
      <div class="sv-chart" id="q${q.question}-chart"></div>
      ${countsTable(q)}</div>`;
  }

  function groupCell(gq, q) {
    if (!gq) return "—";
    if (gq.options) return gq.options.map((o) => `${o.text} ${o.count}`).join("；");
    if (q.kind === "scale") return gq.mean == null ? "—" : `平均 ${gq.mean.toFixed(2)}`;
    return "—";
  }

  function groupsTable(r) {
    if (!r.groups) return nothing;
    const shown = r.questions.filter((q) => q.kind !== "text");
    return html`<h3 id="groups-title">按${BY[r.by]}分组</h3>
      ${r.groups.length ? table({ id: "result-groups", head: ["分组", { text: "人数", cls: "num" },
        ...shown.map((q) => `${q.question + 1}. ${q.text}`)], rows: r.groups.map((g) => html`<tr data-group=${g.group}>
          <td>${groupName(g.group)}</td><td class="num">${g.respondents}</td>
          ${shown.map((q) => html`<td>${groupCell(g.questions.find((x) => x.question === q.question), q)}</td>`)}</tr>`) })
        : html`<p class="empty">填写人数不足，暂不分组显示。</p>`}
      ${r.by === "tag" ? html`<p class="hint">一位会员可有多个标签，各组人数之和可能大于总数。</p>` : nothing}
      <p class="hint">不足 5 人的分组合并为“其他”。</p>`;
  }

  function resultsCard() {
    if (!results) return nothing;
    const r = results;
    const bySelect = html`<select id="results-by" class="select-sm" aria-label="分组方式" @change=${onBy}>
      <option value="" ?selected=${!by}>不分组</option>
      <option value="department" ?selected=${by === "department"}>按部门</option>
      <option value="grid" ?selected=${by === "grid"}>按网格</option>
      <option value="tag" ?selected=${by === "tag"} ?disabled=${s.anonymous}>按标签${s.anonymous ? "（匿名问卷不可用）" : ""}</option>
    </select>`;
    return html`<div class="card" id="survey-results"><div class="card-head"><h2>结果 <small class="muted">
      共 <span id="results-respondents">${r.respondents}</span> 份</small></h2>${bySelect}</div>
      ${r.pending ? html`<p class="alert alert-info" id="results-pending">另有 ${r.pending} 份匿名答卷将在下一批次计入</p>` : nothing}
      ${r.questions.map(questionResult)}
      ${groupsTable(r)}</div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: s.title, titleId: "survey-title", badge: statusBadge("survey_status", s.status),
        sub: `${s.questions.length} 题 · 已填 ${s.answered_count}/${s.eligible_count}`, actions: actions() })}
      ${error ? alertBox(error) : nothing}
      <div class="event-grid">
        <div class="main">${s.status === "draft"
          ? html`<div class="card"><p class="muted">草稿尚未发布，会员看不到。发布后可查看填写情况和结果。</p></div>`
          : loadingStats ? loading() : resultsCard()}</div>
        <div class="side"><div class="card"><h2>问卷信息</h2>${facts()}</div>${turnoutCard()}
          ${s.status === "draft" ? preview({ ...s, questions: editable(s.questions) }) : nothing}</div>
      </div></div>`, root);
    drawCharts();
  }

  function drawCharts() {
    while (charts.length) charts.pop().dispose();
    if (!results) return;
    for (const q of results.questions) {
      const el = root.querySelector(`#q${q.question}-chart`);
      if (!el) continue;
      const cats = q.options ? q.options.map((o) => o.text) : ["1", "2", "3", "4", "5"].map((v) => `${v} 星`);
      const data = q.options ? q.options.map((o) => o.count) : ["1", "2", "3", "4", "5"].map((v) => q.distribution[v] || 0);
      const chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption({
        animation: false,
        color: [PALETTE[q.question % PALETTE.length]],
        // richText: the HTML tooltip writes style attributes the CSP blocks.
        tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: cats, inverse: true },
        series: [{ type: "bar", data, label: { show: true, position: "right" } }],
      });
      charts.push(chart);
    }
  }

  async function onBy(e) {
    by = e.currentTarget.value;
    await loadStats();
    draw();
  }

  async function act(action, done) {
    acting = action;
    draw();
    try {
      s = await api(`/surveys/${id}/${action}`, { method: "POST" });
      toast(done);
      await loadStats();
    } catch (e) {
      const fields = Object.values(e.details?.fields || {});
      toast(fields.length ? fields.join("；") : e.message, "error");
    } finally {
      acting = "";
      draw();
    }
  }

  async function publish() {
    // Publishing sends nothing by itself: members see the survey in the mini-program once it opens, and
    // the scheduler reminds those who have not answered before it closes (docs/surveys.md).
    if (!(await confirmDialog("发布问卷", "发布后不能再修改题目。问卷开始后，范围内的会员可在小程序中填写；结束前系统会提醒尚未填写的会员。",
      "发布"))) return;
    await act("publish", "问卷已发布");
  }

  async function closeEarly() {
    if (!(await confirmDialog("提前结束问卷", "结束后会员不能再填写，此操作不能撤销。", "结束问卷"))) return;
    await act("close", "问卷已结束");
  }

  draw();
  if (s.status !== "draft") {
    await loadStats();
    loadingStats = false;
    draw();
  }
  const onResize = () => charts.forEach((c) => c.resize());
  window.addEventListener("resize", onResize);
  return () => {
    window.removeEventListener("resize", onResize);
    while (charts.length) charts.pop().dispose();
  };
}
