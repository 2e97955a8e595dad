"""Extensions created unbound and bound to the app in create_app(), and the few helpers that end a
transaction: ``transaction()`` for jobs, commands and workers, ``statement_per_transaction()`` for the
hot paths declared ``@api(transaction="own")``. A request's transaction is committed by ``@api``."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from flask import has_request_context
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase, Session

# One naming convention so Alembic can name and drop every constraint.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
# Batch mode lets Alembic alter tables on SQLite, which cannot ALTER most constraints.
migrate = Migrate(render_as_batch=True, compare_type=True)


def get_or_raise(model, ident, error, *, lock: bool = False, fresh: bool | None = None):
    """The row of `model` with primary key `ident`, or raise `error()`.

    lock: SELECT … FOR UPDATE (a no-op on SQLite, whose writers are serialised by BEGIN IMMEDIATE);
    fresh: reload it even if the session holds it (default: when locking, since the values read under
    the lock are the ones that count).
    """
    from sqlalchemy import select

    stmt = select(model).where(model.__mapper__.primary_key[0] == ident)
    if lock:
        stmt = stmt.with_for_update()
    if lock if fresh is None else fresh:
        stmt = stmt.execution_options(populate_existing=True)
    row = db.session.scalar(stmt)
    if row is None:
        raise error()
    return row


@contextmanager
def transaction() -> Iterator[None]:
    """One unit of work outside a request (a scheduled job, a ``flask`` command, a worker's step): the
    session's work (all of it since its last commit) is committed when the block ends, and rolled back
    if the block raises.

    Requests never use it: ``@api`` commits theirs. Inside the block, services flush and never commit."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


# What a request wrote, for @api's check that a read-only view wrote nothing.
@event.listens_for(Session, "after_flush")
def _flushed(session, _context) -> None:
    session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    # INSERT, UPDATE and DELETE statements run through the session (text() ones are not seen).
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


# Where a request's view declared ``@api(transaction="own")``; read by statement_per_transaction().
OWN_TRANSACTION = "own"


def statement_per_transaction() -> bool:
    """From here on, let each statement of this request commit on its own (PostgreSQL only, and only
    before the request's first statement); returns whether that took effect.

    For hot paths whose writes are each a single atomic statement: it saves the BEGIN and COMMIT
    round trips. psycopg switches autocommit on the client, and the pool switches it back when the
    connection returns, so nothing else sees it. ``@api``'s closing commit ends it without a round trip;
    ``ordinary_transaction()`` ends it earlier. Only a view declared ``@api(transaction="own")`` may
    use it (a RuntimeError otherwise: its writes would no longer be undone together on an error);
    outside an @api request (a job, a command) it never takes effect, so the unit of work stays one.
    """
    from sqlalchemy.engine import Engine

    declared = db.session.info.get("transaction") if has_request_context() else None
    if declared is None:
        return False
    if declared != OWN_TRANSACTION:
        raise RuntimeError("statement_per_transaction() needs the view declared @api(transaction=\"own\")")
    bind = db.session.get_bind()
    # A session bound to a connection (a test's rolled-back one) keeps its transaction.
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql" or db.session().in_transaction():
        return False
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def ordinary_transaction() -> None:
    """End statement_per_transaction() before statements that must be atomic together: each earlier
    statement has committed already, so this commit has nothing left to write (and costs no round trip)."""
    db.session.commit()


def _statements_commit_alone() -> bool:
    conn = db.session.connection()
    return conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def savepoint() -> AbstractContextManager[Any]:
    """A SAVEPOINT around a step that may meet an expected conflict (a unique violation the service
    turns into its own answer): ``with savepoint(): ...`` undoes only the step's own work when it raises,
    and the request's transaction goes on to commit the rest.

    Under statement_per_transaction() each statement is its own transaction already (and PostgreSQL
    takes no SAVEPOINT outside one), so nothing is opened. Note that opening one flushes what is
    pending: the step's own changes belong inside the block."""
    if _statements_commit_alone():
        return nullcontext()
    return db.session.begin_nested()
