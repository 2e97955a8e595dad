"""Surveys in the staff console, in a real browser against the real app: building a survey with every question
kind and a needs-profile tag while the member preview follows, a server refusal shown beside its question,
editing the draft, publishing, the members' answers (through the service, as POST /surveys/{id}/responses
does) seen as turnout, charts with their counts, a breakdown by department and the XLSX; an anonymous
survey with its tag breakdown disabled and its not-yet-filed answers announced."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.members.models import Member, MemberTag, Tag
from server.surveys import answering, services

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

DEPTS = ("问卷一部", "问卷二部")


@pytest.fixture(scope="module")
def people(site):
    """Five members in each of two departments of their own, so breakdowns show both (groups of 5)."""
    return {d: [site.make_member(f"{d}会员{i}", department=d) for i in range(5)] for d in DEPTS}


def beijing_input(delta: timedelta) -> str:
    """A datetime-local value in Beijing time, `delta` from now."""
    t = utcnow() + timedelta(hours=8) + delta
    return t.strftime("%Y-%m-%dT%H:%M")


def answer(site, survey_id: int, member_id: int, answers: list[dict]) -> list[str]:
    with site.app.app_context():
        added = answering.respond(survey_id, db.session.get(Member, member_id), answers)
        db.session.commit()
        return added


def test_build_preview_publish_and_read_results(site, sign_in, people):
    page = sign_in()
    page.locator("#topbar").get_by_text("民主管理").click()  # the group's menu in the top bar
    page.get_by_role("link", name="问卷", exact=True).click()
    expect(page.locator("#surveys-table, .empty")).to_be_visible()
    page.locator("#new-survey").click()
    preview = page.locator("#survey-preview")

    page.get_by_label("标题").fill("职工需求调查")
    expect(preview.locator("#preview-title")).to_have_text("职工需求调查")
    page.locator("#f-opens_at").fill(beijing_input(timedelta(hours=-1)))
    page.locator("#f-closes_at").fill(beijing_input(timedelta(days=7)))
    page.locator("#f-audience-departments").fill("，".join(DEPTS))

    # The anonymous switch explains itself and takes the tag boxes away while on.
    page.locator("#f-anonymous").check()
    expect(page.locator("#anonymous-hint")).to_contain_text("答案与填写人分开保存，无法对应")
    expect(preview.locator("#preview-anonymous")).to_be_visible()
    expect(page.locator("#q0-o0-tag")).to_have_count(0)
    page.locator("#f-anonymous").uncheck()
    expect(page.locator("#q0-o0-tag")).to_be_visible()

    # Question 1: single choice, its first option tagged; its second option removed (refused below).
    page.locator("#f-questions-0-text").fill("您的岗位")
    page.locator("#q0-o0").fill("生产岗")
    page.locator("#q0-o0-tag").fill("生产岗位")
    page.get_by_role("button", name="删除第 1 题选项 2").click()
    # Question 2: multiple choice with three options.
    page.locator("[data-add-kind=multiple]").click()
    page.locator("#f-questions-1-text").fill("您关心的福利")
    page.locator("#q1-add-option").click()
    for i, text in enumerate(["体检", "疗休养", "子女托管"]):
        page.locator(f"#q1-o{i}").fill(text)
    # Questions 3 and 4: a scale and a text (added first, then moved after the scale).
    page.locator("[data-add-kind=text]").click()
    page.locator("#f-questions-2-text").fill("其他建议")
    page.locator("#q2-required").uncheck()
    page.locator("[data-add-kind=scale]").click()
    page.locator("#f-questions-3-text").fill("食堂满意度")
    page.get_by_role("button", name="第 4 题上移").click()
    expect(page.locator("#f-questions-2-text")).to_have_value("食堂满意度")
    expect(page.locator("#f-questions-3-text")).to_have_value("其他建议")

    # The preview shows each question as the mini-program does, in the new order.
    items = preview.locator("[data-preview-question]")
    expect(items).to_have_count(4)
    expect(items.nth(0)).to_contain_text("1. 您的岗位")
    expect(items.nth(0).locator("input[type=radio]")).to_have_count(1)
    expect(items.nth(1).locator("input[type=checkbox]")).to_have_count(3)
    expect(items.nth(1)).to_contain_text("子女托管")
    expect(items.nth(2)).to_have_attribute("data-kind", "scale")
    expect(items.nth(2).locator(".sv-stars span")).to_have_count(5)
    expect(items.nth(3).locator("textarea")).to_be_disabled()
    expect(items.nth(3).locator(".req")).to_have_count(0)

    # A single choice with one option: the server's refusal lands beside that question's options.
    page.locator("#save-survey").click()
    expect(page.locator('[data-error-for="questions.0.options"]')).to_contain_text("至少需要 2 个选项")
    expect(page).to_have_url(re.compile(r"#/surveys/new$"))
    page.locator("#q0-add-option").click()
    page.locator("#q0-o1").fill("管理岗")
    expect(items.nth(0).locator("input[type=radio]")).to_have_count(2)
    page.locator("#save-survey").click()
    expect(page).to_have_url(re.compile(r"#/surveys/\d+$"))
    survey_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#survey-title")).to_contain_text("职工需求调查")
    expect(page.locator("#survey-title [data-status]")).to_have_attribute("data-status", "draft")

    # The draft opens again in the builder with its tag; a change is saved with PATCH.
    page.locator("#edit-survey").click()
    expect(page.locator("#q0-o0-tag")).to_have_value("生产岗位")
    page.get_by_label("说明").fill("请如实填写，约两分钟。")
    expect(preview).to_contain_text("约两分钟")
    page.locator("#save-survey").click()
    expect(page).to_have_url(re.compile(rf"#/surveys/{survey_id}$"))
    expect(page.locator("#survey-facts")).to_contain_text("约两分钟")

    page.locator("#publish-survey").click()
    expect(page.locator("#confirm-body")).to_contain_text("发布后不能再修改题目")
    page.locator("#confirm-ok").click()
    expect(page.locator("#survey-title [data-status]")).to_have_attribute("data-status", "open")
    expect(page.locator("#turnout-answered")).to_have_text("0")
    expect(page.locator("#turnout-eligible")).to_have_text("10")

    # Ten members answer: the first three of each department are in production.
    for d in DEPTS:
        for i, member_id in enumerate(people[d]):
            added = answer(site, survey_id, member_id, [
                {"question": 0, "choice": 0 if i < 3 else 1},
                {"question": 1, "choices": [0, 2] if i % 2 == 0 else [1]},
                {"question": 2, "value": 5 if i < 4 else 3},
                {"question": 3, "text": f"{d}的建议{i}"},
            ])
            assert added == (["生产岗位"] if i < 3 else [])
    with site.app.app_context():
        tagged = db.session.scalars(db.select(MemberTag.member_id).join(Tag).where(Tag.name == "生产岗位")).all()
        assert sorted(tagged) == sorted(people[d][i] for d in DEPTS for i in range(3))

    # The needs-profile tag is a member tag: the member's page shows it.
    page.goto(f"/console/#/members/{people[DEPTS[0]][0]}")
    expect(page.locator("#member-tags")).to_contain_text("生产岗位")
    page.goto(f"/console/#/surveys/{survey_id}")
    expect(page.locator("#turnout-answered")).to_have_text("10")
    expect(page.locator("#turnout-rate")).to_have_text("100%")
    expect(page.locator("#results-respondents")).to_have_text("10")
    for d in DEPTS:
        expect(page.locator(f'#turnout-departments tr[data-department="{d}"]')).to_contain_text("5")
    counts = lambda q: page.locator(f"#q{q}-counts tbody tr td.num").all_inner_texts()  # noqa: E731
    expect(page.locator("#q0-chart canvas")).to_have_count(1)
    assert counts(0) == ["6", "4"]
    assert counts(1) == ["6", "4", "6"]
    assert counts(2) == ["0", "0", "2", "0", "8"]
    expect(page.locator("#q2-mean")).to_have_text("4.60")
    expect(page.locator("#q3-texts li")).to_have_count(10)
    expect(page.locator("#q3-texts")).to_contain_text("问卷二部的建议4")
    expect(page.locator("#results-pending")).to_have_count(0)

    page.locator("#results-by").select_option("department")
    groups = page.locator("#result-groups tbody tr")
    expect(groups).to_have_count(2)
    for d in DEPTS:
        row = page.locator(f'#result-groups tr[data-group="{d}"]')
        expect(row).to_contain_text("生产岗 3；管理岗 2")
        expect(row).to_contain_text("平均 4.60")
    expect(page.locator('#results-by option[value="tag"]')).to_be_enabled()

    with page.expect_download() as info:
        page.locator("#download-results").click()
    # openpyxl goes by the file's extension, and a download's temporary path has none.
    with open(info.value.path(), "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["题号", "题目", "题型", "选项/分值", "人数", "文字回答"]
    assert [1, "您的岗位", "单选", "生产岗", 6, None] in [[c if c != "" else None for c in r] for r in rows]
    assert sum(1 for r in rows if r[0] == 4) == 10

    # The list shows the survey with its turnout; closing early stops it.
    page.locator("#close-survey").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#survey-title [data-status]")).to_have_attribute("data-status", "closed")
    page.goto("/console/#/surveys")
    row = page.locator(f'#surveys-table tr[data-survey-id="{survey_id}"]')
    expect(row.locator("[data-figure=turnout]")).to_have_text("10/10")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "closed")
    page.locator("#survey-status").select_option("draft")
    expect(page.locator(f'#surveys-table tr[data-survey-id="{survey_id}"]')).to_have_count(0)


def test_anonymous_survey_results_wait_for_filing(site, sign_in, people):
    with site.app.app_context():
        survey = services.create_survey(None, {
            "title": "匿名满意度调查", "description": None, "anonymous": True,
            "audience": {"departments": list(DEPTS), "grids": [], "tags": []},
            "opens_at": utcnow() - timedelta(hours=1), "closes_at": utcnow() + timedelta(days=3),
            "questions": [{"kind": "scale", "text": "整体满意度", "options": None, "required": True,
                           "option_tags": None}]})
        services.publish(survey.id)
        db.session.commit()
        survey_id = survey.id
    for member_id in people[DEPTS[0]][:2]:
        answer(site, survey_id, member_id, [{"question": 0, "value": 4}])

    page = sign_in()
    page.goto(f"/console/#/surveys/{survey_id}")
    expect(page.locator("#survey-facts")).to_contain_text("无法对应")
    expect(page.locator("#turnout-answered")).to_have_text("2")
    expect(page.locator("#results-pending")).to_have_text("另有 2 份匿名答卷将在下一批次计入")
    expect(page.locator("#results-respondents")).to_have_text("0")
    expect(page.locator('#results-by option[value="tag"]')).to_be_disabled()

    with site.app.app_context():
        answering.file_held(force=True)
        db.session.commit()
    page.reload()
    expect(page.locator("#results-respondents")).to_have_text("2")
    expect(page.locator("#results-pending")).to_have_count(0)
    assert page.locator("#q0-counts tbody tr td.num").all_inner_texts() == ["0", "0", "0", "2", "0"]
    expect(page.locator("#q0-mean")).to_have_text("4.00")
    # Two respondents are under the group minimum: by department shows no group rather than a small one.
    page.locator("#results-by").select_option("department")
    expect(page.locator("#groups-title")).to_be_visible()
    expect(page.locator("#result-groups tbody tr")).to_have_count(0)
