// The venue check-in screen: a rotating QR code for the projector, the live count and a clock. A volunteer
// event's check-out screen (#/events/<id>/screen/checkout) is the same screen with the check-out code.
import { api, fmtRange, fmtTime, parts } from "./core.js";
import { toast } from "./components.js";
import { cssProps, html, nothing, render } from "./view.js";

// What differs between the two screens: the code's endpoint, its window's fields and the words.
const MODES = {
  checkin: { path: "checkin-code", open: "checkin_open", opens: "checkin_opens_at", closes: "checkin_closes_at",
    word: "签到", alt: "签到二维码", hint: "请打开微信「同心」小程序，点击「扫码签到」" },
  checkout: { path: "checkout-code", open: "checkout_open", opens: "checkout_opens_at", closes: "checkout_closes_at",
    word: "签退", alt: "签退二维码", hint: "服务结束时请打开微信「同心」小程序，点击「扫码签到」扫描此码签退" },
};

export async function viewScreen(root, id, modeName) {
  const mode = MODES[modeName] || MODES.checkin;
  const ev = await api(`/events/${id}`);
  let alive = true;
  let refreshAt = 0;
  let periodMs = 30000;
  // What the QR box shows: the code, "not open yet" / "closed" with the time, or a fault.
  let qr = { url: null, token: "" };
  let closed = null;  // {notYet, code} while check-in is not open
  let fault = "";
  let counts = { checked_in: "—", registered: "—" };
  let shownUrl = null;
  let wakeLock = null;
  const timers = [];

  function draw() {
    const left = Math.max(0, refreshAt - Date.now());
    const now = parts(new Date().toISOString());
    const closedBox = closed && (closed.notYet
      ? html`<div id="qr-closed" class="qr-closed"><div class="qr-closed-title">${mode.word}尚未开始</div>
          <div class="qr-closed-sub">北京时间 ${fmtTime(closed.code[mode.opens])} 开始${mode.word}</div></div>`
      : html`<div id="qr-closed" class="qr-closed"><div class="qr-closed-title">${mode.word}已结束</div>
          <div class="qr-closed-sub">${mode.word}已于北京时间 ${fmtTime(closed.code[mode.closes])} 截止</div></div>`);
    render(html`<div class="screen">
      <div class="screen-tools">
        <a class="btn btn-sm screen-btn" href="#/events/${id}">‹ 返回</a>
        <button class="btn btn-sm screen-btn" type="button" @click=${toggleFullscreen}>
          ${document.fullscreenElement ? "退出全屏" : "全屏显示"}</button>
      </div>
      <div class="screen-main">
        <div class="screen-info">
          <div class="screen-kicker">${document.body.dataset.unionName || "同心工会"} · 现场${mode.word}</div>
          <h1 id="screen-title">${ev.title}</h1>
          <p class="screen-meta">${fmtRange(ev.starts_at, ev.ends_at)}</p>
          <p class="screen-meta">${ev.location}</p>
          <div class="screen-count">
            <div class="count-label">已签到 / 已报名</div>
            <div class="count-value"><b id="screen-checked-in">${counts.checked_in}</b><span class="count-sep">/</span><b
              id="screen-registered">${counts.registered}</b></div>
          </div>
          <div class="screen-clock">北京时间 ${now.date} ${now.time}</div>
        </div>
        <div class="screen-qr">
          <div class="qr-frame">
            ${closedBox || html`<img id="qr" alt=${mode.alt} src=${qr.url || nothing} data-token=${qr.token} @load=${onQrLoad}>`}
            <div class="screen-status">${fault ? html`<div class="qr-error">${fault}</div>` : nothing}</div>
          </div>
          <p class="qr-hint" ?hidden=${Boolean(closed)}>${mode.hint}</p>
          <div class="qr-timer" ?hidden=${Boolean(closed)}>
            <div class="timer-bar"><span style=${cssProps({
              width: refreshAt ? `${Math.min(100, (100 * left) / periodMs)}%` : "0" })}></span></div>
            <div class="timer-text"><span id="countdown">${refreshAt ? String(Math.ceil(left / 1000)) : "—"}</span> 秒后刷新二维码</div>
          </div>
        </div>
      </div>
    </div>`, root);
  }

  function onQrLoad(e) {
    // The previous code's image is no longer on screen once the new one has loaded.
    const url = e.currentTarget.src;
    if (shownUrl && shownUrl !== url) URL.revokeObjectURL(shownUrl);
    shownUrl = url;
  }

  async function refreshCode() {
    if (!alive) return;
    let delay;
    try {
      const code = await api(`/events/${id}/${mode.path}`);
      periodMs = (code.period_seconds || 30) * 1000;
      if (code[mode.open] === false) {
        // Every scan outside the window is refused (409 checkin_closed): show no code at all, and
        // keep polling so the code appears by itself once check-in opens.
        if (!alive) return;
        // Before or after? Judged by the server's clock (valid_until lies 1–2 periods after its now),
        // not this laptop's; the window's midpoint keeps that estimate's slack harmless.
        const serverNow = Date.parse(code.valid_until) - 1.5 * periodMs;
        const middle = (Date.parse(code[mode.opens]) + Date.parse(code[mode.closes])) / 2;
        closed = { notYet: serverNow < middle, code };
        fault = "";
      } else {
        const resp = await api(`/events/${id}/${mode.path}?format=png`, { raw: true });
        const blob = await resp.blob();
        if (!alive) return;
        qr = { url: URL.createObjectURL(blob), token: code.token };
        closed = null;
        fault = "";
      }
      // valid_until falls on a period boundary: fetch the new code just after the next boundary, so
      // the code on screen is always the newest and a late scan still has a full period to be sent.
      // Taken modulo one period, a wrong clock on this laptop only shifts the phase.
      const left = ((Date.parse(code.valid_until) - Date.now()) % periodMs + periodMs) % periodMs;
      delay = Math.min(Math.max(left, 1000), periodMs) + 300;
    } catch (e) {
      if (e.status === 401) return;
      fault = e.status === 0 ? "网络异常，正在重试…" : e.message;
      delay = 5000;
    }
    refreshAt = Date.now() + delay;
    timers.push(setTimeout(refreshCode, delay));
    draw();
  }

  async function refreshStats() {
    try {
      counts = await api(`/events/${id}/checkins/stats`);
      draw();
    } catch { /* keep the last numbers on screen; the next poll retries */ }
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen?.().catch(() => toast("浏览器不允许全屏，请按 F11", "error"));
  }
  document.addEventListener("fullscreenchange", draw);

  // Keep a projector laptop from dimming while the code is on screen (where the browser allows it).
  navigator.wakeLock?.request("screen").then((l) => { wakeLock = l; }).catch(() => {});

  draw();
  timers.push(setInterval(refreshStats, 5000), setInterval(draw, 250));
  await Promise.all([refreshCode(), refreshStats()]);

  return () => {
    alive = false;
    timers.forEach((t) => { clearTimeout(t); clearInterval(t); });
    document.removeEventListener("fullscreenchange", draw);
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    wakeLock?.release().catch(() => {});
    for (const url of new Set([shownUrl, qr.url])) if (url) URL.revokeObjectURL(url);
  };
}
