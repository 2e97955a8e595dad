"""Volunteer records, staff adjustments (reason required, kept in the audit trail, a total never below zero),
the staff list and its XLSX, the leaderboard and its opt-out, certificates, and nominees' hours (both
databases; the adjustment race commits for real from threads)."""
from __future__ import annotations

import io
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.audit_trail.models import AuditTrailEntry
from server.core.timeutil import SHANGHAI, utcnow
from server.events.models import Checkin
from server.members.models import Member
from server.volunteers import hours as h
from server.volunteers.models import VolunteerCheckout

API = "/api/v1"
YEAR = utcnow().astimezone(SHANGHAI).year


def err(r):
    return r.json["error"]["code"]


def served(db, make, member, minutes, *, title="社区志愿服务", starts_at=None, length=180):
    """A past volunteer event the member checked in to and out of, serving ``minutes``."""
    start = starts_at or (utcnow() - timedelta(days=1))
    ev = make.event(kind="volunteer", title=title)
    ev.starts_at, ev.ends_at = start, start + timedelta(minutes=length)
    ci = Checkin(event_id=ev.id, member_id=member.id, method="code", is_walk_in=True, checked_in_at=start)
    db.session.add(ci)
    db.session.flush()
    db.session.add(VolunteerCheckout(event_id=ev.id, member_id=member.id, checkin_id=ci.id,
                                     checked_out_at=start + timedelta(minutes=minutes), minutes=minutes))
    db.session.flush()
    return ev


def adjust(client, headers, member, **body):
    return client.post(f"{API}/volunteer-hours/{member.id}/adjustments", json=body, headers=headers)


def test_adjustments_need_a_reason_are_kept_and_audited(client, make, auth, db):
    staff, m = make.staff(name="王干事"), make.member(name="赵志愿")
    ev = served(db, make, m, 90)
    sh = auth(staff)
    for body in ({"minutes": 30}, {"minutes": 30, "reason": ""}, {"minutes": 30, "reason": "   "},
                 {"minutes": 0, "reason": "无"}, {"minutes": "30", "reason": "补录"},
                 {"minutes": 10**9, "reason": "补录"}, {"minutes": 30, "reason": "x" * 501}):
        r = adjust(client, sh, m, **body)
        assert r.status_code == 400 and err(r) == "invalid_request", (body, r.json)

    r = adjust(client, sh, m, minutes=30, reason="补录签退：手机没电", event_id=ev.id)
    assert r.status_code == 201, r.json
    assert r.json["total_minutes"] == 120 and r.json["total_hours"] == 2.0 and r.json["reason"] == "补录签退：手机没电"
    r = adjust(client, sh, m, minutes=-121, reason="多计")
    assert r.status_code == 409 and err(r) == "hours_below_zero"
    assert r.json["error"]["details"]["total_minutes"] == 120
    assert adjust(client, sh, m, minutes=-120, reason="活动未实际开展").json["total_minutes"] == 0

    record = client.get(f"{API}/volunteer-hours/{m.id}", headers=sh).json
    adjustments = [i for i in record["items"] if i["kind"] == "adjustment"]
    assert {(i["minutes"], i["reason"], i["created_by"]) for i in adjustments} == {
        (30, "补录签退：手机没电", "王干事"), (-120, "活动未实际开展", "王干事")}
    assert record["total_minutes"] == 0 and record["points"] == 0
    # The member sees the reasons, not who made them.
    mine = client.get(f"{API}/me/volunteer-hours", headers=auth(m)).json
    assert {i["reason"] for i in mine["items"] if i["kind"] == "adjustment"} == {"补录签退：手机没电", "活动未实际开展"}
    assert all(i["created_by"] is None for i in mine["items"])

    trail = db.session.scalars(select(AuditTrailEntry).where(AuditTrailEntry.entity == "volunteer_adjustment")
                               .order_by(AuditTrailEntry.id)).all()
    assert [(t.actor_id, t.before["total_minutes"], t.after["total_minutes"], t.after["reason"]) for t in trail] == [
        (staff.id, 90, 120, "补录签退：手机没电"), (staff.id, 120, 0, "活动未实际开展")]


def test_adjustment_refusals(client, make, auth, db):
    sh, m = auth(make.staff()), make.member()
    r = adjust(client, sh, m, minutes=10, reason="x", event_id=make.event(kind="lecture").id)
    assert r.status_code == 400 and "event_id" in r.json["error"]["details"]["fields"]
    r = client.post(f"{API}/volunteer-hours/999999/adjustments", json={"minutes": 5, "reason": "x"}, headers=sh)
    assert r.status_code == 404 and err(r) == "not_found"
    assert client.get(f"{API}/volunteer-hours/999999", headers=sh).status_code == 404


def test_two_staff_taking_hours_away_at_once_never_go_below_zero(app, committing_db):
    from server.members.auth import issue_token

    s = committing_db.session
    staff = Member(employee_no="VADJ01", name="干事甲", roles=["member", "staff"])
    m = Member(employee_no="VADJ02", name="会员乙", roles=["member"])
    s.add_all([staff, m])
    s.flush()
    with app.test_request_context():
        h.adjust(staff.id, m.id, 90, "补录")
    s.commit()
    with app.test_request_context():
        bearer = {"Authorization": f"Bearer {issue_token(staff.id)[0]}"}
    member_id = m.id
    s.remove()
    barrier = threading.Barrier(4)

    def one(_):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}/volunteer-hours/{member_id}/adjustments",
                        json={"minutes": -60, "reason": "重复计算"}, headers=bearer)
        return r.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = sorted(pool.map(one, range(4)))
    assert codes == [201, 409, 409, 409]
    assert h.minutes_of([member_id])[member_id] == 30


def test_hours_of_is_per_period_and_for_many_members(app, make, db):
    a, b, c = make.member(), make.member(), make.member()
    served(db, make, a, 60, starts_at=datetime(YEAR - 1, 6, 1, tzinfo=SHANGHAI))
    served(db, make, a, 45)
    served(db, make, b, 120)
    this_year = h.year_bounds(YEAR)
    assert h.minutes_of([a.id, b.id, c.id], *this_year) == {a.id: 45, b.id: 120, c.id: 0}
    assert h.minutes_of([a.id]) == {a.id: 105}
    assert h.hours_of([a.id, b.id], *this_year) == {a.id: 0.75, b.id: 2.0}


def test_staff_list_filters_and_downloads(client, make, auth, db):
    sh = auth(make.staff())
    a = make.member(name="钱一", department="技术部")
    b = make.member(name="孙二", department="质量部")
    served(db, make, a, 60)
    served(db, make, b, 150)
    served(db, make, b, 30, title="敬老院探访")
    make.member(name="周三")  # no hours: not listed
    page = client.get(f"{API}/volunteer-hours?year={YEAR}", headers=sh).json
    assert [(i["name"], i["total_minutes"], i["events"], i["points"]) for i in page["items"]] == [
        ("孙二", 180, 2, 30), ("钱一", 60, 1, 10)]
    assert page["total"] == 2
    def names(qs):
        return [i["name"] for i in client.get(f"{API}/volunteer-hours?{qs}", headers=sh).json["items"]]

    assert names("department=技术部") == ["钱一"] and names("q=孙") == ["孙二"] and names("q=无此人") == []
    assert client.get(f"{API}/volunteer-hours?q=%25", headers=sh).json["items"] == []
    assert client.get(f"{API}/volunteer-hours?year={YEAR - 5}", headers=sh).json["total"] == 0

    r = client.get(f"{API}/volunteer-hours?year={YEAR}&format=xlsx", headers=sh)
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("工号", "姓名", "部门") and [row[1] for row in rows[1:]] == ["孙二", "钱一"]
    assert rows[1][4] == 3 and rows[1][6] == 30


@pytest.mark.parametrize("qs", ["year=abc", "year=1999", "page=0", "per_page=1000", "format=pdf", "q=" + "x" * 51])
def test_bad_list_queries_are_400(client, make, auth, qs):
    r = client.get(f"{API}/volunteer-hours?{qs}", headers=auth(make.staff()))
    assert r.status_code == 400 and err(r) == "invalid_request"


def test_leaderboard_leaves_out_members_who_opted_out(client, make, auth, db):
    first, second, hidden, tied = (make.member(name=n) for n in ("冠军", "亚军", "隐身", "并列"))
    served(db, make, first, 300)
    served(db, make, second, 120)
    served(db, make, tied, 120)
    served(db, make, hidden, 600)
    hh = auth(hidden)
    assert client.get(f"{API}/me/volunteer-settings", headers=hh).json == {"leaderboard_opt_out": False}
    r = client.put(f"{API}/me/volunteer-settings", json={"leaderboard_opt_out": True}, headers=hh)
    assert r.status_code == 200 and r.json == {"leaderboard_opt_out": True}
    assert client.put(f"{API}/me/volunteer-settings", json={"leaderboard_opt_out": True}, headers=hh).status_code == 200

    board = client.get(f"{API}/volunteers/leaderboard", headers=auth(second)).json
    assert board["year"] == YEAR and board["opted_out"] is False
    assert [(i["rank"], i["name"], i["total_hours"], i["is_me"]) for i in board["items"]] == [
        (1, "冠军", 5.0, False), (2, "亚军", 2.0, True), (2, "并列", 2.0, False)]
    assert "隐身" not in str(board)
    assert client.get(f"{API}/volunteers/leaderboard", headers=hh).json["opted_out"] is True
    # Their own record is unchanged by leaving the board.
    assert client.get(f"{API}/me/volunteer-hours", headers=hh).json["total_minutes"] == 600

    client.put(f"{API}/me/volunteer-settings", json={"leaderboard_opt_out": False}, headers=hh)
    board = client.get(f"{API}/volunteers/leaderboard?limit=1", headers=hh).json
    assert [(i["rank"], i["name"], i["is_me"]) for i in board["items"]] == [(1, "隐身", True)]
    for bad in ({"leaderboard_opt_out": "yes"}, {}, {"leaderboard_opt_out": None}):
        r = client.put(f"{API}/me/volunteer-settings", json=bad, headers=hh)
        assert r.status_code == 400 and err(r) == "invalid_request"


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
                          ).stdout.decode()


def test_certificate_is_a_real_pdf_with_a_check(client, make, auth, db):
    staff, m = make.staff(), make.member(name="欧阳志愿", department="后勤保障部")
    served(db, make, m, 150, title="敬老院义务理发")
    h_ = auth(m)
    r = client.get(f"{API}/me/volunteer-hours/certificate.pdf", headers=h_)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF-")
    text = _pdf_text(r.data)
    assert "欧阳志愿" in text and f"{YEAR}年度志愿服务证明" in text and "敬老院义务理发" in text
    assert "2.5 小时" in text and "25 分" in text
    token = next(line.split("校验码：")[1].split()[0] for line in text.splitlines() if "校验码：" in line)

    check = client.get(f"{API}/volunteers/certificates/{token}")
    assert check.status_code == 200, check.json
    assert check.json == {"valid": True, "name": "欧***", "year": YEAR, "total_hours": 2.5, "current": True}
    # The QR code opens a page anyone's phone can read.
    assert f"/v/{token[:12]}" in text  # the printed address (wrapped in its cell)
    page = client.get(f"/v/{token}")
    assert page.status_code == 200 and "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "本证明真实有效：欧*** 同志" in page.get_data(as_text=True) and "2.5 小时" in page.get_data(as_text=True)
    adjust(client, auth(staff), m, minutes=30, reason="补录")
    assert client.get(f"{API}/volunteers/certificates/{token}").json["current"] is False
    assert "已有调整" in client.get(f"/v/{token}").get_data(as_text=True)
    altered = token[:-1] + ("y" if token[-1] == "x" else "x")  # the MAC's last character changed
    assert client.get(f"/v/{altered}").status_code == 404
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    r = client.get(f"{API}/volunteers/certificates/{forged}")
    assert r.status_code == 400 and err(r) == "invalid_token"
    assert client.get(f"{API}/volunteers/certificates/{token.replace(f'.{YEAR}.', '.1999.', 1)}").status_code == 400

    staff_pdf = client.get(f"{API}/volunteer-hours/{m.id}/certificate.pdf?year={YEAR}", headers=auth(staff))
    assert staff_pdf.status_code == 200
    assert "欧阳志愿" in _pdf_text(staff_pdf.data) and "3 小时" in _pdf_text(staff_pdf.data)
    r = client.get(f"{API}/me/volunteer-hours/certificate.pdf?year=abc", headers=h_)
    assert r.status_code == 400


def test_award_nominees_show_their_volunteer_hours_to_staff(client, make, auth, db):
    staff, m = make.staff(), make.member(name="候选人")
    served(db, make, m, 90)
    served(db, make, m, 60, starts_at=datetime(YEAR - 1, 3, 1, tzinfo=SHANGHAI))
    sh = auth(staff)
    award = client.post(f"{API}/awards", json={"title": "优秀志愿者", "year": YEAR, "criteria": "热心公益",
                                               "quota": 1}, headers=sh).json
    r = client.post(f"{API}/awards/{award['id']}/nominees", json={"member_id": m.id, "reason": "志愿服务积极"},
                    headers=sh)
    assert r.status_code == 201
    [nominee] = r.json["nominees"]
    assert nominee["volunteer_hours"] == 1.5


def test_hours_count_in_the_shanghai_year_of_the_event(make, db, app):
    # 00:30 on 1 January in Shanghai is still the old year in UTC; the year is Shanghai's.
    m = make.member()
    served(db, make, m, 60, starts_at=datetime(YEAR, 1, 1, 0, 30, tzinfo=SHANGHAI))
    assert h.minutes_of([m.id], *h.year_bounds(YEAR))[m.id] == 60
    assert h.minutes_of([m.id], *h.year_bounds(YEAR - 1))[m.id] == 0


@pytest.mark.parametrize("method,path,body", [
    ("POST", "/volunteer-hours/{m}/adjustments", {"minutes": 5, "reason": "补\u0000录"}),
    ("POST", "/volunteer-hours/{m}/adjustments", {"minutes": 5, "reason": "补录", "event_id": 2**40}),
    ("POST", "/volunteer-hours/{m}/adjustments", {"minutes": 2**63, "reason": "补录"}),
    ("POST", "/volunteer-hours/{m}/adjustments", {"minutes": 5.5, "reason": "补录"}),
    ("GET", "/volunteer-hours?q=%00", None),
    ("GET", "/volunteer-hours?department=%00x", None),
    ("GET", "/volunteer-hours?year=99999999999999999999", None),
    ("GET", "/volunteer-hours/{m}?year=-1", None),
    ("GET", "/volunteers/leaderboard?limit=0", None),
    ("GET", "/volunteers/certificates/" + "9" * 13 + ".2026.1." + "A" * 22, None),
    ("GET", "/volunteers/certificates/%00", None),
    ("POST", "/checkouts", {"token": "o1.1.1." + "A" * 21 + "\u0000"}),
])
def test_hostile_input_is_a_clear_error(client, make, auth, method, path, body):
    m = make.member()
    r = client.open(f"{API}{path.format(m=m.id)}", method=method, json=body, headers=auth(make.staff()))
    assert 400 <= r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.json["error"]["code"]
