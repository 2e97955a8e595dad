"""The transaction boundary: @api commits a request's work once, before answering, and rolls it back on any
error; services flush and never commit; expected conflicts use a savepoint; jobs and commands use
extensions.transaction(). These tests commit for real (committing_db) and read back through another session."""
from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Blueprint
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from server import create_app
from server.core.api import Out, api
from server.core.errors import AppError
from server.core.extensions import savepoint, statement_per_transaction, transaction
from server.core.timeutil import utcnow
from server.events.models import Event
from server.members.auth import issue_token
from server.members.models import Department

from .factories import Factory

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"


class Done(Out):
    ok: bool = True

# --- a few views of our own, on a second app built by the real factory ---------------------------------

views = Blueprint("tx_views", __name__)


def _department(name: str) -> Department:
    from server.core.extensions import db

    dept = Department(name=name)
    db.session.add(dept)
    return dept


@views.post("/refuse-after-flush")
@api()
def refuse_after_flush():
    from server.core.extensions import db

    _department("flushed, then refused")
    db.session.flush()  # the row is in the database's transaction now
    raise AppError("event_full")


@views.post("/clash-at-commit")
@api()
def clash_at_commit():
    from server.core.extensions import db

    _department("written before the clash")
    db.session.flush()
    _department("taken")  # pending: the unique name fails only when the wrapper commits
    return Done(), 201


@views.post("/conflict-in-savepoint")
@api()
def conflict_in_savepoint():
    from server.core.extensions import db

    _department("the request's other work")
    db.session.flush()
    try:
        with savepoint():
            _department("taken")
            db.session.flush()
    except IntegrityError:
        pass  # the expected conflict, answered by the service in its own way
    _department("written after the conflict")
    return Done(), 201


@views.post("/lose-connection-at-commit")
@api()
def lose_connection_at_commit():
    from server.core.extensions import db

    _department("never stored")
    db.session.flush()
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    with db.engine.connect() as other:  # as a database restart would
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    return Done(), 201


@views.get("/read-that-writes")
@api()
def read_that_writes():
    _department("written by a GET")
    return Done()


@views.get("/declared-write")
@api(transaction="write")
def declared_write():
    _department("written by a declared GET")
    return Done()


@views.post("/undeclared-own")
@api()
def undeclared_own():
    statement_per_transaction()
    return Done()


@pytest.fixture(scope="module")
def tx_app(app):
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
                        "TESTING": True})
    other.register_blueprint(views, url_prefix="/t")
    yield other
    with other.app_context():
        from server.core.extensions import db

        db.engine.dispose()


def _names(db) -> set[str]:
    """The departments other sessions have committed (read in a transaction of its own, then ended: on
    SQLite it holds the write lock)."""
    db.session.rollback()
    try:
        return set(db.session.scalars(select(Department.name)))
    finally:
        db.session.rollback()


def _take(db, name: str) -> None:
    with transaction():
        db.session.add(Department(name=name))


# --- what the wrapper does ---------------------------------------------------------------------------

def test_a_write_route_has_committed_when_it_answers(app, committing_db):
    staff = Factory(committing_db).staff()
    committing_db.session.commit()
    with app.test_request_context():
        token, _ = issue_token(staff.id, version=staff.token_version)
    start = utcnow() + timedelta(days=3)
    r = app.test_client().post(f"{API}/events", headers={"Authorization": f"Bearer {token}"}, json={
        "title": "提交测试", "kind": "activity", "location": "活动室",
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()})
    assert r.status_code == 201, r.json
    with committing_db.engine.connect() as other:  # another connection sees it: it was committed
        assert other.execute(select(Event.title).where(Event.id == r.json["id"])).scalar() == "提交测试"


def test_a_coded_error_after_a_flush_leaves_nothing_stored(tx_app, committing_db):
    r = tx_app.test_client().post("/t/refuse-after-flush")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "event_full"
    assert _names(committing_db) == set()


def test_a_clash_at_commit_answers_write_conflict_and_stores_nothing(tx_app, committing_db):
    _take(committing_db, "taken")
    r = tx_app.test_client().post("/t/clash-at-commit")
    assert r.status_code == 409, r.json
    assert r.json["error"]["code"] == "write_conflict" and r.json["error"]["message"]
    assert _names(committing_db) == {"taken"}  # nor the row flushed before the clash


def test_an_expected_conflict_in_a_savepoint_lets_the_request_commit_the_rest(tx_app, committing_db):
    _take(committing_db, "taken")
    r = tx_app.test_client().post("/t/conflict-in-savepoint")
    assert r.status_code == 201, r.json
    assert _names(committing_db) == {"taken", "the request's other work", "written after the conflict"}


def test_a_lost_connection_at_commit_answers_503_and_stores_nothing(tx_app, committing_db):
    if committing_db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no connection to lose")
    r = tx_app.test_client().post("/t/lose-connection-at-commit")
    assert r.status_code == 503, r.json
    assert r.json["error"]["code"] == "service_unavailable" and r.headers["Retry-After"]
    assert _names(committing_db) == set()


def test_a_get_that_writes_fails_loudly_unless_it_says_so(tx_app, committing_db):
    client = tx_app.test_client()
    r = client.get("/t/read-that-writes")
    assert r.status_code == 500 and r.json["error"]["code"] == "internal_error"
    assert _names(committing_db) == set()
    r = client.get("/t/declared-write")
    assert r.status_code == 200
    assert _names(committing_db) == {"written by a declared GET"}


def test_only_a_view_declared_own_may_commit_statement_by_statement(tx_app, committing_db):
    r = tx_app.test_client().post("/t/undeclared-own")
    assert r.status_code == 500 and r.json["error"]["code"] == "internal_error"


def test_the_hot_paths_declare_their_own_transaction(app):
    from server.core.api import _REGISTRY

    own = sorted(f"{m} {rule.rule}" for rule in app.url_map.iter_rules()
                 for m in rule.methods or () if _REGISTRY.get(app.view_functions[rule.endpoint], {})
                 .get("transaction") == "own" and m not in ("HEAD", "OPTIONS"))
    assert own == [f"POST {API}/benefits/<int:benefit_id>/claims", f"POST {API}/benefits/<int:benefit_id>/redemptions",
                   f"POST {API}/checkins", f"POST {API}/checkouts",
                   f"POST {API}/events/<int:event_id>/registrations",
                   f"POST {API}/slots/<int:slot_id>/bookings"]


def test_a_job_transaction_commits_or_rolls_back_as_one(app, committing_db):
    with pytest.raises(RuntimeError), transaction():
        committing_db.session.add(Department(name="half a job"))
        committing_db.session.flush()
        raise RuntimeError("the job fails half-way")
    assert _names(committing_db) == set()
    with transaction():
        committing_db.session.add(Department(name="a whole job"))
    assert committing_db.session.scalar(select(func.count()).select_from(Department)) == 1


# --- where commits may be written -------------------------------------------------------------------

# (file, function) → why it may end a transaction itself. Anything else under server/ that calls
# .commit() fails here: a route or a service hands its work to @api, a job to extensions.transaction().
ALLOWED_COMMITS = {
    ("server/core/api.py", "_commit"): "the request's one commit, in @api",
    ("server/core/extensions.py", "transaction"): "the unit of work of jobs, commands and workers",
    ("server/core/extensions.py", "ordinary_transaction"): "ends statement_per_transaction() early (sign-up again)",
    # The delivery worker's hot path: claim, send and record are separate transactions by design
    # (docs/delivery.md), each explicit where it happens.
    ("server/notices/delivery.py", "claim"): "claims due rows (a lease) before any provider call",
    ("server/notices/delivery.py", "_turn"): "records finished calls and marks starting ones sending",
    ("server/notices/delivery.py", "record"): "records outcomes where the claim still holds",
    ("server/notices/delivery.py", "reconcile"): "settles rows a dead worker left sending",
    ("server/notices/delivery.py", "_take_stale"): "claims those rows first",
    ("server/notices/delivery.py", "_finish"): "marks notices with nothing left in flight sent",
    ("server/notices/delivery.py", "heartbeat"): "the worker's liveness row, its own step (docs/operations.md)",
    ("server/notices/delivery.py", "_drop_heartbeat"): "a worker stopping cleanly removes its row",
    # A department head's public form (no account, so no @api): its one write, committed before the page.
    ("server/proposals/pages_routes.py", "head_post"): "the head's progress update through a signed link",
}
# Rollbacks that end more than a savepoint: the error handlers, the job helper, the health probe and
# the roster import that found nothing to import.
ALLOWED_ROLLBACKS = {
    ("server/core/errors.py", "_rollback"), ("server/core/extensions.py", "transaction"),
    ("server/health.py", "healthz"), ("server/health.py", "healthz_details"),  # read-only probes ending their read
    ("server/metrics.py", "collect"),  # a scrape's read-only queries, ended (or a failed one cleared)
    ("server/notices/delivery.py", "heartbeat"), ("server/notices/delivery.py", "_drop_heartbeat"),  # own steps
    ("server/backup/services.py", "_pg_dump"),  # ends the exported snapshot's read-only transaction
    ("server/members/cli.py", "import_command"),
    ("server/fund/cli.py", "verify_command"),  # a read-only command ending its read, nothing written to undo
    ("server/suggestions/services.py", "file_held"),  # its own savepoint (begin_nested), not the job's work
    ("server/surveys/answering.py", "file_held"),  # its own savepoint (begin_nested), not the job's work
}


def _calls(method: str) -> set[tuple[str, str]]:
    """(file, innermost function) of every ``<anything>.<method>()`` call in server/, migrations aside."""
    found = set()
    for path in (ROOT / "server").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("server/migrations/"):
            continue

        def visit(node, where, rel=rel):
            for child in ast.iter_child_nodes(node):
                inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else where
                if (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                        and child.func.attr == method):
                    found.add((rel, where))
                visit(child, inner)

        visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


def test_only_the_declared_places_commit():
    found = _calls("commit")
    assert found - set(ALLOWED_COMMITS) == set(), "commit in a route or service: let @api or transaction() do it"
    assert set(ALLOWED_COMMITS) <= found  # the list stays true: a place that no longer commits leaves it


def test_only_the_declared_places_roll_back():
    found = _calls("rollback")
    assert found - ALLOWED_ROLLBACKS == set(), "rollback in a route or service: use savepoint(), or raise"
    assert found >= ALLOWED_ROLLBACKS
