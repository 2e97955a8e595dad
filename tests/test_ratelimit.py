"""The throttle's answers: the contract's error shape with a Retry-After a client can rely on."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from server import create_app
from server.core.ratelimit import hit, limit


def test_a_route_limit_answers_429_in_our_shape_and_lets_the_client_back_at_retry_after(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'rl.db'}", "SECRET_KEY": "k" * 40,
                      "TESTING": True})

    @app.get("/limited")
    @limit("2/minute")
    def limited():
        return {"ok": True}

    client = app.test_client()
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        assert [client.get("/limited").status_code for _ in range(2)] == [200, 200]
        res = client.get("/limited")
        assert res.status_code == 429
        assert res.get_json()["error"]["code"] == "rate_limited"
        retry = int(res.headers["Retry-After"])
        assert 0 < retry <= 61 and res.get_json()["error"]["details"]["retry_after"] == retry
        clock.shift(timedelta(seconds=retry - 1))
        assert client.get("/limited").status_code == 429
        clock.shift(timedelta(seconds=1))
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
