"""Two people acting on one request at once: real commits from threads (SQLite file and PostgreSQL;
committing_db empties the tables afterwards). Each step is a conditional UPDATE, so of two that exclude each
other one wins and the other is told 409 invalid_transition; steps that may follow each other end as some
serial order would, never with a lost update."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from server.core.timeutil import utcnow
from server.member_requests.models import Request, RequestEvent
from server.members.auth import issue_token
from server.members.models import Grid, Member

API = "/api/v1"
ROUNDS = 4


def _seed(db, status: str, rounds: int = ROUNDS):
    """A grid, its member and liaison, two staff; ``rounds`` requests in ``status``; committed."""
    s = db.session
    grid = Grid(name="竞速网格")
    s.add(grid)
    s.flush()
    people = {
        "member": Member(employee_no="R0001", name="会员", roles=["member"], grid_id=grid.id),
        "liaison": Member(employee_no="R0002", name="联络员", roles=["member", "liaison"], grid_id=grid.id),
        "staff": Member(employee_no="R0003", name="干事甲", roles=["member", "staff"]),
        "staff2": Member(employee_no="R0004", name="干事乙", roles=["member", "staff"]),
    }
    s.add_all(people.values())
    s.flush()
    now = utcnow()
    resolved = status in ("resolved", "closed")
    reqs = [Request(member_id=people["member"].id, category="canteen", title=f"诉求{i}", content="内容",
                    status=status, grid_id=grid.id, first_response_due_at=now + timedelta(days=1),
                    resolve_due_at=now + timedelta(days=10), first_response_at=now if status != "submitted" else None,
                    resolved_at=now if resolved else None, assignee_id=people["staff"].id if resolved else None)
            for i in range(rounds)]
    s.add_all(reqs)
    s.commit()
    ids = [r.id for r in reqs]
    person_ids = {k: m.id for k, m in people.items()}
    s.close()
    return ids, person_ids


def _run(app, calls):
    """calls: [(member_id, path, body)], all sent at once; the answers in the same order."""
    with app.test_request_context():
        tokens = {mid: issue_token(mid)[0] for mid in {c[0] for c in calls}}
    barrier = threading.Barrier(len(calls))

    def one(call):
        mid, path, body = call
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}{path}", json=body, headers={"Authorization": f"Bearer {tokens[mid]}"})
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def _timeline(db, request_id):
    return db.session.scalars(select(RequestEvent.action).where(RequestEvent.request_id == request_id)
                              .order_by(RequestEvent.id)).all()


def _one_wins(answers):
    codes = sorted(code for code, _ in answers)
    assert codes == [200, 409], answers
    loser = next(body for code, body in answers if code == 409)
    assert loser["error"]["code"] == "invalid_transition", loser
    return next(body for code, body in answers if code == 200)


def test_two_handlers_accepting_at_once_one_wins(app, committing_db):
    ids, p = _seed(committing_db, "submitted")
    calls = [(who, f"/requests/{rid}/accept", {}) for rid in ids for who in (p["liaison"], p["staff"])]
    answers = _run(app, calls)
    for i, rid in enumerate(ids):
        winner = _one_wins(answers[2 * i:2 * i + 2])
        stored = committing_db.session.get(Request, rid)
        assert stored.status == "accepted" and stored.assignee_id == winner["assignee"]["id"]
        assert _timeline(committing_db, rid) == ["accepted"]


def test_two_handlers_resolving_at_once_one_wins(app, committing_db):
    ids, p = _seed(committing_db, "accepted")
    calls = [(who, f"/requests/{rid}/resolve", {"resolution": f"由{who}办结"})
             for rid in ids for who in (p["staff"], p["staff2"])]
    answers = _run(app, calls)
    for i, rid in enumerate(ids):
        _one_wins(answers[2 * i:2 * i + 2])
        assert _timeline(committing_db, rid) == ["resolved"]


def test_a_member_confirming_twice_at_once_scores_once(app, committing_db):
    ids, p = _seed(committing_db, "resolved")
    calls = [(p["member"], f"/requests/{rid}/confirm", {"satisfaction": s}) for rid in ids for s in (5, 1)]
    answers = _run(app, calls)
    for i, rid in enumerate(ids):
        winner = _one_wins(answers[2 * i:2 * i + 2])
        stored = committing_db.session.get(Request, rid)
        assert (stored.status, stored.satisfaction) == ("closed", winner["satisfaction"])
        assert _timeline(committing_db, rid) == ["confirmed"]


def test_confirm_while_reopening_ends_as_one_order_or_the_other(app, committing_db):
    """Reopening is allowed from closed too, so both may succeed (confirm, then reopen); but a confirm after
    the reopen finds it reopened and is refused. Never both applied to the same resolved state."""
    ids, p = _seed(committing_db, "resolved")
    staff_resolve = [(p["staff"], f"/requests/{rid}/resolve", {"resolution": "再次办结"}) for rid in ids]
    calls = [c for rid in ids for c in [(p["member"], f"/requests/{rid}/confirm", {"satisfaction": 4}),
                                        (p["member"], f"/requests/{rid}/reopen", {"reason": "没解决"})]]
    answers = _run(app, calls)
    for i, rid in enumerate(ids):
        (confirm_code, confirm), (reopen_code, _) = answers[2 * i:2 * i + 2]
        assert reopen_code == 200, answers[2 * i:2 * i + 2]
        stored = committing_db.session.get(Request, rid)
        assert (stored.status, stored.satisfaction, stored.reopen_count) == ("reopened", None, 1)
        if confirm_code == 200:
            assert _timeline(committing_db, rid) == ["confirmed", "reopened"]
        else:
            assert (confirm_code, confirm["error"]["code"]) == (409, "invalid_transition")
            assert _timeline(committing_db, rid) == ["reopened"]
    # And then staff resolving while the member confirms: the confirm only applies to a resolved request.
    committing_db.session.close()
    answers = _run(app, [c for rid, res in zip(ids, staff_resolve, strict=True) for c in
                         [res, (p["member"], f"/requests/{rid}/confirm", {"satisfaction": 3})]])
    for i, rid in enumerate(ids):
        (resolve_code, _), (confirm_code, confirm) = answers[2 * i:2 * i + 2]
        assert resolve_code == 200
        stored = committing_db.session.get(Request, rid)
        if confirm_code == 200:
            assert stored.status == "closed" and _timeline(committing_db, rid)[-2:] == ["resolved", "confirmed"]
        else:
            assert confirm["error"]["code"] == "invalid_transition"
            assert stored.status == "resolved" and _timeline(committing_db, rid)[-1] == "resolved"
