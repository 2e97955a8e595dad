"""The mini-program's procurement and award fixtures are anchored to the server's answers:
miniprogram/tests/fixtures/procurements.json holds
real answers (a purchase awaiting a representative's confirmation, the same decided and published, an award in its
notice period, a page of awards); the Jest suites answer with these, and this test checks the file's keys against
what the server answers now. ``UPDATE_MINIPROGRAM_FIXTURES=1`` rewrites the file from these answers."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import time_machine

from server.core.timeutil import SHANGHAI
from server.fund.chart import ensure_chart
from server.fund.models import FundMonth

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/procurements.json"
HINT = "the server's procurement/award shape changed: refresh miniprogram/tests/fixtures/procurements.json " \
       "(UPDATE_MINIPROGRAM_FIXTURES=1) and check the Jest suites"
# The Jest suites' clock: 2026-11-25 12:00 in Shanghai (miniprogram/tests/helpers/clock.js).
AT = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_fixture_has_the_servers_shape(client, make, auth, db):
    ensure_chart()  # a purchase names a category of the fund's chart
    with time_machine.travel(AT, tick=False):
        admin = make.member(roles=("member", "admin"), name="管理员")
        me = make.member(name="张伟", department="机加车间")
        other = make.member(name="李娜", department="装配车间")
        h = auth(admin)
        p = client.post(f"{API}/fund/procurements", json={
            "title": "职工之家健身器材", "description": "跑步机两台、动感单车四台", "category": "501",
            "amount_fen": 4_800_000, "representatives": [me.id, other.id]}, headers=h).json
        quotes = (("康体器材有限公司", 4_650_050), ("健力体育用品", 4_720_000), ("舒华专卖店", 4_980_000))
        for supplier, amount in quotes:
            client.post(f"{API}/fund/procurements/{p['id']}/quotes",
                        json={"supplier": supplier, "amount_fen": amount, "note": "含安装"}, headers=h)
        client.post(f"{API}/fund/procurements/{p['id']}/confirm", headers=auth(other))
        pending = client.get(f"{API}/fund/procurements/{p['id']}", headers=auth(me)).json
        mine = client.get(f"{API}/fund/procurements/mine", headers=auth(me)).json
        confirmed = client.post(f"{API}/fund/procurements/{p['id']}/confirm", headers=auth(me)).json
        again = client.post(f"{API}/fund/procurements/{p['id']}/confirm", headers=auth(me)).json
        decided = client.post(f"{API}/fund/procurements/{p['id']}/decide", json={
            "quote_id": pending["quotes"][0]["id"], "reason": "价格最低，含安装和三年保修"}, headers=h).json
        db.session.add(FundMonth(month="2026-11", hash="0" * 64))
        db.session.flush()
        published = client.get(f"{API}/fund/procurements?month=2026-11", headers=auth(me)).json

        staff = make.staff()
        award = client.post(f"{API}/awards", json={"title": "优秀工会积极分子", "year": 2026,
                                                   "criteria": "热爱工会工作；本年度无违纪记录", "quota": 2},
                            headers=auth(staff)).json
        ids = []
        for m in (me, other):
            r = client.post(f"{API}/awards/{award['id']}/nominees", json={"member_id": m.id, "reason": "积极参与"},
                            headers=auth(staff)).json
            ids.append(next(n["id"] for n in r["nominees"] if n["member"]["id"] == m.id))
        client.post(f"{API}/awards/{award['id']}/decide", json={"winners": ids}, headers=auth(staff))
        notice = client.get(f"{API}/awards/{award['id']}", headers=auth(me)).json
        awards = client.get(f"{API}/awards", headers=auth(me)).json
        objection = client.post(f"{API}/awards/{award['id']}/objections", json={"body": "程序有疑问"},
                                headers=auth(me))
        assert objection.status_code == 201
    with time_machine.travel(AT + timedelta(days=30), tick=False):
        closed = client.post(f"{API}/awards/{award['id']}/objections", json={"body": "晚了"}, headers=auth(me)).json

    answers = {"procurement_pending": pending, "procurements_mine": mine, "procurement_confirmed": confirmed,
               "already_confirmed": again, "procurement_decided": decided, "procurements_published": published,
               "award_notice": notice, "awards": awards, "objection_closed": closed}
    if os.environ.get("UPDATE_MINIPROGRAM_FIXTURES"):
        FIXTURE.write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert set(stored) == set(answers), HINT
    for key, value in answers.items():
        assert shape(value) == shape(stored[key]), (key, HINT)
    assert stored["already_confirmed"]["error"]["code"] == "already_confirmed"
    assert stored["objection_closed"]["error"]["code"] == "objection_closed"
