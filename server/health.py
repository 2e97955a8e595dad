from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .core.extensions import db
from .core.timeutil import utcnow

log = logging.getLogger(__name__)
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


@bp.get("/healthz/details")
def healthz_details():
    """What an operator checks first (docs/operations.md): database, Redis, delivery workers, the scheduler's
    lease, the outbox. Same access as /metrics (METRICS_ALLOW, METRICS_TOKEN), else 404. ``status`` is
    "degraded" when the database or Redis does not answer, no worker is alive, or no scheduler holds the
    lease; the answer is 503 only when the database does not answer."""
    from .metrics import outbox, require_access, scheduler_lease, workers

    require_access()
    now = utcnow()
    doc: dict = {"database": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        box, lease, beats = outbox(now), scheduler_lease(), workers(now)
    except Exception:
        log.warning("health details: database unavailable", exc_info=True)
        doc["database"] = "unavailable"
        box, lease, beats = None, None, []
    finally:
        db.session.rollback()
    if current_app.config.get("REDIS_URL"):
        doc["redis"] = _redis_status(current_app.config["REDIS_URL"])
    alive = [w for w in beats if w["alive"]]
    doc["workers"] = {"alive": len(alive), "stale": len(beats) - len(alive), "list": beats}
    doc["scheduler"] = {"holder": lease.holder if lease else None,
                        "expires_at": lease.expires_at.isoformat() if lease else None,
                        "held": bool(lease) and lease.expires_at > now}
    if box is not None:
        doc["outbox"] = box
    healthy = (doc["database"] == "ok" and doc.get("redis", "ok") == "ok" and alive
               and doc["scheduler"]["held"])
    # 503 only for the database, as /healthz: the rest is degraded service, not this process failing.
    return jsonify({"status": "ok" if healthy else "degraded", **doc}), 200 if doc["database"] == "ok" else 503


def _redis_status(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok"
    except Exception:
        return "unavailable"


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
