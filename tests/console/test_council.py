"""The worker council in the staff console, in a real browser against the real app: staff reach it through the
top bar's 民主管理 menu, create the month's topic (a second topic for the same month refused in Chinese), read
its ideas by support, select one for management (a stale page's select of an idea another staff member took
first is refused in Chinese), record management's answer, which members then read; an admin appoints a
department's representative from that department's roster and replaces them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from server.core.extensions import db
from server.core.timeutil import SHANGHAI, utcnow
from server.council import services
from server.members.auth import issue_token
from server.members.models import Member

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

ADMIN = ("CA001", "admin-secret-council")


def _local(delta: timedelta) -> str:
    """A datetime-local input's value in Beijing time, ``delta`` from now."""
    return (utcnow() + delta).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _staff_id(site) -> int:
    with site.app.app_context():
        return db.session.scalar(db.select(Member.id).filter_by(employee_no="S0001"))


def test_staff_create_a_topic_select_and_answer_an_idea(page, sign_in, site):
    authors = [site.make_member(f"议事建议人{i}", department="议事机修班") for i in range(3)]
    supporters = [site.make_member(f"议事支持人{i}") for i in range(4)]
    sign_in()

    # Through the top bar's group menu.
    page.locator("#topbar").get_by_text("民主管理").click()
    page.locator("#topbar").get_by_role("link", name="议事会").click()
    expect(page.locator("#topbar [data-nav=council]")).to_have_class(re.compile("active"))
    expect(page.locator("#topbar .nav-menu[data-menu=democracy] > summary")).to_have_class(re.compile("active"))

    page.locator("#new-topic").click()
    page.get_by_label("月份").fill("2030-05")
    page.get_by_label("议题").fill("班车线路与发车时间")
    page.get_by_label("说明").fill("围绕班车线路和发车时间征集建议。")
    page.get_by_label("征集截止时间（北京时间）").fill(_local(timedelta(days=10)))
    page.get_by_role("button", name="发布议题").click()
    expect(page.locator("#topic-title")).to_contain_text("班车线路与发车时间")
    expect(page.locator("#topic-title [data-status]")).to_have_attribute("data-status", "open")
    topic_id = int(re.search(r"#/council/topics/(\d+)$", page.url).group(1))

    # Members post and support ideas in the mini-program (the services, committed).
    with site.app.app_context():
        ideas = [services.post_idea(a, topic_id, t, f"{t}：具体说明").id
                 for a, t in zip(authors, ["增加夜班班车", "东区增设站点", "周末加开一班"], strict=True)]
        for idea, count in zip(ideas, [1, 4, 2], strict=True):
            for m in supporters[:count]:
                services.support(m, idea)
        db.session.commit()
    night, east, weekend = ideas

    # Sorted by support, with the counts.
    page.reload()
    rows = page.locator("#ideas-table tbody tr")
    expect(rows.locator(".idea-title")).to_have_text(["东区增设站点", "周末加开一班", "增加夜班班车"])
    expect(rows.locator(".idea-supports")).to_have_text(["4", "2", "1"])
    page.locator("#idea-sort").select_option("new")
    expect(rows.locator(".idea-title")).to_have_text(["周末加开一班", "东区增设站点", "增加夜班班车"])
    page.locator("#idea-sort").select_option("support")
    expect(rows.first.locator(".idea-title")).to_have_text("东区增设站点")

    # The council selects the most supported idea: staff enter it, after the confirmation.
    page.locator(f'#ideas-table tr[data-idea-id="{east}"]').get_by_role("button", name="选送管理层").click()
    page.locator("#confirm-ok").click()
    chosen = page.locator(f'#topic-selected li[data-idea-id="{east}"]')
    expect(chosen.locator("[data-status]")).to_have_attribute("data-status", "selected")
    expect(page.locator(f'#ideas-table tr[data-idea-id="{east}"] [data-status]')).to_have_attribute(
        "data-status", "selected")
    expect(page.locator(f'#ideas-table tr[data-idea-id="{east}"] .select-idea')).to_have_count(0)

    # Another staff member selects the weekend idea meanwhile; this page still offers it: a 409, said in Chinese.
    with site.app.app_context():
        services.select_idea(_staff_id(site), weekend, notify=False)
        db.session.commit()
    page.locator(f'#ideas-table tr[data-idea-id="{weekend}"]').get_by_role("button", name="选送管理层").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#topic-action-message")).to_contain_text("已选送管理层或已答复")
    expect(page.locator("#topic-action-message")).to_contain_text("不能再次选送")
    expect(page.locator(f'#ideas-table tr[data-idea-id="{weekend}"] [data-status]')).to_have_attribute(
        "data-status", "selected")
    expect(page.locator("#topic-selected > ol > li")).to_have_count(2)

    # Management's answer, recorded and shown.
    chosen.get_by_label("管理层答复").fill("公司同意在东区增设班车站点，下月起执行。")
    chosen.get_by_role("button", name="记录答复").click()
    expect(chosen.locator(".idea-answer")).to_have_text("公司同意在东区增设班车站点，下月起执行。")
    expect(chosen.locator("[data-status]")).to_have_attribute("data-status", "answered")

    # Members read the council's selection with the answer.
    with site.app.test_request_context():
        token, _ = issue_token(supporters[0])
    r = site.app.test_client().get(f"/api/v1/council/topics/{topic_id}", headers={"Authorization": f"Bearer {token}"})
    selected = {i["id"]: i for i in r.get_json()["selected"]}
    assert selected[east]["answer"] == "公司同意在东区增设班车站点，下月起执行。"
    assert selected[weekend]["answer"] is None and night not in selected

    # The list, and a second topic for the same month refused in Chinese, the input kept.
    page.locator("#topbar").get_by_text("民主管理").click()
    page.locator("#topbar").get_by_role("link", name="议事会").click()
    row = page.locator(f'#topics-table tr[data-topic-id="{topic_id}"]')
    expect(row).to_contain_text("班车线路与发车时间")
    expect(row.locator(".num")).to_have_text("3")
    page.locator("#new-topic").click()
    page.get_by_label("月份").fill("2030-05")
    page.get_by_label("议题").fill("重复的议题")
    page.get_by_label("征集截止时间（北京时间）").fill(_local(timedelta(days=5)))
    page.get_by_role("button", name="发布议题").click()
    expect(page.locator("#topic-form .form-message")).to_contain_text("2030-05 已有议题")
    expect(page.get_by_label("议题")).to_have_value("重复的议题")


def test_an_admin_appoints_and_replaces_a_representative(page, sign_in, site):
    site.make_member("代表管理员", roles=("member", "admin"), password=ADMIN[1], employee_no=ADMIN[0],
                     department="工会办公室")
    first = site.make_member("装配代表甲", department="议事装配班")
    second = site.make_member("装配代表乙", department="议事装配班")
    site.make_member("装配代表丙", department="议事涂装班")  # the same name, another department's roster
    sign_in(*ADMIN)
    expect(page.locator("#topbar")).to_be_visible()
    page.goto("/console/#/council")

    page.locator("#rep-department").fill("议事装配班")
    page.locator("#rep-member").fill("装配代表")
    # Only the department's roster is offered.
    options = page.locator("#rep-form .picker-option")
    expect(options).to_have_count(2)
    options.filter(has_text="装配代表甲").click()
    page.get_by_role("button", name="任命").click()
    row = page.locator('#reps-table tr[data-department="议事装配班"]')
    expect(row.locator(".rep-name")).to_have_text("装配代表甲")

    # Replaced from the row: the department is filled in, another member picked.
    row.get_by_role("button", name="更换").click()
    expect(page.locator("#rep-department")).to_have_value("议事装配班")
    page.locator("#rep-member").fill("装配代表乙")
    page.locator(f'#rep-form .picker-option[data-member-id="{second}"]').click()
    page.get_by_role("button", name="任命").click()
    expect(row.locator(".rep-name")).to_have_text("装配代表乙")
    expect(page.locator('#reps-table tr[data-department="议事装配班"]')).to_have_count(1)
    with site.app.app_context():
        reps = {r.department_id: r.member_id for r, _, _ in services.representatives()}
        assert second in reps.values() and first not in reps.values()

    # Nobody picked: the server's word beside the picker.
    page.locator("#rep-department").fill("议事装配班")
    page.get_by_role("button", name="任命").click()
    expect(page.locator("#rep-form [data-error-for=member_id]")).not_to_be_empty()


def test_staff_who_are_not_admins_read_the_representatives_only(page, sign_in, site):
    sign_in()
    page.goto("/console/#/council")
    expect(page.locator("#council-reps")).to_contain_text("由系统管理员任命")
    expect(page.locator("#rep-form")).to_have_count(0)
