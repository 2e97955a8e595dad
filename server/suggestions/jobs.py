"""The scheduler's job for the suggestion box: file held writes in shuffled batches (services.file_held)."""
from __future__ import annotations

import logging

from sqlalchemy import text

from ..core.extensions import db, transaction
from . import services

log = logging.getLogger(__name__)


def file_held_writes(force: bool = False) -> int:
    """File what is due in one transaction, then (PostgreSQL) vacuum the holding table.

    VACUUM removes the deleted held rows' dead tuples, whose xmin still sits next to the member's
    other writes and whose xmax is the batch's transaction, instead of leaving them until autovacuum.
    Needs an app context; returns how many writes were filed."""
    with transaction():
        filed = services.file_held(force=force)
    if filed and db.engine.dialect.name == "postgresql":
        try:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM suggestion_held_writes"))
        except Exception:  # autovacuum gets there later; nothing is lost
            log.warning("could not vacuum the suggestion holding table", exc_info=True)
    return filed
