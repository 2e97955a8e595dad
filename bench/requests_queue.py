"""A liaison's queue with 20,000 requests in the table, timed on PostgreSQL (issue 13: p95 < 50 ms).

    .venv/bin/python bench/requests_queue.py [--database-url URL] [--requests 20000] [--repeat 50]

Seeds 12 grids with a liaison each, members spread over them, and requests of every status, category
and age (a share of them overdue, a share confidential or hardship), then calls GET /api/v1/requests
through the app (token check, the liaison's grids, the page with overdue first, the count, presenting)
as a liaison and as staff, and prints the median and 95th percentile of each: in process (the app's own
cost) and over HTTP to gunicorn (2 sync workers, one keep-alive client, requests one after another: what a
liaison's phone waits for, less the network). Exits 1 if a p95 over HTTP is 50 ms or more.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from common import ADMIN_URL, database, gunicorn, make_app

GRIDS = [f"第{n}网格" for n in range(1, 13)]
STATUSES = ["submitted", "accepted", "resolved", "closed", "reopened"]
CATEGORIES = ["rights", "hardship", "welfare", "training", "canteen", "workplace", "other"]


def seed(count: int) -> tuple[int, int]:
    from sqlalchemy import insert, select

    from server.core.extensions import db
    from server.member_requests.models import Request
    from server.members.models import Grid, Member

    rnd = random.Random(13)
    grid = {n: i for n, i in db.session.execute(insert(Grid).returning(Grid.name, Grid.id),
                                                 [{"name": n} for n in GRIDS])}
    members = [{"employee_no": f"E{i:06d}", "name": f"会员{i}", "grid_id": grid[GRIDS[i % 12]], "roles": ["member"]}
               for i in range(count // 2)]
    members += [{"employee_no": f"L{i:03d}", "name": f"联络员{i}", "grid_id": grid[g], "roles": ["member", "liaison"]}
                for i, g in enumerate(GRIDS)]
    members.append({"employee_no": "S000001", "name": "压测干事", "grid_id": None, "roles": ["member", "staff"]})
    db.session.execute(insert(Member.__table__), members)
    rows = db.session.execute(select(Member.id, Member.grid_id).where(Member.employee_no.like("E%"))).all()
    now = datetime.now(UTC)
    reqs = []
    for i in range(count):
        member_id, grid_id = rnd.choice(rows)
        created = now - timedelta(hours=rnd.uniform(0, 24 * 120))
        status = rnd.choices(STATUSES, weights=(2, 3, 1, 10, 1))[0]
        answered = status != "submitted" or rnd.random() < 0.3
        reqs.append({
            "member_id": member_id, "grid_id": grid_id, "category": rnd.choice(CATEGORIES), "title": f"诉求{i}",
            "content": "内容" * 40, "urgent": rnd.random() < 0.05, "confidential": rnd.random() < 0.05,
            "status": status, "created_at": created, "updated_at": created,
            "first_response_due_at": created + timedelta(days=1), "resolve_due_at": created + timedelta(days=14),
            "first_response_at": created + timedelta(hours=5) if answered else None,
            "resolved_at": created + timedelta(days=5) if status in ("resolved", "closed") else None,
            "escalation_level": 0, "reopen_count": 0,
        })
    db.session.execute(insert(Request.__table__), reqs)
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
    liaison = db.session.scalar(select(Member.id).where(Member.employee_no == "L006"))
    staff = db.session.scalar(select(Member.id).where(Member.employee_no == "S000001"))
    return liaison, staff


QUEUES = {
    "liaison, first page": ("liaison", {}),
    "liaison, overdue only": ("liaison", {"overdue": "1"}),
    "liaison, open (submitted)": ("liaison", {"status": "submitted"}),
    "staff, first page": ("staff", {}),
    "staff, overdue in a grid": ("staff", {"overdue": "1", "grid": "第7网格"}),
    "staff, 100 per page": ("staff", {"per_page": "100"}),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with database(args.database_url, args.admin_url) as url:
        app = make_app(url, "bench-" + "k" * 40)
        from server.core.extensions import db
        from server.members.auth import issue_token

        with app.app_context():
            t0 = time.perf_counter()
            liaison, staff = seed(args.requests)
            print(f"seeded {args.requests} requests in {time.perf_counter() - t0:.1f} s")
        with app.test_request_context():
            headers = {who: {"Authorization": "Bearer " + issue_token(mid)[0]}
                       for who, mid in (("liaison", liaison), ("staff", staff))}
        client = app.test_client()

        def in_process(params, who):
            r = client.get("/api/v1/requests", query_string=params, headers=headers[who])
            assert r.status_code == 200, r.json
            return r.json["total"]

        measure("in process", in_process, args.repeat)
        with app.app_context():
            db.engine.dispose()
        import requests as http

        with gunicorn(url, "bench-" + "k" * 40, workers=2) as server:
            session = http.Session()
            base = f"http://{server.host}:{server.port}/api/v1/requests"

            def over_http(params, who):
                r = session.get(base, params=params, headers=headers[who], timeout=10)
                assert r.status_code == 200, r.text[:200]
                return r.json()["total"]

            worst = measure(f"over HTTP ({server.label})", over_http, args.repeat)
    print(f"worst p95 over HTTP: {worst:.1f} ms ({'under' if worst < 50 else 'OVER'} the 50 ms target)")
    return 0 if worst < 50 else 1


def measure(title: str, call, repeat: int) -> float:
    """Each queue `repeat` times (after two to warm caches): prints median and p95, returns the worst p95."""
    worst = 0.0
    print(f"\n{title}\n{'queue':28} {'total':>7} {'median ms':>10} {'p95 ms':>8}")
    for label, (who, params) in QUEUES.items():
        times = []
        for _ in range(repeat + 2):
            t = time.perf_counter()
            total = call(params, who)
            times.append((time.perf_counter() - t) * 1000)
        times = sorted(times[2:])
        median, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
        worst = max(worst, p95)
        print(f"{label:28} {total:>7} {median:>10.1f} {p95:>8.1f}")
    return worst


if __name__ == "__main__":
    sys.exit(main())
