"""One JSON error shape for every failure: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """Raised by services; rendered as the contract's error shape."""

    def __init__(self, code: str, message: str, status: int = 400, details: dict | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}
        self.headers = dict(headers or {})
        if status == 429 and "retry_after" in self.details:
            # Clients and proxies read the header; the detail is for people reading the body.
            self.headers.setdefault("Retry-After", str(self.details["retry_after"]))


def error_response(code: str, message: str, status: int, details: dict | None = None):
    resp = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    resp.status_code = status
    return resp


def invalid_request(fields: dict[str, str], message: str = "请求内容有误") -> AppError:
    return AppError("invalid_request", message, 400, {"fields": fields})


# Werkzeug's HTTP errors mapped to our codes and Chinese messages.
_HTTP = {
    400: ("invalid_request", "请求内容有误"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "请求的内容不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("payload_too_large", "请求内容过大"),
    414: ("uri_too_long", "请求地址过长"),
    415: ("unsupported_media_type", "请求内容格式不受支持"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
    431: ("header_fields_too_large", "请求头过大"),
    500: ("internal_error", "服务器内部错误"),
}


def error_document(status: int) -> dict:
    """The error body for a bare HTTP status, for answers made outside Flask (gunicorn.conf.py)."""
    code, message = _HTTP.get(status, ("http_error", "请求无法处理"))
    return {"error": {"code": code, "message": message, "details": {}}}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(e: AppError):
        # Whatever the service changed before refusing is discarded, never committed later.
        _rollback()
        resp = error_response(e.code, e.message, e.status, e.details)
        resp.headers.update(e.headers)
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        code, message = _HTTP.get(e.code or 500, ("http_error", "请求无法处理"))
        resp = error_response(code, message, e.code or 500)
        if e.code == 405 and e.valid_methods:
            resp.headers["Allow"] = ", ".join(e.valid_methods)
        return resp

    @app.errorhandler(OperationalError)
    def _db_unavailable(e: OperationalError):
        # A database restart or lock timeout: the client may retry; nothing half-written survives
        # because the session is rolled back at teardown.
        log.warning("database unavailable: %s", e.orig)
        _rollback()
        resp = error_response("service_unavailable", "服务暂时不可用，请稍后重试", 503)
        resp.headers["Retry-After"] = "2"
        return resp

    @app.errorhandler(DBAPIError)
    @app.errorhandler(SQLAlchemyError)
    def _db_error(e: Exception):
        log.exception("database error")
        _rollback()
        return error_response("internal_error", "服务器内部错误", 500)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unhandled error")
        _rollback()
        return error_response("internal_error", "服务器内部错误", 500)


def _rollback() -> None:
    from .extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; teardown discards it
        log.debug("rollback after error failed", exc_info=True)
