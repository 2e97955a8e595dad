"""The scheduler's job for votes: close each vote whose closes_at has come, filing its held ballots in one
shuffled batch (services.close_vote), then (PostgreSQL) vacuum the holding table."""
from __future__ import annotations

import logging

from sqlalchemy import text

from ..core.extensions import db, transaction
from . import services

log = logging.getLogger(__name__)


def close_due_votes() -> list[int]:
    """Close every vote past its close, each in its own transaction; returns the closed ids. A second run,
    or a second scheduler at once, finds them closed (the row lock decides) and files nothing twice."""
    with transaction():
        due = services.due_votes()
    closed = []
    for vote_id in due:
        try:
            with transaction():
                services.close_vote(vote_id)
            closed.append(vote_id)
        except Exception:
            log.exception("closing vote %s failed; the next run tries again", vote_id)
    if closed and db.engine.dialect.name == "postgresql":
        # The deleted held rows' dead tuples still sit next to the voters' writes: remove them now.
        try:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM vote_held_ballots"))
        except Exception:  # autovacuum gets there later; nothing is lost
            log.warning("could not vacuum the held ballots table", exc_info=True)
    return closed
