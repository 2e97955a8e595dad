// The craftsman star (docs/council.md): the yearly rounds and a new round with its committee, a round's page
// with its stage, the nominations (photos, review tallies, the shortlist), the committee's review for a staff
// member who sits on it, opening the public vote (a vote of the votes module) and publishing the winners.
import { api, blobUrl, fmtTime, localInputToIso, parts } from "./core.js";
import {
  PagedList, alertBox, confirmDialog, field, formActions, formMessage, formState, input, pageHeader, pagedTable,
  statusBadge, submitForm, table, toast, toneBadge,
} from "./components.js";
import { MemberPicker } from "./members.js";
import { html, nothing, render } from "./view.js";

const PER_PAGE = 20;
// A round's nominations fit on one page (the API's largest), so the shortlist can be read off it.
const NOMINATIONS_PAGE = 100;
const REVIEWING = ["nominating", "reviewing"];
const VOTED = ["voting", "counting", "published"];

const who = (p, dept) => `${p.name}${dept ? ` · ${dept}` : ""}`;

// --- rounds ------------------------------------------------------------------------------------------

export async function viewCraftsman(root) {
  const rounds = new PagedList({ path: "/craftsman/rounds", perPage: PER_PAGE, draw });
  const winners = new PagedList({ path: "/craftsman/winners", perPage: PER_PAGE, draw });
  const form = formState();
  const committee = new MemberPicker(() => draw());
  let showForm = false;
  const year = Number(parts(new Date().toISOString()).date.slice(0, 4));

  function roundForm() {
    const f = (o, c) => field({ ...o, errors: form.errors, prefix: "round" }, c);
    const time = (name, text) => f({ name, label: `${text}（北京时间）`, required: true }, input({ type: "datetime-local" }));
    return html`<div class="card"><h2>新建评选</h2>
      <form class="form" id="round-form" novalidate @submit=${(e) => submitForm(form, e, draw, async (el) => {
        const r = await api("/craftsman/rounds", { method: "POST", body: {
          year: Number(el.year.value) || el.year.value, title: el.title.value.trim(),
          nomination_closes_at: localInputToIso(el.nomination_closes_at.value),
          review_closes_at: localInputToIso(el.review_closes_at.value),
          vote_opens_at: localInputToIso(el.vote_opens_at.value),
          vote_closes_at: localInputToIso(el.vote_closes_at.value),
          winners: Number(el.winners.value) || el.winners.value, committee: committee.ids } });
        toast("评选已创建，全体会员将收到推荐通知");
        showForm = false;
        location.hash = `#/craftsman/rounds/${r.id}`;
      })}>
        ${formMessage(form.errors)}
        ${f({ name: "year", label: "年度", required: true, hint: "每年一次评选" }, input({ type: "number", value: String(year) }))}
        ${f({ name: "title", label: "名称", required: true }, input({ maxlength: 100, value: `${year}年度“工匠之星”评选` }))}
        <p class="hint">四个时间须依次为：推荐截止 ≤ 评审截止 ≤ 投票开始 &lt; 投票截止。</p>
        ${time("nomination_closes_at", "推荐截止")}
        ${time("review_closes_at", "评审截止")}
        ${time("vote_opens_at", "投票开始")}
        ${time("vote_closes_at", "投票截止")}
        ${f({ name: "winners", label: "评选名额", required: true, hint: "3 至 5 人；入围人数不少于名额才能发起投票" },
          input({ type: "number", min: 3, value: "3" }))}
        ${committee.view("round-committee", form.errors, "committee", "评审委员会")}
        ${formActions("创建评选", form)}
      </form></div>`;
  }

  const roundRow = (r) => html`<tr data-round-id=${r.id}>
    <td class="mono">${r.year}</td>
    <td><a class="event-link" href="#/craftsman/rounds/${r.id}">${r.title}</a></td>
    <td>${statusBadge("craftsman_stage", r.stage)}</td>
    <td class="nowrap">${fmtTime(r.nomination_closes_at)}</td>
    <td class="nowrap">${fmtTime(r.review_closes_at)}</td>
    <td class="nowrap">${fmtTime(r.vote_opens_at)} 至 ${fmtTime(r.vote_closes_at)}</td>
    <td class="num">${r.winners}</td>
    <td class="num">${r.nominations_count}</td></tr>`;

  function draw() {
    render(html`<div class="page">
      ${pageHeader({
        title: "工匠之星",
        sub: "每年一次：会员推荐（可自荐）→ 评审委员会评审 → 入围者公开投票 → 公布获奖者",
        actions: html`<button class="btn btn-primary btn-sm" id="new-round" type="button"
          @click=${() => { showForm = !showForm; draw(); }}>新建评选</button>`,
      })}
      ${showForm ? roundForm() : nothing}
      <div class="card"><h2>历年评选</h2>${pagedTable(rounds, {
        id: "rounds-table", row: roundRow, head: ["年度", "评选", "阶段", "推荐截止", "评审截止", "投票时间", "名额", "推荐数"],
        empty: html`<p>还没有评选。</p>`,
      })}</div>
      <div class="card"><h2>历届工匠之星</h2>${pagedTable(winners, {
        id: "all-winners-table", row: (w) => html`<tr data-winner-id=${w.id}><td class="mono">${w.year}</td>
          <td class="num">${w.rank}</td><td>${who(w.member, w.department)}</td><td class="num">${w.votes}</td></tr>`,
        head: ["年度", "名次", "获奖者", "得票"], empty: html`<p>还没有公布的获奖者。</p>`,
      })}</div></div>`, root);
  }

  await Promise.all([rounds.load(), winners.load()]);
}

// --- one round ---------------------------------------------------------------------------------------

async function findRound(id) {
  try {
    return await api(`/craftsman/rounds/${id}`);
  } catch (e) {
    if (e.code === "not_found") return null;
    throw e;
  }
}

/** What a refused step means for staff; the server's own message where it says it already. */
function stepError(e) {
  if (e.code === "shortlist_too_short") return `${e.message}，不能发起投票。请等评审结束后入围人数足够，或与评审委员会商议。`;
  if (e.code === "vote_not_closed") return "投票尚未结束，结束后才能公布结果（可在投票页面提前结束投票）。";
  if (e.code === "invalid_transition") return "评选阶段已变化，已为您刷新。";
  return e.message;
}

export async function viewRound(root, id) {
  let r = await findRound(id);
  const back = { href: "#/craftsman", text: "返回工匠之星" };
  if (!r) {
    render(html`<div class="page">${pageHeader({ back, title: "评选" })}${alertBox("评选不存在")}</div>`, root);
    return undefined;
  }
  const nominations = new PagedList({ path: `/craftsman/rounds/${id}/nominations`, perPage: NOMINATIONS_PAGE, draw });
  let winners = null;
  let acting = "";
  let actionError = "";
  const reviewForms = new Map();  // nomination id → formState
  const photos = new Map();  // photo URL → blob URL (null when it cannot be read)

  async function loadWinners() {
    winners = r.stage === "published" ? (await api(`/craftsman/winners?${new URLSearchParams({ year: r.year, per_page: 10 })}`)).items : null;
  }

  async function act(path, title, body, ok, done) {
    if (!(await confirmDialog(title, body, ok))) return;
    actionError = "";
    acting = path;
    draw();
    try {
      r = await api(`/craftsman/rounds/${id}/${path}`, { method: "POST" });
      toast(done);
    } catch (e) {
      actionError = stepError(e);
      if (e.code === "invalid_transition") r = (await findRound(id)) || r;
    }
    acting = "";
    await Promise.all([loadWinners(), nominations.load({ quiet: true })]);
    draw();
  }

  const openVote = () => act("open-vote", "发起公开投票",
    `以入围名单为候选人创建并发布投票（每人最多选 ${r.winners} 位，${fmtTime(r.vote_opens_at)} 至 ${fmtTime(r.vote_closes_at)}），全体会员可投；发起后不能撤销。`,
    "发起投票", "投票已发起");
  const publish = () => act("publish", "公布评选结果",
    `按得票排出前 ${r.winners} 名（票数相同时评审赞成多者、推荐早者在前），向全体会员公布；公布后不能撤销。`,
    "公布结果", "评选结果已公布");

  function actions() {
    const buttons = [];
    if (r.stage === "shortlisted") {
      buttons.push(html`<button class="btn btn-primary btn-sm ${acting ? "is-busy" : ""}" id="open-vote" type="button"
        ?disabled=${Boolean(acting)} @click=${openVote}>发起投票</button>`);
    }
    if (r.vote_id) buttons.push(html`<a class="btn btn-ghost btn-sm" id="vote-link" href="#/votes/${r.vote_id}">查看投票</a>`);
    if (r.stage === "voting" || r.stage === "counting") {
      buttons.push(html`<button class="btn btn-primary btn-sm ${acting ? "is-busy" : ""}" id="publish-round" type="button"
        ?disabled=${Boolean(acting)} @click=${publish}>公布结果</button>`);
    }
    return buttons.length ? buttons : nothing;
  }

  function facts() {
    const step = (stages, text, at) => html`<dt class=${stages.includes(r.stage) ? "current" : ""}>${text}</dt><dd>${at}</dd>`;
    return html`<h2>评选信息</h2><dl class="details" id="round-facts">
      ${step(["nominating"], "推荐截止", fmtTime(r.nomination_closes_at))}
      ${step(["reviewing"], "评审截止", fmtTime(r.review_closes_at))}
      ${step(["shortlisted", "voting"], "投票时间", `${fmtTime(r.vote_opens_at)} 至 ${fmtTime(r.vote_closes_at)}`)}
      <dt>评选名额</dt><dd id="round-winners-count">${r.winners} 人</dd>
      <dt>评审委员会</dt><dd id="round-committee">${r.committee.map((c) => c.name).join("、") || "—"}</dd>
      <dt>推荐</dt><dd>${r.nominations_count} 人</dd>
      ${r.published_at ? html`<dt>公布时间</dt><dd>${fmtTime(r.published_at)}</dd>` : nothing}
    </dl>`;
  }

  function reviewCell(n) {
    if (n.my_review) {
      return html`<span class="my-review" data-approve=${String(n.my_review.approve)}>${n.my_review.approve
        ? toneBadge("已赞成", "open") : toneBadge("不赞成", "muted")}</span>
        ${n.my_review.comment ? html`<div class="muted">${n.my_review.comment}</div>` : nothing}`;
    }
    if (!r.on_committee || !REVIEWING.includes(r.stage)) return "—";
    if (!reviewForms.has(n.id)) reviewForms.set(n.id, formState());
    const state = reviewForms.get(n.id);
    // Enter in the comment would submit as the first button (赞成): the decision is always a click.
    return html`<form class="review-form" novalidate @submit=${(e) => submitForm(state, e, draw, async (el) => {
      const out = await api(`/craftsman/nominations/${n.id}/review`, { method: "POST",
        body: { approve: e.submitter?.value === "yes", comment: el.comment.value.trim() || undefined } });
      Object.assign(n, out);
      toast("评审已提交");
    })}>${formMessage(state.errors)}
      <input class="input-sm" name="comment" maxlength="2000" placeholder="评语（可不填）" aria-label="评语"
        @keydown=${(k) => { if (k.key === "Enter") k.preventDefault(); }}>
      <div class="review-buttons">
        <button class="btn btn-primary btn-sm" type="submit" name="approve" value="yes" ?disabled=${state.busy}>赞成</button>
        <button class="btn btn-ghost btn-sm" type="submit" name="approve" value="no" ?disabled=${state.busy}>不赞成</button>
      </div>
      <small class="field-error" data-error-for="approve"></small></form>`;
  }

  const photoCell = (n) => (n.photos.length ? html`<div class="thumbs">${n.photos.map((p) => (photos.get(p.url)
    ? html`<a href=${photos.get(p.url)} target="_blank" rel="noopener"><img src=${photos.get(p.url)} alt="${n.nominee.name}的照片"></a>`
    : html`<span class="muted">${photos.has(p.url) ? "无法加载" : "加载中"}</span>`))}</div>` : "—");

  const nominationRow = (n) => html`<tr data-nomination-id=${n.id} class=${n.shortlisted ? "row-selected" : ""}>
    <td class="nowrap"><b>${n.nominee.name}</b>${n.department ? html`<div class="muted">${n.department}</div>` : nothing}</td>
    <td class="nowrap">${n.self_nominated ? "自荐" : n.nominated_by ? n.nominated_by.name : "—"}</td>
    <td><div class="prewrap">${n.reason}</div>${n.evidence ? html`<div class="muted prewrap">证明材料：${n.evidence}</div>` : nothing}</td>
    <td>${photoCell(n)}</td>
    <td class="nowrap tally">${n.reviews === null ? "—" : `${n.approvals}/${n.reviews} 赞成`}
      ${n.shortlisted ? html` ${toneBadge("入围", "open")}` : nothing}</td>
    <td>${reviewCell(n)}</td></tr>`;

  function nominationsCard() {
    const items = nominations.data?.items || [];
    const shortlist = items.filter((n) => n.shortlisted);
    const note = r.on_committee ? (REVIEWING.includes(r.stage) ? `您是本届评审委员，请在 ${fmtTime(r.review_closes_at)} 前评审。` : "评审已结束。")
      : "您不是本届评审委员，只能查看评审情况。";
    return html`<div class="card" id="round-nominations"><h2>推荐与评审</h2>
      <p class="muted">评审过的委员中过半数赞成即入围（未评审的委员不计）。${note}</p>
      ${nominations.data ? html`<p id="shortlist-summary">入围 <b>${shortlist.length}</b> 人（名额 ${r.winners} 人）${shortlist.length
        ? `：${shortlist.map((n) => n.nominee.name).join("、")}` : ""}
        ${r.stage === "shortlisted" && shortlist.length < r.winners ? html` ${toneBadge("入围人数不足", "danger")}` : nothing}</p>` : nothing}
      ${pagedTable(nominations, {
        id: "nominations-table", row: nominationRow, head: ["被推荐人", "推荐人", "事迹", "照片", "评审", "我的评审"],
        empty: html`<p>还没有推荐。</p>`,
      })}</div>`;
  }

  function winnersCard() {
    if (!winners) return nothing;
    return html`<div class="card" id="round-winners"><h2>获奖者</h2>${winners.length ? table({
      id: "winners-table", head: ["名次", "获奖者", "得票", "事迹"],
      rows: winners.map((w) => html`<tr data-winner-id=${w.id}><td class="num">${w.rank}</td>
        <td class="nowrap winner-name">${who(w.member, w.department)}</td><td class="num">${w.votes}</td>
        <td class="prewrap">${w.reason}</td></tr>`),
    }) : html`<p class="muted">没有获奖者。</p>`}</div>`;
  }

  function draw() {
    render(html`<div class="page">
      ${pageHeader({ back, title: r.title, titleId: "round-title", badge: statusBadge("craftsman_stage", r.stage),
        sub: `${r.year} 年度 · 评选 ${r.winners} 人`, actions: actions() })}
      <div class="form-message" id="round-action-message">${actionError ? alertBox(actionError) : nothing}</div>
      ${winnersCard()}
      <div class="event-grid">
        <div class="main">${nominationsCard()}</div>
        <div class="side"><div class="card">${facts()}</div>
          ${VOTED.includes(r.stage) ? html`<div class="card"><h2>公开投票</h2>
            <p class="muted">入围者为候选人，全体会员在小程序中投票；投票结束前不显示得票。</p>
            <p><a href="#/votes/${r.vote_id}" id="vote-page-link">在投票模块查看投票、提前结束或录入纸质票</a></p></div>` : nothing}
        </div></div></div>`, root);
    loadPhotos();
  }

  // Photos load after a draw (token → blob URLs); one more draw once new ones are there.
  let loadingPhotos = false;
  async function loadPhotos() {
    if (loadingPhotos) return;
    const wanted = (nominations.data?.items || []).flatMap((n) => n.photos.map((p) => p.url)).filter((u) => !photos.has(u));
    if (!wanted.length) return;
    loadingPhotos = true;
    for (const url of wanted) photos.set(url, await blobUrl(url));
    loadingPhotos = false;
    draw();
  }

  await Promise.all([loadWinners(), nominations.load()]);
  return () => photos.forEach((src) => src && URL.revokeObjectURL(src));
}
