"""The fund ledger through its routes: entries, approval (four eyes), reversals, publication sealed by the
hash chain, members' view, budgets, exports, statements (both databases)."""
from __future__ import annotations

import csv
import io
import subprocess

import time_machine
from openpyxl import load_workbook
from sqlalchemy import select, text

from server.audit_trail.models import AuditTrailEntry
from server.fund.models import FundEntry
from server.notices.models import Notice

from .conftest import API, entry

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n" \
      b"xref\n0 3\n0000000000 65535 f \ntrailer<</Size 3/Root 1 0 R>>\nstartxref\n0\n%%EOF\n"


def _upload(client, headers, data: bytes, name="invoice.pdf"):
    return client.post(f"{API}/uploads", data={"file": (io.BytesIO(data), name)}, headers=headers,
                       content_type="multipart/form-data")


def test_full_loop_entry_approval_publication_members_view(client, people, clock, db):
    th, a1h, (a2, a2h), mh = people["t"][1], people["a1"][1], people["a2"], people["m"][1]
    up = _upload(client, th, PDF)
    assert up.status_code == 201, up.get_json()
    small = entry(client, th, attachments=[up.json["id"]])
    assert small.status_code == 201, small.get_json()
    assert small.json["status"] == "approved" and small.json["attachments"] == [up.json["id"]]
    assert small.json["amount"] == "123.45" and small.json["category_name"] == "职工活动支出"
    # The invoice is the ledger keepers' to read, not a member's.
    assert client.get(f"{API}/uploads/{up.json['id']}", headers=a1h).data == PDF
    assert client.get(f"{API}/uploads/{up.json['id']}", headers=mh).status_code == 404

    big = entry(client, th, kind="income", category="402", amount_fen=16_842_057, counterparty="公司财务部",
                note="经费拨缴", date="2026-11-10")
    assert big.json["status"] == "pending"
    # Publication waits for the approval; only another person approves.
    r = client.post(f"{API}/fund/months/2026-11/publish", headers=a1h)
    assert r.status_code == 409 and r.json["error"]["code"] == "entries_pending"
    assert client.post(f"{API}/fund/entries/{big.json['id']}/approve", headers=th).status_code == 403
    # An admin who changed it may not approve it either.
    r = client.patch(f"{API}/fund/entries/{big.json['id']}", json={"note": "第四季度经费拨缴"}, headers=a1h)
    assert r.status_code == 200
    r = client.post(f"{API}/fund/entries/{big.json['id']}/approve", headers=a1h)
    assert r.status_code == 403 and r.json["error"]["code"] == "self_approval"
    r = client.post(f"{API}/fund/entries/{big.json['id']}/approve", headers=a2h)
    assert r.status_code == 200 and r.json["status"] == "approved" and r.json["decided_by"]["id"] == a2.id
    again = client.post(f"{API}/fund/entries/{big.json['id']}/approve", headers=a2h)
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"

    # December is not over yet; November is.
    r = client.post(f"{API}/fund/months/2026-12/publish", headers=a1h)
    assert r.status_code == 409 and r.json["error"]["code"] == "month_not_over"
    r = client.post(f"{API}/fund/months/2026-11/publish", headers=a1h)
    assert r.status_code == 200, r.get_json()  # an action on the month: 200 (API.md, second wave)
    pub = r.json
    assert (pub["month"], pub["income_fen"], pub["expense_fen"], pub["prev_hash"]) == ("2026-11", 16_842_057,
                                                                                         12_345, None)
    assert {c["category"]: c["amount_fen"] for c in pub["by_category"]} == {"402": 16_842_057, "501": 12_345}
    assert len(pub["hash"]) == 64
    r = client.post(f"{API}/fund/months/2026-11/publish", headers=a2h)
    assert r.status_code == 409 and r.json["error"]["code"] == "month_published"

    # Sealed: no change, no deletion, no new entry in the month.
    for resp in (client.patch(f"{API}/fund/entries/{small.json['id']}", json={"amount_fen": 1}, headers=th),
                 client.delete(f"{API}/fund/entries/{small.json['id']}", headers=th),
                 entry(client, th, date="2026-11-30"),
                 entry(client, th, date="2026-10-30")):
        assert resp.status_code == 409 and resp.json["error"]["code"] == "month_published", resp.get_json()

    # Every member reads the month; it was announced to them (source fund).
    months = client.get(f"{API}/fund/months", headers=mh).json
    assert months["total"] == 1 and months["items"][0]["balance_fen"] == 16_842_057 - 12_345
    detail = client.get(f"{API}/fund/months/2026-11", headers=mh).json
    assert [e["id"] for e in detail["entries"]] == [small.json["id"], big.json["id"]]
    assert detail["hash"] == pub["hash"] and detail["by_category"][0]["name"] == "拨缴经费收入"
    assert client.get(f"{API}/fund/months/2026-10", headers=mh).status_code == 404
    notice = db.session.scalar(select(Notice).where(Notice.source == "fund"))
    assert notice is not None and notice.page == "pages/fund/month?month=2026-11"
    assert client.get(f"{API}/fund/verify", headers=mh).json == {"ok": True, "broken_at": None}

    # The audit trail holds every step: who, before, after.
    trail = db.session.scalars(select(AuditTrailEntry).where(AuditTrailEntry.entity.in_(["fund_entry", "fund_month"]))
                               .order_by(AuditTrailEntry.id)).all()
    assert [(x.entity, x.action) for x in trail] == [("fund_entry", "create"), ("fund_entry", "create"),
                                                     ("fund_entry", "update"), ("fund_entry", "approve"),
                                                     ("fund_month", "publish")]
    assert trail[2].before["note"] == "经费拨缴" and trail[2].after["note"] == "第四季度经费拨缴"
    assert trail[3].actor_id == a2.id and trail[3].before["status"] == "pending"
    assert trail[0].after["attachments"] == [up.json["id"]]


def test_publication_in_order(client, people, clock, auth):
    th, ah = people["t"][1], people["a1"][1]
    entry(client, th, date="2026-10-03")
    entry(client, th, date="2026-11-03")
    r = client.post(f"{API}/fund/months/2026-11/publish", headers=ah)
    assert r.status_code == 409 and r.json["error"]["code"] == "previous_month_unpublished"
    first = client.post(f"{API}/fund/months/2026-10/publish", headers=ah).json
    second = client.post(f"{API}/fund/months/2026-11/publish", headers=ah).json
    assert second["prev_hash"] == first["hash"]
    # An empty earlier month cannot join the chain afterwards.
    r = client.post(f"{API}/fund/months/2026-08/publish", headers=ah)
    assert r.status_code == 409 and r.json["error"]["code"] == "previous_month_unpublished"
    # A month with nothing in it is published all the same (a chain without gaps).
    with time_machine.travel("2027-01-02T08:00:00+08:00", tick=False):
        r = client.post(f"{API}/fund/months/2026-12/publish", headers=auth(people["a1"][0]))
    assert r.status_code == 200 and r.json["income_fen"] == 0 and r.json["prev_hash"] == second["hash"]


def test_reject_and_edit_before_publication(client, people, clock):
    th, a1h = people["t"][1], people["a1"][1]
    big = entry(client, th, amount_fen=500_001).json
    assert big["status"] == "pending"
    r = client.post(f"{API}/fund/entries/{big['id']}/reject", json={}, headers=a1h)
    assert r.status_code == 400 and "reason" in r.json["error"]["details"]["fields"]
    r = client.post(f"{API}/fund/entries/{big['id']}/reject", json={"reason": "缺发票"}, headers=a1h)
    assert r.json["status"] == "rejected" and r.json["reject_reason"] == "缺发票"
    # Changed to the threshold itself: approved without a second person.
    r = client.patch(f"{API}/fund/entries/{big['id']}", json={"amount_fen": 500_000}, headers=th)
    assert r.json["status"] == "approved" and r.json["reject_reason"] is None
    r = client.patch(f"{API}/fund/entries/{big['id']}", json={"kind": "income"}, headers=th)
    assert r.status_code == 400 and "category" in r.json["error"]["details"]["fields"]
    r = client.patch(f"{API}/fund/entries/{big['id']}", json={"kind": "income", "category": "401"}, headers=th)
    assert r.status_code == 200 and r.json["kind"] == "income"
    assert client.delete(f"{API}/fund/entries/{big['id']}", headers=th).status_code == 204
    assert client.get(f"{API}/fund/entries/{big['id']}", headers=th).status_code == 404


def test_reversals(client, people, clock):
    th, ah = people["t"][1], people["a1"][1]
    original = entry(client, th, date="2026-10-08", amount_fen=30_000).json
    client.post(f"{API}/fund/months/2026-10/publish", headers=ah)
    r = entry(client, th, reverses=original["id"], amount_fen=30_001)
    assert r.status_code == 409 and r.json["error"]["code"] == "reversal_exceeds"
    r = entry(client, th, reverses=original["id"], category="503")
    assert r.status_code == 400 and "reverses" in r.json["error"]["details"]["fields"]
    r = entry(client, th, reverses=original["id"], kind="income", category="401")
    assert r.status_code == 400
    part = entry(client, th, reverses=original["id"], amount_fen=10_000)
    assert part.status_code == 201 and part.json["reverses"] == original["id"]
    rest = entry(client, th, reverses=original["id"], amount_fen=20_000)
    assert rest.status_code == 201
    r = entry(client, th, reverses=original["id"], amount_fen=1)
    assert r.status_code == 409 and r.json["error"]["details"]["left_fen"] == 0
    r = entry(client, th, reverses=part.json["id"], amount_fen=1)
    assert r.status_code == 400  # a reversal is not reversed in turn
    # Taking a reversal back releases its amount.
    assert client.delete(f"{API}/fund/entries/{rest.json['id']}", headers=th).status_code == 204
    assert client.get(f"{API}/fund/entries/{original['id']}", headers=th).json["reversed_fen"] == 10_000
    other = entry(client, th, amount_fen=5_000).json
    r = client.post(f"{API}/fund/months/2026-11/publish", headers=ah)
    assert r.json["expense_fen"] == 5_000 - 10_000  # the reversal counts negatively
    assert other["status"] == "approved"


def test_fen_exact_sums_and_exports(client, people, clock):
    th, ah = people["t"][1], people["a1"][1]
    client.application.config["FUND_APPROVAL_THRESHOLD_FEN"] = 10**15
    try:
        entry(client, th, amount_fen=10, counterparty="=SUM(A1)")
        entry(client, th, amount_fen=20)
        for _ in range(3):
            entry(client, th, kind="income", category="401", amount_fen=99_999_999_999_999)
        entry(client, th, kind="income", category="401", amount_fen=1)
        pub = client.post(f"{API}/fund/months/2026-11/publish", headers=ah).json
    finally:
        client.application.config["FUND_APPROVAL_THRESHOLD_FEN"] = 500_000
    assert pub["expense_fen"] == 30 and pub["income_fen"] == 3 * 99_999_999_999_999 + 1
    r = client.get(f"{API}/fund/entries/export?month=2026-11&format=csv", headers=th)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][5] == "金额（元）"
    assert [(x[5], x[6]) for x in rows[1:3]] == [("0.10", "10"), ("0.20", "20")]
    assert rows[1][7] == "'=SUM(A1)"
    assert rows[3][5] == "999999999999.99" and rows[3][6] == str(99_999_999_999_999)
    r = client.get(f"{API}/fund/entries/export?year=2026&format=xlsx", headers=th)
    ws = load_workbook(io.BytesIO(r.data)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[1][5] == "0.10" and values[1][6] == 10 and values[3][6] == 99_999_999_999_999
    assert sum(v[6] for v in values[1:] if v[2] == "收入") == pub["income_fen"]
    r = client.get(f"{API}/fund/entries/export", headers=th)
    assert r.status_code == 400


def test_budgets(client, people, clock):
    th, ah, mh = people["t"][1], people["a1"][1], people["m"][1]
    r = client.put(f"{API}/fund/budgets/2026", json={"items": [{"category": "501", "amount_fen": 30_000},
                                                               {"category": "401", "amount_fen": 0}]}, headers=ah)
    assert r.status_code == 200, r.get_json()
    entry(client, th, date="2026-10-05", amount_fen=10_001)
    entry(client, th, date="2026-11-05", amount_fen=5_000)
    client.post(f"{API}/fund/months/2026-10/publish", headers=ah)
    full = {x["category"]: x for x in client.get(f"{API}/fund/budgets/2026", headers=th).json["items"]}
    assert full["501"]["actual_fen"] == 15_001 and full["501"]["rate"] == "50.00"  # 50.003 rounds down
    assert full["401"]["rate"] is None
    member = client.get(f"{API}/fund/budgets/2026", headers=mh).json
    assert member["includes_unpublished"] is False
    assert {x["category"]: x["actual_fen"] for x in member["items"]}["501"] == 10_001
    bad = client.put(f"{API}/fund/budgets/2026", json={"items": [{"category": "999", "amount_fen": 1}]}, headers=ah)
    assert bad.status_code == 400
    assert client.put(f"{API}/fund/budgets/2026", json={"items": [{"category": "501", "amount_fen": -1}]},
                      headers=ah).status_code == 400
    assert client.get(f"{API}/fund/budgets/1999", headers=th).status_code == 400


def test_categories(client, people, clock):
    th, ah, mh = people["t"][1], people["a1"][1], people["m"][1]
    codes = [c["code"] for c in client.get(f"{API}/fund/categories", headers=mh).json["items"]]
    assert codes[:2] == ["401", "402"] and "501" in codes and len(codes) == 16
    r = client.post(f"{API}/fund/categories", json={"code": "50901", "kind": "expense", "name": "职工书屋"}, headers=ah)
    assert r.status_code == 201
    r = client.post(f"{API}/fund/categories", json={"code": "50901", "kind": "expense", "name": "重复"}, headers=ah)
    assert r.status_code == 409 and r.json["error"]["code"] == "category_exists"
    assert client.patch(f"{API}/fund/categories/50901", json={"name": "职工书屋建设"}, headers=ah).json["name"] == \
        "职工书屋建设"
    assert entry(client, th, category="50901").status_code == 201
    r = client.delete(f"{API}/fund/categories/50901", headers=ah)
    assert r.status_code == 409  # used: deactivate instead
    assert client.patch(f"{API}/fund/categories/50901", json={"active": False}, headers=ah).json["active"] is False
    r = entry(client, th, category="50901")
    assert r.status_code == 400 and r.json["error"]["details"]["fields"]["category"] == "科目已停用"
    client.post(f"{API}/fund/categories", json={"code": "X1", "kind": "income", "name": "临时"}, headers=ah)
    assert client.delete(f"{API}/fund/categories/X1", headers=ah).status_code == 204


def test_bad_input_is_a_json_400(client, people, clock):
    th, ah = people["t"][1], people["a1"][1]
    for body in ({"amount_fen": 1.5}, {"amount_fen": "100"}, {"amount_fen": 0}, {"amount_fen": -5},
                 {"amount_fen": 10**20}, {"amount_fen": True}, {"kind": "gift"}, {"date": "2026-13-01"},
                 {"date": "1900-01-01"}, {"category": "999"}, {"category": "'; drop"}, {"counterparty": ""},
                 {"reverses": 2**40}, {"reverses": 999999}, {"attachments": ["nope"]}, {"extra": 1}):
        r = entry(client, th, **body)
        assert r.status_code in (400,), (body, r.status_code, r.get_json())
        assert r.json["error"]["code"] in ("invalid_request", "invalid_attachment"), body
    r = client.post(f"{API}/fund/entries", data="not json", headers={**th, "Content-Type": "application/json"})
    assert r.status_code == 400
    for month in ("2026-13", "26-11", "2026-1", "abcd-ef", "2026-11x"):
        r = client.post(f"{API}/fund/months/{month}/publish", headers=ah)
        assert r.status_code in (400, 404) and r.json["error"]["code"] in ("invalid_request", "not_found")
    assert client.get(f"{API}/fund/entries?month=2026-13", headers=th).status_code == 400
    assert client.get(f"{API}/fund/entries?status=lost", headers=th).status_code == 400
    assert client.patch(f"{API}/fund/entries/1", json={"amount_fen": None}, headers=th).status_code in (400, 404)
    assert client.get(f"{API}/fund/entries/{2**31}", headers=th).status_code == 404


def test_invoice_uploads(client, people, make, auth, clock):
    th, mh = people["t"][1], people["m"][1]
    r = _upload(client, mh, PDF)
    assert r.status_code == 400 and r.json["error"]["code"] == "unsupported_image"  # members send images only
    bad = PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>")
    r = _upload(client, th, bad)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_pdf"
    r = _upload(client, th, b"%PDF-1.4\ngarbage without an end")
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_pdf"
    # A PDF is for the fund only: another domain's attach refuses it.
    from server.core.errors import AppError
    from server.uploads.attach import attach

    pdf_id = _upload(client, th, PDF).json["id"]
    t = people["t"][0]
    try:
        attach([pdf_id], owner_id=t.id, kind="request", attached_id=1, limit=3)
        raise AssertionError("attached a PDF to a request")
    except AppError as e:
        assert e.code == "invalid_attachment"


def test_statement_pdf_and_public_page(client, people, clock):
    th, ah, mh = people["t"][1], people["a1"][1], people["m"][1]
    entry(client, th, amount_fen=12_345, note="冲销测试")
    entry(client, th, kind="income", category="401", amount_fen=165_007, counterparty="公司财务部", note="会费")
    pub = client.post(f"{API}/fund/months/2026-11/publish", headers=ah).json
    r = client.get(f"{API}/fund/months/2026-11/statement.pdf", headers=th)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF"), r.get_json()
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.data, capture_output=True, check=True).stdout
    txt = out.decode()
    assert "2026年11月工会经费收支公开" in txt and "1650.07" in txt and pub["hash"] in txt.replace("\n", "")
    assert client.get(f"{API}/fund/months/2026-11/statement.pdf", headers=mh).status_code == 403
    assert client.get(f"{API}/fund/months/2026-10/statement.pdf", headers=ah).status_code == 404
    page = client.get("/f/2026-11")
    assert page.status_code == 200 and pub["hash"] in page.text and "1650.07" in page.text
    assert client.get("/f/2026-10").status_code == 404


def test_tampering_is_found_by_verify_and_the_cli(client, people, clock, db, app):
    th, ah, mh = people["t"][1], people["a1"][1], people["m"][1]
    ids = [entry(client, th, date=f"2026-{m:02d}-0{d}").json["id"] for m in (9, 10, 11) for d in (1, 2)]
    for month in ("2026-09", "2026-10", "2026-11"):
        assert client.post(f"{API}/fund/months/{month}/publish", headers=ah).status_code == 200
    assert client.get(f"{API}/fund/verify", headers=mh).json == {"ok": True, "broken_at": None}

    def broken(sql, **params):
        sp = db.session.begin_nested()
        db.session.execute(text(sql), params)
        result = client.get(f"{API}/fund/verify", headers=mh).json
        sp.rollback()
        return result

    assert broken("UPDATE fund_entries SET amount_fen = amount_fen + 1 WHERE id = :id", id=ids[3]) == \
        {"ok": False, "broken_at": "2026-10"}
    # Moving an entry of November into October breaks October first.
    assert broken("UPDATE fund_entries SET date = :d WHERE id = :id", d="2026-10-20", id=ids[5]) == \
        {"ok": False, "broken_at": "2026-10"}
    assert broken("DELETE FROM fund_entries WHERE id = :id", id=ids[4]) == {"ok": False, "broken_at": "2026-11"}
    assert broken("INSERT INTO fund_entries (date, kind, category, amount_fen, counterparty, note, reversed_fen, "
                  "status, created_at) VALUES ('2026-09-15', 'expense', '501', 1, 'x', '', 0, 'approved', "
                  "CURRENT_TIMESTAMP)") == {"ok": False, "broken_at": "2026-09"}
    assert broken("UPDATE fund_months SET prev_hash = :h WHERE month = '2026-11'", h="0" * 64) == \
        {"ok": False, "broken_at": "2026-11"}
    assert client.get(f"{API}/fund/verify", headers=mh).json["ok"] is True

    # The CLI sees the same rows (its session is the test's), exits 1 and names the month.
    db.session.execute(text("UPDATE fund_entries SET note = 'x' WHERE id = :id"), {"id": ids[0]})
    result = app.test_cli_runner().invoke(args=["funds", "verify"])
    assert result.exit_code == 1 and "2026-09" in result.output
    db.session.execute(text("UPDATE fund_entries SET note = '生日蛋糕券' WHERE id = :id"), {"id": ids[0]})
    result = app.test_cli_runner().invoke(args=["funds", "verify"])
    assert result.exit_code == 0, result.output


def test_list_filters_and_pages(client, people, clock):
    th = people["t"][1]
    entry(client, th, date="2026-10-01")
    entry(client, th, date="2026-11-01", kind="income", category="401")
    entry(client, th, date="2026-11-02", amount_fen=600_000)
    r = client.get(f"{API}/fund/entries?month=2026-11", headers=th).json
    assert r["total"] == 2 and [e["date"] for e in r["items"]] == ["2026-11-02", "2026-11-01"]
    assert client.get(f"{API}/fund/entries?status=pending", headers=th).json["total"] == 1
    assert client.get(f"{API}/fund/entries?kind=income", headers=th).json["total"] == 1
    assert client.get(f"{API}/fund/entries?category=501&year=2026", headers=th).json["total"] == 2
    assert client.get(f"{API}/fund/entries?per_page=1&page=2", headers=th).json["items"][0]["date"] == "2026-11-01"
    assert FundEntry.__tablename__ == "fund_entries"
