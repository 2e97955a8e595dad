"""Vocabularies (server/core/vocabulary.py): the labels clients read, the values schemas take, and what the
database's CHECK constraints admit, all from one declaration per vocabulary."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from server import create_app
from server.core.vocabulary import REGISTRY, Vocabulary

API = "/api/v1"

# The labels contract the console and the mini-program are built against: names and values are fixed
# (labels may be reworded).
CONTRACT = {
    "event_kind": ["activity", "training", "health_check", "lecture", "volunteer", "meeting", "other"],
    "event_status": ["published", "cancelled"],
    "registration_status": ["confirmed", "waitlisted", "cancelled"],
    "checkin_method": ["code", "ticket"],
    "audience_kind": ["department", "grid", "tag"],
    "calendar_kind": ["health_check", "reception_day", "legal_clinic"],
    "slot_status": ["open", "cancelled"],
    "booking_status": ["booked", "cancelled"],
    # award (评优异议, issue 16): added for objections in an award's notice period; the others unchanged.
    "suggestion_category": ["workplace_safety", "pay_benefits", "canteen_facilities", "management",
                            "training_career", "award", "other"],
    "suggestion_status": ["new", "in_progress", "answered", "closed"],
    "notice_channel": ["push", "sms", "poster"],
    "notice_status": ["draft", "scheduled", "sending", "sent"],
    "delivery_status": ["queued", "sending", "sent", "failed", "skipped", "unknown", "duplicate"],
    "member_role": ["member", "liaison", "staff", "secretary", "admin", "treasurer"],
    "reminder_status": ["pending", "sent", "missed"],
}


# --- GET /meta/labels ---------------------------------------------------------------------------------

def test_labels_keep_the_contract_and_list_every_vocabulary(client):
    r = client.get(f"{API}/meta/labels")  # no sign-in: the mini-program reads them before binding
    assert r.status_code == 200 and r.mimetype == "application/json"
    labels = r.json
    for name, values in CONTRACT.items():
        assert list(labels[name]) == values, name  # display order too
    assert set(labels) == set(REGISTRY)
    for name, vocabulary in REGISTRY.items():
        assert labels[name] == {m.value: m.label for m in vocabulary}
        for value, label in labels[name].items():
            assert label.strip() and label != value, (name, value)  # a Chinese name, not the code again
    assert labels["suggestion_category"]["canteen_facilities"] == "食堂与后勤"
    assert labels["delivery_status"]["unknown"] == "状态未知"


def test_the_front_ends_tests_use_the_labels_the_server_serves(client):
    # The mini-program's Jest tests answer GET /meta/labels from this file; a relabelled or added value
    # must reach it, or those tests would pass against labels no member ever sees.
    fixture = Path(__file__).resolve().parents[1] / "miniprogram/tests/fixtures/labels.json"
    assert json.loads(fixture.read_text(encoding="utf-8")) == client.get(f"{API}/meta/labels").json, (
        "regenerate miniprogram/tests/fixtures/labels.json from GET /api/v1/meta/labels")


def test_labels_revalidate_with_their_etag(client):
    first = client.get(f"{API}/meta/labels")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(f"{API}/meta/labels")
    assert again.headers["ETag"] == etag and again.data == first.data

    unchanged = client.get(f"{API}/meta/labels", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert unchanged.headers["ETag"] == etag and unchanged.headers["Cache-Control"] == "public, max-age=300"
    # A client that stored what a proxy weakened, or several tags, is still answered 304.
    for header in (f"W/{etag}", f'"0000", {etag}'):
        assert client.get(f"{API}/meta/labels", headers={"If-None-Match": header}).status_code == 304, header

    stale = client.get(f"{API}/meta/labels", headers={"If-None-Match": '"an-older-version"'})
    assert stale.status_code == 200 and stale.json == first.json


def test_openapi_lists_the_labels_route_and_each_vocabulary(client):
    doc = client.get(f"{API}/openapi.json").json
    op = doc["paths"]["/api/v1/meta/labels"]["get"]
    assert "security" not in op
    schemas = doc["components"]["schemas"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(schemas[ref]["required"]) == set(REGISTRY)
    assert list(schemas[ref]["properties"]["notice_channel"]["properties"]) == CONTRACT["notice_channel"]
    # The schemas that validate list the allowed values, bodies and query parameters alike.
    assert schemas["EventKind"]["enum"] == CONTRACT["event_kind"]
    assert "health_check 体检" in schemas["EventKind"]["description"]
    event_in_kind = schemas["EventIn"]["properties"]["kind"]
    assert event_in_kind == {"$ref": "#/components/schemas/EventKind"}
    params = {p["name"]: p for p in doc["paths"]["/api/v1/events"]["get"]["parameters"]}
    ref = params["kind"]["schema"]["anyOf"][0]["$ref"].split("/")[-1]
    assert schemas[ref]["enum"] == CONTRACT["event_kind"]
    assert schemas["DeliveryOut"]["properties"]["channel"]["enum"] == ["push", "sms"]


# --- schemas ------------------------------------------------------------------------------------------

def test_a_value_outside_the_vocabulary_is_a_400_naming_the_choices(client, make, auth):
    h = auth(make.member(roles=["staff"]))
    body = {"title": "迎新", "kind": "party", "location": "礼堂",
            "starts_at": "2030-05-01T09:00:00+08:00", "ends_at": "2030-05-01T11:00:00+08:00"}
    r = client.post(f"{API}/events", json=body, headers=h)
    assert r.status_code == 400
    message = r.json["error"]["details"]["fields"]["kind"]
    assert message.startswith("取值无效，可选：") and "'health_check'" in message
    assert client.post(f"{API}/events", json={**body, "kind": "lecture"}, headers=h).json["kind"] == "lecture"
    r = client.get(f"{API}/events?kind=party", headers=h)
    assert r.status_code == 400 and "kind" in r.json["error"]["details"]["fields"]


# --- the database -------------------------------------------------------------------------------------

def _vocabulary_checks(metadata):
    """(table, constraint name as created, column, vocabulary, admitted values) for every vocabulary CHECK."""
    found = []
    for table in metadata.sorted_tables:
        for c in table.constraints:
            if "vocabulary" in c.info:
                found.append((table.name, c.name, c.info["column"], c.info["vocabulary"], c.info["values"]))
    return found


def assert_checks_admit_exactly_the_vocabularies(conn, metadata) -> int:
    """Evaluate each CHECK as the database holds it (reflected, not as the models write it) for every value
    of its vocabulary (admitted) and for near misses (refused). Returns how many were checked."""
    insp = inspect(conn)
    checks = _vocabulary_checks(metadata)
    for table, name, column, vocabulary, values in checks:
        held = {c["name"]: c["sqltext"] for c in insp.get_check_constraints(table)}
        assert name in held, f"{table}: no CHECK {name} in the database"
        probe = text(f"SELECT CASE WHEN ({held[name]}) THEN 1 ELSE 0 END "
                     f"FROM (SELECT CAST(:v AS VARCHAR(40)) AS {column}) AS t")
        misses = ["bogus", "", values[0].swapcase(), values[0] + " ", " " + values[0]]
        misses += [v.value for v in vocabulary if v not in values]  # a subset's other values (delivery channel)
        for v in values:
            assert conn.execute(probe, {"v": v.value}).scalar_one() == 1, (table, column, v)
        for v in misses:
            assert conn.execute(probe, {"v": v}).scalar_one() == 0, (table, column, v)
    return len(checks)


def test_every_check_admits_exactly_its_vocabulary(db):
    conn = db.session.connection()
    assert assert_checks_admit_exactly_the_vocabularies(conn, db.metadata) >= 15


def test_no_hand_written_value_list_is_left_in_the_models(db):
    for table in db.metadata.sorted_tables:
        for c in table.constraints:
            if " IN (" in str(getattr(c, "sqltext", "")):
                assert "vocabulary" in c.info, f"{table.name}.{c.name}: declare it with Vocabulary.check()"
    # Every vocabulary stored in a column of its own is held there by a CHECK; roles are a JSON list on the
    # member row (checked by the roster import and the schemas instead); a day's source is computed for the
    # answer (GET /workdays), never stored; a council topic's status is worked out from its closing time, as is
    # a benefit's phase from its windows.
    covered = {vocabulary for *_, vocabulary, _ in _vocabulary_checks(db.metadata)}
    assert {name for name, vocabulary in REGISTRY.items() if vocabulary not in covered} == {
        "member_role", "workday_source", "council_topic_status", "benefit_phase"}


def test_the_database_refuses_a_value_outside_the_vocabulary(db, make):
    ev = make.event()
    for column in ("status", "kind"):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(text(f"UPDATE events SET {column} = 'bogus' WHERE id = :id"), {"id": ev.id})
    with db.session.begin_nested():
        db.session.execute(text("UPDATE events SET status = 'cancelled' WHERE id = :id"), {"id": ev.id})


def test_the_migrated_database_holds_the_same_checks(tmp_path):
    """Alembic's comparison skips CHECK texts: the migrations' copies are proved here by what they admit."""
    from flask_migrate import upgrade

    from server.core.extensions import db

    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        from tests.conftest import _pg_schema_url

        schema_name = f"vocab_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
        url = _pg_schema_url(os.environ["TEST_DATABASE_URL"], schema_name)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "k" * 40})
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                assert assert_checks_admit_exactly_the_vocabularies(conn, db.metadata) >= 15
            db.engine.dispose()
    finally:
        if url.startswith("postgresql"):
            drop = create_engine(os.environ["TEST_DATABASE_URL"])
            with drop.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "test_{schema_name}" CASCADE'))
            drop.dispose()


# --- declaring one ------------------------------------------------------------------------------------

def test_a_value_that_could_break_the_rendered_sql_is_refused_at_declaration():
    with pytest.raises((ValueError, RuntimeError)):
        class Quoted(Vocabulary):
            bad = "it's", "坏"
    REGISTRY.pop("quoted", None)


def test_a_subset_check_names_only_its_values():
    from server.notices.models import DELIVERY_CHANNELS, NoticeChannel

    check = NoticeChannel.check("channel", only=DELIVERY_CHANNELS)
    assert str(check.sqltext) == "channel IN ('push', 'sms')" and check.name == "channel_valid"
    assert isinstance(Vocabulary, type) and NoticeChannel.push == "push" and NoticeChannel("sms").label == "短信"
