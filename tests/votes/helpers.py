"""Seeding for the tests that commit for real (races, anonymity) and for the benchmark's checks."""
from __future__ import annotations

from datetime import datetime, timedelta

from server.core.timeutil import utcnow
from server.members.auth import issue_token
from server.members.models import Member
from server.votes import services


def seed(app, db, n_members: int, closes_at: datetime | None = None,
         prefix: str = "V") -> tuple[int, list[int], list[int]]:
    """n members and one open vote (3 candidates, max 2), committed; returns (vote id, candidate ids, member ids)."""
    members = [Member(employee_no=f"{prefix}{i:05d}", name=f"投票人{i}", phone=f"137{i:08d}", roles=["member"])
               for i in range(n_members)]
    staff = Member(employee_no=f"{prefix}S0001", name="干事", roles=["member", "staff"])
    db.session.add_all([*members, staff])
    db.session.flush()
    now = utcnow()
    vote = services.create_vote(staff.id, title="工匠之星", description="", audience=None,
                                opens_at=now - timedelta(minutes=1), closes_at=closes_at or now + timedelta(hours=1),
                                max_choices=2, candidates=[{"name": "甲"}, {"name": "乙"}, {"name": "丙"}])
    services.publish_vote(vote.id)
    ids = vote.id, [c.id for c in services.candidates_of([vote.id])[vote.id]], [m.id for m in members]
    db.session.commit()
    db.session.close()
    return ids


def tokens(app, member_ids: list[int]) -> dict[int, str]:
    with app.test_request_context():
        return {mid: issue_token(mid)[0] for mid in member_ids}
