"""Slot booking in the staff console, in a real browser against the real app: plan a day, follow who
booked, and move, cancel or cancel on a member's behalf."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from server.core.timeutil import SHANGHAI, utcnow

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

SECRETARY = ("SEC01", "secretary-secret-1")


def beijing_day(days_ahead: int) -> str:
    return (utcnow().astimezone(SHANGHAI) + timedelta(days=days_ahead)).strftime("%Y-%m-%d")


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time.fromisoformat(hhmm), SHANGHAI)


def slot_row(page, slot_id: int):
    return page.locator(f'#slots-table tr[data-slot-id="{slot_id}"]')


def test_secretary_creates_a_reception_day_and_plans_its_slots(site, sign_in):
    site.make_member("赵书记", roles=("member", "secretary"), password=SECRETARY[1], employee_no=SECRETARY[0],
                     department="工会办公室")
    day, eve = beijing_day(5), beijing_day(1)
    page = sign_in(*SECRETARY)
    page.locator("#topbar").get_by_text("活动预约").click()  # the group's menu in the top bar
    page.locator("#topbar").get_by_role("link", name="预约").click()
    page.get_by_role("link", name="＋ 新建预约日历").click()
    # The secretary may plan reception days only.
    expect(page.get_by_label("类型").locator("option")).to_have_text(["书记接待日"])
    page.get_by_label("地点").fill("行政楼 301")
    page.get_by_role("button", name="创建日历").click()
    expect(page.locator('[data-error-for="title"]')).to_have_text("不能为空")

    page.get_by_label("名称").fill("十二月书记接待日")
    page.get_by_label("接待人").fill("张书记")
    page.get_by_role("button", name="创建日历").click()
    expect(page).to_have_url(re.compile(r"#/bookings/\d+"))
    expect(page.locator("#calendar-title")).to_contain_text("十二月书记接待日")
    expect(page.locator("#calendar-title")).to_contain_text("书记接待日")

    # 09:00–11:40 in 30-minute slots: five fit, the last ten minutes are dropped and said so.
    page.locator("#gen-generate-date").fill(day)
    page.locator("#gen-generate-start").fill("09:00")
    page.locator("#gen-generate-end").fill("11:40")
    page.locator("#gen-generate-capacity").fill("2")
    page.locator("#gen-publish_at").fill(f"{eve}T08:00")
    page.get_by_role("button", name="生成时段").click()
    # Asked whether to tell the members: not now.
    page.locator("#announce").get_by_role("button", name="不发送").click()
    expect(page.locator("#generate .alert")).to_have_text(
        "09:00—11:40 按每段 30 分钟划分，最后的 11:30—11:40 不足一个时段，已舍去")
    expect(page).to_have_url(re.compile(rf"#/bookings/\d+/{day}$"))
    rows = page.locator("#slots-table tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("09:00–09:30")
    expect(rows.last).to_contain_text("11:00–11:30")
    expect(rows.first.locator('[data-col="booked"]')).to_have_text("0 / 2")
    expect(rows.first).to_contain_text(f"定于 {eve} 08:00 公开")
    expect(page.locator("#day-bookings")).to_contain_text("这一天还没有人预约。")

    # A single slot: an end before its start is refused beside the field, an overlap said plainly.
    page.locator("#one-date").fill(day)
    page.locator("#one-slots-0-starts_at").fill("14:00")
    page.locator("#one-slots-0-ends_at").fill("13:00")
    page.get_by_role("button", name="添加时段").click()
    expect(page.locator('#single [data-error-for="slots.0.ends_at"]')).to_have_text("结束时间必须晚于开始时间")
    page.locator("#one-slots-0-starts_at").fill("10:15")
    page.locator("#one-slots-0-ends_at").fill("10:45")
    page.get_by_role("button", name="添加时段").click()
    expect(page.locator("#single .alert")).to_contain_text("时段重叠")
    expect(page.locator("#single .alert")).to_contain_text("与已有时段")
    expect(page.locator('#single [data-error-for="slots.0.ends_at"]')).to_be_empty()
    page.locator("#one-slots-0-starts_at").fill("14:00")
    page.locator("#one-slots-0-ends_at").fill("14:30")
    page.get_by_role("button", name="添加时段").click()
    page.locator("#announce").get_by_role("button", name="不发送").click()
    expect(rows).to_have_count(6)
    expect(rows.last).to_contain_text("14:00–14:30")
    expect(rows.last).to_contain_text("已公开")

    page.locator("#topbar").get_by_text("活动预约").click()  # the group's menu in the top bar
    page.locator("#topbar").get_by_role("link", name="预约").click()
    row = page.locator("#calendars-table tbody tr", has_text="十二月书记接待日")
    expect(row.locator("[data-kind]")).to_have_text("书记接待日")
    expect(row).to_contain_text("行政楼 301")
    expect(row).to_contain_text("张书记")


def test_staff_follow_bookings_cancel_for_a_member_move_and_cancel_slots(site, sign_in):
    day = beijing_day(4)
    calendar_id = site.make_calendar("一月书记接待日", location="行政楼 301", host="张书记")
    first, second, _ = site.make_slots(calendar_id, [(at(day, "09:00"), at(day, "09:30")),
                                                     (at(day, "09:30"), at(day, "10:00")),
                                                     (at(day, "10:00"), at(day, "10:30"))], capacity=2)
    chen = site.make_member("陈会员", department="机修车间")
    liu = site.make_member("刘会员", department="后勤保障部")
    site.book(chen, first, topic="食堂就餐排队时间太长")
    site.book(liu, second, topic="夜班交通补贴")

    page = sign_in()
    page.goto(f"/console/#/bookings/{calendar_id}/{day}")
    bookings = page.locator("#bookings-table tbody tr")
    expect(bookings).to_have_count(2)
    chen_row = bookings.filter(has_text="陈会员")
    expect(chen_row).to_contain_text("机修车间")
    expect(chen_row).to_contain_text("食堂就餐排队时间太长")
    expect(chen_row).to_contain_text("09:00–09:30")
    expect(slot_row(page, first).locator('[data-col="booked"]')).to_have_text("1 / 2")

    with page.expect_download() as info:
        page.get_by_role("button", name="导出 CSV").click()
    assert info.value.suggested_filename == f"一月书记接待日-预约名单-{day.replace('-', '')}.csv"
    csv_text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].endswith("想反映的问题")
    assert len(lines) == 3
    assert any("陈会员" in line and "机修车间" in line and "食堂就餐排队时间太长" in line for line in lines)

    # Cancel on the member's behalf: the seat opens again and the row says who cancelled.
    chen_row.get_by_role("button", name="代为取消").click()
    expect(page.locator("#confirm-body")).to_contain_text("陈会员")
    expect(page.locator("#confirm-body")).to_contain_text("系统会通知该会员")
    page.get_by_role("button", name="确认取消预约").click()
    expect(page.locator("#toast")).to_have_text("已为 陈会员 取消预约")
    expect(chen_row).to_contain_text("工会代取消")
    expect(chen_row.get_by_role("button", name="代为取消")).to_have_count(0)
    expect(slot_row(page, first).locator('[data-col="booked"]')).to_have_text("0 / 2")

    # Move Liu's slot: onto another slot is refused plainly, to the afternoon it goes.
    slot_row(page, second).get_by_role("button", name="调整时间").click()
    move = page.locator(".move-form")
    expect(move).to_contain_text("已预约的 1 名会员会收到时间变更通知")
    move.get_by_label("新的开始时间").fill(f"{day}T10:00")
    move.get_by_label("新的结束时间").fill(f"{day}T10:30")
    move.get_by_role("button", name="保存").click()
    expect(move.locator(".alert")).to_contain_text("时段重叠")
    move.get_by_label("新的开始时间").fill(f"{day}T15:00")
    move.get_by_label("新的结束时间").fill(f"{day}T15:30")
    move.get_by_role("button", name="保存").click()
    expect(page.locator("#toast")).to_contain_text("已通知预约会员")
    expect(slot_row(page, second)).to_contain_text("15:00–15:30")
    expect(page.locator("#slots-table tbody tr").last).to_contain_text("15:00–15:30")
    expect(bookings.filter(has_text="刘会员")).to_contain_text("15:00–15:30")

    # Cancel the slot: its booking goes with it.
    slot_row(page, second).get_by_role("button", name="取消时段").click()
    expect(page.locator("#confirm-body")).to_contain_text("已预约的 1 名会员的预约将一并取消，系统会通知他们")
    page.get_by_role("button", name="确认取消时段").click()
    expect(slot_row(page, second)).to_have_attribute("data-status", "cancelled")
    expect(slot_row(page, second)).to_contain_text("已取消")
    expect(slot_row(page, second).get_by_role("button")).to_have_count(0)
    expect(bookings.filter(has_text="刘会员")).to_have_attribute("data-status", "cancelled")


def test_day_bookings_table_keeps_its_columns_and_names_on_one_line(site, sign_in):
    """The actions column has its header cell (the header row spans the table), and a two-character name
    or a department is not squeezed into one character per line by a long topic."""
    day = beijing_day(9)
    cal = site.make_calendar("版式接待日", host="周主席")
    [slot] = site.make_slots(cal, [(at(day, "14:00"), at(day, "14:30"))])
    site.book(site.make_member("吴敏", department="质量部"), slot,
              topic="车间夜班休息室空调老旧，夏天很难休息，希望更换。还想反映一下倒班职工的通勤班车时间问题。" * 2)
    page = sign_in()
    page.goto(f"/console/#/bookings/{cal}/{day}")
    table = page.locator("#bookings-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    assert table.locator("thead th").count() == table.locator("tbody tr").first.locator("td").count()
    for text in ("吴敏", "质量部"):
        cell = table.locator("td", has_text=text)
        lines = cell.evaluate("td => { const r = document.createRange(); r.selectNodeContents(td);"
                              " return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; }")
        assert lines == 1, f"{text} wraps over {lines} lines"
