"""Cost of one request on the hot routes, in-process and single-threaded: Python CPU, PostgreSQL CPU,
and SQL statements per request, without HTTP or concurrency in the way.

    .venv/bin/python bench/hot_paths.py [--database-url URL] [--requests 500] [--profile DIR]
                                        [checkin signup booking ping]

For each route it seeds a throwaway PostgreSQL database (as the HTTP benches do), sends warm-up
requests through Flask's test client, then measures ``--requests`` more. It prints, per request:
Python CPU of this process, CPU of PostgreSQL's processes for the bench database, wall time and SQL
statements (BEGIN and COMMIT come on top where a route runs in a transaction: see docs/benchmarks.md).
``--profile DIR`` also writes a cProfile file per route for ``python -m pstats``. Use it to see what a change
to a hot path costs before running the HTTP benches, which add gunicorn and concurrency on top.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import secrets
import time
from datetime import timedelta

from common import bearer_tokens, cpu_delta, database, machine, make_app, postgres_cpu, seed_members

ROUTES = ("checkin", "signup", "booking", "ping")


def set_up(app, route: str, n: int) -> tuple[list[str], list[tuple[str, str, dict]]]:
    """Tokens and (method, path, body) for n requests on the route, each by its own member."""
    from sqlalchemy import insert

    from server.bookings import calendars
    from server.bookings.slots import create_slots
    from server.core.extensions import db
    from server.core.timeutil import utcnow
    from server.events import checkin, lifecycle
    from server.events.models import Registration

    with app.app_context():
        member_ids, (staff_id,) = seed_members(n)
        now = utcnow()
        if route == "booking":
            # As in the booking rush: five members for each slot of three seats.
            cal = calendars.create_calendar(created_by=staff_id, kind="health_check", title="测量：体检",
                                            location="体检中心", max_active_per_member=1)
            start = now + timedelta(days=7)
            spans = [(start + timedelta(minutes=15 * i), start + timedelta(minutes=15 * (i + 1)), 3)
                     for i in range(-(-n // 5))]
            _, slots = create_slots(cal.id, spans, None, ["slots"] * len(spans))
            calls = [("POST", f"/api/v1/slots/{slots[i // 5].id}/bookings", {}) for i in range(n)]
        elif route in ("checkin", "signup"):
            start = now + timedelta(minutes=10)
            ev = lifecycle.create_event(created_by=staff_id, title="测量", kind="meeting", location="礼堂",
                                        starts_at=start, ends_at=start + timedelta(hours=2),
                                        capacity=n // 10 if route == "signup" else None)
            db.session.flush()
            if route == "checkin":
                db.session.execute(insert(Registration), [
                    {"event_id": ev.id, "member_id": m, "status": "confirmed", "created_at": now, "confirmed_at": now}
                    for m in member_ids])
                ev.confirmed_count = n
                with app.test_request_context():
                    token, _ = checkin.venue_code(ev.id)
                calls = [("POST", "/api/v1/checkins", {"token": token})] * n
            else:
                calls = [("POST", f"/api/v1/events/{ev.id}/registrations", {})] * n
        else:
            calls = [("GET", "/api/v1/ping", None)] * n
        db.session.commit()
    return bearer_tokens(app, member_ids), calls


def measure(app, url: str, route: str, requests: int, profile_dir: str | None) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    from server.core.extensions import db

    warm = max(50, requests // 5)
    tokens, calls = set_up(app, route, warm + requests)
    statements = [0]
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    client = app.test_client()

    def send(i: int) -> int:
        method, path, body = calls[i]
        return client.open(path, method=method, json=body,
                           headers={"Authorization": f"Bearer {tokens[i]}"}).status_code

    for i in range(warm):
        send(i)
    statuses: dict[int, int] = {}
    profiler = cProfile.Profile() if profile_dir else None
    statements[0] = 0
    pg0, cpu0, wall0 = postgres_cpu(make_url(url).database), time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(warm, warm + requests):
        code = send(i)
        statuses[code] = statuses.get(code, 0) + 1
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    pg = cpu_delta(pg0, postgres_cpu(make_url(url).database))
    per = 1000 / requests
    print(f"{route:8s}: Python {cpu * per:.2f} ms, PostgreSQL {pg * per:.2f} ms, wall {wall * per:.2f} ms; "
          f"{statements[0] / requests:.2f} SQL statements per request; answers {dict(sorted(statuses.items()))}"
          + (" (profiled: times include cProfile's overhead)" if profiler else ""))
    if profiler:
        os.makedirs(profile_dir, exist_ok=True)
        profiler.dump_stats(os.path.join(profile_dir, f"{route}.prof"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("routes", nargs="*", metavar="route", help=f"any of {', '.join(ROUTES)} (default: all)")
    parser.add_argument("--database-url", help="PostgreSQL URL to use; default: a throwaway database per route")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", metavar="DIR", help="write a cProfile file per route into DIR")
    args = parser.parse_args()
    if unknown := set(args.routes) - set(ROUTES):
        parser.error(f"unknown route(s): {', '.join(sorted(unknown))}")
    args.routes = args.routes or list(ROUTES)
    for route in args.routes:
        with database(args.database_url) as url:
            if route == args.routes[0]:
                print(f"machine: {machine(url)}; load average {os.getloadavg()[0]:.2f}")
            app = make_app(url, secrets.token_urlsafe(48))
            measure(app, url, route, args.requests, args.profile)
            with app.app_context():
                from server.core.extensions import db

                db.engine.dispose()


if __name__ == "__main__":
    main()
