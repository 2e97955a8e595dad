"""The demo's two surveys are open, answered enough to show results, and waiting for D0010."""
from __future__ import annotations

from sqlalchemy import select

from server.members.auth import issue_token
from server.members.models import Member, MemberTag, Tag
from server.surveys.models import Survey


def test_demo_surveys(app, committing_db):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    s = committing_db.session
    surveys = {x.title: x.id for x in s.scalars(select(Survey))}
    staff = s.scalar(select(Member.id).where(Member.employee_no == "D0002"))
    d10 = s.scalar(select(Member.id).where(Member.employee_no == "D0010"))
    d11 = s.scalar(select(Member.id).where(Member.employee_no == "D0011"))
    tags = set(s.scalars(select(Tag.name).join(MemberTag).where(MemberTag.member_id == d11)))
    s.remove()
    with app.test_request_context():
        staff_h = {"Authorization": "Bearer " + issue_token(staff)[0]}
        d10_h = {"Authorization": "Bearer " + issue_token(d10)[0]}
    client = app.test_client()
    mine = client.get("/api/v1/me/surveys", headers=d10_h).get_json()["items"]
    assert {i["title"]: i["answered"] for i in mine} == {"职工需求画像调查": False, "会员满意度测评（匿名）": False}
    anon = client.get(f"/api/v1/surveys/{surveys['会员满意度测评（匿名）']}/results?by=department",
                      headers=staff_h).get_json()
    assert anon["respondents"] == 30 and anon["pending"] == 0 and anon["questions"][0]["mean"] is not None
    assert anon["questions"][3]["texts"] and len(anon["groups"]) >= 2
    needs = client.get(f"/api/v1/surveys/{surveys['职工需求画像调查']}/results", headers=staff_h).get_json()
    assert needs["respondents"] == 15
    assert "需职业发展" in tags or "需困难帮扶" in tags  # D0011 answered the needs survey
