"""Events, sign-up windows, audiences, capacity and the waiting list, through the HTTP API."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from server.core.timeutil import to_local_iso, utcnow
from server.events import signals, signup
from server.members.models import PhoneAccess

API = "/api/v1"


def event_body(**kw):
    start = utcnow() + timedelta(days=3)
    body = {
        "title": "职工羽毛球赛", "kind": "activity", "location": "体育馆",
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
    }
    body.update(kw)
    return body


def test_staff_creates_event_and_member_sees_it(client, make, auth):
    staff, member = make.staff(), make.member()
    r = client.post(f"{API}/events", json=event_body(capacity=10, description="欢迎报名"), headers=auth(staff))
    assert r.status_code == 201, r.json
    ev = r.json
    assert ev["status"] == "published" and ev["seats_left"] == 10 and ev["my_registration"] is None
    assert ev["starts_at"].endswith("+08:00")  # shown in Asia/Shanghai
    r = client.get(f"{API}/events", headers=auth(member))
    assert [e["id"] for e in r.json["items"]] == [ev["id"]] and r.json["total"] == 1


def test_member_cannot_create_or_change_events(client, make, auth):
    member, ev = make.member(), make.event()
    assert client.post(f"{API}/events", json=event_body(), headers=auth(member)).status_code == 403
    r = client.patch(f"{API}/events/{ev.id}", json={"capacity": 5}, headers=auth(member))
    assert r.json["error"]["code"] == "forbidden"
    assert client.post(f"{API}/events/{ev.id}/cancel", headers=auth(member)).status_code == 403
    assert client.get(f"{API}/events/{ev.id}/registrations", headers=auth(member)).status_code == 403


def test_bad_event_input_names_each_field(client, make, auth):
    h = auth(make.staff())
    start = utcnow() + timedelta(days=1)
    cases = [
        (event_body(ends_at=(start - timedelta(days=1)).isoformat(), starts_at=start.isoformat()), "ends_at"),
        (event_body(capacity=-1), "capacity"),
        (event_body(capacity="10"), "capacity"),
        (event_body(kind="party"), "kind"),
        (event_body(starts_at="2026-12-01T09:00:00"), "starts_at"),
        (event_body(title="x" * 101), "title"),
        (event_body(unexpected=1), "unexpected"),
        ({k: v for k, v in event_body().items() if k != "location"}, "location"),
        (event_body(audience={"departments": ["不存在的部门"]}), "audience.departments"),
    ]
    for body, field in cases:
        r = client.post(f"{API}/events", json=body, headers=h)
        assert r.status_code == 400, (field, r.json)
        assert r.json["error"]["code"] == "invalid_request"
        assert field in r.json["error"]["details"]["fields"], (field, r.json)
    assert client.get(f"{API}/events", headers=h).json["total"] == 0  # nothing half-created


def test_non_json_and_huge_bodies_are_clear_errors(client, make, auth):
    h = auth(make.staff())
    r = client.post(f"{API}/events", data="not json", headers=h, content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_request"
    r = client.post(f"{API}/events", data="[1, 2]", headers=h, content_type="application/json")
    assert r.status_code == 400
    r = client.post(f"{API}/events", data=b"{" + b" " * (10 * 1024 * 1024) + b"}", headers=h,
                    content_type="application/json")
    assert r.status_code == 413 and r.json["error"]["code"] == "payload_too_large"


def test_unknown_event_is_404_json(client, make, auth):
    h = auth(make.member())
    for method, path in [("get", "/events/999999"), ("post", "/events/999999/registrations"),
                         ("delete", "/events/999999/registrations/me")]:
        r = getattr(client, method)(API + path, headers=h)
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert client.get(f"{API}/no-such-route").json["error"]["code"] == "not_found"


def test_signup_capacity_waitlist_and_promotion_in_arrival_order(client, make, auth):
    ev = make.event(capacity=2)
    people = [make.member() for _ in range(5)]
    results = [client.post(f"{API}/events/{ev.id}/registrations", headers=auth(m)) for m in people]
    assert [r.status_code for r in results] == [201] * 5
    assert [r.json["status"] for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [r.json["waitlist_position"] for r in results] == [None, None, 1, 2, 3]

    # the same member again: same registration, 200
    again = client.post(f"{API}/events/{ev.id}/registrations", headers=auth(people[3]))
    assert again.status_code == 200 and again.json["id"] == results[3].json["id"]

    # a confirmed member cancels: the first on the waiting list is confirmed at once
    r = client.delete(f"{API}/events/{ev.id}/registrations/me", headers=auth(people[0]))
    assert r.json == {"status": "cancelled"}
    mine = client.get(f"{API}/events/{ev.id}", headers=auth(people[2])).json
    assert mine["my_registration"]["status"] == "confirmed"
    fifth = client.get(f"{API}/events/{ev.id}", headers=auth(people[4])).json
    assert fifth["my_registration"]["waitlist_position"] == 2
    assert mine["confirmed_count"] == 2 and mine["waitlist_count"] == 2 and mine["seats_left"] == 0

    # raising capacity confirms the rest, in order
    staff = make.staff()
    r = client.patch(f"{API}/events/{ev.id}", json={"capacity": 3}, headers=auth(staff))
    assert r.status_code == 200 and r.json["confirmed_count"] == 3 and r.json["waitlist_count"] == 1
    assert client.get(f"{API}/events/{ev.id}", headers=auth(people[3])).json["my_registration"]["status"] == "confirmed"
    fifth = client.get(f"{API}/events/{ev.id}", headers=auth(people[4])).json
    assert fifth["my_registration"]["waitlist_position"] == 1


def test_promotion_is_announced_to_the_notices_domain(db, make):
    ev = make.event(capacity=1)
    a, b = make.member(), make.member()
    signup.register(a.id, ev.id)
    signup.register(b.id, ev.id)
    seen = []

    def listener(event, member_ids):
        seen.append((event.id, member_ids))

    signals.registration_promoted.connect(listener)
    try:
        signup.cancel_registration(a, ev.id)
    finally:
        signals.registration_promoted.disconnect(listener)
    assert seen == [(ev.id, [b.id])]


def test_full_event_without_waitlist_refuses(client, make, auth):
    ev = make.event(capacity=1, waitlist=False)
    assert client.post(f"{API}/events/{ev.id}/registrations", headers=auth(make.member())).status_code == 201
    r = client.post(f"{API}/events/{ev.id}/registrations", headers=auth(make.member()))
    assert r.status_code == 409 and r.json["error"]["code"] == "event_full"


def test_capacity_cannot_drop_below_confirmed(client, make, auth):
    ev = make.event(capacity=3)
    for _ in range(2):
        signup.register(make.member().id, ev.id)
    r = client.patch(f"{API}/events/{ev.id}", json={"capacity": 1}, headers=auth(make.staff()))
    assert r.status_code == 409 and r.json["error"]["code"] == "capacity_below_confirmed"


def test_signup_window(client, make, auth):
    now = utcnow()
    ev = make.event(signup_opens_at=now + timedelta(days=1), signup_closes_at=now + timedelta(days=2),
                    starts_at=now + timedelta(days=5))
    m = make.member()
    r = client.post(f"{API}/events/{ev.id}/registrations", headers=auth(m))
    assert r.status_code == 409 and r.json["error"]["code"] == "signup_closed"
    # Told when it opens, in Beijing time like every time the API shows.
    opens = r.json["error"]["details"]["signup_opens_at"]
    assert opens.endswith("+08:00") and datetime.fromisoformat(opens) == ev.signup_opens_at
    with time_machine.travel(now + timedelta(days=1, hours=1)):
        assert client.post(f"{API}/events/{ev.id}/registrations", headers=auth(m)).status_code == 201
    with time_machine.travel(now + timedelta(days=2, hours=1)):
        r = client.post(f"{API}/events/{ev.id}/registrations", headers=auth(make.member()))
        assert r.json["error"]["code"] == "signup_closed"
        closes = r.json["error"]["details"]["signup_closes_at"]
        assert closes.endswith("+08:00") and datetime.fromisoformat(closes) == ev.signup_closes_at


def test_audience_limits_who_sees_and_signs_up(client, make, auth):
    insider = make.member(department="技术部", tags=["新员工"])
    wrong_tag = make.member(department="技术部", tags=["老员工"])
    other_dept = make.member(department="生产一部", tags=["新员工"])
    ev = make.event(audience={"departments": ["技术部"], "tags": ["新员工"]})
    assert client.post(f"{API}/events/{ev.id}/registrations", headers=auth(insider)).status_code == 201
    for outsider in (wrong_tag, other_dept):
        r = client.post(f"{API}/events/{ev.id}/registrations", headers=auth(outsider))
        assert r.status_code == 403 and r.json["error"]["code"] == "not_eligible"
        assert client.get(f"{API}/events", headers=auth(outsider)).json["total"] == 0
        assert client.get(f"{API}/events/{ev.id}", headers=auth(outsider)).status_code == 404
    got = client.get(f"{API}/events", headers=auth(insider)).json["items"]
    assert got[0]["audience"] == {"departments": ["技术部"], "grids": [], "tags": ["新员工"]}


def test_cancelled_event_refuses_signup_and_keeps_registrations(client, make, auth):
    ev = make.event(capacity=5)
    m = make.member()
    signup.register(m.id, ev.id)
    r = client.post(f"{API}/events/{ev.id}/cancel", headers=auth(make.staff()))
    assert r.json["status"] == "cancelled"
    r = client.post(f"{API}/events/{ev.id}/registrations", headers=auth(make.member()))
    assert r.status_code == 409 and r.json["error"]["code"] == "event_cancelled"
    assert client.get(f"{API}/events/{ev.id}", headers=auth(m)).json["my_registration"]["status"] == "confirmed"


def test_list_filters_by_time_and_kind(client, make, auth):
    now = utcnow()
    soon = make.event(starts_at=now + timedelta(days=1), kind="lecture")
    later = make.event(starts_at=now + timedelta(days=30))
    h = auth(make.member())
    frm = (now + timedelta(days=10)).isoformat()
    listed = client.get(f"{API}/events", query_string={"from": frm}, headers=h).json["items"]
    assert [e["id"] for e in listed] == [later.id]
    assert [e["id"] for e in client.get(f"{API}/events?kind=lecture", headers=h).json["items"]] == [soon.id]
    r = client.get(f"{API}/events?from=2026-12-01T09:00:00", headers=h)
    assert r.status_code == 400 and "from" in r.json["error"]["details"]["fields"]
    assert client.get(f"{API}/events?per_page=101", headers=h).status_code == 400


def test_my_registrations(client, make, auth):
    m = make.member()
    a, b = make.event(), make.event(capacity=0)
    signup.register(m.id, a.id)
    signup.register(m.id, b.id)
    items = client.get(f"{API}/me/registrations", headers=auth(m)).json["items"]
    assert {(i["event"]["id"], i["status"]) for i in items} == {(a.id, "confirmed"), (b.id, "waitlisted")}


def test_an_event_that_is_over_cannot_be_cancelled_or_resized(client, make, auth):
    """Registrants of a past event must not be told it was cancelled; an event under way still can be."""
    staff = auth(make.staff())
    now = utcnow()
    past = make.event(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    under_way = make.event(starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=1))

    r = client.post(f"{API}/events/{past.id}/cancel", headers=staff)
    assert r.status_code == 409 and r.json["error"]["code"] == "event_ended"
    assert client.get(f"{API}/events/{past.id}", headers=staff).json["status"] == "published"
    r = client.post(f"{API}/events/{under_way.id}/cancel", headers=staff)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    # Nor can its capacity change: more seats would "promote" the waiting list into a past event.
    r = client.patch(f"{API}/events/{past.id}", json={"capacity": 500}, headers=staff)
    assert r.status_code == 409 and r.json["error"]["code"] == "event_ended"
    r = client.patch(f"{API}/events/{past.id}", json={"description": "活动照片已上传"}, headers=staff)
    assert r.status_code == 200
    # Cancelling is idempotent, also once the event is over.
    with time_machine.travel(now + timedelta(hours=2)):
        assert client.post(f"{API}/events/{under_way.id}/cancel", headers=staff).status_code == 200


def test_cancel_without_registration_or_after_start(client, make, auth):
    m, ev = make.member(), make.event()
    assert client.delete(f"{API}/events/{ev.id}/registrations/me", headers=auth(m)).status_code == 404
    signup.register(m.id, ev.id)
    with time_machine.travel(ev.starts_at + timedelta(minutes=1)):
        r = client.delete(f"{API}/events/{ev.id}/registrations/me", headers=auth(m))
        assert r.status_code == 409 and r.json["error"]["code"] == "event_started"


def test_sign_up_again_after_cancelling(client, make, auth):
    m, ev = make.member(), make.event(capacity=1)
    first = client.post(f"{API}/events/{ev.id}/registrations", headers=auth(m)).json
    client.delete(f"{API}/events/{ev.id}/registrations/me", headers=auth(m))
    r = client.post(f"{API}/events/{ev.id}/registrations", headers=auth(m))
    assert r.status_code == 201 and r.json["id"] == first["id"] and r.json["status"] == "confirmed"


def test_exports_csv_and_xlsx(client, make, auth, db):
    ev = make.event(capacity=1, title="安全培训")
    a = make.member(name="张三", department="生产一部", phone="13900001111")
    b = make.member(name="李四")
    signup.register(a.id, ev.id)
    signup.register(b.id, ev.id)
    staff = make.staff()
    h = auth(staff)
    r = client.get(f"{API}/events/{ev.id}/registrations?format=csv", headers=h)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["工号", "姓名"]
    # Staff exports carry the full phone (staff phone members), and who was given which is logged.
    assert rows[1][1:3] == ["张三", "生产一部"] and rows[1][4] == "13900001111" and rows[1][5] == "已报名"
    logged = db.session.execute(select(PhoneAccess.viewer_id, PhoneAccess.member_id)).all()
    assert sorted(logged) == sorted([(staff.id, a.id), (staff.id, b.id)])
    assert rows[2][1] == "李四" and rows[2][5] == "候补" and rows[2][6] == "1"
    r = client.get(f"{API}/events/{ev.id}/registrations?format=xlsx", headers=h)
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in ws[2]][:2] == [a.employee_no, "张三"]
    page = client.get(f"{API}/events/{ev.id}/registrations", headers=h).json
    assert page["total"] == 2 and "13900001111" not in str(page)
    assert len(db.session.execute(select(PhoneAccess.id)).all()) == 4  # the xlsx too; the JSON list masks


def test_patch_refuses_null_for_fields_an_event_must_have(client, make, auth):
    h, ev = auth(make.staff()), make.event(capacity=5)
    for field in ["title", "description", "kind", "location", "starts_at", "ends_at", "waitlist", "walk_in",
                  "checkin_opens_minutes_before", "checkin_closes_minutes_after", "reminder_minutes"]:
        r = client.patch(f"{API}/events/{ev.id}", json={field: None}, headers=h)
        assert r.status_code == 400, (field, r.json)
        assert r.json["error"]["code"] == "invalid_request" and field in r.json["error"]["details"]["fields"], r.json
    # null still clears what may be empty: no limit, no sign-up window of its own
    r = client.patch(f"{API}/events/{ev.id}", json={"capacity": None, "signup_closes_at": None}, headers=h)
    assert r.status_code == 200 and r.json["capacity"] is None and r.json["title"] == "工会活动"


def test_patch_keeps_signup_closing_before_the_event_ends(client, make, auth):
    h, ev = auth(make.staff()), make.event()
    late = (ev.ends_at + timedelta(days=1)).isoformat()
    r = client.patch(f"{API}/events/{ev.id}", json={"signup_closes_at": late}, headers=h)
    assert r.status_code == 400 and "signup_closes_at" in r.json["error"]["details"]["fields"], r.json
    # moving the end before an existing sign-up deadline is refused the same way
    closes = ev.starts_at - timedelta(hours=1)
    r = client.patch(f"{API}/events/{ev.id}", json={"signup_closes_at": closes.isoformat()}, headers=h)
    assert r.status_code == 200
    r = client.patch(f"{API}/events/{ev.id}", json={"starts_at": (closes - timedelta(hours=3)).isoformat(),
                                                     "ends_at": (closes - timedelta(hours=2)).isoformat()}, headers=h)
    assert r.status_code == 400 and "signup_closes_at" in r.json["error"]["details"]["fields"], r.json
    assert client.get(f"{API}/events/{ev.id}", headers=h).json["signup_closes_at"] == to_local_iso(closes)


def test_times_out_of_range_are_refused_not_500(client, make, auth):
    h, ev = auth(make.staff()), make.event()
    for t in ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-12:00", "9999-12-31T23:59:59-12:00"]:
        ends = t.replace("00:00:00", "01:00:00").replace("23:59:59-", "23:59:59.5-")
        r = client.post(f"{API}/events", json=event_body(starts_at=t, ends_at=ends), headers=h)
        assert r.status_code == 400 and "starts_at" in r.json["error"]["details"]["fields"], (t, r.json)
        r = client.patch(f"{API}/events/{ev.id}", json={"signup_opens_at": t}, headers=h)
        assert r.status_code == 400 and "signup_opens_at" in r.json["error"]["details"]["fields"], (t, r.json)
        for name in ("from", "to"):
            r = client.get(f"{API}/events", query_string={name: t}, headers=h)
            assert r.status_code == 400 and name in r.json["error"]["details"]["fields"], (t, r.json)
    assert client.get(f"{API}/events/{ev.id}", headers=h).json["signup_opens_at"] is None


def test_list_upcoming_first_and_past_latest_first(client, make, auth):
    h = auth(make.staff())
    now = utcnow()
    soon = make.event(title="明天", starts_at=now + timedelta(days=1))
    later = make.event(title="下周", starts_at=now + timedelta(days=7))
    running = make.event(title="进行中", starts_at=now - timedelta(hours=1))  # two hours long: not over
    old = make.event(title="上月", starts_at=now - timedelta(days=30))
    older = make.event(title="去年", starts_at=now - timedelta(days=300))
    ids = lambda r: [e["id"] for e in r.json["items"]]  # noqa: E731
    r = client.get(f"{API}/events?when=upcoming", headers=h)
    assert ids(r) == [running.id, soon.id, later.id] and r.json["total"] == 3
    r = client.get(f"{API}/events?when=past", headers=h)
    assert ids(r) == [old.id, older.id] and r.json["total"] == 2
    assert ids(client.get(f"{API}/events", headers=h)) == [older.id, old.id, running.id, soon.id, later.id]
    r = client.get(f"{API}/events?when=soon", headers=h)
    assert r.status_code == 400 and "when" in r.json["error"]["details"]["fields"]


def test_moving_an_event_tells_its_registrants_once_in_the_same_transaction(client, make, auth, db):
    from sqlalchemy import select

    from server.notices.models import Notice, NoticeRecipient
    from server.reminders.models import Reminder

    h = auth(make.staff())
    ev = make.event(title="职工读书会", capacity=1)
    confirmed, waiting, gone = make.member(), make.member(), make.member()
    for m in (confirmed, waiting, gone):
        signup.register(m.id, ev.id)
    signup.cancel_registration(gone, ev.id)
    notices = lambda: db.session.scalars(select(Notice).where(Notice.title.like("活动%变更%"))  # noqa: E731
                                         .order_by(Notice.id)).all()

    # title, description and audience: nobody is told
    r = client.patch(f"{API}/events/{ev.id}", headers=h, json={"description": "新的介绍", "title": "职工读书分享会"})
    assert r.status_code == 200 and notices() == []
    # the same time again is no change
    r = client.patch(f"{API}/events/{ev.id}", headers=h, json={"starts_at": r.json["starts_at"]})
    assert r.status_code == 200 and notices() == []

    new_start = ev.starts_at + timedelta(days=1, hours=2)
    r = client.patch(f"{API}/events/{ev.id}", headers=h, json={
        "starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=2)).isoformat(),
        "location": "职工书屋"})
    assert r.status_code == 200, r.json
    [notice] = notices()
    assert notice.title == "活动时间和地点变更：职工读书分享会"
    assert "工会活动室" in notice.body and "职工书屋" in notice.body and notice.status in ("sending", "sent")
    told = set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice.id)))
    assert told == {confirmed.id, waiting.id}
    # reminders moved with the start
    due = set(db.session.scalars(select(Reminder.due_at).where(Reminder.kind == "event", Reminder.target_id == ev.id,
                                                               Reminder.status == "pending")))
    assert due == {new_start - timedelta(minutes=m) for m in (1440, 120)}

    client.patch(f"{API}/events/{ev.id}", headers=h, json={"location": "工会礼堂"})
    assert [n.title for n in notices()][-1] == "活动地点变更：职工读书分享会"


def test_moving_an_event_nobody_signed_up_for_writes_no_notice(client, make, auth, db):
    from sqlalchemy import select

    from server.notices.models import Notice

    ev = make.event()
    r = client.patch(f"{API}/events/{ev.id}", headers=auth(make.staff()), json={"location": "新地点"})
    assert r.status_code == 200 and db.session.scalar(select(Notice.id)) is None
