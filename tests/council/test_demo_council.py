"""The demo's council topic and craftsman rounds load once, through the services, and read as documented."""
from __future__ import annotations

from sqlalchemy import func, select

from server.council.models import CouncilIdea, CouncilRepresentative, CouncilSupport, CouncilTopic
from server.craftsman import services as craftsman
from server.craftsman.models import CraftsmanNomination, CraftsmanRound, CraftsmanWinner
from server.notices.models import Notice


def test_demo_council_and_craftsman(app, committing_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    s = committing_db.session
    models = (CouncilRepresentative, CouncilTopic, CouncilIdea, CouncilSupport, CraftsmanRound, CraftsmanNomination,
              CraftsmanWinner)

    def counts():
        return [s.scalar(select(func.count()).select_from(m)) for m in models]

    before = counts()
    assert before[0] == 6 and before[1] == 1 and before[2] == 4 and before[3] == 30
    statuses = sorted(s.scalars(select(CouncilIdea.status)))
    assert statuses == ["answered", "selected", "submitted", "submitted"]
    rounds = {r.year: r for r in s.scalars(select(CraftsmanRound))}
    this, last = max(rounds), min(rounds)
    assert craftsman.stage(rounds[this]) == "reviewing" and craftsman.stage(rounds[last]) == "published"
    assert before[6] == 3
    assert s.scalar(select(func.count()).select_from(Notice).where(Notice.source.in_(["council", "craftsman"]))) == 0
    s.close()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == before
    s.close()
