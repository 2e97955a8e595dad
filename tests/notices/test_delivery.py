"""The delivery pipeline end to end: real HTTP to the fake WeChat and SMS servers, real database."""
from __future__ import annotations

import threading
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from server.members.models import Member, WechatUser
from server.notices import services
from server.notices.delivery import Worker
from server.notices.models import Delivery, Notice, SubscriptionQuota
from server.timeutil import utcnow

TEMPLATE = "notice-template-dev"


def member_with_push(db, make, wechat_server, consents=1):
    m = make.member()
    db.session.add(WechatUser(openid=f"o-{m.employee_no}", member_id=m.id))
    if consents:
        db.session.add(SubscriptionQuota(member_id=m.id, template_id=TEMPLATE, remaining=consents))
        wechat_server.grant(f"o-{m.employee_no}", TEMPLATE, consents)
    db.session.flush()
    return m


def notice(db, members, channels=("push",), **kw):
    n = services.create_notice(None, title=kw.pop("title", "工会通知：周五下午召开职工代表大会"), body="请各位代表准时参加。",
                               channels=list(channels), audience={"member_ids": [m.id for m in members]}, **kw)
    services.send_notice(n.id)
    db.session.flush()
    return n


def drain(app, worker=None, rounds=20) -> Worker:
    worker = worker or Worker(app)
    for _ in range(rounds):
        if not worker.run_once():
            break
    return worker


def statuses(db, notice_id):
    return {(d.member_id, d.channel): (d.status, d.last_error) for d in
            db.session.scalars(select(Delivery).where(Delivery.notice_id == notice_id)).all()}


def test_push_and_sms_delivered_once_each(app, db, make, wechat_server, sms_server):
    pushed = [member_with_push(db, make, wechat_server) for _ in range(3)]
    texted = [make.member() for _ in range(4)]
    n = notice(db, pushed + texted, channels=("push",))
    drain(app)
    db.session.expire_all()
    assert {o: s for o, (s, _) in statuses(db, n.id).items()} == {
        **{(m.id, "push"): "sent" for m in pushed},
        **{(m.id, "push"): "skipped" for m in texted},
        **{(m.id, "sms"): "sent" for m in texted},
    }
    assert sorted(s["touser"] for s in wechat_server.sent) == sorted(f"o-{m.employee_no}" for m in pushed)
    assert sorted(s.phone for s in sms_server.sent) == sorted(m.phone for m in texted)
    assert all(s.params == [n.title] for s in sms_server.sent)
    push_msg = wechat_server.sent[0]
    assert push_msg["data"]["thing1"]["value"] == "工会通知：周五下午召开职工代表大会"
    assert push_msg["page"] == f"pages/notices/detail?id={n.id}"
    assert db.session.get(Notice, n.id).status == "sent"
    # sending again, and more worker rounds, send nothing more
    services.send_notice(n.id)
    drain(app)
    assert len(wechat_server.sent) == 3 and len(sms_server.sent) == 4


def test_long_title_is_cut_cleanly_for_wechat_and_sms(app, db, make, wechat_server, sms_server):
    title = "关于做好二〇二六年度职工疗休养报名及后续安排工作的补充通知"  # 31 characters
    m, other = member_with_push(db, make, wechat_server), make.member()
    n = notice(db, [m, other], title=title)
    drain(app)
    thing = wechat_server.sent[0]["data"]["thing1"]["value"]
    (sms,) = sms_server.sent
    for value in (thing, sms.params[0]):
        assert len(value) == 20 and value.endswith("…") and title.startswith(value[:-1])
    assert {st for st, _ in statuses(db, n.id).values()} == {"sent", "skipped"}


def test_sms_provider_outage_then_recovery_delivers_exactly_once(app, db, make, sms_server):
    people = [make.member() for _ in range(5)]
    n = notice(db, people, channels=("sms",))
    sms_server.fail(status=502)  # down until further notice
    worker = drain(app)
    db.session.expire_all()
    rows = db.session.scalars(select(Delivery).where(Delivery.notice_id == n.id)).all()
    assert {(r.status, r.attempts) for r in rows} == {("queued", 1)}
    assert all("502" in r.last_error for r in rows)
    assert sms_server.sent == []

    sms_server.reset()  # the provider is back
    with time_machine.travel(utcnow() + timedelta(minutes=2)):  # past the first back-off
        drain(app, worker)
    db.session.expire_all()
    rows = db.session.scalars(select(Delivery).where(Delivery.notice_id == n.id)).all()
    assert {(r.status, r.attempts, r.last_error) for r in rows} == {("sent", 2, None)}
    assert sorted(s.phone for s in sms_server.sent) == sorted(p.phone for p in people)


def test_gives_up_after_the_attempt_limit_keeping_the_last_error(app, db, make, sms_server):
    app.config["DELIVERY_MAX_ATTEMPTS"], limit = 3, app.config["DELIVERY_MAX_ATTEMPTS"]
    try:
        n = notice(db, [make.member()], channels=("sms",))
        sms_server.fail(code="InternalError")
        worker, now = Worker(app), utcnow()
        for hour in range(4):
            with time_machine.travel(now + timedelta(hours=hour)):
                drain(app, worker)
        db.session.expire_all()
        (row,) = db.session.scalars(select(Delivery).where(Delivery.notice_id == n.id)).all()
        assert (row.status, row.attempts) == ("failed", 3) and "InternalError" in row.last_error
    finally:
        app.config["DELIVERY_MAX_ATTEMPTS"] = limit


def test_wechat_43101_falls_back_to_sms_and_clears_consent(app, db, make, wechat_server, sms_server):
    m = member_with_push(db, make, wechat_server)
    wechat_server.fail("cgi-bin/message/subscribe/send", errcode=43101, errmsg="user refuse to accept the msg")
    n = notice(db, [m])
    drain(app)
    db.session.expire_all()
    got = statuses(db, n.id)
    assert got[(m.id, "push")][0] == "failed" and got[(m.id, "push")][1].startswith("43101")
    assert got[(m.id, "sms")] == ("sent", None)
    assert db.session.get(SubscriptionQuota, (m.id, TEMPLATE)).remaining == 0
    assert [s.phone for s in sms_server.sent] == [m.phone]


def test_wechat_47003_fails_for_good_and_gives_the_consent_back(app, db, make, wechat_server):
    m = member_with_push(db, make, wechat_server, consents=2)
    wechat_server.fail("cgi-bin/message/subscribe/send", errcode=47003, errmsg="argument invalid!")
    n = notice(db, [m], sms_fallback=False)
    assert db.session.get(SubscriptionQuota, (m.id, TEMPLATE)).remaining == 1  # reserved at planning
    drain(app)
    db.session.expire_all()
    assert statuses(db, n.id) == {(m.id, "push"): ("failed", "47003 模板数据不符合规则")}
    assert db.session.get(SubscriptionQuota, (m.id, TEMPLATE)).remaining == 2  # WeChat spent nothing


def test_wechat_timeout_is_retried(app, db, make, wechat_server):
    m = member_with_push(db, make, wechat_server)
    wechat_server.fail("cgi-bin/message/subscribe/send", delay=3, times=1)  # WECHAT_TIMEOUT is 2 s in tests
    n = notice(db, [m])
    worker = drain(app)
    db.session.expire_all()
    status, error = statuses(db, n.id)[(m.id, "push")]
    assert status == "queued" and error.startswith("unavailable")
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        drain(app, worker)
    db.session.expire_all()
    assert statuses(db, n.id)[(m.id, "push")] == ("sent", None)
    assert len(wechat_server.sent) == 1


def test_member_without_phone_is_skipped_not_sent(app, db, make, sms_server):
    m = make.member()
    m.phone = None
    db.session.flush()
    n = notice(db, [m], channels=("sms",))
    drain(app)
    assert statuses(db, n.id) == {(m.id, "sms"): ("skipped", services.NO_PHONE)}
    assert sms_server.sent == []


def test_killed_worker_rows_come_back_after_the_lease(app, db, make, sms_server):
    people = [make.member() for _ in range(3)]
    n = notice(db, people, channels=("sms",))
    dead = Worker(app, name="dead-worker")
    with app.app_context():
        claimed = dead.claim()  # claimed and committed, then the process "dies" before sending
    assert len(claimed) == 3
    other = Worker(app, name="second-worker")
    assert drain(app, other) is other and sms_server.sent == []  # leased: nobody else takes them
    with time_machine.travel(utcnow() + timedelta(seconds=app.config["DELIVERY_LEASE_SECONDS"] + 1)):
        drain(app, other)
    assert sorted(s.phone for s in sms_server.sent) == sorted(p.phone for p in people)
    # the dead worker's late report cannot overwrite the second worker's result
    from notifications.base import Outcome

    dead.record(claimed, {j.id: Outcome.failed("late") for j in claimed})
    db.session.expire_all()
    assert {s for s, _ in statuses(db, n.id).values()} == {"sent"}


def test_two_workers_racing_never_send_twice(app, committing_db, sms_server, wechat_server):
    s = committing_db.session
    members = [Member(employee_no=f"W{i:04d}", name=f"会员{i}", phone=f"1371234{i:04d}", roles=["member"])
               for i in range(600)]
    s.add_all(members)
    s.flush()
    ids = [m.id for m in members]
    n = services.create_notice(None, title="全员通知", body="正文", channels=["sms"], audience={"all": True})
    services.send_notice(n.id)
    s.commit()
    s.close()
    app.config["DELIVERY_BATCH"], batch = 50, app.config["DELIVERY_BATCH"]
    try:
        workers = [Worker(app, name=f"racer-{i}") for i in range(4)]
        threads = [threading.Thread(target=drain, args=(app, w, 100)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        app.config["DELIVERY_BATCH"] = batch
    phones = [x.phone for x in sms_server.sent]
    assert len(phones) == len(set(phones)) == 600
    counts = dict(s.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    assert counts == {"sent": 600}
    assert len(ids) == 600
