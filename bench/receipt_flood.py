"""Receipt flood: unauthenticated suggestion-receipt look-ups (each a 16 MiB scrypt) while members use the app.

    .venv/bin/python bench/receipt_flood.py [--database-url URL] [--workers 4] [--rate 40] [--seconds 10]
                                            [--connections 16] [--one-address]

Starts gunicorn on PostgreSQL behind a pretend proxy (TRUSTED_PROXY_COUNT=1) and sends
GET /api/v1/suggestions/mine with random well-formed receipts at ``--rate`` per second, each from a different
X-Forwarded-For address (an attacker with many addresses, so the per-address limit alone cannot stop it;
``--one-address`` sends them all from one). Meanwhile one client pings /api/v1/ping every 20 ms, as the rest
of the app's users stand for. Prints the ping latency without and with the flood, what the flood was
answered, and the host's CPU. Exits 1 if a ping failed or the flood got a 500.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import sys
import threading
import time
from collections import Counter

from common import database, gunicorn, machine, machine_cpu_seconds, make_app

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def receipt() -> str:
    code = "".join(random.choice(ALPHABET) for _ in range(16))
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))] * 1000


def pinger(host: str, port: int, stop: threading.Event, out: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while not stop.is_set():
        t = time.perf_counter()
        try:
            conn.request("GET", "/api/v1/ping")
            res = conn.getresponse()
            res.read()
            if res.status != 200:
                errors.append(str(res.status))
        except Exception as e:  # noqa: BLE001 — reported, not raised
            errors.append(repr(e))
            conn = http.client.HTTPConnection(host, port, timeout=30)
        out.append(time.perf_counter() - t)
        stop.wait(0.02)


def flooder(host: str, port: int, deadline: float, interval: float, start: float, one_address: bool,
            statuses: Counter, lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    next_at = start
    while True:
        now = time.perf_counter()
        if now >= deadline:
            return
        if next_at > now:
            time.sleep(next_at - now)
        next_at += interval
        address = ("203.0.113.7" if one_address
                   else f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}")
        try:
            conn.request("GET", "/api/v1/suggestions/mine",
                         headers={"X-Receipt": receipt(), "X-Forwarded-For": address})
            res = conn.getresponse()
            res.read()
            code = res.status
        except Exception:  # noqa: BLE001
            code = "transport error"
            conn = http.client.HTTPConnection(host, port, timeout=30)
        with lock:
            statuses[code] += 1


def measure_pings(server, seconds: float) -> tuple[list[float], list[str]]:
    stop, out, errors = threading.Event(), [], []
    t = threading.Thread(target=pinger, args=(server.host, server.port, stop, out, errors))
    t.start()
    time.sleep(seconds)
    stop.set()
    t.join()
    return out, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=40,
                        help="look-ups per second (the probe's 34/s took ping to 1.1 s)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--one-address", action="store_true")
    args = parser.parse_args()

    os.environ["TRUSTED_PROXY_COUNT"] = "1"
    with database(args.database_url) as url:
        print(machine(url))
        make_app(url, "bench-" + "k" * 40)  # the schema
        with gunicorn(url, "bench-" + "k" * 40, args.workers) as server:
            print(f"server: {server.label}; flood: {args.rate:g}/s for {args.seconds:g} s over {args.connections} "
                  f"connections, {'one address' if args.one_address else 'a new address each'}")
            quiet, quiet_errors = measure_pings(server, 3)
            print(f"ping, no flood : {len(quiet)} pings, p50 {pct(quiet, 50):.1f} ms, p99 {pct(quiet, 99):.1f} ms, "
                  f"max {max(quiet) * 1000:.1f} ms")

            statuses: Counter = Counter()
            lock = threading.Lock()
            start = time.perf_counter() + 0.1
            deadline = start + args.seconds
            interval = args.connections / args.rate
            threads = [threading.Thread(target=flooder, args=(server.host, server.port, deadline, interval,
                                                              start + i * interval / args.connections,
                                                              args.one_address, statuses, lock))
                       for i in range(args.connections)]
            cpu0 = machine_cpu_seconds()
            for t in threads:
                t.start()
            busy, busy_errors = measure_pings(server, args.seconds)
            for t in threads:
                t.join()
            cores = (machine_cpu_seconds() - cpu0) / args.seconds
            print(f"ping, flooded  : {len(busy)} pings, p50 {pct(busy, 50):.1f} ms, p99 {pct(busy, 99):.1f} ms, "
                  f"max {max(busy) * 1000:.1f} ms; machine cores busy {cores:.2f}")
            answered = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str))
            print(f"flood answered : {sum(statuses.values())} look-ups ({answered}); 404 = checked (one scrypt), "
                  f"503 = refused at once (checks at capacity), 429 = address over its limit")
            bad = quiet_errors + busy_errors
            if bad or statuses.get(500) or statuses.get("transport error"):
                print(f"FAILED: ping errors {bad[:5]}, 500s {statuses.get(500, 0)}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
