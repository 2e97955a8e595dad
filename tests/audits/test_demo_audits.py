"""The demo's audits and improvement items load once, through the services, and read as documented."""
from __future__ import annotations

from sqlalchemy import func, select

from server.audits.models import Audit, AuditItem
from server.improvements.models import Improvement
from server.members.models import Member
from server.notices.models import Notice


def test_demo_audits_and_improvements(app, committing_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    s = committing_db.session

    def counts():
        return [s.scalar(select(func.count()).select_from(m)) for m in (Audit, AuditItem, Improvement)]

    before = counts()
    # Five improvement items are the audits' demo; the sixth is the report demo's (tests/reports/).
    assert before == [2, 14, 6]
    kinds = {a.kind: a.status for a in s.scalars(select(Audit))}
    assert kinds == {"procedure_annual": "closed", "fund_semiannual": "open"}
    d10 = s.scalar(select(Member.id).where(Member.employee_no == "D0010"))
    assert s.scalar(select(func.count()).select_from(Improvement).where(Improvement.owner_id == d10)) == 2
    assert s.scalar(select(func.count()).select_from(Improvement).where(Improvement.source == "audit")) == 2
    assert s.scalar(select(func.count()).select_from(Notice).where(Notice.source == "improvement")) == 0
    s.close()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == before
    s.close()
