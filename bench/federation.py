"""Federation scale (issue 19, item 5): a 1,000,000-member roster, one notice to all, delivery, check-in.

    .venv/bin/python bench/federation.py                       # 1,000,000 members (~10-15 min on 2 cores)
    .venv/bin/python bench/federation.py --members 50000       # a quick try
    .venv/bin/python bench/federation.py --reuse               # keep the database and its members, redo (b)-(d)

Uses its own PostgreSQL database ``union_bench_federation`` on the local server (``--admin-url``), dropped
and created afresh unless ``--reuse``; it is left in place afterwards for a rerun (``--drop`` drops it).

(a) Roster. ``--members`` minus ``--import-rows`` members are written by set-based COPY (as
    bench/notice_plan.py seeds: half bound to WeChat with a consent, a tenth bound without one, every 50th
    without a phone), then ``--import-rows`` generated roster rows (default 100,000) go through the CLI's
    path, ``read_roster`` of a CSV + ``import_rows`` + commit, against the roster already there (the import
    reads every existing member first). Prints rows/s, peak RSS, and the projection for a whole roster
    through that path. ``--import-rows`` equal to ``--members`` imports everything through the real path.
(b) Planning. A notice {"all": true} on push + SMS, created and sent with ``services.send_notice()`` + commit
    (what POST /notices/{id}/send runs): wall time, this process's peak RSS during planning (VmHWM, reset
    just before), the PostgreSQL backend's peak RSS and CPU, temp bytes spilled; target < 30 s, < 1 GB.
(c) Delivery. ``--delivery-workers`` (8) `flask worker` processes against the fake WeChat and SMS servers,
    paced by our own limiter at the providers' rates (``--push-rate``, ``--sms-rate``: the
    PUSH_RATE_PER_SECOND / SMS_RATE_PER_SECOND defaults), shared through Redis (``--redis-url``, its own
    database number so nobody else's limiter counts against ours). Half of ``--delivery-seconds`` (60) from
    the first push sent; then the remaining pushes are held back (workers claim in id order, pushes first) and
    the other half runs from the first SMS sent; or until ``--delivery-sample`` (100,000) are sent. Prints
    messages/s per channel against the limit, the fakes' counts, and the projection for every queued row.
(d) Check-in. bench/checkin_burst.py's burst (2,000 registrants scanning the venue code over HTTP) on this
    database, then on a fresh small database, back to back.

The machine's load average is printed with every figure: on a shared 2-core machine others' work skews them.
"""
from __future__ import annotations

import argparse
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))  # bench/checkin_burst.py imports its neighbours by bare name

from bench.common import ADMIN_URL, cpu_seconds, machine, stop_processes  # noqa: E402
from bench.notice_plan import SECRET_KEY, create_notice, plan, seed  # noqa: E402

DB_NAME = "union_bench_federation"
TARGET_SECONDS, TARGET_MB = 30.0, 1024


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _kb(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak(pid: int | str) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM back to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


# --- the database ------------------------------------------------------------------------------------

def prepare_database(admin_url: str, reuse: bool) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
        if not exists or not reuse:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return admin.set(database=DB_NAME).render_as_string(hide_password=False)


def drop_database(admin_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def scalar(app, sql: str, **params):
    from server.core.extensions import db

    with app.app_context():
        v = db.session.execute(db.text(sql), params).scalar()
        db.session.rollback()
        db.session.remove()
    return v


# --- (a) the roster ----------------------------------------------------------------------------------

def import_slice(app, rows: int, workdir: Path) -> dict:
    """``rows`` generated roster rows through read_roster + import_rows + commit, as `flask members import`."""
    from bench.import_roster import generate, write_csv
    from server.core.extensions import db
    from server.members.roster import import_rows, read_roster

    run = secrets.token_hex(2)
    # Employee numbers and phones of their own, so a --reuse run imports new members, not updates.
    data = [[f"F{run}{r[0]}", r[1], f"16{run_digit(run)}{i:08d}", *r[3:]] for i, r in enumerate(generate(rows))]
    path = write_csv(workdir / "roster.csv", data)
    with app.app_context():
        existing = db.session.execute(db.text("SELECT count(*) FROM members")).scalar_one()
        db.session.rollback()
        rss0 = _kb("self", "VmRSS")
        _reset_peak("self")
        t0, c0 = time.perf_counter(), time.process_time()
        parsed = read_roster(path)
        t1 = time.perf_counter()
        report = import_rows(parsed)
        db.session.commit()
        t2, c2 = time.perf_counter(), time.process_time()
        peak = _kb("self", "VmHWM")
        db.session.remove()
    return {"rows": rows, "existing": existing, "read_s": t1 - t0, "import_s": t2 - t1, "total_s": t2 - t0,
            "cpu_s": c2 - c0, "rss0_mb": rss0 / 1024, "peak_mb": peak / 1024, "created": report.created,
            "updated": report.updated, "rejected": len(report.rejected), "load": load()}


def run_digit(run: str) -> str:
    # 1-9: the COPY'd members' phones are 1[3-9]000…, so a 16[1-9]… phone never meets one of theirs.
    return str(1 + int(run, 16) % 9)


def roster(app, members: int, import_rows_n: int, workdir: Path) -> dict:
    t0 = time.perf_counter()
    seeded = seed(app, members - import_rows_n) if members > import_rows_n else {}
    seed_s = time.perf_counter() - t0
    print(f"(a) set-based COPY of {members - import_rows_n:,} members (+ WeChat bindings and consents) and "
          f"VACUUM ANALYZE: {seed_s:.1f} s ({load()})", flush=True)
    imp = import_slice(app, import_rows_n, workdir) if import_rows_n else None
    if imp:
        rate = imp["rows"] / imp["total_s"]
        print(f"(a) roster import through read_roster + import_rows + commit: {imp['rows']:,} rows into a roster of "
              f"{imp['existing']:,}: read {imp['read_s']:.1f} s, import {imp['import_s']:.1f} s, total "
              f"{imp['total_s']:.1f} s = {rate:,.0f} rows/s (this process's CPU {imp['cpu_s']:.1f} s); created "
              f"{imp['created']:,}, updated {imp['updated']}, rejected {imp['rejected']}; RSS {imp['rss0_mb']:.0f} MB "
              f"before, peak {imp['peak_mb']:.0f} MB ({imp['load']})", flush=True)
        if imp["rows"] < members:
            print(f"    projection: {members:,} rows through that path at that rate ≈ {members / rate / 60:.1f} min "
                  f"(the import holds every row of the file and of the roster in memory: peak grows with both)")
    return {"seeded": seeded, "seed_s": seed_s, "import": imp}


# --- (b) planning ------------------------------------------------------------------------------------

def planning(app) -> tuple[int, dict]:
    """Time send_notice() + commit for a notice to all on push + SMS, with PostgreSQL's side."""
    from sqlalchemy import event

    from server.core.extensions import db

    with app.app_context():  # a --reuse run: give every push member a consent again (set-up, untimed)
        db.session.execute(db.text("UPDATE subscription_quotas SET remaining = 1 WHERE remaining = 0"))
        db.session.commit()
        db.session.remove()
    nid = create_notice(app, channels=("push", "sms"))
    backend: dict = {}

    def on_connect_checkout(dbapi_conn, record, proxy):
        # The planning session's backend: reset its peak RSS when the session takes its connection.
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        backend.setdefault("pid", pid)
        backend.setdefault("rss0", _kb(pid, "VmRSS"))
        backend.setdefault("reset", _reset_peak(pid))

    temp0 = scalar(app, "SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
    with app.app_context():
        engine = db.engine
    event.listen(engine, "checkout", on_connect_checkout)
    try:
        result = plan(app, nid)
    finally:
        event.remove(engine, "checkout", on_connect_checkout)
    pid = backend.get("pid")
    result["pg_peak_mb"] = _kb(pid, "VmHWM") / 1024 if pid else 0
    result["pg_rss0_mb"] = backend.get("rss0", 0) / 1024
    result["pg_peak_exact"] = backend.get("reset", False)
    time.sleep(0.5)  # pg_stat_database is updated by the stats collector a moment after the commit
    result["temp_mb"] = ((scalar(app, "SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
                          or 0) - (temp0 or 0)) / 2**20
    result["work_mem"] = scalar(app, "SHOW work_mem")
    result["load"] = load()
    return nid, result


def print_planning(app, nid: int, r: dict) -> bool:
    from bench.notice_plan import written

    rows = written(app, nid)
    print(f"(b) planning a notice to all on push + SMS (send_notice + commit): {r['seconds']:.2f} s wall; CPU: "
          f"PostgreSQL backend {r['pg_cpu']:.2f} s, this process {r['cpu']:.2f} s ({r['load']})")
    for label, secs, count in r["statements"]:
        print(f"      {secs * 1000:9.1f} ms  rows {count:>8}  {label}")
    print(f"    rows written: {rows['recipients']:,} recipients; deliveries {rows['deliveries']}; "
          f"notice {rows['notice_status']}")
    print(f"    memory: this process RSS {r['rss_before_mb']:.0f} MB before, peak {r['peak_mb']:.0f} MB during "
          f"planning{'' if r['peak_exact'] else ' (lifetime peak: VmHWM not resettable)'}; PostgreSQL backend "
          f"RSS {r['pg_rss0_mb']:.0f} MB before, peak {r['pg_peak_mb']:.0f} MB"
          f"{'' if r['pg_peak_exact'] else ' (lifetime peak)'} (work_mem {r['work_mem']}); temp files "
          f"{r['temp_mb']:.0f} MB")
    met = r["seconds"] < TARGET_SECONDS and r["peak_mb"] < TARGET_MB and r["pg_peak_mb"] < TARGET_MB
    print(f"    target (< {TARGET_SECONDS:.0f} s, < {TARGET_MB} MB): {'met' if met else 'MISSED'}", flush=True)
    return met


# --- (c) delivery ------------------------------------------------------------------------------------

def delivery(app, url: str, nid: int, args, workdir: Path) -> dict:
    from delivery_throughput import Config, start_fake, worker_env

    from server.core.extensions import db

    with app.app_context():  # a --reuse run: earlier notices' unsent rows are not this sample's (set-up)
        db.session.execute(db.text("DELETE FROM deliveries WHERE notice_id <> :nid AND status IN "
                                   "('queued', 'sending')"), {"nid": nid})
        db.session.commit()
        db.session.remove()
    queued = dict(db_rows(app, "SELECT channel, count(*) FROM deliveries WHERE notice_id = :nid AND status = "
                          "'queued' GROUP BY channel", nid=nid))
    _flush_limiter(args.redis_url)
    wechat, sms = start_fake("wechat", workdir, nodelay=True), start_fake("sms", workdir)
    env = worker_env(url, wechat, sms, Config(args.delivery_workers, args.batch, args.threads))
    env.update({"PUSH_RATE_PER_SECOND": str(args.push_rate), "SMS_RATE_PER_SECOND": str(args.sms_rate),
                "REDIS_URL": args.redis_url})
    procs, logs = [], []
    sent_sql = ("SELECT channel, count(*), min(sent_at), max(sent_at) FROM deliveries WHERE notice_id = :nid "
                "AND status = 'sent' GROUP BY channel")
    try:
        t0 = time.perf_counter()
        for i in range(args.delivery_workers):
            log = open(workdir / f"worker{i}.log", "w")  # noqa: SIM115 (closed in the finally)
            logs.append(log)
            procs.append(subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "--app", "server", "worker"],
                                          cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        # Eight processes importing the app on two busy cores take a while, and the rows already claimed
        # must drain before another channel's come up: each half starts at its channel's first send.
        phase, deadline, started, held = "start", time.monotonic() + 300, None, None
        count_sql = ("SELECT channel, count(*) FROM deliveries WHERE notice_id = :nid AND status = 'sent' "
                     "GROUP BY channel")
        while phase != "done":
            time.sleep(1)  # polling the database for the workers' progress
            sent = dict(db_rows(app, count_sql, nid=nid))
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"a worker exited; see {workdir}/worker*.log")
            now = time.monotonic()
            if sum(sent.values()) >= args.delivery_sample:
                phase = "done"
            elif phase == "start" and sent:
                started = time.perf_counter() - t0
                phase, deadline = "push", now + args.delivery_seconds / 2
            elif phase == "push" and now >= deadline:
                # Workers claim in id order, and a notice's push rows come before its SMS rows: SMS would
                # wait for every push. Hold the rest of the pushes back so the second half measures SMS.
                # Rows a worker holds (claimed, or being marked) are left to it: locking them here as well
                # deadlocked a worker's marks in one run.
                held = len(db_rows(app, "UPDATE deliveries SET next_attempt_at = now() + interval '1 day' WHERE id "
                                   "IN (SELECT id FROM deliveries WHERE notice_id = :nid AND channel = 'push' AND "
                                   "status = 'queued' AND (lease_until IS NULL OR lease_until < now()) "
                                   "FOR UPDATE SKIP LOCKED) RETURNING 1", commit=True, nid=nid))
                phase, deadline = "drain", now + 300
            elif phase == "drain" and sent.get("sms"):
                phase, deadline = "sms", now + args.delivery_seconds / 2
            elif now >= deadline:
                phase = "done"
        worker_cpu = sum(cpu_seconds(p.pid) for p in procs)
        wall = time.perf_counter() - t0
        the_load = load()
    finally:
        stop_processes(procs, logs, timeout=60)
        fakes = {"push": wechat.stop(), "sms": sms.stop()}
    by = {c: (n, a, b) for c, n, a, b in db_rows(app, sent_sql, nid=nid)}
    return {"queued": queued, "sent": by, "wall": wall, "started": started, "held": held, "fakes": fakes,
            "worker_cpu": worker_cpu, "load": the_load}


def _flush_limiter(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # our own database number: only our limiter's windows


def db_rows(app, sql: str, commit: bool = False, **params) -> list:
    from server.core.extensions import db

    with app.app_context():
        rows = db.session.execute(db.text(sql), params).all()
        db.session.commit() if commit else db.session.rollback()
        db.session.remove()
    return [tuple(r) for r in rows]


def print_delivery(d: dict, args) -> None:
    limits = {"push": args.push_rate, "sms": args.sms_rate}
    print(f"(c) delivery, {args.delivery_workers} workers (DELIVERY_BATCH {args.batch}, DELIVERY_THREADS "
          f"{args.threads}), limits push {args.push_rate:g}/s and SMS {args.sms_rate:g}/s shared through Redis; "
          f"{d['wall']:.1f} s from the workers' start, the first message after {d['started'] or 0:.1f} s "
          f"({d['load']}); queued {d['queued']}")
    total_s = 0.0
    for c in ("push", "sms"):
        n, first, last = d["sent"].get(c, (0, None, None))
        span = (last - first).total_seconds() if n > 1 else 0
        rate = n / span if span else 0.0
        accepted = d["fakes"][c]["accepted"]
        left = d["queued"].get(c, 0)
        eta = left / min(rate, limits[c]) if rate else float("inf")
        total_s += eta
        print(f"    {c:4s}: {n:,} sent, {rate:,.0f}/s from first to last send = {rate / limits[c]:.0%} of the "
              f"{limits[c]:g}/s limit; the fake accepted {accepted:,} ({d['fakes'][c]['distinct']:,} distinct); "
              f"all {left:,} queued at min(that rate, the limit) ≈ {eta / 60:,.1f} min")
    n_sent = sum(v[0] for v in d["sent"].values())
    per = d["worker_cpu"] / max(n_sent, 1) * 1000
    print(f"    (the second half ran with the remaining {d['held'] or 0:,} pushes held back, to measure SMS); "
          f"workers' CPU {d['worker_cpu']:.1f} s = {per:.2f} ms per message sent (start-up included)")
    print(f"    projection: the notice's {sum(d['queued'].values()):,} messages take ≈ {total_s / 60:,.0f} min: "
          f"workers claim in id order and the push rows come first, so the channels run one after the other",
          flush=True)


# --- (d) check-in ------------------------------------------------------------------------------------

def checkin(url: str, members: int, workers: int, concurrency: int) -> dict:
    import checkin_burst
    from common import gunicorn, make_app, ping_ceiling, run_load, warm_up

    secret = secrets.token_urlsafe(48)
    app = make_app(url, secret)
    event_id, tokens, staff = checkin_burst.set_up(app, members)
    with gunicorn(url, secret, workers) as server:
        warm_up(server, concurrency)
        ping = ping_ceiling(server, 4000, concurrency)
        with checkin_burst.VenueCode(server, event_id, staff) as code:
            burst = run_load(server, checkin_burst.CheckinRequests(tokens, code), concurrency, keep_bodies=True)
    problems = checkin_burst.verify(app, event_id, burst, members)
    return {"burst": burst, "ping": ping, "problems": problems, "load": load()}


def print_checkin(label: str, r: dict) -> None:
    b = r["burst"]
    print(f"(d) check-in burst, {label}: {b.summary()}; ping ceiling {r['ping'].throughput:,.0f}/s; "
          f"gunicorn CPU per request {b.server_cpu / max(b.count, 1) * 1000:.2f} ms, PostgreSQL "
          f"{b.postgres_cpu / max(b.count, 1) * 1000:.2f} ms; correct: {not r['problems'] or r['problems']} "
          f"({r['load']})", flush=True)


# --- main --------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000,
                        help="roster rows through the real import path (the rest by set-based COPY)")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the database and its members; redo (b)-(d)")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--delivery-workers", type=int, default=8)
    parser.add_argument("--batch", type=int, default=200, help="DELIVERY_BATCH")
    parser.add_argument("--threads", type=int, default=16, help="DELIVERY_THREADS")
    parser.add_argument("--push-rate", type=float, default=500.0, help="PUSH_RATE_PER_SECOND")
    parser.add_argument("--sms-rate", type=float, default=200.0, help="SMS_RATE_PER_SECOND")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="the limiter's Redis "
                        "(a database number of its own: it is flushed before the run)")
    parser.add_argument("--delivery-seconds", type=float, default=60)
    parser.add_argument("--delivery-sample", type=int, default=100_000)
    parser.add_argument("--checkin-members", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the worker logs")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out: import,plan,deliver,checkin")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    args.import_rows = min(args.import_rows, args.members)

    from server import create_app
    from server.core.extensions import db

    t_start = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-federation-"))
    url = prepare_database(args.admin_url, args.reuse)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        db.create_all()
    print(f"{machine(url)}; database {DB_NAME}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {load()}",
          flush=True)
    have = scalar(app, "SELECT count(*) FROM members WHERE is_active")
    if "import" not in skip and not (args.reuse and have >= args.members):
        roster(app, args.members - have if args.reuse else args.members, args.import_rows, workdir)
    print(f"    active members: {scalar(app, 'SELECT count(*) FROM members WHERE is_active'):,}; tables: "
          f"{scalar(app, 'SELECT pg_size_pretty(pg_database_size(current_database()))')}", flush=True)
    ok = True
    nid = None
    if "plan" not in skip:
        nid, r = planning(app)
        ok = print_planning(app, nid, r)
    if "deliver" not in skip and nid is not None:
        print_delivery(delivery(app, url, nid, args, workdir), args)
    if "checkin" not in skip:
        with app.app_context():
            db.engine.dispose()
        big = checkin(url, args.checkin_members, 4, 32)
        print_checkin(f"{args.checkin_members:,} registrants on the {args.members:,}-member database", big)
        from common import database

        with database(None, args.admin_url) as small_url:
            small = checkin(small_url, args.checkin_members, 4, 32)
        print_checkin(f"{args.checkin_members:,} registrants on a fresh database of {args.checkin_members:,} members",
                      small)
        ok = ok and not big["problems"] and not small["problems"]
    with app.app_context():
        db.engine.dispose()
    if args.drop:
        drop_database(args.admin_url)
    if args.keep:
        print(f"worker logs in {workdir}")
    else:
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()
    print(f"whole run {(time.perf_counter() - t_start) / 60:.1f} min; peak RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (lifetime)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
