"""The demo loads one congress session with proposals in every state (one confidential), once, and sends
no notice for them."""
from __future__ import annotations

from sqlalchemy import func, select

from server.notices.models import Notice
from server.proposals.models import CongressSession, Proposal, ProposalEvent, ProposalStatus


def test_demo_proposals(app, committing_db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "职代会提案" in result.output
    s = committing_db.session

    def counts():
        return [s.scalar(select(func.count()).select_from(m)) for m in (CongressSession, Proposal, ProposalEvent)]

    first = counts()
    statuses = set(s.scalars(select(Proposal.status)))
    assert statuses == {v.value for v in ProposalStatus}
    assert s.scalar(select(func.count()).select_from(Proposal).where(Proposal.confidential.is_(True))) == 1
    assert s.scalar(select(func.count()).select_from(Notice).where(Notice.source == "proposal")) == 0
    s.close()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == first
    s.close()
