"""The co-signer threshold under a race, with real commits from threads (SQLite file and PostgreSQL): a
withdrawal racing the submit never leaves a submitted proposal below the session's minimum."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.members.auth import issue_token
from server.members.models import Member
from server.proposals import services
from server.proposals.models import Proposal, ProposalCosigner

API = "/api/v1"
ROUNDS = 12


def _seed(db) -> tuple[list[int], int, list[int]]:
    proposer = Member(employee_no="PR0001", name="提案人", roles=["member"])
    signers = [Member(employee_no=f"PR1{i:03d}", name=f"附议人{i}", roles=["member"]) for i in range(3)]
    staff = Member(employee_no="PRS001", name="干事", roles=["member", "staff"])
    db.session.add_all([proposer, *signers, staff])
    db.session.flush()
    session = services.create_session(staff.id, "职代会", utcnow() + timedelta(days=3), 2)
    ids = []
    for i in range(ROUNDS):
        p = Proposal(session_id=session.id, member_id=proposer.id, title=f"提案{i}", problem="p", solution="s",
                     department="d", status="draft", co_departments=[])
        db.session.add(p)
        db.session.flush()
        db.session.add_all([ProposalCosigner(proposal_id=p.id, member_id=m.id) for m in signers[:2]])
        ids.append(p.id)
    out = ids, proposer.id, [m.id for m in signers]
    db.session.commit()
    db.session.close()
    return out


def test_a_withdrawal_racing_the_submit_never_leaves_it_below_the_threshold(app, committing_db):
    ids, proposer, signers = _seed(committing_db)
    with app.test_request_context():
        ptok = issue_token(proposer)[0]
        stok = issue_token(signers[0])[0]

    def call(args):
        barrier, method, path, token = args
        client = app.test_client()
        barrier.wait()
        r = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})
        return r.status_code, (r.get_json() or {}).get("error", {}).get("code")

    outcomes = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for pid in ids:
            barrier = threading.Barrier(2)
            submit, withdraw = pool.map(call, [(barrier, "POST", f"{API}/proposals/{pid}/submit", ptok),
                                               (barrier, "DELETE", f"{API}/proposals/{pid}/cosign", stok)])
            outcomes.append((submit, withdraw))
    for pid, (submit, withdraw) in zip(ids, outcomes, strict=True):
        p = committing_db.session.get(Proposal, pid)
        n = committing_db.session.scalar(select(func.count()).select_from(ProposalCosigner)
                                         .where(ProposalCosigner.proposal_id == pid))
        if submit[0] == 200:
            assert withdraw == (409, "invalid_transition") and p.status == "submitted" and n == 2, (submit, withdraw)
        else:
            assert submit == (409, "not_enough_cosigners") and withdraw[0] == 200, (submit, withdraw)
            assert p.status == "draft" and n == 1
    committing_db.session.close()
    assert {s[0] for s, _ in outcomes} <= {200, 409}


def test_two_schedulers_at_once_step_each_proposal_once(app, committing_db):
    """Two scheduler passes at the same instant (real commits): one warning, one escalation, one notice each."""
    from server.notices.models import Notice
    from server.proposals import jobs
    from server.proposals.models import ProposalEvent

    ids, proposer, _ = _seed(committing_db)
    now = utcnow()
    with app.app_context():
        committing_db.session.execute(
            Proposal.__table__.update().where(Proposal.id.in_(ids[:6])).values(
                status="submitted", assignment_warn_at=now - timedelta(hours=1),
                assignment_due_at=now + timedelta(hours=1)))
        committing_db.session.execute(
            Proposal.__table__.update().where(Proposal.id.in_(ids[6:])).values(
                status="accepted", assignment_warn_at=now - timedelta(days=2),
                assignment_due_at=now - timedelta(hours=1), assign_warned_at=now - timedelta(days=1)))
        committing_db.session.commit()
        committing_db.session.close()
    barrier = threading.Barrier(2)

    def one(_):
        with app.app_context():
            barrier.wait()
            try:
                return jobs.run_clocks(now)
            finally:
                committing_db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, range(2)))
    assert sorted(r["warned"]["proposals"] for r in results) == [0, 6]
    assert sorted(r["escalated"]["level1"] for r in results) == [0, 6]
    with app.app_context():
        s = committing_db.session
        assert s.scalar(select(func.count()).select_from(ProposalEvent).where(ProposalEvent.action == "warned")) == 6
        assert s.scalar(select(func.count()).select_from(ProposalEvent).where(ProposalEvent.action == "escalated")) == 6
        assert s.scalar(select(func.count()).select_from(Notice).where(Notice.source == "proposal")) == 2
        s.close()
