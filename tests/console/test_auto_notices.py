"""Automatic notices (a waiting-list promotion, a booking cancelled by staff) are not listed among the
notices staff write; staff find them on the event's or the booking calendar's page."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.core.extensions import db
from server.core.timeutil import utcnow

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def test_automatic_notices_show_under_their_event_and_calendar_only(site, sign_in):
    from server.bookings.booking import cancel_booking
    from server.events import signup
    from server.members.models import Member

    first, waiting = site.make_member("钟先到"), site.make_member("蒋候补")
    event_id = site.make_event("茶艺体验课", capacity=1, waitlist=True, registrants=[first, waiting])
    calendar_id = site.make_calendar("自动通知法律门诊", kind="legal_clinic")
    start = utcnow() + timedelta(days=4)
    [slot] = site.make_slots(calendar_id, [(start, start + timedelta(hours=1))])
    booking = site.book(first, slot)
    with site.app.app_context():
        signup.cancel_registration(db.session.get(Member, first), event_id)  # 蒋候补 is promoted and told
        staff = db.session.scalar(db.select(Member).filter_by(employee_no="S0001"))
        cancel_booking(staff, booking, staff=True)  # 钟先到 is told
        db.session.commit()
    staff_written = site.make_notice("工会会员大会通知", send=True)

    page = sign_in()
    page.locator("#topbar").get_by_role("link", name="通知").click()
    rows = page.locator("#notices-table tbody tr")
    expect(rows.filter(has_text="工会会员大会通知")).to_have_count(1)
    expect(rows.filter(has_text="候补成功")).to_have_count(0)
    expect(rows.filter(has_text="预约已取消")).to_have_count(0)
    expect(page.locator(f'#notices-table tr[data-notice-id="{staff_written}"]')).to_have_count(1)

    page.goto(f"/console/#/events/{event_id}")
    auto = page.locator("#auto-notices")
    expect(auto.locator("tbody tr")).to_have_count(1)
    expect(auto.locator("tbody tr").first).to_contain_text("候补成功：茶艺体验课")
    expect(auto.locator("tbody tr").first).to_contain_text("候补递补")
    auto.get_by_role("link", name="候补成功：茶艺体验课").click()
    expect(page.locator("#notice-title")).to_contain_text("候补成功：茶艺体验课")

    page.goto(f"/console/#/bookings/{calendar_id}")
    auto = page.locator("#auto-notices")
    expect(auto.locator("tbody tr")).to_have_count(1)
    expect(auto.locator("tbody tr").first).to_contain_text("预约已取消：自动通知法律门诊")
    expect(auto.locator("tbody tr").first).to_contain_text("预约变动")
