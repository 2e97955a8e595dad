"""``GET /metrics``: Prometheus metrics (docs/operations.md says what to watch and alert on).

Request latency is measured in each web process; under gunicorn (several processes) prometheus_client's
multiprocess mode adds them up from files in PROMETHEUS_MULTIPROC_DIR (set and emptied by gunicorn.conf.py).
Everything else is read from the database when scraped, by a handful of grouped queries on indexed columns:
the outbox, recent deliveries, the scheduler lease, overdue requests and improvement items, worker
heartbeats. Nothing here is counted by person, and the anonymous routes are not measured at all
(server/core/logs.py): a counter that moves when someone votes would time the vote.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import case, func, select

from .core.extensions import db
from .core.timeutil import utcnow

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)
disable_created_metrics()  # the *_created series only double what is scraped

# Not in the default registry: each scrape builds its own (see metrics()).
REQUEST_LATENCY = Histogram(
    "unionhub_http_request_duration_seconds", "Time to answer a request, by endpoint and status class.",
    ["endpoint", "status"], registry=None,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))

RECENT = timedelta(days=1)  # deliveries of the notices planned this recently


def observe_request(endpoint: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(endpoint, f"{status // 100}xx").observe(seconds)


# --- who may look ---------------------------------------------------------------------------------

def _networks(value: str) -> list:
    nets = []
    for part in value.replace(" ", ",").replace(";", ",").split(","):
        if part.strip():
            try:
                nets.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                log.warning("METRICS_ALLOW: %r is not an address or network; ignored", part)
    return nets


def allowed() -> bool:
    """True for a bearer METRICS_TOKEN, or a client address in METRICS_ALLOW. Behind a proxy that the app
    was not told about (TRUSTED_PROXY_COUNT=0 but X-Forwarded-For present) the address is the proxy's own,
    often 127.0.0.1, so it proves nothing and only the token counts."""
    cfg = current_app.config
    token = cfg.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    if "X-Forwarded-For" in request.headers and not cfg.get("TRUSTED_PROXY_COUNT"):
        return False
    try:
        addr = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if getattr(addr, "ipv4_mapped", None):
        addr = addr.ipv4_mapped
    return any(addr in net for net in _networks(cfg.get("METRICS_ALLOW") or ""))


def require_access() -> None:
    """Refuse with a plain 404: the page does not exist for anyone else."""
    if not allowed():
        abort(404)


# --- what the database says -----------------------------------------------------------------------

def outbox(now) -> dict:
    """Queued deliveries due now and later, and how long the oldest due one has waited (partial index)."""
    from .notices.models import Delivery, DeliveryStatus

    due = case((Delivery.next_attempt_at <= now, "now"), else_="later")
    rows = db.session.execute(
        select(due, func.count(), func.min(Delivery.next_attempt_at))
        .where(Delivery.status == DeliveryStatus.queued).group_by(due)).all()
    counts = {"now": 0, "later": 0}
    oldest = None
    for when, n, first in rows:
        counts[when] = n
        if when == "now":
            oldest = first
    return {"queued_due_now": counts["now"], "queued_later": counts["later"],
            "oldest_due_age_seconds": max(0.0, (now - oldest).total_seconds()) if oldest else 0.0}


def recent_deliveries(now) -> list[tuple[str, str, int]]:
    """(channel, status, count) for the deliveries of notices planned in the last day: a window whose
    failure ratio means something now, reached through the notices (few) and the deliveries' unique key."""
    from .notices.models import Delivery, Notice

    recent = select(Notice.id).where(Notice.planned_at >= now - RECENT).scalar_subquery()
    return [tuple(r) for r in db.session.execute(
        select(Delivery.channel, Delivery.status, func.count())
        .where(Delivery.notice_id.in_(recent)).group_by(Delivery.channel, Delivery.status)).all()]


def scheduler_lease():
    from .reminders.models import SchedulerLease
    from .scheduler import LEASE_NAME

    return db.session.execute(select(SchedulerLease.holder, SchedulerLease.expires_at)
                              .where(SchedulerLease.name == LEASE_NAME)).first()


def overdue(now) -> dict:
    """Open requests past their first-response or resolution due time, and open improvement items past
    theirs (the ``status, due`` indexes)."""
    from .improvements.models import Improvement, ImprovementStatus
    from .member_requests.models import OPEN_STATUSES, Request

    first, resolve = db.session.execute(
        select(func.count().filter(Request.first_response_at.is_(None), Request.first_response_due_at < now),
               func.count().filter(Request.resolve_due_at < now))
        .where(Request.status.in_(OPEN_STATUSES))).one()
    improvements = db.session.scalar(select(func.count()).select_from(Improvement).where(
        Improvement.status == ImprovementStatus.open, Improvement.due_at < now))
    return {"first_response": first, "resolution": resolve, "improvements": improvements}


def workers(now) -> list[dict]:
    """Every delivery worker heard from in the last day, alive or stale (2 heartbeats missed)."""
    from .notices.models import HEARTBEAT_SECONDS, WorkerHeartbeat

    out = []
    for hb in db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.worker_id)):
        age = (now - hb.last_seen_at).total_seconds()
        out.append({"worker": hb.worker_id, "host": hb.host, "pid": hb.pid,
                    "started_at": hb.started_at.isoformat(), "last_seen_at": hb.last_seen_at.isoformat(),
                    "last_seen_seconds": round(age, 1), "processed": hb.processed,
                    "alive": age <= 2 * HEARTBEAT_SECONDS})
    return out


class DatabaseCollector:
    """The gauges read from the database at scrape time. A database that does not answer gives
    ``unionhub_database_up 0`` and nothing else, rather than a failed scrape."""

    def collect(self):
        up = GaugeMetricFamily("unionhub_database_up", "1 when the database answered this scrape.")
        try:
            families = list(self._families())
        except Exception:
            log.warning("metrics: database unavailable", exc_info=True)
            families = []
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
        finally:
            db.session.rollback()
        yield up
        yield from families

    def _families(self):
        now = utcnow()
        box = outbox(now)
        queued = GaugeMetricFamily("unionhub_outbox_queued", "Queued deliveries, due now or later.", labels=["due"])
        queued.add_metric(["now"], box["queued_due_now"])
        queued.add_metric(["later"], box["queued_later"])
        yield queued
        yield GaugeMetricFamily("unionhub_outbox_oldest_due_age_seconds",
                                "How long the longest-waiting due delivery has waited.",
                                value=box["oldest_due_age_seconds"])

        recent = GaugeMetricFamily("unionhub_deliveries_recent",
                                   "Deliveries of the notices planned in the last 24 hours, by channel and status.",
                                   labels=["channel", "status"])
        for channel, status, n in recent_deliveries(now):
            recent.add_metric([channel, status], n)
        yield recent

        lease = scheduler_lease()
        holder = GaugeMetricFamily("unionhub_scheduler_lease_holder", "1 for the process named in the lease.",
                                   labels=["holder"])
        held = GaugeMetricFamily("unionhub_scheduler_lease_held", "1 while a scheduler holds an unexpired lease.")
        if lease:
            holder.add_metric([lease.holder], 1)
            yield holder
            yield GaugeMetricFamily("unionhub_scheduler_lease_expires_in_seconds",
                                    "Seconds until the lease runs out unless renewed (negative: expired).",
                                    value=(lease.expires_at - now).total_seconds())
        held.add_metric([], int(bool(lease) and lease.expires_at > now))
        yield held

        late = overdue(now)
        requests = GaugeMetricFamily("unionhub_requests_overdue",
                                     "Open requests past their first-response or resolution due time.",
                                     labels=["clock"])
        requests.add_metric(["first_response"], late["first_response"])
        requests.add_metric(["resolution"], late["resolution"])
        yield requests
        yield GaugeMetricFamily("unionhub_improvements_overdue", "Open improvement items past their due time.",
                                value=late["improvements"])

        beats = workers(now)
        count = GaugeMetricFamily("unionhub_workers", "Delivery workers heard from in the last day, by state.",
                                  labels=["state"])
        count.add_metric(["alive"], sum(w["alive"] for w in beats))
        count.add_metric(["stale"], sum(not w["alive"] for w in beats))
        yield count
        seen = GaugeMetricFamily("unionhub_worker_last_seen_seconds", "Seconds since each worker's heartbeat.",
                                 labels=["worker"])
        processed = CounterMetricFamily("unionhub_worker_processed", "Deliveries handled by each worker.",
                                        labels=["worker"])
        for w in beats:
            seen.add_metric([w["worker"]], w["last_seen_seconds"])
            processed.add_metric([w["worker"]], w["processed"])
        yield seen
        yield processed


def registry() -> CollectorRegistry:
    """This scrape's registry: the request histogram (summed over gunicorn's processes in multiprocess
    mode) and the database gauges."""
    reg = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(reg)
    else:
        reg.register(REQUEST_LATENCY)
    reg.register(DatabaseCollector())
    return reg


@bp.get("/metrics")
def metrics():
    """Prometheus exposition; only from METRICS_ALLOW addresses or with the bearer METRICS_TOKEN, else 404."""
    require_access()
    return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)
