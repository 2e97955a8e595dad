"""`flask --app server demo`: loads usable demo data, and running it twice changes nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.events.models import Checkin, Event, EventAudience, Registration
from server.members.models import Department, Grid, Member, MemberTag, Tag
from server.timeutil import utcnow

MODELS = (Department, Grid, Tag, Member, MemberTag, Event, EventAudience, Registration, Checkin)


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
