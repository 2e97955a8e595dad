"""Shared parts of the HTTP benchmarks: a throwaway PostgreSQL database, seeded members and tokens,
a gunicorn server started as a subprocess, and a keep-alive load client.

The load client is one process speaking plain HTTP/1.1 over non-blocking sockets and a selector: it
costs far less CPU per request than an HTTP library or asyncio streams, so on a small machine most of
the cores go to the server. It keeps each connection open where the server allows it (gthread
workers; sync workers close after every response, and the client reconnects).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import selectors
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Chosen on a 2-core machine (docs/benchmarks.md has the sweep).
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_WORKERS = 4


def add_common_args(parser: argparse.ArgumentParser, concurrency: int, members: int) -> None:
    parser.add_argument("--database-url", help="PostgreSQL URL to use (tables are created if missing and the "
                        "bench's rows stay); default: a throwaway database, dropped afterwards")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="where to create the throwaway database")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default=DEFAULT_WORKER_CLASS, choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--concurrency", type=int, default=concurrency, help="connections of the load client")
    parser.add_argument("--members", type=int, default=members)
    parser.add_argument("--ping-requests", type=int, default=4000, help="requests for the ping ceiling")


# --- database -------------------------------------------------------------------------------------

@contextmanager
def database(url: str | None, admin_url: str = ADMIN_URL) -> Iterator[str]:
    """The given URL, or a fresh database created here and dropped on the way out."""
    if url:
        yield url
        return
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url)
    name = f"union_bench_{os.getpid()}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str, secret_key: str):
    from server import create_app
    from server.core.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret_key})
    with app.app_context():
        db.create_all()
    return app


def seed_members(count: int, staff: int = 1) -> tuple[list[int], list[int]]:
    """Insert ``count`` members and ``staff`` staff in one statement each; returns both id lists.
    Employee numbers carry a per-run prefix so a reused database takes another run."""
    from sqlalchemy import insert

    from server.core.extensions import db
    from server.members.models import Member

    run = secrets.token_hex(3)

    def rows(n: int, kind: str, roles: list[str]) -> list[dict]:
        return [{"employee_no": f"{kind}{run}{i:05d}", "name": f"压测{kind}{i}", "roles": roles} for i in range(n)]

    members = db.session.scalars(insert(Member).returning(Member.id), rows(count, "M", ["member"])).all()
    staffs = db.session.scalars(insert(Member).returning(Member.id), rows(staff, "S", ["member", "staff"])).all()
    db.session.commit()
    return list(members), list(staffs)


def bearer_tokens(app, member_ids: list[int]) -> list[str]:
    from server.members.auth import issue_token

    with app.test_request_context():
        return [issue_token(m)[0] for m in member_ids]


# --- server ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int
    proc: subprocess.Popen
    label: str
    database: str

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(p) for p in [self.proc.pid, *children(self.proc.pid)])


@contextmanager
def gunicorn(url: str, secret_key: str, workers: int, worker_class: str = "sync", threads: int = 1) -> Iterator[Server]:
    from sqlalchemy.engine import make_url

    port = free_port()
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-k", worker_class,
           "-b", f"127.0.0.1:{port}", "--log-level", "warning", "server:create_app()"]
    if worker_class == "gthread":
        cmd[5:5] = ["--threads", str(threads)]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret_key}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    label = f"gunicorn -w {workers} -k {worker_class}" + (f" --threads {threads}" if worker_class == "gthread" else "")
    try:
        _wait_healthy("127.0.0.1", port, proc)
        yield Server("127.0.0.1", port, proc, label, make_url(url).database or "")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(host: str, port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)  # polling a process that is starting up
    raise RuntimeError("gunicorn did not answer /healthz in time")


# --- CPU accounting (Linux /proc; zero elsewhere) -------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def stop_processes(procs: Sequence[subprocess.Popen], logs: Sequence = (), timeout: float = 30) -> None:
    """SIGTERM every process (workers finish their batch), then kill any still running after ``timeout``;
    close their log files."""
    import signal

    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for log in logs:
        log.close()


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine, all cores added up."""
    try:
        f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    return (sum(f[:8]) - f[3] - f[4]) / _TICK  # all but idle and iowait


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds of PostgreSQL's background processes and of the backends serving ``database``;
    backends of other databases (other people's tests on a shared server) are left out."""
    out = {}
    for p in Path("/proc").glob("[0-9]*"):
        try:
            if (p / "comm").read_text().strip() != "postgres":
                continue
            title = (p / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "(" not in title or f" {database} " in title:  # background process, or one of ours
            out[int(p.name)] = cpu_seconds(int(p.name))
    return out


def postgres_cpu_seconds() -> float:
    """All PostgreSQL processes on this machine, whatever database they serve."""
    total = 0.0
    for p in Path("/proc").glob("[0-9]*"):
        try:
            if (p / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(p.name))
        except OSError:
            pass
    return total


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    # Processes that started during the run count from zero; those that ended are lost (not negative).
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


# --- load client ----------------------------------------------------------------------------------

def http_request(method: str, path: str, token: str | None = None, body: dict | None = None) -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: bench", "Accept: application/json"]
    data = b""
    if token:
        head.append(f"Authorization: Bearer {token}")
    if body is not None:
        data = json.dumps(body).encode()
        head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    elif method in ("POST", "PUT", "PATCH"):
        head.append("Content-Length: 0")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


@dataclass
class LoadResult:
    elapsed: float
    latencies: list[float]  # seconds, sorted
    statuses: Counter
    bodies: list[bytes] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # transport errors
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    postgres_cpu: float = 0.0
    machine_cpu: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        k = max(0, min(len(self.latencies) - 1, int(round(p / 100 * len(self.latencies) + 0.5)) - 1))
        return self.latencies[k] * 1000

    def summary(self) -> str:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (f"{self.count} requests in {self.elapsed:.2f} s = {self.throughput:,.0f}/s; "
                f"latency p50 {self.pct(50):.1f} ms, p95 {self.pct(95):.1f} ms, p99 {self.pct(99):.1f} ms, "
                f"max {self.latencies[-1] * 1000 if self.latencies else 0:.1f} ms; status {codes}; "
                f"transport errors {len(self.failures)}")

    def cpu_line(self) -> str:
        e, n = self.elapsed or 1, self.count or 1
        other = max(0.0, self.machine_cpu - self.client_cpu - self.server_cpu - self.postgres_cpu)
        return (f"cores busy: client {self.client_cpu / e:.2f}, gunicorn {self.server_cpu / e:.2f}, "
                f"PostgreSQL {self.postgres_cpu / e:.2f}, other processes {other / e:.2f}; CPU per request: "
                f"gunicorn {self.server_cpu / n * 1000:.2f} ms, PostgreSQL {self.postgres_cpu / n * 1000:.2f} ms, "
                f"client {self.client_cpu / n * 1000:.2f} ms")


class _Conn:
    """One client connection: sends a request, collects the whole response."""

    __slots__ = ("sock", "index", "t0", "buf", "reused")

    def __init__(self, host: str, port: int):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # no name look-up per connection
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.index, self.t0, self.buf, self.reused = -1, 0.0, b"", False

    def response(self) -> tuple[int, bytes, bool] | None:
        """(status, body, server closes) once the response is complete, else None."""
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buf[:end].decode("latin-1").lower()
        length, close = 0, False
        for line in head.split("\r\n")[1:]:
            k, _, v = line.partition(":")
            if k == "content-length":
                length = int(v)
            elif k == "connection":
                close = v.strip() == "close"
        if len(self.buf) < end + 4 + length:
            return None
        return int(head[9:12]), self.buf[end + 4:end + 4 + length], close


def _load(host: str, port: int, requests: Sequence[bytes], concurrency: int, keep_bodies: bool) -> LoadResult:
    """A closed loop: ``concurrency`` connections, each sending its next request when the last one is
    answered. Plain sockets and one selector: the cheapest per request in Python, which matters most
    where the server closes every connection (sync workers)."""
    latencies: list[float] = [0.0] * len(requests)
    bodies: list[bytes] = [b""] * len(requests) if keep_bodies else []
    statuses: Counter = Counter()
    failures: list[str] = []
    pending = iter(range(len(requests)))
    clock = time.perf_counter
    sel = selectors.DefaultSelector()

    def send(conn: _Conn | None, i: int, t0: float) -> None:
        try:
            if conn is None:
                conn = _Conn(host, port)
            conn.index, conn.t0, conn.buf = i, t0, b""
            conn.sock.send(requests[i])  # a small request fits the empty socket buffer
            sel.register(conn.sock, selectors.EVENT_READ, conn)
        except OSError as e:
            finish(conn, i, t0, 0, b"", str(e))

    def finish(conn: _Conn | None, i: int, t0: float, status: int, body: bytes, error: str | None = None) -> None:
        latencies[i] = clock() - t0
        statuses[status] += 1
        if error:
            failures.append(error)
        if keep_bodies:
            bodies[i] = body

    start = clock()
    for _ in range(concurrency):
        i = next(pending, None)
        if i is not None:
            send(None, i, clock())
    while sel.get_map():
        for key, _ in sel.select():
            conn: _Conn = key.data
            try:
                chunk = conn.sock.recv(65536)
            except OSError as e:
                chunk, error = b"", str(e)
            else:
                error = "connection closed before the response"
            conn.buf += chunk
            done = conn.response() if chunk else None
            if chunk and done is None:
                continue
            sel.unregister(conn.sock)
            if done is None:
                conn.sock.close()
                if conn.reused:  # a kept-alive connection the server had closed: send again on a new one
                    send(None, conn.index, conn.t0)
                else:
                    finish(None, conn.index, conn.t0, 0, b"", error)
                    i = next(pending, None)
                    if i is not None:
                        send(None, i, clock())
                continue
            status, body, close = done
            finish(conn, conn.index, conn.t0, status, body)
            if close:
                conn.sock.close()
            i = next(pending, None)
            if i is None:
                if not close:
                    conn.sock.close()
                continue
            if not close:
                conn.reused = True
            send(None if close else conn, i, clock())
    elapsed = clock() - start
    sel.close()
    return LoadResult(elapsed, sorted(latencies), statuses, bodies, failures)


def run_load(server: Server, requests: Sequence[bytes], concurrency: int, keep_bodies: bool = False) -> LoadResult:
    """Send every request once, ``concurrency`` at a time (``requests[i]`` is read when request i is
    sent, so a sequence may build it then); CPU of client, server and database is recorded."""
    cpu0, srv0, all0 = time.process_time(), server.cpu_seconds(), machine_cpu_seconds()
    pg0 = postgres_cpu(server.database)
    result = _load(server.host, server.port, requests, concurrency, keep_bodies)
    result.client_cpu = time.process_time() - cpu0
    result.server_cpu = server.cpu_seconds() - srv0
    result.postgres_cpu = cpu_delta(pg0, postgres_cpu(server.database))
    result.machine_cpu = machine_cpu_seconds() - all0
    return result


def warm_up(server: Server, concurrency: int) -> None:
    """200 pings, then /healthz on every connection so each worker holds a database connection."""
    run_load(server, [http_request("GET", "/api/v1/ping")] * 200, concurrency)
    run_load(server, [http_request("GET", "/healthz")] * 200, concurrency)


def ping_ceiling(server: Server, count: int, concurrency: int) -> LoadResult:
    return run_load(server, [http_request("GET", "/api/v1/ping")] * count, concurrency)


def machine(url: str) -> str:
    import platform

    import psycopg
    from sqlalchemy import create_engine, text

    pg = "?"
    try:
        eng = create_engine(url)
        with eng.connect() as c:
            pg = c.execute(text("SHOW server_version")).scalar_one().split()[0]
        eng.dispose()
    except Exception:  # only a label
        pass
    return (f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), Python {platform.python_version()}, "
            f"PostgreSQL {pg}, psycopg {psycopg.__version__}")


def report(name: str, bench: LoadResult, ping: LoadResult, target_rate: float, target_p99: float | None) -> bool:
    """Print the figures; returns whether the speed target was met."""
    ratio = bench.throughput / ping.throughput if ping.throughput else 0.0
    print(f"ping ceiling : {ping.summary()}")
    print(f"               {ping.cpu_line()}")
    print(f"{name:13s}: {bench.summary()}")
    print(f"               {bench.cpu_line()}")
    print(f"ratio to ping ceiling: {ratio:.2f} (aim >= 0.5)")
    met = bench.throughput >= target_rate and (target_p99 is None or bench.pct(99) < target_p99)
    want = f">= {target_rate:.0f}/s" + (f", p99 < {target_p99:.0f} ms" if target_p99 else "")
    print(f"target ({want}): {'met' if met else 'MISSED'}")
    return met
