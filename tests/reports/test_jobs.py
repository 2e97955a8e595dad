"""The scheduler's part: after each quarter its report is archived with the PDF and the committee told, once,
whatever the number of runs or schedulers; `flask report` writes the same report to a file."""
from __future__ import annotations

import threading
from datetime import datetime

import time_machine
from sqlalchemy import func, select

from server.core.timeutil import SHANGHAI
from server.notices.models import Notice, NoticeRecipient
from server.reports import jobs
from server.reports.models import ArchivedReport
from server.reports.periods import Period

API = "/api/v1"


def local(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=SHANGHAI)


def test_what_is_due_when():
    assert jobs.due(local("2027-01-01 07:59")) == []                  # 2026Q3's day is long past
    assert jobs.due(local("2027-01-01 08:00")) == [Period(2026, 4), Period(2026, None)]
    assert jobs.due(local("2027-02-15 12:00")) == [Period(2026, 4), Period(2026, None)]
    assert jobs.due(local("2027-02-16 12:00")) == []                  # 46 days on: no catching up on history
    assert jobs.due(local("2026-10-01 09:00")) == [Period(2026, 3)]


def test_after_the_quarter_the_report_is_archived_once_and_the_committee_told(db, make, client, auth):
    staff, secretary = make.staff(), make.member(roles=("member", "secretary"))
    make.member(roles=("member", "admin"))
    make.member()
    with time_machine.travel("2027-01-01 09:00 +08:00", tick=False):
        assert jobs.run() == ["2026Q4", "2026"]
        assert jobs.run() == []
    rows = db.session.scalars(select(ArchivedReport).order_by(ArchivedReport.period)).all()
    assert [r.period for r in rows] == ["2026", "2026Q4"]
    assert all(r.pdf.startswith(b"%PDF") and r.generated_by is None for r in rows)
    notices = db.session.scalars(select(Notice).where(Notice.source == "report").order_by(Notice.id)).all()
    assert [n.title for n in notices] == ["2026年第四季度效能报告已生成", "2026年度效能报告已生成"]
    told = set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notices[0].id)))
    assert told == {staff.id, secretary.id}
    with time_machine.travel("2027-01-02 09:00 +08:00", tick=False):
        h = auth(staff)
        listed = client.get(f"{API}/reports/effectiveness/archive", headers=h).get_json()["items"]
        assert [(i["period"], i["label"], i["origin"]) for i in listed] == [
            ("2026Q4", "2026年第四季度", "scheduler"), ("2026", "2026年度", "scheduler")]
        pdf = client.get(f"{API}/reports/effectiveness/archive/2026Q4.pdf", headers=h)
        assert pdf.status_code == 200 and pdf.data == rows[1].pdf
        data = client.get(f"{API}/reports/effectiveness/archive/2026Q4", headers=h).get_json()
        assert data["period"]["key"] == "2026Q4" and data["generated_at"].startswith("2027-01-01T09:00")
        assert client.get(f"{API}/reports/effectiveness/archive/2025Q1", headers=h).status_code == 404
        assert client.get(f"{API}/reports/effectiveness/archive/x.pdf", headers=h).status_code == 404
        assert client.get(f"{API}/reports/effectiveness/archive", headers=auth(make.member())).status_code == 403


def test_two_schedulers_at_once_archive_one_report_and_send_one_notice(app, committing_db):
    from server.members.models import Member

    committing_db.session.add(Member(employee_no="S1", name="干事", roles=["member", "staff"]))
    committing_db.session.commit()
    committing_db.session.close()
    start = threading.Barrier(2)
    made, errors = [], []

    def scheduler():
        try:
            with app.app_context():
                start.wait()
                made.append(jobs.run(local("2026-10-01 09:00")))
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s = committing_db.session
    assert not errors, errors
    assert sorted(made) == [[], ["2026Q3"]]
    assert s.scalar(select(func.count()).select_from(ArchivedReport)) == 1
    assert s.scalar(select(func.count()).select_from(Notice).where(Notice.source == "report")) == 1


def test_flask_report_writes_the_file(app, db, make, tmp_path):
    make.staff()
    out = tmp_path / "q.xlsx"
    runner = app.test_cli_runner()
    with time_machine.travel("2027-01-05 10:00 +08:00", tick=False):
        r = runner.invoke(args=["report", "--quarter", "2026Q4", "--format", "xlsx", "--output", str(out)])
        assert r.exit_code == 0, r.output
        assert "2026年第四季度效能报告已写入" in r.output and out.read_bytes()[:2] == b"PK"
        stored = runner.invoke(args=["report", "--quarter", "2026Q4", "--output", str(tmp_path / "q.pdf"), "--store"])
        assert stored.exit_code == 0 and "已归档并通知工会委员" in stored.output, stored.output
        again = runner.invoke(args=["report", "--quarter", "2026Q4", "--output", str(tmp_path / "q.pdf"), "--store"])
        assert "已归档过" in again.output
        bad = runner.invoke(args=["report", "--quarter", "2027Q3"])
    assert bad.exit_code != 0 and "尚未开始" in bad.output
    assert db.session.scalars(select(ArchivedReport.origin)).all() == ["command"]
