"""`flask --app server demo`: loads usable demo data, and running it twice changes nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from server.bookings.models import Booking, Calendar, CalendarAudience, Slot
from server.core.timeutil import utcnow
from server.events.models import Checkin, Event, EventAudience, Registration
from server.member_requests.models import LiaisonGrid, Request, RequestEvent
from server.members.models import Department, Grid, Member, MemberTag, Tag
from server.notices.models import Delivery, Notice
from server.suggestions.models import Suggestion, SuggestionMessage

MODELS = (Department, Grid, Tag, Member, MemberTag, Event, EventAudience, Registration, Checkin,
          Calendar, CalendarAudience, Slot, Booking, Notice, Delivery, Suggestion, SuggestionMessage, Request,
          RequestEvent, LiaisonGrid)


def counts(db) -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_demo_twice_changes_nothing(app, committing_db):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    after_first = counts(committing_db)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output

    assert counts(committing_db) == after_first
    assert after_first["Department"] == 6 and after_first["Grid"] == 12 and after_first["Member"] == 50
    assert "本次新增 0" in second.output
    assert "D0001" in first.output and "demo1234" in first.output and "D0010" in first.output


def test_demo_events_are_ready_to_try(app, committing_db):
    app.test_cli_runner().invoke(args=["demo"])
    events = {e.title: e for e in committing_db.session.scalars(select(Event))}
    now = utcnow()

    assert any(e.starts_at < now for e in events.values()) and any(e.starts_at > now for e in events.values())
    nearly_full = [e for e in events.values() if e.capacity and e.waitlist and e.confirmed_count == e.capacity - 1]
    assert nearly_full
    assert any(e.walk_in for e in events.values())
    today = [e for e in events.values()
             if e.starts_at - timedelta(minutes=e.checkin_opens_minutes_before) <= now < e.ends_at]
    assert today, "one event must be open for check-in now"
    # Counters agree with the registrations made through the sign-up service.
    for e in events.values():
        confirmed = committing_db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.event_id == e.id,
                                                                 Registration.status == "confirmed"))
        assert e.confirmed_count == confirmed
    assert committing_db.session.scalar(select(func.count()).select_from(EventAudience)) >= 1


def test_demo_staff_sign_in_to_the_console(app, committing_db):
    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()

    for employee_no, role in [("D0001", "admin"), ("D0002", "staff"), ("D0003", "secretary")]:
        resp = client.post("/api/v1/auth/password-login", json={"employee_no": employee_no, "password": "demo1234"})
        assert resp.status_code == 200, resp.get_json()
        assert role in resp.get_json()["member"]["roles"]

    plain = client.post("/api/v1/auth/password-login", json={"employee_no": "D0010", "password": "demo1234"})
    assert plain.status_code == 401 and plain.get_json()["error"]["code"] == "invalid_credentials"


def test_demo_bookings_notices_and_suggestions_are_ready_to_try(app, committing_db):
    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()

    def member_token(employee_no):
        r = client.post("/api/v1/auth/dev-login", json={"employee_no": employee_no})
        assert r.status_code == 200, r.get_json()
        return {"Authorization": f"Bearer {r.get_json()['token']}"}

    # The health check is for members over 40 (D0004 is tagged so, D0010 is not); everyone sees the rest.
    over_40, younger = member_token("D0004"), member_token("D0010")
    kinds = lambda h: {c["kind"] for c in client.get("/api/v1/calendars", headers=h).get_json()["items"]}  # noqa: E731
    assert kinds(over_40) == {"health_check", "reception_day", "legal_clinic"}
    assert kinds(younger) == {"reception_day", "legal_clinic"}
    mine = client.get("/api/v1/me/bookings", headers=over_40).get_json()["items"]
    assert [b["calendar"]["kind"] for b in mine] == ["health_check"]
    # D0010, the demo's mini-program member, holds a reception-day booking; another member can book one.
    assert [b["calendar"]["kind"] for b in client.get("/api/v1/me/bookings", headers=younger).get_json()["items"]] \
        == ["reception_day"]
    other = member_token("D0011")
    reception = next(c for c in client.get("/api/v1/calendars", headers=other).get_json()["items"]
                     if c["kind"] == "reception_day")
    slots = client.get(f"/api/v1/calendars/{reception['id']}/slots", headers=other).get_json()["items"]
    free = next(s for s in slots if s["booked"] < s["capacity"])
    r = client.post(f"/api/v1/slots/{free['id']}/bookings", json={"topic": "食堂"}, headers=other)
    assert r.status_code == 201, r.get_json()

    s = committing_db.session
    assert s.scalar(select(func.count()).select_from(Booking).where(Booking.topic.is_not(None))) >= 2
    # (The archived effectiveness report's notice to the committee is tests/reports/test_demo_reports.py's.)
    statuses = {n.title: n.status for n in s.scalars(select(Notice).where(Notice.source != "report"))}
    # Handed to the delivery worker (which ./scripts/run starts); the New Year one waits for its time.
    assert sorted(statuses.values()) == ["scheduled", "sending", "sending"]
    assert any(t.startswith("书记接待日开放预约") for t in statuses)  # the reception day was announced
    assert s.scalar(select(func.count()).select_from(Delivery)) >= 50
    board = client.get("/api/v1/suggestions/public", headers=younger).get_json()["items"]
    assert len(board) == 1 and board[0]["answers"]


def test_demo_member_is_bound_to_wechat_with_push_consent(app, committing_db):
    from server.members.models import WechatUser
    from server.notices.models import SubscriptionQuota

    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert "code-demo-d0010" in first.output
    s = committing_db.session
    d0010 = s.scalar(select(Member).filter_by(employee_no="D0010"))
    binding = s.scalar(select(WechatUser).filter_by(member_id=d0010.id))
    assert binding is not None and binding.openid == "demo-d0010" and binding.bound_at is not None
    quota = s.get(SubscriptionQuota, (d0010.id, app.config["WECHAT_NOTICE_TEMPLATE_ID"]))
    # The all-members notice of the demo went to D0010 by push and spent one consent; some are left.
    assert quota is not None and quota.remaining >= 1
    push = s.scalars(select(Delivery).filter_by(member_id=d0010.id, channel="push")).all()
    assert push and all(d.status == "queued" for d in push)

    runner.invoke(args=["demo"])
    s.expire_all()
    assert s.get(SubscriptionQuota, (d0010.id, app.config["WECHAT_NOTICE_TEMPLATE_ID"])).remaining == quota.remaining

    # Signing in through the (fake) WeChat login with that openid is D0010, already bound.
    client = app.test_client()
    from server.members.auth import issue_token
    with app.test_request_context():
        token = issue_token(None, binding.id)[0]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["employee_no"] == "D0010"


def test_demo_has_a_waiting_list_d0010_can_join(app, committing_db):
    app.test_cli_runner().invoke(args=["demo"])
    s = committing_db.session
    full = [e for e in s.scalars(select(Event)) if e.capacity and e.confirmed_count == e.capacity and e.waitlist_count]
    assert full, "one event must be full with members waiting"
    event_id, waiting = full[0].id, full[0].waitlist_count
    client = app.test_client()
    token = client.post("/api/v1/auth/dev-login", json={"employee_no": "D0010"}).get_json()["token"]
    r = client.post(f"/api/v1/events/{event_id}/registrations", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201 and r.get_json()["status"] == "waitlisted"
    assert r.get_json()["waitlist_position"] == waiting + 1


def test_demo_dates_follow_the_day_it_is_loaded(app, committing_db):
    """Loaded on any day, the demo's upcoming things are upcoming and its past things recent."""
    import time_machine

    from server.core.timeutil import SHANGHAI

    with time_machine.travel(datetime(2031, 3, 14, 2, 0, tzinfo=UTC), tick=True):
        app.test_cli_runner().invoke(args=["demo"])
        now = utcnow()
        s = committing_db.session
        from server.demo import PAST_EVENTS

        history = {title for title, _ in PAST_EVENTS}  # the dashboard's year of participation, months back
        for e in s.scalars(select(Event)):
            if e.title in history:
                assert now - timedelta(days=366) < e.starts_at < now - timedelta(days=60), e.title
            else:
                assert now - timedelta(days=60) < e.starts_at < now + timedelta(days=30), e.title
        slots = s.scalars(select(Slot)).all()
        assert slots and all(now < sl.starts_at < now + timedelta(days=30) for sl in slots)
        assert {c.title for c in s.scalars(select(Calendar)) if c.kind == "health_check"} == {"2031年度职工体检"}
        scheduled = s.scalars(select(Notice).filter_by(status="scheduled")).all()
        assert scheduled and all(now < n.send_at < now + timedelta(days=7) for n in scheduled)
        assert datetime.now(SHANGHAI).year == 2031


def test_demo_requests_fill_the_queues(app, committing_db):
    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()

    def token(employee_no):
        r = client.post("/api/v1/auth/dev-login", json={"employee_no": employee_no})
        return {"Authorization": f"Bearer {r.get_json()['token']}"}

    staff = client.get("/api/v1/requests?per_page=100", headers=token("D0002")).get_json()["items"]
    assert len(staff) == 12
    assert {i["status"] for i in staff} == {"submitted", "accepted", "resolved", "closed", "reopened"}
    assert staff[0]["overdue"] and any(i["urgent"] for i in staff) and any(i["confidential"] for i in staff)
    # A liaison's queue: their grid's requests, and D0007's also the added grid's (D0010's).
    liaison = client.get("/api/v1/requests", headers=token("D0007")).get_json()["items"]
    assert {i["grid"] for i in liaison} == {"第七网格", "第十网格"}
    mine = client.get("/api/v1/me/requests", headers=token("D0010")).get_json()["items"]
    assert [i["status"] for i in mine] == ["submitted", "resolved"]
    detail = client.get(f"/api/v1/requests/{mine[1]['id']}", headers=token("D0010")).get_json()
    assert [s["action"] for s in detail["timeline"]] == ["created", "accepted", "resolved"]
    assert client.post(f"/api/v1/requests/{mine[1]['id']}/confirm", json={"satisfaction": 5},
                       headers=token("D0010")).status_code == 200
