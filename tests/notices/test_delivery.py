"""The delivery pipeline end to end: real HTTP to the fake WeChat and SMS servers, real database."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.members.models import Member, WechatUser
from server.notices import delivery, services
from server.notices.delivery import Worker
from server.notices.models import Delivery, Notice, SubscriptionQuota

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
    n = services.create_notice(None, title=kw.pop("title", "工会通知：周五下午召开职工代表大会"),
                               body="请各位代表准时参加。",
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


def test_a_member_deactivated_after_planning_is_not_messaged(app, db, make, wechat_server, sms_server):
    from server.members.services import deactivate

    leaving = member_with_push(db, make, wechat_server)
    staying = member_with_push(db, make, wechat_server)
    n = notice(db, [leaving, staying], channels=("push", "sms"))
    deactivate([leaving.id], utcnow())  # taken off the roster while the rows wait in the outbox
    db.session.flush()
    drain(app)
    db.session.expire_all()
    assert statuses(db, n.id) == {
        (leaving.id, "push"): ("skipped", delivery.MEMBER_INACTIVE),
        (leaving.id, "sms"): ("skipped", delivery.MEMBER_INACTIVE),
        (staying.id, "push"): ("sent", None),
        (staying.id, "sms"): ("sent", None),
    }
    assert [s["touser"] for s in wechat_server.sent] == [f"o-{staying.employee_no}"]
    assert [s.phone for s in sms_server.sent] == [staying.phone]
    assert db.session.get(Notice, n.id).status == "sent"


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


# --- crash recovery: rows left `sending` (docs/delivery.md) ---------------------------------------------

PUSH = "cgi-bin/message/subscribe/send"


def crash_mid_send(app, worker: Worker, accepted: bool):
    """What a worker killed mid-call leaves behind: its claimed rows committed `sending` and, when
    `accepted`, the provider holding the messages (sent over real HTTP, as the worker sends them)."""
    with app.app_context():
        jobs = worker.claim()
        worker._turn([], {}, jobs)
    if accepted:
        for call in worker._calls(jobs)[0]:
            worker._call(call)
    return jobs


def after(app, seconds_past_lease=1, report_wait=False):
    extra = app.config["DELIVERY_REPORT_WAIT_SECONDS"] if report_wait else 0
    return time_machine.travel(utcnow() + timedelta(seconds=app.config["DELIVERY_LEASE_SECONDS"]
                                                    + seconds_past_lease + extra))


def test_an_sms_answer_lost_to_a_timeout_is_settled_by_the_reports_not_sent_twice(app, db, make, sms_server):
    # SMS_TIMEOUT is 2 s in tests; the fake holds each request 3 s.
    taken, never = [make.member() for _ in range(2)], [make.member() for _ in range(2)]
    n = notice(db, taken, channels=("sms",))
    sms_server.fail("tencent", delay=3, after=True, times=1)  # the provider takes it, the answer comes too late
    try:
        drain(app, rounds=1)
    finally:
        sms_server.release_held()
    m = notice(db, never, channels=("sms",))
    sms_server.fail("tencent", delay=3, times=1)  # held before acting, then given up: never taken
    try:
        drain(app, rounds=1)
    finally:
        sms_server.abandon_held()
    db.session.expire_all()
    for notice_id in (n.id, m.id):  # in doubt: neither sent again at once nor given up
        assert {s for s, _ in statuses(db, notice_id).values()} == {"sending"}
        assert all(e.startswith("in doubt: ") for _, e in statuses(db, notice_id).values())
    with after(app):  # the lease ran out: the reports say the first two were taken
        drain(app)
    with after(app, report_wait=True):  # and, once the wait for reports is over, that the others were not
        drain(app)
    db.session.expire_all()
    assert {s for s, _ in statuses(db, n.id).values()} == {"sent"}
    assert {s for s, _ in statuses(db, m.id).values()} == {"sent"}
    assert sorted(s.phone for s in sms_server.sent) == sorted(p.phone for p in taken + never)  # once each
    assert {db.session.get(Notice, i).status for i in (n.id, m.id)} == {"sent"}


def test_each_result_is_recorded_as_it_comes_not_when_the_batch_ends(app, db, make, wechat_server):
    people = [member_with_push(db, make, wechat_server) for _ in range(4)]
    n = notice(db, people, sms_fallback=False)
    wechat_server.fail(PUSH, delay=30, times=1)  # one push hangs; the other three are answered at once
    worker = Worker(app, name="w")
    t = threading.Thread(target=worker.run_once)
    t.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # polling the worker thread's progress
            db.session.expire_all()
            got = sorted(s for s, _ in statuses(db, n.id).values())
            if got == ["sending", "sent", "sent", "sent"]:
                break
            time.sleep(0.05)
        # While one call is in flight, only its row is in doubt; the others are already written down.
        assert got == ["sending", "sent", "sent", "sent"]
    finally:
        wechat_server.release_held()
        t.join()
    db.session.expire_all()
    assert {s for s, _ in statuses(db, n.id).values()} == {"sent"}


def test_unreachable_provider_at_reconciliation_keeps_the_sms_in_flight_not_resent(app, db, make, sms_server):
    people = [make.member() for _ in range(3)]
    n = notice(db, people, channels=("sms",))
    crash_mid_send(app, Worker(app, name="dead"), accepted=True)
    assert len(sms_server.sent) == 3
    sms_server.fail("tencent", action="PullSmsSendStatusByPhoneNumber", status=502)
    survivor = Worker(app, name="survivor")
    with after(app, report_wait=True):
        drain(app, survivor)
    db.session.expire_all()
    got = statuses(db, n.id)
    assert {s for s, _ in got.values()} == {"sending"}  # not resent blindly, not given up
    assert all(e.startswith("reconcile: 服务商暂时无法查询") for _, e in got.values())
    assert len(sms_server.sent) == 3

    sms_server.release_held()  # the status query works again
    with after(app, seconds_past_lease=app.config["DELIVERY_LEASE_SECONDS"] + 2, report_wait=True):
        drain(app, survivor)
    db.session.expire_all()
    assert {s for s, _ in statuses(db, n.id).values()} == {"sent"}
    assert sorted(s.phone for s in sms_server.sent) == sorted(p.phone for p in people)


def test_a_message_the_provider_accepted_twice_is_counted_as_duplicate(app, db, make, client, auth, sms_server):
    people = [make.member() for _ in range(2)]
    n = notice(db, people, channels=("sms",))
    dead = Worker(app, name="dead")
    jobs = crash_mid_send(app, dead, accepted=True)
    # An earlier attempt the provider also took, for the first member (e.g. its answer lost in a crash
    # and its report late): the provider has two messages for one delivery.
    first = next(j for j in jobs if j.member_id == people[0].id)
    dead._sms([first])
    with after(app):
        drain(app)
    staff = make.staff()
    body = client.get(f"/api/v1/notices/{n.id}", headers=auth(staff)).json
    assert body["stats"]["by_channel"]["sms"] == {"queued": 0, "sending": 0, "sent": 1, "failed": 0,
                                                         "skipped": 0, "unknown": 0, "duplicate": 1}
    dup = client.get(f"/api/v1/notices/{n.id}/deliveries?status=duplicate", headers=auth(staff)).json["items"]
    assert [(d["member_id"], d["status"]) for d in dup] == [(people[0].id, "duplicate")]
    assert dup[0]["last_error"] == "duplicate: 服务商接受了 2 次"
    assert len(sms_server.sent) == 3  # reconciliation never sends


def test_a_push_cut_off_mid_call_is_unknown_never_resent_and_falls_back_to_sms(app, db, make, client, auth,
                                                                              wechat_server, sms_server):
    pushed, missed = member_with_push(db, make, wechat_server), member_with_push(db, make, wechat_server)
    n = notice(db, [pushed, missed])  # push only, SMS fallback allowed
    dead = Worker(app, name="dead")
    jobs = crash_mid_send(app, dead, accepted=False)
    dead._push(next(j for j in jobs if j.member_id == pushed.id))  # WeChat took one, the other never arrived
    with after(app):
        drain(app)
    db.session.expire_all()
    got = statuses(db, n.id)
    # WeChat cannot say which one arrived: neither push is sent again, both members get the SMS instead.
    assert {k: s for k, (s, _) in got.items()} == {(pushed.id, "push"): "unknown", (missed.id, "push"): "unknown",
                                                   (pushed.id, "sms"): "sent", (missed.id, "sms"): "sent"}
    assert got[(pushed.id, "push")][1].startswith("unknown: ")
    assert [m["touser"] for m in wechat_server.sent] == [f"o-{pushed.employee_no}"]
    assert sorted(s.phone for s in sms_server.sent) == sorted([pushed.phone, missed.phone])
    # The consent reserved at planning stays spent: WeChat may have used it.
    assert db.session.get(SubscriptionQuota, (missed.id, TEMPLATE)).remaining == 0
    staff = make.staff()
    stats = client.get(f"/api/v1/notices/{n.id}", headers=auth(staff)).json["stats"]["by_channel"]["push"]
    assert (stats["unknown"], stats["sent"]) == (2, 0)
    unknown = client.get(f"/api/v1/notices/{n.id}/deliveries?status=unknown", headers=auth(staff)).json
    assert unknown["total"] == 2


def test_without_a_status_query_an_interrupted_sms_is_unknown_not_resent(app, db, make, sms_server):
    # The console (and, here, Aliyun) provider cannot be asked what it accepted.
    people = [make.member() for _ in range(2)]
    n = notice(db, people, channels=("sms",))
    crash_mid_send(app, Worker(app, name="dead"), accepted=True)
    provider = app.config["SMS_PROVIDER"]
    app.config["SMS_PROVIDER"] = "console"
    try:
        with after(app, report_wait=True):
            drain(app)
    finally:
        app.config["SMS_PROVIDER"] = provider
    db.session.expire_all()
    assert {s for s, _ in statuses(db, n.id).values()} == {"unknown"}
    assert len(sms_server.sent) == 2


def test_delivery_status_filter_refuses_an_unknown_state(client, make, auth, db):
    staff = make.staff()
    n = notice(db, [make.member()], channels=("sms",))
    r = client.get(f"/api/v1/notices/{n.id}/deliveries?status=lost", headers=auth(staff))
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_request"
    r = client.get(f"/api/v1/notices/{n.id}/deliveries?status=sending", headers=auth(staff))
    assert r.status_code == 200 and r.json["total"] == 0
