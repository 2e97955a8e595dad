// Shared by the console's views: session, API calls, DOM building, times, forms, downloads.
export const API = "/api/v1";
export const STAFF_ROLES = ["staff", "secretary", "admin"];
export const TZ = "Asia/Shanghai";
// China has no daylight saving time, so form times are read with a fixed offset.
export const TZ_OFFSET = "+08:00";

// --- session --------------------------------------------------------------------------------------

export const session = {
  get token() { return sessionStorage.getItem("console.token"); },
  get member() {
    try { return JSON.parse(sessionStorage.getItem("console.member") || "null"); } catch { return null; }
  },
  get valid() {
    const exp = Date.parse(sessionStorage.getItem("console.expires_at") || "");
    return Boolean(this.token) && !(exp < Date.now());
  },
  save({ token, expires_at, member }) {
    sessionStorage.setItem("console.token", token);
    sessionStorage.setItem("console.expires_at", expires_at);
    sessionStorage.setItem("console.member", JSON.stringify(member));
  },
  clear() {
    for (const k of ["console.token", "console.expires_at", "console.member"]) sessionStorage.removeItem(k);
  },
};

/** What the sign-in page says once, after a sign-out or an expired session. */
export const flash = { signIn: "" };

export function signOut(notice = "") {
  session.clear();
  flash.signIn = notice;
  if (location.hash !== "#/login") location.hash = "#/login";
  else window.dispatchEvent(new HashChangeEvent("hashchange"));
}

// --- API ------------------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    Object.assign(this, { status, code, details });
  }
}

export async function api(path, { method = "GET", body, raw = false } = {}) {
  const headers = { Accept: "application/json" };
  const token = session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let resp;
  try {
    resp = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network_error", "无法连接服务器，请检查网络后重试");
  }
  if (!resp.ok) {
    let err = null;
    try { err = (await resp.json()).error; } catch { /* not our JSON shape */ }
    const e = new ApiError(resp.status, err?.code || "http_error",
      err?.message || `请求失败（${resp.status}），请稍后重试`, err?.details || {});
    if (resp.status === 401 && token) {
      // An expired or revoked token: back to sign-in, with the server's reason.
      signOut(e.message);
    }
    throw e;
  }
  if (raw) return resp;
  return resp.status === 204 ? null : resp.json();
}

// Until every page is on the view layer, the old pages reach the shared dialog and toast through here.
import { confirmDialog, toast } from "./components.js";

export { confirmDialog, toast };

// --- DOM helpers ----------------------------------------------------------------------------------

/** h("div.card#x", {onclick}, child, ...) — builds elements; text is always set as text, never HTML. */
/** A number box's value: a whole number, undefined when empty, else the text as typed (the server names it). */
export const intField = (v) => (v.trim() === "" ? undefined : /^\d+$/.test(v.trim()) ? Number(v) : v);

/** The audience boxes of a form (audience.departments / .grids / .tags), names split at commas, 、 ; or new lines. */
export function audienceFields(f) {
  const names = (v) => v.split(/[,，、;；\n]+/).map((s) => s.trim()).filter(Boolean);
  return {
    departments: names(f["audience.departments"].value),
    grids: names(f["audience.grids"].value),
    tags: names(f["audience.tags"].value),
  };
}

/**
 * A fetcher that keeps only its newest call's answer: when a filter or page changes while an older
 * request is still out, that older answer (arriving late) resolves to null instead of overwriting the
 * newer list.
 */
export function newestOnly(fetcher) {
  let seq = 0;
  return async (...args) => {
    const mine = ++seq;
    const data = await fetcher(...args);
    return mine === seq ? data : null;
  };
}

export function h(spec, attrs = {}, ...children) {
  if (attrs === null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const [, tag = "div", rest = ""] = spec.match(/^([a-z0-9-]*)(.*)$/i);
  const el = document.createElement(tag || "div");
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === ".") el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** replaceChildren that skips the null / false left by conditional parts. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** A wait in whole seconds as staff read it: "45 秒" or "15 分钟" (rounded up). */
export const fmtWait = (seconds) => (seconds < 60 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`);

export function alertBox(message, kind = "error") {
  return h(`div.alert.alert-${kind}`, { role: "alert" }, message);
}

export function busy(button, on) {
  button.disabled = on;
  button.classList.toggle("is-busy", on);
}

// --- time -----------------------------------------------------------------------------------------

const fmtParts = new Intl.DateTimeFormat("zh-CN", {
  timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", weekday: "short", hourCycle: "h23",
});

export function parts(iso) {
  const p = Object.fromEntries(fmtParts.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, weekday: p.weekday };
}

export function fmtTime(iso) {
  if (!iso) return "—";
  const p = parts(iso);
  return `${p.date} ${p.time}`;
}

export function fmtRange(start, end) {
  const a = parts(start), b = parts(end);
  return a.date === b.date ? `${a.date}（${a.weekday}）${a.time}–${b.time}` : `${fmtTime(start)} 至 ${fmtTime(end)}`;
}

/** "2026-12-01T09:00" from a datetime-local input, read as Beijing time. */
export function localInputToIso(value) {
  return value ? `${value.length === 16 ? value + ":00" : value}${TZ_OFFSET}` : undefined;
}


export function pager(page, pages, total, go) {
  return h("div.pager",
    h("span.muted", `共 ${total} 条，第 ${page} / ${pages} 页`),
    h("button.btn.btn-sm.btn-ghost", { type: "button", disabled: page <= 1, onclick: () => go(page - 1) }, "上一页"),
    h("button.btn.btn-sm.btn-ghost", { type: "button", disabled: page >= pages, onclick: () => go(page + 1) }, "下一页"));
}


export function field(name, label, input, hint = "", required = false) {
  input.name = name;
  input.id = `f-${name.replace(".", "-")}`;
  return h("div.field", { dataset: { field: name } },
    h("label", { for: input.id }, label, required ? h("span.req", " *") : null),
    input,
    hint ? h("small.hint", hint) : null,
    h("small.field-error", { dataset: { errorFor: name } }));
}


export function clearFieldErrors(form, msg) {
  msg.replaceChildren();
  for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
  for (const el of form.querySelectorAll(".field.has-error")) el.classList.remove("has-error");
}

/** Puts each details.fields message beside its field; anything without a field goes on top. */
export function showFieldErrors(form, msg, e) {
  const fields = e.details?.fields || {};
  const loose = [];
  let first = null;
  for (const [name, text] of Object.entries(fields)) {
    // "audience.departments.0" belongs to the departments box.
    const key = [name, name.split(".").slice(0, 2).join("."), name.split(".")[0]]
      .find((k) => form.querySelector(`[data-error-for="${CSS.escape(k)}"]`));
    if (!key) { loose.push(`${name}：${text}`); continue; }
    const slot = form.querySelector(`[data-error-for="${CSS.escape(key)}"]`);
    slot.textContent = slot.textContent ? `${slot.textContent}；${text}` : text;
    slot.closest(".field")?.classList.add("has-error");
    first ??= slot.closest(".field");
  }
  msg.append(alertBox(Object.keys(fields).length ? "请修改标出的内容后再提交" : e.message));
  for (const line of loose) msg.append(alertBox(line));
  (first || msg).scrollIntoView({ block: "center", behavior: "smooth" });
}


export function filenameFrom(disposition) {
  if (!disposition) return null;
  const star = disposition.match(/filename\*\s*=\s*UTF-8''([^;]+)/i);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  const plain = disposition.match(/filename\s*=\s*"?([^";]+)"?/i);
  return plain ? plain[1].trim() : null;
}

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the click; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Fetches a file with the bearer header and saves it as `name` (else under the server's file name). */
export async function downloadFile(path, name, button) {
  if (button) busy(button, true);
  try {
    const resp = await api(path, { raw: true });
    saveBlob(await resp.blob(), name || filenameFrom(resp.headers.get("Content-Disposition")) || "download");
  } catch (e) {
    toast(e.message, "error");
  } finally {
    if (button) busy(button, false);
  }
}

/** A name safe to save under on Windows and macOS. */
export function safeFilename(text) {
  return text.replace(/[\\/:*?"<>|\s]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60) || "file";
}
