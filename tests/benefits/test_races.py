"""Claims and redemptions under concurrency: real commits from many threads (SQLite file and PostgreSQL)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from server.benefits import services
from server.benefits.models import BenefitClaim, BenefitOption
from server.core.timeutil import utcnow
from server.members.models import Member

API = "/api/v1"


def _seed(db, n_members: int, stocks=(10, None)) -> tuple[int, list[int], list[int], int]:
    members = [Member(employee_no=f"B{i:05d}", name=f"会员{i}", roles=["member"]) for i in range(n_members)]
    staff = Member(employee_no="BS0001", name="干事", roles=["member", "staff"])
    db.session.add_all([*members, staff])
    db.session.flush()
    now = utcnow()
    options = [{"name": f"选项{i}", "stock": s} for i, s in enumerate(stocks)]
    b = services.create(staff.id, title="抢年货", options=options,
                        claim_opens_at=now - timedelta(minutes=5), claim_closes_at=now + timedelta(days=1),
                        redeem_until=now + timedelta(days=2), announce=False)
    db.session.flush()
    options = [o.id for o in services.options_of([b.id])[b.id]]
    ids = b.id, [m.id for m in members], options, staff.id
    # Commit and hold no transaction: on SQLite an open one would keep the write lock from the threads.
    db.session.commit()
    db.session.close()
    return ids


def _tokens(app, member_ids):
    from server.members.auth import issue_token

    with app.test_request_context():
        return [issue_token(mid)[0] for mid in member_ids]


def _run(app, calls, workers):
    def one(call):
        method, url, token, body = call
        r = app.test_client().open(url, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, calls))


def test_a_rush_for_the_last_items_never_oversells(app, committing_db):
    benefit_id, member_ids, (scarce, _), _ = _seed(committing_db, 60)
    url = f"{API}/benefits/{benefit_id}/claims"
    results = _run(app, [("POST", url, t, {"option_id": scarce}) for t in _tokens(app, member_ids)], workers=30)
    codes = sorted(code for code, _ in results)
    assert codes == [201] * 10 + [409] * 50, {c for c in codes}
    assert {b["error"]["code"] for code, b in results if code == 409} == {"out_of_stock"}
    s = committing_db.session
    assert s.get(BenefitOption, scarce).claimed == 10
    assert s.scalar(select(func.count()).select_from(BenefitClaim).where(BenefitClaim.benefit_id == benefit_id)) == 10


def test_one_member_on_two_devices_claims_once(app, committing_db):
    benefit_id, member_ids, options, _ = _seed(committing_db, 1)
    token = _tokens(app, member_ids)[0]
    url = f"{API}/benefits/{benefit_id}/claims"
    # Both options at once, from 16 "devices": only one claim, one unit of stock taken.
    results = _run(app, [("POST", url, token, {"option_id": options[i % 2]}) for i in range(16)], workers=16)
    created = [b for code, b in results if code == 201]
    assert len(created) == 1
    assert {(code, b["error"]["code"]) for code, b in results if code != 201} == {(409, "already_claimed")}
    assert {b["error"]["details"]["claim_id"] for code, b in results if code != 201} == {created[0]["id"]}
    s = committing_db.session
    assert sum(o.claimed for o in s.scalars(select(BenefitOption).where(BenefitOption.benefit_id == benefit_id))) == 1
    assert s.scalar(select(func.count()).select_from(BenefitClaim)) == 1


def test_the_same_code_scanned_at_two_doors_is_redeemed_once(app, committing_db):
    benefit_id, member_ids, options, staff_id = _seed(committing_db, 1)
    token = _tokens(app, member_ids)[0]
    code, body = _run(app, [("POST", f"{API}/benefits/{benefit_id}/claims", token, {"option_id": options[0]})], 1)[0]
    assert code == 201
    staff_token = _tokens(app, [staff_id])[0]
    url = f"{API}/benefits/{benefit_id}/redemptions"
    results = _run(app, [("POST", url, staff_token, {"claim_code": body["claim_code"]})] * 12, workers=12)
    assert sorted(code for code, _ in results) == [201] + [409] * 11
    first = next(b for code, b in results if code == 201)
    assert {b["error"]["details"]["redeemed_at"] for code, b in results if code == 409} == {first["redeemed_at"]}


def test_two_devices_sync_the_same_offline_scans_once(app, committing_db):
    benefit_id, member_ids, options, staff_id = _seed(committing_db, 20)
    tokens = _tokens(app, member_ids)
    claims = _run(app, [("POST", f"{API}/benefits/{benefit_id}/claims", t, {"option_id": options[1]})
                        for t in tokens], workers=8)
    at = (utcnow() - timedelta(minutes=3)).isoformat()
    items = [{"claim_code": b["claim_code"], "scanned_at": at} for _, b in claims]
    staff_token = _tokens(app, [staff_id])[0]
    url = f"{API}/benefits/{benefit_id}/redemptions/batch"
    results = _run(app, [("POST", url, staff_token, {"items": items})] * 4, workers=4)
    assert all(code == 200 for code, _ in results)
    statuses = [i["status"] for _, b in results for i in b["items"]]
    assert statuses.count("redeemed") == 20 and statuses.count("already_redeemed") == 60
    s = committing_db.session
    assert s.scalar(select(func.count()).select_from(BenefitClaim).where(BenefitClaim.status == "redeemed")) == 20
