"""Check-out burst beside a check-in burst: at a volunteer event every member scans the check-in code, then
every member scans the check-out code, all at once, over HTTP, on the same server, so the two compare.

    .venv/bin/python bench/checkout_burst.py [--database-url URL] [--workers N] [--concurrency 32]
                                             [--members 2000]

Starts gunicorn on PostgreSQL, measures the ping ceiling, sends one POST /api/v1/checkins per member with the
venue code (refreshed as the screen at the door does), then one POST /api/v1/checkouts per member with the
check-out code. Prints both bursts' throughput and latency; then checks from the database that there is
exactly one check-out per member and that every answer was 201. Exits 1 if that check fails.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import sys
import threading
from datetime import timedelta

from checkin_burst import CheckinRequests, VenueCode
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

TARGET_RATE, TARGET_P99_MS = 800, 50  # the check-in's own targets


def set_up(app, members: int) -> tuple[int, list[str], str]:
    from sqlalchemy import insert

    from server.core.extensions import db
    from server.core.timeutil import utcnow
    from server.events import lifecycle
    from server.events.models import Registration

    with app.app_context():
        member_ids, (staff_id,) = seed_members(members)
        now = utcnow()
        start = now + timedelta(minutes=10)
        event = lifecycle.create_event(created_by=staff_id, title="压测：志愿签退", kind="volunteer",
                                       location="社区", starts_at=start, ends_at=start + timedelta(hours=2))
        db.session.flush()
        db.session.execute(insert(Registration), [
            {"event_id": event.id, "member_id": m, "status": "confirmed", "created_at": now, "confirmed_at": now}
            for m in member_ids])
        event.confirmed_count = len(member_ids)
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id, bearer_tokens(app, member_ids), bearer_tokens(app, [staff_id])[0]


class CheckoutCode(VenueCode):
    """The check-out code on the screen, refreshed every half period."""

    def __init__(self, server, event_id: int, staff_token: str):
        def fetch() -> dict:
            conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
            conn.request("GET", f"/api/v1/events/{event_id}/checkout-code",
                         headers={"Authorization": f"Bearer {staff_token}"})
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            if resp.status != 200:
                raise SystemExit(f"GET checkout-code answered {resp.status}: {body[:300]!r}")
            return json.loads(body)

        self._fetch = fetch
        first = fetch()
        self.token, self._every = first["token"], first["period_seconds"] / 2
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh, daemon=True)


class CheckoutRequests(CheckinRequests):
    def __getitem__(self, i: int) -> bytes:
        return http_request("POST", "/api/v1/checkouts", self.tokens[i], {"token": self.code.token})


def verify(app, event_id: int, results, members: int) -> list[str]:
    from sqlalchemy import func, select

    from server.core.extensions import db
    from server.volunteers.models import VolunteerCheckout

    problems = []
    for name, result in results:
        if result.failures or set(result.statuses) != {201}:
            problems.append(f"{name} answers: {dict(result.statuses)}, transport errors {len(result.failures)}")
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(VolunteerCheckout)
                                 .where(VolunteerCheckout.event_id == event_id))
        db.session.rollback()
        db.engine.dispose()
    if rows != members:
        problems.append(f"{rows} check-out rows, expected {members}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser, concurrency=32, members=2000)
    args = parser.parse_args()

    secret = secrets.token_urlsafe(48)
    with database(args.database_url, args.admin_url) as url:
        print(f"machine: {machine(url)}; load average {os.getloadavg()[0]:.2f} (other work on it skews the figures)")
        app = make_app(url, secret)
        event_id, tokens, staff_token = set_up(app, args.members)
        with gunicorn(url, secret, args.workers, args.worker_class, args.threads) as server:
            print(f"server: {server.label}; client: concurrency {args.concurrency}, keep-alive where offered")
            warm_up(server, args.concurrency)
            ping = ping_ceiling(server, args.ping_requests, args.concurrency)
            with VenueCode(server, event_id, staff_token) as code:
                checkins = run_load(server, CheckinRequests(tokens, code), args.concurrency, keep_bodies=True)
            with CheckoutCode(server, event_id, staff_token) as code:
                checkouts = run_load(server, CheckoutRequests(tokens, code), args.concurrency, keep_bodies=True)
        report("check-in", checkins, ping, TARGET_RATE, TARGET_P99_MS)
        report("check-out", checkouts, ping, TARGET_RATE, TARGET_P99_MS)
        problems = verify(app, event_id, [("check-in", checkins), ("check-out", checkouts)], args.members)
    for p in problems:
        print(f"correctness: FAILED: {p}")
    if problems:
        sys.exit(1)
    print(f"correctness: ok ({args.members} check-out rows, one per member, every answer 201)")


if __name__ == "__main__":
    main()
