"""People acting on one case at once, with real commits from threads (SQLite file and PostgreSQL): exactly one
wins each time, and the database holds one decision per step and round, one handler taken."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import time_machine
from sqlalchemy import func, select

from server.care import services as care
from server.care.models import CareCase, CareDecision, CareHandler
from server.fund.chart import ensure_chart
from server.members.auth import issue_token
from server.members.models import Member

from .conftest import API, NOW


def _setup(app, db, stage: str):
    """Two staff handlers, two chairs, the member; a case brought to ``stage``; ids and tokens."""
    ensure_chart()
    people = {
        "member": Member(employee_no="CR0001", name="会员", roles=["member"]),
        "s1": Member(employee_no="CR0002", name="干事一", roles=["member", "staff"]),
        "s2": Member(employee_no="CR0003", name="干事二", roles=["member", "staff"]),
        "c1": Member(employee_no="CR0004", name="主席", roles=["member", "secretary"]),
        "c2": Member(employee_no="CR0005", name="副主席", roles=["member", "secretary"]),
    }
    db.session.add_all(people.values())
    db.session.flush()
    case = care.open_case(people["member"], category="illness", summary="情况", notify=False)
    if stage != "opened":
        for s in ("s1", "s2"):
            care.add_handler(people["c1"], case.id, people[s].id)
        care.assess(people["s1"], case.id, {"situation": "家庭", "need": "补助"})
    if stage == "awaiting_chair":
        care.decide(people["s1"], case.id, "approve")
    ids = {k: m.id for k, m in people.items()}
    cid = case.id
    db.session.commit()
    db.session.close()
    with app.test_request_context():
        tokens = {k: {"Authorization": "Bearer " + issue_token(i)[0]} for k, i in ids.items()}
    return cid, ids, tokens


def _run(app, jobs):
    """jobs: [(method, path, headers, body)] all released at once; [(status, code)]."""
    barrier = threading.Barrier(len(jobs))

    def one(job):
        method, path, headers, body = job
        client = app.test_client()
        barrier.wait()
        r = client.open(f"{API}{path}", method=method, headers=headers, json=body)
        return r.status_code, (r.get_json().get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


def test_two_handlers_deciding_at_once_make_one_decision(app, committing_db):
    db = committing_db
    with time_machine.travel(NOW, tick=False):
        cid, _ids, tok = _setup(app, db, "assessing")
        path = f"/care/cases/{cid}/decisions"
        results = _run(app, [("POST", path, tok["s1"], {"decision": "approve"}),
                             ("POST", path, tok["s2"], {"decision": "reject"})] * 2)
    assert Counter(s for s, _ in results) == {200: 1, 409: 3}, results
    assert {c for s, c in results if s == 409} == {"wrong_stage"}
    assert db.session.scalar(select(func.count()).select_from(CareDecision).where(CareDecision.case_id == cid)) == 1
    stage = db.session.scalar(select(CareCase.stage).where(CareCase.id == cid))
    assert stage in ("awaiting_chair", "rejected")
    db.session.close()


def test_the_chairs_decision_racing_a_return_and_a_withdrawal(app, committing_db):
    db = committing_db
    with time_machine.travel(NOW, tick=False):
        cid, _ids, tok = _setup(app, db, "awaiting_chair")
        path = f"/care/cases/{cid}/decisions"
        results = _run(app, [("POST", path, tok["c1"], {"decision": "approve"}),
                             ("POST", path, tok["c2"], {"decision": "return", "comment": "补充材料"}),
                             ("POST", f"/care/cases/{cid}/withdraw", tok["member"], {})])
    approve, ret, withdraw = (status == 200 for status, _ in results)
    assert all(status in (200, 409) for status, _ in results), results
    assert not (approve and ret), results  # one chair decision per round
    case = db.session.get(CareCase, cid)
    chair_steps = db.session.scalar(select(func.count()).select_from(CareDecision).where(
        CareDecision.case_id == cid, CareDecision.step == "chair"))
    assert chair_steps == int(approve or ret)
    if approve:  # approved: too late to withdraw
        assert not withdraw and case.stage == "approved" and case.round == 1
    elif ret:  # returned to assessing: a withdrawal after it is allowed
        assert case.round == 2 and case.stage == ("withdrawn" if withdraw else "assessing")
    else:  # the withdrawal came first: no chair decision could follow
        assert withdraw and case.stage == "withdrawn" and case.round == 1
    db.session.close()


def test_two_staff_taking_one_unassigned_case_one_gets_it(app, committing_db):
    db = committing_db
    with time_machine.travel(NOW, tick=False):
        cid, ids, tok = _setup(app, db, "opened")
        path = f"/care/cases/{cid}/handlers"
        results = _run(app, [("POST", path, tok["s1"], {"member_id": ids["s1"]}),
                             ("POST", path, tok["s2"], {"member_id": ids["s2"]})] * 2)
    # The winner's second request is answered as the first (already theirs); the other person is refused.
    handlers = list(db.session.scalars(select(CareHandler.member_id).where(CareHandler.case_id == cid)))
    assert len(handlers) == 1, (handlers, results)
    winner = "s1" if handlers[0] == ids["s1"] else "s2"
    for (status, code), who in zip(results, ["s1", "s2"] * 2, strict=True):
        if who == winner:
            assert status == 200
        else:  # lost the race (409), or asked once the case had left their list (404, as SQLite serialises)
            assert (status, code) in ((409, "case_taken"), (404, "not_found"))
    assert db.session.scalar(select(CareCase.handler_count).where(CareCase.id == cid)) == 1
    db.session.close()


def test_two_openings_of_one_category_at_once_open_one_case(app, committing_db):
    db = committing_db
    with time_machine.travel(NOW, tick=False):
        _cid, ids, tok = _setup(app, db, "opened")
        body = {"category": "income", "summary": "收入低"}
        results = _run(app, [("POST", "/care/cases", tok["member"], body)] * 4)
    assert Counter(s for s, _ in results) == {201: 1, 409: 3}, results
    assert {c for s, c in results if s == 409} == {"case_open"}
    assert db.session.scalar(select(func.count()).select_from(CareCase).where(
        CareCase.member_id == ids["member"], CareCase.category == "income")) == 1
    db.session.close()
