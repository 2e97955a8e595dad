"""The mini-program's care pages are anchored to the server's answers: miniprogram/tests/fixtures/care.json holds
real answers to the member's routes (an application, the same one again, a liaison's for another grid, a page of
the member's cases in several stages, a withdrawal, a withdrawal too late); Jest suites answer with these, and
this test checks the file's keys against what the server answers now. ``UPDATE_MINIPROGRAM_FIXTURES=1``
rewrites the file from these answers."""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import time_machine

from server.care import services as care
from server.core.timeutil import SHANGHAI
from server.fund.chart import ensure_chart

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/care.json"
HINT = "the server's care shape changed: refresh miniprogram/tests/fixtures/care.json " \
       "(UPDATE_MINIPROGRAM_FIXTURES=1) and check the Jest suites"
# The Jest suites' day (miniprogram/tests/helpers/clock.js), at 10:00 in Shanghai.
AT = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_fixture_has_the_servers_shape(client, make, auth, db):
    ensure_chart()
    with time_machine.travel(AT, tick=False):
        me = make.member(name="张伟", department="机加车间", grid="第三网格")
        liaison = make.member(roles=("member", "liaison"), name="李娜", grid="第三网格")
        other_liaison = make.member(roles=("member", "liaison"), name="王强", grid="第五网格")
        staff = make.member(roles=("member", "staff"), name="干事")
        chair = make.member(roles=("member", "secretary"), name="主席")
        h = auth(me)
        applied = client.post(f"{API}/care/cases", json={"category": "illness", "summary": "爱人住院，医疗费用负担重"},
                              headers=h).json
        again = client.post(f"{API}/care/cases", json={"category": "illness", "summary": "再次申请"}, headers=h).json
        by_liaison = client.post(f"{API}/care/cases", json={"category": "income", "summary": "家庭收入低",
                                                            "member_employee_no": me.employee_no},
                                 headers=auth(liaison)).json
        other_grid = client.post(f"{API}/care/cases", json={"category": "family", "summary": "x",
                                                            "member_employee_no": me.employee_no},
                                 headers=auth(other_liaison)).json
        # The illness case goes through approval and aid; the income case is withdrawn.
        cid = applied["id"]
        care.add_handler(chair, cid, staff.id)
        care.assess(staff, cid, {"situation": "属实", "need": "医疗救助"})
        care.decide(staff, cid, "approve")
        care.decide(chair, cid, "approve")
        care.grant(staff, cid, kind="goods", amount_fen=None, description="慰问品")
        withdrawn = client.post(f"{API}/care/cases/{by_liaison['id']}/withdraw", headers=h).json
        too_late = client.post(f"{API}/care/cases/{cid}/withdraw", headers=h).json
        mine = client.get(f"{API}/me/care-cases", headers=h).json
        db.session.flush()

    answers = {"applied": applied, "case_open": again, "applied_by_liaison": by_liaison,
               "other_grid": other_grid, "withdrawn": withdrawn, "withdraw_too_late": too_late, "mine": mine}
    if os.environ.get("UPDATE_MINIPROGRAM_FIXTURES"):
        FIXTURE.write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert set(stored) == set(answers), HINT
    for key, value in answers.items():
        assert shape(value) == shape(stored[key]), (key, HINT)
    assert stored["case_open"]["error"]["code"] == "case_open"
    assert stored["other_grid"]["error"]["code"] == "forbidden"
    assert stored["withdraw_too_late"]["error"]["code"] == "wrong_stage"
    assert [c["stage"] for c in stored["mine"]["items"]] == ["withdrawn", "aided"]
