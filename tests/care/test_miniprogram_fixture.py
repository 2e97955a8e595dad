"""The mini-program's hardship aid fixtures are anchored to the server's answers: miniprogram/tests/fixtures/care.json
holds real answers (a member's applications, one awaiting the chair and one aided; a new application; the same kind
again refused; a liaison's application for a member of the grid and for another grid's member; a withdrawal, and
one refused once the aid was approved); the
Jest suite answers with these, and this test checks the file's keys and shapes against what the server answers now.
``UPDATE_MINIPROGRAM_FIXTURES=1`` rewrites the file from these answers."""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import time_machine

from server.core.timeutil import SHANGHAI

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/care.json"
HINT = "the server's care shape changed: refresh miniprogram/tests/fixtures/care.json " \
       "(UPDATE_MINIPROGRAM_FIXTURES=1) and check miniprogram/tests/pages/care.test.js"


def at(month, day, hour=10):
    return time_machine.travel(datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI), tick=False)


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_fixture_has_the_servers_shape(client, make, auth, db):
    me = make.member(name="王芳", department="总装车间", grid="第三网格")
    neighbour = make.member(name="赵敏", department="总装车间", grid="第三网格")
    stranger = make.member(name="钱亮", department="机加车间", grid="第一网格")
    liaison = make.member(name="李强", roles=("member", "liaison"), department="总装车间", grid="第三网格")
    staff = make.staff(name="王主任")
    chair = make.member(name="陈主席", roles=("member", "secretary"))

    # Tokens are issued at the moment travelled to (one from the future would not be accepted).
    def post(path, body, who, status):
        r = client.post(f"{API}{path}", json=body, headers=auth(who))
        assert r.status_code == status, (path, r.status_code, r.json)
        return r.json

    def put(path, body, who):
        r = client.put(f"{API}{path}", json=body, headers=auth(who))
        assert r.status_code == 200, (path, r.status_code, r.json)

    assessment = {"household_size": 4, "monthly_income_fen": 280_000, "dependants": 2,
                  "situation": "房屋受灾", "need": "临时救助"}
    # An application aided in October: approved by the handler and the chair, goods given.
    with at(10, 9):
        aided = post("/care/cases", {"category": "disaster", "summary": "暴雨导致房屋进水"}, me, 201)
        post(f"/care/cases/{aided['id']}/handlers", {"member_id": staff.id}, staff, 200)
    with at(10, 10):
        put(f"/care/cases/{aided['id']}/assessment", assessment, staff)
    with at(10, 12):
        post(f"/care/cases/{aided['id']}/decisions", {"decision": "approve", "comment": "情况属实"}, staff, 200)
    with at(10, 15):
        post(f"/care/cases/{aided['id']}/decisions", {"decision": "approve", "comment": "同意"}, chair, 200)
    with at(10, 20):
        post(f"/care/cases/{aided['id']}/grants", {"kind": "goods", "description": "米面油一套"}, staff, 201)
    # One awaiting the chair.
    with at(11, 20, 9):
        pending = post("/care/cases", {"category": "illness", "summary": "住院治疗，自付费用高"}, me, 201)
        post(f"/care/cases/{pending['id']}/handlers", {"member_id": staff.id}, staff, 200)
    with at(11, 21):
        put(f"/care/cases/{pending['id']}/assessment", assessment, staff)
    with at(11, 24, 15):
        post(f"/care/cases/{pending['id']}/decisions", {"decision": "approve", "comment": ""}, staff, 200)
    with at(11, 25):
        my_cases = client.get(f"{API}/me/care-cases", headers=auth(me)).json
        created = post("/care/cases", {"category": "income", "summary": "爱人下岗"}, me, 201)
        case_open = post("/care/cases", {"category": "income", "summary": "再申请"}, me, 409)
        liaison_created = post("/care/cases", {"member_employee_no": neighbour.employee_no, "category": "illness",
                                               "summary": "家中老人重病"}, liaison, 201)
        other_grid = post("/care/cases", {"member_employee_no": stranger.employee_no, "category": "illness",
                                          "summary": "重病"}, liaison, 403)
        withdrawn = post(f"/care/cases/{pending['id']}/withdraw", {}, me, 200)
        withdraw_too_late = post(f"/care/cases/{aided['id']}/withdraw", {}, me, 409)

    answers = {"my_cases": my_cases, "created": created, "liaison_created": liaison_created,
               "case_open": case_open, "other_grid": other_grid, "withdrawn": withdrawn,
               "withdraw_too_late": withdraw_too_late}
    if os.environ.get("UPDATE_MINIPROGRAM_FIXTURES"):
        FIXTURE.write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert set(stored) == set(answers), HINT
    for key, value in answers.items():
        assert shape(value) == shape(stored[key]), (key, HINT)
    assert [c["stage"] for c in stored["my_cases"]["items"]] == ["awaiting_chair", "aided"], HINT
    assert stored["case_open"]["error"]["code"] == "case_open"
    assert stored["other_grid"]["error"]["code"] == "forbidden"
    assert stored["withdrawn"]["stage"] == "withdrawn"
    assert stored["withdraw_too_late"]["error"]["code"] == "wrong_stage"
    # What the member is answered names no handler, note, household figure or document.
    text = json.dumps(stored, ensure_ascii=False)
    for secret in ("王主任", "情况属实", "房屋受灾", "临时救助", "280000", "米面油"):
        assert secret not in text
