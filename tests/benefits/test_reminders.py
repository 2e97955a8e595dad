"""The benefit clock: the unclaimed reminder before the claim window closes and the unredeemed reminder before
redeem_until, each once per campaign, to exactly the right members. Time moved with time-machine."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from server import scheduler
from server.benefits import jobs
from server.core.timeutil import utcnow
from server.notices.delivery import Worker
from server.notices.models import Notice, NoticeRecipient

from .conftest import API, benefit_body


def drain(app, rounds=20) -> None:
    worker = Worker(app)
    for _ in range(rounds):
        if not worker.run_once():
            break


def _benefit_notices(db) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.source == "benefit").order_by(Notice.id)))


def _recipients(db, notice: Notice) -> set[int]:
    return set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice.id)))


def test_reminders_go_once_to_those_who_have_not_acted(client, db, staff, people, app, sms_server):
    sms_server.reset()
    now = utcnow()
    closes, until = now + timedelta(days=3), now + timedelta(days=6)
    r = client.post(f"{API}/benefits", headers=staff[1], json=benefit_body(
        audience={"departments": ["生产一部"]}, claim_closes_at=closes.isoformat(), redeem_until=until.isoformat()))
    b = r.get_json()
    for k in ("a", "b"):
        client.post(f"{API}/benefits/{b['id']}/claims", json={"option_id": b["options"][2]["id"]},
                    headers=people[k][1])
    code = client.get(f"{API}/me/claims", headers=people["a"][1]).get_json()["items"][0]["claim_code"]
    client.post(f"{API}/benefits/{b['id']}/redemptions", json={"claim_code": code}, headers=staff[1])
    hours = app.config["BENEFIT_UNCLAIMED_REMINDER_HOURS"]

    assert jobs.run(closes - timedelta(hours=hours, minutes=1)) == {"unclaimed": 0, "unredeemed": 0}
    assert _benefit_notices(db) == []
    with time_machine.travel(closes - timedelta(hours=hours - 1)):
        assert jobs.run() == {"unclaimed": 1, "unredeemed": 0}
        assert jobs.run() == {"unclaimed": 0, "unredeemed": 0}  # a second run (or scheduler) sends nothing
    (unclaimed,) = _benefit_notices(db)
    assert "截止领取" in unclaimed.title
    # 生产一部 without a claim: c and d (x is in 行政部, a and b claimed).
    assert _recipients(db, unclaimed) == {people["c"][0].id, people["d"][0].id}
    # Sent by the pipeline, counted at the fake SMS provider: one each (no push consent, so the SMS fallback).
    with time_machine.travel(closes - timedelta(hours=hours - 2)):
        drain(app)
        jobs.run()
        drain(app)
    assert sorted(m.phone for m in sms_server.sent) == sorted([people["c"][0].phone, people["d"][0].phone])
    assert all("截止领取" in m.params[0] for m in sms_server.sent)

    with time_machine.travel(until - timedelta(hours=app.config["BENEFIT_UNREDEEMED_REMINDER_HOURS"] - 2)):
        assert jobs.run() == {"unclaimed": 0, "unredeemed": 1}
        assert jobs.run() == {"unclaimed": 0, "unredeemed": 0}
        drain(app)
    unredeemed = _benefit_notices(db)[-1]
    assert "截止核销" in unredeemed.title and _recipients(db, unredeemed) == {people["b"][0].id}
    with time_machine.travel(until + timedelta(hours=1)):
        assert jobs.run() == {"unclaimed": 0, "unredeemed": 0}
        drain(app)
    assert len(_benefit_notices(db)) == 2
    assert sorted(m.phone for m in sms_server.sent) == sorted(
        [people["c"][0].phone, people["d"][0].phone, people["b"][0].phone])


def test_a_cancelled_campaign_reminds_nobody(client, db, staff, people):
    now = utcnow()
    b = client.post(f"{API}/benefits", headers=staff[1], json=benefit_body(
        claim_closes_at=(now + timedelta(hours=2)).isoformat())).get_json()
    client.post(f"{API}/benefits/{b['id']}/cancel", headers=staff[1])
    assert jobs.run(now + timedelta(hours=1)) == {"unclaimed": 0, "unredeemed": 0}


def test_the_scheduler_runs_the_benefit_clock_every_minute(app):
    s = scheduler.build_scheduler(app)
    job = s.get_job("benefit_reminders")
    assert job.trigger.interval == timedelta(seconds=60)
    assert job.func_ref == "server.scheduler:run_benefit_reminders"
