"""Benefits (福利) in the staff console, in a real browser against the real app, clicked as staff do: a campaign
created through the form shows in the list with its phase and rates; its page shows the claims by option and
department and lists the claims with filters and an XLSX; the redemption scanner redeems a typed code and shows each
refusal in red (again, forged, another campaign's, cancelled, after the redemption deadline); offline it checks codes
with the campaign's key, queues them on this browser and syncs them as one batch; and a delegate collects for the
members who asked for delivery to the workshop. Members claim through the API, as the mini-program does."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from server.core.extensions import db
from server.core.timeutil import SHANGHAI, utcnow
from server.members.auth import issue_token
from server.members.models import Member
from tests.console.conftest import CHROMIUM_ARGS, STAFF, _chromium

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

API = "/api/v1"


class Api:
    """Calls to the live app as a given member (the mini-program's and another desk's requests)."""

    def __init__(self, site):
        self.site = site
        self.client = site.app.test_client()

    def token(self, member_id):
        with self.site.app.test_request_context():
            return issue_token(member_id)[0]

    def staff_id(self):
        with self.site.app.app_context():
            return db.session.scalar(db.select(Member.id).filter_by(employee_no=STAFF[0]))

    def call(self, member_id, method, path, body=None, status=None):
        r = self.client.open(API + path, method=method, json=body,
                             headers={"Authorization": f"Bearer {self.token(member_id)}"})
        if status is not None:
            assert r.status_code == status, r.get_json()
        return r.get_json()

    def benefit(self, title, department, options=(("羽绒背心", 10),), *, opens=None, closes=None, redeem=None,
                workshop=False):
        now = utcnow()
        opens = opens or now - timedelta(hours=1)
        body = {"title": title, "kind": "seasonal", "season": "winter", "audience": {"departments": [department]},
                "options": [{"name": n, "stock": s} for n, s in options],
                "claim_opens_at": opens.astimezone(SHANGHAI).isoformat(),
                "claim_closes_at": (closes or now + timedelta(days=7)).astimezone(SHANGHAI).isoformat(),
                "redeem_until": (redeem or now + timedelta(days=14)).astimezone(SHANGHAI).isoformat(),
                "allow_workshop_delivery": workshop, "announce": False}
        return self.call(self.staff_id(), "POST", "/benefits", body, 201)

    def claim(self, member_id, benefit, option=0, delivery=None):
        body = {"option_id": benefit["options"][option]["id"]}
        if delivery:
            body["delivery"] = delivery
        return self.call(member_id, "POST", f"/benefits/{benefit['id']}/claims", body, 201)


def _beijing(iso: str) -> str:
    from datetime import datetime
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _local(dt) -> str:
    """A datetime-local box's value in Beijing time."""
    return dt.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def test_a_campaign_from_the_form_to_its_figures_and_claims(page, sign_in, site):
    members = [site.make_member(name, department="福利一部", employee_no=no)
               for name, no in (("福利甲", "BF101"), ("福利乙", "BF102"), ("福利丙", "BF103"), ("福利丁", "BF104"))]
    api = Api(site)
    now = utcnow()
    sign_in()
    page.goto("/console/#/benefits")
    page.locator("#new-benefit").click()
    page.locator("#benefit-form [name=title]").fill("冬季送温暖（测试）")
    page.get_by_label("第 1 项名称").fill("羽绒背心")
    page.get_by_label("第 1 项数量").fill("2")
    page.locator("#add-option").click()
    page.get_by_label("第 2 项名称").fill("米面油套装")
    page.get_by_label("领取开始").fill(_local(now - timedelta(hours=1)))
    page.get_by_label("领取截止").fill(_local(now + timedelta(days=7)))
    page.get_by_label("兑领截止").fill(_local(now - timedelta(days=1)))
    page.get_by_label("部门").fill("福利一部")
    page.get_by_label("允许选择“送到车间”").check()
    page.get_by_role("button", name="发布福利").click()
    # The redemption deadline before the claim deadline is refused, beside its box.
    expect(page.locator('[data-error-for="redeem_until"]')).not_to_be_empty()
    page.get_by_label("兑领截止").fill(_local(now + timedelta(days=14)))
    page.get_by_role("button", name="发布福利").click()
    expect(page.locator("#benefit-title")).to_contain_text("冬季送温暖（测试）")
    expect(page.locator("#stat-eligible")).to_have_text("4")
    expect(page.locator("#stat-claimed")).to_have_text("0")
    bid = int(page.url.rsplit("/", 1)[1])

    benefit = api.call(members[0], "GET", f"/benefits/{bid}", status=200)
    api.claim(members[0], benefit, 0)
    api.claim(members[1], benefit, 0, "workshop")
    api.claim(members[2], benefit, 1, "workshop")
    page.reload()
    expect(page.locator("#stat-claimed")).to_have_text("3")
    expect(page.locator("#stat-claim-rate")).to_have_text("75%")
    expect(page.locator("#stat-redeem-rate")).to_have_text("0%")
    option_rows = page.locator("#by-option-table tbody tr")
    expect(option_rows.nth(0)).to_contain_text("羽绒背心")
    expect(option_rows.nth(0).locator("td").nth(2)).to_have_text("2")
    expect(option_rows.nth(0).locator("td").nth(4)).to_have_text("0")
    expect(page.locator('#by-department-table tr[data-department="福利一部"] td').nth(3)).to_have_text("75%")
    expect(page.locator("#option-chart canvas")).to_have_count(1)
    expect(page.locator("#claims-table tbody tr")).to_have_count(3)
    page.locator("#claims-delivery").select_option("workshop")
    expect(page.locator("#claims-table tbody tr")).to_have_count(2)
    page.locator("#claims-q").fill("BF103")
    page.locator("#claims-q").press("Enter")
    expect(page.locator("#claims-table tbody tr")).to_have_count(1)
    expect(page.locator("#claims-table tbody tr")).to_contain_text("福利丙")
    page.locator("#claims-q").fill("")
    page.locator("#claims-q").press("Enter")
    page.locator("#claims-delivery").select_option("")
    expect(page.locator("#claims-table tbody tr")).to_have_count(3)
    with page.expect_download() as info:
        page.locator("#claims-xlsx").click()
    sheet = load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert {"福利甲", "福利乙", "福利丙"} <= set(cells) and "福利丁" not in cells

    page.goto("/console/#/benefits")
    row = page.locator(f'#benefits-table tr[data-benefit-id="{bid}"]')
    expect(row).to_contain_text("冬季送温暖（测试）")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "open")
    expect(row.locator('[data-rate="claim"]')).to_have_text("75%")
    expect(row.locator('[data-rate="redeem"]')).to_have_text("0%")
    page.locator("#benefit-phase").select_option("upcoming")
    expect(row).to_have_count(0)
    page.locator("#benefit-phase").select_option("open")
    expect(row).to_be_visible()


def test_the_scanner_redeems_once_and_shows_each_refusal_in_red(page, sign_in, site):
    people = [site.make_member(name, department="福利二部", employee_no=no)
              for name, no in (("核销甲", "BR201"), ("核销乙", "BR202"), ("核销丙", "BR203"), ("核销丁", "BR204"))]
    api = Api(site)
    benefit = api.benefit("核销测试福利", "福利二部")
    other = api.benefit("另一项福利", "福利二部")
    first = api.claim(people[0], benefit)
    withdrawn = api.claim(people[1], benefit)
    api.call(people[1], "DELETE", f"/claims/{withdrawn['id']}", status=200)
    foreign = api.claim(people[2], other)
    # A campaign whose redemption deadline has passed: claimed in its window, two weeks ago.
    with time_machine.travel(utcnow() - timedelta(days=14), tick=False):
        then = utcnow()
        past = api.benefit("过期福利", "福利二部", closes=then + timedelta(days=1), redeem=then + timedelta(days=2))
        late = api.claim(people[3], past)

    def redeemed_at(claim):
        return api.call(people[0], "GET", f"/claims/{claim['id']}", status=200)["redeemed_at"]

    sign_in()
    page.goto(f"/console/#/benefits/{benefit['id']}/scan")
    box = page.get_by_label("领取码")
    latest = page.locator("#scan-results li").first
    box.fill(first["claim_code"])
    box.press("Enter")
    expect(latest).to_contain_text("核销甲 · 工号 BR201 · 福利二部 · 羽绒背心 核销成功")
    expect(latest).to_have_class("scan-ok")

    forged = first["claim_code"][:-2] + ("AA" if not first["claim_code"].endswith("AA") else "BB")
    # Again, forged, another campaign's, given back by the member: each refused in red, with the server's reason.
    refusals = ((first["claim_code"], "该领取码已核销"), (forged, "领取码无效"),
                (foreign["claim_code"], "该领取码不属于本次福利活动"), (withdrawn["claim_code"], "该领取已取消"))
    for n, (code, reason) in enumerate(refusals, start=2):
        box.fill(code)
        box.press("Enter")
        expect(page.locator("#scan-results li")).to_have_count(n)
        expect(latest).to_contain_text(reason)
        expect(latest).to_have_class("scan-error")
    # The second scan names the first redemption's time.
    expect(page.locator("#scan-results li").nth(3)).to_contain_text(f"（{_beijing(redeemed_at(first))} 已核销）")
    expect(page.locator("#scan-results li.scan-ok")).to_have_count(1)
    page.goto(f"/console/#/benefits/{past['id']}/scan")
    box = page.get_by_label("领取码")
    box.fill(late["claim_code"])
    box.press("Enter")
    expect(page.locator("#scan-results li").first).to_contain_text("已超过核销截止时间")
    expect(page.locator("#scan-results li").first).to_have_class("scan-error")
    stats = api.call(api.staff_id(), "GET", f"/benefits/{benefit['id']}/stats", status=200)
    assert stats["redeemed"] == 1


def test_offline_scans_are_checked_with_the_key_queued_and_synced(page, sign_in, site):
    people = [site.make_member(name, department="福利三部", employee_no=no)
              for name, no in (("离线甲", "BO301"), ("离线乙", "BO302"), ("离线丙", "BO303"))]
    api = Api(site)
    benefit = api.benefit("离线核销福利", "福利三部", options=(("电暖手宝", None),))
    codes = [api.claim(m, benefit)["claim_code"] for m in people]

    sign_in()
    page.goto(f"/console/#/benefits/{benefit['id']}/scan")
    expect(page.locator("#scan-offline-mode")).to_have_attribute("data-mode", "verify")
    box = page.get_by_label("领取码")
    latest = page.locator("#scan-results li").first
    box.fill(codes[0])
    box.press("Enter")
    expect(latest).to_have_class("scan-ok")

    page.context.set_offline(True)
    box.fill(codes[0])
    box.press("Enter")
    expect(latest).to_contain_text("已核销")
    expect(latest).to_have_class("scan-error")
    forged = codes[1][:-2] + ("AA" if not codes[1].endswith("AA") else "BB")
    box.fill(forged)
    box.press("Enter")
    expect(latest).to_contain_text("领取码无效（离线验码，未记录）")
    expect(latest).to_have_class("scan-error")
    for code in (codes[1], codes[2]):
        box.fill(code)
        box.press("Enter")
        expect(latest).to_contain_text("领取码有效，已离线记录")
        expect(latest).to_have_class("scan-warn")
    box.fill(codes[1])
    box.press("Enter")
    expect(latest).to_contain_text("已离线记录")
    expect(latest).to_have_class("scan-error")
    expect(page.locator("#scan-pending")).to_contain_text("有 2 条离线核销尚未同步")
    # Meanwhile the third member was served at another desk, online.
    api.call(api.staff_id(), "POST", f"/benefits/{benefit['id']}/redemptions", {"claim_code": codes[2]}, 201)

    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#toast")).to_contain_text("已同步 2 条离线核销")
    expect(page.locator("#scan-pending")).to_be_empty()
    expect(latest).to_contain_text("离线核销第 2 条：离线丙 · 工号 BO303 · 福利三部 已于")
    expect(latest).to_have_class("scan-error")
    synced = page.locator("#scan-results li").nth(1)
    expect(synced).to_contain_text("离线核销第 1 条：离线乙 · 工号 BO302 · 福利三部 核销成功")
    expect(synced).to_have_class("scan-ok")
    assert api.call(api.staff_id(), "GET", f"/benefits/{benefit['id']}/stats", status=200)["redeemed"] == 3


def test_a_delegate_collects_for_the_workshop(page, sign_in, site):
    people = [site.make_member(name, department="福利四部", employee_no=no)
              for name, no in (("夜班甲", "BD401"), ("夜班乙", "BD402"), ("夜班丙", "BD403"), ("白班丁", "BD404"))]
    leader = site.make_member("夜班班长", department="福利四部", employee_no="BD400")
    api = Api(site)
    benefit = api.benefit("车间代领福利", "福利四部", workshop=True)
    for m in people[:3]:
        api.claim(m, benefit, delivery="workshop")
    api.claim(people[3], benefit, delivery="pickup")
    assert leader

    sign_in()
    page.goto(f"/console/#/benefits/{benefit['id']}")
    page.locator("#open-deliveries").click()
    rows = page.locator("#delivery-table tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("全选").check()
    page.get_by_label("代领 夜班乙").uncheck()
    expect(page.locator("#ticked-count")).to_have_text("已选 2 人")
    # A delegate not on the roster is refused beside the box, and nothing is recorded.
    page.get_by_label("代领人工号").fill("NOBODY")
    page.get_by_role("button", name="登记代领").click()
    expect(page.locator('[data-error-for="delegate_employee_no"]')).to_have_text("工号不存在或会员已停用")
    expect(rows).to_have_count(3)
    page.get_by_label("代领人工号").fill("BD400")
    page.get_by_role("button", name="登记代领").click()
    results = page.locator("#delivery-results li.scan-ok")
    expect(results).to_have_count(2)
    expect(page.locator("#delivery-results")).to_contain_text("夜班甲 · 工号 BD401 · 福利四部 已交代领人")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("夜班乙")

    page.goto(f"/console/#/benefits/{benefit['id']}")
    expect(page.locator("#stat-redeemed")).to_have_text("2")
    expect(page.locator('#claims-table tr[data-employee-no="BD401"]')).to_contain_text("代领：夜班班长")
    expect(page.locator('#claims-table tr[data-employee-no="BD404"]')).not_to_contain_text("代领")


def test_the_camera_reads_a_claim_code(site, browser, tmp_path):
    from tests.console.test_scan import _y4m_with_qr

    member = site.make_member("镜头领取", department="福利五部", employee_no="BC501")
    api = Api(site)
    benefit = api.benefit("摄像头核销福利", "福利五部")
    code = api.claim(member, benefit)["claim_code"]
    video = tmp_path / "claim.y4m"
    _y4m_with_qr(video, code)
    camera_browser = browser.browser_type.launch(
        executable_path=_chromium(),
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera_browser.new_context(base_url=site.url, locale="zh-CN", permissions=["camera"])
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto("/console/#/events")
        page.get_by_label("工号").fill(STAFF[0])
        page.get_by_label("密码").fill(STAFF[1])
        page.get_by_role("button", name="登录").click()
        expect(page.locator("#events-table, .empty")).to_be_visible()
        page.goto(f"/console/#/benefits/{benefit['id']}/scan")
        page.get_by_role("button", name="用摄像头扫码").click()
        expect(page.locator("#scan-results li").first).to_contain_text(
            "镜头领取 · 工号 BC501 · 福利五部 · 羽绒背心 核销成功")
        page.wait_for_timeout(1500)
        expect(page.locator("#scan-results li")).to_have_count(1)
        assert errors == []
    finally:
        camera_browser.close()


def test_staff_raise_the_stock_add_an_option_and_cancel(page, sign_in, site):
    member = site.make_member("编辑甲", department="福利六部", employee_no="BE601")
    api = Api(site)
    benefit = api.benefit("编辑测试福利", "福利六部", options=(("羽绒背心", 1),))
    api.claim(member, benefit)
    sign_in()
    page.goto(f"/console/#/benefits/{benefit['id']}")
    page.locator("#edit-benefit").click()
    # Lowering the stock below what was claimed is refused beside the box.
    page.get_by_label("第 1 项数量").fill("0")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#benefit-edit-form .form-message .alert").first).to_be_visible()
    page.get_by_label("第 1 项数量").fill("5")
    page.locator("#add-option").click()
    page.get_by_label("第 2 项名称").fill("电暖手宝")
    page.get_by_label("第 2 项数量").fill("3")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#benefit-title")).to_be_visible()
    rows = page.locator("#by-option-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("5")
    expect(rows.nth(1)).to_contain_text("电暖手宝")

    page.locator("#cancel-benefit").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#toast")).to_contain_text("已取消发放")
    expect(page.locator("#benefit-title [data-status]")).to_have_attribute("data-status", "closed")
    expect(page.locator("#benefit-title")).to_contain_text("已取消")
    expect(page.locator("#open-redeem")).to_have_count(0)
    assert api.call(member, "GET", f"/benefits/{benefit['id']}", status=200)["status"] == "cancelled"


def test_a_long_offline_queue_syncs_in_batches_and_a_scan_synced_before_is_no_double(page, sign_in, site):
    people = [site.make_member(f"长队{i}", department="福利七部", employee_no=f"BQ{i:03d}") for i in range(201)]
    api = Api(site)
    benefit = api.benefit("长队核销福利", "福利七部", options=(("暖冬礼包", None),))
    codes = [api.claim(m, benefit)["claim_code"] for m in people]
    scanned = (utcnow() - timedelta(minutes=30)).astimezone(SHANGHAI)
    queue = [{"claim_code": c, "scanned_at": (scanned + timedelta(seconds=i)).isoformat()} for i, c in enumerate(codes)]
    # The first scan reached the server in a sync cut off before the browser heard the answer.
    api.call(api.staff_id(), "POST", f"/benefits/{benefit['id']}/redemptions/batch", {"items": queue[:1]}, 200)

    sign_in()
    page.goto(f"/console/#/benefits/{benefit['id']}/scan")
    page.evaluate("([key, items]) => localStorage.setItem(key, JSON.stringify(items))",
                  [f"console.redeem-queue.{benefit['id']}", queue])
    page.reload()
    expect(page.locator("#scan-pending")).to_contain_text("有 201 条离线核销尚未同步")
    batches = []
    page.on("request", lambda r: batches.append(len(r.post_data_json["items"])) if r.url.endswith("/batch") else None)
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#toast")).to_contain_text("已同步 201 条离线核销")
    assert batches == [200, 1]
    expect(page.locator("#scan-pending")).to_be_empty()
    expect(page.locator("#scan-results li")).to_have_count(201)
    expect(page.locator("#scan-results li.scan-ok")).to_have_count(200)
    first = page.locator("#scan-results li.scan-warn")
    expect(first).to_contain_text("离线核销第 1 条：长队0 · 工号 BQ000 · 福利七部 已同步过")
    assert api.call(api.staff_id(), "GET", f"/benefits/{benefit['id']}/stats", status=200)["redeemed"] == 201
