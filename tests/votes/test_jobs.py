"""The scheduler closes due votes and files their ballots once, even with two schedulers at once."""
from __future__ import annotations

import threading
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from server import scheduler
from server.core.timeutil import utcnow
from server.votes import services
from server.votes.jobs import close_due_votes
from server.votes.models import VoteBallot, VoteHeldBallot

from .helpers import seed, tokens

API = "/api/v1"


def test_two_schedulers_at_the_close_file_each_ballot_once(app, committing_db):
    closes_at = utcnow() + timedelta(minutes=10)
    vote_id, (a, _, _), members = seed(app, committing_db, 6, closes_at=closes_at)
    client = app.test_client()
    for token in tokens(app, members).values():
        r = client.post(f"{API}/votes/{vote_id}/ballots", json={"choices": [a]},
                        headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201
    with app.app_context():
        assert close_due_votes() == []  # not due
    barrier = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(close_due_votes())
            finally:
                committing_db.session.remove()

    with time_machine.travel(closes_at + timedelta(seconds=1)):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        scheduler._app = app
        scheduler.close_votes()  # a third run finds nothing to do
    assert sum(len(r) for r in results) >= 1
    s = committing_db.session
    assert s.scalar(select(func.count()).select_from(VoteBallot)) == 6
    assert s.scalar(select(func.count()).select_from(VoteHeldBallot)) == 0
    assert services.get_vote(vote_id).status == "closed"
    s.close()


def test_the_scheduler_has_the_votes_job(app):
    s = scheduler.build_scheduler(app)
    assert s.get_job("votes").trigger.interval == timedelta(seconds=15)
