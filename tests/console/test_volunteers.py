"""Volunteer hours in the staff console, in a real browser against the real app: staff find members' totals for
the year (filtered by name), open a member's record, are refused an adjustment without a reason, add one with a
reason (kept, shown with who made it), download the member's certificate (a real PDF), see the leaderboard leave
out a member who opted out, and open a volunteer event's check-out code screen next to its check-in code."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.events import lifecycle
from server.events.models import Checkin
from server.volunteers import hours
from server.volunteers.models import VolunteerCheckout

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def _served(site, member_id: int, minutes: int, title: str) -> int:
    with site.app.app_context():
        start = utcnow() - timedelta(hours=6)
        later = utcnow() + timedelta(days=1)  # created ahead (sign-up rules), then moved into the past
        ev = lifecycle.create_event(title=title, kind="volunteer", location="社区", starts_at=later,
                                    ends_at=later + timedelta(hours=3))
        ev.starts_at, ev.ends_at = start, start + timedelta(hours=3)
        db.session.flush()
        ci = Checkin(event_id=ev.id, member_id=member_id, method="code", is_walk_in=True, checked_in_at=start)
        db.session.add(ci)
        db.session.flush()
        db.session.add(VolunteerCheckout(event_id=ev.id, member_id=member_id, checkin_id=ci.id,
                                         checked_out_at=start + timedelta(minutes=minutes), minutes=minutes))
        db.session.commit()
        return ev.id


def test_records_adjustment_certificate_and_leaderboard(page, sign_in, site):
    star = site.make_member("志愿者林一", department="后勤保障部")
    quiet = site.make_member("志愿者隐二", department="后勤保障部")
    _served(site, star, 150, "敬老院义务理发（控制台）")
    _served(site, quiet, 170, "河道清洁（控制台）")
    with site.app.app_context():
        hours.set_opt_out(quiet, True)
        db.session.commit()

    sign_in()
    page.goto("/console/#/volunteers")
    expect(page.locator("nav [data-nav=volunteers]")).to_have_attribute("href", "#/volunteers")
    page.get_by_label("姓名或工号").fill("志愿者")
    page.locator("#apply-filters").click()
    row = page.locator("#volunteers-table tbody tr", has_text="志愿者林一")
    expect(row.locator("td").nth(4)).to_have_text("2.5")
    expect(row.locator("td").nth(5)).to_have_text("25")
    expect(page.locator("#volunteers-table tbody tr", has_text="志愿者隐二")).to_be_visible()
    # The leaderboard names the member who stayed on it and never the one who opted out.
    expect(page.locator("#leaderboard")).to_contain_text("志愿者林一")
    expect(page.locator("#board-card")).not_to_contain_text("志愿者隐二")
    with page.expect_download() as info:
        page.locator("#export-xlsx").click()
    assert info.value.path().read_bytes()[:2] == b"PK" and info.value.suggested_filename.endswith(".xlsx")

    row.get_by_role("link", name="志愿者林一").click()
    expect(page.locator("#volunteer-title")).to_contain_text("志愿者林一 的志愿服务记录")
    expect(page.locator("#volunteer-items")).to_contain_text("敬老院义务理发（控制台）")
    page.get_by_label("分钟数").fill("30")
    page.get_by_role("button", name="保存调整").click()
    expect(page.locator("#adjust-form [data-error-for=reason]")).not_to_be_empty()
    page.get_by_label("调整原因").fill("活动前协助布置场地")
    page.get_by_role("button", name="保存调整").click()
    expect(page.locator("#volunteer-total")).to_contain_text("3 小时")
    adjustment = page.locator("#volunteer-items tr.adjustment-row")
    expect(adjustment).to_contain_text("活动前协助布置场地")
    expect(adjustment).to_contain_text("+30")
    page.get_by_label("调整方向").select_option("minus")
    page.get_by_label("分钟数").fill("999")
    page.get_by_label("调整原因").fill("多计")
    page.get_by_role("button", name="保存调整").click()
    expect(page.locator("#adjust-form .form-message")).to_contain_text("最多可减少 180 分钟")

    with page.expect_download() as info:
        page.locator("#certificate").click()
    assert info.value.path().read_bytes()[:5] == b"%PDF-"


def test_a_volunteer_event_shows_its_check_out_code_next_to_the_check_in_code(page, sign_in, site):
    start = utcnow() + timedelta(minutes=20)
    event_id = site.make_event("社区义务植树（控制台）", kind="volunteer", starts_at=start)
    lecture_id = site.make_event("讲座（控制台签退）", kind="lecture", starts_at=start)
    sign_in()
    page.goto(f"/console/#/events/{event_id}")
    expect(page.locator("#open-screen")).to_be_visible()
    page.locator("#open-checkout-screen").click()
    expect(page.locator(".screen-kicker")).to_contain_text("现场签退")
    expect(page.locator("#qr")).to_have_attribute("data-token", re.compile(r"^o1\.\d+\.\d+\."))
    page.goto(f"/console/#/events/{lecture_id}")
    expect(page.locator("#open-screen")).to_be_visible()
    expect(page.locator("#open-checkout-screen")).to_have_count(0)
