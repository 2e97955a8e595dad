"""Benefits end to end over HTTP (SQLite, or PostgreSQL with TEST_DATABASE_URL): campaigns, claims, codes,
redemption online, offline and by a delegate, stats, the claims list, and every error code."""
from __future__ import annotations

import io
from datetime import timedelta

import time_machine
from openpyxl import load_workbook
from PIL import Image

from server.benefits import services
from server.core.timeutil import to_local_iso, utcnow

from .conftest import API, benefit_body


def err(r):
    return r.get_json()["error"]["code"]


def claim(client, headers, benefit, option=0, **kw):
    return client.post(f"{API}/benefits/{benefit['id']}/claims",
                       json={"option_id": benefit["options"][option]["id"], **kw}, headers=headers)


def redeem(client, staff, benefit_id, code, **kw):
    return client.post(f"{API}/benefits/{benefit_id}/redemptions", json={"claim_code": code, **kw}, headers=staff[1])


def test_campaign_shape_and_who_sees_it(client, staff, people, new_benefit):
    b = new_benefit(audience={"departments": ["生产一部"]})
    assert b["status"] == "published" and b["phase"] == "open" and b["audience"]["departments"] == ["生产一部"]
    assert [(o["name"], o["stock"], o["claimed"], o["left"]) for o in b["options"]] == [
        ("大米一袋", 2, 0, 2), ("食用油一桶", 1, 0, 1), ("坚果礼盒", None, 0, None)]
    assert b["claim_opens_at"].endswith("+08:00") and b["my_claim"] is None
    r = client.get(f"{API}/benefits/{b['id']}", headers=people["a"][1])
    assert r.status_code == 200 and r.get_json()["my_claim"] is None
    r = client.get(f"{API}/benefits/{b['id']}", headers=people["x"][1])
    assert r.status_code == 403 and err(r) == "not_eligible"
    assert [i["id"] for i in client.get(f"{API}/benefits", headers=people["a"][1]).get_json()["items"]] == [b["id"]]
    assert client.get(f"{API}/benefits", headers=people["x"][1]).get_json()["total"] == 0
    page = client.get(f"{API}/benefits?scope=all", headers=staff[1]).get_json()
    assert page["total"] == 1 and page["items"][0]["claimed_count"] == 0


def test_tags_from_the_needs_profile_make_the_audience(client, people, new_benefit):
    b = new_benefit(title="异地职工家乡礼包", kind="care_pack", season=None, audience={"tags": ["异地职工"]})
    assert claim(client, people["a"][1], b).status_code == 201
    r = claim(client, people["c"][1], b)
    assert r.status_code == 403 and err(r) == "not_eligible"


def test_claim_code_redeem_once_and_the_first_time_answers_again(client, staff, people, new_benefit):
    b = new_benefit()
    r = claim(client, people["a"][1], b)
    assert r.status_code == 201
    c = r.get_json()
    assert {"id", "option_id", "claim_code"} <= c.keys() and c["status"] == "claimed" and c["delivery"] == "pickup"
    assert c["claim_code"].startswith(f"b1.{b['id']}.{c['id']}.{people['a'][0].id}.")
    assert c["option_name"] == "大米一袋" and c["benefit_title"] == "冬季年货节" and c["redeemed_at"] is None
    # One claim per member, whatever option the second asks for.
    for option in (0, 2):
        r = claim(client, people["a"][1], b, option)
        assert r.status_code == 409 and err(r) == "already_claimed"
        assert r.get_json()["error"]["details"]["claim_id"] == c["id"]
    detail = client.get(f"{API}/benefits/{b['id']}", headers=people["a"][1]).get_json()
    assert detail["my_claim"]["id"] == c["id"] and detail["options"][0]["left"] == 1

    r = redeem(client, staff, b["id"], c["claim_code"])
    assert r.status_code == 201
    out = r.get_json()
    assert out["claim_id"] == c["id"] and out["status"] == "redeemed" and out["option_name"] == "大米一袋"
    assert out["member_name"] == people["a"][0].name and out["department"] == "生产一部"
    r = redeem(client, staff, b["id"], c["claim_code"])
    assert r.status_code == 409 and err(r) == "already_redeemed"
    assert r.get_json()["error"]["details"]["redeemed_at"] == out["redeemed_at"]
    mine = client.get(f"{API}/me/claims", headers=people["a"][1]).get_json()
    assert mine["total"] == 1 and mine["items"][0]["status"] == "redeemed"
    assert mine["items"][0]["redeemed_via"] == "staff"
    # A redeemed claim cannot be given back.
    r = client.delete(f"{API}/claims/{c['id']}", headers=people["a"][1])
    assert r.status_code == 409 and err(r) == "already_redeemed"


def test_stock_runs_out_and_a_cancelled_claim_returns_it(client, people, new_benefit):
    b = new_benefit()
    first = claim(client, people["a"][1], b, 1).get_json()
    r = claim(client, people["b"][1], b, 1)
    assert r.status_code == 409 and err(r) == "out_of_stock" and r.get_json()["error"]["details"]["option_id"] == \
        b["options"][1]["id"]
    r = client.delete(f"{API}/claims/{first['id']}", headers=people["a"][1])
    assert r.status_code == 200 and r.get_json() == {"id": first["id"], "status": "cancelled"}
    assert client.get(f"{API}/benefits/{b['id']}", headers=people["a"][1]).get_json()["my_claim"] is None
    r = client.delete(f"{API}/claims/{first['id']}", headers=people["a"][1])
    assert r.status_code == 409 and err(r) == "claim_cancelled"
    assert claim(client, people["b"][1], b, 1).status_code == 201  # the returned unit
    # The member who cancelled may claim again (another option).
    assert claim(client, people["a"][1], b, 2).status_code == 201
    left = client.get(f"{API}/benefits/{b['id']}", headers=people["a"][1]).get_json()["options"]
    assert [(o["claimed"], o["left"]) for o in left] == [(0, 2), (1, 0), (1, None)]
    # Someone else's claim is not found for this member.
    r = client.delete(f"{API}/claims/{first['id']}", headers=people["b"][1])
    assert r.status_code == 404


def test_claim_window_and_bad_choices(client, people, new_benefit, auth):
    now = utcnow()
    later = new_benefit(claim_opens_at=(now + timedelta(days=1)).isoformat())
    assert later["phase"] == "upcoming"
    r = claim(client, people["a"][1], later)
    assert r.status_code == 409 and err(r) == "claim_closed" and r.get_json()["error"]["details"]["opens_at"]
    b = new_benefit(allow_workshop_delivery=False)
    r = claim(client, people["a"][1], b, delivery="workshop")
    assert r.status_code == 400 and err(r) == "invalid_request" and "delivery" in r.get_json()["error"]["details"][
        "fields"]
    r = client.post(f"{API}/benefits/{b['id']}/claims", json={"option_id": later["options"][0]["id"]},
                    headers=people["a"][1])
    assert r.status_code == 400 and "option_id" in r.get_json()["error"]["details"]["fields"]
    r = client.post(f"{API}/benefits/999999/claims", json={"option_id": 1}, headers=people["a"][1])
    assert r.status_code == 404
    c = claim(client, people["a"][1], b).get_json()
    with time_machine.travel(utcnow() + timedelta(days=4)):
        ha, hb = auth(people["a"][0]), auth(people["b"][0])  # tokens of that day
        assert b["id"] in [i["id"] for i in client.get(f"{API}/benefits?phase=redeeming",
                                                       headers=ha).get_json()["items"]]
        r = claim(client, hb, b)
        assert r.status_code == 409 and err(r) == "claim_closed"
        r = client.delete(f"{API}/claims/{c['id']}", headers=ha)
        assert r.status_code == 409 and err(r) == "claim_closed"


def test_forged_foreign_malformed_and_expired_codes_are_refused(client, staff, people, new_benefit, auth):
    b, other = new_benefit(), new_benefit(title="秋季福利")
    c = claim(client, people["a"][1], b).get_json()
    foreign = claim(client, people["a"][1], other).get_json()
    body, sig = c["claim_code"].rsplit(".", 1)
    forged_sig = ("A" if sig[0] != "A" else "B") + sig[1:]
    cases = {
        "forged": f"{body}.{forged_sig}",
        "malformed": "b1.1.2.3",
        "foreign": foreign["claim_code"],
    }
    for reason, code in cases.items():
        r = redeem(client, staff, b["id"], code)
        assert r.status_code == 400 and err(r) == "invalid_token", reason
        assert r.get_json()["error"]["details"]["reason"] == reason
    # Another member's id in a code signed for someone else: the signature no longer matches.
    m = people["b"][0].id
    parts = c["claim_code"].split(".")
    r = redeem(client, staff, b["id"], ".".join(parts[:3] + [str(m), parts[4]]))
    assert r.status_code == 400 and r.get_json()["error"]["details"]["reason"] == "forged"
    with time_machine.travel(utcnow() + timedelta(days=11)):
        late = (staff[0], auth(staff[0]))
        r = redeem(client, late, b["id"], c["claim_code"])
        assert r.status_code == 409 and err(r) == "redeem_closed"
        # An offline scan made in time and synced late still counts.
        r = redeem(client, late, b["id"], c["claim_code"],
                   scanned_at=(utcnow() - timedelta(days=2)).isoformat())
        assert r.status_code == 201
    r = redeem(client, staff, b["id"], foreign["claim_code"].replace(f"b1.{other['id']}.", f"b1.{b['id']}."),
               scanned_at=(utcnow() + timedelta(hours=1)).isoformat())
    assert r.status_code == 400 and err(r) == "invalid_request"


def test_cancelled_claims_and_campaigns(client, staff, people, new_benefit):
    b = new_benefit()
    c = claim(client, people["a"][1], b).get_json()
    d = claim(client, people["b"][1], b).get_json()
    client.delete(f"{API}/claims/{c['id']}", headers=people["a"][1])
    r = redeem(client, staff, b["id"], c["claim_code"])
    assert r.status_code == 409 and err(r) == "claim_cancelled"
    r = client.post(f"{API}/benefits/{b['id']}/cancel", headers=staff[1])
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled" and r.get_json()["phase"] == "closed"
    r = client.post(f"{API}/benefits/{b['id']}/cancel", headers=staff[1])
    assert r.status_code == 409 and err(r) == "benefit_cancelled"
    for r in (redeem(client, staff, b["id"], d["claim_code"]), claim(client, people["c"][1], b),
              client.patch(f"{API}/benefits/{b['id']}", json={"title": "新"}, headers=staff[1]),
              client.post(f"{API}/benefits/{b['id']}/redemptions/batch",
                          json={"items": [{"claim_code": d["claim_code"], "scanned_at": utcnow().isoformat()}]},
                          headers=staff[1]),
              client.delete(f"{API}/claims/{d['id']}", headers=people["b"][1])):
        assert r.status_code == 409 and err(r) == "benefit_cancelled", r.get_json()
    assert client.get(f"{API}/benefits", headers=people["a"][1]).get_json()["total"] == 0


def forge(code: str) -> str:
    """The code with its signature's first character changed (the last ones may carry only padding bits)."""
    body, sig = code.rsplit(".", 1)
    return f"{body}.{'B' if sig[0] == 'A' else 'A'}{sig[1:]}"


def test_offline_batch_with_duplicates(client, staff, people, new_benefit):
    b = new_benefit()
    codes = {k: claim(client, people[k][1], b, 2).get_json() for k in ("a", "b", "c")}
    assert redeem(client, staff, b["id"], codes["c"]["claim_code"]).status_code == 201
    now = utcnow()
    t1, t2 = now - timedelta(minutes=30), now - timedelta(minutes=10)
    items = [
        {"claim_code": codes["a"]["claim_code"], "scanned_at": t2.isoformat()},   # the same code twice:
        {"claim_code": codes["a"]["claim_code"], "scanned_at": t1.isoformat()},   # the earlier scan counts
        {"claim_code": codes["b"]["claim_code"], "scanned_at": t2.isoformat()},
        {"claim_code": codes["c"]["claim_code"], "scanned_at": t2.isoformat()},   # redeemed online before
        {"claim_code": forge(codes["b"]["claim_code"]), "scanned_at": t2.isoformat()},
        {"claim_code": "hello", "scanned_at": t2.isoformat()},
    ]
    r = client.post(f"{API}/benefits/{b['id']}/redemptions/batch", json={"items": items}, headers=staff[1])
    assert r.status_code == 200
    out = r.get_json()["items"]
    assert [i["status"] for i in out] == ["already_redeemed", "redeemed", "redeemed", "already_redeemed", "error",
                                          "error"]
    assert out[0]["redeemed_at"] == out[1]["redeemed_at"] == to_local_iso(t1)
    assert out[4]["error"]["code"] == "invalid_token" and out[5]["error"]["code"] == "invalid_token"
    assert out[2]["member_name"] == people["b"][0].name and out[2]["option_name"] == "坚果礼盒"
    # Syncing the same scans again (another device's copy) redeems nothing twice.
    again = client.post(f"{API}/benefits/{b['id']}/redemptions/batch", json={"items": items[:3]},
                        headers=staff[1]).get_json()["items"]
    assert [i["status"] for i in again] == ["already_redeemed"] * 3
    assert again[0]["redeemed_at"] == out[1]["redeemed_at"]
    stats = client.get(f"{API}/benefits/{b['id']}/stats", headers=staff[1]).get_json()
    assert (stats["claimed"], stats["redeemed"]) == (3, 3)


def test_delegate_collects_for_the_night_shift(client, staff, people, new_benefit):
    b = new_benefit()
    wb = claim(client, people["b"][1], b, 0, delivery="workshop").get_json()
    wd = claim(client, people["d"][1], b, 2, delivery="workshop").get_json()
    pickup = claim(client, people["c"][1], b, 2).get_json()
    leader = people["a"][0]
    r = client.post(f"{API}/benefits/{b['id']}/deliveries", headers=staff[1],
                    json={"delegate_employee_no": leader.employee_no, "claim_ids": [wb["id"], wd["id"], pickup["id"],
                                                                                   wb["id"], 999999]})
    assert r.status_code == 200
    out = r.get_json()["items"]
    assert [i["status"] for i in out] == ["redeemed", "redeemed", "error", "already_redeemed", "error"]
    assert out[2]["error"]["code"] == "invalid_request" and out[4]["error"]["code"] == "invalid_token"
    page = client.get(f"{API}/benefits/{b['id']}/claims?status=redeemed", headers=staff[1]).get_json()
    assert page["total"] == 2
    assert {(i["member_name"], i["redeemed_via"], i["delegate_name"], i["delivery"]) for i in page["items"]} == {
        (people["b"][0].name, "delegate", leader.name, "workshop"), (people["d"][0].name, "delegate", leader.name,
                                                                    "workshop")}
    mine = client.get(f"{API}/claims/{wb['id']}", headers=people["b"][1]).get_json()
    assert mine["status"] == "redeemed" and mine["delegate_name"] == leader.name
    r = client.post(f"{API}/benefits/{b['id']}/deliveries", headers=staff[1],
                    json={"delegate_employee_no": "NOBODY", "claim_ids": [wb["id"]]})
    assert r.status_code == 400 and "delegate_employee_no" in r.get_json()["error"]["details"]["fields"]


def test_stats_by_option_and_department_and_the_period_rates(client, staff, people, new_benefit, db):
    b = new_benefit(audience={"departments": ["生产一部", "行政部"]})
    c = [claim(client, people[k][1], b, i).get_json() for k, i in (("a", 0), ("b", 0), ("x", 2))]
    redeem(client, staff, b["id"], c[0]["claim_code"])
    s = client.get(f"{API}/benefits/{b['id']}/stats", headers=staff[1]).get_json()
    assert (s["eligible"], s["claimed"], s["redeemed"]) == (5, 3, 1)
    assert s["claim_rate"] == 0.6 and s["redeem_rate"] == round(1 / 3, 4)
    assert [(o["name"], o["stock"], o["claimed"], o["redeemed"]) for o in s["by_option"]] == [
        ("大米一袋", 2, 2, 1), ("食用油一桶", 1, 0, 0), ("坚果礼盒", None, 1, 0)]
    assert s["by_department"] == [{"department": "生产一部", "eligible": 4, "claimed": 2, "redeemed": 1},
                                  {"department": "行政部", "eligible": 1, "claimed": 1, "redeemed": 0}]
    rates = services.claim_rates(utcnow() - timedelta(days=1), utcnow() + timedelta(days=1))
    assert [(x["benefit_id"], x["eligible"], x["claimed"], x["redeemed"]) for x in rates["campaigns"]] == [
        (b["id"], 5, 3, 1)]
    assert rates["claim_rate"] == 0.6
    assert services.claim_rates(utcnow() + timedelta(days=1), utcnow() + timedelta(days=2))["campaigns"] == []


def test_claims_list_filters_and_xlsx(client, staff, people, new_benefit):
    b = new_benefit()
    claim(client, people["a"][1], b, 0)
    claim(client, people["b"][1], b, 2, delivery="workshop")
    claim(client, people["x"][1], b, 2)
    base = f"{API}/benefits/{b['id']}/claims"
    assert client.get(f"{base}?delivery=workshop", headers=staff[1]).get_json()["total"] == 1
    assert client.get(f"{base}?department=行政部", headers=staff[1]).get_json()["total"] == 1
    q = people["a"][0].employee_no
    items = client.get(f"{base}?q={q}", headers=staff[1]).get_json()["items"]
    assert [i["employee_no"] for i in items] == [q]
    assert client.get(f"{base}?q=%25", headers=staff[1]).get_json()["total"] == 0  # a literal %, not a wildcard
    r = client.get(f"{base}?format=xlsx", headers=staff[1])
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("工号", "姓名", "部门", "选项", "领取方式", "状态")
    assert sorted(r[0] for r in rows[1:]) == sorted(people[k][0].employee_no for k in "abx")
    assert {r[4] for r in rows[1:]} == {"自提", "送到车间"}


def test_qr_png_and_the_key_verify_offline(client, staff, people, new_benefit):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from server.core.signed_codes import unb64

    b = new_benefit()
    c = claim(client, people["a"][1], b).get_json()
    r = client.get(f"{API}/claims/{c['id']}/qr", headers=people["a"][1])
    assert r.get_json() == {"claim_code": c["claim_code"], "qr_content": c["claim_code"]}
    r = client.get(f"{API}/claims/{c['id']}/qr?format=png", headers=people["a"][1])
    assert r.status_code == 200 and r.mimetype == "image/png"
    image = Image.open(io.BytesIO(r.data))
    assert image.format == "PNG" and image.width == image.height
    try:
        import zxingcpp
    except ImportError:
        zxingcpp = None
    if zxingcpp is not None:
        assert zxingcpp.read_barcodes(image)[0].text == c["claim_code"]
    assert client.get(f"{API}/claims/{c['id']}/qr", headers=people["b"][1]).status_code == 404
    key = client.get(f"{API}/benefits/{b['id']}/redeem-key", headers=staff[1]).get_json()
    assert key["benefit_id"] == b["id"] and key["algorithm"] == "Ed25519" and "b1." in key["format"]
    body, sig = c["claim_code"].rsplit(".", 1)
    load_pem_public_key(key["public_key_pem"].encode()).verify(unb64(sig), body.encode())  # raises if not


def test_patch_extends_and_adds_but_never_takes_back(client, staff, people, new_benefit):
    b = new_benefit()
    claim(client, people["a"][1], b, 1)
    url = f"{API}/benefits/{b['id']}"
    later = (utcnow() + timedelta(days=20)).isoformat()
    r = client.patch(url, headers=staff[1], json={
        "title": "冬季年货节（加量）", "redeem_until": later,
        "options": [{"id": b["options"][1]["id"], "stock": 5}, {"name": "春联福字", "stock": 10}]})
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["title"] == "冬季年货节（加量）" and [o["name"] for o in out["options"]][-1] == "春联福字"
    assert out["options"][1]["left"] == 4
    for body, field in (({"options": [{"id": b["options"][1]["id"], "stock": 0}]}, "options.0.stock"),
                        ({"claim_closes_at": utcnow().isoformat()}, "claim_closes_at"),
                        ({"options": [{"name": "大米一袋", "stock": 1}]}, "options.0.name"),
                        ({"options": [{"id": 999999, "stock": 1}]}, "options.0.id")):
        r = client.patch(url, headers=staff[1], json=body)
        assert r.status_code == 400 and field in r.get_json()["error"]["details"]["fields"], (body, r.get_json())


def test_bad_input_is_a_clear_400(client, staff, people, new_benefit):
    h = staff[1]
    bad = [
        benefit_body(claim_closes_at=benefit_body()["claim_opens_at"]),
        benefit_body(redeem_until=benefit_body()["claim_opens_at"]),
        benefit_body(options=[]),
        benefit_body(options=[{"name": "x", "stock": -1}]),
        benefit_body(options=[{"name": "x", "stock": 2**40}]),
        benefit_body(options=[{"name": "x", "stock": 1}, {"name": "x", "stock": 1}]),
        benefit_body(title="x" * 101),
        benefit_body(title="a\x00b"),
        benefit_body(kind="bogus"),
        benefit_body(audience={"tags": ["没有这个标签"]}),
        benefit_body(claim_opens_at="0001-01-01T00:00:00+08:00"),
        {"title": "x"},
    ]
    for body in bad:
        r = client.post(f"{API}/benefits", json=body, headers=h)
        assert r.status_code == 400 and err(r) == "invalid_request", (body, r.get_json())
    b = new_benefit()
    for body in ({"option_id": 2**40}, {"option_id": "1"}, {"option_id": b["options"][0]["id"], "delivery": "x"},
                 {}):
        r = client.post(f"{API}/benefits/{b['id']}/claims", json=body, headers=people["a"][1])
        assert r.status_code == 400 and err(r) == "invalid_request", (body, r.get_json())
    for body in ({"claim_code": ""}, {"claim_code": "x" * 301}, {"claim_code": "b1.1.1.1.\x00"},
                 {"claim_code": "b1.99999999999999999999.1.1." + "A" * 86}, {"claim_code": 5}):
        r = client.post(f"{API}/benefits/{b['id']}/redemptions", json=body, headers=h)
        assert r.status_code == 400, (body, r.get_json())
    for body in ({"items": []}, {"items": [{"claim_code": "x"}]}, {"items": [{"claim_code": "x", "scanned_at": 1}]}):
        r = client.post(f"{API}/benefits/{b['id']}/redemptions/batch", json=body, headers=h)
        assert r.status_code == 400 and err(r) == "invalid_request", body
    for body in ({"delegate_employee_no": "", "claim_ids": [1]}, {"delegate_employee_no": "x", "claim_ids": []},
                 {"delegate_employee_no": "a\x00", "claim_ids": [1]}, {"delegate_employee_no": "x", "claim_ids": [0]}):
        r = client.post(f"{API}/benefits/{b['id']}/deliveries", json=body, headers=h)
        assert r.status_code == 400 and err(r) == "invalid_request", body
    for q in ("phase=bogus", "page=0", "per_page=1000", "scope=x"):
        assert client.get(f"{API}/benefits?{q}", headers=h).status_code == 400, q
    for q in ("status=x", "format=pdf", "q=" + "x" * 101, "department=" + "x" * 101):
        assert client.get(f"{API}/benefits/{b['id']}/claims?{q}", headers=h).status_code == 400, q
    assert client.get(f"{API}/benefits/{b['id']}/claims?q=a%00b", headers=h).status_code == 400
    assert client.get(f"{API}/benefits/2147483648", headers=h).status_code == 404


def test_announcement_reaches_the_audience(client, staff, people, db):
    from sqlalchemy import select

    from server.notices.models import Notice, NoticeRecipient

    r = client.post(f"{API}/benefits", headers=staff[1],
                    json=benefit_body(announce=True, audience={"tags": ["异地职工"]}))
    assert r.status_code == 201
    notice = db.session.scalars(select(Notice).where(Notice.source == "benefit")).one()
    assert "冬季年货节" in notice.title
    got = set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice.id)))
    assert got == {people["a"][0].id, people["b"][0].id}


def test_the_claim_and_the_redemption_are_one_statement_each_on_postgresql(client, staff, people, new_benefit, db):
    from tests.statements import statements_of

    b = new_benefit()
    with statements_of(db.engine) as statements:
        r = claim(client, people["a"][1], b)
    assert r.status_code == 201
    if db.engine.dialect.name == "postgresql":
        assert len(statements) == 1, statements  # member, audience, window, stock, claim: one round trip
    first = r.get_json()["claim_code"]
    second = claim(client, people["b"][1], b).get_json()["claim_code"]
    counts = []
    for code in (first, second):
        with statements_of(db.engine) as statements:
            assert redeem(client, staff, b["id"], code).status_code == 201
        counts.append([s for s in statements
                       if s.strip().split()[0].upper() not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")])
    if db.engine.dialect.name == "postgresql":
        # The first scan in this process reads the campaign's key; after that a scan is one statement, which
        # also reads the scanning staff member (no sign-in query of its own).
        assert [len(c) for c in counts] == [2, 1], counts
    else:
        assert [len(c) for c in counts] == [2, 2], counts


def test_a_stale_key_in_this_process_redeems_nothing_and_is_read_again(client, staff, people, new_benefit, db):
    from server.benefits import services

    b = new_benefit()
    code = claim(client, people["a"][1], b).get_json()["claim_code"]
    # As after a restore that reused the id: this process knows another key under it.
    services._KEYS[b["id"]] = b"\x01" * 32
    assert redeem(client, staff, b["id"], code).status_code == 201
    if db.engine.dialect.name == "postgresql":  # SQLite reads the key in its one transaction every time
        assert services._KEYS[b["id"]] != b"\x01" * 32
    forged = forge(claim(client, people["b"][1], b).get_json()["claim_code"])
    assert redeem(client, staff, b["id"], forged).get_json()["error"]["details"]["reason"] == "forged"


def test_only_current_staff_redeem_and_a_refused_scan_redeems_nothing(client, staff, people, new_benefit, db, make,
                                                                       auth):
    b = new_benefit()
    code = claim(client, people["a"][1], b).get_json()["claim_code"]
    # A member without a staff role: 403, even for a malformed body or a future scan, and the claim stays.
    assert redeem(client, people["b"], b["id"], code).status_code == 403
    for body in ({"claim_code": 7}, {"claim_code": code, "scanned_at": "2099-01-01T00:00:00+08:00"}):
        r = client.post(f"{API}/benefits/{b['id']}/redemptions", json=body, headers=people["b"][1])
        assert (r.status_code, r.get_json()["error"]["code"]) == (403, "forbidden")
    # Staff whose sign-in was revoked, or who left the roster: 401.
    gone = make.staff()
    headers = auth(gone)
    gone.token_version += 1
    db.session.flush()
    assert redeem(client, (gone, headers), b["id"], code).status_code == 401
    mine = client.get(f"{API}/me/claims", headers=people["a"][1]).get_json()["items"][0]
    assert mine["status"] == "claimed" and mine["redeemed_at"] is None
    # Unknown campaign: staff hear 404, a member 403.
    assert redeem(client, staff, 999999, code).status_code == 404
    assert redeem(client, people["b"], 999999, code).status_code == 403
    assert redeem(client, staff, b["id"], code).status_code == 201


def test_cancelling_a_campaign_tells_the_holders_of_claims(client, staff, people, new_benefit, db):
    from sqlalchemy import select

    from server.notices.models import Notice, NoticeRecipient

    b = new_benefit()
    claim(client, people["a"][1], b)
    c = claim(client, people["b"][1], b).get_json()
    redeem(client, staff, b["id"], c["claim_code"])  # already has it: not told
    client.post(f"{API}/benefits/{b['id']}/cancel", headers=staff[1])
    notice = db.session.scalars(select(Notice).where(Notice.source == "benefit")).one()
    assert "取消" in notice.title
    assert set(db.session.scalars(select(NoticeRecipient.member_id).where(
        NoticeRecipient.notice_id == notice.id))) == {people["a"][0].id}


def test_a_member_who_left_the_roster_cannot_claim(client, people, new_benefit, db):
    b = new_benefit()
    people["c"][0].is_active = False
    db.session.flush()
    r = claim(client, people["c"][1], b)
    assert r.status_code == 401
    stats_left = client.get(f"{API}/benefits/{b['id']}", headers=people["a"][1]).get_json()["options"][0]["left"]
    assert stats_left == 2  # nothing taken
