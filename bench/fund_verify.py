"""Fund ledger: verifying the hash chain over 10 years of entries, and a month's A4 statement PDF.

    .venv/bin/python bench/fund_verify.py [--database-url URL] [--entries 100000] [--years 10] [--runs 5]

Fills a ledger of ``--entries`` entries spread over ``--years`` years (120 months by default, about 830
entries a month; every tenth with an invoice, a reversal now and then, incomes and expenses in every category),
publishes every month in order through the service (each month hashed as in production), then times
``chain.verify()`` (every month recomputed from the stored rows) and the statement PDF of the busiest month.
With a PostgreSQL URL the bench works in a schema of its own (``fund_bench``, dropped afterwards); without one, in
a throwaway SQLite file. Prints the figures; exits 1 if verify misses 2 s or the PDF 1 s (issue 16).
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VERIFY_TARGET_S, PDF_TARGET_S = 2.0, 1.0
SCHEMA = "fund_bench"


def _pg_url(url: str) -> str:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    eng.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}"


def _drop_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    eng.dispose()


def fill(entries: int, years: int) -> list[str]:
    """Insert the ledger in bulk and publish every month; returns the months."""
    from sqlalchemy import insert

    from server.core.extensions import db
    from server.core.timeutil import utcnow
    from server.fund import services
    from server.fund.chart import CHART, ensure_chart
    from server.fund.models import FundEntry
    from server.members.models import Member
    from server.uploads.models import Upload

    rng = random.Random(16)
    ensure_chart()
    keeper = Member(employee_no=f"FB{secrets.token_hex(3)}", name="压测会计", roles=["member", "treasurer"])
    db.session.add(keeper)
    db.session.flush()
    start = date(2016, 1, 1)
    days = (date(2016 + years, 1, 1) - start).days
    dates = sorted(start + timedelta(days=rng.randrange(days)) for _ in range(entries))
    now = utcnow()
    rows, uploads, next_id = [], [], 1
    for d in dates:
        code, kind, _name = rng.choice(CHART)
        amount = rng.randrange(1, 2_000_000)
        rows.append({"id": next_id, "date": d, "kind": kind, "category": code, "amount_fen": amount,
                     "counterparty": f"对方单位{rng.randrange(500)}", "note": "摘要" * rng.randrange(1, 6),
                     "reverses": None, "reversed_fen": 0, "status": "approved", "created_by": keeper.id,
                     "created_at": now})
        if next_id % 10 == 0:
            uploads.append({"id": secrets.token_urlsafe(16), "owner_id": keeper.id, "content_type": "application/pdf",
                            "size": 1, "width": 0, "height": 0, "storage_key": secrets.token_hex(16),
                            "created_at": now, "attached_kind": "fund_entry", "attached_id": next_id, "position": 0})
        next_id += 1
    # A reversal now and then: a later row of the same month takes back part of an earlier one.
    for i in range(50, len(rows), 997):
        prev, row = rows[i - 1], rows[i]
        if prev["date"].month == row["date"].month and prev["date"].year == row["date"].year:
            row.update(kind=prev["kind"], category=prev["category"], reverses=prev["id"],
                       amount_fen=max(1, prev["amount_fen"] // 2))
            prev["reversed_fen"] = row["amount_fen"]
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(FundEntry), rows[chunk:chunk + 5000])
    if uploads:
        db.session.execute(insert(Upload), uploads)
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("SELECT setval(pg_get_serial_sequence('fund_entries', 'id'), :n)"), {"n": next_id})
    db.session.commit()
    months = sorted({f"{r['date'].year:04d}-{r['date'].month:02d}" for r in rows})
    for m in months:
        services.publish(None, m, notify=False)
    db.session.commit()
    return months


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (the bench uses its own schema there)")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    tmp = None
    if args.database_url:
        url = _pg_url(args.database_url)
    else:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/fund.db"
    from server import create_app
    from server.core.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40})
    try:
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            months = fill(args.entries, args.years)
            fill_s = time.perf_counter() - t0
            from sqlalchemy import func, select, text

            from server.fund import chain, statement
            from server.fund.models import FundMonth

            timings, cpu = [], []
            for _ in range(args.runs):
                db.session.expire_all()
                t0, c0 = time.perf_counter(), time.process_time()
                ok, broken = chain.verify()
                timings.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                db.session.rollback()
                assert ok and broken is None, broken
            server_ms = None
            if db.engine.dialect.name == "postgresql":
                # The database's own share of one verify: its statement over every row, as the server timed it.
                first, _ = chain.month_bounds(months[0])
                _, after = chain.month_bounds(months[-1])
                from server.fund.models import FundEntry

                stmt = select(*chain._columns()).where(FundEntry.date >= first, FundEntry.date < after) \
                    .order_by(FundEntry.id)
                compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
                plan = db.session.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}")).scalar()
                server_ms = plan[0]["Execution Time"]
                db.session.rollback()
            busiest = db.session.scalar(select(FundMonth).order_by(FundMonth.entries_count.desc()).limit(1))
            with app.test_request_context():
                t0 = time.perf_counter()
                pdf = statement.render(busiest)
                first_pdf = time.perf_counter() - t0
                pdf_times, pdf_cpu = [], []
                for _ in range(args.runs):
                    t0, c0 = time.perf_counter(), time.process_time()
                    pdf = statement.render(busiest)
                    pdf_times.append(time.perf_counter() - t0)
                    pdf_cpu.append(time.process_time() - c0)
            count = db.session.scalar(select(func.count()).select_from(FundMonth))
            kind = db.engine.dialect.name
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if args.database_url:
            _drop_schema(args.database_url)
        if tmp:
            tmp.cleanup()

    print(f"database: {kind}; {args.entries} entries over {len(months)} months ({count} published), "
          f"filled and published in {fill_s:.1f} s")
    print(f"verify:   runs={args.runs}  min {min(timings):.3f} s  median {statistics.median(timings):.3f} s  "
          f"max {max(timings):.3f} s  (target < {VERIFY_TARGET_S} s); this process's CPU: median "
          f"{statistics.median(cpu):.3f} s" + (f"; the rows' statement inside PostgreSQL: {server_ms / 1000:.3f} s"
                                               if server_ms is not None else ""))
    print(f"statement PDF of {busiest.month} ({busiest.entries_count} entries, {len(pdf) // 1024} KB): first "
          f"{first_pdf:.3f} s, then median {statistics.median(pdf_times):.3f} s, max {max(pdf_times):.3f} s "
          f"(target < {PDF_TARGET_S} s); CPU median {statistics.median(pdf_cpu):.3f} s")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (the figures are wall-clock "
          "times and grow with other work on the machine)")
    return 0 if statistics.median(timings) < VERIFY_TARGET_S and statistics.median(pdf_times) < PDF_TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
