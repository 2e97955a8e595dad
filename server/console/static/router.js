// The console's hash router: which view draws which address, the sign-in guard and the top bar.
import { ApiError, flash, fundOnly, homeOf, session, signOut } from "./core.js";
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
import { viewCouncil, viewTopic } from "./council.js";
import { viewCraftsman, viewRound } from "./craftsman.js";
import { viewProcurement, viewProcurements } from "./procurements.js";
import { viewAward, viewAwards } from "./awards.js";
import { viewFundEntries, viewFundEntry, viewFundApprovals, viewNewFundEntry } from "./fund.js";
import { viewFundAudit, viewFundBudgets, viewFundCategories, viewFundMonths } from "./fundbooks.js";
import { viewImprovement, viewImprovements } from "./improvements.js";
import { viewAudit, viewAudits } from "./audits.js";
import { viewReport } from "./reports.js";
import { viewVolunteer, viewVolunteers } from "./volunteers.js";
import { viewCareCase, viewCareCases, viewCareReads, viewNewCareCase } from "./care.js";
import { viewBenefit, viewBenefits, viewDeliveries, viewEditBenefit, viewNewBenefit, viewRedeem } from "./benefits.js";

// [address, view, options]; a view is view(root, ...captures) and may return a cleanup function.
const routes = [
  [/^#\/login$/, viewLogin, { public: true }],
  [/^#\/dashboard$/, viewDashboard],
  [/^#\/events$/, viewEvents],
  [/^#\/events\/new$/, viewNewEvent],
  [/^#\/events\/(\d+)$/, viewEvent],
  [/^#\/events\/(\d+)\/screen(?:\/(checkout))?$/, viewScreen, { bare: true }],
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
  [/^#\/council$/, viewCouncil],
  [/^#\/council\/topics\/(\d+)$/, viewTopic],
  [/^#\/craftsman$/, viewCraftsman],
  [/^#\/craftsman\/rounds\/(\d+)$/, viewRound],
  [/^#\/procurements$/, viewProcurements],
  [/^#\/procurements\/(\d+)$/, viewProcurement],
  [/^#\/awards$/, viewAwards],
  [/^#\/awards\/(\d+)$/, viewAward],
  [/^#\/volunteers$/, viewVolunteers],
  [/^#\/volunteers\/(\d+)$/, viewVolunteer],
  // The fund ledger: the only section a treasurer without a staff role may open (fund: true).
  [/^#\/fund(?:\/entries)?(?:\/(\d{4}-\d{2}))?$/, viewFundEntries, { fund: true }],
  [/^#\/fund\/entries\/new(?:\/reverse\/(\d+))?$/, viewNewFundEntry, { fund: true }],
  [/^#\/fund\/entries\/(\d+)$/, viewFundEntry, { fund: true }],
  [/^#\/fund\/approvals$/, viewFundApprovals, { fund: true }],
  [/^#\/fund\/months$/, viewFundMonths, { fund: true }],
  [/^#\/fund\/budgets(?:\/(\d{4}))?$/, viewFundBudgets, { fund: true }],
  [/^#\/fund\/categories$/, viewFundCategories, { fund: true }],
  [/^#\/fund\/audit$/, viewFundAudit, { fund: true }],
  [/^#\/improvements$/, viewImprovements],
  [/^#\/improvements\/(\d+)$/, viewImprovement],
  [/^#\/audits$/, viewAudits],
  [/^#\/audits\/(\d+)$/, viewAudit],
  [/^#\/reports(?:\/(\d{4}(?:Q[1-4])?)(?:\/(archived))?)?$/, viewReport],
  [/^#\/care$/, viewCareCases],
  [/^#\/care\/new$/, viewNewCareCase],
  [/^#\/care\/(\d+)$/, viewCareCase],
  [/^#\/care\/(\d+)\/reads$/, viewCareReads],
  [/^#\/benefits$/, viewBenefits],
  [/^#\/benefits\/new$/, viewNewBenefit],
  [/^#\/benefits\/(\d+)$/, viewBenefit],
  [/^#\/benefits\/(\d+)\/edit$/, viewEditBenefit],
  [/^#\/benefits\/(\d+)\/scan$/, viewRedeem],
  [/^#\/benefits\/(\d+)\/deliveries$/, viewDeliveries],
];

// The default address is homeOf() (core.js): the dashboard, or the 经费 section for a treasurer alone.

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
  // A treasurer alone sees the 经费 link only (every other section is staff's).
  const only = fundOnly();
  for (const a of document.querySelectorAll("[data-nav]")) a.hidden = only && a.dataset.nav !== "fund";
  // A group menu with no link left to show (a treasurer's bar) goes too.
  for (const menu of document.querySelectorAll(".nav-menu")) {
    menu.hidden = only && !menu.querySelector("[data-nav]:not([hidden])");
  }
  document.querySelector(".topbar .brand").setAttribute("href", homeOf());
  const section = hash === "#/events/new" ? "new"
    : ["dashboard", "notices", "bookings", "suggestions", "requests", "members", "workdays", "surveys", "votes",
      "proposals", "council", "craftsman", "procurements", "awards", "fund", "audits", "improvements", "volunteers",
      "care", "benefits", "reports"]
      .find((s) => hash.startsWith(`#/${s}`)) || "events";
  for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === section);
  // A group's menu closes once a page is chosen; its title is marked when the page is one of its own.
  for (const menu of document.querySelectorAll(".nav-menu")) {
    menu.open = false;
    menu.querySelector("summary").classList.toggle("active", Boolean(menu.querySelector("[data-nav].active")));
  }
}

/** The top bar's group menus: one open at a time, closed by a click anywhere else or Escape. */
function wireNavMenus() {
  const menus = [...document.querySelectorAll(".nav-menu")];
  for (const menu of menus) {
    menu.addEventListener("toggle", () => {
      if (menu.open) for (const other of menus) if (other !== menu) other.open = false;
    });
  }
  document.addEventListener("click", (e) => {
    for (const menu of menus) if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") for (const menu of menus) menu.open = false;
  });
}

async function route() {
  const current = ++navigation;
  if (cleanup) { cleanup(); cleanup = null; }
  const hash = location.hash || homeOf();
  const match = routes.find(([re]) => re.test(hash));
  if (!match) { location.hash = homeOf(); return; }
  const [re, view, opts = {}] = match;
  if (!opts.public && !session.valid) {
    if (session.token) flash.signIn = "登录已过期，请重新登录";
    session.clear();
    // Back to this address after signing in (a screen opened in a new window before signing in).
    flash.next = hash;
    location.hash = "#/login";
    return;
  }
  if (!opts.public && !opts.fund && fundOnly()) { location.hash = homeOf(); return; }
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
    location.hash = flash.next || homeOf();
    flash.next = "";
  } else {
    route();
  }
}

export function startRouter() {
  wireNavMenus();
  window.addEventListener("hashchange", route);
  window.addEventListener("storage", onSessionChange);
  route();
}
