"""Parts of scripts/cluster: network namespaces as hosts, a private PostgreSQL and Redis, the fake providers
as their own processes, the app's processes per host, a load driver that fails over between hosts, and a
recorder of the scheduler lease. Everything it starts is killed, and every namespace and link it made is
deleted, by ``Cluster.close()``.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_BIN = Path(os.environ.get("CLUSTER_PG_BIN", "/usr/local/bin"))
SECRET_KEY = "cluster-secret-key-" + "x" * 32
APP_PORT, WECHAT_PORT, SMS_PORT = 8000, 8801, 8802


def sh(*cmd: str, check: bool = True, ns: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    if ns:
        cmd = ("ip", "netns", "exec", ns, *cmd)
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)


def available() -> str | None:
    """Why the cluster cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    for tool in ("ip", "unshare", "runuser"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"{PG_BIN / tool} is missing (set CLUSTER_PG_BIN)"
    try:
        sh("ip", "netns", "list")
    except (subprocess.CalledProcessError, OSError) as e:
        return f"`ip netns` does not work here: {e}"
    return None


# --- the network -----------------------------------------------------------------------------------

class Network:
    """A bridge in the root namespace and one namespace per host, each joined by a veth pair.
    Names carry a per-run tag, so two runs on one machine never meet."""

    def __init__(self, hosts: list[str]):
        tag = f"{os.getpid() % 100000:05d}"
        self.tag = tag
        third = 10 + os.getpid() % 200  # 10.77.<third>.0/24; the root side is .1
        taken = sh("ip", "-4", "-o", "addr").stdout
        while f"10.77.{third}." in taken:
            third = 10 + (third + 1) % 200
        self.prefix = f"10.77.{third}"
        self.bridge = f"uhc{tag}"
        self.hosts = {h: f"{self.prefix}.{10 + i}" for i, h in enumerate(hosts)}
        self.ns = {h: f"uhc{tag}-{h}" for h in hosts}
        self.veth = {h: f"uhc{tag}{h[0]}{i}" for i, h in enumerate(hosts)}  # at most 15 characters
        self.made: list[tuple[str, str]] = []

    @property
    def gateway(self) -> str:
        return f"{self.prefix}.1"

    def up(self) -> None:
        # No forward delay: a port brought back up forwards at once, as a switch port without STP does.
        sh("ip", "link", "add", self.bridge, "type", "bridge", "forward_delay", "0")
        self.made.append(("link", self.bridge))
        sh("ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        sh("ip", "link", "set", self.bridge, "up")
        for h, addr in self.hosts.items():
            ns, veth = self.ns[h], self.veth[h]
            sh("ip", "netns", "add", ns)
            self.made.append(("netns", ns))
            sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            self.made.append(("link", veth))
            sh("ip", "link", "set", veth, "master", self.bridge, "up")
            sh("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")

    def link(self, host: str, up: bool) -> None:
        """Cut or restore a host's cable: its veth's root end, so the host itself sees its link go down."""
        sh("ip", "link", "set", self.veth[host], "up" if up else "down")

    def pids(self, host: str) -> list[int]:
        out = sh("ip", "netns", "pids", self.ns[host], check=False).stdout
        return [int(p) for p in out.split()]

    def down(self) -> None:
        for kind, name in reversed(self.made):
            if kind == "netns":
                for pid in self.pids(next(h for h, n in self.ns.items() if n == name)):
                    with _quiet():
                        os.kill(pid, signal.SIGKILL)
                sh("ip", "netns", "del", name, check=False)
            else:
                sh("ip", "link", "del", name, check=False)
        self.made.clear()


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        return kind is not None and issubclass(kind, OSError)


# --- processes -------------------------------------------------------------------------------------

@dataclass
class Proc:
    host: str
    role: str
    popen: subprocess.Popen
    log: Path
    restarted: bool = False

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with _quiet():
            os.killpg(self.popen.pid, sig)  # the whole group: gunicorn's workers too

    def alive(self) -> bool:
        return self.popen.poll() is None


class Processes:
    def __init__(self, net: Network, workdir: Path):
        self.net, self.workdir, self.all = net, workdir, []

    def start(self, host: str, role: str, cmd: list[str], env: dict | None = None) -> Proc:
        """Run cmd on host (its namespace, its own hostname for the lease holder and the logs)."""
        log = self.workdir / f"{host}-{role}.log"
        wrapped = ["ip", "netns", "exec", self.net.ns[host], "unshare", "--uts", "sh", "-c",
                   'hostname "$0" && exec "$@"', host, *cmd]
        with open(log, "ab") as out:
            popen = subprocess.Popen(wrapped, cwd=ROOT, env=env or os.environ.copy(), stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        proc = Proc(host, role, popen, log)
        self.all.append(proc)
        return proc

    def on(self, host: str) -> list[Proc]:
        return [p for p in self.all if p.host == host and p.alive()]

    def kill_all(self) -> None:
        for p in self.all:
            p.kill()
        for p in self.all:
            with _quiet():
                p.popen.wait(timeout=10)


def wait_for(check, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(every)  # polling another process's progress
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def healthy(host: str, port: int = APP_PORT) -> bool:
    try:
        conn = http.client.HTTPConnection(host, port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


# --- PostgreSQL and Redis on the db host ---------------------------------------------------------

class Postgres:
    def __init__(self, net: Network, host: str, workdir: Path):
        self.net, self.host, self.addr = net, host, net.hosts[host]
        self.dir = workdir / "pgdata"
        self.log = workdir / "postgres.log"
        self.started = False

    def _as_postgres(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return sh("runuser", "-u", "postgres", "--", *args, ns=self.net.ns[self.host], timeout=timeout)

    def start(self) -> None:
        os.chown(self.dir.parent, *_postgres_ids())
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.dir), "-U", "postgres", "-A", "trust",
                          "--no-sync", "-E", "UTF8", "--locale", "C")
        with open(self.dir / "postgresql.conf", "a") as conf:
            # Durable as a server's default (fsync on): the proof restarts it and counts what survived.
            conf.write(f"listen_addresses = '{self.addr}'\nport = 5432\nunix_socket_directories = '{self.dir}'\n"
                       "max_connections = 200\nshared_buffers = 256MB\n")
        with open(self.dir / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {self.net.prefix}.0/24 trust\n")
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", "start")
        self.started = True

    def restart(self) -> float:
        t0 = time.monotonic()
        # -l again: without it the new postmaster would write to pg_ctl's output, held open forever.
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", "-m", "fast",
                          "restart")
        return time.monotonic() - t0

    def stop(self) -> None:
        if self.started:
            with _quiet():
                self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-m", "immediate", "stop", timeout=30)
            self.started = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@{self.addr}:5432/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        return f"host={self.addr} port=5432 user=postgres dbname={database} connect_timeout=2"


def _postgres_ids() -> tuple[int, int]:
    import pwd

    pw = pwd.getpwnam("postgres")
    return pw.pw_uid, pw.pw_gid


# --- the fake providers, each its own process ------------------------------------------------------

def serve_fake(kind: str, host: str, port: int, summary: str) -> None:
    """Run a fake from scripts/ until SIGTERM, then write what it accepted to `summary` (JSON): every
    accepted push's openid and every accepted SMS's phone, one entry per acceptance."""
    if kind == "wechat":
        from scripts.fake_wechat import FakeWeChat

        fake = FakeWeChat(host=host, port=port, require_consent=False)  # consent is the database's business
    else:
        from scripts.fake_sms import FakeSms

        fake = FakeSms(host=host, port=port)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=fake.httpd.shutdown).start())
    fake.httpd.serve_forever()
    fake.httpd.server_close()
    accepted = [m["touser"] for m in fake.sent] if kind == "wechat" else [s.phone for s in fake.sent]
    Path(summary).write_text(json.dumps({"accepted": accepted, "requests": len(fake.requests)}))


# --- the load driver -------------------------------------------------------------------------------

@dataclass
class LoadLog:
    statuses: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)  # (kind, host, status)
    transport: Counter = field(default_factory=Counter)  # (host, error class)
    failovers: int = 0
    without_retry_after: int = 0
    server_errors: list[str] = field(default_factory=list)
    signed_up: set = field(default_factory=set)
    checked_in: set = field(default_factory=set)
    gave_up: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


class LoadDriver:
    """Threads sending sign-ups and then check-ins, round-robin over the app hosts. A connection error or
    timeout on one host is retried on the other, as a load balancer would; every answer is recorded."""

    def __init__(self, hosts: list[str], event_id: int, tokens: dict[int, str], code, threads: int = 6):
        self.hosts, self.event_id, self.tokens, self.code = hosts, event_id, tokens, code
        self.log = LoadLog()
        self._stop = threading.Event()
        self._turn = 0
        self._queue = list(tokens)
        random.Random(7).shuffle(self._queue)
        self._threads = [threading.Thread(target=self._run, daemon=True, name=f"load-{i}") for i in range(threads)]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=15)

    def _next_member(self) -> int | None:
        with self.log.lock:
            return self._queue.pop() if self._queue else None

    def _next_host(self) -> int:
        with self.log.lock:
            self._turn += 1
            return self._turn % len(self.hosts)

    def _run(self) -> None:
        while not self._stop.is_set():
            member = self._next_member()
            if member is None:
                return
            token = self.tokens[member]
            if self._op("signup", f"/api/v1/events/{self.event_id}/registrations", token, None):
                with self.log.lock:
                    self.log.signed_up.add(member)
                if self._op("checkin", "/api/v1/checkins", token, lambda: {"token": self.code()}):
                    with self.log.lock:
                        self.log.checked_in.add(member)

    def _op(self, kind: str, path: str, token: str, body) -> bool:
        """One operation until it succeeds, is refused for good, or 12 tries are spent."""
        i = self._next_host()
        for _ in range(12):
            if self._stop.is_set():
                return False
            host = self.hosts[i]
            try:
                status, headers, text = _post(host, path, token, body() if body else None)
            except OSError as e:
                with self.log.lock:
                    self.log.transport[(host, type(e).__name__)] += 1
                    self.log.failovers += 1
                i = (i + 1) % len(self.hosts)  # the other host, as a load balancer would
                continue
            with self.log.lock:
                self.log.statuses[status] += 1
                self.log.by_kind[(kind, status)] += 1
                if status == 503 and "retry-after" not in headers:
                    self.log.without_retry_after += 1
                if status >= 500 and status != 503:
                    self.log.server_errors.append(f"{kind} on {host}: {status} {text[:200]}")
            if 200 <= status < 300:
                return True
            if status in (502, 503, 504, 429):
                time.sleep(0.2)  # the client's back-off before trying again (Retry-After is seconds)
                i = (i + 1) % len(self.hosts)
                continue
            with self.log.lock:
                self.log.gave_up[(kind, status, text[:120])] += 1
            return False
        with self.log.lock:
            self.log.gave_up[(kind, "tries", "")] += 1
        return False


def _post(host: str, path: str, token: str, body: dict | None) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection(host, APP_PORT, timeout=5)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        # A short connect: an unplugged host answers nothing (no RST), and a balancer gives up quickly too.
        conn.timeout = 1.5
        conn.connect()
        conn.sock.settimeout(5)
        conn.request("POST", path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode(errors="replace")
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text
    except http.client.HTTPException as e:
        raise ConnectionError(f"{type(e).__name__}: {e}") from None
    finally:
        conn.close()


# --- the scheduler lease, recorded over time -----------------------------------------------------

class LeaseRecorder:
    """Reads the lease row every 0.2 s from the root namespace; keeps (monotonic time, holder) changes."""

    def __init__(self, conninfo: str):
        self.conninfo = conninfo
        self.changes: list[tuple[float, str | None]] = []
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="lease-recorder")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def holder(self) -> str | None:
        return self.changes[-1][1] if self.changes else None

    def _run(self) -> None:
        import psycopg

        conn = None
        while not self._stop.wait(0.2):
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.conninfo, autocommit=True)
                row = conn.execute("SELECT holder FROM scheduler_leases WHERE name = 'scheduler'").fetchone()
                holder = row[0] if row else None
                if not self.changes or self.changes[-1][1] != holder:
                    self.changes.append((time.monotonic(), holder))
            except Exception:  # the database restarting: try again on the next tick
                self.errors += 1
                if conn is not None:
                    with _quiet():
                        conn.close()
                conn = None
        if conn is not None:
            conn.close()


def make_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="union_cluster_"))


def python() -> str:
    return str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable


if __name__ == "__main__":
    # python -m scripts.cluster_lib fake wechat|sms HOST PORT SUMMARY
    if sys.argv[1:2] == ["fake"]:
        serve_fake(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
