"""Reception days in the staff console, in a real browser against the real app: generating slots asks
whether to tell the members (how many, by which channel) and sends only when the secretary says so; the
calendar opens on the next day with slots, with a month overview of slots and bookings."""
from __future__ import annotations

import re

import pytest

from tests.console.test_bookings import at, beijing_day

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

SECRETARY = ("SEC02", "secretary-secret-2")


class FakeProvider:
    """The fake SMS server, and delivery workers that send to it: what reached it is counted on its side."""

    def __init__(self, site):
        from scripts.fake_sms import FakeSms

        self.site = site
        site.run_worker()  # whatever other tests left due goes to the console provider, not here
        self.fake = FakeSms().start()
        self.fake.templates[site.app.config["SMS_NOTICE_TEMPLATE_ID"]] = self.fake.templates["2001"]

    def deliver(self) -> int:
        from notifications.sms import TencentSms
        from scripts.fake_sms import DEFAULT_SDK_APP_ID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY

        return self.site.run_worker(TencentSms(secret_id=DEFAULT_SECRET_ID, secret_key=DEFAULT_SECRET_KEY,
                                               sdk_app_id=DEFAULT_SDK_APP_ID, sign_name=self.fake.sign_name,
                                               base_url=self.fake.base_url, timeout=2))

    def phones(self) -> list[str]:
        return [s.phone for s in self.fake.sent]

    def stop(self):
        self.fake.stop()


@pytest.fixture
def provider(site):
    p = FakeProvider(site)
    yield p
    p.stop()


@pytest.fixture
def secretary(site):
    from server.core.extensions import db
    from server.members.models import Member

    with site.app.app_context():
        known = db.session.scalar(db.select(Member.id).filter_by(employee_no=SECRETARY[0]))
        db.session.rollback()
    if known is None:
        site.make_member("钱书记", roles=("member", "secretary"), password=SECRETARY[1],
                         employee_no=SECRETARY[0], department="工会办公室")
    return SECRETARY


def open_calendar(page, sign_in, who, cal: int, day: str):
    page = sign_in(*who)
    expect(page.locator("#topbar")).to_be_visible()  # signed in before the address changes
    page.goto(f"/console/#/bookings/{cal}/{day}")
    expect(page.locator("#calendar-title")).to_be_visible()
    return page


def generate(page, day: str, start: str, end: str):
    page.locator("#gen-generate-date").fill(day)
    page.locator("#gen-generate-start").fill(start)
    page.locator("#gen-generate-end").fill(end)
    page.get_by_role("button", name="生成时段").click()


def phone_of(site, member_id: int) -> str:
    with site.app.app_context():
        from server.core.extensions import db
        from server.members.models import Member

        return db.session.get(Member, member_id).phone


def test_secretary_sees_whom_an_announcement_reaches_and_chooses_not_to_send_then_to_send(
        site, page, sign_in, provider, secretary):
    # The calendar is for one workshop: three members, one without a phone.
    ids = [site.make_member(n, department="热处理车间") for n in ("孙工", "周工")]
    site.make_member("吴工", department="热处理车间", phone=None)
    cal = site.make_calendar("热处理车间书记接待日", audience={"departments": ["热处理车间"]}, host="钱书记")
    day = beijing_day(6)
    page = open_calendar(page, sign_in, secretary, cal, day)

    generate(page, day, "09:00", "10:00")
    dialog = page.locator("#announce")
    expect(dialog).to_be_visible()
    expect(page.locator("#announce-summary")).to_contain_text("部门：热处理车间”的 3 名会员")
    expect(page.locator("#announce-summary")).to_contain_text("小程序推送 0 人，短信 2 人")
    expect(page.locator("#announce-summary")).to_contain_text("1 人无法送达")
    dialog.get_by_role("button", name="不发送").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#toast")).to_contain_text("未发送通知")
    expect(page.locator("#slots-table tbody tr")).to_have_count(2)
    provider.deliver()
    assert provider.phones() == []  # nothing reached the SMS provider

    # Later the same day, from the day's slots: this time it goes out now.
    page.get_by_role("button", name="通知会员").click()
    expect(page.locator("#announce-summary")).to_contain_text("3 名会员")
    dialog.get_by_role("button", name="现在发送").click()
    expect(page.locator("#toast")).to_have_text("已向 3 名会员发送开放预约通知")
    expect(dialog).to_be_hidden()
    provider.deliver()
    # one SMS each to the two with a phone (the provider takes numbers as +86…)
    assert sorted(p[-11:] for p in provider.phones()) == sorted(phone_of(site, i) for i in ids)


def test_announcement_can_be_scheduled_for_later(site, page, sign_in, provider, secretary):
    site.make_member("郑工", department="锻压车间")
    cal = site.make_calendar("锻压车间书记接待日", audience={"departments": ["锻压车间"]})
    day, eve = beijing_day(8), beijing_day(2)
    page = open_calendar(page, sign_in, secretary, cal, day)
    generate(page, day, "14:00", "14:30")
    dialog = page.locator("#announce")
    dialog.get_by_role("button", name="定时发送").click()
    expect(dialog.locator(".alert")).to_have_text("请填写定时发送的时间")
    dialog.get_by_label("定时发送（北京时间）").fill(f"{eve}T09:00")
    dialog.get_by_role("button", name="定时发送").click()
    expect(page.locator("#toast")).to_have_text(f"开放预约通知定于 {eve} 09:00 发送给 1 名会员")
    provider.deliver()
    assert provider.phones() == []  # not yet


def test_calendar_opens_on_the_next_day_with_slots_and_shows_the_month(site, sign_in):
    cal = site.make_calendar("体检预约", kind="health_check", location="职工医院")
    first, second = beijing_day(9), beijing_day(11)
    a, _ = site.make_slots(cal, [(at(first, "08:00"), at(first, "08:30")), (at(first, "08:30"), at(first, "09:00"))],
                           capacity=2)
    site.make_slots(cal, [(at(second, "08:00"), at(second, "08:30"))], capacity=3)
    site.book(site.make_member("冯会员"), a)

    page = sign_in()
    page.goto(f"/console/#/bookings/{cal}")
    expect(page).to_have_url(re.compile(rf"#/bookings/{cal}/{first}$"))
    expect(page.locator("#day")).to_have_value(first)
    expect(page.locator("#slots-table tbody tr")).to_have_count(2)
    expect(page.locator("#next-day")).to_have_text(first)

    # The month overview: the day with a booking, the day with slots only, a day without.
    month = page.locator("#month")
    y, m = first[:4], int(first[5:7])
    if second[:7] == first[:7]:
        expect(page.locator("#month-title")).to_have_text(f"{y} 年 {m} 月")
        expect(month.locator(f'[data-date="{second}"]')).to_have_class(re.compile("has-slots"))
        expect(month.locator(f'[data-date="{second}"]')).to_contain_text("0/3")
    booked_day = month.locator(f'[data-date="{first}"]')
    expect(booked_day).to_have_class(re.compile("has-bookings"))
    expect(booked_day).to_have_class(re.compile("is-selected"))
    expect(booked_day).to_contain_text("1/4")
    expect(booked_day).to_have_attribute("title", f"{first}：2 个时段，已约 1 / 4")

    # Another month and back; a click on a day opens it.
    page.get_by_role("button", name="下个月").click()
    expect(month.locator(f'[data-date="{first}"]')).to_have_count(0)
    page.get_by_role("button", name="上个月").click()
    if second[:7] != first[:7]:
        page.get_by_role("button", name="下个月").click()
    month.locator(f'[data-date="{second}"]').click()
    expect(page).to_have_url(re.compile(rf"#/bookings/{cal}/{second}$"))
    expect(page.locator("#slots-table tbody tr")).to_have_count(1)
    expect(page.locator("#slots-table tbody tr").first).to_contain_text("08:00–08:30")
