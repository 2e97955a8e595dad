"""The scheduler's job for uploads: delete what was never attached, and sweep files that have no row.

An upload not attached within ORPHAN_AGE (24 hours) is deleted: the rows in one transaction per batch, then
their files, after that commit. A kill between the two leaves files without rows, never rows without files;
so does a web process killed between writing a file and committing its row (services.store_image). Both kinds
of stray file are removed by the sweep: files of our key layout older than ORPHAN_AGE that no row names (and
temporary files a killed writer left). A file that young may belong to a request still being answered, so
the sweep never looks at it.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta

from sqlalchemy import delete, select

from ..core.extensions import db, transaction
from ..core.timeutil import utcnow
from .models import Upload
from .storage import storage

log = logging.getLogger(__name__)
ORPHAN_AGE = timedelta(hours=24)
BATCH = 500


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def delete_orphans() -> int:
    """Delete uploads never attached within ORPHAN_AGE, rows first; returns how many rows went."""
    cutoff = utcnow() - ORPHAN_AGE
    store = storage()
    deleted = 0
    while True:
        with transaction():
            batch = (select(Upload.id).where(Upload.attached_kind.is_(None), Upload.created_at < cutoff)
                     .order_by(Upload.created_at).limit(BATCH))
            # The conditions again on the DELETE itself: an upload attached since the SELECT is kept (on
            # PostgreSQL the row's new version is checked after waiting for the attaching transaction).
            keys = db.session.scalars(
                delete(Upload)
                .where(Upload.id.in_(batch.scalar_subquery()), Upload.attached_kind.is_(None),
                       Upload.created_at < cutoff)
                .returning(Upload.storage_key)
                .execution_options(synchronize_session=False)
            ).all()
        for key in keys:  # after the commit: a row never outlives its file
            try:
                store.delete(key)
            except Exception:  # the store is down: the file stays, and the sweep takes it later
                log.warning("could not delete the file of an orphaned upload (%s)", key, exc_info=True)
        deleted += len(keys)
        if len(keys) < BATCH:
            return deleted


def sweep_strays() -> int:
    """Remove files older than ORPHAN_AGE that no upload row names; returns how many."""
    cutoff = utcnow() - ORPHAN_AGE
    store = storage()
    removed = 0
    for chunk in _chunks(store.keys_older_than(cutoff), BATCH):
        with transaction():  # reads only: which of these keys still have a row
            known = set(db.session.scalars(select(Upload.storage_key).where(Upload.storage_key.in_(chunk))))
        for key in chunk:
            if key not in known:
                store.remove_leftover(key)
                removed += 1
    return removed


def clean_uploads() -> tuple[int, int]:
    """The scheduler's job: orphaned uploads, then stray files. Needs an app context."""
    orphans = delete_orphans()
    strays = sweep_strays()
    if orphans or strays:
        log.info("uploads cleaned: %d never attached, %d stray files", orphans, strays)
    return orphans, strays
