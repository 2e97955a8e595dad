"""Counting the SQL statements a piece of code sends, for tests that keep hot paths and pages set-based."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event as sa_event

# Transaction bookkeeping, not work: the test's savepoints and the request's BEGIN.
_BOOKKEEPING = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")


def count_statements(engine):
    """(statements, listener): the listener appends each statement the engine sends, bookkeeping aside."""
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(_BOOKKEEPING):
            statements.append(statement)

    return statements, count


@contextmanager
def statements_of(engine):
    """``with statements_of(db.engine) as statements:`` collects the statements sent inside the block."""
    statements, count = count_statements(engine)
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
