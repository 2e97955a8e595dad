"""The deployment recipe in deploy/: the systemd units pass systemd's own check, and nginx accepts the site
and, run for real in front of a stand-in for gunicorn, keeps the anonymous routes out of its access log,
refuses bodies past each route's own limit, serves the console's files and keeps /metrics to the monitor."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from server.core.api import _REGISTRY

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "union-hub.conf"
CHECKOUT = "/srv/union-hub"  # where the units and the site expect the checkout
UNITS = ("union-hub-web.service", "union-hub-worker@.service", "union-hub-scheduler.service", "union-hub.target")

# The routes that must leave no line in any access log (docs/anonymity.md): the suggestion box, anonymous
# survey answers and ballots. /healthz and /metrics are left out on purpose too (polled every few seconds).
ANONYMOUS = ("suggestions.", "surveys.respond", "votes.cast_ballot")
UNLOGGED = (*ANONYMOUS, "health.healthz")
# What nginx answers only to the monitoring address (a placeholder in the site, not this test's).
MONITOR_ONLY = ("/metrics", "/healthz/")


def _anonymous(endpoint: str) -> bool:
    return any(endpoint == a or (a.endswith(".") and endpoint.startswith(a)) for a in ANONYMOUS)


# --- systemd -------------------------------------------------------------------------------------------

def _units(tmp_path: Path) -> list[Path]:
    """The units, pointed at this checkout instead of /srv/union-hub, so that systemd-analyze finds the
    virtualenv's gunicorn and flask (it reports a missing ExecStart binary as an error)."""
    paths = []
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text().replace(CHECKOUT, str(ROOT))
        # A template is checked through an instance of it.
        path = tmp_path / name.replace("@.", "@1.")
        path.write_text(text)
        paths.append(path)
    return paths


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    # --man=no: Documentation= need not be installed man pages. The user unionhub and
    # /etc/union-hub/union-hub.env need not exist here: verify checks neither.
    run = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, _units(tmp_path))],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert (run.returncode, run.stdout + run.stderr) == (0, "")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_catches_a_misspelt_setting(tmp_path):
    # The check above can fail: a misspelt hardening setting would otherwise be ignored silently.
    web = _units(tmp_path)[0]
    web.write_text(web.read_text().replace("NoNewPrivileges=", "NoNewPrivilege="))
    run = subprocess.run(["systemd-analyze", "verify", "--man=no", str(web)], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert "Unknown key 'NoNewPrivilege'" in run.stderr


def _settings(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and line[0].isalpha() and "=" in line:
            name, _, value = line.partition("=")
            found.setdefault(name, []).append(value)
    return found


@pytest.mark.parametrize("name", [u for u in UNITS if u.endswith(".service")])
def test_every_service_runs_as_unionhub_hardened_and_restarting(name):
    s = _settings((DEPLOY / "systemd" / name).read_text())
    assert s["User"] == s["Group"] == ["unionhub"]
    assert s["EnvironmentFile"] == ["/etc/union-hub/union-hub.env"]
    assert s["WorkingDirectory"] == [CHECKOUT] and s["Restart"] == ["always"]
    assert (s["NoNewPrivileges"], s["ProtectSystem"], s["PrivateTmp"]) == (["yes"], ["strict"], ["yes"])
    assert s["ReadWritePaths"] == [f"{CHECKOUT}/instance"]  # the only place the app writes (uploads, socket)
    assert s["PartOf"] == ["union-hub.target"] and s["WantedBy"] == ["union-hub.target"]


def test_the_units_start_gunicorn_the_workers_and_the_scheduler():
    web = _settings((DEPLOY / "systemd" / "union-hub-web.service").read_text())
    assert web["ExecStart"] == [f"{CHECKOUT}/.venv/bin/gunicorn -c gunicorn.conf.py --bind ${{UNION_HUB_BIND}}"]
    assert web["Environment"] == ["UNION_HUB_BIND=127.0.0.1:8000"]
    for unit, command in (("union-hub-worker@.service", "worker"), ("union-hub-scheduler.service", "scheduler")):
        s = _settings((DEPLOY / "systemd" / unit).read_text())
        assert s["ExecStart"] == [f"{CHECKOUT}/.venv/bin/flask --app server {command}"]


# --- nginx ---------------------------------------------------------------------------------------------

NGINX = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
needs_nginx = pytest.mark.skipif(not NGINX, reason="nginx is not installed (./scripts/setup installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandIn(BaseHTTPRequestHandler):
    """gunicorn's place: answers every request with what reached it (path, body length, proxy headers)."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        doc = {"path": self.path, "method": self.command, "length": len(body),
               **{h: self.headers.get(h) for h in ("Host", "X-Forwarded-For", "X-Forwarded-Proto")}}
        out = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Stand-In", "1")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


class Nginx:
    def __init__(self, tmp: Path):
        self.tmp, self.https, self.http = tmp, _free_port(), _free_port()
        self.access_log, self.app = tmp / "access.log", ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=union.example.cn", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                       check=True, capture_output=True, timeout=60)
        site = SITE.read_text()
        for old, new in (
            # The placeholders the operator fills in, with this test's values.
            ("/etc/union-hub/tls/fullchain.pem", tmp / "cert.pem"), ("/etc/union-hub/tls/privkey.pem", tmp / "key.pem"),
            ("/var/log/nginx/union-hub.access.log", self.access_log),
            ("/var/log/nginx/union-hub.error.log", tmp / "error.log"),
            ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{self.app.server_port} "),
            (f"{CHECKOUT}/server/", f"{ROOT}/server/"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https} ssl http2;"),
            ("listen 80;", f"listen 127.0.0.1:{self.http};"),
        ):
            assert str(old) in site, old
            site = site.replace(str(old), str(new))
        site = re.sub(r"\n\s*listen \[::\].*;", "", site)  # the test host may have no IPv6
        (tmp / "site.conf").write_text(site)
        temp = "\n".join(f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
        # As Debian's nginx.conf does around sites-enabled/ (mime.types, a default access log), with
        # everything nginx writes in tmp. Workers as root when the test runs as root: tmp is private.
        (tmp / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"pid {tmp / 'nginx.pid'};\nerror_log stderr notice;\ndaemon off;\nworker_processes 1;\n"
            + "events {}\nhttp {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            + f"    access_log {tmp / 'default-access.log'};\n{temp}\n    include {tmp / 'site.conf'};\n}}\n")
        self.conf = tmp / "nginx.conf"

    def test_config(self) -> subprocess.CompletedProcess:
        return subprocess.run([NGINX, "-t", "-c", str(self.conf), "-e", "stderr"], capture_output=True, text=True,
                              timeout=60)

    def start(self):
        threading.Thread(target=self.app.serve_forever, daemon=True).start()
        self.proc = subprocess.Popen([NGINX, "-c", str(self.conf), "-e", "stderr"], stderr=subprocess.PIPE,
                                     text=True)
        # The master logs its workers' start after it has opened the listening sockets: ready from here.
        seen = []
        for line in self.proc.stderr:
            seen.append(line)
            if "start worker process" in line:
                break
        else:
            raise AssertionError("nginx did not start: " + "".join(seen))

    def stop(self):
        if self.proc.returncode is not None:
            return
        # QUIT: the worker finishes (and logs) what it has in hand before the master exits.
        self.proc.send_signal(signal.SIGQUIT)
        self.proc.wait(timeout=60)
        self.proc.stderr.close()
        self.app.shutdown()
        self.app.server_close()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                tls: bool = True) -> tuple[int, dict, bytes]:
        if tls:
            context = ssl.create_default_context(cafile=str(self.tmp / "cert.pem"))
            context.check_hostname = False
            conn = http.client.HTTPSConnection("127.0.0.1", self.https, context=context, timeout=60)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.http, timeout=60)
        try:
            conn.request(method, path, body=body, headers={"Host": "union.example.cn", **(headers or {})})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def declared(self, path: str, length: int) -> tuple[int, bytes]:
        """A POST that declares ``length`` bytes and sends none: nginx judges the length from the header."""
        context = ssl.create_default_context(cafile=str(self.tmp / "cert.pem"))
        context.check_hostname = False
        conn = http.client.HTTPSConnection("127.0.0.1", self.https, context=context, timeout=60)
        try:
            conn.putrequest("POST", path, skip_host=True)
            conn.putheader("Host", "union.example.cn")
            conn.putheader("Content-Length", str(length))
            conn.endheaders()
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def logged_paths(self) -> list[str]:
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [re.search(r'"[A-Z]+ (\S+) HTTP', line)[1] for line in lines]


@needs_nginx
def test_nginx_accepts_the_site(tmp_path):
    run = Nginx(tmp_path).test_config()
    assert run.returncode == 0, run.stderr
    assert "test is successful" in run.stderr


@needs_nginx
def test_nginx_t_catches_a_broken_site(tmp_path):
    nginx = Nginx(tmp_path)
    site = tmp_path / "site.conf"
    site.write_text(site.read_text().replace("client_max_body_size 1m;", "client_max_body_size 1m"))
    assert nginx.test_config().returncode != 0


@pytest.fixture
def nginx(tmp_path):
    if not NGINX:
        pytest.skip("nginx is not installed (./scripts/setup installs it)")
    server = Nginx(tmp_path)
    server.start()
    yield server
    server.stop()


def _sample_path(rule) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", "7", rule.rule)


def test_docs_name_every_anonymous_route(app):
    # docs/anonymity.md is where the list comes from; the app's routes are what it must cover.
    doc = (ROOT / "docs" / "anonymity.md").read_text()
    assert "Leave `/api/v1/suggestions` out of those logs too" in doc
    assert "POST /surveys/{id}/responses" in doc and "POST /votes/{id}/ballots" in doc
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"surveys.respond", "votes.cast_ballot"} <= endpoints
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint in ("surveys.respond", "votes.cast_ballot")} == {
        "/api/v1/surveys/<int:survey_id>/responses", "/api/v1/votes/<int:vote_id>/ballots"}


def test_the_access_log_has_every_route_but_the_anonymous_ones(app, nginx):
    rules = [r for r in app.url_map.iter_rules() if not r.endpoint.endswith("static")]
    anonymous = {r.endpoint for r in rules if _anonymous(r.endpoint)}
    assert len(anonymous) >= 10  # the suggestion box's routes, answers and ballots
    expected = []
    for rule in rules:
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        path = _sample_path(rule)
        status, headers, body = nginx.request(method, path)
        if path.startswith(MONITOR_ONLY):  # refused to this test's address, unlogged
            assert status == 403, rule.rule
            continue
        assert (status, headers.get("x-stand-in"), json.loads(body)["path"]) == (200, "1", path), rule.rule
        if not rule.endpoint.startswith(UNLOGGED):
            expected.append(path)
    # Spellings that Werkzeug routes to the same view: nginx matches the normalised path.
    for path in ("/api/v1//suggestions", "/api/v1/%73uggestions/mine", "/api/v1/surveys/7//responses",
                 "/api/v1/votes/%37/ballots"):
        assert nginx.request("POST", path)[0] == 200
    nginx.stop()  # every line written
    assert nginx.logged_paths() == expected


def test_http_redirects_to_https_and_logs_nothing(nginx):
    status, headers, _ = nginx.request("POST", "/api/v1/suggestions?x=1", tls=False)
    assert (status, headers["location"]) == (301, "https://union.example.cn/api/v1/suggestions?x=1")
    nginx.stop()
    assert nginx.logged_paths() == []


def test_requests_reach_the_app_with_the_proxy_headers_and_hsts(nginx):
    status, headers, body = nginx.request("GET", "/api/v1/events", headers={"X-Forwarded-For": "10.9.9.9"})
    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000"
    # X-Forwarded-For replaced, not appended: the app (TRUSTED_PROXY_COUNT=1) trusts nginx's hop alone.
    assert json.loads(body) == {
        "path": "/api/v1/events", "method": "GET", "length": 0, "Host": "union.example.cn",
        "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"}


def _limits(app) -> dict[str, int]:
    """Sample path -> the body limit the app itself applies to that route (its max_body, else
    MAX_CONTENT_LENGTH)."""
    limits = {}
    for rule in app.url_map.iter_rules():
        meta = _REGISTRY.get(app.view_functions[rule.endpoint]) or {}
        if meta.get("max_body") is not None:
            limit = meta["max_body"]
            limits[_sample_path(rule)] = app.config[limit] if isinstance(limit, str) else limit
    return limits


def test_nginx_takes_exactly_the_body_each_route_takes(app, nginx):
    limits = _limits(app)
    assert set(limits) == {"/api/v1/members/import", "/api/v1/uploads", "/api/v1/care/cases/7/documents"}
    limits["/api/v1/events"] = app.config["MAX_CONTENT_LENGTH"]
    assert limits["/api/v1/events"] == 1024 * 1024
    for path, limit in limits.items():
        status, headers, body = nginx.request("POST", path, body=b"x" * limit)
        assert status == 200, (path, body)
        assert json.loads(body)["length"] == limit
        status, answer = nginx.declared(path, limit + 1)
        assert status == 413, path
        assert json.loads(answer)["error"]["code"] == "payload_too_large"


def test_console_files_come_from_nginx_with_their_cache_policy(nginx):
    status, headers, body = nginx.request("GET", "/console/static/console.js")
    assert status == 200 and "x-stand-in" not in headers
    assert body == (ROOT / "server" / "console" / "static" / "console.js").read_bytes()
    assert headers["content-type"] == "application/javascript"  # a module script needs a JavaScript type
    assert headers["cache-control"] == "no-cache" and headers["x-content-type-options"] == "nosniff"
    assert headers["strict-transport-security"] == "max-age=31536000"

    status, headers, body = nginx.request("GET", "/console/static/vendor/lit-html/lit-html.js")
    assert status == 200 and headers["cache-control"] == "public, max-age=604800"
    assert body == (ROOT / "server" / "console" / "static" / "vendor" / "lit-html" / "lit-html.js").read_bytes()

    status, headers, body = nginx.request("GET", "/console/static/missing.js")
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"
    # The console page itself is the app's (a template).
    assert nginx.request("GET", "/console/")[1]["x-stand-in"] == "1"


def test_metrics_only_for_the_monitoring_address(nginx):
    site = SITE.read_text()
    assert re.search(r"location = /metrics \{[^}]*allow 192\.0\.2\.10;\s*deny all;", site)
    for path in (*MONITOR_ONLY, "/healthz/details"):
        status, headers, body = nginx.request("GET", path)
        assert (status, json.loads(body)["error"]["code"]) == (403, "forbidden"), path
        assert headers["content-type"] == "application/json"
    assert nginx.request("GET", "/healthz")[0] == 200  # the load balancer's check stays open


def test_the_command_wrapper_runs_flask_as_the_services_do():
    script = (DEPLOY / "union-hub").read_text()
    assert subprocess.run(["sh", "-n", str(DEPLOY / "union-hub")], timeout=60).returncode == 0
    web = _settings((DEPLOY / "systemd" / "union-hub-web.service").read_text())
    assert f"--working-directory={web['WorkingDirectory'][0]}" in script
    assert f"-p EnvironmentFile={web['EnvironmentFile'][0]}" in script
    assert f"--uid={web['User'][0]} --gid={web['Group'][0]}" in script
    assert f"{CHECKOUT}/.venv/bin/flask --app server \"$@\"" in script
    assert os.access(DEPLOY / "union-hub", os.X_OK)


def test_nginx_refusals_are_the_contracts_json(nginx):
    # What gunicorn.conf.py is sized for passes: an 8 KiB request line and header line.
    assert nginx.request("GET", "/api/v1/events?q=" + "x" * 8100)[0] == 200
    assert nginx.request("GET", "/api/v1/events", headers={"X-Long": "x" * 8100})[0] == 200
    for answer, status, code in (
        (nginx.request("GET", "/api/v1/events?q=" + "x" * 9000), 414, "uri_too_long"),
        (nginx.request("GET", "/api/v1/events", headers={"X-Long": "x" * 9000}), 431, "header_fields_too_large"),
        (nginx.request("GET", "/api/v1/events", headers={"X-Bad": "a\x00b"}), 400, "invalid_request"),
    ):
        got, headers, body = answer
        assert (got, headers["content-type"], json.loads(body)["error"]["code"]) == (status, "application/json",
                                                                                     code)
        assert headers["x-content-type-options"] == "nosniff"
    # gunicorn down: 503 with Retry-After, in JSON too.
    nginx.app.shutdown()
    nginx.app.server_close()
    got, headers, body = nginx.request("GET", "/api/v1/events")
    assert (got, headers["retry-after"], json.loads(body)["error"]["code"]) == (503, "5", "service_unavailable")


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_tls_1_2_and_1_3_are_served(nginx, version):
    context = ssl.create_default_context(cafile=str(nginx.tmp / "cert.pem"))
    context.check_hostname = False
    context.minimum_version = context.maximum_version = getattr(ssl.TLSVersion, version)
    with (socket.create_connection(("127.0.0.1", nginx.https), timeout=60) as raw,
          context.wrap_socket(raw, server_hostname="union.example.cn") as tls):
        assert tls.version() == version.replace("_", ".")
