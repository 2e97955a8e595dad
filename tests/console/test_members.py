"""Members in the staff console, in a real browser against the real app: staff search and open a member
(read-only, full phone); an admin edits, uploads a roster with a bad row and reads the per-row report,
resets a console password, and reads the log of who was shown whose phone."""
from __future__ import annotations

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

ADMIN = ("A0001", "admin-secret-1")


@pytest.fixture(scope="module")
def admin(site):
    return site.make_member("赵管理", roles=("member", "admin"), password=ADMIN[1], employee_no=ADMIN[0],
                            department="工会办公室")


def sign_in_admin(sign_in):
    page = sign_in(*ADMIN)
    expect(page.locator("#events-table, .empty")).to_be_visible()
    return page


def test_staff_search_open_a_member_and_cannot_edit(site, sign_in):
    site.make_member("敖广甲", department="机修车间", employee_no="MS100", phone="13811112222")
    site.make_member("敖广乙", department="质检部", employee_no="MS101")
    wid = site.make_member("周若水", department="机修车间", employee_no="MS102")
    site.make_event("安全培训", registrants=[wid])

    page = sign_in()
    page.locator("#topbar").get_by_role("link", name="会员").click()
    expect(page.locator("#topbar [data-nav=members]")).to_have_class(re.compile("active"))
    rows = page.locator("#members-table tbody tr")
    page.get_by_label("姓名、工号或手机号").fill("敖广")
    page.get_by_role("button", name="查找").click()
    expect(rows).to_have_count(2)
    page.get_by_label("部门").fill("机修车间")
    page.get_by_role("button", name="查找").click()
    expect(rows).to_have_count(1)
    expect(rows.first.locator("[data-phone]")).to_have_text("13811112222")  # staff see the full number

    page.get_by_label("姓名、工号或手机号").fill("MS102")
    page.get_by_role("button", name="查找").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="周若水").click()
    expect(page).to_have_url(re.compile(rf"#/members/{wid}$"))
    expect(page.locator("#member-name")).to_have_text("周若水")
    expect(page.locator("#member-department")).to_have_text("机修车间")
    expect(page.locator("#member-registrations")).to_contain_text("安全培训")
    expect(page.locator("#member-registrations")).to_contain_text("已报名")
    # Staff read; only admins edit, reset passwords, upload rosters or read the phone log.
    expect(page.locator("#member-readonly")).to_be_visible()
    expect(page.locator("#member-edit")).to_have_count(0)
    expect(page.locator("#reset-password")).to_have_count(0)
    page.get_by_role("link", name="‹ 返回会员列表").click()
    expect(page.locator("#roster-import")).to_have_count(0)
    expect(page.locator("#phone-access-link")).to_have_count(0)


def test_admin_edits_a_member_and_a_bad_phone_is_marked(site, sign_in, admin):
    mid = site.make_member("钱多多", department="财务部", employee_no="ME200")
    page = sign_in_admin(sign_in)
    page.goto(f"/console/#/members/{mid}")
    expect(page.locator("#member-name")).to_have_text("钱多多")
    edit = page.locator("#member-edit")
    edit.get_by_label("手机号").fill("12345")
    edit.get_by_role("button", name="保存").click()
    expect(edit.locator('[data-error-for="phone"]')).to_contain_text("手机号格式不正确")

    edit.get_by_label("手机号").fill("139-0000-7777")
    edit.get_by_label("部门", exact=True).fill("工会办公室")
    edit.get_by_label("网格", exact=True).fill("第三网格")
    edit.get_by_label("标签").fill("青年，党员")
    edit.get_by_label("网格联络员").check()
    edit.get_by_role("button", name="保存").click()
    expect(page.locator("#toast")).to_have_text("已保存")
    expect(page.locator("#member-phone")).to_have_text("13900007777")
    expect(page.locator("#member-department")).to_have_text("工会办公室")
    expect(page.locator("#member-grid")).to_have_text("第三网格")
    expect(page.locator("#member-tags")).to_have_text("党员、青年")
    expect(page.locator("#member-roles")).to_contain_text("网格联络员")


def test_admin_uploads_a_roster_and_reads_the_rejected_rows(site, sign_in, admin, tmp_path):
    roster = tmp_path / "名册.csv"
    roster.write_text("工号,姓名,手机号,部门,网格,角色,标签\n"
                      "UP001,吴用,13700001111,后勤处,,,\n"
                      "UP002,卢俊义,1370000,后勤处,,,\n"
                      "UP003,公孙胜,13700003333,后勤处,,干事,\n", encoding="utf-8")
    page = sign_in_admin(sign_in)
    page.locator("#topbar").get_by_role("link", name="会员").click()
    page.get_by_label("名册文件").set_input_files(str(roster))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#roster-report")).to_be_visible()
    expect(page.locator("#report-created")).to_have_text("2")
    expect(page.locator("#report-rejected")).to_have_text("1")
    bad = page.locator("#roster-rejected tbody tr")
    expect(bad).to_have_count(1)
    expect(bad.first).to_contain_text("3")
    expect(bad.first).to_contain_text("UP002")
    expect(bad.first).to_contain_text("手机号格式不正确")
    expect(page.locator("#toast")).to_have_text("名册已导入")
    # The imported members are on the roster, found by the list below.
    page.get_by_label("姓名、工号或手机号").fill("公孙胜")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("#members-table tbody tr")).to_have_count(1)
    expect(page.locator("#members-table tbody tr").first).to_contain_text("工会干事")


def test_upload_progress_bar_appears(site, sign_in, admin, tmp_path):
    # A file large enough that the upload takes several progress events.
    lines = ["employee_no,name,phone,department,grid,roles,tags"]
    lines += [f"PB{i:05d},进度{i},,后勤处,,,{'x' * 40}" for i in range(8000)]
    roster = tmp_path / "big.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = sign_in_admin(sign_in)
    page.goto("/console/#/members")
    page.get_by_label("名册文件").set_input_files(str(roster))
    page.get_by_role("button", name="上传并导入").click()
    # The bar stands while the file goes up and the server imports 8,000 rows; then the report replaces it.
    # (How far it has moved at a given moment depends on the machine, so only its presence is asserted.)
    expect(page.locator("#roster-progress")).to_be_visible()
    expect(page.locator("#report-created")).to_have_text("8000", timeout=30_000)
    expect(page.locator("#roster-progress")).to_have_count(0)


def test_admin_resets_a_password_that_then_signs_in(site, sign_in, admin, browser):
    mid = site.make_member("郑秘书", roles=("member", "staff"), employee_no="PR300", password="old-password-1")
    page = sign_in_admin(sign_in)
    page.goto(f"/console/#/members/{mid}")
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator("#confirm-body")).to_contain_text("郑秘书")
    page.locator("#confirm-ok").click()
    new = page.locator("#new-password")
    expect(new).to_be_visible()
    password = new.inner_text()
    assert len(password) >= 8

    other = browser.new_context(base_url=site.url, locale="zh-CN")
    p2 = other.new_page()
    p2.goto("/console/#/events")  # signed in, it returns to the events list
    p2.get_by_label("工号").fill("PR300")
    p2.get_by_label("密码").fill("old-password-1")
    p2.get_by_role("button", name="登录").click()
    expect(p2.locator(".alert")).to_be_visible()
    p2.get_by_label("密码").fill(password)
    p2.get_by_role("button", name="登录").click()
    expect(p2.locator("#events-table, .empty")).to_be_visible()
    other.close()


def test_admin_reads_who_saw_whose_phone(site, sign_in, admin, browser):
    mid = site.make_member("冯看号", employee_no="PA400", department="质检部")
    page = sign_in()  # staff open the member: their view of the phone is logged
    page.goto(f"/console/#/members/{mid}")
    expect(page.locator("#member-phone")).to_have_text(re.compile(r"^1\d{10}$"))
    page.locator("#sign-out").click()

    page = sign_in_admin(sign_in)
    page.goto("/console/#/members/phone-access")
    # Newest first: the staff member's view of that member's page.
    first = page.locator("#phone-access-table tbody tr").first
    expect(first).to_contain_text("王主任")
    expect(first).to_contain_text("冯看号")
    expect(first).to_contain_text("PA400")
    expect(first).to_contain_text("质检部")
    expect(first).to_contain_text("GET /api/v1/members/<int:member_id>")
    # The list itself leads there too, for admins.
    page.get_by_role("link", name="‹ 返回会员列表").click()
    page.get_by_role("link", name="手机号查看记录").click()
    expect(page).to_have_url(re.compile(r"#/members/phone-access$"))
    expect(page.locator("#phone-access-table tbody tr").first).to_contain_text("赵管理")
