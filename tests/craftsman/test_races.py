"""One nomination per nominee and one review per committee member, under concurrent requests with real
commits (SQLite file and PostgreSQL)."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.craftsman import services
from server.craftsman.models import CraftsmanNomination, CraftsmanReview
from server.members.auth import issue_token
from server.members.models import Member

API = "/api/v1"


def _all_at_once(app, calls):
    barrier = threading.Barrier(len(calls))

    def one(call):
        token, url, body = call
        client = app.test_client()
        barrier.wait()
        r = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
        return r.status_code, (r.get_json().get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_nominations_and_reviews_once_each_under_concurrent_requests(app, committing_db):
    db = committing_db
    people = [Member(employee_no=f"GJ{i:04d}", name=f"会员{i}", roles=["member"]) for i in range(9)]
    staff = Member(employee_no="GJS001", name="干事", roles=["member", "staff"])
    db.session.add_all([*people, staff])
    db.session.flush()
    now = utcnow()
    nominee, committee, nominators = people[0], people[1:4], people[4:]
    r = services.create_round(staff.id, year=2031, title="工匠之星", nomination_closes_at=now + timedelta(days=1),
                              review_closes_at=now + timedelta(days=2), vote_opens_at=now + timedelta(days=2),
                              vote_closes_at=now + timedelta(days=3), winners=3,
                              committee=[c.id for c in committee], notify=False)
    round_id, nominee_id = r.id, nominee.id
    ids = {m.id for m in people}
    committee_ids, nominator_ids = [c.id for c in committee], [m.id for m in nominators]
    db.session.commit()
    db.session.close()
    with app.test_request_context():
        tokens = {m: issue_token(m)[0] for m in ids}
    url = f"{API}/craftsman/rounds/{round_id}/nominations"
    results = _all_at_once(app, [(tokens[m], url, {"nominee_id": nominee_id, "reason": "技术骨干"})
                                 for m in nominator_ids for _ in range(2)])
    assert Counter(s for s, _ in results) == {201: 1, 409: 9}, results
    assert {c for s, c in results if s == 409} == {"already_nominated"}
    nomination_id = db.session.scalar(select(CraftsmanNomination.id).where(CraftsmanNomination.round_id == round_id))
    db.session.close()
    url = f"{API}/craftsman/nominations/{nomination_id}/review"
    results = _all_at_once(app, [(tokens[c], url, {"approve": i % 2 == 0}) for c in committee_ids for i in range(4)])
    assert Counter(s for s, _ in results) == {201: 3, 409: 9}, results
    assert {c for s, c in results if s == 409} == {"already_reviewed"}
    n = db.session.scalar(select(func.count()).select_from(CraftsmanReview)
                          .where(CraftsmanReview.nomination_id == nomination_id))
    db.session.close()
    assert n == 3
