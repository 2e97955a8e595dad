"""Extensions created unbound and bound to the app in create_app()."""
from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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


def statement_per_transaction() -> bool:
    """From here on, let each statement of this request commit on its own (PostgreSQL only, and only
    before the request's first statement); returns whether that took effect.

    For hot paths whose writes are each a single atomic statement: it saves the BEGIN and COMMIT
    round trips. psycopg switches autocommit on the client, and the pool switches it back when the
    connection returns, so nothing else sees it. ``db.session.commit()`` ends it: later statements
    run in an ordinary transaction again.
    """
    from sqlalchemy.engine import Engine

    bind = db.session.get_bind()
    # A session bound to a connection (a test's rolled-back one) keeps its transaction.
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql" or db.session().in_transaction():
        return False
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True
