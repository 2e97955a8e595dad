// Shared components of the console's pages, on the view layer (view.js): page header, status badge,
// form field with its error, table with pager (and the paged list behind it), confirm dialog, toast.
// Every page uses these; a new section should not need markup of its own for any of them.
import { api } from "./core.js";
import { html, nothing, render } from "./view.js";
import { choices, label } from "./labels.js";

// --- small pieces ---------------------------------------------------------------------------------

export const alertBox = (message, kind = "error") =>
  html`<div class="alert alert-${kind}" role="alert">${message}</div>`;

export const loading = () => html`<div class="loading">正在加载…</div>`;

/** The shape of a page's top: optional back link, title (with a badge), a line under it, actions. */
export function pageHeader({ title, titleId, badge = nothing, sub = nothing, actions = nothing, back = null }) {
  return html`${back ? html`<a class="back" href=${back.href}>‹ ${back.text}</a>` : nothing}
    <div class="page-head">
      <div>
        <h1 id=${titleId || nothing}>${title}${badge === nothing ? nothing : html` ${badge}`}</h1>
        ${sub === nothing ? nothing : html`<p class="muted">${sub}</p>`}
      </div>
      ${actions === nothing ? nothing : html`<div class="head-actions">${actions}</div>`}
    </div>`;
}

// --- status badge ---------------------------------------------------------------------------------

// Tones are presentation, so they live here, not with the labels: open (green), live (blue), idle
// (amber), muted (grey), danger (red). A value without a tone is grey.
const TONES = {
  registration_status: { confirmed: "open", waitlisted: "idle", cancelled: "muted" },
  booking_status: { booked: "open", cancelled: "muted" },
  calendar_kind: { health_check: "open", reception_day: "danger", legal_clinic: "live" },
  notice_status: { draft: "muted", scheduled: "idle", sending: "live", sent: "open" },
  delivery_status: {
    sent: "open", queued: "live", sending: "live", failed: "danger", skipped: "muted", unknown: "idle",
    duplicate: "danger",
  },
  suggestion_status: { new: "danger", in_progress: "live", answered: "open", closed: "muted" },
  slot_status: { open: "open", cancelled: "muted" },
  plan_item_status: { planned: "idle", in_progress: "live", done: "open" },
  request_status: { submitted: "danger", accepted: "live", resolved: "idle", closed: "open", reopened: "danger" },
  survey_status: { draft: "muted", scheduled: "idle", open: "open", closed: "live" },
  vote_status: { draft: "muted", scheduled: "idle", open: "live", closed: "open" },
  proposal_status: {
    draft: "muted", submitted: "danger", accepted: "idle", opinion: "muted", rejected: "muted", assigned: "live",
    in_progress: "live", completed: "open",
  },
  council_topic_status: { open: "open", closed: "muted" },
  council_idea_status: { submitted: "muted", selected: "live", answered: "open" },
  craftsman_stage: {
    nominating: "open", reviewing: "idle", shortlisted: "idle", voting: "live", counting: "danger", published: "open",
  },
  procurement_status: { open: "idle", decided: "open" },
  award_status: { draft: "muted", notice: "live", final: "open" },
  fund_kind: { income: "open", expense: "live" },
  fund_entry_status: { pending: "idle", approved: "open", rejected: "muted" },
  improvement_status: { open: "live", done: "open", cancelled: "muted" },
  audit_status: { open: "live", closed: "open" },
  audit_result: { pass: "open", fail: "danger", na: "muted" },
  benefit_phase: { upcoming: "idle", open: "open", closed: "muted", redeeming: "live", ended: "muted" },
  claim_status: { claimed: "idle", redeemed: "open", cancelled: "muted" },
};

export const tone = (vocab, value) => TONES[vocab]?.[value] || "muted";

/**
 * A value of a vocabulary as a coloured badge, labelled from the server, carrying the value in
 * data-status (data-kind for kinds). `text` overrides the label where the row says more ("候补第 2 位").
 */
export function statusBadge(vocab, value, { text = null } = {}) {
  const cls = `badge badge-${tone(vocab, value)}`;
  const shown = text ?? label(vocab, value);
  return vocab.endsWith("_kind")
    ? html`<span class=${cls} data-kind=${value}>${shown}</span>`
    : html`<span class=${cls} data-status=${value}>${shown}</span>`;
}

/** A badge for something computed in the front end (an event's phase), with its tone given. */
export const toneBadge = (text, toneName) => html`<span class="badge badge-${toneName}">${text}</span>`;

/** <option>s of a vocabulary in the server's order, with `selected` chosen. */
export const options = (vocab, selected = "", only = null) =>
  choices(vocab).filter(([v]) => !only || only.includes(v))
    .map(([v, t]) => html`<option value=${v} ?selected=${v === selected}>${t}</option>`);

/** A list filter: "all" first, then the vocabulary's values. */
export function filterSelect({ id, ariaLabel, all, vocab, value, onChange, only = null, cls = "select-sm" }) {
  return html`<select class=${cls} id=${id} aria-label=${ariaLabel} @change=${(e) => onChange(e.target.value)}>
    <option value="" ?selected=${!value}>${all}</option>${options(vocab, value, only)}</select>`;
}

// --- forms ----------------------------------------------------------------------------------------

export const NO_ERRORS = Object.freeze({ fields: {}, alerts: [] });

/**
 * A labelled form control with its hint and its error. `control({id, name})` returns the input itself,
 * so the label points at it. The error comes from `errors.fields[name]` (see fieldErrors).
 */
export function field({ name, label: text, hint = "", required = false, errors = NO_ERRORS, prefix = "f" }, control) {
  const id = `${prefix}-${name.replaceAll(".", "-")}`;
  const error = errors.fields[name];
  return html`<div class="field ${error ? "has-error" : ""}" data-field=${name}>
    <label for=${id}>${text}${required ? html`<span class="req"> *</span>` : nothing}</label>
    ${control({ id, name })}
    ${hint ? html`<small class="hint">${hint}</small>` : nothing}
    <small class="field-error" data-error-for=${name}>${error || nothing}</small>
  </div>`;
}

/** An error slot for a control built without field() (a row of checkboxes). */
export const fieldError = (name, errors) =>
  html`<small class="field-error" data-error-for=${name}>${errors.fields[name] || nothing}</small>`;

/**
 * A refused submit as errors to draw: each details.fields message goes beside its field in `form`
 * ("audience.departments.0" beside the departments box); anything without a field goes on top.
 */
export function fieldErrors(form, e) {
  const fields = e.details?.fields || {};
  const known = new Set([...form.querySelectorAll("[data-error-for]")].map((el) => el.dataset.errorFor));
  const byField = {};
  const loose = [];
  for (const [name, text] of Object.entries(fields)) {
    const key = [name, name.split(".").slice(0, 2).join("."), name.split(".")[0]].find((k) => known.has(k));
    if (!key) loose.push(`${name}：${text}`);
    else byField[key] = byField[key] ? `${byField[key]}；${text}` : text;
  }
  const summary = Object.keys(fields).length ? "请修改标出的内容后再提交" : e.message;
  return { fields: byField, alerts: [summary, ...loose] };
}

/** The alerts on top of a form (and any notice of its own, such as a warning after success). */
export const formMessage = (errors, extra = nothing) =>
  html`<div class="form-message">${errors.alerts.map((a) => alertBox(a))}${extra}</div>`;

/** Brings the first marked field (else the form's message) into view after a refused submit. */
export function scrollToError(form) {
  const target = form.querySelector(".field.has-error") || form.querySelector(".form-message");
  target?.scrollIntoView({ block: "center", behavior: "smooth" });
}

/**
 * One submit of a form: stops the browser's own, clears the form's errors, marks it busy and runs
 * `work(form.elements)`; a refusal's details land beside the fields. `state` is the form's {errors, busy};
 * `draw` re-renders the page.
 */
export async function submitForm(state, ev, draw, work) {
  ev.preventDefault();
  const form = ev.currentTarget;
  state.errors = NO_ERRORS;
  state.busy = true;
  draw();
  try {
    await work(form.elements);
  } catch (e) {
    state.errors = fieldErrors(form, e);
  } finally {
    state.busy = false;
    draw();
    if (state.errors.alerts.length) scrollToError(form);
  }
}

export const formState = () => ({ errors: NO_ERRORS, busy: false });

/** A submit button that shows it is working and cannot be pressed twice meanwhile. */
export const submitButton = (text, busy, { cls = "btn btn-primary", id = nothing } = {}) =>
  html`<button class="${cls} ${busy ? "is-busy" : ""}" id=${id} type="submit" ?disabled=${busy}>${text}</button>`;

/** The row under a form: the way back (when given) and its submit button. */
export const formActions = (text, state, cancelHref = null) => html`<div class="form-actions">${cancelHref
  ? html`<a class="btn btn-ghost" href=${cancelHref}>取消</a>` : nothing}${submitButton(text, state.busy)}</div>`;

/** "部门：质检部；标签：青年" — every listed kind must match; nothing listed means every member. */
export function audienceText(a) {
  return [["部门", a.departments], ["网格", a.grids], ["标签", a.tags]]
    .filter(([, v]) => v?.length).map(([k, v]) => `${k}：${v.join("、")}`).join("；") || "全体会员";
}

/** The three audience boxes shared by the event and calendar forms; `values` fills them (an AudienceOut). */
export function audienceBoxes(errors, tagsExample = "例如：青年，女职工", values = {}) {
  const box = (name, text, placeholder) => field({ name, label: text, errors }, (a) => html`<input id=${a.id}
    name=${a.name} placeholder=${placeholder} .value=${(values[name.split(".")[1]] || []).join("，")}>`);
  return [box("audience.departments", "部门", "例如：生产一部，质检部"), box("audience.grids", "网格", "例如：第一网格"),
    box("audience.tags", "标签", tagsExample)];
}

/** A plain <input> control for field(): type, maxlength, min, step, placeholder, inputmode, first value. */
export const input = (attrs = {}) => (a) => html`<input id=${a.id} name=${a.name} type=${attrs.type || "text"}
  maxlength=${attrs.maxlength ?? nothing} min=${attrs.min ?? nothing} step=${attrs.step ?? nothing}
  .value=${attrs.value ?? ""} placeholder=${attrs.placeholder ?? nothing} inputmode=${attrs.inputmode ?? nothing}>`;

// --- table with pager -----------------------------------------------------------------------------

export function pager({ page, pages, total, go }) {
  return html`<div class="pager">
    <span class="muted">共 ${total} 条，第 ${page} / ${pages} 页</span>
    <button class="btn btn-sm btn-ghost" type="button" ?disabled=${page <= 1} @click=${() => go(page - 1)}>上一页</button>
    <button class="btn btn-sm btn-ghost" type="button" ?disabled=${page >= pages} @click=${() => go(page + 1)}>下一页</button>
  </div>`;
}

/** A table: `head` is a list of header cells (text or {text, cls}), `rows` the <tr> templates. */
export function table({ id, head, rows }) {
  const th = (c) => (typeof c === "string" ? html`<th>${c}</th>` : html`<th class=${c.cls}>${c.text}</th>`);
  return html`<div class="table-wrap"><table class="table" id=${id}>
    <thead><tr>${head.map(th)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/**
 * A server-paged list: holds the page, the newest answer and its state, and asks `draw` to re-render.
 * Only the newest request's answer is kept, so when a filter or page changes while an older request is
 * still out, that older answer (arriving late) is dropped instead of overwriting the newer list.
 */
export class PagedList {
  /** GET `path` with page, per_page and the non-empty values of `query()` (the list's filters). */
  constructor({ path, query = () => ({}), perPage = 20, draw }) {
    Object.assign(this, { path, query, perPage, draw, page: 1, data: null, error: null, loading: true, seq: 0 });
  }

  fetch() {
    const q = new URLSearchParams({ page: this.page, per_page: this.perPage });
    for (const [k, v] of Object.entries(this.query())) if (v) q.set(k, v);
    return api(`${this.path}?${q}`);
  }

  get pages() { return Math.max(1, Math.ceil((this.data?.total || 0) / this.perPage)); }

  /** quiet: keep the rows on screen until the new ones arrive (a background refresh). */
  async load({ quiet = false } = {}) {
    const mine = ++this.seq;
    if (!quiet) { this.loading = true; this.draw(); }
    try {
      const data = await this.fetch();
      if (mine !== this.seq) return;
      Object.assign(this, { data, error: null, loading: false });
    } catch (e) {
      if (mine !== this.seq || (quiet && this.data)) return;
      Object.assign(this, { error: e, loading: false });
    }
    this.draw();
  }

  go(page) { this.page = page; return this.load(); }

  /** Back to page 1, as after a filter changed. */
  restart() { return this.go(1); }
}

/** A PagedList drawn as a table with its pager, or its loading / error / empty state. */
export function pagedTable(list, { id, head, row, empty }) {
  if (list.loading) return loading();
  if (list.error) return alertBox(list.error.message);
  if (!list.data.items.length) return html`<div class="empty">${empty}</div>`;
  return html`${table({ id, head, rows: list.data.items.map(row) })}
    ${pager({ page: list.page, pages: list.pages, total: list.data.total, go: (p) => list.go(p) })}`;
}

// --- confirm dialog and toast ---------------------------------------------------------------------

let dialogHost = null;

/** Asks before something that cannot be undone; resolves true only when staff press the OK button. */
export function confirmDialog(title, body, okLabel) {
  if (!dialogHost) {
    dialogHost = document.createElement("div");
    document.body.append(dialogHost);
  }
  render(html`<dialog id="confirm" class="dialog"><form method="dialog">
      <h2 id="confirm-title">${title}</h2>
      <p id="confirm-body">${body}</p>
      <div class="dialog-actions">
        <button value="cancel" class="btn btn-ghost">再想想</button>
        <button value="ok" class="btn btn-danger" id="confirm-ok">${okLabel}</button>
      </div>
    </form></dialog>`, dialogHost);
  const dlg = dialogHost.querySelector("dialog");
  dlg.returnValue = "";
  dlg.showModal();
  return new Promise((resolve) => {
    dlg.addEventListener("close", () => resolve(dlg.returnValue === "ok"), { once: true });
  });
}

let toastTimer = null;

/** A short message at the bottom of the screen for four seconds (kind: ok or error). */
export function toast(message, kind = "ok") {
  const el = document.getElementById("toast");
  render(html`${message}`, el);
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
}
