"""The mini-program's benefit fixtures are anchored to the server's answers: miniprogram/tests/fixtures/benefits.json
holds real answers (the campaigns a member sees, one open campaign before and after the member's claim, the claim, its
redemption, the member's claims with one collected by a delegate, a cancellation and the refusals the pages handle);
the Jest suite answers with these, and this test checks the file's keys against what the server answers now.
``UPDATE_MINIPROGRAM_FIXTURES=1`` rewrites the file from these answers."""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import time_machine

from server.core.timeutil import SHANGHAI

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/benefits.json"
HINT = "the server's benefit/claim shape changed: refresh miniprogram/tests/fixtures/benefits.json " \
       "(UPDATE_MINIPROGRAM_FIXTURES=1) and check the Jest suite (miniprogram/tests/pages/benefits.test.js)"


def at(month, day, hour, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def iso(month, day, hour, minute=0, year=2026):
    return at(month, day, hour, minute, year).isoformat()


def shape(value):
    """Keys, recursively (a list by its first item), not values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_fixture_has_the_servers_shape(client, make, auth):
    staff = make.staff(name="工会干事")
    me = make.member(name="王芳", department="总装车间")
    others = [make.member(name=f"同事{i}", department="总装车间") for i in range(3)]
    leader = make.member(name="赵班长", department="总装车间")
    outsider = make.member(name="外单位", department="机关")
    # Tokens are timed: each is issued inside the instant it is used at.

    # The summer campaign: claimed for delivery to the workshop, collected by the team leader.
    with time_machine.travel(at(7, 15, 10), tick=False):
        summer = ok(client.post(f"{API}/benefits", json={
            "title": "夏季防暑降温", "kind": "seasonal", "season": "summer",
            "options": [{"name": "绿豆汤券", "description": "食堂凭券领取", "stock": None}],
            "claim_opens_at": iso(7, 16, 9), "claim_closes_at": iso(7, 31, 18), "redeem_until": iso(8, 31, 18),
            "allow_workshop_delivery": True, "announce": False}, headers=auth(staff)), 201)
    with time_machine.travel(at(7, 20, 9), tick=False):
        summer_claim = ok(client.post(f"{API}/benefits/{summer['id']}/claims", json={
            "option_id": summer["options"][0]["id"], "delivery": "workshop"}, headers=auth(me)), 201)
    with time_machine.travel(at(8, 2, 10, 30), tick=False):
        ok(client.post(f"{API}/benefits/{summer['id']}/deliveries", json={
            "delegate_employee_no": leader.employee_no, "claim_ids": [summer_claim["id"]]}, headers=auth(staff)))

    with time_machine.travel(at(11, 18, 10), tick=False):
        winter = ok(client.post(f"{API}/benefits", json={
            "title": "2026 冬季送温暖", "description": "冬季暖心礼包，每人限领一份。",
            "kind": "seasonal", "season": "winter",
            "options": [{"name": "羽绒背心", "description": "均码，藏青色", "stock": 50},
                        {"name": "电暖手宝", "description": "充电式", "stock": 2},
                        {"name": "米面油套装", "stock": None}],
            "claim_opens_at": iso(11, 20, 9), "claim_closes_at": iso(11, 30, 18), "redeem_until": iso(12, 15, 18),
            "allow_workshop_delivery": True, "announce": False}, headers=auth(staff)), 201)
        upcoming = ok(client.post(f"{API}/benefits", json={
            "title": "春节关爱礼包", "kind": "care_pack",
            "audience": {"departments": ["总装车间"]},
            "options": [{"name": "家乡特产礼盒", "description": "按籍贯选配", "stock": 100}],
            "claim_opens_at": iso(12, 20, 9), "claim_closes_at": iso(1, 10, 18, year=2027),
            "redeem_until": iso(1, 31, 18, year=2027), "announce": False}, headers=auth(staff)), 201)
    vest, warmer, _ = (o["id"] for o in winter["options"])
    wid = winter["id"]

    with time_machine.travel(at(11, 25, 10), tick=False):
        for other in others[:2]:
            ok(client.post(f"{API}/benefits/{wid}/claims", json={"option_id": warmer}, headers=auth(other)), 201)
        # A claim made and given back: its stock returns.
        given_back = ok(client.post(f"{API}/benefits/{wid}/claims", json={"option_id": vest},
                                    headers=auth(others[2])), 201)
        claim_cancelled = ok(client.delete(f"{API}/claims/{given_back['id']}", headers=auth(others[2])))

        benefits = ok(client.get(f"{API}/benefits", headers=auth(me)))
        benefit_open = ok(client.get(f"{API}/benefits/{wid}", headers=auth(me)))
        claim_created = ok(client.post(f"{API}/benefits/{wid}/claims", json={"option_id": vest, "delivery": "pickup"},
                                       headers=auth(me)), 201)
        benefit_claimed = ok(client.get(f"{API}/benefits/{wid}", headers=auth(me)))
        my_claims = ok(client.get(f"{API}/me/claims", headers=auth(me)))
        claim = ok(client.get(f"{API}/claims/{claim_created['id']}", headers=auth(me)))
        qr = client.get(f"{API}/claims/{claim_created['id']}/qr?format=png", headers=auth(me))
        assert qr.status_code == 200 and qr.data.startswith(b"\x89PNG")
        already_claimed = ok(client.post(f"{API}/benefits/{wid}/claims", json={"option_id": vest},
                                         headers=auth(me)), 409)
        out_of_stock = ok(client.post(f"{API}/benefits/{wid}/claims", json={"option_id": warmer},
                                      headers=auth(others[2])), 409)
        claim_closed = ok(client.post(f"{API}/benefits/{upcoming['id']}/claims",
                                      json={"option_id": upcoming["options"][0]["id"]}, headers=auth(me)), 409)
        not_eligible = ok(client.get(f"{API}/benefits/{upcoming['id']}", headers=auth(outsider)), 403)
    with time_machine.travel(at(11, 26, 10, 5), tick=False):
        ok(client.post(f"{API}/benefits/{wid}/redemptions", json={"claim_code": claim_created["claim_code"]},
                       headers=auth(staff)), 201)
        claim_redeemed = ok(client.get(f"{API}/claims/{claim_created['id']}", headers=auth(me)))

    answers = {"benefits": benefits, "benefit_open": benefit_open, "claim_created": claim_created,
               "benefit_claimed": benefit_claimed, "my_claims": my_claims, "claim": claim,
               "claim_redeemed": claim_redeemed, "claim_cancelled": claim_cancelled,
               "already_claimed": already_claimed, "out_of_stock": out_of_stock, "claim_closed": claim_closed,
               "not_eligible": not_eligible}
    if os.environ.get("UPDATE_MINIPROGRAM_FIXTURES"):
        FIXTURE.write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert set(stored) == set(answers), HINT
    for key, value in answers.items():
        assert shape(value) == shape(stored[key]), (key, HINT)
    # What the Jest suite relies on beyond the keys.
    for key in ("already_claimed", "out_of_stock", "claim_closed", "not_eligible"):
        assert stored[key]["error"]["code"] == key
    assert stored["claim_redeemed"]["status"] == "redeemed"
    assert stored["my_claims"]["items"][1]["redeemed_via"] == "delegate"
    assert stored["benefit_open"]["my_claim"] is None and stored["benefit_claimed"]["my_claim"]["status"] == "claimed"
