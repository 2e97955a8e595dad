"""An audit through HTTP: creation, refusals, marking, findings to the improvement list, the close, the PDF,
and the audit trail."""
from __future__ import annotations

from datetime import datetime

import time_machine
from sqlalchemy import select

from server.audit_trail.models import AuditTrailEntry
from server.core.timeutil import SHANGHAI

API = "/api/v1"
NOW = datetime(2026, 7, 20, 10, 0, tzinfo=SHANGHAI)


def test_an_audit_from_checklist_to_close(client, db, make, auth):
    staff, head = make.staff(), make.member(name="财务科长")
    with time_machine.travel(NOW):
        h = auth(staff)
        r = client.post(f"{API}/audits", headers=h, json={"kind": "fund_semiannual", "period": "2026H1"})
        assert r.status_code == 201, r.get_json()
        audit = r.get_json()
        aid = audit["id"]
        assert audit["status"] == "open" and audit["items_count"] == 7 and audit["answered"] == 0
        assert audit["findings"] == []
        first = audit["items"][0]
        assert first["key"] == "months_published" and first["figure"] == "已公开 0/6 个月；未公开：" + "、".join(
            f"2026-{m:02d}" for m in range(1, 7)) and first["suggested"] == "fail" and first["computation"]
        again = client.post(f"{API}/audits", headers=h, json={"kind": "fund_semiannual", "period": "2026H1"})
        assert again.status_code == 409 and again.get_json()["error"]["code"] == "audit_exists"
        for body in ({"kind": "fund_semiannual", "period": "2026"}, {"kind": "procedure_annual", "period": "2026H1"},
                     {"kind": "other", "period": "2026"}, {"kind": "procedure_annual", "period": "2027"}):
            r = client.post(f"{API}/audits", headers=h, json=body)
            assert r.status_code == 400, (body, r.get_json())
        ids = {i["key"]: i["id"] for i in audit["items"]}
        r = client.patch(f"{API}/audits/{aid}/items/{ids['vouchers']}", headers=h, json={"result": "fail"})
        assert r.status_code == 400 and "note" in r.get_json()["error"]["details"]["fields"]
        r = client.post(f"{API}/audits/{aid}/findings", headers=h,
                        json={"item_id": ids["vouchers"], "title": "补齐凭证", "owner_id": head.id,
                              "due_date": "2026-08-31"})
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "item_not_failed"
        r = client.patch(f"{API}/audits/{aid}/items/{ids['vouchers']}", headers=h,
                         json={"result": "fail", "note": "3 月两张发票缺失"})
        assert r.status_code == 200 and r.get_json()["answered"] == 1 and r.get_json()["failed"] == 1
        r = client.post(f"{API}/audits/{aid}/findings", headers=h,
                        json={"item_id": ids["vouchers"], "title": "补齐凭证", "owner_id": head.id,
                              "due_date": "2026-08-31"})
        assert r.status_code == 201, r.get_json()
        finding = r.get_json()
        assert finding["source"] == "audit" and finding["audit"] == {"audit_id": aid, "item_id": ids["vouchers"]}
        assert "3 月两张发票缺失" in finding["description"] and finding["owner"]["id"] == head.id
        r = client.post(f"{API}/audits/{aid}/close", headers=h)
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "audit_incomplete"
        assert sorted(r.get_json()["error"]["details"]["items"]) == sorted(v for k, v in ids.items() if k != "vouchers")
        for key in ids:
            if key != "vouchers":
                r = client.patch(f"{API}/audits/{aid}/items/{ids[key]}", headers=h, json={"result": "na"})
                assert r.status_code == 200
        r = client.post(f"{API}/audits/{aid}/refresh", headers=h)
        assert r.status_code == 200 and r.get_json()["answered"] == 7  # refresh keeps the answers
        pdf = client.get(f"{API}/audits/{aid}/report.pdf", headers=h)
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
        r = client.post(f"{API}/audits/{aid}/close", headers=h)
        assert r.status_code == 200, r.get_json()
        closed = r.get_json()
        assert closed["status"] == "closed" and closed["closed_at"] and [f["id"] for f in closed["findings"]] == [
            finding["id"]]
        for method, path, body in (("patch", f"/items/{ids['budget']}", {"result": "pass"}),
                                   ("post", "/refresh", None), ("post", "/close", None)):
            r = getattr(client, method)(f"{API}/audits/{aid}{path}", headers=h, json=body)
            assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition", path
        listed = client.get(f"{API}/audits?kind=fund_semiannual", headers=h).get_json()
        assert [a["id"] for a in listed["items"]] == [aid] and listed["items"][0]["failed"] == 1
        assert listed["items"][0]["items"] == []
        assert client.get(f"{API}/audits?status=open", headers=h).get_json()["total"] == 0
        assert client.get(f"{API}/audits/999999", headers=h).status_code == 404
        imp = client.get(f"{API}/improvements?source=audit", headers=h).get_json()
        assert [i["id"] for i in imp["items"]] == [finding["id"]]
    trail = list(db.session.execute(select(AuditTrailEntry.entity, AuditTrailEntry.action)
                                    .where(AuditTrailEntry.entity.in_(["audit", "audit_item", "improvement"]))
                                    .order_by(AuditTrailEntry.id)))
    assert trail[0] == ("audit", "create") and trail[-1] == ("audit", "close")
    assert trail.count(("audit_item", "mark")) == 7 and ("improvement", "create") in trail


def test_an_item_of_another_audit_is_not_found(client, make, auth):
    staff = make.staff()
    with time_machine.travel(NOW):
        h = auth(staff)
        a = client.post(f"{API}/audits", headers=h, json={"kind": "procedure_annual", "period": "2025"}).get_json()
        b = client.post(f"{API}/audits", headers=h, json={"kind": "procedure_annual", "period": "2026"}).get_json()
        r = client.patch(f"{API}/audits/{a['id']}/items/{b['items'][0]['id']}", headers=h, json={"result": "pass"})
        assert r.status_code == 404
        r = client.post(f"{API}/audits/{a['id']}/findings", headers=h,
                        json={"item_id": b["items"][0]["id"], "title": "x", "owner_id": staff.id,
                              "due_date": "2026-08-01"})
        assert r.status_code == 404
