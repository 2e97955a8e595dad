"""The demo shows the report: the last complete quarter archived with its PDF (the committee told), an
improvement item from a department's participation rate checked in this quarter's report; loaded twice, the
same."""
from __future__ import annotations

from sqlalchemy import func, select

from server.core.timeutil import SHANGHAI, utcnow
from server.members.auth import issue_token
from server.members.models import Member
from server.notices.models import Notice
from server.reports.demo_data import ITEM
from server.reports.models import ArchivedReport
from server.reports.periods import Period


def test_demo_report(app, committing_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    s = committing_db.session
    quarter = Period.containing(utcnow().astimezone(SHANGHAI).date())
    (archived,) = s.scalars(select(ArchivedReport)).all()
    assert archived.period == quarter.previous().key and archived.pdf.startswith(b"%PDF")
    assert s.scalar(select(func.count()).select_from(Notice).where(Notice.source == "report")) == 1
    staff = s.scalar(select(Member).where(Member.employee_no == "D0002"))
    with app.test_request_context():
        token = issue_token(staff.id)[0]
    body = app.test_client().get(f"/api/v1/reports/effectiveness?quarter={quarter.key}",
                                 headers={"Authorization": f"Bearer {token}"}).get_json()
    figures = {f["key"]: f for f in body["figures"]}
    # The roster counts from a year ago, so both quarters have members and a rate.
    assert figures["participation.rate"]["value"] is not None
    assert figures["participation.rate"]["previous"] is not None
    assert figures["participation.eligible"]["previous"] >= 50
    check = next(c for c in body["improvements"] if c["title"] == ITEM)
    # Due at the quarter's end: judged by the quarter's report once that day is over, in progress until then.
    assert check["group"] == "生产一部" and check["verdict"] == "进行中" and check["value"] is not None
    s.close()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert s.scalar(select(func.count()).select_from(ArchivedReport)) == 1
    assert s.scalar(select(func.count()).select_from(Notice).where(Notice.source == "report")) == 1
    s.close()
