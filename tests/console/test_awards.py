"""Award procedures in the staff console, in a real browser against the real app: staff create an award, nominate
three members by employee number, pick two within the quota and publish them (the notice period's end shown),
read a member's named objection, cannot finalize while the period runs, and after it remove the winner objected
to with a reason: the final list shows one."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.awards import services
from server.awards.models import Award, AwardNominee
from server.core.extensions import db
from server.core.timeutil import utcnow

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def test_an_award_from_nominees_to_the_final_list(page, sign_in, site):
    for name, no in (("候选周一", "AW001"), ("候选吴二", "AW002"), ("候选郑三", "AW003")):
        site.make_member(name, employee_no=no)
    objector = site.make_member("会员王五")
    sign_in()
    page.goto("/console/#/awards")
    page.locator("#new-award").click()
    page.get_by_label("评选名称").fill("优秀工会积极分子（测试）")
    page.get_by_label("评选标准").fill("热心工会工作")
    page.get_by_label("名额").fill("2")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("#award-heading")).to_contain_text("优秀工会积极分子（测试）")
    for no in ("AW001", "AW002", "AW003"):
        page.get_by_label("工号").fill(no)
        page.get_by_label("推荐理由").fill(f"{no} 积极参加活动")
        page.get_by_role("button", name="添加提名").click()
        expect(page.locator("#nominees-table tbody tr", has_text=f"{no} 积极参加活动")).to_be_visible()
    for name in ("候选周一", "候选吴二", "候选郑三"):
        page.get_by_label(f"拟表彰 {name}").check()
    page.get_by_role("button", name="确定并公示").click()
    expect(page.locator("#decide-form .form-message")).to_contain_text("名额")
    page.get_by_label("拟表彰 候选郑三").uncheck()
    page.get_by_role("button", name="确定并公示").click()
    expect(page.locator("#award-heading [data-status]")).to_have_attribute("data-status", "notice")
    expect(page.locator("#award-closes")).to_be_visible()
    expect(page.locator("#finalize-wait")).to_be_visible()

    with site.app.app_context():
        award = db.session.scalar(db.select(Award).filter_by(title="优秀工会积极分子（测试）"))
        aid = award.id
        wu = db.session.scalar(db.select(AwardNominee).filter_by(award_id=aid, reason="AW002 积极参加活动"))
        services.object_to(objector, aid, wu.id, "候选吴二本年度未参加活动")
        # The notice period has run out (as if five working days had passed).
        award.objection_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page.reload()
    expect(page.locator("#objections [data-objection-id]")).to_contain_text("会员王五")
    expect(page.locator("#objections [data-objection-id]")).to_contain_text("针对 候选吴二")
    page.get_by_label("取消 候选吴二", exact=True).check()
    page.get_by_label("取消 候选吴二 的理由").fill("异议属实")
    page.get_by_role("button", name="公布最终名单").click()
    expect(page.locator("#award-heading [data-status]")).to_have_attribute("data-status", "final")
    expect(page.locator("#nominees-table tr", has_text="候选周一")).to_contain_text("最终表彰")
    expect(page.locator("#nominees-table tr", has_text="候选吴二")).to_contain_text("异议属实")
    with site.app.app_context():
        assert db.session.get(Award, aid).status == "final"
