"""Request throttling for the HTTP routes (Flask-Limiter over the `limits` library).

Counters live in Redis when REDIS_URL is set, so every web process on every host shares them; without
Redis each process counts alone (development, tests). A Redis outage falls back to in-process counters
rather than refusing every request. A breached limit answers the contract's error shape,
``429 rate_limited`` with ``Retry-After`` in whole seconds.

Routes declare their limits with ``@limiter.limit("5/minute", key_func=...)`` placed *under* ``@api``
(so the limit is checked before the body is parsed), or call ``hit(...)`` from a service when the key is
only known after parsing (an account name from the body).
"""
from __future__ import annotations

import math
import time

from flask import Flask, request
from flask_limiter import Limiter, RequestLimit
from limits import parse

from .errors import AppError, error_response


def client_address() -> str:
    """The client's address: ``request.remote_addr`` after ProxyFix (TRUSTED_PROXY_COUNT hops)."""
    return request.remote_addr or "unknown"


def seconds_until(reset_at: float) -> int:
    """Retry-After for a window that frees a hit at ``reset_at``: whole seconds, rounded so that a client
    retrying exactly then is let in (the limiter still counts a hit at the window's very edge)."""
    return max(1, math.floor(reset_at - time.time()) + 1)


def _breached(limit: RequestLimit):
    # RequestLimit.reset_at is already rounded up past the window's edge.
    retry = max(1, math.ceil(limit.reset_at - time.time()))
    resp = error_response("rate_limited", "请求过于频繁，请稍后再试", 429, {"retry_after": retry})
    resp.headers["Retry-After"] = str(retry)
    return resp


limiter = Limiter(
    key_func=client_address,
    on_breach=_breached,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
    strategy="moving-window",
    key_prefix="uh",
)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)


def hit(limit: str, *key: str, cost: int = 1) -> None:
    """Count one hit of ``limit`` (e.g. "10/minute") for ``key``; over it, raise 429 with Retry-After.

    For limits whose key is only known inside the route (an account from the body)."""
    item = parse(limit)
    strategy = limiter.limiter
    if not strategy.hit(item, "hit", *key, cost=cost):
        reset_at = strategy.get_window_stats(item, "hit", *key).reset_time
        retry = seconds_until(reset_at)
        raise AppError("rate_limited", "请求过于频繁，请稍后再试", 429, {"retry_after": retry})


def test(limit: str, *key: str) -> bool:
    """Whether one more hit of ``limit`` for ``key`` would still be allowed (counts nothing)."""
    return limiter.limiter.test(parse(limit), "hit", *key)


def clear(limit: str, *key: str) -> None:
    """Forget every hit of ``limit`` for ``key`` (e.g. an account's failed sign-ins once it signs in)."""
    limiter.limiter.clear(parse(limit), "hit", *key)
