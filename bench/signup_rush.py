"""Sign-up rush: every member signs up for one event with few seats, all at once, over HTTP.

    .venv/bin/python bench/signup_rush.py [--database-url URL] [--workers N] [--concurrency 64]
                                          [--members 2000] [--seats 200]

Starts gunicorn on PostgreSQL, measures the ping ceiling, then sends one
POST /api/v1/events/{id}/registrations per member. Prints throughput, latency, CPU and the ratio to
the ceiling; then checks the outcome from the database: exactly ``seats`` confirmed and the waiting
list at positions 1..members-seats with no gaps or repeats. Exits 1 if that check fails.
"""
from __future__ import annotations

import argparse
import json
import os
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

TARGET_RATE = 500


def set_up(app, members: int, seats: int) -> tuple[int, list[str]]:
    from server.core.extensions import db
    from server.core.timeutil import utcnow
    from server.events import lifecycle

    with app.app_context():
        member_ids, (staff_id,) = seed_members(members)
        start = utcnow() + timedelta(days=7)
        event = lifecycle.create_event(created_by=staff_id, title="压测：报名", kind="activity", location="工会活动室",
                                       starts_at=start, ends_at=start + timedelta(hours=2), capacity=seats)
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id, bearer_tokens(app, member_ids)


def verify(app, event_id: int, result, members: int, seats: int) -> list[str]:
    """What went wrong, judged from the database and the answers; empty when the outcome is exact."""
    from sqlalchemy import func, select

    from server.core.extensions import db
    from server.events.models import Event, Registration

    problems = []
    if result.failures or set(result.statuses) != {201}:
        problems.append(f"answers: {dict(result.statuses)}, transport errors {len(result.failures)}")
    waiting = members - seats
    with app.app_context():
        by_status = dict(db.session.execute(
            select(Registration.status, func.count()).where(Registration.event_id == event_id)
            .group_by(Registration.status)).all())
        ranks = db.session.scalars(
            select(func.rank().over(order_by=Registration.waitlist_seq))
            .where(Registration.event_id == event_id, Registration.status == "waitlisted")).all()
        event = db.session.get(Event, event_id)
        counters = (event.confirmed_count, event.waitlist_count)
        db.session.rollback()
        db.engine.dispose()
    if by_status != {"confirmed": seats, "waitlisted": waiting}:
        problems.append(f"registrations by status {by_status}, expected {seats} confirmed, {waiting} waitlisted")
    if sorted(ranks) != list(range(1, waiting + 1)):
        problems.append(f"waiting-list positions are not exactly 1..{waiting} (gaps or repeats)")
    if counters != (seats, waiting):
        problems.append(f"event counters confirmed/waitlist = {counters}")
    answered = [json.loads(b) for b in result.bodies if b]
    confirmed = sum(1 for a in answered if a.get("status") == "confirmed")
    positions = sorted(a["waitlist_position"] for a in answered if a.get("status") == "waitlisted")
    if confirmed != seats or positions != list(range(1, waiting + 1)):
        problems.append(f"answers: {confirmed} confirmed, waiting-list positions not exactly 1..{waiting}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser, concurrency=64, members=2000)
    parser.add_argument("--seats", type=int, default=200)
    args = parser.parse_args()

    secret = secrets.token_urlsafe(48)
    with database(args.database_url, args.admin_url) as url:
        print(f"machine: {machine(url)}; load average {os.getloadavg()[0]:.2f} (other work on it skews the figures)")
        app = make_app(url, secret)
        event_id, tokens = set_up(app, args.members, args.seats)
        requests = [http_request("POST", f"/api/v1/events/{event_id}/registrations", t) for t in tokens]
        with gunicorn(url, secret, args.workers, args.worker_class, args.threads) as server:
            print(f"server: {server.label}; client: concurrency {args.concurrency}, keep-alive where offered")
            print(f"sign-up rush: {args.members} sign-ups for {args.seats} seats")
            warm_up(server, args.concurrency)
            ping = ping_ceiling(server, args.ping_requests, args.concurrency)
            rush = run_load(server, requests, args.concurrency, keep_bodies=True)
        report("sign-up rush", rush, ping, TARGET_RATE, None)
        problems = verify(app, event_id, rush, args.members, args.seats)
    for p in problems:
        print(f"correctness: FAILED: {p}")
    if problems:
        sys.exit(1)
    print(f"correctness: ok ({args.seats} confirmed, waiting list 1..{args.members - args.seats}, no errors)")


if __name__ == "__main__":
    main()
