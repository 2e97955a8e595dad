from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .core.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:
        db.session.rollback()
        return jsonify({"status": "degraded", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/api/v1/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    from .core.api import openapi_document

    doc = current_app.extensions.get("openapi_doc")
    if doc is None:
        doc = current_app.extensions["openapi_doc"] = openapi_document(current_app)
    return jsonify(doc)


@bp.get("/api/v1/ping")
def ping():
    """Trivial endpoint: the framework ceiling for benchmarks."""
    return jsonify({"pong": True})
