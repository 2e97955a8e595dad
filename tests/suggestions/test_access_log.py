"""gunicorn's access log keeps nothing that links a suggestion to the member who sent it.

The logger is loaded the way scripts/run starts gunicorn (`-c gunicorn.conf.py --access-logfile ...`), and
each request is parsed from raw HTTP bytes by gunicorn itself, so the environ is what a worker would log.
"""
from __future__ import annotations

import logging
import socket
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.http import wsgi
from gunicorn.http.message import Request
from gunicorn.http.unreader import IterUnreader

ROOT = Path(__file__).resolve().parents[2]
MEMBER_ADDR = "203.0.113.57"
MEMBER_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4) MicroMessenger/8.0.49 NetType/WIFI"
REFERER = "https://servicewechat.com/wx1234567890abcdef/12/page-frame.html"


@pytest.fixture
def access_log(tmp_path, monkeypatch):
    """log(method, target, status) -> the text gunicorn appended to the access log for that request."""
    logfile = tmp_path / "access.log"
    monkeypatch.setattr(sys, "argv", [
        "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile", str(logfile),
    ])
    cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
    logger = cfg.logger_class(cfg)
    sock_a, sock_b = socket.socketpair()

    def log(method: str, target: str, status: str) -> str:
        raw = (
            f"{method} {target} HTTP/1.1\r\nHost: union.example.cn\r\nUser-Agent: {MEMBER_UA}\r\n"
            f"Referer: {REFERER}\r\nX-Receipt: 7K3M-Q9RT-2HXW-5NPA\r\nContent-Length: 0\r\n\r\n"
        ).encode()
        req = Request(cfg, IterUnreader([raw]), (MEMBER_ADDR, 50412))
        resp, environ = wsgi.create(req, sock_a, (MEMBER_ADDR, 50412), ("127.0.0.1", 5000), cfg)
        resp.status = status
        resp.sent = 57
        before = logfile.stat().st_size if logfile.exists() else 0
        logger.access(resp, req, environ, timedelta(milliseconds=42))
        for h in logging.getLogger("gunicorn.access").handlers:
            h.flush()
        return logfile.read_text(encoding="utf-8")[before:] if logfile.exists() else ""

    yield log
    for h in list(logging.getLogger("gunicorn.access").handlers):
        if getattr(h, "_gunicorn", False):
            logging.getLogger("gunicorn.access").removeHandler(h)
            h.close()
    sock_a.close()
    sock_b.close()


@pytest.mark.parametrize("method,target,status", [
    ("POST", "/api/v1/suggestions", "201 CREATED"),
    ("GET", "/api/v1/suggestions/mine", "200 OK"),
    ("POST", "/api/v1/suggestions/mine/messages", "201 CREATED"),
    ("GET", "/api/v1/suggestions/mine", "404 NOT FOUND"),
    # Spellings Werkzeug still routes (or redirects) to the same view.
    ("POST", "/api/v1//suggestions", "308 PERMANENT REDIRECT"),
    ("POST", "/api/v1/%73uggestions", "201 CREATED"),
    # An anonymous survey's answer and a ballot: the app's own request log leaves them out too.
    ("POST", "/api/v1/surveys/12/responses", "201 CREATED"),
    ("POST", "/api/v1/votes/3/ballots", "201 CREATED"),
    ("POST", "/api/v1//votes/3/ballots", "308 PERMANENT REDIRECT"),
])
def test_anonymous_requests_leave_nothing_linking_in_the_access_log(access_log, method, target, status):
    line = access_log(method, target, status)
    assert MEMBER_ADDR not in line
    assert "MicroMessenger" not in line
    assert REFERER not in line
    assert line == ""  # the line is dropped, so its place among others cannot date it


def test_other_requests_keep_their_normal_access_log_line(access_log):
    line = access_log("GET", "/api/v1/events?page=2", "200 OK")
    assert MEMBER_ADDR in line
    assert MEMBER_UA in line
    assert REFERER in line
    assert '"GET /api/v1/events?page=2 HTTP/1.1" 200 57' in line
