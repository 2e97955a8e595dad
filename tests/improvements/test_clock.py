"""The improvement clock across National Day: the owner warned three working days before the due date,
told when overdue with the secretaries, the admins seven days later; each step once. Time moved with
time-machine; the job as the real scheduler registers and runs it."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar
import time_machine
from sqlalchemy import func, select

from server import scheduler
from server.core.timeutil import SHANGHAI
from server.improvements import jobs
from server.improvements.models import Improvement, ImprovementEvent
from server.notices.models import Notice, NoticeRecipient

API = "/api/v1"
DUE = date(2026, 10, 8)  # a Thursday just after National Day (1–7 October)


def warn_day_by_hand(due: date, n: int = 3) -> date:
    day, found = due, 0
    while True:
        if chinese_calendar.is_workday(day):
            found += 1
            if found == n:
                return day
        day -= timedelta(days=1)


def _recipients(db, notice: Notice) -> set[int]:
    return set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice.id)))


def _notices(db) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.source == "improvement").order_by(Notice.id)))


def test_warned_overdue_escalated_each_once_across_national_day(client, db, make, auth):
    staff, owner, other_owner = make.staff(), make.member(name="车间主任"), make.member()
    secretary, admin = make.member(roles=("secretary",)), make.member(roles=("admin",))
    with time_machine.travel(datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI)):
        r = client.post(f"{API}/improvements", headers=auth(staff),
                        json={"title": "安全通道清理", "owner_id": owner.id, "due_date": DUE.isoformat()})
        assert r.status_code == 201, r.get_json()
        iid = r.get_json()["id"]
        done = client.post(f"{API}/improvements", headers=auth(staff),
                           json={"title": "已办", "owner_id": other_owner.id, "due_date": DUE.isoformat()}).get_json()
        client.post(f"{API}/improvements/{done['id']}/complete", headers=auth(other_owner), json={"result": "好"})
    warn_day = warn_day_by_hand(DUE)
    assert warn_day == date(2026, 9, 29)  # 8 Oct, 30 Sep, 29 Sep: the holiday week is skipped
    warn_at = datetime.combine(warn_day, time(0), SHANGHAI)
    due_at = datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)
    item = db.session.get(Improvement, iid)
    assert item.warn_at == warn_at and item.due_at == due_at
    before = len(_notices(db))

    def run(at: datetime) -> dict:
        with time_machine.travel(at):
            return jobs.run_clocks(at)

    assert run(warn_at - timedelta(minutes=1))["warned"]["items"] == 0
    assert run(warn_at + timedelta(minutes=1))["warned"] == {"items": 1, "notices": 1}
    assert run(warn_at + timedelta(days=3))["warned"]["items"] == 0  # once, through the holiday
    warned = _notices(db)[before]
    assert _recipients(db, warned) == {owner.id} and "安全通道清理" in warned.body
    assert run(due_at - timedelta(minutes=1))["overdue"]["overdue"] == 0
    got = run(due_at + timedelta(minutes=1))["overdue"]
    assert got == {"items": 1, "overdue": 1, "admins": 0, "notices": 2}
    assert run(due_at + timedelta(minutes=2))["overdue"]["items"] == 0
    assert run(due_at + timedelta(days=7) - timedelta(minutes=1))["overdue"]["admins"] == 0
    assert run(due_at + timedelta(days=7, minutes=1))["overdue"] == {"items": 1, "overdue": 0, "admins": 1,
                                                                      "notices": 1}
    assert run(due_at + timedelta(days=8))["overdue"]["items"] == 0
    late, to_secretaries, to_admins = _notices(db)[before + 1:]
    assert _recipients(db, late) == {owner.id} and late.title == "整改事项已逾期：1 项"
    assert _recipients(db, to_secretaries) == {secretary.id} and "车间主任" in to_secretaries.body
    assert _recipients(db, to_admins) == {admin.id}
    actions = list(db.session.scalars(select(ImprovementEvent.action).where(ImprovementEvent.improvement_id == iid)
                                      .order_by(ImprovementEvent.id)))
    assert actions == ["created", "warned", "overdue", "escalated"]
    # The completed item was never stepped.
    assert db.session.scalar(select(func.count()).select_from(ImprovementEvent).where(
        ImprovementEvent.improvement_id == done["id"])) == 2
    with time_machine.travel(due_at + timedelta(days=1)):
        assert client.get(f"{API}/improvements/{iid}", headers=auth(owner)).get_json()["overdue"] is True


def test_the_scheduler_runs_the_job_every_minute(app, committing_db):
    s = scheduler.build_scheduler(app)
    assert s.get_job("improvement_clocks").trigger.interval == timedelta(seconds=60)
    from server.improvements import services
    from server.members.models import Member

    db = committing_db
    owner = Member(employee_no="IMPCLK1", name="负责人", roles=["member"])
    db.session.add(owner)
    db.session.flush()
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)):
        services.create(None, title="到期", owner_id=owner.id, due_date=date(2026, 11, 2), notify=False)
        db.session.commit()
    with time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)):
        scheduler._app = app
        scheduler.run_improvement_clocks()  # what the scheduler calls, in its own app context
        scheduler.run_improvement_clocks()
    n = db.session.scalar(select(func.count()).select_from(ImprovementEvent)
                          .where(ImprovementEvent.action == "overdue"))
    db.session.close()
    assert n == 1
