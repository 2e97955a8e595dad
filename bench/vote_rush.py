"""Vote rush: 2,000 members cast one ballot each in one vote, all at once, over HTTP.

    .venv/bin/python bench/vote_rush.py [--database-url URL] [--workers N] [--concurrency 64]
                                        [--members 2000] [--repeats 1]

Starts gunicorn on PostgreSQL, measures the ping ceiling, then sends one
POST /api/v1/votes/{id}/ballots per member (choosing 1 to 3 of 5 candidates), plus ``--repeats`` second
ballots from already-voted members mixed in (each must answer 409 already_voted). Prints throughput,
latency and CPU; then closes the vote (filing the held ballots in one shuffled batch, timed) and checks
from the database: ballots == voters == members, every answered receipt's sha256 in the published list,
nothing left held. Exits 1 if that check fails. The target: >= 500 ballots/s, all within a minute.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import sys
import time
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

TARGET_RATE = 500


def set_up(app, members: int) -> tuple[int, list[int], list[str], int]:
    from server.core.extensions import db
    from server.core.timeutil import utcnow
    from server.votes import services

    with app.app_context():
        member_ids, (staff_id,) = seed_members(members)
        now = utcnow()
        vote = services.create_vote(staff_id, title="压测：工匠之星", description="", audience=None,
                                    opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=2),
                                    max_choices=3, candidates=[{"name": f"候选人{i}"} for i in range(5)])
        services.publish_vote(vote.id)
        db.session.commit()
        vote_id = vote.id
        candidates = [c.id for c in services.candidates_of([vote_id])[vote_id]]
        db.session.rollback()
        db.engine.dispose()
    return vote_id, candidates, bearer_tokens(app, member_ids), staff_id


def close_and_verify(app, vote_id: int, result, members: int, repeats: int) -> list[str]:
    from sqlalchemy import func, select

    from server.core.extensions import db, transaction
    from server.votes import services
    from server.votes.models import VoteHeldBallot, VoteVoter

    problems = []
    statuses = dict(result.statuses)
    if result.failures or statuses.get(201) != members or statuses.get(409, 0) != repeats \
            or set(statuses) - {201, 409}:
        problems.append(f"answers: {statuses}, transport errors {len(result.failures)}")
    answered = [json.loads(b) for b in result.bodies if b]
    receipts = sorted(hashlib.sha256(a["receipt"].encode()).hexdigest() for a in answered if "receipt" in a)
    codes = {a["error"]["code"] for a in answered if "error" in a}
    if codes - {"already_voted"}:
        problems.append(f"error codes: {codes}")
    with app.app_context():
        start = time.perf_counter()
        with transaction():
            _, filed = services.close_vote(vote_id, early=True)
        filing = time.perf_counter() - start
        res = services.results(services.get_vote(vote_id))
        voters = db.session.scalar(select(func.count()).select_from(VoteVoter).where(VoteVoter.vote_id == vote_id))
        held = db.session.scalar(select(func.count()).select_from(VoteHeldBallot))
        db.session.rollback()
        db.engine.dispose()
    print(f"close: {filed} ballots filed in one shuffled batch in {filing * 1000:.0f} ms")
    print(f"after filing: ballots {res['ballots']}, voters {voters}, receipts listed {len(res['receipts'])}, "
          f"held left {held}; votes per candidate {[c['votes'] for c in res['candidates']]}")
    if not (res["ballots"] == voters == members == len(res["receipts"])) or held:
        problems.append(f"ballots {res['ballots']}, voters {voters}, members {members}, held {held}")
    if receipts != res["receipts"]:
        problems.append("the answered receipts' hashes are not exactly the published list")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser, concurrency=64, members=2000)
    parser.add_argument("--repeats", type=int, default=100, help="second ballots by members who voted (409s)")
    args = parser.parse_args()

    secret = secrets.token_urlsafe(48)
    rng = random.Random(7)
    with database(args.database_url, args.admin_url) as url:
        print(f"machine: {machine(url)}; load average {os.getloadavg()[0]:.2f} (other work on it skews the figures)")
        app = make_app(url, secret)
        vote_id, candidates, tokens, _ = set_up(app, args.members)
        path = f"/api/v1/votes/{vote_id}/ballots"
        requests = [http_request("POST", path, t, {"choices": rng.sample(candidates, rng.randint(1, 3))})
                    for t in tokens]
        # Second ballots go at the end, after each member's first has been answered in all likelihood.
        requests += [http_request("POST", path, t, {"choices": [candidates[0]]})
                     for t in rng.sample(tokens, args.repeats)]
        with gunicorn(url, secret, args.workers, args.worker_class, args.threads) as server:
            print(f"server: {server.label}; client: concurrency {args.concurrency}, keep-alive where offered")
            print(f"vote rush: {args.members} ballots (+{args.repeats} repeats) in one vote, 5 candidates, max 3")
            warm_up(server, args.concurrency)
            ping = ping_ceiling(server, args.ping_requests, args.concurrency)
            rush = run_load(server, requests, args.concurrency, keep_bodies=True)
        met = report("vote rush", rush, ping, TARGET_RATE, None)
        print(f"all {len(requests)} requests answered in {rush.elapsed:.1f} s (within a minute: "
              f"{'yes' if rush.elapsed < 60 else 'NO'})")
        problems = close_and_verify(app, vote_id, rush, args.members, args.repeats)
    for p in problems:
        print(f"correctness: FAILED: {p}")
    if problems:
        sys.exit(1)
    print(f"correctness: ok (exactly one ballot per member: ballots == voters == {args.members}, "
          f"{args.repeats} repeats refused, every receipt listed)")
    if not met:
        sys.exit(2)


if __name__ == "__main__":
    main()
