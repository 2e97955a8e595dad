"""Request throttling: expiring hit counters from the `limits` library (moving windows).

Counters live in Redis when REDIS_URL is set, so every web process on every host shares them; without
Redis each process counts alone (development, tests). A Redis outage falls back to in-process counters
rather than refusing every request. Over a limit, ``hit`` raises the contract's ``429 rate_limited``
with ``Retry-After`` in whole seconds.

Code calls ``hit(limit, *key)`` where the key is known (an account from the body, a receipt's address);
a route limited per client address takes ``@limit("5/minute")`` under ``@api``. Nothing runs on a
request that does neither: the hot routes pay nothing for throttling they do not use.
"""
from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app, request
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .errors import AppError

log = logging.getLogger(__name__)


def client_address() -> str:
    """The client's address: ``request.remote_addr`` after ProxyFix (TRUSTED_PROXY_COUNT hops)."""
    return request.remote_addr or "unknown"


def seconds_until(reset_at: float) -> int:
    """Retry-After for a window that frees a hit at ``reset_at``: whole seconds, rounded so that a client
    retrying exactly then is let in (a hit at the window's very edge still counts)."""
    return max(1, math.floor(reset_at - time.time()) + 1)


class Throttle:
    """The counters of one app: the configured storage, and in-process ones for when it is down."""

    def __init__(self, uri: str):
        self.uri = uri
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared = None if uri.startswith("memory://") else MovingWindowRateLimiter(storage_from_string(uri))
        # The in-memory storage of `limits` is not thread-safe; requests in threads share it.
        self._lock = threading.Lock()
        self._down = False

    def _call(self, method: str, *args, **kwargs):
        if self._shared is not None:
            try:
                result = getattr(self._shared, method)(*args, **kwargs)
                if self._down:
                    self._down = False
                    log.warning("rate-limit storage is back")
                return result
            except Exception:  # Redis unreachable: count in this process until it is back
                if not self._down:  # once per outage, not once per request
                    self._down = True
                    log.warning("rate-limit storage unavailable, counting in this process", exc_info=True)
        with self._lock:
            return getattr(self._memory, method)(*args, **kwargs)

    def hit(self, spec: str, key: tuple[str, ...], cost: int = 1) -> None:
        item = parse(spec)
        if not self._call("hit", item, *key, cost=cost):
            retry = seconds_until(self._call("get_window_stats", item, *key).reset_time)
            raise AppError("rate_limited", details={"retry_after": retry})

    def reset(self) -> None:
        with self._lock:
            self._memory.storage.reset()
        if self._shared is not None:
            self._shared.storage.reset()


def init_app(app: Flask) -> None:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    if uri.startswith("memory://") and app.config.get("APP_ENV") == "production":
        log.warning("REDIS_URL is not set: sign-in and receipt throttles count in each process alone, "
                    "so N web workers allow N times the configured limits")
    app.extensions["throttle"] = Throttle(uri)


def _throttle() -> Throttle:
    return current_app.extensions["throttle"]


def hit(limit: str, *key: str, cost: int = 1) -> None:
    """Count one hit of ``limit`` (e.g. "10/minute") for ``key``; over it, raise 429 rate_limited with
    Retry-After (``details.retry_after`` too)."""
    _throttle().hit(limit, key, cost)


def test(limit: str, *key: str) -> bool:
    """Whether one more hit of ``limit`` for ``key`` would still be allowed (counts nothing)."""
    return _throttle()._call("test", parse(limit), *key)


def clear(limit: str, *key: str) -> None:
    """Forget every hit of ``limit`` for ``key`` (e.g. an account's failed sign-ins once it signs in)."""
    _throttle()._call("clear", parse(limit), *key)


def reset() -> None:
    """Forget every counter of the current app (tests)."""
    _throttle().reset()


def limit(spec: str, key: Callable[[], str] = client_address) -> Callable:
    """Limit a view to ``spec`` hits per ``key()`` (default: per client address), counted when it runs."""
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            hit(spec, "route", view.__name__, key())
            return view(*args, **kwargs)
        return wrapper
    return decorate
