"""Planning speed of a notice to everyone: audience resolved, recipients and deliveries written.

    .venv/bin/python bench/notice_plan.py [--database-url URL] [--members 100000] [--explain]

Seeds ``--members`` members with COPY (half bound to WeChat with one consent for the notice template,
a tenth bound without consent, every 50th without a phone), creates a notice {"all": true} on push + SMS,
then times ``services.send_notice()`` + commit. Prints seconds per SQL statement, the rows written,
and memory: the RSS added by planning and the process peak during it (VmHWM, reset just before).
Without ``--database-url`` it uses a throwaway PostgreSQL database, dropped afterwards.
``--explain`` runs the planning statements again under EXPLAIN ANALYZE (in a rolled-back transaction).
Exits 1 if the 5 s / 300 MB target of issue 3 is missed.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import secrets
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_seconds, database, machine  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_MB = 300
SECRET_KEY = "bench-secret-key-" + "x" * 32


# --- seeding (also used by bench/delivery_throughput.py) --------------------------------------------

def member_kind(i: int, push_share: float = 0.5) -> str:
    """What member i has: "push" (WeChat with a consent), "bound" (WeChat, no consent) or "sms"."""
    slot = i % 100
    if slot < push_share * 100:
        return "push"
    return "bound" if slot < push_share * 100 + 10 else "sms"


def seed(app, count: int, push_share: float = 0.5, no_phone_every: int = 50, consents: int = 1) -> dict:
    """COPY ``count`` members, their WeChat bindings and consents into the app's PostgreSQL database."""
    from server.core.extensions import db

    run = secrets.token_hex(3)
    template = app.config["WECHAT_NOTICE_TEMPLATE_ID"]
    kinds = defaultdict(int)
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.driver_connection.cursor()
            with cur.copy("COPY members (employee_no, name, phone, roles, is_active, created_at, updated_at) "
                          "FROM STDIN") as copy:
                for i in range(count):
                    phone = None if no_phone_every and i % no_phone_every == no_phone_every - 1 else \
                        f"1{3 + i % 7}{i:09d}"
                    copy.write_row((f"N{run}{i:07d}", f"职工{i}", phone, '["member"]', True, "now()", "now()"))
            cur.execute("SELECT id FROM members WHERE employee_no LIKE %s ORDER BY employee_no", (f"N{run}%",))
            ids = [r[0] for r in cur.fetchall()]
            # Two COPYs cannot be open at once on one connection: bindings first, then consents.
            with cur.copy("COPY wechat_users (openid, member_id, created_at, bound_at) FROM STDIN") as wx:
                for i, mid in enumerate(ids):
                    kind = member_kind(i, push_share)
                    kinds[kind] += 1
                    if kind != "sms":
                        wx.write_row((f"o-{run}-{i}", mid, "now()", "now()"))
            with cur.copy("COPY subscription_quotas (member_id, template_id, remaining, updated_at) FROM STDIN") as q:
                for i, mid in enumerate(ids):
                    if member_kind(i, push_share) == "push":
                        q.write_row((mid, template, consents, "now()"))
            raw.commit()
            # What autovacuum would have done on a live roster; the planner needs row counts.
            raw.driver_connection.autocommit = True
            try:
                cur.execute("VACUUM ANALYZE")
            finally:
                raw.driver_connection.autocommit = False  # the connection goes back to the pool
        finally:
            raw.close()
    return {"members": count, "with_consent": kinds["push"], "bound_no_consent": kinds["bound"],
            "unbound": kinds["sms"], "no_phone": count // no_phone_every if no_phone_every else 0, "run": run}


def create_notice(app, channels=("push", "sms"), title="关于开展2025年度职工健康体检的通知") -> int:
    from server.core.extensions import db
    from server.notices import services

    with app.app_context():
        n = services.create_notice(None, title=title, body="请全体会员于6月20日前完成体检预约。",
                                   channels=list(channels), audience={"all": True})
        db.session.commit()
        nid = n.id
        db.session.remove()
    return nid


# --- measuring -------------------------------------------------------------------------------------

def _status_kb(field: str) -> int:
    m = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(m.group(1)) if m else 0


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so the next reading is this step's peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class StatementTimer:
    """Wall time of each SQL statement sent while active, keyed by its first words."""

    def __init__(self, engine):
        self.engine = engine
        self.rows: list[tuple[str, float, int]] = []

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, params, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, params, context, executemany):
        label = " ".join(statement.split())[:110]
        self.rows.append((label, time.perf_counter() - conn.info.pop("t0"), cursor.rowcount))


def plan(app, notice_id: int) -> dict:
    from server.core.extensions import db
    from server.notices import services

    with app.app_context():
        # The session's connection, ready before the clock starts; its server process is on this machine.
        backend = db.session.execute(db.text("SELECT pg_backend_pid()")).scalar_one()
        db.session.rollback()
        rss0 = _status_kb("VmRSS")
        cpu0, pg0 = time.process_time(), cpu_seconds(backend)
        exact_peak = _reset_peak()
        with StatementTimer(db.engine) as timer:
            t0 = time.perf_counter()
            services.send_notice(notice_id)
            db.session.commit()
            seconds = time.perf_counter() - t0
        cpu, pg_cpu = time.process_time() - cpu0, cpu_seconds(backend) - pg0
        peak = _status_kb("VmHWM")
        rss1 = _status_kb("VmRSS")
        db.session.remove()
    return {"seconds": seconds, "cpu": cpu, "pg_cpu": pg_cpu, "rss_before_mb": rss0 / 1024, "rss_after_mb": rss1 / 1024,
            "peak_mb": peak / 1024, "peak_exact": exact_peak, "statements": timer.rows}


def written(app, notice_id: int) -> dict:
    from sqlalchemy import func, select

    from server.core.extensions import db
    from server.notices.models import Delivery, Notice, NoticeRecipient

    with app.app_context():
        recipients = db.session.scalar(select(func.count()).select_from(NoticeRecipient)
                                       .where(NoticeRecipient.notice_id == notice_id))
        by = db.session.execute(select(Delivery.channel, Delivery.status, func.count())
                                .where(Delivery.notice_id == notice_id)
                                .group_by(Delivery.channel, Delivery.status)
                                .order_by(Delivery.channel, Delivery.status)).all()
        status = db.session.get(Notice, notice_id).status
        db.session.remove()
    return {"recipients": recipients, "deliveries": {f"{c}/{s}": n for c, s, n in by}, "notice_status": status}


def explain(app, notice_id: int) -> str:
    """EXPLAIN ANALYZE of every planning statement, inside one transaction that is rolled back."""
    from sqlalchemy import event

    from server.core.extensions import db
    from server.notices import services

    out = io.StringIO()
    with app.app_context():
        conn = db.session.connection()

        def before(c, cursor, statement, params, context, executemany):
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE")) and not executemany:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                out.write(" ".join(statement.split())[:200] + "\n")
                out.write("\n".join("    " + r[0] for r in cursor.fetchall()) + "\n\n")

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            conn.execute(db.text("UPDATE notices SET status = 'draft' WHERE id = :id"), {"id": notice_id})
            conn.execute(db.text("DELETE FROM deliveries WHERE notice_id = :id"), {"id": notice_id})
            conn.execute(db.text("DELETE FROM notice_recipients WHERE notice_id = :id"), {"id": notice_id})
            conn.execute(db.text("UPDATE subscription_quotas SET remaining = remaining + 1"))
            out.truncate(0)
            out.seek(0)
            services.send_notice(notice_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
            db.session.rollback()
            db.session.remove()
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (rows are added to it); default: a throwaway "
                        "database, dropped afterwards")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--explain", action="store_true", help="also print EXPLAIN ANALYZE of each statement")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line as well")
    args = parser.parse_args()

    from server import create_app
    from server.core.extensions import db

    with database(args.database_url) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
        with app.app_context():
            db.create_all()
        print(machine(url))
        t0 = time.perf_counter()
        seeded = seed(app, args.members)
        print(f"seeded in {time.perf_counter() - t0:.1f} s: {seeded}")
        nid = create_notice(app)
        result = plan(app, nid)
        rows = written(app, nid)
        print(f"send_notice + commit: {result['seconds']:.2f} s wall; CPU: PostgreSQL backend "
              f"{result['pg_cpu']:.2f} s, this process {result['cpu']:.2f} s (load average {_loadavg()})")
        for label, secs, count in result["statements"]:
            print(f"  {secs * 1000:8.1f} ms  rows {count:>7}  {label}")
        print(f"rows written: {rows['recipients']} recipients; deliveries {rows['deliveries']}; "
              f"notice {rows['notice_status']}")
        added = result["rss_after_mb"] - result["rss_before_mb"]
        over = result["peak_mb"] - result["rss_before_mb"]
        print(f"memory: RSS {result['rss_before_mb']:.0f} MB before, {result['rss_after_mb']:.0f} MB after "
              f"(+{added:.1f} MB kept); peak during planning {result['peak_mb']:.0f} MB "
              f"(+{over:.1f} MB over the start)"
              f"{'' if result['peak_exact'] else ' [VmHWM not resettable: lifetime peak]'}")
        if args.explain:
            print(explain(app, nid))
        if args.json:
            print(json.dumps({"seconds": result["seconds"], "pg_cpu": result["pg_cpu"], "peak_mb": result["peak_mb"],
                              "rows": rows,
                              "added_mb": added, "over_mb": over}, ensure_ascii=False))
        with app.app_context():
            db.engine.dispose()
        met = result["seconds"] < TARGET_SECONDS and result["peak_mb"] < TARGET_MB
        print(f"target (< {TARGET_SECONDS:.0f} s, < {TARGET_MB} MB): {'met' if met else 'MISSED'}")
        return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
