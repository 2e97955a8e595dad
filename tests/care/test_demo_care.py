"""The demo's hardship aid cases load once, through the services, in the stages documented."""
from __future__ import annotations

from sqlalchemy import func, select

from server.care.models import CareCase, CareGrant, CareHandler
from server.fund.models import FundEntry
from server.members.auth import issue_token
from server.members.models import Member


def test_demo_care_cases(app, committing_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    s = committing_db.session
    stages = sorted(s.scalars(select(CareCase.stage)))
    assert stages == ["aided", "awaiting_chair", "following_up", "opened"]
    grant = s.scalars(select(CareGrant).where(CareGrant.kind == "money")).one()
    entry = s.get(FundEntry, grant.fund_entry_id)
    assert entry.counterparty.startswith("困难职工帮扶个案 #") and entry.status == "approved"
    following = s.scalars(select(CareCase).where(CareCase.stage == "following_up")).one()
    assert following.next_visit_due is not None
    # D0001, the console's demo sign-in, handles cases and sees their details; D0003 is the chair.
    d1, d3, d10 = (s.scalar(select(Member).where(Member.employee_no == n)) for n in ("D0001", "D0003", "D0010"))
    assert s.scalar(select(func.count()).select_from(CareHandler).where(CareHandler.member_id == d1.id)) == 3
    with app.test_request_context():
        tokens = {m.employee_no: {"Authorization": f"Bearer {issue_token(m.id)[0]}"} for m in (d1, d3, d10)}
    client = app.test_client()
    awaiting = s.scalar(select(CareCase.id).where(CareCase.stage == "awaiting_chair"))
    assert client.get(f"/api/v1/care/cases/{awaiting}", headers=tokens["D0001"]).json["can_decide"] is None
    assert client.get(f"/api/v1/care/cases/{awaiting}", headers=tokens["D0003"]).json["can_decide"] == "chair"
    mine = client.get("/api/v1/me/care-cases", headers=tokens["D0010"]).json["items"]
    assert [c["stage"] for c in mine] == ["opened"]
    counts = s.scalar(select(func.count()).select_from(CareCase))
    s.close()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert s.scalar(select(func.count()).select_from(CareCase)) == counts
    s.close()
