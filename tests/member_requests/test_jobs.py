"""Requests' clocks in the scheduler: warnings, escalation levels 1 and 2, the weekly digest; each step once,
also with two schedulers at once and after a restart. Time moved with time-machine."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import time_machine
from sqlalchemy import func, select

from server import scheduler
from server.core.timeutil import SHANGHAI
from server.member_requests import jobs
from server.member_requests.models import LiaisonGrid, Request, RequestEvent
from server.member_requests.plan_models import RequestDigest
from server.members.models import Member
from server.notices.delivery import Worker
from server.notices.models import Delivery, Notice, NoticeRecipient
from tests.factories import Factory

from .factory import make_request

# Wednesday 2 December 2026, 10:00 in Shanghai: the first response is due by the end of Thursday.
CREATED = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
FIRST_DUE = datetime(2026, 12, 4, 0, 0, tzinfo=SHANGHAI)


def request_notices(session) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.source == "request").order_by(Notice.id)))


def recipients(session, notice_id) -> set[int]:
    return set(session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice_id)))


def events(session, request_id, action) -> int:
    return session.scalar(select(func.count()).select_from(RequestEvent).where(
        RequestEvent.request_id == request_id, RequestEvent.action == action))


class Cast:
    """Two grids; liaison a serves grid 1 (own row), liaison b grid 2 (own row) and grid 1 (added);
    liaison c grid 3, where nothing is raised; two staff, the chair, an admin; members in grids 1 and 2."""

    def __init__(self, make, session):
        self.g1, self.g2, self.g3 = make.grid("一车间网格"), make.grid("二车间网格"), make.grid("三车间网格")
        self.a = make.member(roles=("liaison",), grid="一车间网格")
        self.b = make.member(roles=("liaison",), grid="二车间网格")
        self.c = make.member(roles=("liaison",), grid="三车间网格")
        session.add(LiaisonGrid(member_id=self.b.id, grid_id=self.g1.id))
        self.staff = [make.staff(), make.staff()]
        self.chair = make.member(roles=("secretary",))
        self.admin = make.member(roles=("admin",))
        self.m1 = make.member(grid="一车间网格")
        self.m2 = make.member(grid="二车间网格")
        session.flush()

    @property
    def staff_ids(self) -> set[int]:
        return {s.id for s in self.staff}


def test_handler_is_warned_once_before_due(db, make):
    s = db.session
    cast = Cast(make, s)
    r1 = make_request(s, cast.m1, created=CREATED)
    secret = make_request(s, cast.m1, created=CREATED, confidential=True)
    hardship = make_request(s, cast.m2, created=CREATED, category="hardship")
    assigned = make_request(s, cast.m2, created=CREATED, assignee_id=cast.staff[0].id)
    later = make_request(s, cast.m2, created=CREATED + timedelta(days=1))  # due a day later
    with time_machine.travel(FIRST_DUE - timedelta(hours=5)):
        assert jobs.run_clocks()["warned"] == {"requests": 0, "notices": 0}
    with time_machine.travel(FIRST_DUE - timedelta(hours=3, minutes=30)):
        result = jobs.run_clocks()
        assert result["warned"] == {"requests": 4, "notices": 3}
        assert jobs.run_clocks()["warned"] == {"requests": 0, "notices": 0}  # once per request
    by_who = {frozenset(recipients(s, n.id)): n for n in request_notices(s)}
    assert set(by_who) == {frozenset({cast.a.id, cast.b.id}), frozenset(cast.staff_ids),
                           frozenset({cast.staff[0].id})}
    liaison_notice = by_who[frozenset({cast.a.id, cast.b.id})]
    assert r1.title in liaison_notice.body and "还剩3小时" in liaison_notice.body
    staff_notice = by_who[frozenset(cast.staff_ids)]
    assert secret.title not in staff_notice.body and f"#{secret.id} 保密" in staff_notice.body
    assert f"#{hardship.id} 保密" in staff_notice.body
    assert assigned.title in by_who[frozenset({cast.staff[0].id})].body
    for r in (r1, secret, hardship, assigned):
        assert events(s, r.id, "warned") == 1
    assert s.scalar(select(Request.warned_at).where(Request.id == later.id)) is None
    assert s.scalar(select(RequestEvent.internal).where(RequestEvent.request_id == r1.id)) is True


def test_level_one_then_level_two_a_day_later(db, make):
    s = db.session
    cast = Cast(make, s)
    r1 = make_request(s, cast.m1, created=CREATED)
    r2 = make_request(s, cast.m2, created=CREATED)
    secret = make_request(s, cast.m1, created=CREATED, confidential=True)
    answered = make_request(s, cast.m1, created=CREATED, first_response_at=CREATED + timedelta(hours=1),
                            status="accepted")
    with time_machine.travel(FIRST_DUE - timedelta(minutes=1)):
        assert jobs.run_clocks()["level1"] == {"requests": 0, "notices": 0}
    level1_at = FIRST_DUE + timedelta(minutes=2)
    with time_machine.travel(level1_at):
        result = jobs.run_clocks()
        assert result["level1"] == {"requests": 3, "notices": 3}
        assert jobs.run_clocks()["level1"] == {"requests": 0, "notices": 0}
    notices = request_notices(s)
    escalations = [n for n in notices if n.title.startswith("诉求超时升级")]
    by_who = {frozenset(recipients(s, n.id)): n for n in escalations}
    # Grid 1's liaisons (a and b) for r1; grid 2's (b) for r2; staff for all three.
    assert set(by_who) == {frozenset({cast.a.id, cast.b.id}), frozenset({cast.b.id}), frozenset(cast.staff_ids)}
    assert r1.title in by_who[frozenset({cast.a.id, cast.b.id})].body
    assert f"#{secret.id}" not in by_who[frozenset({cast.a.id, cast.b.id})].body  # never to liaisons
    staff_body = by_who[frozenset(cast.staff_ids)].body
    assert r1.title in staff_body and r2.title in staff_body and f"#{secret.id} 保密" in staff_body
    assert "超时2分钟" in staff_body
    s.expire_all()
    assert {r.id: (r.escalation_level, r.escalated_at) for r in s.scalars(select(Request))} == {
        r1.id: (1, level1_at), r2.id: (1, level1_at), secret.id: (1, level1_at), answered.id: (0, None)}
    # r2 gets its first response in the meantime: it stays at level 1.
    s.execute(Request.__table__.update().where(Request.id == r2.id).values(first_response_at=level1_at
                                                                           + timedelta(hours=2)))
    with time_machine.travel(level1_at + timedelta(hours=23, minutes=59)):
        assert jobs.run_clocks()["level2"] == {"requests": 0, "notices": 0}
    with time_machine.travel(level1_at + timedelta(hours=24)):
        assert jobs.run_clocks()["level2"] == {"requests": 2, "notices": 1}
        assert jobs.run_clocks()["level2"] == {"requests": 0, "notices": 0}
    (chair_notice,) = [n for n in request_notices(s) if n.title.startswith("诉求二级升级")]
    assert recipients(s, chair_notice.id) == {cast.chair.id}
    assert r1.title in chair_notice.body and r2.title not in chair_notice.body
    s.expire_all()
    assert s.get(Request, r1.id).escalation_level == 2 and s.get(Request, r2.id).escalation_level == 1
    assert events(s, r1.id, "escalated") == 2 and events(s, r2.id, "escalated") == 1
    assert events(s, answered.id, "escalated") == 0
    with time_machine.travel(level1_at + timedelta(days=5)):
        assert jobs.run_clocks() == {"warned": {"requests": 0, "notices": 0},
                                     "level1": {"requests": 0, "notices": 0},
                                     "level2": {"requests": 0, "notices": 0}}


def test_closed_and_resolved_requests_are_not_escalated(db, make):
    s = db.session
    cast = Cast(make, s)
    make_request(s, cast.m1, created=CREATED, status="resolved")
    make_request(s, cast.m1, created=CREATED, status="closed")
    with time_machine.travel(FIRST_DUE + timedelta(days=3)):
        result = jobs.run_clocks()
    assert result["level1"]["requests"] == 0 and request_notices(s) == []


def test_many_late_requests_make_one_notice_per_group(db, make):
    s = db.session
    cast = Cast(make, s)
    for i in range(60):
        make_request(s, cast.m1 if i % 2 else cast.m2, created=CREATED)
    with time_machine.travel(FIRST_DUE + timedelta(hours=1)):
        result = jobs.run_clocks()
    assert result["level1"] == {"requests": 60, "notices": 3}
    staff_notice = next(n for n in request_notices(s) if recipients(s, n.id) == cast.staff_ids)
    assert "等共 60 件" in staff_notice.body and staff_notice.body.count("\n#") == jobs.LISTED


def _committed_cast(database):
    """The cast and 40 late requests over two grids, committed."""
    session = database.session
    cast = Cast(Factory(database), session)
    for i in range(40):
        make_request(session, cast.m1 if i % 2 else cast.m2, created=CREATED, confidential=(i % 10 == 0))
    session.commit()
    return cast


def _two_schedulers(app, at):
    barrier = threading.Barrier(2)
    errors = []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                jobs.run_clocks()
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)
            finally:
                from server.core.extensions import db

                db.session.remove()

    with time_machine.travel(at):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []


def test_two_schedulers_at_once_and_a_restart_escalate_once(app, committing_db, sms_server):
    s = committing_db.session
    cast = _committed_cast(committing_db)
    a, b, chair, staff = cast.a.id, cast.b.id, cast.chair.id, cast.staff_ids
    s.close()  # on SQLite an open transaction here would hold the write lock
    _two_schedulers(app, FIRST_DUE + timedelta(minutes=5))
    s.expire_all()
    notices = request_notices(s)
    assert len(notices) == 3  # grid 1's liaisons, grid 2's liaison, staff
    assert s.scalar(select(func.count()).select_from(RequestEvent).where(RequestEvent.action == "escalated")) == 40
    queued = s.scalar(select(func.count()).select_from(Delivery).where(Delivery.channel == "sms",
                                                                       Delivery.status == "queued"))
    assert queued == 2 + 1 + 2  # a and b; b; two staff (no WeChat binding: SMS)
    s.close()
    # A restarted scheduler (a fresh run of the job as the scheduler calls it) repeats nothing.
    scheduler._app = app
    with time_machine.travel(FIRST_DUE + timedelta(minutes=6)):
        scheduler.run_request_clocks()
    _two_schedulers(app, FIRST_DUE + timedelta(hours=24, minutes=5))
    with time_machine.travel(FIRST_DUE + timedelta(hours=24, minutes=6)):
        scheduler.run_request_clocks()
    s.expire_all()
    notices = request_notices(s)
    assert len(notices) == 4 and recipients(s, notices[-1].id) == {chair}
    assert s.scalar(select(func.count()).select_from(RequestEvent).where(RequestEvent.action == "escalated")) == 80
    assert set(s.scalars(select(Request.escalation_level))) == {2}
    s.close()
    # The pipeline sends them: one SMS per recipient and notice, counted at the fake provider.
    worker = Worker(app)
    with time_machine.travel(FIRST_DUE + timedelta(hours=25)):  # the deliveries are due from then
        for _ in range(10):
            if not worker.run_once():
                break
    phones = dict(s.execute(select(Member.id, Member.phone)).all())
    s.close()
    assert sorted(m.phone for m in sms_server.sent) == sorted(
        [phones[a], phones[b], phones[b], phones[chair]] + [phones[i] for i in staff])


# --- weekly digest -----------------------------------------------------------------------------------

MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)


def test_weekly_digest_monday_nine_once_per_liaison(db, make):
    s = db.session
    cast = Cast(make, s)
    young = make_request(s, cast.m1, created=MONDAY_9 - timedelta(hours=1), title="更衣柜不够用")
    late = make_request(s, cast.m1, created=CREATED, title="食堂排队太久")
    make_request(s, cast.m1, created=CREATED, title="保密的事", confidential=True)
    make_request(s, cast.m1, created=CREATED, title="家里出事了", category="hardship")
    make_request(s, cast.m1, created=CREATED, title="已经办好", status="closed")
    g2 = make_request(s, cast.m2, created=CREATED, title="夜班班车")
    with time_machine.travel(MONDAY_9 - timedelta(minutes=1)):
        assert jobs.run_digest() == {"liaisons": 0, "notices": 0}
    with time_machine.travel(MONDAY_9):
        assert jobs.run_digest() == {"liaisons": 2, "notices": 2}  # a; b (grids 1 and 2); c has nothing open
        assert jobs.run_digest() == {"liaisons": 0, "notices": 0}
    with time_machine.travel(MONDAY_9 + timedelta(hours=10)):
        assert jobs.run_digest() == {"liaisons": 0, "notices": 0}
    with time_machine.travel(MONDAY_9 + timedelta(days=1)):
        assert jobs.run_digest() == {"liaisons": 0, "notices": 0}  # Tuesday: not a digest day
    notices = {frozenset(recipients(s, n.id)): n for n in request_notices(s)}
    assert set(notices) == {frozenset({cast.a.id}), frozenset({cast.b.id})}
    body_a = notices[frozenset({cast.a.id})].body
    assert body_a.index(late.title) < body_a.index(young.title)  # overdue first
    assert "【已超时】" in body_a and "保密的事" not in body_a and "家里出事了" not in body_a
    assert "已经办好" not in body_a and g2.title not in body_a
    body_b = notices[frozenset({cast.b.id})].body
    assert g2.title in body_b and late.title in body_b
    assert notices[frozenset({cast.a.id})].title == "本周网格诉求：2 件待办，1 件已超时"
    assert set(s.execute(select(RequestDigest.member_id, RequestDigest.week)).all()) == {
        (cast.a.id, "2026-W50"), (cast.b.id, "2026-W50")}
    with time_machine.travel(MONDAY_9 + timedelta(days=7, minutes=3)):
        assert jobs.run_digest() == {"liaisons": 2, "notices": 2}  # next week again


def test_digest_from_two_schedulers_once(app, committing_db):
    s = committing_db.session
    _committed_cast(committing_db)
    s.close()
    barrier = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                results.append(jobs.run_digest())
            finally:
                from server.core.extensions import db

                db.session.remove()

    with time_machine.travel(MONDAY_9 + timedelta(minutes=1)):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        scheduler._app = app
        scheduler.send_request_digests()  # a restarted scheduler the same morning
    assert sorted(r["liaisons"] for r in results) == [0, 2]
    assert len(request_notices(s)) == 2
    assert s.scalar(select(func.count()).select_from(RequestDigest)) == 2


def test_the_scheduler_runs_the_clock_pass_and_the_digest(app):
    from server.scheduler import build_scheduler

    s = build_scheduler(app)
    assert s.get_job("request_clocks").trigger.interval == timedelta(seconds=60)
    assert s.get_job("request_digest").trigger.interval == timedelta(seconds=300)


def test_without_a_liaison_or_a_grid_staff_are_told(db, make):
    s = db.session
    cast = Cast(make, s)
    make.grid("无人网格")
    lonely = make_request(s, make.member(grid="无人网格"), created=CREATED)
    nowhere = make_request(s, make.member(), created=CREATED)
    gone = make.staff(is_active=False)
    left = make_request(s, cast.m1, created=CREATED, assignee_id=gone.id)  # the assignee has left since
    with time_machine.travel(FIRST_DUE - timedelta(hours=1)):
        assert jobs.run_clocks()["warned"] == {"requests": 3, "notices": 2}
    by_who = {frozenset(recipients(s, n.id)): n.body for n in request_notices(s)}
    assert set(by_who) == {frozenset(cast.staff_ids), frozenset({cast.a.id, cast.b.id})}
    assert lonely.title in by_who[frozenset(cast.staff_ids)] and nowhere.title in by_who[frozenset(cast.staff_ids)]
    assert "（未分网格）" in by_who[frozenset(cast.staff_ids)]
    assert left.title in by_who[frozenset({cast.a.id, cast.b.id})]  # its grid's liaisons instead
    with time_machine.travel(FIRST_DUE + timedelta(minutes=1)):
        assert jobs.run_clocks()["level1"] == {"requests": 3, "notices": 2}  # grid 1's liaisons; staff
