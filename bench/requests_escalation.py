"""The requests' clock pass (warnings, escalation levels 1 and 2) over a large table of open requests.

    .venv/bin/python bench/requests_escalation.py [--database-url URL] [--requests 100000] [--grids 12]

Seeds ``--requests`` open requests in one INSERT … SELECT over generate_series (2,000 members in ``--grids``
grids, a liaison per grid, 4 staff and the chair), of which, by default:
- 8 % have their first response overdue (level 1 this pass),
- 2 % reached level 1 more than 24 hours ago (level 2 this pass),
- 3 % fall due within the warning window (warned this pass),
- 5 % are confidential and 5 % hardship (told to staff only),
- the rest answered or not yet near due.
Then runs ``member_requests.jobs.run_clocks`` once, timed, counting the SQL statements sent, and a second
time (which must find nothing). Without ``--database-url`` it uses a throwaway PostgreSQL database, dropped
afterwards; a given URL gets its tables created if missing, and the bench's rows stay in it.
Exits 1 if the issue's target (the pass over 100,000 open requests under 2 s) is missed.
"""
from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ADMIN_URL, database, machine, make_app  # noqa: E402

TARGET_S = 2.0
SECRET_KEY = "bench-secret-key-" + "x" * 32


def seed(n_requests: int, n_grids: int, n_members: int = 2000) -> None:
    from sqlalchemy import insert, select, text

    from server.core.extensions import db
    from server.members.models import Grid, Member

    run = secrets.token_hex(3)
    grid_ids = db.session.scalars(insert(Grid).returning(Grid.id),
                                  [{"name": f"压测网格{run}-{i}"} for i in range(n_grids)]).all()
    rows = [{"employee_no": f"M{run}{i:05d}", "name": f"压测会员{i}", "roles": ["member"],
             "grid_id": grid_ids[i % n_grids], "phone": f"1{int(run, 16) % 100:02d}{i:08d}"}
            for i in range(n_members)]
    rows += [{"employee_no": f"L{run}{i:03d}", "name": f"联络员{i}", "roles": ["liaison", "member"],
              "grid_id": g, "phone": None} for i, g in enumerate(grid_ids)]
    rows += [{"employee_no": f"S{run}{i:03d}", "name": f"干事{i}", "roles": ["member", "staff"], "grid_id": None,
              "phone": None} for i in range(4)]
    rows.append({"employee_no": f"C{run}", "name": "主席", "roles": ["member", "secretary"], "grid_id": None,
                 "phone": None})
    db.session.execute(insert(Member), rows)
    first = db.session.scalar(select(Member.id).where(Member.employee_no == f"M{run}00000"))
    # k = g % 100 decides the request's state; times relative to now() of the seeding transaction.
    db.session.execute(text("""
        INSERT INTO requests (member_id, category, title, content, urgent, confidential, status, grid_id,
                              created_at, first_response_due_at, resolve_due_at, first_response_at,
                              escalation_level, escalated_at, reopen_count, updated_at)
        SELECT :first + (g % :members), c.category, '压测诉求 ' || g, '内容', false, (g % 20 = 7), c.status,
               (SELECT grid_id FROM members WHERE id = :first + (g % :members)),
               c.created, c.first_due, c.created + interval '14 days', c.first_at, c.level, c.escalated,
               0, now()
        FROM generate_series(1, :n) AS g
        CROSS JOIN LATERAL (SELECT g % 100 AS k) AS kk
        CROSS JOIN LATERAL (SELECT
            CASE WHEN g % 20 = 3 THEN 'hardship' ELSE (ARRAY['rights','welfare','training','canteen','workplace',
                 'other'])[1 + g % 6] END AS category,
            CASE WHEN kk.k < 8 THEN now() - interval '30 hours'                -- first response overdue
                 WHEN kk.k < 10 THEN now() - interval '3 days'                 -- level 1 a day and more ago
                 WHEN kk.k < 13 THEN now() - interval '20 hours'               -- due within 4 hours
                 ELSE now() - interval '2 hours' END AS created,
            CASE WHEN kk.k < 8 THEN now() - interval '6 hours'
                 WHEN kk.k < 10 THEN now() - interval '2 days'
                 WHEN kk.k < 13 THEN now() + interval '3 hours'
                 ELSE now() + interval '22 hours' END AS first_due,
            CASE WHEN kk.k >= 13 AND kk.k < 60 THEN now() - interval '1 hour' END AS first_at,
            CASE WHEN kk.k >= 13 AND kk.k < 60 THEN 'accepted' ELSE 'submitted' END AS status,
            CASE WHEN kk.k >= 8 AND kk.k < 10 THEN 1 ELSE 0 END AS level,
            CASE WHEN kk.k >= 8 AND kk.k < 10 THEN now() - interval '25 hours' END AS escalated
        ) AS c
    """), {"first": first, "members": n_members, "n": n_requests})
    db.session.commit()
    db.session.execute(text("ANALYZE requests"))
    db.session.execute(text("ANALYZE members"))
    db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (tables created if missing; rows stay)")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--grids", type=int, default=12)
    args = parser.parse_args()

    from sqlalchemy import event, func, select

    from server.core.extensions import db
    from server.member_requests import jobs
    from server.member_requests.models import OPEN_STATUSES, Request
    from server.notices.models import Notice

    with database(args.database_url, args.admin_url) as url:
        print(machine(url))
        app = make_app(url, SECRET_KEY)
        with app.app_context():
            t = time.perf_counter()
            seed(args.requests, args.grids)
            open_count = db.session.scalar(select(func.count()).select_from(Request)
                                           .where(Request.status.in_(OPEN_STATUSES)))
            print(f"seeded {args.requests} requests ({open_count} open in the table) in "
                  f"{time.perf_counter() - t:.1f} s")
            statements: list[str] = []

            def count(conn, cursor, statement, *a):
                statements.append(statement)

            results = []
            for label in ("first pass", "second pass"):
                db.session.remove()
                statements.clear()
                event.listen(db.engine, "before_cursor_execute", count)
                t = time.perf_counter()
                result = jobs.run_clocks()
                elapsed = time.perf_counter() - t
                event.remove(db.engine, "before_cursor_execute", count)
                results.append(elapsed)
                print(f"{label}: {elapsed * 1000:.0f} ms, {len(statements)} SQL statements; "
                      f"warned {result['warned']['requests']} ({result['warned']['notices']} notices), "
                      f"level 1 {result['level1']['requests']} ({result['level1']['notices']} notices), "
                      f"level 2 {result['level2']['requests']} ({result['level2']['notices']} notices)")
            notices = db.session.scalar(select(func.count()).select_from(Notice).where(Notice.source == "request"))
            print(f"notices written: {notices}")
            db.session.remove()
    ok = results[0] < TARGET_S
    print(f"target: the pass over {args.requests} open requests < {TARGET_S:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
