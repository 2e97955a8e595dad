"""Results by hand-computed numbers, small groups merged, texts in a random order, the XLSX file, turnout,
and reminders once."""
from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.notices.models import Notice, NoticeRecipient
from server.surveys import answering, jobs
from server.surveys.models import SurveyResponse
from server.surveys.results import merge_small

from .conftest import API, answers


def test_merge_small_never_shows_a_group_under_five():
    assert merge_small({"a": 7, "b": 5, "c": 2, "d": 3}) == ({"a": "a", "b": "b", "c": "other", "d": "other"}, set())
    # The merged group would be 2: the smallest shown group joins it.
    mapping, hidden = merge_small({"a": 9, "b": 6, "c": 2})
    assert mapping == {"a": "a", "b": "other", "c": "other"} and not hidden
    mapping, hidden = merge_small({"a": 3})
    assert mapping == {} and hidden == {"a"}


def test_counts_means_and_department_breakdown(client, auth, open_survey, make, staff):
    s = open_survey()
    # 生产一部: 6 respondents; 生产二部: 3; 技术部: 2 → the last two merge into "other" (5).
    plan = [("生产一部", 0, (0,), 5)] * 4 + [("生产一部", 1, (0, 1), 3)] * 2 \
        + [("生产二部", 2, (1,), 2)] * 3 + [("技术部", 1, (), 4)] * 2
    for dept, post, needs, value in plan:
        m = make.member(department=dept)
        r = client.post(f"{API}/surveys/{s['id']}/responses", json=answers(post, needs, value), headers=auth(m))
        assert r.status_code == 201, r.get_json()
    res = client.get(f"{API}/surveys/{s['id']}/results", headers=auth(staff)).get_json()
    assert res["respondents"] == 11 and res["pending"] == 0 and res["anonymous"] is False
    q0, q1, q2, q3 = res["questions"]
    assert [o["count"] for o in q0["options"]] == [4, 4, 3] and q0["answered"] == 11
    assert [o["count"] for o in q1["options"]] == [6, 5, 0] and q1["answered"] == 9
    assert q2["distribution"] == {"1": 0, "2": 3, "3": 2, "4": 2, "5": 4}
    assert q2["mean"] == round((4 * 5 + 2 * 3 + 3 * 2 + 2 * 4) / 11, 2)
    assert q3["texts"] == [] and q3["answered"] == 0
    res = client.get(f"{API}/surveys/{s['id']}/results?by=department", headers=auth(staff)).get_json()
    groups = {g["group"]: g for g in res["groups"]}
    assert {g: groups[g]["respondents"] for g in groups} == {"生产一部": 6, "other": 5}
    assert [o["count"] for o in groups["生产一部"]["questions"][0]["options"]] == [4, 2, 0]
    assert groups["生产一部"]["questions"][2]["mean"] == round((4 * 5 + 2 * 3) / 6, 2)
    assert [o["count"] for o in groups["other"]["questions"][0]["options"]] == [0, 2, 3]
    assert client.get(f"{API}/surveys/{s['id']}/results?by=nope", headers=auth(staff)).status_code == 400


def test_tag_breakdown_identified_only(client, auth, open_survey, make, staff):
    s = open_survey()
    for _ in range(5):
        m = make.member()
        client.post(f"{API}/surveys/{s['id']}/responses", json=answers(post=2), headers=auth(m))
    res = client.get(f"{API}/surveys/{s['id']}/results?by=tag", headers=auth(staff)).get_json()
    assert {g["group"]: g["respondents"] for g in res["groups"]} == {"管理岗": 5, "需职业发展": 5}
    anon = open_survey(anonymous=True, questions=[{"kind": "scale", "text": "满意度"}])
    r = client.get(f"{API}/surveys/{anon['id']}/results?by=tag", headers=auth(staff))
    assert r.status_code == 400 and "by" in r.get_json()["error"]["details"]["fields"]


def test_texts_come_in_a_random_order(client, auth, open_survey, make, staff):
    s = open_survey()
    written = [f"建议第{i}条" for i in range(12)]
    for t in written:
        r = client.post(f"{API}/surveys/{s['id']}/responses", json=answers(text=t), headers=auth(make.member()))
        assert r.status_code == 201
    orders = [client.get(f"{API}/surveys/{s['id']}/results", headers=auth(staff)).get_json()["questions"][3]["texts"]
              for _ in range(3)]
    assert all(Counter(o) == Counter(written) for o in orders)
    assert len({tuple(o) for o in orders}) > 1  # 12! orders: three equal draws would be a one-in-10^17 chance


def test_xlsx_is_a_real_workbook(client, auth, open_survey, make, staff):
    s = open_survey(title="=HYPERLINK(1)")
    for t in ["食堂", "=1+1"]:
        client.post(f"{API}/surveys/{s['id']}/responses", json=answers(text=t, value=5), headers=auth(make.member()))
    r = client.get(f"{API}/surveys/{s['id']}/results.xlsx", headers=auth(staff))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("题号", "题目", "题型", "选项/分值", "人数", "文字回答")
    assert (1, "您的岗位", "单选", "生产岗", 2, None) in rows
    assert (3, "对工会工作的满意度", "评分（1–5）", "平均分", 5, None) in rows
    assert {row[5] for row in rows if row[0] == 4} == {"食堂", "=1+1"}
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s"


def test_turnout_from_the_participation_record(client, auth, open_survey, make, staff):
    members = [make.member(department="生产一部") for _ in range(6)] + [make.member(department="小部门")
                                                                    for _ in range(4)]
    s = open_survey(anonymous=True, questions=[{"kind": "scale", "text": "满意度"}])
    for m in members[:3] + members[6:7]:
        r = client.post(f"{API}/surveys/{s['id']}/responses", json={"answers": [{"question": 0, "value": 4}]},
                        headers=auth(m))
        assert r.status_code == 201
    t = client.get(f"{API}/surveys/{s['id']}/turnout", headers=auth(staff)).get_json()
    eligible = len(members) + 1  # and the staff member, in {"all": true}
    assert t["eligible"] == eligible and t["answered"] == 4 and t["rate"] == round(4 / eligible, 4)
    assert t["by_department"] == [{"department": "生产一部", "eligible": 6, "answered": 3},
                                  {"department": "other", "eligible": 5, "answered": 1}]
    # Held, not yet filed: the results count nothing yet and say how many wait.
    res = client.get(f"{API}/surveys/{s['id']}/results", headers=auth(staff)).get_json()
    assert res["respondents"] == 0 and res["pending"] == 4


def test_reminders_go_once_to_those_who_have_not_answered(client, auth, make, staff, db):
    now = utcnow()
    done, waiting = make.member(department="生产一部"), make.member(department="生产一部")
    make.member(department="生产二部")
    r = client.post(f"{API}/surveys", headers=auth(staff), json={
        "title": "满意度调查", "anonymous": True, "audience": {"departments": ["生产一部"]},
        "opens_at": (now - timedelta(hours=1)).isoformat(), "closes_at": (now + timedelta(days=3)).isoformat(),
        "questions": [{"kind": "scale", "text": "满意度"}]})
    sid = r.get_json()["id"]
    client.post(f"{API}/surveys/{sid}/publish", headers=auth(staff))
    client.post(f"{API}/surveys/{sid}/responses", json={"answers": [{"question": 0, "value": 3}]}, headers=auth(done))
    db.session.commit()
    with time_machine.travel(now + timedelta(days=1, hours=23)):
        assert jobs.remind_due() == []
    with time_machine.travel(now + timedelta(days=2, hours=1)):
        assert jobs.remind_due() == [sid]
        assert jobs.remind_due() == []
    with time_machine.travel(now + timedelta(days=2, hours=12)):
        assert jobs.run()["reminded"] == []
    notices = db.session.scalars(select(Notice).where(Notice.source == "survey")).all()
    assert len(notices) == 1 and notices[0].page == f"pages/surveys/answer?id={sid}"
    recipients = set(db.session.scalars(select(NoticeRecipient.member_id)
                                        .where(NoticeRecipient.notice_id == notices[0].id)))
    assert recipients == {waiting.id}
    # The job also filed the held response: its random delay (at most SURVEY_MAX_DELAY_SECONDS) had passed.
    assert answering.held_counts([sid])[sid] == 0
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_anonymous_rows_keep_only_groups_five_share(client, auth, open_survey, make, staff, db):
    from server.surveys.jobs import file_held_responses

    s = open_survey(anonymous=True, questions=[{"kind": "scale", "text": "满意度"}])
    crowd = [make.member(department="生产一部", grid="第一网格") for _ in range(5)] \
        + [make.member(department="生产一部", grid="第二网格")]
    alone = make.member(department="小班组", grid="第一网格")
    for m in crowd + [alone]:
        r = client.post(f"{API}/surveys/{s['id']}/responses", json={"answers": [{"question": 0, "value": 2}]},
                        headers=auth(m))
        assert r.status_code == 201
    db.session.commit()
    assert file_held_responses() == 7
    rows = Counter(db.session.execute(select(SurveyResponse.department, SurveyResponse.grid)).all())
    assert rows == {("生产一部", "第一网格"): 5, ("生产一部", None): 1, (None, None): 1}
    assert {r.answered_on for r in db.session.scalars(select(SurveyResponse))} == {answering.today()}


def test_closing_files_what_is_left(client, auth, open_survey, make, staff, db):
    s = open_survey(anonymous=True, questions=[{"kind": "scale", "text": "满意度"}])
    for value in (2, 5):
        client.post(f"{API}/surveys/{s['id']}/responses", json={"answers": [{"question": 0, "value": value}]},
                    headers=auth(make.member()))
    db.session.commit()
    assert answering.file_held() == 0  # two wait, none due, the survey open
    assert client.post(f"{API}/surveys/{s['id']}/close", headers=auth(staff)).status_code == 200
    assert answering.file_held() == 2
    res = client.get(f"{API}/surveys/{s['id']}/results", headers=auth(staff)).get_json()
    assert res["respondents"] == 2 and res["questions"][0]["mean"] == 3.5 and res["status"] == "closed"
