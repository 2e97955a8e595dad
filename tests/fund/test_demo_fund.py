"""The demo ledger loads once, through the services: a year published in order, a reversal, one entry pending."""
from __future__ import annotations

import time_machine
from sqlalchemy import func, select

from server.demo import roster_rows
from server.fund import chain
from server.fund import demo_data as fund_demo
from server.fund.models import FundBudget, FundEntry, FundMonth
from server.members.roster import import_rows

from .conftest import NOW


def test_demo_ledger(db):
    import_rows(roster_rows())
    with time_machine.travel(NOW, tick=False):
        added = fund_demo.load()
        assert added > 60
        assert fund_demo.load() == 0  # idempotent
    s = db.session
    months = list(s.scalars(select(FundMonth.month).order_by(FundMonth.month)))
    assert months[0] == "2025-12" and months[-1] == "2026-11" and len(months) == 12
    assert chain.verify() == (True, None)
    pending = list(s.scalars(select(FundEntry).where(FundEntry.status == "pending")))
    assert len(pending) == 1 and pending[0].date.isoformat().startswith("2026-12")
    reversal = s.scalars(select(FundEntry).where(FundEntry.reverses.is_not(None))).one()
    assert s.get(FundEntry, reversal.reverses).reversed_fen == reversal.amount_fen
    assert s.scalar(select(func.count()).select_from(FundBudget).where(FundBudget.year == 2026)) == 8
