"""Delivery throughput: `flask --app server worker` processes sending one notice through the fake servers.

    .venv/bin/python bench/delivery_throughput.py [--messages 20000] [--workers 4] [--batch 200] [--threads 16]
    .venv/bin/python bench/delivery_throughput.py --configs 1x200x16,2x200x16,4x200x16   # workers x batch x threads

Seeds ``--messages`` members in a throwaway PostgreSQL database (or ``--database-url``): half have WeChat
with a consent, the rest get the notice by SMS (the push's fallback), so each member receives exactly one
message. For each configuration it plans a fresh notice, starts the fake WeChat and fake SMS servers from
scripts/ as subprocesses (Tencent's format), starts the workers, and polls the database until nothing is
queued. Messages/s are counted from the first send to the last (``sent_at``), and also from the workers'
start, start-up included. Exactly once is checked twice: every delivery row is ``sent`` with one attempt (none
left ``sending``, ``unknown`` or ``duplicate``), and the fakes' own records (dumped when they stop) hold each
recipient exactly once and nobody else.
Exits 1 if the best configuration misses 1,000 messages/s.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    cpu_seconds,
    database,
    free_port,
    machine,
    machine_cpu_seconds,
    postgres_cpu_seconds,
    stop_processes,
)
from bench.notice_plan import SECRET_KEY, create_notice, seed  # noqa: E402

TARGET_RATE = 1000
FLASK = str(ROOT / ".venv" / "bin" / "flask")


# --- the fakes, each in its own process --------------------------------------------------------------

def serve_fake(kind: str, port: int, summary: str, nodelay: bool = False) -> None:
    """Run the fake from scripts/ until SIGTERM, then write what it accepted to `summary` (JSON)."""
    if kind == "wechat":
        from scripts.fake_wechat import FakeWeChat, _Handler

        if nodelay:
            # What scripts/fake_sms.py does: headers and body leave in one segment, so no request waits
            # ~40 ms for Nagle's algorithm to meet the client's delayed ACK.
            _Handler.disable_nagle_algorithm = True
            _Handler.wbufsize = 64 * 1024

        fake = FakeWeChat(port=port, require_consent=False)  # consent is the database's business here
    else:
        from scripts.fake_sms import FakeSms

        fake = FakeSms(port=port)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=fake.httpd.shutdown).start())
    fake.httpd.serve_forever()
    fake.httpd.server_close()
    if kind == "wechat":
        paths = Counter(r["path"] for r in fake.requests)
        accepted = [m["touser"] for m in fake.sent]
    else:
        paths = Counter(r["provider"] or "none" for r in fake.requests)
        accepted = [s.phone for s in fake.sent]
    counts = Counter(accepted)
    Path(summary).write_text(json.dumps({
        "requests": dict(paths), "accepted": len(accepted), "distinct": len(counts),
        "repeated": [k for k, n in counts.most_common(10) if n > 1], "recipients": sorted(counts),
    }))


@dataclass
class Fake:
    kind: str
    port: int
    proc: subprocess.Popen
    summary: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> dict:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        return json.loads(self.summary.read_text())


def start_fake(kind: str, workdir: Path, nodelay: bool = False) -> Fake:
    port = free_port()
    summary = workdir / f"fake_{kind}.json"
    proc = subprocess.Popen([sys.executable, __file__, "--serve-fake", kind, "--port", str(port),
                             "--summary", str(summary)] + (["--nodelay"] if nodelay else []), cwd=ROOT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"fake {kind} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Fake(kind, port, proc, summary)
        except OSError:
            time.sleep(0.05)  # polling a process that is starting up
    proc.kill()
    raise RuntimeError(f"fake {kind} did not listen in time")


# --- one run ----------------------------------------------------------------------------------------

@dataclass
class Config:
    workers: int
    batch: int
    threads: int

    @classmethod
    def parse(cls, text: str) -> Config:
        w, b, t = (int(x) for x in text.lower().split("x"))
        return cls(w, b, t)

    def __str__(self) -> str:
        return f"{self.workers} workers, DELIVERY_BATCH={self.batch}, DELIVERY_THREADS={self.threads}"


def plan_notice(app) -> tuple[int, dict]:
    """A fresh notice to everyone on push with SMS fallback; every consent is restored first."""
    from sqlalchemy import func, select, update

    from server.core.extensions import db
    from server.notices import services
    from server.notices.models import Delivery, SubscriptionQuota

    nid = create_notice(app, channels=("push",))
    with app.app_context():
        db.session.execute(update(SubscriptionQuota).where(SubscriptionQuota.remaining == 0).values(remaining=1))
        services.send_notice(nid)
        db.session.commit()
        queued = dict(db.session.execute(select(Delivery.channel, func.count()).where(
            Delivery.notice_id == nid, Delivery.status == "queued").group_by(Delivery.channel)).all())
        db.session.remove()
    return nid, queued


def expected_recipients(app, nid: int) -> dict[str, set[str]]:
    from sqlalchemy import select

    from server.core.extensions import db
    from server.members.models import Member, WechatUser
    from server.notices.models import Delivery

    with app.app_context():
        push = set(db.session.scalars(select(WechatUser.openid).join(
            Delivery, Delivery.member_id == WechatUser.member_id).where(
            Delivery.notice_id == nid, Delivery.channel == "push", Delivery.status == "queued")))
        sms = set(db.session.scalars(select(Member.phone).join(Delivery, Delivery.member_id == Member.id).where(
            Delivery.notice_id == nid, Delivery.channel == "sms", Delivery.status == "queued")))
        db.session.remove()
    return {"push": push, "sms": sms}


def worker_env(url: str, wechat: Fake, sms: Fake, cfg: Config) -> dict:
    from scripts.fake_sms import DEFAULT_SDK_APP_ID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY

    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
            "WECHAT_API_BASE_URL": wechat.base_url, "SMS_PROVIDER": "tencent", "SMS_API_BASE_URL": sms.base_url,
            "SMS_SECRET_ID": DEFAULT_SECRET_ID, "SMS_SECRET_KEY": DEFAULT_SECRET_KEY,
            "SMS_SDK_APP_ID": DEFAULT_SDK_APP_ID, "SMS_NOTICE_TEMPLATE_ID": "2001",
            # Far above what one machine reaches, so the limiter never paces the measurement.
            "PUSH_RATE_PER_SECOND": "100000", "SMS_RATE_PER_SECOND": "100000",
            "DELIVERY_BATCH": str(cfg.batch), "DELIVERY_THREADS": str(cfg.threads)}


def queued_count(app, nid: int) -> int:
    from sqlalchemy import func, select

    from server.core.extensions import db
    from server.notices.models import Delivery

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.notice_id == nid, Delivery.status.in_(("queued", "sending"))))
        db.session.remove()
    return n or 0


def outcome(app, nid: int) -> dict:
    from sqlalchemy import func, select

    from server.core.extensions import db
    from server.notices.models import Delivery

    with app.app_context():
        rows = db.session.execute(
            select(Delivery.channel, Delivery.status, func.count(), func.min(Delivery.sent_at),
                   func.max(Delivery.sent_at), func.max(Delivery.attempts))
            .where(Delivery.notice_id == nid, Delivery.status != "skipped")
            .group_by(Delivery.channel, Delivery.status)).all()
        db.session.remove()
    return {(c, s): {"count": n, "first": a, "last": b, "max_attempts": m} for c, s, n, a, b, m in rows}


def run(app, url: str, cfg: Config, workdir: Path, timeout: float, profile: bool, nodelay: bool) -> dict:
    nid, queued = plan_notice(app)
    expected = expected_recipients(app, nid)
    total = sum(queued.values())
    wechat, sms = start_fake("wechat", workdir, nodelay), start_fake("sms", workdir)
    env = worker_env(url, wechat, sms, cfg)
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        cpu0 = {"pg": postgres_cpu_seconds(), "all": machine_cpu_seconds(),
                "fakes": cpu_seconds(wechat.proc.pid) + cpu_seconds(sms.proc.pid)}
        t0 = time.perf_counter()
        for i in range(cfg.workers):
            log = open(workdir / f"worker{i}.log", "w")  # noqa: SIM115 (closed in the finally)
            logs.append(log)
            procs.append(subprocess.Popen([FLASK, "--app", "server", "worker"], cwd=ROOT, env=env,
                                          stdout=log, stderr=subprocess.STDOUT))
        if profile:
            spy = subprocess.Popen([str(ROOT / ".venv" / "bin" / "py-spy"), "record", "--pid", str(procs[0].pid),
                                    "--format", "speedscope", "-o", str(workdir / "worker0.speedscope.json"),
                                    "--rate", "200", "--idle", "--threads", "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        left = total
        while left and time.monotonic() < deadline:
            time.sleep(0.2)  # polling the database for the workers' progress
            left = queued_count(app, nid)
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"a worker exited; see {workdir}/worker*.log")
        wall = time.perf_counter() - t0
        worker_cpu = sum(cpu_seconds(p.pid) for p in procs)
        fakes_cpu = cpu_seconds(wechat.proc.pid) + cpu_seconds(sms.proc.pid) - cpu0["fakes"]
        pg_cpu = postgres_cpu_seconds() - cpu0["pg"]
        all_cpu = machine_cpu_seconds() - cpu0["all"]
    finally:
        stop_processes(procs, logs, timeout=30)
        fakes = {"push": wechat.stop(), "sms": sms.stop()}
    rows = outcome(app, nid)
    result = {"config": str(cfg) + (", fake WeChat with TCP_NODELAY" if nodelay else ""), "notice": nid,
              "queued": queued, "total": total, "left": left, "wall": wall,
              "rows": rows, "fakes": fakes, "expected": expected,
              "cpu": {"workers": worker_cpu / wall, "fakes": fakes_cpu / wall, "postgres": pg_cpu / wall,
                      "machine": all_cpu / wall}}
    if profile:
        spy.wait(timeout=30)
    return result


def report(r: dict) -> tuple[float, bool]:
    rows, fakes, expected = r["rows"], r["fakes"], r["expected"]
    sent = {c: rows.get((c, "sent"), {}) for c in ("push", "sms")}
    first = min(s["first"] for s in sent.values() if s)
    last = max(s["last"] for s in sent.values() if s)
    span = (last - first).total_seconds() or 1e-9
    n_sent = sum(s.get("count", 0) for s in sent.values())
    rate = n_sent / span
    print(f"\n== {r['config']}: {r['total']} messages queued {r['queued']}")
    print(f"   sent {n_sent} in {span:.2f} s from first to last send = {rate:,.0f} messages/s; "
          f"{r['wall']:.2f} s from the workers' start = {n_sent / r['wall']:,.0f}/s (start-up included)")
    for c, s in sent.items():
        if s:
            cspan = (s["last"] - s["first"]).total_seconds() or 1e-9
            print(f"   {c:4s}: {s['count']} sent, {s['count'] / cspan:,.0f}/s over its own {cspan:.2f} s, "
                  f"max attempts {s['max_attempts']}")
    other = {f"{c}/{st}": v["count"] for (c, st), v in rows.items() if st != "sent"}
    cpu = r["cpu"]
    print(f"   cores busy: workers {cpu['workers']:.2f}, fakes {cpu['fakes']:.2f}, PostgreSQL {cpu['postgres']:.2f}, "
          f"whole machine {cpu['machine']:.2f} of {os.cpu_count()}")
    # CPU per message does not depend on what else the machine runs; the ceiling assumes it runs nothing else.
    per = {k: cpu[k] * r["wall"] / max(n_sent, 1) * 1000 for k in ("workers", "fakes", "postgres")}
    print(f"   CPU per message: workers {per['workers']:.2f} ms, fakes {per['fakes']:.2f} ms, PostgreSQL "
          f"{per['postgres']:.2f} ms -> ceiling on {os.cpu_count()} idle cores "
          f"{os.cpu_count() * 1000 / max(sum(per.values()), 1e-9):,.0f} messages/s")
    checks = []
    for c in ("push", "sms"):
        f = fakes[c]
        ok = (f["accepted"] == f["distinct"] == len(expected[c]) == sent[c].get("count", 0)
              and set(f["recipients"]) == expected[c])
        checks.append(ok)
        print(f"   exactly once, {c}: provider accepted {f['accepted']} ({f['distinct']} distinct recipients, "
              f"repeated {f['repeated'] or 'none'}), rows sent {sent[c].get('count', 0)}, planned "
              f"{len(expected[c])}, same recipients: {set(f['recipients']) == expected[c]} -> "
              f"{'OK' if ok else 'MISMATCH'}; requests {f['requests']}")
    if other or r["left"]:
        print(f"   not sent: {other}; still queued at the end: {r['left']}")
    once = all(checks) and not other and not r["left"]
    return rate, once


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve-fake", choices=["wechat", "sms"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--summary", help=argparse.SUPPRESS)
    parser.add_argument("--nodelay", action="store_true", help="fake WeChat answers in one TCP segment with "
                        "TCP_NODELAY, as the fake SMS server does (the stock one stalls ~40 ms per request)")
    parser.add_argument("--database-url", help="PostgreSQL URL (rows are added to it); default: a throwaway "
                        "database, dropped afterwards")
    parser.add_argument("--messages", type=int, default=20_000, help="members, each sent one message")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=200, help="DELIVERY_BATCH")
    parser.add_argument("--threads", type=int, default=16, help="DELIVERY_THREADS")
    parser.add_argument("--configs", help="comma-separated WORKERSxBATCHxTHREADS to run in turn")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for one run")
    parser.add_argument("--profile", action="store_true", help="py-spy the first worker (speedscope JSON)")
    parser.add_argument("--keep", action="store_true", help="keep the worker logs and profiles")
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.serve_fake, args.port, args.summary, args.nodelay)
        return 0

    from server import create_app
    from server.core.extensions import db

    configs = [Config.parse(c) for c in args.configs.split(",")] if args.configs else \
        [Config(args.workers, args.batch, args.threads)]
    workdir = Path(tempfile.mkdtemp(prefix="delivery_bench_"))
    results = []
    with database(args.database_url) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
        with app.app_context():
            db.create_all()
        print(machine(url))
        seeded = seed(app, args.messages, push_share=0.5, no_phone_every=0)
        print(f"seeded {seeded}")
        for cfg in configs:
            r = run(app, url, cfg, workdir, args.timeout, args.profile, args.nodelay)
            rate, once = report(r)
            results.append((rate, once, cfg))
        with app.app_context():
            db.engine.dispose()
    best = max(results, key=lambda x: x[0])
    print(f"\nbest: {best[2]}: {best[0]:,.0f} messages/s; exactly once in every run: {all(o for _, o, _ in results)}")
    print(f"target (>= {TARGET_RATE}/s with 4 workers): "
          f"{'met' if best[0] >= TARGET_RATE and all(o for _, o, _ in results) else 'MISSED'}")
    if args.keep or args.profile:
        print(f"logs and profiles in {workdir}")
    else:
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()
    return 0 if best[0] >= TARGET_RATE and all(o for _, o, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
