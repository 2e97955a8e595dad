"""The demo loads one open vote with ballots and one closed vote with results, once."""
from __future__ import annotations

from sqlalchemy import func, select

from server.votes import services
from server.votes.models import Vote, VoteBallot, VoteVoter


def test_demo_votes(app, committing_db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    session = committing_db.session

    def counts():
        return [session.scalar(select(func.count()).select_from(m)) for m in (Vote, VoteVoter, VoteBallot)]

    first = counts()
    votes = {v.title: v for v in session.scalars(select(Vote))}
    # The open one: the craftsman star's demo adds last year's, closed.
    open_vote = next(v for t, v in votes.items() if "技术创新能手" in t and v.status == "open")
    closed = next(v for v in votes.values() if v.status == "closed")
    assert services.shown_status(open_vote) == "open" and open_vote.max_choices == 3
    assert len(services.candidates_of([open_vote.id])[open_vote.id]) == 5
    voted = session.scalar(select(func.count()).select_from(VoteVoter).where(VoteVoter.vote_id == open_vote.id))
    assert voted > 0
    res = services.results(closed)
    assert res["ballots"] == res["voters"] > 0 and sum(c["votes"] for c in res["candidates"]) == res["ballots"]
    session.close()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "投票" in second.output
    assert counts() == first
