"""The care job: visit reminders the working day before (once), and the retention purge (files gone, a stub
left, a second run does nothing)."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from server.audit_trail.models import AuditTrailEntry
from server.care import jobs
from server.care import services as care
from server.care.models import CareAssessment, CareCase, CareDecision, CareDocument, CareGrant, CareVisit
from server.notices.models import Notice, NoticeRecipient
from server.uploads.models import Upload
from server.workdays.models import WorkdayOverride
from tests.uploads.pictures import phone_jpeg

from .conftest import API, pdf_bytes, post, to_stage


def _reminders(db, member_id):
    return db.session.execute(
        select(Notice.title, Notice.body).join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
        .where(Notice.source == "care", Notice.title == "帮扶回访提醒", NoticeRecipient.member_id == member_id)
        .order_by(Notice.id)).all()


def _at(day: str, hour: int = 9) -> datetime:
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour - 8, 0, tzinfo=UTC)


def test_visit_reminder_on_the_working_day_before_once(client, people, db, clock):
    p = people
    cid = to_stage(client, p, "following_up")  # next visit due Thursday 10 December 2026
    # Wednesday 9 December is the working day before: Tuesday's run tells nobody.
    assert jobs.run(_at("2026-12-08"))["reminded"] == 0
    assert jobs.run(_at("2026-12-09"))["reminded"] == 1
    told = _reminders(db, p.staff1.id)
    assert len(told) == 1 and f"#{cid}" in told[0].body and p.member.name not in told[0].body
    assert "爱人" not in told[0].body
    assert jobs.run(_at("2026-12-09", 15))["reminded"] == 0  # once
    assert jobs.run(_at("2026-12-10"))["reminded"] == 0
    assert len(_reminders(db, p.staff1.id)) == 1
    assert _reminders(db, p.staff2.id) == []  # not a handler

    # A new visit with a new due date (Monday 4 January 2027) is reminded again, on its own working day before.
    # The admins entered Thursday 31 December and Friday 1 January as holidays: the reminder is on Wednesday.
    db.session.add_all([WorkdayOverride(day=date(2026, 12, 31), workday=False, name="元旦"),
                        WorkdayOverride(day=date(2027, 1, 1), workday=False, name="元旦")])
    db.session.flush()
    care.add_visit(p.staff1, cid, visited_at=_at("2026-12-10", 10), visitors="干事一", notes="",
                   next_visit_due=date(2027, 1, 4), now=_at("2026-12-10", 11))
    assert jobs.run(_at("2026-12-29"))["reminded"] == 0
    assert jobs.run(_at("2026-12-30"))["reminded"] == 1
    assert len(_reminders(db, p.staff1.id)) == 2


def test_purge_after_the_retention_period(client, people, db, clock, storage_root, app, auth):
    p = people
    cid = to_stage(client, p, "following_up")
    for raw, name in ((pdf_bytes(), "收入证明.pdf"), (phone_jpeg(), "病历.jpg")):
        r = client.post(f"{API}/care/cases/{cid}/documents", headers=p.staff1_h,
                        data={"file": (io.BytesIO(raw), name)}, content_type="multipart/form-data")
        assert r.status_code == 201, r.get_json()
    assert post(client, f"/care/cases/{cid}/close", p.staff1_h, outcome="已康复").status_code == 200
    other = to_stage(client, p, "assessing")  # still open: never purged
    files = {f for f in storage_root.rglob("*") if f.is_file()}
    assert len(files) == 2
    closed_at = db.session.get(CareCase, cid).closed_at
    days = app.config["CARE_RETENTION_DAYS"]
    assert days == 1095

    assert jobs.purge(closed_at + timedelta(days=days - 1)) == 0
    assert {f for f in storage_root.rglob("*") if f.is_file()} == files
    with time_machine.travel(closed_at + timedelta(days=days, minutes=1), tick=False):
        assert jobs.run()["purged"] == 1
        assert jobs.run()["purged"] == 0  # a second run: nothing to do
        r = client.get(f"{API}/care/cases/{cid}", headers=auth(p.chair))
        mine = client.get(f"{API}/me/care-cases", headers=auth(p.member)).json["items"]
    assert not [f for f in storage_root.rglob("*") if f.is_file()]
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert db.session.scalar(select(func.count()).select_from(CareDocument)) == 0
    assert db.session.get(CareAssessment, cid) is None
    assert db.session.get(CareAssessment, other) is not None
    case = r.json
    assert case["purged"] is True and case["summary"] is None and case["outcome"] is None
    assert case["assessment"] is None and case["documents"] == []
    assert (case["category"], case["stage"]) == ("illness", "closed") and case["closed_at"]
    assert [(g["kind"], g["amount_fen"], g["description"]) for g in case["grants"]] == [("money", 200_000, None)]
    assert all(v["notes"] is None and v["visitors"] is None for v in case["visits"])
    assert all(d["comment"] is None for d in case["decisions"])
    assert db.session.scalar(select(func.count()).select_from(CareVisit).where(CareVisit.notes.is_not(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(CareDecision)
                             .where(CareDecision.comment.is_not(None), CareDecision.case_id == cid)) == 0
    assert db.session.scalar(select(CareGrant.fund_entry_id).where(CareGrant.case_id == cid)) is not None
    # The member still sees the stages; the purge is in the trail.
    assert {c["id"] for c in mine} == {cid, other}
    assert db.session.scalar(select(func.count()).select_from(AuditTrailEntry).where(
        AuditTrailEntry.entity == "care_case", AuditTrailEntry.action == "purge")) == 1


def test_withdrawn_and_rejected_cases_are_purged_too(client, people, db, clock):
    p = people
    cid = to_stage(client, p, "assessing")
    assert post(client, f"/care/cases/{cid}/withdraw", p.member_h).status_code == 200
    closed_at = db.session.get(CareCase, cid).closed_at
    assert jobs.purge(closed_at + timedelta(days=1096)) == 1
    assert db.session.get(CareCase, cid).summary is None


def test_a_crash_between_the_purge_and_its_file_deletions_leaves_only_stray_files(client, people, db, clock,
                                                                                   storage_root):
    """The purge's rows commit first; if the process dies before deleting the files, nothing names them any
    more and the uploads job's sweep of stray files removes them a day later."""
    from server.uploads.jobs import sweep_strays

    p = people
    cid = to_stage(client, p, "assessing")
    r = client.post(f"{API}/care/cases/{cid}/documents", headers=p.staff1_h,
                    data={"file": (io.BytesIO(pdf_bytes()), "证明.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 201
    assert post(client, f"/care/cases/{cid}/withdraw", p.member_h).status_code == 200
    closed_at = db.session.get(CareCase, cid).closed_at
    later = closed_at + timedelta(days=1096)
    done, keys = jobs.purge_batch(later - timedelta(days=1095), later)  # committed; then the "crash"
    assert done == 1 and len(keys) == 1
    assert (storage_root / keys[0]).is_file()
    assert db.session.get(CareCase, cid).purged_at is not None
    with time_machine.travel(later, tick=False):
        assert sweep_strays() == 1
    assert not (storage_root / keys[0]).exists()
    assert jobs.purge(later) == 0


def test_the_care_job_is_registered_and_runs_in_the_scheduler(app, db, people, client, monkeypatch):
    from server import scheduler

    s = scheduler.build_scheduler(app)
    job = s.get_job("care")
    assert job.trigger.interval == timedelta(minutes=10) and job.func_ref == "server.scheduler:run_care_jobs"
    monkeypatch.setattr(scheduler, "_app", app)
    scheduler.run_care_jobs()  # the body as the scheduler calls it: its own app context, nothing due
