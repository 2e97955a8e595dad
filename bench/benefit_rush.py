"""Benefit rush: 2,000 members claim 500 items at once over HTTP, then the claims are redeemed at the door.

    .venv/bin/python bench/benefit_rush.py [--database-url URL] [--workers N] [--concurrency 64]
                                           [--members 2000] [--stock 500] [--repeats 100]

Starts gunicorn on PostgreSQL, measures the ping ceiling, then sends one POST /api/v1/benefits/{id}/claims per
member for the one option (stock ``--stock``), plus ``--repeats`` second claims from members who already
asked (a second device; each must answer 409 already_claimed or out_of_stock). Prints claims/s. Then a
staff device redeems every claim code the rush handed out (POST /api/v1/benefits/{id}/redemptions, one per
code) and prints redemptions/s. Checks from the database: exactly ``--stock`` claims, the option's counter
equal to them, one claim per member, every claim redeemed once. Exits 1 if a check fails, 2 if a speed
target is missed. Targets: claims >= 500/s; redemptions >= 800/s.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
from datetime import timedelta

from common import (
    add_common_args,
    bearer_tokens,
    database,
    gunicorn,
    http_request,
    machine,
    make_app,
    ping_ceiling,
    report,
    run_load,
    seed_members,
    warm_up,
)

CLAIM_RATE, REDEEM_RATE = 500, 800


def set_up(app, members: int, stock: int) -> tuple[int, int, list[str], str]:
    from server.benefits import services
    from server.core.extensions import db
    from server.core.timeutil import utcnow

    with app.app_context():
        member_ids, (staff_id,) = seed_members(members)
        now = utcnow()
        b = services.create(staff_id, title="压测：年货节", options=[{"name": "年货礼包", "stock": stock}],
                            claim_opens_at=now - timedelta(minutes=1), claim_closes_at=now + timedelta(hours=2),
                            redeem_until=now + timedelta(hours=4), announce=False)
        db.session.commit()
        benefit_id, option_id = b.id, services.options_of([b.id])[b.id][0].id
        db.session.rollback()
        db.engine.dispose()
    return benefit_id, option_id, bearer_tokens(app, member_ids), bearer_tokens(app, [staff_id])[0]


def verify(app, benefit_id: int, option_id: int, rush, redeemed, stock: int, members: int, repeats: int
           ) -> list[str]:
    from sqlalchemy import func, select

    from server.benefits.models import BenefitClaim, BenefitOption
    from server.core.extensions import db

    problems = []
    statuses = dict(rush.statuses)
    if rush.failures or statuses.get(201) != stock or statuses.get(409) != members + repeats - stock:
        problems.append(f"claim answers: {statuses}, transport errors {len(rush.failures)}")
    codes = {json.loads(b)["error"]["code"] for b in rush.bodies if b and b"error" in b}
    if codes - {"out_of_stock", "already_claimed"}:
        problems.append(f"claim error codes: {codes}")
    if redeemed.failures or dict(redeemed.statuses) != {201: stock}:
        problems.append(f"redemption answers: {dict(redeemed.statuses)}, transport errors {len(redeemed.failures)}")
    with app.app_context():
        rows, distinct, done = db.session.execute(
            select(func.count(), func.count(func.distinct(BenefitClaim.member_id)),
                   func.count().filter(BenefitClaim.status == "redeemed"))
            .where(BenefitClaim.benefit_id == benefit_id)).one()
        counter = db.session.get(BenefitOption, option_id).claimed
        db.session.rollback()
        db.engine.dispose()
    print(f"database: {rows} claims for {distinct} members, option counter {counter}, {done} redeemed "
          f"(stock {stock})")
    if not rows == distinct == counter == done == stock:
        problems.append(f"claims {rows}, members {distinct}, counter {counter}, redeemed {done}, stock {stock}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser, concurrency=64, members=2000)
    parser.add_argument("--stock", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=100, help="second claims from members who asked (409s)")
    parser.add_argument("--redeem-concurrency", type=int, default=32, help="connections for the redemption pass")
    args = parser.parse_args()

    secret = secrets.token_urlsafe(48)
    rng = random.Random(7)
    with database(args.database_url, args.admin_url) as url:
        print(f"machine: {machine(url)}; load average {os.getloadavg()[0]:.2f} (other work on it skews the figures)")
        app = make_app(url, secret)
        benefit_id, option_id, tokens, staff_token = set_up(app, args.members, args.stock)
        path = f"/api/v1/benefits/{benefit_id}/claims"
        body = {"option_id": option_id}
        requests = [http_request("POST", path, t, body) for t in tokens]
        requests += [http_request("POST", path, t, body) for t in rng.sample(tokens, args.repeats)]
        with gunicorn(url, secret, args.workers, args.worker_class, args.threads) as server:
            print(f"server: {server.label}; client: concurrency {args.concurrency}, keep-alive where offered")
            print(f"claim rush: {args.members} members (+{args.repeats} second devices) for {args.stock} items")
            warm_up(server, args.concurrency)
            ping = ping_ceiling(server, args.ping_requests, args.concurrency)
            rush = run_load(server, requests, args.concurrency, keep_bodies=True)
            claim_codes = [json.loads(b)["claim_code"] for b in rush.bodies if b and b'"claim_code"' in b]
            rng.shuffle(claim_codes)
            redeem_path = f"/api/v1/benefits/{benefit_id}/redemptions"
            print(f"redemption at the door: {len(claim_codes)} codes scanned by staff, "
                  f"concurrency {args.redeem_concurrency}")
            redeemed = run_load(server, [http_request("POST", redeem_path, staff_token, {"claim_code": c})
                                         for c in claim_codes], args.redeem_concurrency, keep_bodies=True)
        met = report("claim rush", rush, ping, CLAIM_RATE, None)
        met = report("redemption", redeemed, ping, REDEEM_RATE, None) and met
        problems = verify(app, benefit_id, option_id, rush, redeemed, args.stock, args.members, args.repeats)
    for p in problems:
        print(f"correctness: FAILED: {p}")
    if problems:
        sys.exit(1)
    print(f"correctness: ok (exactly {args.stock} claimed, one per member, every repeat refused, each redeemed once)")
    if not met:
        sys.exit(2)


if __name__ == "__main__":
    main()
