"""The demo's volunteer hours load once and read as documented: check-outs at the past volunteer events (some
members without one), D0010's adjustment with its reason, D0003 off the leaderboard."""
from __future__ import annotations

from sqlalchemy import func, select

from server.members.auth import issue_token
from server.members.models import Member
from server.volunteers.demo_data import ADJUSTMENT_REASON
from server.volunteers.models import VolunteerAdjustment, VolunteerCheckout, VolunteerOptOut


def test_demo_volunteer_hours(app, committing_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    s = committing_db.session
    models = (VolunteerCheckout, VolunteerAdjustment, VolunteerOptOut)
    counts = {m: s.scalar(select(func.count()).select_from(m)) for m in models}
    assert counts[VolunteerCheckout] > 10 and counts[VolunteerAdjustment] == 1 and counts[VolunteerOptOut] == 1
    # Nobody is credited more than an event's length (春季健步走: 2½ hours).
    assert s.scalar(select(func.max(VolunteerCheckout.minutes))) <= 150
    d10, d3 = (s.scalar(select(Member).where(Member.employee_no == n)) for n in ("D0010", "D0003"))
    with app.test_request_context():
        token = issue_token(d10.id)[0]
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    mine = client.get("/api/v1/me/volunteer-hours", headers=headers).json
    assert mine["total_minutes"] > 60 and ADJUSTMENT_REASON in [i["reason"] for i in mine["items"]]
    board = client.get("/api/v1/volunteers/leaderboard?limit=100", headers=headers).json
    assert board["items"] and d3.name not in [r["name"] for r in board["items"]]
    s.close()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert {m: s.scalar(select(func.count()).select_from(m)) for m in models} == counts
    s.close()
