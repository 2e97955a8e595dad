"""One support each under concurrent requests, with real commits (SQLite file and PostgreSQL)."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.council import services
from server.council.models import CouncilSupport
from server.members.auth import issue_token
from server.members.models import Member

API = "/api/v1"


def test_each_member_supports_once_under_concurrent_requests(app, committing_db):
    db = committing_db
    members = [Member(employee_no=f"CR{i:04d}", name=f"会员{i}", roles=["member"]) for i in range(7)]
    staff = Member(employee_no="CRS001", name="干事", roles=["member", "staff"])
    db.session.add_all([*members, staff])
    db.session.flush()
    topic = services.create_topic(staff.id, month="2026-11", title="考勤", description="",
                                  closes_at=utcnow() + timedelta(days=1), notify=False)
    idea = services.post_idea(members[0].id, topic.id, "弹性打卡", "早晚各宽限十分钟")
    idea_id, supporters = idea.id, [m.id for m in members[1:]]
    db.session.commit()
    db.session.close()
    with app.test_request_context():
        tokens = {m: issue_token(m)[0] for m in supporters}
    jobs = [tokens[m] for m in supporters for _ in range(3)]  # three devices each, at once
    barrier = threading.Barrier(len(jobs))

    def one(token):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}/council/ideas/{idea_id}/support", headers={"Authorization": f"Bearer {token}"})
        return r.status_code, (r.get_json().get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(one, jobs))
    assert Counter(s for s, _ in results) == {201: 6, 409: 12}, results
    assert {c for s, c in results if s == 409} == {"already_supported"}
    n = db.session.scalar(select(func.count()).select_from(CouncilSupport).where(CouncilSupport.idea_id == idea_id))
    db.session.close()
    assert n == 6
