// Notices the system sent by itself about one event or booking calendar (reminders, waiting-list promotions,
// cancellations, booking changes). They stay out of the notices staff write (#/notices lists source=staff)
// and are shown here, on the page of what they are about. A self-contained card: the host page gives it an
// empty element and the filter, and the card draws itself.
import { fmtTime } from "./core.js";
import { PagedList, pagedTable, statusBadge } from "./components.js";
import { label } from "./labels.js";
import { html, render } from "./view.js";

/** Draws the card into `host` (an element the host page's template leaves empty) and loads it. */
export function mountAutoNotices(host, query) {
  const list = new PagedList({ path: "/notices", query: () => query, perPage: 10, draw });

  function draw() {
    if (!host.isConnected) return;  // the page was left
    render(html`<h2>自动通知</h2>
      <p class="hint">系统自动发给会员的提醒、候补递补和变动通知；不显示在“通知”列表中。</p>
      ${pagedTable(list, {
        id: "auto-notices-table", head: ["通知", "类型", "状态", "发送时间"],
        empty: html`<p>还没有自动通知。</p>`,
        row: (n) => html`<tr data-notice-id=${n.id}>
          <td><a class="event-link" href="#/notices/${n.id}">${n.title}</a></td>
          <td>${label("notice_source", n.source)}</td>
          <td>${statusBadge("notice_status", n.status)}</td>
          <td class="nowrap">${fmtTime(n.sent_at || n.created_at)}</td></tr>`,
      })}`, host);
  }

  return list.load();
}
