"""The effectiveness report over a year of a 20,000-member union, timed over HTTP (JSON < 2 s, PDF < 5 s).

    .venv/bin/python bench/report_year.py [--database-url URL] [--reuse] [--members 20000] [--repeat 5] [--areas]

Fills a PostgreSQL database with calendar 2025 (Asia/Shanghai) of a union (bench/report_data.py: about
150,000 check-ins, 2,000,000 notice deliveries, 8,000 requests, surveys, benefits, suggestions, proposals),
then serves the app with gunicorn and, signed in as staff, calls

    GET /api/v1/reports/effectiveness?quarter=2025Q4&format=json|pdf|xlsx   and   ?year=2025&format=json|pdf

each once cold (the first call of its kind) and ``--repeat`` times warm, one after another, and prints the
first call's seconds, the warm median and worst against the targets, with the machine's load average
(the figures move with it). ``--areas`` adds each area of the report timed in process (where the seconds
go). Exits 1 if a warm median misses a target.

The database: ``--database-url`` (or BENCH_REPORT_DATABASE_URL), else ``union_bench_report`` on the admin
server, dropped and made afresh. Generation takes a minute or two; ``--reuse`` skips it and times the
report over the database as it is (generated before with the same ``--year``). A given URL must be empty
unless ``--reuse`` is passed: the generator adds a union, it does not replace one.
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import statistics
import sys
import time
from datetime import date

from common import ADMIN_URL, cpu_delta, gunicorn, machine, make_app, postgres_cpu

DEFAULT_DATABASE = "union_bench_report"
SECRET_KEY = "bench-" + "k" * 40
TARGETS = {"json": 2.0, "pdf": 5.0, "xlsx": 5.0}
COUNTED = ["departments", "grids", "members", "events", "registrations", "checkins", "volunteer_checkouts",
           "volunteer_adjustments", "requests", "request_events", "notices", "notice_recipients", "deliveries",
           "benefits", "benefit_options", "benefit_claims", "surveys", "survey_questions", "survey_participations",
           "survey_responses", "survey_answers", "suggestions", "suggestion_messages", "congress_sessions",
           "proposals", "proposal_cosigners", "proposal_events", "improvements"]


def database_url(args) -> str:
    """The URL to fill or reuse; the default database is (re)created here unless reused."""
    url = args.database_url or os.environ.get("BENCH_REPORT_DATABASE_URL")
    if url:
        return url
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(args.admin_url)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DEFAULT_DATABASE,)).fetchone()
        if not args.reuse:
            conn.execute(f'DROP DATABASE IF EXISTS "{DEFAULT_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DEFAULT_DATABASE}"')
        elif not exists:
            sys.exit(f"--reuse: database {DEFAULT_DATABASE} does not exist yet; run once without --reuse")
    return admin.set(database=DEFAULT_DATABASE).render_as_string(hide_password=False)


def fill(app, args) -> None:
    from report_data import generate
    from sqlalchemy import text

    from server.core.extensions import db

    with app.app_context():
        if db.session.execute(text("SELECT count(*) FROM members")).scalar_one():
            sys.exit("the database already has members: pass --reuse to time it as it is, or give an empty one")
        db.session.close()
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            generate(conn, members=args.members, start=date(args.year, 1, 1), months=12)
        t1 = time.perf_counter()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        print(f"generated in {t1 - t0:.1f} s, VACUUM ANALYZE {time.perf_counter() - t1:.1f} s")


def row_counts(app) -> dict[str, int]:
    from sqlalchemy import text

    from server.core.extensions import db

    with app.app_context():
        counts = {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in COUNTED}
        db.session.close()
    return counts


def staff_token(app) -> str:
    from sqlalchemy import String, cast, select

    from server.core.extensions import db
    from server.members.auth import issue_token
    from server.members.models import Member

    with app.app_context():
        staff = db.session.scalar(select(Member.id).where(
            Member.is_active, cast(Member.roles, String).like('%"staff"%')).order_by(Member.id).limit(1))
        db.session.close()
    if staff is None:
        sys.exit("no active staff member in the database to sign in as")
    with app.test_request_context():
        return issue_token(staff)[0]


def fetch(server, path: str, token: str) -> tuple[float, int, str, bytes]:
    """One GET on a new connection (sync workers close each one), timed until the last byte is read."""
    t = time.perf_counter()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=120)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    body = resp.read()
    elapsed = time.perf_counter() - t
    conn.close()
    return elapsed, resp.status, resp.getheader("Content-Type", ""), body


def check(fmt: str, status: int, ctype: str, body: bytes) -> str | None:
    """Why the answer is not a report in ``fmt``, or None."""
    if status != 200:
        return f"HTTP {status}: {body[:300].decode(errors='replace')}"
    if fmt == "json":
        data = json.loads(body)
        if not data.get("figures") or not data.get("sections"):
            return "JSON without figures or sections"
    elif fmt == "pdf" and not body.startswith(b"%PDF"):
        return f"not a PDF ({ctype})"
    elif fmt == "xlsx":
        import openpyxl

        openpyxl.load_workbook(io.BytesIO(body), read_only=True).close()
    return None


def measure(server, token: str, year: int, repeat: int) -> bool:
    """Each call once, then ``repeat`` times; prints seconds and, for the warm calls, the CPU seconds per
    call of gunicorn and of PostgreSQL (less moved by a busy machine than the wall clock)."""
    calls = [(f"quarter={year}Q4&format={f}", f) for f in ("json", "pdf", "xlsx")]
    calls += [(f"year={year}&format={f}", f) for f in ("json", "pdf")]
    met = True
    print(f"{'call':34} {'first s':>8} {'median s':>9} {'max s':>7} {'app cpu':>8} {'pg cpu':>7} {'size':>9}  "
          "target (warm median)")
    for query, fmt in calls:
        times, size = [], 0
        for i in range(repeat + 1):
            if i == 1:
                app0, pg0 = server.cpu_seconds(), postgres_cpu(server.database)
            elapsed, status, ctype, body = fetch(server, f"/api/v1/reports/effectiveness?{query}", token)
            problem = check(fmt, status, ctype, body)
            if problem:
                print(f"{query:34} {problem}")
                return False
            times.append(elapsed)
            size = len(body)
        warm = times[1:]
        app_cpu = (server.cpu_seconds() - app0) / len(warm)
        pg_cpu = cpu_delta(pg0, postgres_cpu(server.database)) / len(warm)
        median = statistics.median(warm)
        ok = median < TARGETS[fmt]
        met &= ok
        print(f"{query:34} {times[0]:>8.2f} {median:>9.2f} {max(warm):>7.2f} {app_cpu:>8.2f} {pg_cpu:>7.2f} "
              f"{size:>9,}  < {TARGETS[fmt]:.0f} s {'met' if ok else 'MISSED'}")
    return met


def area_breakdown(app, year: int) -> None:
    """In process, each area of the report timed on its own (where the seconds go); reads the report
    package's AREAS, so it says so and moves on if that has changed shape."""
    from datetime import UTC, datetime

    try:
        from server.reports.areas import AREAS
        from server.reports.periods import Period
    except ImportError as e:
        print(f"area breakdown unavailable: {e}")
        return
    with app.app_context():
        for key in (f"{year}Q4", str(year)):
            period, now, parts = Period.parse(key), datetime.now(UTC), []
            for name, fn in AREAS.items():
                t = time.perf_counter()
                fn(period, True, now)
                parts.append(f"{name} {time.perf_counter() - t:.2f}")
            print(f"areas of {key} in process, s: " + ", ".join(parts))
        from server.core.extensions import db

        db.session.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: BENCH_REPORT_DATABASE_URL, else "
                        f"{DEFAULT_DATABASE} on the admin server, made afresh)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="where the default database is created")
    parser.add_argument("--reuse", action="store_true", help="time the database as it is, without generating")
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5, help="warm calls of each kind after the first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--areas", action="store_true", help="also time each area of the report in process")
    args = parser.parse_args()

    url = database_url(args)
    app = make_app(url, SECRET_KEY)
    print(machine(url))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.reuse:
        fill(app, args)
    counts = row_counts(app)
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    if not counts["members"]:
        sys.exit("no members in the database: run without --reuse first")
    token = staff_token(app)
    with app.app_context():
        from server.core.extensions import db

        db.engine.dispose()
    with gunicorn(url, SECRET_KEY, args.workers) as server:
        print(f"server: {server.label}; load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        met = measure(server, token, args.year, args.repeat)
    if args.areas:
        area_breakdown(app, args.year)
    print(f"targets (warm median: JSON < 2 s, PDF < 5 s): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
