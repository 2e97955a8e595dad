"""The mini-program's fund fixtures are anchored to the server's answers: miniprogram/tests/fixtures/fund.json
holds real answers (the published months, one month, the chain check); its Jest fixtures are checked against
that file's keys, and this test checks the file's keys against what the server answers now. The notice of a
publication opens a page the mini-program has.

To refresh the file from the server: REFRESH_FUND_FIXTURE=1 pytest tests/fund/test_miniprogram_fixture.py"""
from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import select

from server.notices.models import Notice

from .conftest import API, entry

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "miniprogram/tests/fixtures/fund.json"
HINT = "the server's fund month shapes changed: refresh miniprogram/tests/fixtures/fund.json " \
       "(REFRESH_FUND_FIXTURE=1) and the mini-program's fixtures in tests/helpers/contract.js"


def shape(value):
    """Keys, recursively (a list by its first item), not values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_fixture_has_the_servers_shape(client, people, db):
    th, ah, mh = people["t"][1], people["a1"][1], people["m"][1]
    for body in ({"kind": "income", "category": "401", "amount_fen": 386_000, "counterparty": "会员会费",
                  "note": "11月会费", "date": "2026-11-03"},
                 {"amount_fen": 123_450, "counterparty": "城东蛋糕坊", "note": "生日蛋糕券", "date": "2026-11-05"},
                 {"category": "503", "amount_fen": 8_880, "counterparty": "文具店", "note": "", "date": "2026-11-20"}):
        r = entry(client, th, **body)
        assert r.status_code == 201 and r.json["status"] == "approved", r.get_json()
    original = r.json["id"]
    r = entry(client, th, category="503", amount_fen=880, counterparty="文具店", note="退货", date="2026-11-25",
              reverses=original)
    assert r.status_code == 201, r.get_json()
    assert client.post(f"{API}/fund/months/2026-11/publish", headers=ah).status_code == 200

    answers = {
        "months": client.get(f"{API}/fund/months", headers=mh).get_json(),
        "month": client.get(f"{API}/fund/months/2026-11", headers=mh).get_json(),
        "verify": client.get(f"{API}/fund/verify", headers=mh).get_json(),
        "not_published": client.get(f"{API}/fund/months/2026-10", headers=mh).get_json(),
    }
    assert answers["verify"] == {"ok": True, "broken_at": None}
    assert answers["month"]["entries"][-1]["reverses"] == original
    if os.environ.get("REFRESH_FUND_FIXTURE"):
        FIXTURE.write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for key in answers:
        assert shape(answers[key]) == shape(stored[key]), f"{key}: {HINT}"

    # The notice of the publication opens the month's page, which the mini-program registers.
    notice = db.session.scalar(select(Notice).where(Notice.source == "fund"))
    assert notice.page == "pages/fund/month?month=2026-11"
    pages = json.loads((ROOT / "miniprogram/app.json").read_text(encoding="utf-8"))["pages"]
    assert notice.page.split("?")[0] in pages and "pages/fund/index" in pages
    assert (ROOT / "miniprogram" / (notice.page.split("?")[0] + ".js")).is_file()
