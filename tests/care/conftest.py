from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import time_machine
from reportlab.pdfgen import canvas

from server.fund.chart import ensure_chart

API = "/api/v1"
# "Now" in the care tests: Thursday 3 December 2026, 10:00 in Shanghai.
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "income certificate")
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.fixture(autouse=True)
def storage_root(app, tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(root))
    return root


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as t:
        yield t


class People:
    """The cast, each with headers: a member and a liaison of 第一网格, a liaison of 第二网格, two staff, two
    chairs (secretaries), an admin and a treasurer."""

    def __init__(self, make, auth):
        def one(key, roles, **kw):
            m = make.member(roles=roles, **kw)
            setattr(self, key, m)
            setattr(self, key + "_h", auth(m))

        one("member", ("member",), grid="第一网格", department="生产一部", name="困难会员甲")
        one("liaison", ("member", "liaison"), grid="第一网格")
        one("liaison2", ("member", "liaison"), grid="第二网格")
        one("staff1", ("member", "staff"), name="干事一")
        one("staff2", ("member", "staff"), name="干事二")
        one("chair", ("member", "secretary"), name="主席")
        one("chair2", ("member", "secretary"), name="副主席")
        one("admin", ("member", "admin"), name="管理员")
        one("treasurer", ("member", "treasurer"), name="会计")


@pytest.fixture
def people(make, auth, db, clock):
    ensure_chart()
    return People(make, auth)


def post(client, path, headers, **body):
    return client.post(f"{API}{path}", json=body, headers=headers)


def open_case(client, p, **kw):
    body = {"category": "illness", "summary": "爱人重病住院，医疗费用负担重"}
    body.update(kw)
    r = post(client, "/care/cases", p.member_h, **body)
    assert r.status_code == 201, r.get_json()
    return r.json["id"]


def to_stage(client, p, stage: str, *, amount_fen: int = 200_000) -> int:
    """A case brought to ``stage`` through the API: staff1 handles it, the chair decides."""
    cid = open_case(client, p)
    if stage == "opened":
        return cid
    assert post(client, f"/care/cases/{cid}/handlers", p.staff1_h, member_id=p.staff1.id).status_code == 200
    r = client.put(f"{API}/care/cases/{cid}/assessment", headers=p.staff1_h,
                   json={"household_size": 4, "monthly_income_fen": 350_000, "dependants": 2,
                         "situation": "爱人住院，两个孩子上学", "need": "医疗费用补助"})
    assert r.status_code == 200, r.get_json()
    if stage == "assessing":
        return cid
    assert post(client, f"/care/cases/{cid}/decisions", p.staff1_h, decision="approve").status_code == 200
    if stage == "awaiting_chair":
        return cid
    assert post(client, f"/care/cases/{cid}/decisions", p.chair_h, decision="approve").status_code == 200
    if stage == "approved":
        return cid
    r = post(client, f"/care/cases/{cid}/grants", p.staff1_h, kind="money", amount_fen=amount_fen,
             description="医疗救助金")
    assert r.status_code == 201, r.get_json()
    if stage == "aided":
        return cid
    r = post(client, f"/care/cases/{cid}/visits", p.staff1_h, visited_at="2026-12-03T09:00:00+08:00",
             visitors="干事一、工会小组长", notes="病情稳定", next_visit_due="2026-12-10")
    assert r.status_code == 201, r.get_json()
    if stage == "following_up":
        return cid
    assert post(client, f"/care/cases/{cid}/close", p.staff1_h, outcome="已康复出院").status_code == 200
    return cid
