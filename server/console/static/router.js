// The console's hash router: which view draws which address, the sign-in guard and the top bar.
import { ApiError, flash, session, signOut } from "./core.js";
import { alertBox } from "./components.js";
import { loadLabels } from "./labels.js";
import { html, render } from "./view.js";

import { viewLogin } from "./login.js";
import { viewDashboard } from "./dashboard.js";
import { viewEvent, viewEvents, viewNewEvent } from "./events.js";
import { viewScreen } from "./screen.js";
import { viewScan } from "./scan.js";
import { viewCalendar, viewCalendars, viewNewCalendar } from "./bookings.js";
import { viewNewNotice, viewNotice, viewNotices } from "./notices.js";
import { viewSuggestion, viewSuggestions } from "./suggestions.js";
import { viewMember, viewMembers, viewPhoneAccess } from "./members.js";
import { viewConfidentialReads, viewRequest, viewRequests } from "./requests.js";
import { viewRequestPlan } from "./requestplan.js";
import { refreshWorkdayBanner, viewWorkdays } from "./workdays.js";
import { viewEditSurvey, viewNewSurvey, viewSurvey, viewSurveys } from "./surveys.js";
import { viewEditVote, viewNewVote, viewVote, viewVotes } from "./votes.js";
import { viewProposal, viewProposals } from "./proposals.js";
import { viewImprovement, viewImprovements } from "./improvements.js";
import { viewAudit, viewAudits } from "./audits.js";

// [address, view, options]; a view is view(root, ...captures) and may return a cleanup function.
const routes = [
  [/^#\/login$/, viewLogin, { public: true }],
  [/^#\/dashboard$/, viewDashboard],
  [/^#\/events$/, viewEvents],
  [/^#\/events\/new$/, viewNewEvent],
  [/^#\/events\/(\d+)$/, viewEvent],
  [/^#\/events\/(\d+)\/screen$/, viewScreen, { bare: true }],
  [/^#\/events\/(\d+)\/scan$/, viewScan],
  [/^#\/notices$/, viewNotices],
  [/^#\/notices\/new$/, viewNewNotice],
  [/^#\/notices\/(\d+)$/, viewNotice],
  [/^#\/bookings$/, viewCalendars],
  [/^#\/bookings\/new$/, viewNewCalendar],
  [/^#\/bookings\/(\d+)(?:\/(\d{4}-\d{2}-\d{2}))?$/, viewCalendar],
  [/^#\/suggestions$/, viewSuggestions],
  [/^#\/suggestions\/([\w-]+)$/, viewSuggestion],
  [/^#\/members$/, viewMembers],
  [/^#\/members\/phone-access$/, viewPhoneAccess],
  [/^#\/members\/(\d+)$/, viewMember],
  [/^#\/requests$/, viewRequests],
  [/^#\/requests\/(\d+)$/, viewRequest],
  [/^#\/requests\/reads$/, viewConfidentialReads],
  [/^#\/requests\/plan(?:\/(\d{4}Q[1-4]))?$/, viewRequestPlan],
  [/^#\/workdays(?:\/(\d{4}))?$/, viewWorkdays],
  [/^#\/surveys$/, viewSurveys],
  [/^#\/surveys\/new$/, viewNewSurvey],
  [/^#\/surveys\/(\d+)$/, viewSurvey],
  [/^#\/surveys\/(\d+)\/edit$/, viewEditSurvey],
  [/^#\/votes$/, viewVotes],
  [/^#\/votes\/new$/, viewNewVote],
  [/^#\/votes\/(\d+)$/, viewVote],
  [/^#\/votes\/(\d+)\/edit$/, viewEditVote],
  [/^#\/proposals(?:\/sessions\/(\d+))?$/, viewProposals],
  [/^#\/proposals\/(\d+)$/, viewProposal],
  [/^#\/improvements$/, viewImprovements],
  [/^#\/improvements\/(\d+)$/, viewImprovement],
  [/^#\/audits$/, viewAudits],
  [/^#\/audits\/(\d+)$/, viewAudit],
];

const HOME = "#/dashboard";  // the default address (login.js goes there too)

let cleanup = null;
let navigation = 0;

function showTopbar(hash, signedIn) {
  document.getElementById("topbar").hidden = !signedIn;
  if (!signedIn) {
    document.getElementById("workday-banner").hidden = true;
    return;
  }
  refreshWorkdayBanner();  // admins: this or next year's holidays not entered yet
  document.getElementById("user-name").textContent = session.member?.name || "";
  const section = hash === "#/events/new" ? "new"
    : ["dashboard", "notices", "bookings", "suggestions", "requests", "members", "workdays", "surveys", "votes", "proposals", "audits", "improvements"].find((s) => hash.startsWith(`#/${s}`)) || "events";
  for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === section);
}

async function route() {
  const current = ++navigation;
  if (cleanup) { cleanup(); cleanup = null; }
  const hash = location.hash || HOME;
  const match = routes.find(([re]) => re.test(hash));
  if (!match) { location.hash = HOME; return; }
  const [re, view, opts = {}] = match;
  if (!opts.public && !session.valid) {
    if (session.token) flash.signIn = "登录已过期，请重新登录";
    session.clear();
    // Back to this address after signing in (a screen opened in a new window before signing in).
    flash.next = hash;
    location.hash = "#/login";
    return;
  }
  showTopbar(hash, !opts.public && !opts.bare);
  document.body.classList.toggle("bare", Boolean(opts.bare));
  // Each visit renders into its own box, so a slow answer for a page already left lands nowhere.
  const root = document.createElement("div");
  root.className = "route";
  document.getElementById("view").replaceChildren(root);
  try {
    await loadLabels();
    if (current !== navigation) return;
    const done = (await view(root, ...hash.match(re).slice(1))) || null;
    if (current === navigation) cleanup = done;
    else done?.();
  } catch (e) {
    if (current === navigation && !(e instanceof ApiError && e.status === 401)) {
      render(html`<div class="page">${alertBox(e.message || "页面加载失败")}</div>`, root);
      if (!(e instanceof ApiError)) console.error(e);
    }
  }
}

/**
 * The session is shared by the tabs of the browser (core.js): a sign-out in one signs out the others,
 * a sign-in in one moves the others past their sign-in page, and another account's sign-in redraws.
 */
function onSessionChange(ev) {
  if (ev.storageArea !== localStorage || (ev.key !== null && ev.key !== "console.token")) return;
  const atLogin = location.hash === "#/login";
  if (!session.token) {
    if (!atLogin) signOut("您已在其他窗口退出登录");
  } else if (atLogin) {
    location.hash = flash.next || HOME;
    flash.next = "";
  } else {
    route();
  }
}

export function startRouter() {
  window.addEventListener("hashchange", route);
  window.addEventListener("storage", onSessionChange);
  route();
}
