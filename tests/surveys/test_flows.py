"""Drafting, publishing, answering, eligibility, the needs profile and every error code, over HTTP."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.members.models import MemberTag, Tag
from server.surveys.models import SurveyAnswer, SurveyParticipation, SurveyResponse

from .conftest import API, answers, iso, survey_body


def err(r):
    return r.status_code, r.get_json()["error"]["code"]


def test_create_returns_a_draft_with_indexed_questions(client, auth, staff):
    r = client.post(f"{API}/surveys", json=survey_body(audience={"departments": ["生产一部"]}), headers=auth(staff))
    assert r.status_code == 400 and "audience.departments" in r.get_json()["error"]["details"]["fields"]
    r = client.post(f"{API}/surveys", json=survey_body(), headers=auth(staff))
    assert r.status_code == 201, r.get_json()
    s = r.get_json()
    assert s["status"] == "draft" and s["anonymous"] is False
    assert s["audience"] == {"all": True, "departments": [], "grids": [], "tags": []}
    assert [q["question"] for q in s["questions"]] == [0, 1, 2, 3]
    assert s["questions"][0]["option_tags"] == {"0": "生产岗", "1": "技术岗", "2": "管理岗"}
    assert s["questions"][2]["options"] == [] and s["answered_count"] == 0


@pytest.mark.parametrize("question,field", [
    ({"kind": "single", "text": "岗位", "options": ["只有一个"]}, "questions.0.options"),
    ({"kind": "multiple", "text": "需求"}, "questions.0.options"),
    ({"kind": "scale", "text": "满意度", "options": ["1", "2"]}, "questions.0.options"),
    ({"kind": "single", "text": "岗位", "options": ["甲", "乙"], "option_tags": {"2": "丙"}},
     "questions.0.option_tags"),
    ({"kind": "single", "text": "岗位", "options": ["甲", "乙"], "option_tags": {"x": "丙"}},
     "questions.0.option_tags"),
    ({"kind": "text", "text": "建议", "option_tags": {"0": "丙"}}, "questions.0.option_tags"),
    ({"kind": "rating", "text": "满意度"}, "questions.0.kind"),
])
def test_question_validation(client, auth, staff, question, field):
    r = client.post(f"{API}/surveys", json=survey_body(questions=[question]), headers=auth(staff))
    assert err(r) == (400, "invalid_request")
    assert field in r.get_json()["error"]["details"]["fields"], r.get_json()


def test_times_and_audience_validation(client, auth, staff):
    now = utcnow()
    r = client.post(f"{API}/surveys", json=survey_body(opens_at=iso(now), closes_at=iso(now)), headers=auth(staff))
    assert err(r) == (400, "invalid_request") and "closes_at" in r.get_json()["error"]["details"]["fields"]
    r = client.post(f"{API}/surveys", json=survey_body(opens_at="2026-12-01T09:00:00"), headers=auth(staff))
    assert err(r) == (400, "invalid_request")
    r = client.post(f"{API}/surveys", json=survey_body(audience={"all": True, "grids": ["第一网格"]}),
                    headers=auth(staff))
    assert err(r) == (400, "invalid_request")
    r = client.post(f"{API}/surveys", json=survey_body(audience={"member_ids": [1]}), headers=auth(staff))
    assert err(r) == (400, "invalid_request")


def test_patch_only_a_draft_and_publish_once(client, auth, staff):
    sid = client.post(f"{API}/surveys", json=survey_body(), headers=auth(staff)).get_json()["id"]
    patch = {"title": "新标题", "questions": [{"kind": "text", "text": "说说看"}]}
    r = client.patch(f"{API}/surveys/{sid}", json=patch, headers=auth(staff))
    assert r.status_code == 200 and r.get_json()["title"] == "新标题" and len(r.get_json()["questions"]) == 1
    r = client.patch(f"{API}/surveys/{sid}", json={"closes_at": iso(utcnow() - timedelta(days=5))}, headers=auth(staff))
    assert err(r) == (400, "invalid_request")
    assert client.post(f"{API}/surveys/{sid}/publish", headers=auth(staff)).get_json()["status"] == "open"
    assert err(client.patch(f"{API}/surveys/{sid}", json={"title": "再改"}, headers=auth(staff))) \
        == (409, "survey_not_draft")
    assert err(client.post(f"{API}/surveys/{sid}/publish", headers=auth(staff))) == (409, "survey_not_draft")
    assert err(client.get(f"{API}/surveys/999999", headers=auth(staff))) == (404, "not_found")


def test_publish_before_opening_is_scheduled_then_open(client, auth, staff, make):
    now = utcnow()
    body = survey_body(opens_at=iso(now + timedelta(days=1)), closes_at=iso(now + timedelta(days=2)))
    sid = client.post(f"{API}/surveys", json=body, headers=auth(staff)).get_json()["id"]
    assert client.post(f"{API}/surveys/{sid}/publish", headers=auth(staff)).get_json()["status"] == "scheduled"
    m = make.member()
    assert err(client.post(f"{API}/surveys/{sid}/responses", json=answers(), headers=auth(m))) \
        == (409, "survey_closed")
    with time_machine.travel(now + timedelta(days=1, minutes=1)):
        assert client.get(f"{API}/surveys/{sid}", headers=auth(staff)).get_json()["status"] == "open"
        assert client.post(f"{API}/surveys/{sid}/responses", json=answers(), headers=auth(m)).status_code == 201
    with time_machine.travel(now + timedelta(days=2, minutes=1)):
        assert client.get(f"{API}/surveys/{sid}", headers=auth(staff)).get_json()["status"] == "closed"


def test_answer_once_adds_needs_tags_and_shows_answered(client, auth, open_survey, make, db):
    s = open_survey()
    m = make.member(tags=["老会员"])
    mine = client.get(f"{API}/me/surveys", headers=auth(m)).get_json()
    assert [(i["id"], i["answered"], i["question_count"]) for i in mine["items"]] == [(s["id"], False, 4)]
    view = client.get(f"{API}/surveys/{s['id']}", headers=auth(m)).get_json()
    assert view["answered"] is False and "option_tags" not in view["questions"][0]
    r = client.post(f"{API}/surveys/{s['id']}/responses", json=answers(post=1, needs=(0, 2)), headers=auth(m))
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"survey_id": s["id"], "answered": True, "tags_added": ["技术岗", "需困难帮扶"]}
    tags = set(db.session.scalars(select(Tag.name).join(MemberTag).where(MemberTag.member_id == m.id)))
    assert tags == {"老会员", "技术岗", "需困难帮扶"}
    assert err(client.post(f"{API}/surveys/{s['id']}/responses", json=answers(), headers=auth(m))) \
        == (409, "already_answered")
    assert client.get(f"{API}/me/surveys", headers=auth(m)).get_json()["items"][0]["answered"] is True
    assert db.session.scalar(select(func.count()).select_from(SurveyParticipation)) == 1
    resp = db.session.scalars(select(SurveyResponse)).one()
    assert resp.member_id == m.id
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 4  # 1 + 2 choices + 1 value


def test_tagged_member_is_then_in_a_tag_audience(client, auth, open_survey, make, staff, db):
    s = open_survey()
    m = make.member()
    other = make.member()
    client.post(f"{API}/surveys/{s['id']}/responses", json=answers(post=0, needs=(0,)), headers=auth(m))
    r = client.post(f"{API}/notices", headers=auth(staff), json={
        "title": "困难帮扶政策说明", "body": "详见附件", "channels": ["push"], "audience": {"tags": ["需困难帮扶"]}})
    assert r.status_code == 201, r.get_json()
    nid = r.get_json()["id"]
    assert client.post(f"{API}/notices/{nid}/send", headers=auth(staff)).status_code in (200, 202)
    assert [i["id"] for i in client.get(f"{API}/me/notices", headers=auth(m)).get_json()["items"]] == [nid]
    assert client.get(f"{API}/me/notices", headers=auth(other)).get_json()["items"] == []


def test_answer_validation(client, auth, open_survey, make, db):
    s = open_survey()
    m = make.member()
    url = f"{API}/surveys/{s['id']}/responses"
    cases = [
        ({"answers": [{"question": 1, "choices": [0]}]}, "answers"),  # required 0 and 2 left out
        ({"answers": [{"question": 0, "choice": 3}, {"question": 2, "value": 3}]}, "answers.0"),
        ({"answers": [{"question": 0, "choice": 0}, {"question": 1, "choices": [1, 1]}, {"question": 2, "value": 3}]},
         "answers.1"),
        ({"answers": [{"question": 0, "choice": 0}, {"question": 1, "choices": [5]}, {"question": 2, "value": 3}]},
         "answers.1"),
        ({"answers": [{"question": 0, "choice": 0}, {"question": 2, "value": 6}]}, "answers.1.value"),
        ({"answers": [{"question": 0, "choice": 0}, {"question": 2, "value": 0}]}, "answers.1.value"),
        ({"answers": [{"question": 0, "choices": [0]}, {"question": 2, "value": 3}]}, "answers.0"),
        ({"answers": [{"question": 0, "choice": 0}, {"question": 2, "value": 3}, {"question": 9, "value": 3}]},
         "answers.2"),
        ({"answers": [{"question": 0, "choice": 0}, {"question": 2, "value": 3}, {"question": 3, "text": "字" * 2001}]},
         "answers.2.text"),
        ({"answers": [{"question": 0, "choice": 0}, {"question": 0, "choice": 1}, {"question": 2, "value": 3}]},
         "answers.1"),
        ({"answers": [{"question": 0, "choice": "0"}, {"question": 2, "value": 3}]}, "answers.0.choice"),
    ]
    for body, field in cases:
        r = client.post(url, json=body, headers=auth(m))
        assert err(r) == (400, "invalid_request"), (body, r.get_json())
        assert field in r.get_json()["error"]["details"]["fields"], (body, r.get_json())
    assert db.session.scalar(select(func.count()).select_from(SurveyParticipation)) == 0
    ok = {"answers": [{"question": 0, "choice": 2}, {"question": 2, "value": 5}, {"question": 3, "text": "字" * 2000}]}
    assert client.post(url, json=ok, headers=auth(m)).status_code == 201


def test_eligibility_by_audience(client, auth, open_survey, make):
    inside = make.member(department="生产一部", tags=["青工"])
    s = open_survey(audience={"departments": ["生产一部"], "tags": ["青工"]})
    wrong_dept = make.member(department="生产二部", tags=["青工"])
    no_tag = make.member(department="生产一部")
    url = f"{API}/surveys/{s['id']}"
    assert client.get(url, headers=auth(inside)).status_code == 200
    for m in (wrong_dept, no_tag):
        assert err(client.get(url, headers=auth(m))) == (403, "not_eligible")
        assert err(client.post(f"{url}/responses", json=answers(), headers=auth(m))) == (403, "not_eligible")
        assert client.get(f"{API}/me/surveys", headers=auth(m)).get_json()["items"] == []
    assert client.post(f"{url}/responses", json=answers(), headers=auth(inside)).status_code == 201
    staff_view = client.get(url, headers=auth(make.staff())).get_json()
    assert staff_view["eligible_count"] == 1 and staff_view["answered_count"] == 1
    assert staff_view["audience"] == {"all": False, "departments": ["生产一部"], "grids": [], "tags": ["青工"]}


def test_drafts_are_hidden_from_members_and_close_ends_answering(client, auth, staff, make, open_survey):
    m = make.member()
    sid = client.post(f"{API}/surveys", json=survey_body(), headers=auth(staff)).get_json()["id"]
    assert err(client.get(f"{API}/surveys/{sid}", headers=auth(m))) == (404, "not_found")
    assert err(client.post(f"{API}/surveys/{sid}/responses", json=answers(), headers=auth(m))) == (404, "not_found")
    assert err(client.post(f"{API}/surveys/{sid}/close", headers=auth(staff))) == (409, "survey_closed")
    s = open_survey()
    r = client.post(f"{API}/surveys/{s['id']}/close", headers=auth(staff))
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    assert err(client.post(f"{API}/surveys/{s['id']}/responses", json=answers(), headers=auth(m))) \
        == (409, "survey_closed")
    assert client.get(f"{API}/me/surveys", headers=auth(m)).get_json()["items"] == []


def test_list_filters_by_status(client, auth, staff, open_survey):
    client.post(f"{API}/surveys", json=survey_body(title="草稿一份"), headers=auth(staff))
    s = open_survey(title="进行中一份")
    page = client.get(f"{API}/surveys?status=open", headers=auth(staff)).get_json()
    assert [i["id"] for i in page["items"]] == [s["id"]] and page["total"] == 1
    assert client.get(f"{API}/surveys?status=draft", headers=auth(staff)).get_json()["total"] == 1
    assert client.get(f"{API}/surveys", headers=auth(staff)).get_json()["total"] == 2
    assert err(client.get(f"{API}/surveys?status=nope", headers=auth(staff))) == (400, "invalid_request")


def test_patch_of_the_audience_keeps_questions_and_their_tags(client, auth, staff, make):
    make.department("生产一部")
    sid = client.post(f"{API}/surveys", json=survey_body(), headers=auth(staff)).get_json()["id"]
    r = client.patch(f"{API}/surveys/{sid}", json={"audience": {"departments": ["生产一部"]}}, headers=auth(staff))
    assert r.status_code == 200, r.get_json()
    s = r.get_json()
    assert s["audience"]["departments"] == ["生产一部"] and s["audience"]["all"] is False
    assert len(s["questions"]) == 4 and s["questions"][1]["option_tags"] == {"0": "需困难帮扶", "1": "需职业发展"}
    r = client.patch(f"{API}/surveys/{sid}", json={"audience": {"all": True}}, headers=auth(staff))
    assert r.get_json()["audience"]["all"] is True


def test_a_roster_import_replaces_the_rosters_tags_and_keeps_the_needs_profile(client, auth, open_survey, make, db,
                                                                                tmp_path):
    from server.members.roster import import_rows, read_roster

    s = open_survey()
    m = make.member(tags=["老会员"], department="生产一部")
    r = client.post(f"{API}/surveys/{s['id']}/responses", json=answers(post=1, needs=(0,)), headers=auth(m))
    assert r.status_code == 201, r.get_json()

    def tags():
        return dict(db.session.execute(select(Tag.name, MemberTag.source).join(MemberTag)
                                       .where(MemberTag.member_id == m.id)).all())

    assert tags() == {"老会员": "roster", "技术岗": "survey", "需困难帮扶": "survey"}
    # HR's monthly file names other tags for the member, one of them a survey's: the roster's own tags are
    # replaced, the needs profile stays, and the shared tag stays the survey's.
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,手机号,部门,网格,角色,标签\n"
                    f"{m.employee_no},{m.name},{m.phone},生产一部,,,女职工;技术岗\n", encoding="utf-8")
    report = import_rows(read_roster(path))
    assert report.updated == 1
    db.session.expire_all()
    assert tags() == {"女职工": "roster", "技术岗": "survey", "需困难帮扶": "survey"}
    # The same file again changes nothing.
    assert import_rows(read_roster(path)).unchanged == 1
    assert tags() == {"女职工": "roster", "技术岗": "survey", "需困难帮扶": "survey"}
