"""Log lines and request ids: one JSON object per line (LOG_FORMAT=json) or readable text, the same in the
web workers, the delivery workers and the scheduler (all of them start through create_app).

Every request gets an id (a well-formed ``X-Request-Id`` from the proxy, else a new one), echoed in the
answer and carried by every line logged while it runs, and one closing line: method, endpoint, status,
duration. The anonymous routes (docs/anonymity.md) get none of this: no id, no request line, nothing
timed, so no log ties a moment to a suggestion, a survey answer or a ballot.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, request

REQUEST_ID_HEADER = "X-Request-Id"
# What we take from a proxy: short, printable, no spaces or quotes, so it can be logged and echoed as is.
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

# Paths whose requests leave no trace of their own (docs/anonymity.md): everything under the suggestion
# box (as gunicorn's access log, gunicorn.conf.py), an anonymous survey answer, a ballot. By path rather
# than endpoint, so a 404 or 405 on one of them is silent too.
_ANONYMOUS = re.compile(r"/api/v1/(suggestions(/.*)?|surveys/[^/]+/responses/?|votes/[^/]+/ballots/?)")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("server.request")

# Attributes every LogRecord has; anything else was passed with extra= and goes into the JSON object.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def is_anonymous_path(path: str) -> bool:
    # Collapse "//" as Werkzeug's routing would, so a doubled slash cannot slip past.
    return _ANONYMOUS.fullmatch(re.sub("/{2,}", "/", path)) is not None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request id while a
    request runs, the fields passed with ``extra=``, and the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            doc["request_id"] = rid
        doc.update({k: v for k, v in vars(record).items() if k not in _STANDARD and k != "request_id"})
        if record.exc_info:
            doc["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            doc["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


# The request line's fields, which its text message already shows.
_IN_MESSAGE = {"method", "endpoint", "status", "duration_ms"}


class TextFormatter(logging.Formatter):
    """The readable form, for development: the request's fields after the message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = request_id.get()
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD and k not in _IN_MESSAGE}
        if rid and "request_id" not in extra:
            extra["request_id"] = rid
        if extra:
            first, nl, rest = line.partition("\n")
            line = first + " " + " ".join(f"{k}={v}" for k, v in extra.items()) + nl + rest
        return line


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else TextFormatter()


class _OurHandler(logging.StreamHandler):
    """The root handler this module installs (told apart from a test runner's or gunicorn's)."""


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    """Send the root logger's lines to stderr in ``fmt``. Called by every create_app: the handler is
    installed once and its format follows the last app; a handler someone else installed (pytest's) is left
    alone, and with one present nothing is added (as logging.basicConfig did)."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _OurHandler)]
    if not ours and root.handlers:
        return
    handler = ours[0] if ours else _OurHandler()
    handler.setFormatter(formatter(fmt))
    if not ours:
        root.addHandler(handler)
        root.setLevel(level)


def init_app(app: Flask) -> None:
    """Logging in the app's LOG_FORMAT, and the request id and request line on every request."""
    configure_logging(app.config.get("LOG_FORMAT", "text"))
    # First of the before_request hooks, so a request refused by an earlier hook is still timed and logged.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.teardown_request(_forget)


# Kept in the request's environ, not in g: g belongs to the app context, which a test's requests share.
_ID, _STARTED, _TOKEN = "unionhub.request_id", "unionhub.request_started", "unionhub.request_id_token"


def _start() -> None:
    if is_anonymous_path(request.path):
        return
    given = request.headers.get(REQUEST_ID_HEADER, "")
    rid = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
    request.environ.update({_ID: rid, _STARTED: time.perf_counter(), _TOKEN: request_id.set(rid)})


def _finish(response):
    rid = request.environ.get(_ID)
    if rid is None:  # anonymous: nothing timed, nothing logged, nothing echoed
        return response
    duration = time.perf_counter() - request.environ[_STARTED]
    response.headers[REQUEST_ID_HEADER] = rid
    endpoint = request.endpoint or "unmatched"
    from ..metrics import observe_request

    observe_request(endpoint, response.status_code, duration)
    access_log.info("%s %s %s %.1fms", request.method, endpoint, response.status_code, duration * 1000,
                    extra={"method": request.method, "endpoint": endpoint, "status": response.status_code,
                           "duration_ms": round(duration * 1000, 2)})
    return response


def _forget(_exc) -> None:
    token = request.environ.pop(_TOKEN, None)
    if token is not None:
        request_id.reset(token)
