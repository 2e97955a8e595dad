"""Round trips of each hot route, counted at the driver: statements, BEGIN, COMMIT, SAVEPOINT.

    .venv/bin/python bench/round_trips.py [--database-url URL]

The HTTP benches measure throughput, which a loaded machine skews by half or more; this counts what the
hot routes send to PostgreSQL, which no load changes, so two trees compare exactly: run it in each. A
BEGIN is counted when psycopg opens a transaction, a COMMIT or ROLLBACK only when one was open (under
statement_per_transaction() the closing commit sends nothing). Requests go through the app's test
client; the database is a throwaway one unless given.
"""
from __future__ import annotations

import argparse
from collections import Counter
from datetime import timedelta

from common import ADMIN_URL, bearer_tokens, database, make_app, seed_members


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (tables created if missing); default: throwaway")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    args = parser.parse_args()
    with database(args.database_url, args.admin_url) as url:
        run(url)


def run(url: str) -> None:
    from psycopg.pq import TransactionStatus
    from sqlalchemy import event

    from server.core.extensions import db
    from server.core.timeutil import utcnow
    from server.events import checkin
    from server.events.signup import register
    from tests.factories import Factory

    app = make_app(url, "round-trips-" + "k" * 32)
    counts: Counter[str] = Counter()
    with app.app_context():
        members, _ = seed_members(4)
        make = Factory(db)
        event_id = make.event(capacity=100, starts_at=utcnow() + timedelta(minutes=30)).id
        slot_id = make.slot(capacity=10).id
        db.session.commit()
        for member_id in members[:2]:
            register(member_id, event_id)
        db.session.commit()
        code, _ = checkin.venue_code(event_id)
        tokens = bearer_tokens(app, members)
        db.session.remove()

        def driver(conn):
            return conn.connection.dbapi_connection

        @event.listens_for(db.engine, "before_cursor_execute")
        def _statement(conn, _cursor, statement, *_):
            dbapi = driver(conn)
            if not dbapi.autocommit and dbapi.info.transaction_status == TransactionStatus.IDLE:
                counts["BEGIN"] += 1
            counts[statement.split()[0].upper()] += 1

        @event.listens_for(db.engine, "commit")
        def _commit(conn):
            if driver(conn).info.transaction_status != TransactionStatus.IDLE:
                counts["COMMIT"] += 1

        @event.listens_for(db.engine, "rollback")
        def _rollback(conn):
            if driver(conn).info.transaction_status != TransactionStatus.IDLE:
                counts["ROLLBACK"] += 1

        client = app.test_client()

        def post(path, token, body=None):
            return client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})

        signup, booking = f"/api/v1/events/{event_id}/registrations", f"/api/v1/slots/{slot_id}/bookings"
        cases = [("check-in with the code", "/api/v1/checkins", tokens[0], {"token": code}),
                 ("check-in, repeated", "/api/v1/checkins", tokens[0], {"token": code}),
                 ("sign-up", signup, tokens[2], None), ("sign-up, repeated", signup, tokens[2], None),
                 ("booking", booking, tokens[3], {}), ("booking, repeated", booking, tokens[3], {})]
        assert client.delete(f"{signup}/me", headers={"Authorization": f"Bearer {tokens[1]}"}).status_code == 200
        cases.append(("sign-up after cancelling", signup, tokens[1], None))
        for name, path, token, body in cases:
            counts.clear()
            status = post(path, token, body).status_code
            print(f"{name:26} {status}  {sum(counts.values())} round trips: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
