from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from server.fund.chart import ensure_chart

API = "/api/v1"
# "Now" in the ledger tests: December 2026 (Asia/Shanghai), so October and November are over.
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def storage_root(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(tmp_path / "uploads"))


@pytest.fixture
def chart(db):
    ensure_chart()
    return db


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as t:
        yield t


@pytest.fixture
def people(make, auth, chart, clock):
    """A treasurer, two admins and a plain member, with their headers."""
    t = make.member(roles=("member", "treasurer"), name="会计甲")
    a1 = make.member(roles=("member", "admin"), name="主席乙")
    a2 = make.member(roles=("member", "admin"), name="副主席丙")
    m = make.member(name="会员丁")
    return {"t": (t, auth(t)), "a1": (a1, auth(a1)), "a2": (a2, auth(a2)), "m": (m, auth(m))}


def entry(client, headers, **kw):
    body = {"date": "2026-11-05", "kind": "expense", "category": "501", "amount_fen": 12_345,
            "counterparty": "城东蛋糕坊", "note": "生日蛋糕券"}
    body.update(kw)
    return client.post(f"{API}/fund/entries", json=body, headers=headers)
