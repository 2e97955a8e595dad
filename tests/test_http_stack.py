"""The request as the HTTP stack delivers it: body size however it is sent, media types, and what a real
gunicorn started with gunicorn.conf.py answers for huge or broken requests (JSON, never an HTML page).

The first half goes through Flask's test client with the WSGI environ a chunked request has under
gunicorn (no Content-Length, ``wsgi.input_terminated``); the second half sends raw bytes to a gunicorn
subprocess, which parses them itself.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from server.core.api import JSON, MULTIPART, api

ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
MiB = 1024 * 1024


def _padded(size: int) -> bytes:
    """A valid sign-in request, padded with whitespace to exactly ``size`` bytes."""
    doc = b'{"employee_no": "NOBODY"}'
    return doc + b" " * (size - len(doc))


def _chunked(client, path: str, body: bytes, **kw):
    """POST as gunicorn hands a chunked request to the app: no length, a stream the server ends."""
    return client.post(path, input_stream=io.BytesIO(body), content_type="application/json",
                       headers={"Transfer-Encoding": "chunked", **kw.pop("headers", {})},
                       environ_overrides={"wsgi.input_terminated": True}, **kw)


def _error(r, status: int, code: str) -> dict:
    assert r.status_code == status, (r.status_code, r.data[:300])
    assert r.mimetype == "application/json"
    assert set(r.json) == {"error"} and r.json["error"]["code"] == code and r.json["error"]["message"]
    return r.json["error"]


# --- through the WSGI stack ---------------------------------------------------------------------

@pytest.mark.parametrize("size", [MiB + 1, 2 * MiB, 10 * MiB])
def test_a_chunked_body_over_the_limit_is_413_not_cut(app, client, size):
    assert app.config["MAX_CONTENT_LENGTH"] == MiB
    _error(_chunked(client, f"{API}/auth/dev-login", _padded(size)), 413, "payload_too_large")


def test_a_chunked_body_up_to_the_limit_is_read_whole(client, make):
    make.member(employee_no="C0001")
    for size in (100, MiB):
        body = b'{"employee_no": "C0001"}' + b" " * (size - 24)
        assert len(body) == size
        r = _chunked(client, f"{API}/auth/dev-login", body)
        assert r.status_code == 200, r.json
    # The sign-in a cut body would have sent is not the one a whole body sends.
    body = b'{"employee_no": "NOBODY"' + b" " * MiB + b', "x": 1}'
    _error(_chunked(client, f"{API}/auth/dev-login", body), 413, "payload_too_large")


def test_a_declared_length_over_the_limit_is_413(client):
    r = client.post(f"{API}/auth/dev-login", data=_padded(2 * MiB), content_type="application/json")
    _error(r, 413, "payload_too_large")


@pytest.mark.parametrize("content_type", [
    "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "application/xml",
    "application/json; charset=gbk", None,
])
def test_json_under_another_media_type_is_415(client, make, content_type):
    make.member(employee_no="C0002")
    headers = {"Content-Type": content_type} if content_type else {}
    r = client.post(f"{API}/auth/dev-login", data=b'{"employee_no": "C0002"}', headers=headers)
    err = _error(r, 415, "unsupported_media_type")
    assert err["details"] == {"accepted": ["application/json"]}


def test_json_and_bodiless_requests_are_accepted(client, make, auth):
    make.member(employee_no="C0003")
    for content_type in ("application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"):
        r = client.post(f"{API}/auth/dev-login", data=b'{"employee_no": "C0003"}',
                        headers={"Content-Type": content_type})
        assert r.status_code == 200, (content_type, r.json)
    # No body at all: no media type needed, whatever is (or is not) declared.
    ev = make.event()
    h = auth(make.member())
    assert client.post(f"{API}/events/{ev.id}/registrations", headers=h).status_code == 201
    r = client.delete(f"{API}/events/{ev.id}/registrations/me", headers={**h, "Content-Type": "text/plain"})
    assert r.status_code == 200


@pytest.fixture
def upload_app(app):
    """An app with one route that declares it takes multipart forms as well as JSON."""
    from server import create_app

    own = create_app({k: app.config[k] for k in ("DATABASE_URL", "SECRET_KEY", "TESTING")})

    @own.post("/upload")
    @api(consumes=(JSON, MULTIPART))
    def upload():
        from flask import jsonify, request

        return jsonify({"form": request.form.to_dict(), "files": [f.filename for f in request.files.values()]})

    yield own
    with own.app_context():
        from server.core.extensions import db

        db.engine.dispose()


def test_a_route_may_declare_that_it_takes_multipart(upload_app):
    client = upload_app.test_client()
    r = client.post("/upload", data={"note": "第一行\n第二行", "file": (io.BytesIO(b"x"), "名单.csv")})
    assert r.status_code == 200 and r.json == {"form": {"note": "第一行\n第二行"}, "files": ["名单.csv"]}
    r = client.post("/upload", data={"note": "a\x00b"}, content_type=MULTIPART)
    assert _error(r, 400, "invalid_request")["details"]["fields"] == {"note": "不能包含控制字符"}
    r = client.post("/upload", data={"file": (io.BytesIO(b"x"), "a\x1b.csv")})
    assert _error(r, 400, "invalid_request")["details"]["fields"] == {"file": "文件名不能包含控制字符"}
    # A form of another kind, or a form for a route that takes JSON only, is refused.
    _error(client.post("/upload", data={"note": "x"}), 415, "unsupported_media_type")
    r = client.post(f"{API}/auth/dev-login", data={"employee_no": "C0001"}, content_type=MULTIPART)
    _error(r, 415, "unsupported_media_type")


# --- a real gunicorn --------------------------------------------------------------------------------

def poll(check, timeout: float = 20.0, what: str = "condition", log: Path | None = None):
    """Wait for another process to get somewhere: check() until truthy, failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f"; log:\n{log.read_text()[-3000:]}" if log else ""))


class Gunicorn:
    """`gunicorn -c <conf>` in a subprocess on a free port, with the test database."""

    def __init__(self, app, tmp: Path, conf: Path = ROOT / "gunicorn.conf.py", *args: str):
        self.log = tmp / f"gunicorn-{conf.parent.name}.log"
        env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
               "AUTH_DEV_LOGIN": "1"}
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(conf), "--chdir", str(ROOT), "--workers", "1",
                 "--bind", "127.0.0.1:0", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            line = poll(lambda: self._alive() and next((ln for ln in self.log.read_text().splitlines()
                                                        if "Booting worker" in ln), None),
                        what="gunicorn", log=self.log)
        except BaseException:
            self.stop()  # a server that came up too slowly (a loaded machine) must not outlive the test
            raise
        assert line
        listening = next(ln for ln in self.log.read_text().splitlines() if "Listening at: http://" in ln)
        self.port = int(listening.rsplit(":", 1)[1].split()[0])

    def _alive(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
        return True

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def raw(self, head: bytes, body: bytes = b"", chunked: bool = False) -> tuple[int, dict[str, str], bytes]:
        """Send bytes as they are (a client, or a proxy passing them on); the answer until gunicorn closes."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=20)

        def send():
            # Sent alongside the reading: an answer may come (and the socket close) before the body is all out.
            try:
                sock.sendall(head)
                if chunked:
                    for i in range(0, len(body), 64 * 1024):
                        part = body[i:i + 64 * 1024]
                        sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
                    sock.sendall(b"0\r\n\r\n")
                else:
                    sock.sendall(body)
            except OSError:
                pass

        sender = threading.Thread(target=send)
        sender.start()
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass  # the answer came first; the rest of a refused body is not read
        finally:
            sender.join()
            sock.close()
        head_bytes, _, payload = data.partition(b"\r\n\r\n")
        status_line, *lines = head_bytes.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
        return int(status_line.split()[1]), headers, payload

    def get(self, target: str, *header_lines: str) -> tuple[int, dict[str, str], bytes]:
        lines = "".join(f"{h}\r\n" for h in header_lines)
        return self.raw(f"GET {target} HTTP/1.1\r\nHost: union.example.cn\r\n{lines}\r\n".encode("latin-1"))


@pytest.fixture(scope="module")
def gunicorn(app, tmp_path_factory):
    # Without the control socket: the test must not take the one of a server running from this checkout.
    server = Gunicorn(app, tmp_path_factory.mktemp("gunicorn"), ROOT / "gunicorn.conf.py", "--no-control-socket")
    yield server
    server.stop()


def _json_error(answer, status: int, code: str) -> dict:
    got, headers, payload = answer
    assert got == status, (got, payload[:300])
    assert headers["content-type"] == "application/json", payload[:300]
    assert headers["x-content-type-options"] == "nosniff"
    doc = json.loads(payload)
    assert set(doc) == {"error"} and doc["error"]["code"] == code and doc["error"]["message"]
    return doc["error"]


def test_requests_within_the_proxys_limits_reach_the_app(gunicorn):
    """nginx (docs/deploy.md) passes request lines and header lines up to 8 KiB each, 32 KiB in all."""
    status, _, payload = gunicorn.get("/api/v1/ping?q=" + "x" * 8100)
    assert (status, json.loads(payload)) == (200, {"pong": True})
    status, _, payload = gunicorn.get("/api/v1/ping", "X-Long: " + "x" * 8100)
    assert (status, json.loads(payload)) == (200, {"pong": True})
    status, _, payload = gunicorn.get("/api/v1/ping", *[f"X-H{i}: {i}" for i in range(3000)])
    assert (status, json.loads(payload)) == (200, {"pong": True})
    # A path that long is simply not ours: the app says so in JSON.
    _json_error(gunicorn.get("/api/v1/" + "a" * 8100), 404, "not_found")


def test_what_gunicorn_refuses_itself_is_answered_in_json(gunicorn):
    _json_error(gunicorn.get("/api/v1/ping?q=" + "x" * 9000), 414, "uri_too_long")
    _json_error(gunicorn.get("/api/v1/ping", "X-Long: " + "x" * 20000), 431, "header_fields_too_large")
    for char in ("\x00", "\x01", "\x7f"):
        err = _json_error(gunicorn.get("/api/v1/suggestions/mine", f"X-Receipt: 7K3M{char}Q9RT"), 400,
                          "invalid_request")
        assert err["details"] == {"fields": {"X-Receipt": "请求头无效"}}
    _json_error(gunicorn.raw(b"GET /api/v1/ping HTTP/1.1\r\nHost x\r\n\r\n"), 400, "invalid_request")


def test_bodies_through_gunicorn(gunicorn):
    head = (b"POST /api/v1/auth/dev-login HTTP/1.1\r\nHost: union.example.cn\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    for size in (2 * MiB, 10 * MiB):
        _json_error(gunicorn.raw(head, _padded(size), chunked=True), 413, "payload_too_large")
    status, _, payload = gunicorn.raw(head, _padded(1000), chunked=True)
    assert status == 404, payload  # read whole, and nobody of that number is on the roster
    body = b'{"employee_no": "NOBODY"}'
    _json_error(gunicorn.raw(b"POST /api/v1/auth/dev-login HTTP/1.1\r\nHost: union.example.cn\r\n"
                             b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body), body),
                415, "unsupported_media_type")


# --- the control socket -------------------------------------------------------------------------

def test_the_control_socket_lies_in_the_instance_folder(monkeypatch):
    from gunicorn.app.wsgiapp import WSGIApplication

    from server.core.config import INSTANCE

    monkeypatch.setattr(sys, "argv", ["gunicorn", "-c", str(ROOT / "gunicorn.conf.py")])
    cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
    assert cfg.control_socket == str(INSTANCE / "gunicorn.ctl")
    assert not cfg.control_socket_disable


def test_two_deployments_on_one_host_keep_their_own_control_sockets(app, tmp_path):
    """Two checkouts, each with its gunicorn.conf.py and instance folder: each gunicornc socket answers
    for its own server."""
    from gunicorn.ctl.client import ControlClient

    servers = {}
    try:
        for name in ("first", "second"):
            (tmp_path / name).mkdir()
            conf = shutil.copy(ROOT / "gunicorn.conf.py", tmp_path / name / "gunicorn.conf.py")
            servers[name] = Gunicorn(app, tmp_path, Path(conf))
        for name, server in servers.items():
            path = tmp_path / name / "instance" / "gunicorn.ctl"
            poll(path.exists, what=f"the {name} control socket", log=server.log)
            with ControlClient(str(path), timeout=10) as ctl:
                assert ctl.send_command("show stats")["pid"] == server.proc.pid
    finally:
        for server in servers.values():
            server.stop()
