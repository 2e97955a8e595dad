"""The 7-working-day assignment clock across National Day, and the scheduler's warnings and escalations,
each once. Time moved with time-machine."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar
import time_machine
from sqlalchemy import func, select

from server import scheduler
from server.core.timeutil import SHANGHAI
from server.notices.models import Notice, NoticeRecipient
from server.proposals import jobs
from server.proposals.models import Proposal, ProposalEvent

from .conftest import API, proposal_body

CLOSES = datetime(2026, 9, 28, 18, 0, tzinfo=SHANGHAI)  # a Monday; National Day follows


def expected_due(closes: datetime, n: int) -> datetime:
    """By hand, from the package's calendar: the end of the n-th working day after the closing date."""
    day, found = closes.astimezone(SHANGHAI).date(), 0
    while found < n:
        day += timedelta(days=1)
        found += chinese_calendar.is_workday(day)
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


def _notices(db, part: str) -> list[Notice]:
    return [n for n in db.session.scalars(select(Notice).where(Notice.source == "proposal").order_by(Notice.id))
            if part in n.title]


def _recipients(db, notice: Notice) -> set[int]:
    return set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice.id)))


def _events(db, pid: int, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(ProposalEvent).where(
        ProposalEvent.proposal_id == pid, ProposalEvent.action == action))


def _submit_one(client, people, staff, auth, **kw) -> dict:
    """Call inside time_machine.travel: tokens are issued at the travelled time."""
    r = client.post(f"{API}/congress-sessions", headers=auth(staff[0]),
                    json={"name": "2026 年职代会", "closes_at": CLOSES.isoformat(), "min_cosigners": 1})
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    ph = auth(people["proposer"][0])
    pid = client.post(f"{API}/proposals", json=proposal_body(sid, **kw), headers=ph).get_json()["id"]
    token = client.post(f"{API}/proposals/{pid}/invite", json={}, headers=ph).get_json()["token"]
    client.post(f"{API}/proposals/{pid}/cosign", json={"invite": token}, headers=auth(people["a"][0]))
    r = client.post(f"{API}/proposals/{pid}/submit", headers=ph)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_assignment_due_within_7_working_days_skips_national_day(client, people, staff, auth):
    with time_machine.travel(datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI)):
        p = _submit_one(client, people, staff, auth)
        r = client.get(f"{API}/congress-sessions/{p['session_id']}", headers=auth(people["c"][0]))
    due = expected_due(CLOSES, 7)
    assert due == datetime(2026, 10, 14, 0, 0, tzinfo=SHANGHAI)  # 29, 30 Sep; 8, 9, 10 (make-up), 12, 13 Oct
    assert datetime.fromisoformat(p["assignment_due_at"]) == due
    assert datetime.fromisoformat(r.get_json()["assignment_due_at"]) == due
    assert p["overdue"] is False
    with time_machine.travel(due + timedelta(minutes=1)):
        assert client.get(f"{API}/proposals/{p['id']}", headers=auth(people["c"][0])).get_json()["overdue"] is True


def test_warned_then_escalated_twice_each_once(client, db, make, people, staff, auth):
    chair = make.member(roles=("secretary",))
    with time_machine.travel(datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI)):
        p = _submit_one(client, people, staff, auth, confidential=True)
    pid = p["id"]
    due = expected_due(CLOSES, 7)
    warn_at = expected_due(CLOSES, 6)
    staff_ids = {staff[0].id}

    def run(at: datetime) -> dict:
        with time_machine.travel(at):
            return {"w": jobs.warn_assignment(at), "e": jobs.escalate_assignment(at), "d": jobs.due_clock(at)}

    assert run(warn_at - timedelta(minutes=1))["w"]["proposals"] == 0
    assert run(warn_at + timedelta(minutes=1))["w"] == {"proposals": 1, "notices": 1}
    assert run(warn_at + timedelta(minutes=2))["w"]["proposals"] == 0  # once
    [warned] = _notices(db, "即将超过交办期限")
    assert _recipients(db, warned) == staff_ids and p["title"] not in warned.body  # confidential: by number
    assert run(due - timedelta(minutes=1))["e"]["level1"] == 0
    assert run(due + timedelta(minutes=1))["e"]["level1"] == 1
    assert run(due + timedelta(minutes=2))["e"] == {"proposals": 0, "level1": 0, "level2": 0, "notices": 0}
    assert run(due + timedelta(hours=23))["e"]["level2"] == 0
    assert run(due + timedelta(hours=24, minutes=2))["e"]["level2"] == 1
    assert run(due + timedelta(hours=25))["e"]["proposals"] == 0
    [late] = _notices(db, "超时未交办")
    assert _recipients(db, late) == {chair.id}
    assert _events(db, pid, "warned") == 1 and _events(db, pid, "escalated") == 2
    assert db.session.get(Proposal, pid).assign_escalation == 2


def test_lead_department_due_date_warns_and_escalates_staff_once(client, db, people, staff, auth):
    with time_machine.travel(datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI)):
        pid = _submit_one(client, people, staff, auth)["id"]
        sh = auth(staff[0])
        client.post(f"{API}/proposals/{pid}/review", json={"decision": "accept"}, headers=sh)
        r = client.post(f"{API}/proposals/{pid}/assign", headers=sh,
                        json={"lead_department": "后勤保障部", "due_date": "2026-11-30"})
        assert r.status_code == 200, r.get_json()
    end = datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI)
    with time_machine.travel(end - timedelta(hours=25)):
        assert jobs.due_clock(end - timedelta(hours=25))["proposals"] == 0
    for at, want in ((end - timedelta(hours=23), (1, 0)), (end - timedelta(hours=22), (0, 0)),
                     (end + timedelta(minutes=1), (0, 1)), (end + timedelta(hours=2), (0, 0))):
        with time_machine.travel(at):
            got = jobs.due_clock(at)
        assert (got["warned"], got["late"]) == want, at
    assert _recipients(db, _notices(db, "办理期限将至")[0]) == {staff[0].id}
    assert _recipients(db, _notices(db, "超过办理期限")[0]) == {staff[0].id}
    with time_machine.travel(end + timedelta(minutes=5)):
        assert client.get(f"{API}/proposals/{pid}", headers=auth(staff[0])).get_json()["overdue"] is True


def test_the_job_is_registered_every_minute(app):
    s = scheduler.build_scheduler(app)
    assert s.get_job("proposal_clocks").trigger.interval == timedelta(seconds=60)
    assert date(2026, 10, 10).weekday() == 5 and chinese_calendar.is_workday(date(2026, 10, 10))
