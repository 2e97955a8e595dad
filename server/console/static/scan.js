// Ticket scanning at the door: online check-in, and offline scans verified here with the event's key,
// kept on this browser with their time and synced later. Tickets come from a USB scanner (it types the
// ticket and presses Enter) or from the laptop's or phone's camera, decoded here by the vendored jsQR.
import { api, fmtRange, fmtTime, parts } from "./core.js";
import { alertBox, pageHeader, toast } from "./components.js";
import { html, nothing, render } from "./view.js";

// As server/events/checkin.py reads tickets: t1.{event_id}.{registration_id}.{member_id}.{signature}.
const TICKET = /^(t1\.(\d{1,12})\.(\d{1,12})\.(\d{1,12}))\.([A-Za-z0-9_-]{86})$/;

export function fromB64url(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function toB64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A signed code's key as a WebCrypto key (tickets: the event's; claim codes: the campaign's): fetched from
 * ``keyPath`` when online and kept in localStorage, so codes can still be checked once the network is gone.
 * ``owner`` names the answer's id field (event_id, benefit_id). Resolves to {key} or {reason} (no key). */
export async function signedCodeVerifier({ keyPath, owner, id, store }) {
  let stored = null;
  try { stored = JSON.parse(localStorage.getItem(store) || "null"); } catch { /* unreadable: fetch again */ }
  try {
    const k = await api(keyPath);
    if (k.algorithm === "Ed25519" && String(k[owner]) === String(id)) {
      stored = { [owner]: k[owner], algorithm: k.algorithm, public_key: k.public_key };
      localStorage.setItem(store, JSON.stringify(stored));
    }
  } catch { /* offline or refused: the copy saved on an earlier visit still serves */ }
  if (!stored?.public_key || String(stored[owner]) !== String(id)) return { reason: "nokey" };
  if (!globalThis.crypto?.subtle) return { reason: "unsupported" };  // e.g. a page not served over HTTPS
  try {
    const key = await crypto.subtle.importKey("raw", fromB64url(stored.public_key), { name: "Ed25519" }, false, ["verify"]);
    return { key };
  } catch {
    return { reason: "unsupported" };
  }
}

/** Check a signed code in the browser, as the server reads it (``pattern``: body with the owner's id as its
 * second group, then the signature): {status: "ok"|"unchecked"} (cannot tell here) or {error}, in the words
 * of ``messages`` ({invalid, foreign}). */
export async function checkSignedCode(verifier, { pattern, id, messages }, code) {
  const m = pattern.exec(code);
  if (!m) return { error: messages.invalid };
  if (Number(m[2]) !== Number(id)) return { error: messages.foreign };
  if (!verifier.key) return { status: "unchecked" };
  const sig = fromB64url(m[5]);
  // Only the canonical encoding counts, as on the server: one signature makes one code string.
  if (toB64url(sig) !== m[5]) return { error: messages.invalid };
  try {
    const ok = await crypto.subtle.verify("Ed25519", verifier.key, sig, new TextEncoder().encode(m[1]));
    return ok ? { status: "ok" } : { error: messages.invalid };
  } catch {
    return { status: "unchecked" };  // never turn a member away for a browser fault; the sync decides
  }
}

const TICKET_WORDS = {
  inputId: "ticket-input", label: "电子票", placeholder: "用扫码枪扫描会员的电子票，或粘贴电子票内容后按回车", button: "签到",
  aim: "将会员手机上的电子票二维码对准摄像头", preparing: "正在准备离线验票…", scans: "扫描",
};
const TICKET_CHECK = { pattern: TICKET, messages: { invalid: "电子票无效", foreign: "该电子票不属于本活动" } };

/** The vendored jsQR (a classic script defining self.jsQR), loaded once, when the camera is first used. */
let jsQRLoading = null;
function loadJsQR() {
  jsQRLoading ||= new Promise((resolve, reject) => {
    if (globalThis.jsQR) { resolve(globalThis.jsQR); return; }
    const script = Object.assign(document.createElement("script"), { src: new URL("./vendor/jsqr/jsQR.js", import.meta.url).href });
    script.addEventListener("load", () => resolve(globalThis.jsQR));
    script.addEventListener("error", () => { jsQRLoading = null; reject(new Error("扫码组件加载失败，请刷新页面后重试")); });
    document.head.append(script);
  });
  return jsQRLoading;
}

/** Reads QR codes from a camera into onCode(text) until stop(); a code is passed on once, then again only
 * after it has been out of view for a moment (so a ticket held still is not scanned on every frame). */
export async function startCamera(video, onCode) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error("此浏览器无法使用摄像头（需通过 HTTPS 或在本机打开管理后台）");
  }
  const decode = await loadJsQR();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (e) {
    throw new Error(e?.name === "NotAllowedError" ? "未获得摄像头权限，请在浏览器地址栏旁允许使用摄像头"
      : "未找到可用的摄像头", { cause: e });
  }
  video.srcObject = stream;
  await video.play().catch(() => {});
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let last = "";
  let lastSeen = 0;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped || video.readyState < 2 || !video.videoWidth) return;
    // Half size is plenty for a ticket held up to the camera, and four times faster to decode.
    const scale = video.videoWidth > 800 ? 0.5 : 1;
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const found = decode(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
    const now = Date.now();
    if (found?.data) {
      if (found.data !== last || now - lastSeen > 3000) onCode(found.data);
      last = found.data;
      lastSeen = now;
    }
  }, 200);
  return () => {
    stopped = true;
    clearInterval(timer);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
}

/** The camera's card on a scanner page: the button, what to aim at, a failure, the picture. */
export function cameraCard(camera, aim) {
  const on = camera.state;
  return html`<div class="card" id="scan-camera">
    <div class="inline-form">
      <button class="btn ${on ? "btn-ghost" : "btn-primary"} ${on === "starting" ? "is-busy" : ""}" type="button"
        id="camera-toggle" ?disabled=${on === "starting"} @click=${camera.toggle}>${on ? "关闭摄像头" : "用摄像头扫码"}</button>
      <span class="hint">${on ? aim : "也可使用笔记本或手机的摄像头扫码"}</span>
    </div>
    ${camera.error ? alertBox(camera.error) : nothing}
    <video id="camera-video" class="scan-video" muted playsinline ?hidden=${!on}></video>
  </div>`;
}

/** A scanner page below its header: the code box (a USB scanner types and presses Enter), the camera, the
 * offline mode, the scans waiting to sync and this session's results. ``words`` name the page's own things. */
export function scannerBody({ words, onSubmit, camera, mode, modeText, pending, syncing, sync, results }) {
  return html`
    <form class="card inline-form" id="scan-form" novalidate @submit=${onSubmit}>
      <input id=${words.inputId} autocomplete="off" aria-label=${words.label} placeholder=${words.placeholder}>
      <button class="btn btn-primary" type="submit">${words.button}</button>
    </form>
    ${cameraCard(camera, words.aim)}
    <p class="hint" id="scan-offline-mode" data-mode=${mode || nothing}>${mode ? modeText[mode] : words.preparing}</p>
    <div id="scan-pending">${pending.length ? html`<div class="card">
      ${alertBox(`有 ${pending.length} 条离线${words.scans}尚未同步。`, "warn")}
      <button class="btn btn-primary ${syncing ? "is-busy" : ""}" id="scan-sync" type="button" ?disabled=${syncing}
        @click=${sync}>立即同步</button></div>` : nothing}</div>
    <div class="card"><h2>本次${words.scans}</h2><ol class="scan-results" id="scan-results">
      ${results.map((r) => html`<li class="scan-${r.kind}"><span class="muted">${r.time} </span>${r.text}</li>`)}
    </ol></div>`;
}

/** Codes this browser has seen used (code → time) under ``name``, so an offline scan of one says so too. */
export function seenStore(name) {
  const read = () => { try { return JSON.parse(localStorage.getItem(name) || "{}"); } catch { return {}; } };
  return {
    get: (code) => read()[code],
    put(code, at) {
      try { localStorage.setItem(name, JSON.stringify({ ...read(), [code]: at })); } catch { /* storage full: only a nicety */ }
    },
  };
}

/** The camera button's state for a scanner page: toggle() starts reading codes into onCode (or stops), then
 * redraws; stop() on leaving the page. ``state`` is null, "starting" or running; ``error`` a message. */
export function cameraControl(video, onCode, redraw) {
  const c = { state: null, error: "" };
  c.toggle = async () => {
    c.error = "";
    if (typeof c.state === "function") {
      c.state();
      c.state = null;
      redraw();
      return;
    }
    c.state = "starting";
    redraw();
    try {
      const stop = await startCamera(video(), onCode);
      if (c.state === "starting") c.state = stop;
      else stop();  // the page was left meanwhile
    } catch (e) {
      c.state = null;
      c.error = e.message;
    }
    redraw();
  };
  c.stop = () => {
    if (typeof c.state === "function") c.state();
    c.state = null;  // a camera still starting stops itself
  };
  return c;
}

/** "张三 · 工号 E1234 · 生产一部": who a check-in answer names, as every staff list names a member. */
function who(out) {
  if (!out?.name) return out?.member_id != null ? `会员 ${out.member_id}` : "";
  return [out.name, out.employee_no && `工号 ${out.employee_no}`, out.department].filter(Boolean).join(" · ");
}

const MODE_TEXT = {
  verify: "断网时也能当场验票：伪造或其他活动的电子票会被直接拒绝。",
  nokey: "未能获取本活动的验票公钥：断网时扫描的电子票先记录下来，联网同步时再核验。",
  unsupported: "此浏览器不支持离线验票：断网时扫描的电子票先记录下来，联网同步时再核验。",
};

/** Staff scan a member's signed ticket (a handheld scanner types it and presses Enter, or it is pasted). */
export async function viewScan(root, id) {
  const verifying = signedCodeVerifier({ keyPath: `/events/${id}/checkin-key`, owner: "event_id", id,
    store: `console.checkin-key.${id}` });
  const ev = await api(`/events/${id}`);
  const key = `console.scan-queue.${id}`;
  const queued = () => { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch { return []; } };
  let mode = null;  // verify / nokey / unsupported once known
  let syncing = false;
  const results = [];  // newest first: {kind, time, text}
  const done = seenStore(`console.scan-done.${id}`);
  const camera = cameraControl(() => root.querySelector("#camera-video"), (text) => checkIn(text), () => draw());

  function draw() {
    render(html`<div class="page page-narrow">
      ${pageHeader({ back: { href: `#/events/${id}`, text: "返回活动" }, title: "扫描电子票",
        sub: `${ev.title} · ${fmtRange(ev.starts_at, ev.ends_at)}` })}
      ${scannerBody({ words: TICKET_WORDS, onSubmit: onScan, camera, mode, modeText: MODE_TEXT, pending: queued(),
        syncing, sync, results })}
    </div>`, root);
  }

  function show(kind, text) {
    results.unshift({ kind, text, time: parts(new Date().toISOString()).time });
    draw();
  }

  async function onScan(e) {
    e.preventDefault();
    const input = e.currentTarget.elements[0];
    const ticket = input.value.trim();
    input.value = "";
    input.focus();
    if (ticket) await checkIn(ticket);
  }

  async function checkIn(ticket) {
    try {
      const resp = await api(`/events/${id}/checkins`, { method: "POST", body: { ticket }, raw: true });
      const out = await resp.json();
      done.put(ticket, out.checked_in_at);
      // 201: checked in now; 200: this ticket was used before, and the answer carries that first time.
      if (resp.status === 201) show("ok", `${who(out)} 签到成功（${fmtTime(out.checked_in_at)}）`);
      else show("warn", `${who(out)} 已签到（${fmtTime(out.checked_in_at)}），请勿重复签到`);
    } catch (err) {
      if (err.status === 0) await scanOffline(ticket);
      else if (err.status !== 401) show("error", err.message);
    }
  }

  async function scanOffline(ticket) {
    const checked = await checkSignedCode(await verifying, { ...TICKET_CHECK, id }, ticket);
    if (checked.error) {
      show("error", `${checked.error}（离线验票，未记录）`);
      return;
    }
    const used = done.get(ticket);
    if (used) {
      show("warn", `已签到（${fmtTime(used)}），请勿重复签到（离线，未记录）`);
      return;
    }
    const earlier = queued().find((item) => item.ticket === ticket);
    if (earlier) {
      show("warn", `该电子票已离线记录（${fmtTime(earlier.scanned_at)}），无需重复扫描`);
      return;
    }
    localStorage.setItem(key, JSON.stringify([...queued(), { ticket, scanned_at: new Date().toISOString() }]));
    show("warn", checked.status === "ok" ? "电子票有效，已离线记录，联网后同步（恢复网络后请点击「立即同步」）"
      : "网络异常，已离线记录，未能当场验票，联网同步时核验（恢复网络后请点击「立即同步」）");
  }

  async function sync() {
    const items = queued();
    if (!items.length) return;
    syncing = true;
    draw();
    try {
      const out = await api(`/events/${id}/checkins/batch`, { method: "POST", body: { items } });
      const failed = out.items.filter((r) => r.status === "error");
      localStorage.removeItem(key);
      toast(`已同步 ${items.length - failed.length} 条离线扫描`);
      for (const r of out.items) if (r.checked_in_at) done.put(items[r.index].ticket, r.checked_in_at);
      // Each scan's outcome, naming the member as the online answers do.
      for (const r of out.items) {
        const head = `离线扫描第 ${r.index + 1} 条：`;
        if (r.status === "checked_in") show("ok", `${head}${who(r)} 签到成功（${fmtTime(r.checked_in_at)}）`);
        // Checked in before (online, on another device, or in an earlier sync): the first time stands.
        else if (r.status === "already_checked_in") {
          show("warn", `${head}${who(r)} 已签到（${fmtTime(r.checked_in_at)}），未重复签到`);
        } else show("error", `${head}${who(r) ? `${who(r)}：` : ""}${r.error?.message || "签到失败"}`);
      }
    } catch (err) {
      toast(err.message, "error");
    }
    syncing = false;
    draw();
  }

  draw();
  root.querySelector("#ticket-input").focus();
  verifying.then((v) => { mode = v.key ? "verify" : v.reason; draw(); });
  return camera.stop;
}
