"""The working-day calendar in the staff console, in a real browser against the real app: an admin sets a day
and resets it, is warned by the banner while next year is not entered and sees it go once a CSV for that year
is uploaded (a bad file first, refused whole with its lines); staff read the calendar without editing.

The server's clock (time-machine) and the browser's (Playwright) are both set to 3 December 2026, when the
package knows 2026 and nobody knows 2027."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

ADMIN = ("W0001", "admin-secret-w")
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # Thursday, 10:00 in Beijing


@pytest.fixture(scope="module")
def admin(site):
    return site.make_member("钱管理", roles=("member", "admin"), password=ADMIN[1], employee_no=ADMIN[0],
                            department="工会办公室")


@pytest.fixture
def december(page):
    import time_machine

    page.clock.install(time=NOW)
    with time_machine.travel(NOW, tick=True):
        yield page


def sign_in_admin(sign_in):
    page = sign_in(*ADMIN)
    expect(page.locator("#events-table, .empty")).to_be_visible()
    return page


def day(page, iso):
    return page.locator(f"#workday-year-grid [data-date='{iso}']")


def test_an_admin_sets_a_day_sees_it_change_and_resets_it(site, sign_in, admin, december):
    page = sign_in_admin(sign_in)
    page.locator("#topbar").get_by_role("link", name="工作日历").click()
    expect(page.locator("#topbar [data-nav=workdays]")).to_have_class(re.compile("active"))
    expect(page.locator("#workday-year")).to_have_text("2026")
    expect(page.locator("#year-status")).to_have_attribute("data-known", "true")
    # The package's National Day and its make-up Saturday.
    expect(day(page, "2026-10-01")).to_have_attribute("data-kind", "holiday")
    expect(day(page, "2026-10-01")).to_have_attribute("data-source", "package")
    expect(day(page, "2026-10-10")).to_have_attribute("data-kind", "makeup")
    expect(day(page, "2026-10-11")).to_have_attribute("data-kind", "weekend")
    expect(day(page, "2026-10-09")).to_have_attribute("data-kind", "workday")

    day(page, "2026-10-09").click()
    expect(page.locator("#day-title")).to_have_text("2026-10-09（周五）")
    expect(page.locator("#day-source")).to_have_text("国务院安排")
    page.get_by_label("休息（节假日）").check()
    page.get_by_label("名称（可选）").fill("厂休")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#toast")).to_have_text("已保存")
    expect(day(page, "2026-10-09")).to_have_attribute("data-kind", "holiday")
    expect(day(page, "2026-10-09")).to_have_attribute("data-source", "admin")
    expect(page.locator("#day-kind")).to_have_text("节假日：厂休")
    expect(page.locator("#day-source")).to_have_text("管理员录入")

    # Reloaded from the server, the day is still the admin's.
    page.reload()
    expect(day(page, "2026-10-09")).to_have_attribute("data-source", "admin")
    day(page, "2026-10-09").click()
    page.get_by_role("button", name="恢复默认").click()
    expect(page.locator("#toast")).to_have_text("已恢复默认")
    expect(day(page, "2026-10-09")).to_have_attribute("data-kind", "workday")
    expect(day(page, "2026-10-09")).to_have_attribute("data-source", "package")
    expect(page.locator("#day-reset")).to_have_count(0)


def test_staff_read_the_calendar_without_editing_and_see_no_banner(site, sign_in, december):
    page = sign_in()
    page.goto("/console/#/workdays/2026")
    expect(day(page, "2026-10-01")).to_have_attribute("data-kind", "holiday")
    day(page, "2026-10-01").click()
    expect(page.locator("#day-kind")).to_have_text("节假日：国庆节")
    expect(page.locator("#day-form")).to_have_count(0)
    expect(page.locator("#workday-import")).to_have_count(0)
    expect(page.locator("#workday-banner")).to_be_hidden()


def test_the_banner_warns_until_next_year_is_uploaded(site, sign_in, admin, december, tmp_path):
    page = sign_in_admin(sign_in)
    banner = page.locator("#workday-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("2027 年的节假日安排尚未录入，工作日按周一至周五计算。")
    banner.get_by_role("link", name="去录入").click()
    expect(page.locator("#workday-year")).to_have_text("2027")
    expect(page.locator("#year-status")).to_have_attribute("data-known", "false")
    expect(day(page, "2027-01-01")).to_have_attribute("data-source", "fallback")

    bad = tmp_path / "2027-bad.csv"
    bad.write_text("date,workday,name\n2027-01-01,0,元旦\n2027-02-30,0,春节\n2027-02-06,maybe,春节调休\n",
                   encoding="utf-8")
    page.get_by_label("安排文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#workday-import")).to_contain_text("文件有 2 处错误，未导入任何一行")
    rows = page.locator("#workday-import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-line", "3")
    expect(rows.nth(1)).to_contain_text("workday：应为 1/0、true/false 或 是/否")
    expect(banner).to_be_visible()  # nothing was stored
    expect(day(page, "2027-01-01")).to_have_attribute("data-source", "fallback")

    good = tmp_path / "2027.csv"
    good.write_text("date,workday,name\n2027-01-01,0,元旦\n2027-02-06,1,春节调休\n2027-02-10,0,春节\n",
                    encoding="utf-8")
    page.get_by_label("安排文件").set_input_files(str(good))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#workday-import-report")).to_contain_text("已导入 2027 年共 3 天")
    expect(banner).to_be_hidden()
    expect(page.locator("#year-status")).to_have_attribute("data-known", "true")
    expect(day(page, "2027-01-01")).to_have_attribute("data-kind", "holiday")
    expect(day(page, "2027-02-06")).to_have_attribute("data-kind", "makeup")
    expect(day(page, "2027-02-06")).to_have_attribute("data-source", "admin")
    # Elsewhere in the console, too, the banner stays away.
    page.locator("#topbar").get_by_role("link", name="通知").click()
    expect(page.locator("#topbar [data-nav=notices]")).to_have_class(re.compile("active"))
    expect(banner).to_be_hidden()
