"""Members' requests in the staff console, in a real browser against the real app: the queue (overdue first,
the member named with number and department, the overdue filter), a request's page (its photo, an internal
note, accepting, assigning by name, resolving), two staff accepting the same request in two windows, and the
quarterly service plan (a common need adopted with an owner picked by name, its status, the XLSX export)."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.member_requests import access, raising
from server.member_requests.models import Request, RequestCategory
from server.member_requests.schemas import RequestIn
from server.members.models import Grid, Member
from server.uploads.services import store_image

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def _grid(name: str) -> Grid:
    grid = db.session.scalar(db.select(Grid).filter_by(name=name))
    if grid is None:
        grid = Grid(name=name)
        db.session.add(grid)
        db.session.flush()
    return grid


def raise_request(site, member_id: int, grid: str, *, title: str, category: str = "canteen", overdue=False,
                  photo=False, confidential=False) -> int:
    """A request raised by the member (through the service, as POST /requests does), committed."""
    with site.app.app_context():
        member = db.session.get(Member, member_id)
        member.grid = _grid(grid)
        db.session.flush()
        attachments = []
        if photo:
            buf = io.BytesIO()
            Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "PNG")
            attachments = [store_image(member_id, buf.getvalue()).id]
        req = raising.raise_request(access.Viewer(member), RequestIn(
            category=RequestCategory(category), title=title, content=f"{title}的详细情况", confidential=confidential,
            attachments=attachments))
        if overdue:
            req.created_at = utcnow() - timedelta(days=5)
            req.first_response_due_at = utcnow() - timedelta(hours=30)
        db.session.commit()
        return req.id


@pytest.fixture(scope="module")
def people(site):
    return {
        "zhang": site.make_member("张秀英", department="装配车间", employee_no="R0101"),
        "li": site.make_member("李建华", department="机加车间", employee_no="R0102"),
        "handler": site.make_member("周干事", department="工会办公室", roles=("member", "staff"), employee_no="R0900"),
    }


def test_staff_work_a_request_from_the_queue_to_resolved(site, sign_in, people):
    late = raise_request(site, people["zhang"], "装配网格", title="夜班食堂没有热饭", overdue=True, photo=True)
    fresh = raise_request(site, people["li"], "机加网格", title="更衣柜不够用", category="workplace")
    page = sign_in()
    page.locator("#topbar").get_by_text("服务会员").click()  # the group's menu in the top bar
    page.locator("#topbar").get_by_role("link", name="诉求").click()
    rows = page.locator("#requests-table tbody tr")
    expect(rows.first).to_have_attribute("data-request-id", str(late))  # overdue first
    late_row = page.locator(f"tr[data-request-id='{late}']")
    expect(late_row).to_contain_text("张秀英")
    expect(late_row).to_contain_text("R0101 · 装配车间")
    expect(late_row.locator("[data-clock=overdue]")).to_contain_text("首次响应已超时")
    # A working-day deadline is the midnight after the day: it reads as that day's 24:00.
    expect(page.locator(f"tr[data-request-id='{fresh}'] [data-clock=due]")).to_contain_text(
        re.compile(r"首次响应期限 \d{4}-\d\d-\d\d 24:00"))

    page.locator("#request-overdue").check()
    expect(page.locator(f"tr[data-request-id='{fresh}']")).to_have_count(0)
    expect(late_row).to_be_visible()

    late_row.get_by_role("link", name="夜班食堂没有热饭").click()
    expect(page.locator("#request-title")).to_contain_text("夜班食堂没有热饭")
    # The photo is fetched with the token and shown from a blob.
    expect(page.locator("#request-photos img")).to_have_attribute("src", re.compile("^blob:"))
    assert page.locator("#request-photos img").evaluate("img => img.decode().then(() => img.naturalWidth)") == 64

    page.locator("#message-body").fill("已联系食堂，核实夜班供餐时间")
    page.locator("#message-internal").check()
    page.get_by_role("button", name="发送").click()
    note = page.locator("#request-timeline li[data-action=note]")
    expect(note).to_contain_text("内部备注")
    expect(note).to_contain_text("会员不可见")
    expect(note).to_contain_text("已联系食堂")

    page.locator("#request-accept").click()
    expect(page.locator("#request-title .badge")).to_have_text("处理中")
    expect(page.locator("#request-timeline li[data-action=accepted]")).to_be_visible()
    expect(page.locator("#first-response-due")).to_contain_text("已于")

    page.locator("#assignee-search").fill("周干事")
    page.locator(".picker-option", has_text="周干事").click()
    page.locator("#assign-form").get_by_role("button", name="指派").click()
    expect(page.locator("#request-assignee")).to_have_text("周干事")

    page.locator("#resolution").fill("已与食堂商定夜班供应热饭至 23:00")
    page.locator("#resolve-form").get_by_role("button", name="办结").click()
    expect(page.locator("#request-title .badge")).to_have_text("已解决待确认")
    expect(page.locator("#request-timeline li[data-action=resolved]")).to_contain_text("23:00")
    with site.app.app_context():
        req = db.session.get(Request, late)
        assert (req.status, req.assignee_id) == ("resolved", people["handler"])

    # The member's page lists the member's requests, and only theirs.
    page.goto(f"/console/#/members/{people['zhang']}")
    mine = page.locator("#member-requests-table tbody tr")
    expect(mine.filter(has_text="夜班食堂没有热饭")).to_have_count(1)
    expect(mine.filter(has_text="更衣柜不够用")).to_have_count(0)
    expect(page.locator(f"#member-requests tr[data-request-id='{late}']")).to_contain_text("已解决待确认")


def test_two_staff_accepting_at_once_the_second_is_told_it_changed(site, sign_in, people, browser):
    rid = raise_request(site, people["li"], "机加网格", title="车间通风差")
    first = sign_in()
    first.goto(f"/console/#/requests/{rid}")
    second = first.context.new_page()  # the sign-in holds across tabs
    second.goto(f"/console/#/requests/{rid}")
    expect(second.locator("#request-accept")).to_be_visible()
    first.locator("#request-accept").click()
    expect(first.locator("#request-title .badge")).to_have_text("处理中")
    second.locator("#request-accept").click()
    expect(second.locator("#request-action-message")).to_contain_text("状态已变化，已为您刷新")
    expect(second.locator("#request-title .badge")).to_have_text("处理中")
    expect(second.locator("#request-accept")).to_have_count(0)


def test_a_common_need_goes_into_the_service_plan_and_out_as_xlsx(site, sign_in, people, tmp_path):
    from openpyxl import load_workbook

    for title in ("夜班没有热饭", "食堂菜价偏高", "食堂排队太久"):
        raise_request(site, people["zhang"], "装配网格", title=title, category="canteen")
    page = sign_in()
    page.goto("/console/#/requests")
    page.get_by_role("link", name="服务计划").click()
    need = page.locator("#needs-table tr[data-category=canteen][data-grid=装配网格]")
    expect(need.locator("td").nth(2)).not_to_have_text("0")
    count = int(need.locator("td").nth(2).inner_text())
    need.get_by_role("button", name="列入计划").click()
    page.locator("#owner-search").fill("周干事")
    page.locator(".picker-option", has_text="周干事").click()
    page.locator("#adopt-submit").click()
    item = page.locator("#plan-table tbody tr").first
    expect(item).to_contain_text("周干事")
    expect(item.locator("td").nth(5)).to_have_text(str(count))

    item.locator(".plan-status").select_option("done")
    expect(page.locator("#toast")).to_contain_text("已完成")

    with page.expect_download() as download:
        page.locator("#plan-export").click()
    path = tmp_path / "plan.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert any("周干事" in [str(v) for v in row] for row in values[1:])


ADMIN = ("R0001", "admin-secret-r")


@pytest.fixture(scope="module")
def admin(site):
    return site.make_member("孙管理", roles=("member", "admin"), password=ADMIN[1], employee_no=ADMIN[0],
                            department="工会办公室")


def test_an_admin_adds_a_grid_to_a_liaison_and_reads_who_opened_a_confidential_request(site, sign_in, people,
                                                                                     admin):
    liaison = site.make_member("吴联络", department="装配车间", roles=("member", "liaison"), employee_no="R0300")
    raise_request(site, liaison, "装配网格", title="联络员本人的诉求")  # puts the liaison in 装配网格
    secret = raise_request(site, people["li"], "机加网格", title="家中突发变故", category="hardship")
    page = sign_in(*ADMIN)
    expect(page.locator("#events-table, .empty")).to_be_visible()
    page.goto(f"/console/#/members/{liaison}")
    card = page.locator("#member-liaison-grids")
    expect(card.locator("#liaison-own-grid")).to_have_text("装配网格")
    choice = page.locator("#liaison-add-grid option", has_text="机加网格").get_attribute("value")
    page.locator("#liaison-add-grid").select_option(choice)
    page.locator("#liaison-add").click()
    expect(card.locator(".chip", has_text="机加网格")).to_be_visible()
    with site.app.app_context():
        from server.member_requests.models import LiaisonGrid
        assert db.session.scalar(db.select(db.func.count()).select_from(LiaisonGrid)
                                 .where(LiaisonGrid.member_id == liaison)) == 1
    card.get_by_role("button", name="移除 机加网格").click()
    expect(card.locator(".chip", has_text="机加网格")).to_have_count(0)

    page.goto(f"/console/#/requests/{secret}")
    expect(page.locator("#request-title")).to_contain_text("家中突发变故")
    page.goto("/console/#/requests")
    page.locator("#confidential-reads-link").click()
    row = page.locator("#confidential-reads-table tbody tr").first
    expect(row).to_contain_text("孙管理")
    expect(row).to_contain_text("家中突发变故")
