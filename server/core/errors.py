"""One JSON error shape for every failure: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .error_codes import CATALOGUE

log = logging.getLogger(__name__)


class AppError(Exception):
    """Raised by services; rendered as the contract's error shape.

    The status and the default message come from the catalogue (``server/core/error_codes.py``); a call site
    passes ``message`` only when it says more than the default (a limit, a time, a name). There is no
    status argument: one code always answers with one status."""

    def __init__(self, code: str, message: str | None = None, *, details: dict | None = None,
                 headers: dict[str, str] | None = None):
        entry = CATALOGUE[code]  # an unknown code is caught by tests/test_error_codes.py, not in production
        message = message or entry.message
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = entry.status
        self.details = details or {}
        self.headers = dict(headers or {})
        if "retry_after" in self.details:
            # Clients and proxies read the header; the detail is for people reading the body.
            self.headers.setdefault("Retry-After", str(self.details["retry_after"]))


def error_response(code: str, message: str | None = None, details: dict | None = None, *, status: int | None = None):
    """The error shape for a code; message and status default to the catalogue's."""
    entry = CATALOGUE[code]
    resp = jsonify({"error": {"code": code, "message": message or entry.message, "details": details or {}}})
    resp.status_code = status or entry.status
    return resp


def invalid_request(fields: dict[str, str], message: str | None = None) -> AppError:
    return AppError("invalid_request", message, details={"fields": fields})


# Werkzeug's HTTP errors mapped to our codes (message from the catalogue); any other status is http_error.
_HTTP = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "header_fields_too_large",
    500: "internal_error",
}


def error_document(status: int) -> dict:
    """The error body for a bare HTTP status, for answers made outside Flask (gunicorn.conf.py)."""
    code = _HTTP.get(status, "http_error")
    return {"error": {"code": code, "message": CATALOGUE[code].message, "details": {}}}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(e: AppError):
        # Whatever the service changed before refusing is discarded, never committed later.
        _rollback()
        resp = error_response(e.code, e.message, e.details)
        resp.headers.update(e.headers)
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        # The HTTP status stands even for http_error, whose catalogue status is only nominal.
        resp = error_response(_HTTP.get(e.code or 500, "http_error"), status=e.code or 500)
        if e.code == 405 and e.valid_methods:
            resp.headers["Allow"] = ", ".join(e.valid_methods)
        return resp

    @app.errorhandler(OperationalError)
    def _db_unavailable(e: OperationalError):
        # A database restart or lock timeout: the client may retry; nothing half-written survives
        # because the session is rolled back at teardown.
        log.warning("database unavailable: %s", e.orig)
        _rollback()
        resp = error_response("service_unavailable")
        resp.headers["Retry-After"] = "2"
        return resp

    @app.errorhandler(DBAPIError)
    @app.errorhandler(SQLAlchemyError)
    def _db_error(e: Exception):
        log.exception("database error")
        _rollback()
        return error_response("internal_error")

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unhandled error")
        _rollback()
        return error_response("internal_error")


def _rollback() -> None:
    from .extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; teardown discards it
        log.debug("rollback after error failed", exc_info=True)
