"""Events in the staff console, in a real browser against the real app: the list opens on what is
still ahead (soonest first) with a filter for past events; time, place, description and audience are
edited after publishing, and registrants are told of a new time or place."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.core.timeutil import SHANGHAI, utcnow

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def _ids(rows) -> list[int]:
    return [int(i) for i in rows.evaluate_all("trs => trs.map((tr) => tr.dataset.eventId)")]


def test_list_opens_on_upcoming_events_soonest_first_and_filters_past_ones(site, sign_in):
    now = utcnow()
    # Far off, so they are the last of the upcoming and the first of the past whatever other tests made.
    later = site.make_event("年底联欢会", starts_at=now + timedelta(days=400))
    sooner = site.make_event("年底茶话会", starts_at=now + timedelta(days=399))
    done = site.make_event("去年的运动会", starts_at=now - timedelta(hours=3))
    older = site.make_event("前年的运动会", starts_at=now - timedelta(days=3))
    page = sign_in()
    expect(page.locator("#events-when")).to_have_value("upcoming")
    rows = page.locator("#events-table tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator(f'#events-table tr[data-event-id="{done}"]')).to_have_count(0)
    # Soonest first: walk to the last page, where the two far-off events close the list.
    while page.locator(".pager").get_by_role("button", name="下一页").is_enabled():
        page.locator(".pager").get_by_role("button", name="下一页").click()
        expect(page.locator(".pager")).to_be_visible()
    expect(rows.last).to_have_attribute("data-event-id", str(later))
    ids = _ids(rows)
    assert ids.index(sooner) < ids.index(later)

    page.get_by_label("按时间筛选").select_option("past")
    expect(page.locator(".page-head")).to_contain_text("已结束的活动，最近的在前")
    expect(rows.first).to_have_attribute("data-event-id", str(done))
    expect(rows.first).to_contain_text("已结束")
    ids = _ids(rows)
    assert ids.index(done) < ids.index(older) and later not in ids


def test_an_event_moved_to_another_place_and_time_tells_its_registrants(site, sign_in):
    from server.core.extensions import db
    from server.notices.models import Notice, NoticeRecipient

    members = [site.make_member(n, department="质检部") for n in ("韩会员", "杨会员")]
    start = utcnow() + timedelta(days=10)
    event_id = site.make_event("质量月知识竞赛", starts_at=start, capacity=1, registrants=members)
    page = sign_in()
    page.goto(f"/console/#/events/{event_id}")
    page.get_by_role("button", name="编辑活动").click()
    form = page.locator("#edit-form")
    expect(page.locator("#edit-hint")).to_have_text("修改时间或地点后，已报名和候补的 2 名会员会收到变更通知。")
    expect(form.get_by_label("地点")).to_have_value("工会活动室")

    # Description and audience alone: nobody is told.
    form.get_by_label("活动介绍").fill("分组抢答，设一二三等奖。")
    form.get_by_label("部门").fill("质检部")
    form.get_by_role("button", name="保存修改").click()
    expect(page.locator("#toast")).to_have_text("活动已更新")
    expect(page.locator("#event-title")).to_be_visible()
    expect(page.locator(".details")).to_contain_text("分组抢答，设一二三等奖。")
    expect(page.locator(".details")).to_contain_text("部门：质检部")

    # A new place and a new time: asked first, then told.
    new_start = (start + timedelta(days=1)).astimezone(SHANGHAI)
    page.get_by_role("button", name="编辑活动").click()
    form.get_by_label("地点").fill("职工之家二楼")
    form.get_by_label("开始时间（北京时间）").fill(new_start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("结束时间（北京时间）").fill((new_start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="保存修改").click()
    expect(page.locator("#confirm-body")).to_contain_text("已报名和候补的 2 名会员会收到变更通知")
    page.get_by_role("button", name="保存并通知").click()
    expect(page.locator("#toast")).to_have_text("活动已更新，已通知 2 名报名会员")
    expect(page.locator(".page-head")).to_contain_text("职工之家二楼")
    expect(page.locator(".page-head")).to_contain_text(new_start.strftime("%H:%M"))

    with site.app.app_context():
        [notice] = db.session.scalars(select(Notice).where(Notice.title == "活动时间和地点变更：质量月知识竞赛")).all()
        told = set(db.session.scalars(select(NoticeRecipient.member_id)
                                      .where(NoticeRecipient.notice_id == notice.id)))
        assert "职工之家二楼" in notice.body and "工会活动室" in notice.body
        db.session.rollback()
    assert told == set(members)  # the confirmed one and the one waiting

    # A refused change is said beside its field and keeps what was typed.
    page.get_by_role("button", name="编辑活动").click()
    form.get_by_label("结束时间（北京时间）").fill(new_start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="保存修改").click()
    page.get_by_role("button", name="保存并通知").click()
    expect(form.locator('[data-error-for="ends_at"]')).to_contain_text("结束时间必须晚于开始时间")
    expect(page).to_have_url(re.compile(rf"#/events/{event_id}$"))
