"""Bad input is a clear 400 (or the contract's code), never a 500, on both databases."""
from __future__ import annotations

import io

import pytest

from .conftest import API, post, to_stage

BAD_BODIES = [
    {"category": "illness", "summary": "a\x00b"},
    {"category": "illness", "summary": "x" * 2001},
    {"category": "nope", "summary": "x"},
    {"category": "illness", "summary": ""},
    {"category": "illness", "summary": "x", "request_id": 2**40},
    {"category": "illness", "summary": "x", "request_id": "1"},
    {"category": "illness", "summary": "x", "member_employee_no": "E" * 33},
    {"category": "illness", "summary": "x", "extra": 1},
    {"category": "illness", "summary": "x", "request_id": 999999},
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_openings(client, people, body):
    r = post(client, "/care/cases", people.member_h, **body)
    assert r.status_code == 400, r.get_json()
    assert r.json["error"]["code"] == "invalid_request"


def test_bad_input_on_every_write(client, people):
    p = people
    cid = to_stage(client, p, "approved")
    h = p.staff1_h
    cases = [
        ("PUT", f"/care/cases/{cid}/assessment", {"situation": "x", "need": "y", "household_size": 2**40}),
        ("PUT", f"/care/cases/{cid}/assessment", {"situation": "x", "need": "y", "monthly_income_fen": -1}),
        ("PUT", f"/care/cases/{cid}/assessment", {"situation": "x\x00", "need": "y"}),
        ("POST", f"/care/cases/{cid}/decisions", {"decision": "maybe"}),
        ("POST", f"/care/cases/{cid}/decisions", {"decision": "approve", "comment": "x" * 2001}),
        ("POST", f"/care/cases/{cid}/grants", {"kind": "money", "amount_fen": 0, "description": "x"}),
        ("POST", f"/care/cases/{cid}/grants", {"kind": "money", "amount_fen": 10**15, "description": "x"}),
        ("POST", f"/care/cases/{cid}/grants", {"kind": "money", "amount_fen": 1.5, "description": "x"}),
        ("POST", f"/care/cases/{cid}/grants", {"kind": "money", "amount_fen": "100", "description": "x"}),
        ("POST", f"/care/cases/{cid}/grants", {"kind": "cash", "amount_fen": 100, "description": "x"}),
        ("POST", f"/care/cases/{cid}/visits", {"visited_at": "2026-12-03T09:00:00", "visitors": "x"}),
        ("POST", f"/care/cases/{cid}/visits", {"visited_at": "9999-12-03T09:00:00+08:00", "visitors": "x"}),
        ("POST", f"/care/cases/{cid}/visits", {"visited_at": "2026-12-03T09:00:00+08:00", "visitors": "x" * 201}),
        ("POST", f"/care/cases/{cid}/visits", {"visited_at": "2026-12-03T09:00:00+08:00", "visitors": "x",
                                               "next_visit_due": "2026-12-01"}),
        ("POST", f"/care/cases/{cid}/visits", {"visited_at": "2027-12-03T09:00:00+08:00", "visitors": "x"}),
        ("POST", f"/care/cases/{cid}/handlers", {"member_id": 2**31}),
        ("POST", f"/care/cases/{cid}/handlers", {"member_id": "x"}),
        ("POST", f"/care/cases/{cid}/close", {"outcome": ""}),
        ("POST", f"/care/cases/{cid}/close", {}),
    ]
    for method, path, body in cases:
        r = client.open(f"{API}{path}", method=method, headers=h, json=body)
        assert r.status_code == 400, (path, body, r.status_code, r.get_json())
        assert r.json["error"]["code"] == "invalid_request"
    r = client.post(f"{API}/care/cases/{cid}/grants", headers=h, data="not json", content_type="application/json")
    assert r.status_code == 400
    for q in ("stage=nope", "page=0", "per_page=1000", "category=x", "page=99999999999"):
        r = client.get(f"{API}/care/cases?{q}", headers=p.chair_h)
        assert r.status_code == 400, (q, r.get_json())
    assert client.get(f"{API}/care/stats?year=1", headers=p.chair_h).status_code == 400
    assert client.get(f"{API}/care/cases/{2**40}", headers=p.chair_h).status_code == 404


def test_bad_documents(client, people):
    p = people
    cid = to_stage(client, p, "assessing")
    h = p.staff1_h

    def send(data, **kw):
        return client.post(f"{API}/care/cases/{cid}/documents", headers=h, data=data,
                           content_type=kw.get("content_type", "multipart/form-data"))

    assert send({"file": (io.BytesIO(b"MZ\x90\x00 not an image"), "a.exe")}).json["error"]["code"] == \
        "unsupported_image"
    r = send({"file": (io.BytesIO(b"%PDF-1.4\ngarbage"), "a.pdf")})
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_pdf"
    assert send({}).status_code == 400
    assert send({"other": (io.BytesIO(b"x"), "a.png")}).status_code == 400
    r = send({"file": (io.BytesIO(b"\x89PNG" + b"\x00" * (6 * 1024 * 1024)), "big.png")})
    assert r.status_code in (400, 413), r.get_json()
    r = client.post(f"{API}/care/cases/{cid}/documents", headers=h, json={"file": "x"})
    assert r.status_code == 415
    r = client.get(f"{API}/care/cases/{cid}/documents/{2**40}", headers=h)
    assert r.status_code == 404
