"""Check-in burst: every registered member scans the venue code at the door, all at once, over HTTP.

    .venv/bin/python bench/checkin_burst.py [--database-url URL] [--workers N] [--concurrency 32]
                                            [--members 2000]

Starts gunicorn on PostgreSQL, measures the ping ceiling, fetches the venue code as staff
(GET /api/v1/events/{id}/checkin-code, fetched again every half period while the burst runs, as the
screen at the door does), then sends one POST /api/v1/checkins per member with the member's own
bearer token. Prints throughput, latency, CPU and the ratio to the ceiling; then checks
from the database that there is exactly one check-in per member and that no request failed.
Exits 1 if that check fails.
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

TARGET_RATE, TARGET_P99_MS = 800, 50


def set_up(app, members: int) -> tuple[int, list[str], str]:
    """An event starting in 10 minutes (check-in open) with every member confirmed; returns the event
    id, the members' tokens and a staff token."""
    from sqlalchemy import insert

    from server.core.extensions import db
    from server.core.timeutil import utcnow
    from server.events import lifecycle
    from server.events.models import Registration

    with app.app_context():
        member_ids, (staff_id,) = seed_members(members)
        now = utcnow()
        start = now + timedelta(minutes=10)
        event = lifecycle.create_event(created_by=staff_id, title="压测：签到", kind="meeting", location="职工之家",
                                       starts_at=start, ends_at=start + timedelta(hours=2))
        db.session.flush()
        db.session.execute(insert(Registration), [
            {"event_id": event.id, "member_id": m, "status": "confirmed", "created_at": now, "confirmed_at": now}
            for m in member_ids
        ])
        event.confirmed_count = len(member_ids)
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id, bearer_tokens(app, member_ids), bearer_tokens(app, [staff_id])[0]


def venue_code(server, event_id: int, staff_token: str) -> dict:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("GET", f"/api/v1/events/{event_id}/checkin-code", headers={"Authorization": f"Bearer {staff_token}"})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200:
        raise SystemExit(f"GET checkin-code answered {resp.status}: {body[:300]!r}")
    return json.loads(body)


class VenueCode:
    """The code on the screen at the door: fetched again every half period, as the screen does, so a
    burst slowed down by a busy machine never meets token_expired."""

    def __init__(self, server, event_id: int, staff_token: str):
        self._fetch = lambda: venue_code(server, event_id, staff_token)
        first = self._fetch()
        self.token, self._every = first["token"], first["period_seconds"] / 2
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh, daemon=True)

    def _refresh(self) -> None:
        while not self._stop.wait(self._every):
            self.token = self._fetch()["token"]

    def __enter__(self) -> VenueCode:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class CheckinRequests:
    """POST /checkins for member i, built when sent so it carries the code showing at that moment."""

    def __init__(self, tokens: list[str], code: VenueCode):
        self.tokens, self.code = tokens, code

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, i: int) -> bytes:
        return http_request("POST", "/api/v1/checkins", self.tokens[i], {"token": self.code.token})


def verify(app, event_id: int, result, members: int) -> list[str]:
    from sqlalchemy import func, select

    from server.core.extensions import db
    from server.events.models import Checkin

    problems = []
    if result.failures or set(result.statuses) != {201}:
        problems.append(f"answers: {dict(result.statuses)}, transport errors {len(result.failures)}")
        for body in {b for b in result.bodies if b and b"error" in b}:
            problems.append(f"  e.g. {body[:200].decode(errors='replace')}")
    with app.app_context():
        rows, distinct = db.session.execute(
            select(func.count(), func.count(func.distinct(Checkin.member_id))).where(Checkin.event_id == event_id)
        ).one()
        db.session.rollback()
        db.engine.dispose()
    if rows != members or distinct != members:
        problems.append(f"{rows} check-in rows for {distinct} members, expected {members}")
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
            print(f"check-in burst: {args.members} members check in with the venue code")
            warm_up(server, args.concurrency)
            ping = ping_ceiling(server, args.ping_requests, args.concurrency)
            with VenueCode(server, event_id, staff_token) as code:
                burst = run_load(server, CheckinRequests(tokens, code), args.concurrency, keep_bodies=True)
        report("check-in", burst, ping, TARGET_RATE, TARGET_P99_MS)
        problems = verify(app, event_id, burst, args.members)
    for p in problems:
        print(f"correctness: FAILED: {p}")
    if problems:
        sys.exit(1)
    print(f"correctness: ok ({args.members} check-in rows, one per member, every answer 201)")


if __name__ == "__main__":
    main()
