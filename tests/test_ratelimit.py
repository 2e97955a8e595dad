"""The throttle's answers: the contract's error shape with a Retry-After a client can rely on."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from server import create_app
from server.core.ratelimit import hit, limit

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _limited_app(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'rl.db'}", "SECRET_KEY": "k" * 40,
                      "TESTING": True})

    @app.get("/limited")
    @limit("2/minute")
    def limited():
        return {"ok": True}

    return app


# The probes stay off the window's edge (T0 + 60 s, when the first hit leaves the moving window). Exactly on
# it, limits' in-memory storage answers either way: a hit is refused while the entry is listed (>=), but its
# expiry thread (a real-time timer 10 ms after each hit) drops entries whose expiry <= now, so a request that
# arrives after that thread ran is let in. A frozen clock standing on the edge made this test flaky on a
# loaded machine; a real clock (microseconds) never stands on it.
def test_a_route_limit_answers_429_in_our_shape_and_lets_the_client_back_at_retry_after(tmp_path):
    client = _limited_app(tmp_path).test_client()
    with time_machine.travel(T0, tick=False) as clock:
        assert [client.get("/limited").status_code for _ in range(2)] == [200, 200]
        clock.shift(timedelta(milliseconds=250))  # as a real client: refused a moment after its hits
        res = client.get("/limited")
        assert res.status_code == 429
        assert res.get_json()["error"]["code"] == "rate_limited"
        retry = int(res.headers["Retry-After"])
        # 59.75 s until the window frees, rounded up to whole seconds: no more, no less.
        assert retry == 60 and res.get_json()["error"]["details"]["retry_after"] == retry
        clock.shift(timedelta(seconds=retry - 1))  # T0 + 59.25 s: still inside the window
        assert client.get("/limited").status_code == 429
        clock.shift(timedelta(seconds=1))  # T0 + 60.25 s, Retry-After after the refusal
        assert client.get("/limited").status_code == 200


def test_retry_after_counts_a_refusal_on_the_whole_second_up_to_the_next_one(tmp_path):
    """Refused at the very instant of the hits, the window frees exactly 60 s later, where a moving window
    may still count the hit (on Redis it does): Retry-After says 61, past the edge, never on it."""
    client = _limited_app(tmp_path).test_client()
    with time_machine.travel(T0, tick=False) as clock:
        assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]
        res = client.get("/limited")
        retry = int(res.headers["Retry-After"])
        assert retry == 61
        clock.move_to(T0 + timedelta(seconds=59, milliseconds=999))
        assert client.get("/limited").status_code == 429
        clock.move_to(T0 + timedelta(seconds=retry))
        assert client.get("/limited").status_code == 200


def test_a_limit_hit_from_code_says_when_to_come_back(app):
    with app.test_request_context(), time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
                                                         tick=False) as clock:
        hit("1/minute", "test", "key")
        try:
            hit("1/minute", "test", "key")
            raise AssertionError("second hit allowed")
        except Exception as e:  # AppError
            assert e.status == 429 and e.headers["Retry-After"] == str(e.details["retry_after"])
            retry = e.details["retry_after"]
        clock.shift(timedelta(seconds=retry))
        hit("1/minute", "test", "key")  # let in exactly at Retry-After


def test_counters_fall_back_to_this_process_when_redis_is_down(app, monkeypatch):
    """A Redis outage must not turn every sign-in into a 500: the process counts alone meanwhile."""
    from server.core.ratelimit import Throttle

    down = Throttle("redis://127.0.0.1:1/0")  # nothing listens on port 1
    monkeypatch.setitem(app.extensions, "throttle", down)
    with app.test_request_context():
        hit("1/minute", "test", "fallback")
        try:
            hit("1/minute", "test", "fallback")
            raise AssertionError("second hit allowed")
        except Exception as e:
            assert getattr(e, "status", None) == 429
