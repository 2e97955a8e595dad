"""A worker that polled an empty queue still claims quickly when a big notice arrives (PostgreSQL).

psycopg prepares a statement after 5 runs, and PostgreSQL may then keep a generic plan made while the
deliveries table was empty: a nested loop that rescans the locked, sorted subquery once per row, so the
first claim after a notice to 100,000 members ran for minutes (found by scripts/cluster, docs/cluster.md).
Here the generic plan is forced on every connection, so the test does not depend on PostgreSQL's choice. The
claim picks its rows once in a MATERIALIZED CTE, which no plan can re-run per row.
"""
from __future__ import annotations

import pytest
from sqlalchemy import event, text

from server.notices.delivery import Worker
from server.notices.models import Notice

ROWS = 10_000


@pytest.fixture
def generic_plans(app, committing_db):
    engine = committing_db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("plan caching is PostgreSQL's")

    def on_checkout(dbapi_conn, record, proxy):
        with dbapi_conn.cursor() as cur:
            # Without the fix the claim below takes far longer than this; with it, milliseconds.
            cur.execute("SET plan_cache_mode = force_generic_plan; SET statement_timeout = '3s'")

    engine.dispose()
    event.listen(engine, "checkout", on_checkout)
    try:
        yield committing_db
    finally:
        event.remove(engine, "checkout", on_checkout)
        engine.dispose()  # the pooled connections carry the settings: drop them


def test_claim_after_idle_polling_is_planned_for_the_rows_there_now(app, generic_plans):
    s = generic_plans.session
    s.execute(text("ANALYZE deliveries"))  # the statistics of an empty queue, as on a fresh deployment
    s.commit()
    worker = Worker(app, name="idle-worker")
    for _ in range(8):  # polling the empty queue: prepared by psycopg, planned generically
        assert worker.claim() == []
    n = Notice(title="停水通知", body="周六全天停水。", channels=["sms"], audience={"all": True}, status="sending")
    s.add(n)
    s.flush()
    s.execute(text("INSERT INTO members (employee_no, name, phone, roles, is_active, created_at, updated_at) "
                   "SELECT 'P' || g, '会员' || g, '138' || lpad(g::text, 8, '0'), '[\"member\"]', true, now(), now() "
                   "FROM generate_series(1, :n) g"), {"n": ROWS})
    s.execute(text("INSERT INTO deliveries (notice_id, member_id, channel, status, attempts, next_attempt_at, "
                   "created_at) SELECT :nid, id, 'sms', 'queued', 0, now() - interval '1 second', now() "
                   "FROM members"), {"nid": n.id})
    s.commit()
    jobs = worker.claim()
    assert len(jobs) == app.config["DELIVERY_BATCH"]
    assert len({j.member_id for j in jobs}) == len(jobs)
    worker.pool.shutdown()
