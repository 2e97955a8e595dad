"""The staff console in a real browser against the real app: what staff do before and at an event."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from server.core.extensions import db
from server.core.timeutil import SHANGHAI, utcnow
from server.events import checkin, lifecycle

from .conftest import PLAIN

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def test_staff_signs_in_and_out(sign_in):
    page = sign_in()
    expect(page.locator("#user-name")).to_have_text("王主任")
    expect(page.get_by_role("heading", name="活动管理")).to_be_visible()

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("您已退出登录")
    assert page.evaluate("localStorage.getItem('console.token')") is None
    # The console is closed again without signing in.
    page.goto("/console/#/events")
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def test_wrong_password_shows_the_server_message(sign_in):
    page = sign_in("S0001", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("工号或密码不正确")
    expect(page.locator("#topbar")).to_be_hidden()


def test_plain_member_is_refused(sign_in):
    page = sign_in(*PLAIN)
    expect(page.get_by_role("alert")).to_contain_text("该账号没有管理后台权限")
    assert page.evaluate("localStorage.getItem('console.token')") is None
    expect(page.locator("#topbar")).to_be_hidden()


def test_expired_or_forged_token_sends_back_to_sign_in(sign_in):
    page = sign_in()
    page.evaluate("localStorage.setItem('console.token', 'forged')")
    page.reload()
    expect(page.get_by_role("alert")).to_have_text("登录凭证无效，请重新登录")
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def test_create_event_shows_field_errors_then_lists_it(site, sign_in):
    site.make_member("质检员", department="质检部")
    page = sign_in()
    page.get_by_role("link", name="＋ 新建活动").click()
    day = (utcnow().astimezone(SHANGHAI) + timedelta(days=3)).strftime("%Y-%m-%d")
    page.get_by_label("活动名称").fill("春季健步走")
    page.get_by_label("类型").select_option(label="文体活动")
    page.get_by_label("地点").fill("滨江公园南门")
    page.get_by_label("开始时间").fill(f"{day}T09:00")
    page.get_by_label("结束时间").fill(f"{day}T08:00")
    page.get_by_label("名额", exact=True).fill("30")
    page.get_by_label("部门", exact=True).fill("质检部，不存在的部门")
    page.get_by_role("button", name="发布活动").click()

    expect(page.locator('[data-error-for="ends_at"]')).to_have_text("结束时间必须晚于开始时间")
    expect(page.get_by_role("alert").first).to_have_text("请修改标出的内容后再提交")

    page.get_by_label("结束时间").fill(f"{day}T11:30")
    page.get_by_role("button", name="发布活动").click()
    # The time is right now; the unknown department is named beside its box.
    expect(page.locator('[data-error-for="audience.departments"]')).to_have_text("不存在：不存在的部门")
    expect(page.locator('[data-error-for="ends_at"]')).to_be_empty()

    page.get_by_label("部门", exact=True).fill("质检部")
    page.get_by_role("button", name="发布活动").click()
    expect(page.locator("#toast")).to_have_text("已发布活动「春季健步走」")
    row = page.locator("#events-table tbody tr", has_text="春季健步走")
    expect(row).to_contain_text(f"{day}")
    expect(row).to_contain_text("09:00–11:30")
    expect(row).to_contain_text("报名中")
    expect(row.locator('[data-col="confirmed"]')).to_have_text("0 / 30")

    row.get_by_role("link", name="春季健步走").click()
    expect(page.locator(".details")).to_contain_text("部门：质检部")


def test_raising_capacity_confirms_the_waitlisted_member(site, sign_in):
    first = site.make_member("张先到")
    second = site.make_member("赵候补")
    event_id = site.make_event("安全生产讲座", kind="lecture", capacity=1, registrants=[first, second])
    page = sign_in()
    row = page.locator("#events-table tbody tr", has_text="安全生产讲座")
    expect(row.locator('[data-col="confirmed"]')).to_have_text("1 / 1")
    expect(row.locator('[data-col="waitlist"]')).to_have_text("1")
    row.get_by_role("link", name="管理").click()

    expect(page).to_have_url(re.compile(rf"#/events/{event_id}$"))
    roster = page.locator("#roster-table")
    expect(roster.locator("tr", has_text="张先到")).to_contain_text("已报名")
    expect(roster.locator("tr", has_text="赵候补")).to_contain_text("候补第 1 位")

    page.locator("#capacity-input").fill("2")
    page.locator("#capacity-save").click()
    expect(page.locator("#toast")).to_have_text("名额已更新，1 名候补会员已转为报名成功")
    expect(roster.locator("tr", has_text="赵候补")).to_contain_text("已报名")
    expect(page.locator("#confirmed-count")).to_have_text("2")
    expect(page.locator("#waitlist-count")).to_have_text("0")
    expect(page.locator("#stat-registered")).to_have_text("2")

    # Fewer seats than people already confirmed: the server's reason, in Chinese, next to the box.
    page.locator("#capacity-input").fill("1")
    page.locator("#capacity-save").click()
    expect(page.locator("#capacity-form ~ .form-message")).to_have_text("已有 2 人报名成功，名额不能少于此数")


def test_cancel_event_after_confirming(site, sign_in):
    event_id = site.make_event("周末观影")
    page = sign_in()
    page.goto(f"/console/#/events/{event_id}")
    page.get_by_role("button", name="取消活动").click()
    page.get_by_role("button", name="再想想").click()
    expect(page.locator("#event-title")).not_to_contain_text("已取消")

    page.get_by_role("button", name="取消活动").click()
    page.get_by_role("button", name="确认取消活动").click()
    expect(page.locator("#event-title")).to_contain_text("已取消")
    expect(page.get_by_role("button", name="取消活动")).to_have_count(0)
    expect(page.locator("#open-screen")).to_have_count(0)


def test_titles_are_shown_as_text_not_markup(site, sign_in):
    site.make_event('<img src=x onerror="document.title=1">摄影展')
    page = sign_in()
    expect(page.get_by_role("link", name='<img src=x onerror="document.title=1">摄影展')).to_be_visible()
    expect(page.locator("#events-table img")).to_have_count(0)


def test_download_registrations_as_csv(site, sign_in):
    a, b = site.make_member("钱导出", department="质检部"), site.make_member("孙导出")
    event_id = site.make_event("职工书法培训", kind="training", registrants=[a, b])
    page = sign_in()
    page.goto(f"/console/#/events/{event_id}")
    expect(page.locator("#roster-table tbody tr")).to_have_count(2)

    with page.expect_download() as info:
        page.get_by_role("button", name="导出 CSV").click()
    download = info.value
    assert download.suggested_filename == "职工书法培训-报名名单.csv"
    with open(download.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][:6] == ["工号", "姓名", "部门", "网格", "手机", "状态"]
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [("钱导出", "质检部", "已报名"), ("孙导出", "生产一部", "已报名")]

    with page.expect_download() as info:
        page.get_by_role("button", name="导出 Excel").click()
    assert info.value.suggested_filename == "职工书法培训-报名名单.xlsx"
    with open(info.value.path(), "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["钱导出", "孙导出"]


def test_checkin_screen_shows_the_code_and_the_live_count(site, sign_in):
    here, away = site.make_member("周已到"), site.make_member("吴未到")
    event_id = site.make_event("劳模分享会", starts_at=utcnow() + timedelta(minutes=20), registrants=[here, away])
    with site.app.app_context():
        token, _ = checkin.venue_code(event_id)
        checkin.check_in_with_code(here, token)
        db.session.commit()

    page = sign_in()
    page.clock.install()
    page.goto(f"/console/#/events/{event_id}")
    expect(page.locator("#stat-checked-in")).to_have_text("1")
    page.get_by_role("link", name="现场签到码").click()

    expect(page.locator("#screen-title")).to_have_text("劳模分享会")
    expect(page.locator("#topbar")).to_be_hidden()
    # A function, not an expression: the console's CSP forbids eval, which Playwright uses for those.
    page.wait_for_function("() => { const img = document.querySelector('#qr');"
                           " return img.complete && img.naturalWidth > 0; }")
    assert page.locator("#qr").evaluate("img => img.src").startswith("blob:")
    expect(page.locator("#screen-checked-in")).to_have_text("1")
    expect(page.locator("#screen-registered")).to_have_text("2")
    seconds = int(page.locator("#countdown").inner_text())
    assert 1 <= seconds <= 31

    # Another member checks in; the count follows without touching the screen.
    with site.app.app_context():
        token, _ = checkin.venue_code(event_id)
        checkin.check_in_with_code(away, token)
        db.session.commit()
    first_src = page.locator("#qr").get_attribute("src")
    # Within one period the screen fetches a fresh code and shows it.
    with page.expect_request(lambda r: "checkin-code?format=png" in r.url):
        page.clock.run_for(31_000)
    expect(page.locator("#qr")).not_to_have_attribute("src", first_src)
    expect(page.locator("#screen-checked-in")).to_have_text("2")

    page.get_by_role("link", name="‹ 返回").click()
    expect(page.locator("#event-title")).to_contain_text("劳模分享会")


def test_checkin_screen_of_a_cancelled_event_says_so(site, sign_in):
    event_id = site.make_event("已取消的联欢会")
    with site.app.app_context():
        lifecycle.cancel_event(event_id)
        db.session.commit()
    page = sign_in()
    page.goto(f"/console/#/events/{event_id}/screen")
    expect(page.locator(".qr-error")).to_have_text("活动已取消")


def test_checkin_screen_shows_no_code_once_check_in_has_closed(site, sign_in):
    # Started 90 minutes ago and still running, but check-in closed 30 minutes after the start:
    # every scan would be refused with 409 checkin_closed.
    start = utcnow() - timedelta(minutes=90)
    event_id = site.make_event("闭幕前的座谈会", starts_at=start,
                               checkin_opens_minutes_before=30, checkin_closes_minutes_after=30)
    page = sign_in()
    page.clock.install()
    page.goto(f"/console/#/events/{event_id}/screen")
    expect(page.locator("#qr-closed")).to_contain_text("签到已结束")
    expect(page.locator("#qr-closed")).to_contain_text(
        (start + timedelta(minutes=30)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))
    expect(page.locator("#qr")).to_have_count(0)
    expect(page.locator(".qr-hint")).to_be_hidden()
    # It keeps asking, so a screen left open is never stuck on a stale answer.
    with page.expect_request(lambda r: r.url.endswith(f"/events/{event_id}/checkin-code")):
        page.clock.run_for(31_000)
    expect(page.locator("#qr-closed")).to_contain_text("签到已结束")


def test_checkin_screen_before_check_in_opens_says_when(site, sign_in):
    start = utcnow() + timedelta(hours=3)
    event_id = site.make_event("未开始的座谈会", starts_at=start, checkin_opens_minutes_before=60)
    page = sign_in()
    page.goto(f"/console/#/events/{event_id}/screen")
    opens = (start - timedelta(minutes=60)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    expect(page.locator("#qr-closed")).to_contain_text("签到尚未开始")
    expect(page.locator("#qr-closed")).to_contain_text(f"北京时间 {opens} 开始签到")
    expect(page.locator("#qr")).to_have_count(0)


def test_staff_scan_tickets_also_offline_and_sync_later(site, sign_in):
    """README: staff scan tickets in the console, also offline. A handheld scanner types the ticket and
    presses Enter; a scan made without network is kept and synced with its time."""
    online, offline = site.make_member("钱扫码", employee_no="E7020"), site.make_member("孙离线", employee_no="E7021")
    event_id = site.make_event("票务签到会", starts_at=utcnow() + timedelta(minutes=10), registrants=[online, offline])
    with site.app.app_context():
        from server.members.models import Member
        tickets = [checkin.issue_ticket(db.session.get(Member, m), event_id) for m in (online, offline)]

    page = sign_in()
    page.goto(f"/console/#/events/{event_id}")
    page.get_by_role("link", name="扫描电子票").click()
    ticket_box = page.get_by_label("电子票")
    ticket_box.fill(tickets[0])
    ticket_box.press("Enter")
    expect(page.locator("#scan-results li").first).to_contain_text("钱扫码 · 工号 E7020 · 生产一部 签到成功")
    ticket_box.fill(tickets[0][:-3] + "AAA")
    ticket_box.press("Enter")
    expect(page.locator("#scan-results li").first).to_contain_text("电子票无效")

    page.context.set_offline(True)
    ticket_box.fill(tickets[1])
    ticket_box.press("Enter")
    expect(page.locator("#scan-results li").first).to_contain_text("已离线记录")
    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#toast")).to_have_text("已同步 1 条离线扫描")
    expect(page.locator("#scan-results li").first).to_contain_text("孙离线 · 工号 E7021 · 生产一部 签到成功")
    expect(page.get_by_role("button", name="立即同步")).to_have_count(0)
    with site.app.app_context():
        assert checkin.checkin_stats(event_id)["checked_in"] == 2


def _tickets(site, event_id, member_ids):
    with site.app.app_context():
        from server.members.models import Member
        return [checkin.issue_ticket(db.session.get(Member, m), event_id) for m in member_ids]


def _queued(page, event_id):
    return page.evaluate("(id) => JSON.parse(localStorage.getItem(`console.scan-queue.${id}`) || '[]').length",
                         event_id)


def test_offline_scan_refuses_forged_and_other_event_tickets_on_the_spot(site, sign_in):
    """PRODUCT: staff scan tickets also offline. Without network the console checks the signature with the
    event's key saved on an earlier, online visit: a forged or another event's ticket is refused at the
    door and never queued; a valid one is queued once and synced later."""
    member, elsewhere = site.make_member("郑验票"), site.make_member("冯别场")
    event_id = site.make_event("离线验票会", starts_at=utcnow() + timedelta(minutes=10), registrants=[member])
    other_id = site.make_event("隔壁活动", starts_at=utcnow() + timedelta(minutes=10), registrants=[elsewhere])
    [ticket] = _tickets(site, event_id, [member])
    [other_ticket] = _tickets(site, other_id, [elsewhere])
    body, _ = ticket.rsplit(".", 1)
    forged = f"{body.rsplit('.', 1)[0]}.{elsewhere}.{ticket.rsplit('.', 1)[1]}"  # someone else's id, same signature

    page = sign_in()
    page.goto(f"/console/#/events/{event_id}/scan")
    note = page.locator("#scan-offline-mode")
    expect(note).to_contain_text("断网时也能当场验票")
    # Later the key cannot be fetched any more: the copy kept on this browser still serves.
    page.route("**/checkin-key", lambda route: route.abort())
    page.reload()
    expect(note).to_contain_text("断网时也能当场验票")

    page.context.set_offline(True)
    ticket_box = page.get_by_label("电子票")
    latest = page.locator("#scan-results li").first
    for bad, reason in [(forged, "电子票无效"), (ticket[:-3] + "AAA", "电子票无效"), ("t1.12.x", "电子票无效"),
                        (other_ticket, "该电子票不属于本活动")]:
        ticket_box.fill(bad)
        ticket_box.press("Enter")
        expect(latest).to_contain_text(reason)
        expect(latest).to_contain_text("未记录")
    assert _queued(page, event_id) == 0
    expect(page.get_by_role("button", name="立即同步")).to_have_count(0)

    ticket_box.fill(ticket)
    ticket_box.press("Enter")
    expect(latest).to_contain_text("已离线记录，联网后同步")
    ticket_box.fill(ticket)
    ticket_box.press("Enter")
    expect(latest).to_contain_text("无需重复扫描")
    assert _queued(page, event_id) == 1
    expect(page.locator("#scan-pending")).to_contain_text("有 1 条离线扫描尚未同步")

    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#toast")).to_have_text("已同步 1 条离线扫描")
    expect(page.locator("#scan-results li.scan-error")).to_have_count(4)  # the four refusals above, nothing new
    with site.app.app_context():
        assert checkin.checkin_stats(event_id)["checked_in"] == 1
        assert checkin.checkin_stats(other_id)["checked_in"] == 0


def test_offline_scan_without_a_saved_key_queues_and_says_it_checks_later(site, sign_in):
    member = site.make_member("陈无钥")
    event_id = site.make_event("无公钥签到会", starts_at=utcnow() + timedelta(minutes=10), registrants=[member])
    [ticket] = _tickets(site, event_id, [member])
    page = sign_in()
    page.route("**/checkin-key", lambda route: route.abort())
    page.goto(f"/console/#/events/{event_id}/scan")
    expect(page.locator("#scan-offline-mode")).to_contain_text("联网同步时再核验")

    page.context.set_offline(True)
    page.get_by_label("电子票").fill(ticket[:-3] + "AAA")
    page.get_by_label("电子票").press("Enter")
    # It cannot be told apart here, so it is kept as before and the sync decides.
    expect(page.locator("#scan-results li").first).to_contain_text("联网同步时核验")
    assert _queued(page, event_id) == 1


def test_ended_event_offers_no_cancel_capacity_or_code_screen(site, sign_in):
    start = utcnow() - timedelta(hours=5)
    event_id = site.make_event("上周的联欢会", starts_at=start, capacity=10)
    page = sign_in()
    page.get_by_label("按时间筛选").select_option("past")  # the list opens on events not yet over
    row = page.locator("#events-table tbody tr", has_text="上周的联欢会")
    expect(row).to_contain_text("已结束")
    expect(row.get_by_role("link", name="签到码")).to_have_count(0)

    page.goto(f"/console/#/events/{event_id}")
    expect(page.locator("#event-title")).to_contain_text("已结束")
    expect(page.get_by_role("button", name="取消活动")).to_have_count(0)
    expect(page.locator("#capacity-form")).to_have_count(0)
    expect(page.locator("#open-screen")).to_have_count(0)
    # Scans made offline may still wait on the scan page to be synced.
    expect(page.locator("#open-scan")).to_be_visible()


def test_too_many_attempts_say_how_long_to_wait(site, sign_in):
    """The sign-in throttle's 429 is shown with the wait in minutes, not as a generic failure."""
    import json
    import urllib.error
    import urllib.request

    from server.core import ratelimit

    employee_no = "S-THROTTLE"
    site.make_member("赵干事", roles=("member", "staff"), password="throttle-secret-1", employee_no=employee_no)
    for _ in range(10):  # the account's allowance, spent by someone guessing
        req = urllib.request.Request(f"{site.url}/api/v1/auth/password-login", method="POST",
                                     data=json.dumps({"employee_no": employee_no, "password": "guess"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code == 401
    try:
        page = sign_in(employee_no, "throttle-secret-1")
        expect(page.get_by_role("alert")).to_have_text(
            re.compile(r"登录尝试次数过多，为保护账号安全已暂停登录，请 1[45] 分钟后再试"))
        expect(page.locator("#topbar")).to_be_hidden()
    finally:
        with site.app.app_context():
            ratelimit.reset()
