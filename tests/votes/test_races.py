"""Ballots under concurrency, with real commits from many threads (SQLite file and PostgreSQL)."""
from __future__ import annotations

import hashlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select, update

from server.core.timeutil import utcnow
from server.votes import services
from server.votes.jobs import close_due_votes
from server.votes.models import Vote, VoteBallot, VoteHeldBallot, VoteVoter

from .helpers import seed, tokens

API = "/api/v1"


def _post_all(app, vote_id: int, pairs: list[tuple[str, list[int]]]):
    barrier = threading.Barrier(len(pairs))

    def one(pair):
        token, choices = pair
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}/votes/{vote_id}/ballots", json={"choices": choices},
                        headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        return list(pool.map(one, pairs))


def _count(db, model, vote_id):
    n = db.session.scalar(select(func.count()).select_from(model).where(model.vote_id == vote_id))
    db.session.close()
    return n


def test_one_member_on_16_threads_casts_one_ballot(app, committing_db):
    vote_id, (a, b, c), (member,) = seed(app, committing_db, 1)
    token = tokens(app, [member])[member]
    results = _post_all(app, vote_id, [(token, [a, b] if i % 2 else [c]) for i in range(16)])
    statuses = Counter(s for s, _ in results)
    assert statuses == {201: 1, 409: 15}, results
    assert {body["error"]["code"] for s, body in results if s == 409} == {"already_voted"}
    assert _count(committing_db, VoteVoter, vote_id) == 1
    assert _count(committing_db, VoteHeldBallot, vote_id) == 1


def test_two_devices_of_each_member_cast_one_ballot_each(app, committing_db):
    vote_id, (a, b, _), members = seed(app, committing_db, 8)
    first, second = tokens(app, members), tokens(app, members)  # a sign-in on each phone
    pairs = [(first[m], [a]) for m in members] + [(second[m], [b]) for m in members]
    results = _post_all(app, vote_id, pairs)
    assert Counter(s for s, _ in results) == {201: 8, 409: 8}, results
    assert _count(committing_db, VoteVoter, vote_id) == 8
    with app.app_context():
        assert close_due_votes() == []  # not due yet
        services.close_vote(vote_id, early=True)
        committing_db.session.commit()
    assert _count(committing_db, VoteBallot, vote_id) == 8


def test_ballots_arriving_while_the_close_passes(app, committing_db):
    """Threads vote, member after member, while closes_at passes and the close job runs: every ballot
    answered 201 is counted, none is taken from a request sent after the close."""
    n_threads, per_thread = 8, 40
    vote_id, (a, b, c), members = seed(app, committing_db, n_threads * per_thread)
    toks = tokens(app, members)
    # The close is set once everything is seeded: seeding 320 members on a loaded machine can take longer
    # than the 0.8 s the voters get, and a vote cannot be published with its close already past.
    closes_at = utcnow() + timedelta(seconds=0.8)
    committing_db.session.execute(update(Vote).where(Vote.id == vote_id).values(closes_at=closes_at))
    committing_db.session.commit()
    committing_db.session.close()
    barrier = threading.Barrier(n_threads + 1)
    answers: list[tuple] = []  # (sent_at, answered_at, status, code or receipt)
    lock = threading.Lock()

    def voter(k):
        client = app.test_client()
        barrier.wait()
        for m in members[k * per_thread:(k + 1) * per_thread]:
            sent = utcnow()
            r = client.post(f"{API}/votes/{vote_id}/ballots", json={"choices": [a, c] if m % 2 else [b]},
                            headers={"Authorization": f"Bearer {toks[m]}"})
            body = r.get_json()
            with lock:
                answers.append((sent, utcnow(), r.status_code,
                                body.get("receipt") if r.status_code == 201 else body["error"]["code"]))
            if r.status_code == 409:
                return

    def closer():
        barrier.wait()
        with app.app_context():
            while not close_due_votes():  # polls the job as the scheduler would, until it has closed the vote
                pass

    with ThreadPoolExecutor(max_workers=n_threads + 1) as pool:
        futures = [pool.submit(voter, k) for k in range(n_threads)] + [pool.submit(closer)]
        for f in futures:
            f.result()

    accepted = [x for x in answers if x[2] == 201]
    refused = [x for x in answers if x[2] != 201]
    assert accepted and refused
    assert {x[3] for x in refused} == {"vote_closed"}
    assert all(sent < closes_at for sent, _, _, _ in accepted)  # none counted from after the close
    assert all(answered >= closes_at for _, answered, _, _ in refused)  # none refused before it
    with app.app_context():
        vote = services.get_vote(vote_id)
        res = services.results(vote)
        committing_db.session.close()
    assert res["ballots"] == len(accepted) == res["voters"]  # none lost
    assert sorted(hashlib.sha256(x[3].encode()).hexdigest() for x in accepted) == res["receipts"]
    assert _count(committing_db, VoteHeldBallot, vote_id) == 0
