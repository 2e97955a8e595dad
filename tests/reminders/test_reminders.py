"""Reminders: planned with the event, fired once when due, dropped when too late; time moved with time-machine."""
from __future__ import annotations

import threading
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.events import lifecycle, signup
from server.members.models import Member
from server.notices.models import Notice, NoticeRecipient
from server.reminders import services
from server.reminders.models import Reminder
from server.scheduler import take_lease

API = "/api/v1"


def pending(db, event_id):
    return sorted((r.offset_minutes, r.due_at) for r in db.session.scalars(
        select(Reminder).where(Reminder.target_id == event_id, Reminder.status == "pending")))


def recipients(db, notice_id):
    return set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice_id)))


def test_event_gets_its_reminder_times(db, make):
    start = utcnow() + timedelta(days=3)
    ev = make.event(starts_at=start)
    assert pending(db, ev.id) == [(120, start - timedelta(hours=2)), (1440, start - timedelta(days=1))]
    custom = make.event(starts_at=start, reminder_minutes=[30])
    assert pending(db, custom.id) == [(30, start - timedelta(minutes=30))]


def test_reminders_already_past_at_creation_are_skipped(db, make):
    soon = make.event(starts_at=utcnow() + timedelta(hours=3))
    assert [o for o, _ in pending(db, soon.id)] == [120]  # the 24 h one is already past
    now_ish = make.event(starts_at=utcnow() + timedelta(minutes=30))
    assert pending(db, now_ish.id) == []


def test_moving_an_event_moves_its_reminders_even_twice_quickly(client, db, make, auth):
    ev = make.event(starts_at=utcnow() + timedelta(days=3))
    h = auth(make.staff())
    first = utcnow() + timedelta(days=5)
    second = utcnow() + timedelta(days=6)
    for start in (first, second):
        r = client.patch(f"{API}/events/{ev.id}", json={"starts_at": start.isoformat(),
                                                        "ends_at": (start + timedelta(hours=2)).isoformat()}, headers=h)
        assert r.status_code == 200
    assert pending(db, ev.id) == [(120, second - timedelta(hours=2)), (1440, second - timedelta(days=1))]
    client.patch(f"{API}/events/{ev.id}", json={"reminder_minutes": [60]}, headers=h)
    assert [o for o, _ in pending(db, ev.id)] == [60]


def test_cancelling_removes_reminders(client, db, make, auth):
    ev = make.event()
    client.post(f"{API}/events/{ev.id}/cancel", headers=auth(make.staff()))
    assert pending(db, ev.id) == []


def test_due_reminder_goes_to_confirmed_registrants_once(db, make):
    start = utcnow() + timedelta(days=2)
    ev = make.event(starts_at=start, capacity=2, title="读书会", location="三楼会议室")
    confirmed = [make.member(), make.member()]
    waiting = make.member()
    for m in confirmed + [waiting]:
        signup.register(m.id, ev.id)
    assert services.fire_due() == []  # nothing due yet
    with time_machine.travel(start - timedelta(days=1) + timedelta(seconds=1)):
        (result,) = services.fire_due()
        assert result["status"] == "sent" and result["recipients"] == 2
        notice = db.session.get(Notice, result["notice_id"])
        assert recipients(db, notice.id) == {m.id for m in confirmed}
        assert "读书会" in notice.title and "三楼会议室" in notice.body and "时" not in notice.title
        assert (notice.source, notice.event_id) == ("reminder", ev.id)  # shown with the event, not as staff's
        assert services.fire_due() == []  # fired once
    # the clock jumps back and forth: still once
    with time_machine.travel(start - timedelta(days=1, hours=1)):
        assert services.fire_due() == []
    with time_machine.travel(start - timedelta(days=1) + timedelta(seconds=5)):
        assert services.fire_due() == []
    assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.title.like("活动提醒%"))) == 1


def test_late_reminders_go_out_within_grace_and_are_dropped_after(db, make):
    start = utcnow() + timedelta(days=2)
    ev = make.event(starts_at=start)
    signup.register(make.member().id, ev.id)
    # the scheduler was down for a long time: at 1 h 30 before the start, the 24 h reminder is 22.5 h late
    # (grace 12 h: dropped) and the 2 h one is 30 min late (grace 1 h: still useful)
    with time_machine.travel(start - timedelta(hours=1, minutes=30)):
        results = {r["reminder_id"]: r for r in services.fire_due()}
    by_offset = {r.offset_minutes: r for r in db.session.scalars(select(Reminder).where(Reminder.target_id == ev.id))}
    assert by_offset[1440].status == "missed" and results[by_offset[1440].id]["recipients"] == 0
    assert by_offset[120].status == "sent" and by_offset[120].notice_id is not None


def test_reminder_after_the_start_is_dropped(db, make):
    start = utcnow() + timedelta(days=2)
    ev = make.event(starts_at=start, reminder_minutes=[30])
    signup.register(make.member().id, ev.id)
    with time_machine.travel(start + timedelta(minutes=1)):
        (result,) = services.fire_due()
    assert result["status"] == "missed"


def test_nobody_confirmed_means_no_notice(db, make):
    start = utcnow() + timedelta(days=2)
    ev = make.event(starts_at=start, reminder_minutes=[60])
    with time_machine.travel(start - timedelta(minutes=59)):
        (result,) = services.fire_due()
    assert result == {"reminder_id": result["reminder_id"], "event_id": ev.id, "status": "sent", "recipients": 0,
                      "notice_id": None}


def test_two_schedulers_firing_at_once_remind_once(app, committing_db):
    s = committing_db.session
    start = utcnow() + timedelta(days=2)
    members = [Member(employee_no=f"S{i:04d}", name=f"会员{i}", roles=["member"]) for i in range(30)]
    s.add_all(members)
    evs = [lifecycle.create_event(title=f"活动{i}", kind="activity", location="礼堂", starts_at=start,
                                  ends_at=start + timedelta(hours=1), reminder_minutes=[60]) for i in range(10)]
    s.flush()
    for ev in evs:
        for m in members[:3]:
            signup.register(m.id, ev.id)
    s.commit()
    s.close()

    def scheduler():
        with app.app_context():
            services.fire_due()
            committing_db.session.remove()

    with time_machine.travel(start - timedelta(minutes=59)):
        threads = [threading.Thread(target=scheduler) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert s.scalar(select(func.count()).select_from(Notice)) == 10
    assert s.scalar(select(func.count()).select_from(NoticeRecipient)) == 30
    assert set(s.scalars(select(Reminder.status))) == {"sent"}


def test_unreachable_database_leaves_the_reminder_for_the_next_tick(app, committing_db):
    """A tick that cannot reach the database changes nothing; the next one fires the reminder."""
    from server import create_app, scheduler

    s = committing_db.session
    start = utcnow() + timedelta(days=2)
    ev = lifecycle.create_event(title="演讲", kind="lecture", location="礼堂", starts_at=start,
                                ends_at=start + timedelta(hours=1), reminder_minutes=[60])
    s.commit()
    ev_id = ev.id
    s.close()
    down = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
                       "SECRET_KEY": "k" * 40})
    with time_machine.travel(start - timedelta(minutes=59)):
        scheduler._app = down
        try:
            scheduler.fire_reminders()
        except Exception as e:  # APScheduler logs a failed run and runs the job again at the next tick
            assert "connect" in str(e).lower() or "connection" in str(e).lower()
        assert s.scalar(select(Reminder.status).where(Reminder.target_id == ev_id)) == "pending"
        s.close()  # on SQLite an open transaction here would hold the write lock
        scheduler._app = app
        scheduler.fire_reminders()
    s.expire_all()
    assert s.scalar(select(Reminder.status).where(Reminder.target_id == ev_id)) == "sent"


def test_only_one_scheduler_holds_the_lease(app, committing_db):
    assert take_lease(app, "host-a:1")
    assert not take_lease(app, "host-b:2")  # started by mistake: stands by
    assert take_lease(app, "host-a:1")  # renewal
    with time_machine.travel(utcnow() + timedelta(seconds=app.config["SCHEDULER_LEASE_SECONDS"] + 1)):
        assert take_lease(app, "host-b:2")  # a lapsed lease is taken over
        assert not take_lease(app, "host-a:1")  # and the old holder cannot renew


def test_admin_jobs_lists_what_runs_next(client, make, auth):
    start = utcnow() + timedelta(days=3)
    ev = make.event(starts_at=start)
    r = client.get(f"{API}/admin/jobs", headers=auth(make.staff()))
    assert r.status_code == 200
    mine = [j for j in r.json["items"] if j["target"] == f"event:{ev.id}"]
    assert [j["kind"] for j in mine] == ["event_reminder", "event_reminder"]
    assert mine[0]["next_run_at"] < mine[1]["next_run_at"]
    assert client.get(f"{API}/admin/jobs", headers=auth(make.member())).status_code == 403


def test_admin_jobs_limit_out_of_range_is_400(client, make, auth):
    h = auth(make.staff())
    for bad in ("0", "-1", "99999999999999999999"):
        r = client.get(f"{API}/admin/jobs?limit={bad}", headers=h)
        assert r.status_code == 400, (bad, r.json)
        assert "limit" in r.json["error"]["details"]["fields"]
