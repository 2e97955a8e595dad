"""Hardship aid cases in the staff console, in a real browser against the real app: staff register a case for a
member and take it (a second one of the same kind refused with the way to the first), assess the household, upload
a real PDF and download it byte for byte; the handler approves, the case is found in the list by its stage, another
staff member is told it does not exist; the chair sends it back once, the handler approves again and the chair
approves; a money grant shows its fund ledger entry with that entry's status (the ledger naming the case by number
only); a visit is recorded and the case closed; the chair reads who opened it and who downloaded the document. A
chair who made the handler's step of a round is shown the four-eyes rule instead of the chair's form."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.core.extensions import db
from server.fund.chart import ensure_chart
from server.fund.models import FundEntry

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

CHAIR = ("CHAIR1", "chair-secret-1")
OTHER_STAFF = ("STAFF9", "staff-secret-9")


def _pdf(path) -> str:
    """A small real PDF (one page, one line of text)."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Diagnosis certificate")
    c.save()
    return str(path)


def person(site, name: str, employee_no: str, roles=("member",), password: str | None = None) -> int:
    """A member of the session's shared site, made once whichever test asks first."""
    from server.members.models import Member

    with site.app.app_context():
        found = db.session.scalar(db.select(Member.id).filter_by(employee_no=employee_no))
    return found or site.make_member(name, roles=roles, password=password, employee_no=employee_no,
                                     department="工会办公室")


def chair(site) -> int:
    return person(site, "陈主席", CHAIR[0], ("member", "secretary"), CHAIR[1])


def sign_out(page):
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_label("工号")).to_be_visible()


def stage(page):
    return page.locator("#care-title [data-status]")


def new_case(page, employee_no: str, category: str, summary: str):
    page.goto("/console/#/care/new")
    page.locator("#care-member").fill(employee_no)
    page.locator(".picker-option").first.click()
    page.get_by_label("困难类别").select_option(category)
    page.get_by_label("情况摘要").fill(summary)
    page.get_by_role("button", name="建立个案").click()


def assess(page):
    page.get_by_label("家庭人口（人）").fill("4")
    page.get_by_label("家庭月收入（元）").fill("2800.50")
    page.get_by_label("需赡养/抚养（人）").fill("2")
    page.locator("#care-assess-situation").fill("爱人无业，孩子读高中，本人住院两个月")
    page.get_by_label("帮扶需求").fill("医疗费用临时救助")
    page.get_by_role("button", name="保存评估").click()
    expect(page.locator("#care-assessment")).to_contain_text("¥2,800.50")


def decide(page, decision: str, comment: str = ""):
    page.locator("#care-decide-decision").select_option(decision)
    page.locator("#care-decide-comment").fill(comment)
    page.get_by_role("button", name="提交意见").click()


def test_a_case_from_opening_to_closing(page, sign_in, site, tmp_path):
    member = site.make_member("困难会员周五", department="机加车间", employee_no="M7001")
    chair(site)
    person(site, "刘干事", OTHER_STAFF[0], ("member", "staff"), OTHER_STAFF[1])
    assert member
    with site.app.app_context():
        ensure_chart()  # the fund's chart of accounts, where a money grant books its expense
        db.session.commit()
    sign_in()
    page.locator("#topbar").get_by_text("服务会员").click()
    page.locator("#topbar").get_by_role("link", name="帮扶").click()
    expect(page).to_have_url(re.compile(r"#/care$"))

    # Opened by staff for the member; the page is named by the case's number, never the member.
    new_case(page, "M7001", "illness", "住院治疗，自付费用高")
    expect(page).to_have_url(re.compile(r"#/care/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#care-title")).to_contain_text(f"帮扶个案 #{case_id}")
    expect(page.locator("#care-title")).not_to_contain_text("周五")
    expect(page.locator("#care-member")).to_contain_text("困难会员周五")
    assert "周五" not in page.title()

    # A second case of the same kind is refused, with the way to the first.
    new_case(page, "M7001", "illness", "再次申请")
    expect(page.locator("#care-existing a")).to_have_attribute("href", f"#/care/{case_id}")

    page.goto(f"/console/#/care/{case_id}")
    if page.locator("#care-take").count():
        page.locator("#care-take").click()
    expect(page.locator("#care-handlers")).to_contain_text("王主任")

    # Assessment, then a document uploaded and downloaded as the PDF it was.
    assess(page)
    expect(stage(page)).to_have_attribute("data-status", "assessing")
    pdf = _pdf(tmp_path / "诊断证明.pdf")
    page.locator("#care-upload-file").set_input_files(pdf)
    page.get_by_role("button", name="上传", exact=True).click()
    row = page.locator("#care-documents tr[data-document-id]")
    expect(row).to_contain_text("诊断证明.pdf")
    with page.expect_download() as info:
        row.get_by_role("button", name="下载").click()
    assert info.value.suggested_filename == "诊断证明.pdf"
    assert Path(info.value.path()).read_bytes() == Path(pdf).read_bytes()

    # Step 1: the handler approves.
    decide(page, "approve", "情况属实，建议救助")
    expect(stage(page)).to_have_attribute("data-status", "awaiting_chair")
    expect(page.locator("#care-decisions [data-step=handler]")).to_contain_text("情况属实")
    expect(page.locator("#decide-form")).to_have_count(0)

    # The list: the case with its stage and handler, found again by the stage filter.
    page.locator("#topbar").get_by_text("服务会员").click()
    page.locator("#topbar").get_by_role("link", name="帮扶").click()
    row = page.locator(f'#care-table tr[data-case-id="{case_id}"]')
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "awaiting_chair")
    expect(row.locator(".handlers")).to_have_text("王主任")
    page.locator("#care-stage").select_option("closed")
    expect(row).to_have_count(0)
    page.locator("#care-stage").select_option("awaiting_chair")
    expect(row).to_be_visible()

    # Another staff member who does not handle it is told it does not exist.
    sign_out(page)
    sign_in(*OTHER_STAFF)
    page.goto(f"/console/#/care/{case_id}")
    expect(page.locator(".alert")).to_have_text("个案不存在，或您无权查看")
    expect(page.locator("#care-member")).to_have_count(0)

    # Step 2: the chair sends it back once for more evidence; the handler approves again; the chair approves.
    sign_out(page)
    sign_in(*CHAIR)
    page.goto(f"/console/#/care/{case_id}")
    expect(page.locator("#care-step")).to_have_text("第二步：主席审批")
    decide(page, "return", "请补充收入证明")
    expect(stage(page)).to_have_attribute("data-status", "assessing")
    expect(page.locator("#care-decisions [data-decision=return]")).to_contain_text("请补充收入证明")
    sign_out(page)
    sign_in()
    page.goto(f"/console/#/care/{case_id}")
    decide(page, "approve", "已补充收入证明")
    expect(stage(page)).to_have_attribute("data-status", "awaiting_chair")
    sign_out(page)
    sign_in(*CHAIR)
    page.goto(f"/console/#/care/{case_id}")
    decide(page, "approve", "同意救助")
    expect(stage(page)).to_have_attribute("data-status", "approved")

    # A money grant: an expense in the fund ledger, its status shown beside it.
    page.get_by_label("方式").select_option("money")
    page.get_by_label("金额（元）").fill("2000")
    page.locator("#care-grant-description").fill("医疗救助金")
    page.get_by_role("button", name="登记发放").click()
    grant = page.locator("#care-grants tr[data-grant-id]")
    expect(grant).to_contain_text("¥2,000.00")
    expect(grant.locator(".fund-entry a")).to_have_attribute("href", re.compile(r"#/fund/entries/\d+"))
    entry_id = int(grant.locator(".fund-entry a").get_attribute("href").rsplit("/", 1)[1])
    with site.app.app_context():
        entry = db.session.get(FundEntry, entry_id)
        status, booked = entry.status, f"{entry.counterparty} {entry.note}"
    expect(grant.locator(".fund-entry [data-status]")).to_have_attribute("data-status", status)
    assert f"#{case_id}" in booked and "周五" not in booked  # the published ledger never names the member
    expect(stage(page)).to_have_attribute("data-status", "aided")

    # A visit with the next one due, then the case closed.
    page.get_by_label("走访时间（北京时间）").fill("2026-12-01T15:00")
    page.get_by_label("走访人").fill("陈主席、王主任")
    page.get_by_label("走访情况").fill("已出院，恢复良好")
    page.get_by_label("下次回访日期").fill("2027-01-05")
    page.get_by_role("button", name="记录走访").click()
    expect(page.locator("#care-visits [data-visit-id]")).to_contain_text("已出院，恢复良好")
    expect(stage(page)).to_have_attribute("data-status", "following_up")
    page.get_by_label("帮扶结果").fill("救助到位，已恢复工作")
    page.get_by_role("button", name="结案").click()
    expect(stage(page)).to_have_attribute("data-status", "closed")
    expect(page.locator("#care-outcome")).to_contain_text("救助到位")

    # The chair's access log: who opened the case and who downloaded the document.
    page.locator('[data-tab="reads"]').click()
    reads = page.locator("#care-reads tbody tr")
    expect(reads.filter(has_text="王主任").filter(has_text="查看个案").first).to_be_visible()
    expect(reads.filter(has_text="陈主席").filter(has_text="查看个案").first).to_be_visible()
    expect(page.locator('#care-reads tr[data-action="download"]')).to_have_count(1)
    expect(page.locator('#care-reads tr[data-action="download"]')).to_contain_text("王主任")

    # Nothing of the case is kept in the browser.
    stored = page.evaluate("JSON.stringify(Object.entries(localStorage))")
    assert "周五" not in stored and "住院" not in stored


def test_the_chair_who_handled_a_case_cannot_also_approve_it(page, sign_in, site):
    site.make_member("困难会员吴六", department="装配车间", employee_no="M7002")
    chair(site)
    sign_in(*CHAIR)
    new_case(page, "M7002", "accident", "工伤后收入减少")
    expect(page).to_have_url(re.compile(r"#/care/\d+$"))
    # The chair assigns themself as the handler and makes the handler's step.
    page.locator("#handler-search").fill(CHAIR[0])
    page.locator(".picker-option").first.click()
    page.get_by_role("button", name="指派").click()
    expect(page.locator("#care-handlers")).to_contain_text("陈主席")
    assess(page)
    decide(page, "approve", "经办人同意")
    expect(stage(page)).to_have_attribute("data-status", "awaiting_chair")

    # The chair may not make the second step of the same round: no form, the rule said instead.
    expect(page.locator("#care-four-eyes-refusal")).to_contain_text("四眼原则")
    expect(page.locator("#decide-form")).to_have_count(0)
    page.reload()
    expect(page.locator("#care-four-eyes-refusal")).to_be_visible()
    expect(stage(page)).to_have_attribute("data-status", "awaiting_chair")


def test_a_purged_case_shows_its_stub_only(page, sign_in, site):
    """Past the retention period the details are gone: the chair sees the stage and the dates, told why, and no
    form to add anything."""
    from datetime import timedelta

    from server.care import services
    from server.care.jobs import purge
    from server.core.timeutil import utcnow
    from server.members.models import Member

    member_id = site.make_member("困难会员郑七", department="装配车间", employee_no="M7003")
    with site.app.app_context():
        member = db.session.get(Member, member_id)
        case = services.open_case(member, category="family", summary="家中变故的详细经过", notify=False)
        services.withdraw(member, case.id)
        db.session.commit()
        case_id = case.id
        # (Cases ended by earlier tests on this shared site go too.)
        assert purge(utcnow() + timedelta(days=site.app.config["CARE_RETENTION_DAYS"] + 1)) >= 1
    chair(site)
    sign_in(*CHAIR)
    page.goto(f"/console/#/care/{case_id}")
    expect(stage(page)).to_have_attribute("data-status", "withdrawn")
    expect(page.locator(".alert")).to_contain_text("已超过保存期限")
    expect(page.locator("#care-summary")).to_have_text("—")
    expect(page.locator("#care-member")).to_contain_text("困难会员郑七")
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator("#view")).not_to_contain_text("家中变故的详细经过")


def test_staff_take_a_members_application_from_the_list(page, sign_in, site):
    """A member's own application waits unassigned in every staff member's list, without a link to details they
    may not read yet; one takes it there and lands on the case as its handler."""
    from server.care import services
    from server.members.models import Member

    site.make_member("孙干事", roles=("member", "staff"), password="staff-secret-8", employee_no="STAFF8",
                     department="工会办公室")
    member_id = site.make_member("申请会员冯八", department="装配车间", employee_no="M7004")
    rival_id = site.make_member("钟干事", roles=("member", "staff"), employee_no="STAFF7", department="工会办公室")
    with site.app.app_context():
        member = db.session.get(Member, member_id)
        case_id = services.open_case(member, category="income", summary="收入骤减", notify=False).id
        contested = services.open_case(member, category="family", summary="家庭变故", notify=False).id
        db.session.commit()
    sign_in("STAFF8", "staff-secret-8")
    page.goto("/console/#/care")

    # Taken by someone else after the list was drawn: said so, and it leaves the list.
    other = page.locator(f'#care-table tr[data-case-id="{contested}"]')
    expect(other.get_by_role("button", name="由我经办")).to_be_visible()
    with site.app.app_context():
        rival = db.session.get(Member, rival_id)
        services.add_handler(rival, contested, rival_id)
        db.session.commit()
    other.get_by_role("button", name="由我经办").click()
    expect(page.locator("#toast")).to_have_text("该个案已由其他工会干事受理")
    expect(other).to_have_count(0)
    row = page.locator(f'#care-table tr[data-case-id="{case_id}"]')
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "opened")
    expect(row.locator("a")).to_have_count(0)
    row.get_by_role("button", name="由我经办").click()
    expect(page).to_have_url(re.compile(rf"#/care/{case_id}$"))
    expect(page.locator("#care-handlers")).to_have_text("孙干事")
    expect(page.locator("#care-opened-by")).to_contain_text("本人申请")
