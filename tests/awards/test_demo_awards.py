"""The demo's procurements and awards load once, through the services, and read as documented."""
from __future__ import annotations

from sqlalchemy import func, select

from server.audit_trail.models import AuditTrailEntry
from server.awards.models import Award, AwardNominee, AwardObjection
from server.members.auth import issue_token
from server.members.models import Member
from server.procurements.models import Procurement, ProcurementQuote, ProcurementRepresentative


def test_demo_procurements_and_awards(app, committing_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    s = committing_db.session
    models = (Procurement, ProcurementQuote, ProcurementRepresentative, Award, AwardNominee, AwardObjection,
              AuditTrailEntry)
    counts = {m: s.scalar(select(func.count()).select_from(m)) for m in models}
    assert counts[Procurement] == 2 and counts[ProcurementQuote] == 6 and counts[Award] == 3
    statuses = dict(s.execute(select(Procurement.title, Procurement.status)).all())
    assert sorted(statuses.values()) == ["decided", "open"]
    # The decided purchase is shown to members: its month is one the fund's demo published.
    member = s.scalar(select(Member).where(Member.employee_no == "D0020"))  # a plain member
    with app.test_request_context():
        token = issue_token(member.id)[0]
    listed = app.test_client().get("/api/v1/fund/procurements", headers={"Authorization": f"Bearer {token}"}).json
    assert [p["status"] for p in listed["items"]] == ["decided"]
    assert sorted(s.scalars(select(Award.status))) == ["draft", "final", "notice"]
    removed = s.scalar(select(func.count()).select_from(AwardNominee).where(AwardNominee.removed_reason.is_not(None)))
    assert removed == 1
    s.close()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert {m: s.scalar(select(func.count()).select_from(m)) for m in models} == counts
    s.close()
