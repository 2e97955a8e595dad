"""The weekly warning to admins while a year is missing: once per ISO week, from Monday 09:00 (Shanghai),
exactly once however often the job runs; silent once the year is entered. Time moved with time-machine."""
from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import func, select

from server.notices.models import Delivery, Notice, NoticeRecipient
from server.workdays import jobs
from server.workdays.models import WorkdayOverride, WorkdayWarning


def shanghai(*args):
    from server.core.timeutil import SHANGHAI
    return datetime(*args, tzinfo=SHANGHAI)


def _notices(db):
    return list(db.session.scalars(select(Notice).where(Notice.source == "system").order_by(Notice.id)))


def test_one_notice_a_week_to_the_active_admins_only(db, make):
    a1 = make.member(roles=("member", "admin"))
    a2 = make.member(roles=("member", "staff", "admin"))
    make.member(roles=("member", "admin"), is_active=False)
    make.staff()
    make.member()
    # Monday 2 November 2026, 08:59: not yet.
    with time_machine.travel(shanghai(2026, 11, 2, 8, 59)):
        assert jobs.warn_admins() is None
    with time_machine.travel(shanghai(2026, 11, 2, 9, 0)):
        result = jobs.warn_admins()
        assert jobs.warn_admins() is None  # the job running again the same hour
    assert result["week"] == "2026-W45" and result["years"] == [2027] and result["admins"] == 2
    (notice,) = _notices(db)
    assert notice.title == "工作日历未录入：2027 年" and "2027 年的节假日安排尚未录入" in notice.body
    recipients = set(db.session.scalars(select(NoticeRecipient.member_id)
                                        .where(NoticeRecipient.notice_id == notice.id)))
    assert recipients == {a1.id, a2.id}
    # Push where consented, else SMS: each admin has a delivery planned (here SMS, nobody has consent).
    delivered = db.session.execute(select(Delivery.member_id, Delivery.channel, Delivery.status)
                                   .where(Delivery.notice_id == notice.id)).all()
    assert {m for m, ch, st in delivered if ch == "sms" and st == "queued"} == {a1.id, a2.id}
    # Later that week, nothing; the next week's first run, one more.
    with time_machine.travel(shanghai(2026, 11, 8, 23, 0)):
        assert jobs.warn_admins() is None
    with time_machine.travel(shanghai(2026, 11, 9, 10, 0)):
        assert jobs.warn_admins()["week"] == "2026-W46"
        assert jobs.warn_admins() is None
    assert len(_notices(db)) == 2
    assert db.session.get(WorkdayWarning, "2026-W46").notice_id == _notices(db)[1].id


def test_a_week_that_starts_late_still_warns_on_its_first_run(db, make):
    make.member(roles=("member", "admin"))
    # The scheduler was down on Monday: Wednesday's first run sends.
    with time_machine.travel(shanghai(2026, 11, 18, 3, 0)):
        assert jobs.warn_admins()["week"] == "2026-W47"


def test_nothing_before_november_nor_once_the_year_is_entered(db, make):
    make.member(roles=("member", "admin"))
    with time_machine.travel(shanghai(2026, 10, 26, 10, 0)):
        assert jobs.warn_admins() is None  # 2026 is known; 2027 only matters from November
    db.session.add(WorkdayOverride(day=date(2027, 1, 1), workday=False, name="元旦"))
    db.session.flush()
    with time_machine.travel(shanghai(2026, 11, 2, 10, 0)):
        assert jobs.warn_admins() is None
    assert _notices(db) == [] and db.session.scalar(select(func.count()).select_from(WorkdayWarning)) == 0


def test_the_current_year_unknown_warns_all_year(db, make):
    make.member(roles=("member", "admin"))
    with time_machine.travel(datetime(2027, 6, 14, 2, 0, tzinfo=UTC)):  # a Monday, 10:00 in Shanghai
        assert jobs.warn_admins()["years"] == [2027]


def test_without_admins_the_week_is_still_recorded_and_nothing_sent(db, make):
    make.staff()
    with time_machine.travel(shanghai(2026, 11, 2, 10, 0)):
        result = jobs.warn_admins()
        assert result["notice_id"] is None and result["admins"] == 0
        assert jobs.warn_admins() is None
    assert _notices(db) == []


def test_two_schedulers_running_at_once_send_one_notice(app, committing_db):
    import threading

    from tests.factories import Factory

    Factory(committing_db).member(roles=("member", "admin"))
    committing_db.session.commit()
    committing_db.session.close()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def one():
        with app.app_context():
            try:
                barrier.wait(5)
                results.append(jobs.run())
            except Exception as e:  # a loser must lose quietly, not raise
                errors.append(e)
            finally:
                committing_db.session.remove()

    with time_machine.travel(shanghai(2026, 11, 2, 10, 0)):
        threads = [threading.Thread(target=one) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert errors == [] and sorted(r is None for r in results) == [False, True]
    assert len(_notices(committing_db)) == 1


def test_the_scheduler_runs_the_warning_hourly_and_its_body_sends_once(app, committing_db):
    from datetime import timedelta

    from server import scheduler
    from tests.factories import Factory

    job = scheduler.build_scheduler(app).get_job("workdays")
    assert job.trigger.interval == timedelta(hours=1)
    assert job.func_ref == "server.scheduler:warn_missing_workdays"
    Factory(committing_db).member(roles=("member", "admin"))
    committing_db.session.commit()
    committing_db.session.close()
    with time_machine.travel(shanghai(2026, 11, 2, 10, 0)):
        scheduler.warn_missing_workdays()
        scheduler.warn_missing_workdays()
    assert len(_notices(committing_db)) == 1
