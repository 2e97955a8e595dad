"""Booking rush: members booking slots of a health-check calendar, all at once, over HTTP.

    .venv/bin/python bench/booking_rush.py [--database-url URL] [--workers N] [--concurrency 32]
                                           [--members 500] [--slots 100] [--capacity 3]

Starts gunicorn on PostgreSQL, measures the ping ceiling, then sends one
POST /api/v1/slots/{id}/bookings per member: consecutive members aim at the same slot (500 members on
100 slots: five for each slot's three seats), so every slot is fought over. Prints throughput, latency,
CPU and the ratio to the ceiling; then checks the outcome from the database: exactly slots × capacity
booked, no slot over its capacity, every slot's counter equal to its bookings, and every other answer a
409 slot_full. Exits 1 if that check fails.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections import Counter
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


def set_up(app, members: int, slots: int, capacity: int) -> tuple[list[int], list[str]]:
    from server.bookings import calendars
    from server.bookings.slots import create_slots
    from server.core.extensions import db
    from server.core.timeutil import utcnow

    with app.app_context():
        member_ids, (staff_id,) = seed_members(members)
        calendar = calendars.create_calendar(created_by=staff_id, kind="health_check", title="压测：体检预约",
                                             location="职工医院体检中心", max_active_per_member=1)
        start = utcnow() + timedelta(days=7)
        spans = [(start + timedelta(minutes=15 * i), start + timedelta(minutes=15 * (i + 1)), capacity)
                 for i in range(slots)]
        _, created = create_slots(calendar.id, spans, None, ["slots"] * slots)
        slot_ids = [s.id for s in created]
        db.session.commit()
        db.engine.dispose()
    return slot_ids, bearer_tokens(app, member_ids)


def verify(app, slot_ids: list[int], aimed: Counter, result, members: int, capacity: int) -> list[str]:
    """What went wrong, judged from the database and the answers; empty when the outcome is exact."""
    from sqlalchemy import func, select

    from server.bookings.models import Booking, Slot
    from server.core.extensions import db

    problems = []
    seats = sum(min(capacity, n) for n in aimed.values())
    if result.failures or set(result.statuses) - {201, 409}:
        problems.append(f"answers: {dict(result.statuses)}, transport errors {len(result.failures)}")
    with app.app_context():
        active = dict(db.session.execute(
            select(Booking.slot_id, func.count()).where(Booking.slot_id.in_(slot_ids), Booking.status == "booked")
            .group_by(Booking.slot_id)).all())
        counters = dict(db.session.execute(select(Slot.id, Slot.booked).where(Slot.id.in_(slot_ids))).all())
        db.session.rollback()
        db.engine.dispose()
    if sum(active.values()) != seats:
        problems.append(f"{sum(active.values())} booked, expected exactly {seats}")
    if any(n > capacity for n in active.values()):
        problems.append("a slot holds more bookings than its capacity")
    if any(counters[s] != active.get(s, 0) for s in slot_ids):
        problems.append("a slot's booked counter differs from its bookings")
    answered = [json.loads(b) for b in result.bodies if b]
    codes = Counter(a.get("status") or a.get("error", {}).get("code") for a in answered)
    if codes != {"booked": seats, "slot_full": members - seats}:
        problems.append(f"answers by outcome {dict(codes)}, expected {seats} booked, {members - seats} slot_full")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser, concurrency=32, members=500)
    parser.add_argument("--slots", type=int, default=100)
    parser.add_argument("--capacity", type=int, default=3)
    args = parser.parse_args()

    secret = secrets.token_urlsafe(48)
    per_slot = -(-args.members // args.slots)
    with database(args.database_url, args.admin_url) as url:
        print(f"machine: {machine(url)}; load average {os.getloadavg()[0]:.2f} (other work on it skews the figures)")
        app = make_app(url, secret)
        slot_ids, tokens = set_up(app, args.members, args.slots, args.capacity)
        targets = [slot_ids[i // per_slot] for i in range(len(tokens))]
        requests = [http_request("POST", f"/api/v1/slots/{s}/bookings", t)
                    for s, t in zip(targets, tokens, strict=True)]
        with gunicorn(url, secret, args.workers, args.worker_class, args.threads) as server:
            print(f"server: {server.label}; client: concurrency {args.concurrency}, keep-alive where offered")
            print(f"booking rush: {args.members} members on {args.slots} slots of {args.capacity} seats")
            warm_up(server, args.concurrency)
            ping = ping_ceiling(server, args.ping_requests, args.concurrency)
            rush = run_load(server, requests, args.concurrency, keep_bodies=True)
        report("booking rush", rush, ping, TARGET_RATE, None)
        aimed = Counter(targets)
        problems = verify(app, slot_ids, aimed, rush, args.members, args.capacity)
    for p in problems:
        print(f"correctness: FAILED: {p}")
    if problems:
        sys.exit(1)
    seats = sum(min(args.capacity, n) for n in aimed.values())
    print(f"correctness: ok ({seats} booked, {args.members - seats} refused with slot_full, no slot over capacity)")


if __name__ == "__main__":
    main()
