"""The dashboard (the console's first page) and the sign-in shared by the tabs of one browser."""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import update

from server.core.extensions import db
from server.core.timeutil import SHANGHAI, utcnow
from server.dashboard.queries import last_months
from server.events.models import Checkin, Registration
from server.notices.models import Delivery

from .conftest import STAFF

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect
_seq = itertools.count(1)

# The chart's option as ECharts holds it, read through the very module the console imported.
CHART_OPTION = """async () => {
  const echarts = await import("/console/static/vendor/echarts/echarts.esm.min.js");
  const chart = echarts.getInstanceByDom(document.querySelector("#participation-chart"));
  const o = chart.getOption();
  return { months: o.xAxis[0].data, series: o.series.map((s) => ({ name: s.name, data: s.data })) };
}"""

# How many pixels of the chart's canvas are painted (not transparent).
PAINTED = """() => {
  const c = document.querySelector("#participation-chart canvas");
  const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
  return n;
}"""


def _beijing(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def _check_in(site, event_id: int, member_id: int, at: datetime) -> None:
    with site.app.app_context():
        reg = db.session.scalar(db.select(Registration).filter_by(event_id=event_id, member_id=member_id))
        db.session.add(Checkin(event_id=event_id, member_id=member_id, checked_in_at=at, method="code",
                               registration_id=reg.id if reg else None, is_walk_in=reg is None))
        db.session.commit()


def _figure(page, selector: str) -> int:
    return int(page.locator(selector).inner_text())


def test_dashboard_is_the_first_page_and_its_figures_match_the_data(site, page):
    n = next(_seq)
    dept = f"仪表车间{n}"
    members = [site.make_member(f"看板会员{n}-{i}", department=dept) for i in range(3)]
    starts = utcnow() + timedelta(minutes=20)
    today_event = site.make_event(f"看板今日活动{n}", starts_at=starts, capacity=10, registrants=members)
    _check_in(site, today_event, members[0], utcnow())
    week_event = site.make_event(f"看板周五讲座{n}", starts_at=utcnow() + timedelta(days=5), capacity=2,
                                 registrants=members)  # two seats: the third waits
    far_event = site.make_event(f"看板下月活动{n}", starts_at=utcnow() + timedelta(days=20))
    cal = site.make_calendar(f"看板接待日{n}")
    (slot,) = site.make_slots(cal, [(starts, starts + timedelta(minutes=30))])
    site.book(members[1], slot)

    # Sign in from the console's bare address: the dashboard is where it lands.
    page.goto("/console/")
    page.get_by_label("工号").fill(STAFF[0])
    page.get_by_label("密码").fill(STAFF[1])
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.locator('[data-nav="dashboard"]')).to_have_class("active")
    suggestions_before = _figure(page, "#open-suggestions")
    failing_before = _figure(page, "#tile-deliveries b")

    row = page.locator(f'#dash-events tr[data-event-id="{today_event}"]')
    expect(row.locator('[data-figure="confirmed"]')).to_contain_text("3 / 10")
    expect(row.locator('[data-figure="checked-in"]')).to_have_text("1")
    week = page.locator(f'#dash-events tr[data-event-id="{week_event}"]')
    expect(week.locator('[data-figure="confirmed"]')).to_contain_text("2 / 2")
    expect(week.locator('[data-figure="confirmed"]')).to_contain_text("候补 1")
    expect(week.locator('[data-figure="checked-in"]')).to_have_text("0")
    expect(page.locator(f'#dash-events tr[data-event-id="{far_event}"]')).to_have_count(0)
    if starts.astimezone(SHANGHAI).date() == utcnow().astimezone(SHANGHAI).date():  # not at 23:40 Beijing
        expect(row).to_contain_text("今天")
        booked = page.locator("#dash-bookings tr", has_text=f"看板会员{n}-1")
        expect(booked).to_contain_text(f"看板接待日{n}")
        expect(booked).to_contain_text(dept)

    # Two suggestions and a notice with two failing deliveries more: the figures follow on the next visit.
    site.make_suggestion("车间通风不好")
    site.make_suggestion("食堂排队太久")
    notice = site.make_notice(f"看板体检通知{n}", send=True, channels=["sms"], audience={"member_ids": members})
    with site.app.app_context():
        ids = db.session.scalars(db.select(Delivery.id).filter_by(notice_id=notice).order_by(Delivery.id)).all()
        db.session.execute(update(Delivery).where(Delivery.id == ids[0]).values(status="failed"))
        db.session.execute(update(Delivery).where(Delivery.id == ids[1]).values(status="unknown"))
        db.session.commit()
    page.reload()
    expect(page.locator("#open-suggestions")).to_have_text(str(suggestions_before + 2))
    expect(page.locator("#tile-suggestions b")).to_have_text(str(suggestions_before + 2))
    expect(page.locator("#tile-deliveries b")).to_have_text(str(failing_before + 2))
    expect(page.locator(f'#dash-attention [data-notice-id="{notice}"] b')).to_have_text("2")
    page.locator("#dash-attention").get_by_role("link", name=f"看板体检通知{n}").click()
    expect(page).to_have_url(f"{site.url}/console/#/notices/{notice}")


def test_participation_chart_shows_check_ins_per_beijing_month_and_department(site, page, sign_in):
    n = next(_seq)
    months = last_months(utcnow().astimezone(SHANGHAI).date())
    a_dept, b_dept = f"锻造车间{n}", f"质检科{n}"
    a1, a2 = (site.make_member(f"锻工{n}-{i}", department=a_dept) for i in range(2))
    b1 = site.make_member(f"质检员{n}", department=b_dept)
    # One check-in per member and event: a past event for each.
    past = [site.make_event(f"往期活动{n}-{i}", starts_at=utcnow() - timedelta(days=420)) for i in range(3)]
    _check_in(site, past[0], a1, _beijing(months[0], 10))
    _check_in(site, past[0], a2, _beijing(months[0], 0, 20))  # the 1st in Beijing, the last day before in UTC
    _check_in(site, past[0], b1, _beijing(months[5], 15))
    _check_in(site, past[1], b1, _beijing(months[11], 9))
    _check_in(site, past[2], b1, _beijing(months[0], 0) - timedelta(minutes=1))  # 13 months ago: not shown

    sign_in()
    page.get_by_role("link", name="工作台").click()
    expect(page.locator("#participation-chart canvas")).to_be_visible()
    option = page.evaluate(CHART_OPTION)
    assert option["months"][0] == f"{months[0].year}年{months[0].month}月"
    assert option["months"][-1] == (f"{months[-1].year}年1月" if months[-1].month == 1 else f"{months[-1].month}月")
    series = {s["name"]: s["data"] for s in option["series"]}
    assert series[a_dept] == [2] + [0] * 11
    assert series[b_dept] == [0] * 5 + [1] + [0] * 5 + [1]
    assert page.evaluate(PAINTED) > 5000, "the chart's canvas is blank"
    # Its tooltip is drawn on the canvas too (the page fails on anything the CSP blocks).
    page.locator("#participation-chart").hover(position={"x": 60, "y": 200})


def test_sign_in_is_shared_by_the_tabs_and_so_is_sign_out(site, page, sign_in):
    n = next(_seq)
    event_id = site.make_event(f"投屏活动{n}", starts_at=utcnow() + timedelta(minutes=20))
    sign_in()
    page.get_by_role("link", name="工作台").click()
    errors: list[str] = []

    # The live screen opens in a window of its own, already signed in.
    with page.expect_popup() as popup:
        page.locator(f'#dash-events tr[data-event-id="{event_id}"]').get_by_role("link", name="投屏签到码").click()
    screen = popup.value
    screen.on("pageerror", lambda e: errors.append(str(e)))
    screen.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    expect(screen.locator("#screen-title")).to_have_text(f"投屏活动{n}")
    expect(screen.get_by_role("button", name="登录")).to_have_count(0)
    # A third tab typed by hand, too.
    other = page.context.new_page()
    other.goto(f"/console/#/events/{event_id}")
    expect(other.locator("#event-title")).to_contain_text(f"投屏活动{n}")
    # No cookie carries the session: the token travels only in the Authorization header the console adds.
    assert page.context.cookies() == []

    # Signing out in the first tab signs the others out: the screen at once, the third on its next request.
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(screen.get_by_role("button", name="登录")).to_be_visible()
    expect(screen.get_by_role("alert")).to_have_text("您已在其他窗口退出登录")
    other.reload()
    expect(other.get_by_role("button", name="登录")).to_be_visible()

    # Signing in again in the screen's window returns it to the screen; the other tab moves on as well.
    screen.get_by_label("工号").fill(STAFF[0])
    screen.get_by_label("密码").fill(STAFF[1])
    screen.get_by_role("button", name="登录").click()
    expect(screen.locator("#screen-title")).to_have_text(f"投屏活动{n}")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    assert not errors, errors
