"""The console's shared components (components.js) and labels (labels.js), in a real browser against the
real app: the pager moves pages, a cancelled confirmation changes nothing, a 400's details.fields land
beside their boxes, and the labels are the server's, fetched once."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from server.core.timeutil import SHANGHAI, utcnow

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def _ids(rows) -> list[str]:
    return rows.evaluate_all("trs => trs.map((tr) => tr.dataset.eventId)")


def test_pager_moves_between_pages_and_stops_at_the_ends(site, sign_in):
    # The site is shared with other tests: at least 21 events make a second page, whatever else is there.
    for i in range(21):
        site.make_event(f"翻页活动{i:02d}", starts_at=utcnow() + timedelta(days=30, minutes=i))
    page = sign_in()
    rows = page.locator("#events-table tbody tr")
    pager = page.locator(".pager")
    expect(rows).to_have_count(20)
    expect(pager).to_contain_text(re.compile(r"第 1 / \d+ 页"))
    expect(pager.get_by_role("button", name="上一页")).to_be_disabled()
    first = _ids(rows)

    pager.get_by_role("button", name="下一页").click()
    expect(pager).to_contain_text(re.compile(r"第 2 / \d+ 页"))
    expect(pager.get_by_role("button", name="上一页")).to_be_enabled()
    expect(rows.first).not_to_have_attribute("data-event-id", first[0])
    assert not set(_ids(rows)) & set(first), "page 2 repeats rows of page 1"

    pager.get_by_role("button", name="上一页").click()
    expect(pager).to_contain_text(re.compile(r"第 1 / \d+ 页"))
    expect(rows.first).to_have_attribute("data-event-id", first[0])

    # The last page cannot go further.
    total_pages = int(re.search(r"/ (\d+) 页", pager.inner_text()).group(1))
    for n in range(2, total_pages + 1):
        pager.get_by_role("button", name="下一页").click()
        expect(pager).to_contain_text(f"第 {n} / {total_pages} 页")
    expect(pager.get_by_role("button", name="下一页")).to_be_disabled()


def test_confirm_dialog_cancel_changes_nothing(site, sign_in):
    day = (utcnow().astimezone(SHANGHAI) + timedelta(days=6)).strftime("%Y-%m-%d")
    start = datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time(9, 0), SHANGHAI)
    cal = site.make_calendar("确认框测试日")
    [slot] = site.make_slots(cal, [(start, start + timedelta(minutes=30))])
    site.book(site.make_member("韩会员"), slot)
    page = sign_in()
    page.goto(f"/console/#/bookings/{cal}/{day}")
    booking = page.locator("#bookings-table tbody tr", has_text="韩会员")
    expect(booking).to_have_attribute("data-status", "booked")
    writes: list[str] = []
    page.on("request", lambda r: writes.append(f"{r.method} {r.url}") if r.method != "GET" else None)

    booking.get_by_role("button", name="代为取消").click()
    expect(page.locator("#confirm")).to_be_visible()
    page.get_by_role("button", name="再想想").click()
    expect(page.locator("#confirm")).to_be_hidden()
    page.locator(f'#slots-table tr[data-slot-id="{slot}"]').get_by_role("button", name="取消时段").click()
    page.keyboard.press("Escape")  # closing the dialog any other way is a "no" too
    expect(page.locator("#confirm")).to_be_hidden()

    page.wait_for_timeout(300)  # anything a "yes" would send has had its chance (the assertion is: nothing)
    assert writes == []
    expect(booking).to_have_attribute("data-status", "booked")
    expect(page.locator(f'#slots-table tr[data-slot-id="{slot}"]')).to_have_attribute("data-status", "open")
    expect(page.locator("#toast")).to_be_hidden()


def test_field_errors_from_a_400_sit_beside_their_boxes_and_clear(site, sign_in):
    page = sign_in()
    page.goto("/console/#/bookings/new")
    page.get_by_label("每人最多同时预约").fill("0")
    page.get_by_label("部门", exact=True).fill("没有这个部门")
    page.get_by_role("button", name="创建日历").click()

    # Each message of details.fields beside its own box, the box marked, and one line on top.
    for name in ("title", "location", "max_active_per_member"):
        box = page.locator(f'.field[data-field="{name}"]')
        expect(box.locator(".field-error")).not_to_be_empty()
        expect(box).to_have_class(re.compile("has-error"))
    expect(page.locator('[data-error-for="title"]')).to_have_text("不能为空")
    expect(page.locator("#calendar-form .form-message .alert")).to_have_text("请修改标出的内容后再提交")
    expect(page.locator('.field[data-field="host"]')).not_to_have_class(re.compile("has-error"))

    # What staff typed stays; a fixed box is cleared of its error on the next submit.
    page.get_by_label("名称").fill("错误提示测试")
    page.get_by_label("地点").fill("工会办公室")
    page.get_by_role("button", name="创建日历").click()
    expect(page.locator('[data-error-for="title"]')).to_be_empty()
    expect(page.locator('.field[data-field="title"]')).not_to_have_class(re.compile("has-error"))
    expect(page.locator('[data-error-for="max_active_per_member"]')).not_to_be_empty()
    expect(page.get_by_label("部门", exact=True)).to_have_value("没有这个部门")


def test_labels_are_the_servers_and_fetched_once(site, page, sign_in):
    member = site.make_member("标签候补")
    first = site.make_member("标签先到")
    event_id = site.make_event("标签测试活动", capacity=1, registrants=[first, member])
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/meta/labels" in r.url else None)
    sign_in()
    labels = page.request.get("/api/v1/meta/labels").json()

    page.goto(f"/console/#/events/{event_id}")
    roster = page.locator("#roster-table")
    expect(roster.locator("tr", has_text="标签先到").locator("[data-status]")).to_have_text(
        labels["registration_status"]["confirmed"])
    # The filter offers the server's statuses, in its order.
    expect(page.locator("#roster-status option")).to_have_text(
        ["全部状态", *labels["registration_status"].values()])
    page.locator("#topbar").get_by_text("服务会员").click()  # the group's menu in the top bar
    page.locator("#topbar").get_by_role("link", name="意见箱").click()
    expect(page.locator("#suggestion-category option")).to_have_text(
        ["全部类别", *labels["suggestion_category"].values()])
    page.locator("#topbar").get_by_text("活动预约").click()  # the group's menu in the top bar
    page.locator("#topbar").get_by_role("link", name="预约").click()
    expect(page.locator("#calendar-filter option")).to_have_text(["全部类型", *labels["calendar_kind"].values()])
    # Loaded once when the console opened (before sign-in: labels are public), not on every page.
    assert len(asked) == 1
