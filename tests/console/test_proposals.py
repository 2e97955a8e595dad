"""Congress proposals in the staff console, in a real browser against the real app: staff open a session, a
submitted proposal is reviewed (a rejection without a reason refused beside the field, then accepted), assigned,
given a progress update with a real PNG, handed to its department's head by a signed link opened in another
browser without signing in, answered there, shown in the console as the department's step, the link revoked
(the public page then refuses), completed with grade A and the session's PDF downloaded; a confidential
proposal names its proposer to staff but not to members."""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from PIL import Image

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.members.auth import issue_token
from server.members.models import Member
from server.proposals import handling, services
from server.proposals.models import CongressSession, Proposal

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def submit_proposal(site, session_id: int, proposer: int, cosigners: list[int], *, title: str,
                    confidential=False) -> int:
    """A proposal drafted, co-signed and submitted through the services (as the mini-program does), committed."""
    with site.app.app_context():
        member = db.session.get(Member, proposer)
        p = services.create_proposal(member, {
            "session_id": session_id, "title": title, "problem": f"{title}：夜班职工无处就餐",
            "solution": "22:00 增设夜宵窗口", "department": "后勤保障部", "deadline": None,
            "confidential": confidential})
        for cid in cosigners:
            services.cosign(db.session.get(Member, cid), p)
        services.submit(member, p)
        db.session.commit()
        return p.id


def _png(path) -> str:
    Image.new("RGB", (64, 48), (30, 160, 60)).save(path, "PNG")
    return str(path)


def test_a_proposal_from_review_to_completion(page, sign_in, site, browser, tmp_path):
    proposer = site.make_member("提案人孙一", department="机修车间")
    cosigners = [site.make_member("附议人周二", department="机修车间"),
                 site.make_member("附议人吴三", department="装配车间")]
    sign_in()

    # A session made in the console, closing in ten days (Beijing time typed into the form).
    page.goto("/console/#/proposals")
    page.locator("#new-session").click()
    page.get_by_label("名称").fill("第六届职代会第一次会议")
    closes = (date.today() + timedelta(days=10)).isoformat()
    page.get_by_label("提案截止时间（北京时间）").fill(f"{closes}T17:00")
    page.get_by_label("最少附议人数").fill("2")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("#session-proposals")).to_be_visible()
    with site.app.app_context():
        sid = db.session.scalar(db.select(CongressSession.id).filter_by(name="第六届职代会第一次会议"))
    assert sid is not None

    pid = submit_proposal(site, sid, proposer, cosigners, title="食堂增加夜班供餐")
    secret = submit_proposal(site, sid, proposer, cosigners, title="保密提案：班组长考核", confidential=True)
    with site.app.app_context():
        # The confidential one's assignment clock has run out (as if the session had closed long ago).
        db.session.get(Proposal, secret).assignment_due_at = utcnow() - timedelta(hours=3)
        db.session.commit()
    page.reload()
    expect(page.locator(f'#proposals-table tr[data-proposal-id="{secret}"] [data-clock]')).to_have_attribute(
        "data-clock", "overdue")
    row = page.locator(f'#proposals-table tr[data-proposal-id="{pid}"]')
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    expect(row.locator(".proposer")).to_have_text("提案人孙一")
    expect(row.locator("[data-clock]")).to_have_attribute("data-clock", "due")
    # Staff see who proposed a confidential one (the API names the proposer to staff).
    expect(page.locator(f'#proposals-table tr[data-proposal-id="{secret}"] .proposer')).to_have_text("提案人孙一")

    # Review: rejecting without a reason is refused beside the field; then accepted.
    row.get_by_role("link", name="食堂增加夜班供餐").click()
    expect(page.locator("#proposal-cosigners")).to_have_text("附议人周二、附议人吴三")
    page.locator("#review-decision").select_option("reject")
    page.get_by_role("button", name="提交审查").click()
    expect(page.locator('[data-error-for="reason"]')).to_have_text("不予立案须填写理由")
    page.locator("#review-decision").select_option("accept")
    page.get_by_role("button", name="提交审查").click()
    expect(page.locator("#proposal-title [data-status]")).to_have_attribute("data-status", "accepted")

    # Assign to the lead department with a co-department and a due date.
    page.get_by_label("主办部门").fill("后勤保障部")
    page.get_by_label("协办部门").fill("工会办公室")
    page.get_by_label("办理期限").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="交办").click()
    expect(page.locator("#proposal-title [data-status]")).to_have_attribute("data-status", "assigned")
    expect(page.locator("#proposal-lead")).to_have_text("后勤保障部")

    # A progress update with a real picture and a video link; the picture shows from a blob URL.
    page.get_by_label("进展情况").fill("已与供餐公司洽谈")
    page.locator("#update-images").set_input_files(_png(tmp_path / "canteen.png"))
    page.get_by_label("视频链接").fill("https://video.example.com/canteen")
    page.get_by_role("button", name="发布进展").click()
    step = page.locator('#proposal-timeline li[data-action="update"]')
    expect(step).to_contain_text("已与供餐公司洽谈")
    expect(step.locator("img")).to_have_attribute("src", re.compile(r"^blob:"))
    expect(step.locator("a.video-link")).to_have_attribute("href", "https://video.example.com/canteen")
    assert step.locator("img").evaluate("img => img.complete && img.naturalWidth") == 64

    # A head's link, opened elsewhere without signing in, answered there.
    page.locator("#link-department").fill("后勤保障部")
    page.get_by_role("button", name="生成链接").click()
    url = page.locator(".head-link-list .link-url").input_value()
    assert "/p/" in url
    other = browser.new_context(locale="zh-CN")
    try:
        head = other.new_page()
        # The link names the public site (PUBLIC_BASE_URL); here the same page is served by the test server.
        head.goto(site.url + urlsplit(url).path)
        expect(head.locator("body")).to_contain_text("食堂增加夜班供餐")
        head.locator("textarea[name=body]").fill("夜宵窗口下周一开放")
        head.get_by_role("button", name="提交").click()
        expect(head.locator("body")).to_contain_text("已提交")

        page.reload()
        answered = page.locator("#proposal-timeline li", has_text="夜宵窗口下周一开放")
        expect(answered.locator(".step-by")).to_have_text("后勤保障部（部门负责人）")

        # After the reload the page lists the link made before it: revoke it there, and the public page refuses.
        listed = page.locator(".head-link-list li")
        expect(listed).to_have_count(1)
        expect(listed.first.locator(".link-url")).to_have_value(url)
        page.locator(".revoke-link").first.click()
        expect(listed.first).to_contain_text("已撤销")
        page.reload()
        expect(page.locator(".head-link-list li").first).to_contain_text("已撤销")
        head.goto(site.url + urlsplit(url).path)
        expect(head.locator("textarea[name=body]")).to_have_count(0)
        expect(head.locator("body")).to_contain_text("撤销")
    finally:
        other.close()

    # Complete with grade A.
    page.get_by_label("办结报告").fill("夜宵窗口已开放，每晚 22:00–24:00")
    page.locator("#complete-grade").select_option("A")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("#proposal-title [data-status]")).to_have_attribute("data-status", "completed")
    expect(page.locator("#proposal-grade")).to_contain_text("A")

    # The session's summary PDF.
    page.goto(f"/console/#/proposals/sessions/{sid}")
    expect(page.locator(f'#proposals-table tr[data-proposal-id="{pid}"] [data-grade]')).to_have_text("A")
    page.locator("#proposal-status").select_option("completed")
    expect(page.locator("#proposals-table tbody tr")).to_have_count(1)
    with page.expect_download() as info:
        page.locator("#summary-pdf").click()
    assert info.value.path().read_bytes()[:4] == b"%PDF"

    # A member reading the public list sees 保密 in place of the confidential proposer: no proposer at all.
    with site.app.test_request_context():
        token, _ = issue_token(cosigners[1])
    client = site.app.test_client()
    r = client.get(f"/api/v1/proposals?session_id={sid}", headers={"Authorization": f"Bearer {token}"})
    items = {p["id"]: p for p in r.get_json()["items"]}
    assert items[secret]["proposer"] is None and items[secret]["cosigners"] is None
    assert items[pid]["proposer"]["name"] == "提案人孙一"


def test_a_changed_status_reloads_with_a_notice(page, sign_in, site):
    proposer = site.make_member("提案人郑四")
    cosigners = [site.make_member("附议人冯五"), site.make_member("附议人陈六")]
    with site.app.app_context():
        staff = db.session.scalar(db.select(Member).filter_by(employee_no="S0001"))
        s = services.create_session(staff.id, "并发审查测试会议", utcnow() + timedelta(days=5), 2)
        db.session.commit()
        sid = s.id
    pid = submit_proposal(site, sid, proposer, cosigners, title="车间增设饮水机")
    sign_in()
    page.goto(f"/console/#/proposals/{pid}")
    expect(page.locator("#review-form")).to_be_visible()
    # Another staff member accepts it meanwhile.
    with site.app.app_context():
        staff = db.session.scalar(db.select(Member).filter_by(employee_no="S0001"))
        handling.review(staff, services.get_visible(staff, pid), "accept", None)
        db.session.commit()
    page.locator("#review-decision").select_option("opinion")
    page.get_by_role("button", name="提交审查").click()
    expect(page.locator("#proposal-action-message")).to_contain_text("状态已变化，已为您刷新")
    expect(page.locator("#proposal-title [data-status]")).to_have_attribute("data-status", "accepted")
    expect(page.locator("#assign-form")).to_be_visible()
