// Shared by the console's views: session, API calls, times, form values, downloads. Markup lives in
// components.js (on the view layer, view.js).
import { toast } from "./components.js";

export const API = "/api/v1";
export const STAFF_ROLES = ["staff", "secretary", "admin"];
// The fund ledger's keepers (API.md "Union fund ledger"): a treasurer is no staff member, yet signs in to
// the console for the 经费 section alone.
export const LEDGER_ROLES = ["admin", "treasurer"];
export const CONSOLE_ROLES = [...STAFF_ROLES, "treasurer"];
export const TZ = "Asia/Shanghai";
// China has no daylight saving time, so form times are read with a fixed offset.
export const TZ_OFFSET = "+08:00";

// --- session --------------------------------------------------------------------------------------

// In localStorage, so every tab of the browser shares one sign-in (the live screen opens in a window of
// its own) and a sign-out anywhere ends it everywhere; read afresh on every use, never cached.
// Why not a cookie: docs/security.md, "Console session".
export const session = {
  get token() { return localStorage.getItem("console.token"); },
  get member() {
    try { return JSON.parse(localStorage.getItem("console.member") || "null"); } catch { return null; }
  },
  get valid() {
    const exp = Date.parse(localStorage.getItem("console.expires_at") || "");
    return Boolean(this.token) && !(exp < Date.now());
  },
  save({ token, expires_at, member }) {
    localStorage.setItem("console.member", JSON.stringify(member));
    localStorage.setItem("console.expires_at", expires_at);
    // The token last: other tabs react to its change and must find the rest already there.
    localStorage.setItem("console.token", token);
  },
  clear() {
    for (const k of ["console.token", "console.expires_at", "console.member"]) localStorage.removeItem(k);
  },
};

const rolesOf = (member) => member?.roles || [];
/** Whether the signed-in (or given) member has any of `roles`. */
export const hasRole = (roles, member = session.member) => rolesOf(member).some((r) => roles.includes(r));
/** A treasurer without a staff role: the console shows the 经费 section only. */
export const fundOnly = (member = session.member) => !hasRole(STAFF_ROLES, member) && hasRole(["treasurer"], member);
/** Where the console opens after signing in. */
export const homeOf = (member = session.member) => (fundOnly(member) ? "#/fund" : "#/dashboard");

/** What the sign-in page says once, after a sign-out or an expired session; where to go after it. */
export const flash = { signIn: "", next: "" };

export function signOut(notice = "") {
  session.clear();
  flash.signIn = notice;
  // Signing in again returns to this page (a projector's screen window above all).
  if (location.hash && location.hash !== "#/login") flash.next = location.hash;
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
      // An expired or revoked token, or a sign-out in another tab since this request began: back to
      // sign-in, with the server's reason.
      signOut(token && session.token === token ? e.message : "您已在其他窗口退出登录");
    }
    throw e;
  }
  if (raw) return resp;
  return resp.status === 204 ? null : resp.json();
}

/**
 * One file as multipart field `file` (POST /uploads; api() sends JSON only): a picture, or for the fund's
 * keepers an invoice PDF. Resolves to the upload's id; a refusal names the file (`noun`: what it is).
 */
export async function uploadFile(file, noun = "图片") {
  const body = new FormData();
  body.append("file", file);
  const resp = await fetch(`${API}/uploads`, {
    method: "POST", body, headers: { Accept: "application/json", Authorization: `Bearer ${session.token}` },
  });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const err = data.error || {};
    throw new ApiError(resp.status, err.code || "http_error", `${noun}“${file.name}”上传失败：${err.message || resp.status}`, {});
  }
  return data.id;
}

// --- form values and small DOM helpers ------------------------------------------------------------

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

/** A wait in whole seconds as staff read it: "45 秒" or "15 分钟" (rounded up). */
export const fmtWait = (seconds) => (seconds < 60 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`);

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

/** A report figure's value in its unit as the report prints it: 42.3%, 12.5 小时, 4.21, 1,234; null is "—". */
export function fmtValue(v, unit) {
  if (v == null) return "—";
  switch (unit) {
    case "percent": return `${(v * 100).toFixed(1)}%`;
    case "hours": return `${v.toFixed(1)} 小时`;
    case "days": return `${v.toFixed(1)} 天`;
    case "score": return v.toFixed(2);
    case "times": return `${v.toFixed(2)} 次`;
    default: return typeof v === "number" ? v.toLocaleString("zh-CN") : String(v);
  }
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

// --- images -------------------------------------------------------------------------------------

/** An image served with the bearer token only (an upload), as a blob URL; null when it cannot be read. */
export async function blobUrl(url) {
  try {
    const resp = await api(url.replace(/^\/api\/v1/, ""), { raw: true });
    return URL.createObjectURL(await resp.blob());
  } catch {
    return null;
  }
}

// --- downloads ------------------------------------------------------------------------------------

export function filenameFrom(disposition) {
  if (!disposition) return null;
  const star = disposition.match(/filename\*\s*=\s*UTF-8''([^;]+)/i);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  const plain = disposition.match(/filename\s*=\s*"?([^";]+)"?/i);
  return plain ? plain[1].trim() : null;
}

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: name, hidden: true });
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
