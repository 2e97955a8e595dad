"""The union fund ledger in the staff console, in a real browser against the real app: an admin enters an
expense typed in yuan (exact to the fen) with a real PDF invoice; above the threshold it waits, the same
admin's approval is refused in Chinese, another admin approves it from the queue; last month is published
after a confirmation, its hash shown and the chain check green; an edit of the sealed month is refused in
Chinese (409 month_published), a reversal is entered in the open month; a tampered amount turns the check red
naming the month; the audit trail shows the change as a diff. A treasurer without a staff role signs in and
sees the 经费 section only."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import text

from server.core.extensions import db
from server.core.timeutil import SHANGHAI, utcnow
from server.fund import chart, services
from server.fund.chain import ATTACH_KIND
from server.fund.models import FundEntry, FundMonth
from server.uploads.models import Upload

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

ADMIN_A = ("F0001", "fund-admin-a-1")
ADMIN_B = ("F0002", "fund-admin-b-1")
TREASURER = ("F0003", "fund-treasurer-1")


@pytest.fixture(scope="module")
def people(site):
    with site.app.app_context():
        chart.ensure_chart()
        db.session.commit()
    return {
        "a": site.make_member("管理员甲", roles=("member", "admin"), password=ADMIN_A[1], employee_no=ADMIN_A[0],
                              department="工会办公室"),
        "b": site.make_member("管理员乙", roles=("member", "admin"), password=ADMIN_B[1], employee_no=ADMIN_B[0],
                              department="工会办公室"),
        "t": site.make_member("会计丙", roles=("member", "treasurer"), password=TREASURER[1],
                              employee_no=TREASURER[0], department="财务部"),
    }


def _pdf(path) -> str:
    Image.new("RGB", (120, 80), (250, 250, 250)).save(path, "PDF")
    return str(path)


def _months():
    today = utcnow().astimezone(SHANGHAI).date()
    last = today.replace(day=1) - timedelta(days=1)
    return today, last


def sign_in_as(page, account):
    page.goto("/console/#/fund")
    page.get_by_label("工号").fill(account[0])
    page.get_by_label("密码").fill(account[1])
    page.get_by_role("button", name="登录").click()


def test_an_entry_from_invoice_to_publication(page, site, people, tmp_path):
    today, last = _months()
    last_month = last.strftime("%Y-%m")
    sign_in_as(page, ADMIN_A)
    expect(page.locator(".fund-tabs")).to_be_visible()

    # A new expense in last month: 6,000.29 yuan, above the 5,000-yuan threshold, with a PDF invoice.
    page.locator("#new-entry").click()
    page.get_by_label("日期").fill(last.replace(day=10).isoformat())
    page.get_by_label("类型").select_option("expense")
    page.get_by_label("科目").select_option("501")
    # A malformed amount is refused beside the field before anything is sent.
    page.get_by_label("金额（元）").fill("12.345")
    page.get_by_label("对方单位/个人").fill("市体育馆")
    page.get_by_role("button", name="录入", exact=True).click()
    expect(page.locator('[data-error-for="amount_fen"]')).to_contain_text("最多两位小数")
    page.get_by_label("金额（元）").fill("6,000.29")
    page.get_by_label("摘要").fill("职工运动会场地租金")
    page.locator("#entry-attachments").set_input_files(_pdf(tmp_path / "invoice.pdf"))
    page.get_by_role("button", name="录入", exact=True).click()
    expect(page.locator("#entry-title [data-status]")).to_have_attribute("data-status", "pending")
    expect(page.locator("#entry-amount")).to_have_attribute("data-fen", "600029")
    expect(page.locator("#entry-amount")).to_contain_text("¥6,000.29")
    expect(page.locator("#entry-invoices .invoice")).to_have_count(1)
    entry_id = int(page.url.rsplit("/", 1)[1])
    with site.app.app_context():
        entry = db.session.get(FundEntry, entry_id)
        assert entry.amount_fen == 600029 and entry.status == "pending"
        upload = db.session.scalar(db.select(Upload).filter_by(attached_kind=ATTACH_KIND, attached_id=entry_id))
        assert upload.content_type == "application/pdf"
    # The invoice downloads as the PDF it was.
    with page.expect_download() as info:
        page.locator("#entry-invoices .invoice").click()
    assert info.value.path().read_bytes()[:5] == b"%PDF-"

    # 0.29 yuan is 29 fen (a float would make it 28.999…): a small income in the same month, approved at once.
    page.goto("/console/#/fund/entries/new")
    page.get_by_label("日期").fill(last.replace(day=12).isoformat())
    page.get_by_label("类型").select_option("income")
    page.get_by_label("科目").select_option("401")
    page.get_by_label("金额（元）").fill("0.29")
    page.get_by_label("对方单位/个人").fill("机修车间")
    page.get_by_role("button", name="录入", exact=True).click()
    expect(page.locator("#entry-title [data-status]")).to_have_attribute("data-status", "approved")
    expect(page.locator("#entry-amount")).to_have_attribute("data-fen", "29")

    # The same admin may not approve their own entry: said in Chinese.
    page.goto(f"/console/#/fund/entries/{entry_id}")
    page.locator("#approve-entry").click()
    expect(page.locator("#entry-message")).to_contain_text("不能审批自己录入或修改的分录")
    expect(page.locator("#entry-title [data-status]")).to_have_attribute("data-status", "pending")

    # The month's list: exact totals, and filters.
    page.goto(f"/console/#/fund/entries/{last_month}")
    expect(page.locator("#fund-entries tbody tr")).to_have_count(2)
    expect(page.locator('[data-total="income"]')).to_have_attribute("data-fen", "29")
    expect(page.locator('[data-total="expense"]')).to_have_attribute("data-fen", "0")
    expect(page.locator("#fund-totals")).to_contain_text("另有 1 条待审批，¥6,000.29")
    page.locator("#fund-status").select_option("pending")
    expect(page.locator("#fund-entries tbody tr")).to_have_count(1)

    # Publication is refused while the entry waits, in Chinese.
    page.goto("/console/#/fund/months")
    page.locator("#publish-month").fill(last_month)
    page.get_by_role("button", name="公开", exact=True).click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#publish-form .form-message")).to_contain_text("待审批")

    # Another admin approves it from the queue.
    page.locator("#sign-out").click()
    sign_in_as(page, ADMIN_B)
    page.goto("/console/#/fund/approvals")
    row = page.locator(f'#approval-queue tr[data-entry-id="{entry_id}"]')
    expect(row).to_contain_text("¥6,000.29")
    row.locator(".approve").click()
    expect(page.locator("#approval-queue")).to_have_count(0)
    with site.app.app_context():
        assert db.session.get(FundEntry, entry_id).status == "approved"

    # Publish last month: asked first; "再想想" publishes nothing.
    page.goto("/console/#/fund/months")
    page.locator("#publish-month").fill(last_month)
    page.get_by_role("button", name="公开", exact=True).click()
    expect(page.locator("#confirm-title")).to_contain_text(last_month)
    page.get_by_role("button", name="再想想").click()
    expect(page.locator("#fund-months")).to_have_count(0)
    page.get_by_role("button", name="公开", exact=True).click()
    page.locator("#confirm-ok").click()
    row = page.locator(f'#fund-months tr[data-month="{last_month}"]')
    expect(row).to_be_visible()
    with site.app.app_context():
        sealed = db.session.get(FundMonth, last_month)
        assert (sealed.income_fen, sealed.expense_fen) == (29, 600029)
    expect(row.locator(".hash")).to_have_text(sealed.hash)
    expect(row.locator(".prev-hash")).to_contain_text("首个公开月份")
    expect(row).to_contain_text("-¥6,000.00")  # 0.29 - 6,000.29
    expect(page.locator("#fund-verify")).to_have_attribute("data-ok", "true")
    # Again: 409 month_published, in Chinese.
    page.get_by_role("button", name="公开", exact=True).click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#publish-form .form-message")).to_contain_text("已公开")
    with page.expect_download() as info:
        row.locator(".statement").click()
    assert info.value.path().read_bytes()[:4] == b"%PDF"

    # The sealed entry offers a reversal only; the reversal goes into this month.
    page.goto(f"/console/#/fund/entries/{entry_id}")
    expect(page.locator("#entry-sealed")).to_be_visible()
    expect(page.locator("#edit-form")).to_have_count(0)
    page.locator("#reverse-entry").click()
    expect(page.get_by_label("金额（元）")).to_have_value("6000.29")
    page.get_by_label("金额（元）").fill("1000")
    page.get_by_role("button", name="录入冲销").click()
    expect(page.locator("#entry-amount")).to_have_attribute("data-fen", "100000")
    reversal_id = int(page.url.rsplit("/", 1)[1])
    with site.app.app_context():
        reversal = db.session.get(FundEntry, reversal_id)
        assert (reversal.reverses, reversal.date) == (entry_id, today)
        assert db.session.get(FundEntry, entry_id).reversed_fen == 100000

    # A page opened before its month was sealed: the edit is refused with 409 month_published, in Chinese.
    page.goto("/console/#/fund/entries/new")
    page.get_by_label("日期").fill(today.isoformat())
    page.get_by_label("科目").select_option("503")
    page.get_by_label("金额（元）").fill("88.8")
    page.get_by_label("对方单位/个人").fill("文具店")
    page.get_by_role("button", name="录入", exact=True).click()
    expect(page.locator("#entry-amount")).to_have_attribute("data-fen", "8880")
    open_id = int(page.url.rsplit("/", 1)[1])
    with site.app.app_context():
        # As if this month had ended and been published meanwhile (the service's refusal is what is tested).
        db.session.get(FundEntry, open_id).date = last.replace(day=20)
        db.session.commit()
    page.get_by_label("摘要").fill("改一改")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#entry-message")).to_contain_text("已公开")
    expect(page.locator("#entry-sealed")).to_be_visible()

    # A stored amount changed behind the ledger's back: the check names the month.
    with site.app.app_context():
        db.session.execute(text("UPDATE fund_entries SET amount_fen = amount_fen + 1 WHERE id = :i"), {"i": entry_id})
        db.session.commit()
    try:
        page.goto("/console/#/fund/months")
        expect(page.locator("#fund-verify")).to_have_attribute("data-ok", "false")
        expect(page.locator("#fund-verify")).to_have_attribute("data-broken-at", last_month)
        expect(page.locator("#fund-verify")).to_contain_text("账链断裂")
    finally:
        with site.app.app_context():
            db.session.execute(text("UPDATE fund_entries SET amount_fen = amount_fen - 1 WHERE id = :i"),
                               {"i": entry_id})
            db.session.get(FundEntry, open_id).date = today
            db.session.commit()
    page.locator("#verify-again").click()
    expect(page.locator("#fund-verify")).to_have_attribute("data-ok", "true")

    # The audit trail: the approval as a before → after diff of the status.
    page.goto("/console/#/fund/audit")
    page.locator("#audit-entity").select_option("fund_entry")
    page.locator("#audit-entity-id").fill(str(entry_id))
    page.locator("#audit-entity-id").press("Enter")
    approved = page.locator('#audit-trail tr[data-action="approve"]')
    expect(approved).to_have_count(1)
    expect(approved.locator('li[data-key="status"]')).to_have_text("状态：待审批 → 已入账")
    expect(approved).to_contain_text("管理员乙")

    # The budget: 8,000 yuan for 职工活动支出, against the actual 5,000.29 (6,000.29 less the 1,000 reversal).
    page.goto(f"/console/#/fund/budgets/{last.year}")
    page.locator('[name="budget.501"]').fill("8000")
    page.get_by_role("button", name="保存预算").click()
    budget_row = page.locator('#fund-budgets tr[data-category="501"]')
    expect(budget_row.locator(".rate .progress")).to_be_visible()  # a rate only once the budget is saved
    expected_actual = 500029 if last.year == today.year else 600029
    expect(budget_row.locator("[data-fen]")).to_have_attribute("data-fen", str(expected_actual))
    with site.app.app_context():
        line = next(x for x in services.budget_report(last.year, published_only=False) if x["category"] == "501")
        assert line["budget_fen"] == 800000
    expect(budget_row.locator(".rate")).to_contain_text(f"{line['rate']}%")


def test_a_treasurer_signs_in_to_the_fund_section_only(page, site, people):
    sign_in_as(page, TREASURER)
    expect(page).to_have_url(re.compile(r"#/fund$"))
    expect(page.locator(".fund-tabs")).to_be_visible()
    visible = page.locator(".topnav a:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_have_text("经费")
    # Admins' tabs are not shown; the entries list is.
    expect(page.locator('.fund-tabs [data-tab="approvals"]')).to_have_count(0)
    expect(page.locator('.fund-tabs [data-tab="entries"]')).to_be_visible()
    # Any other section sends the treasurer back to 经费.
    page.goto("/console/#/events")
    expect(page).to_have_url(re.compile(r"#/fund$"))
    expect(page.locator(".fund-tabs")).to_be_visible()
    # A treasurer enters entries (and may not approve: no approval form is offered).
    page.locator("#new-entry").click()
    page.get_by_label("科目").select_option("503")
    page.get_by_label("金额（元）").fill("12")
    page.get_by_label("对方单位/个人").fill("打印店")
    page.get_by_role("button", name="录入", exact=True).click()
    expect(page.locator("#entry-amount")).to_have_attribute("data-fen", "1200")
    expect(page.locator("#approve-entry")).to_have_count(0)


def test_a_plain_member_is_still_refused(page, site):
    from .conftest import PLAIN

    sign_in_as(page, PLAIN)
    expect(page.locator(".login-card .alert")).to_contain_text("没有管理后台权限")
