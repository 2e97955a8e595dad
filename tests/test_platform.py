"""Health, OpenAPI, errors for every kind of failure, configuration and migrations."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from server import create_app
from server.core.config import ConfigError, load_config

API = "/api/v1"


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok", "database": "ok"}


def test_unreachable_database_is_503_not_500(tmp_path):
    # Nothing listens on port 1: the database is "down".
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
                      "SECRET_KEY": "k" * 40, "AUTH_DEV_LOGIN": True})
    client = app.test_client()
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json["database"] == "unavailable"
    r = client.post(f"{API}/auth/dev-login", json={"employee_no": "E1"})
    assert r.status_code == 503 and r.json["error"]["code"] == "service_unavailable"
    assert r.headers["Retry-After"]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="a database server restart needs PostgreSQL")
def test_database_restart_mid_run_recovers(app):
    """Every pooled connection is cut (as by a PostgreSQL restart): at most one request is told to
    retry (503 service_unavailable with Retry-After, never a 500), and the ones after it succeed."""
    url = app.config["DATABASE_URL"]
    url += ("&" if "?" in url else "?") + "application_name=restart_test"
    own = create_app({"DATABASE_URL": url, "SECRET_KEY": "k" * 40, "AUTH_DEV_LOGIN": True})
    client = own.test_client()

    def sign_in():  # reads the roster: a request that needs the database (nobody is on it: 404)
        return client.post(f"{API}/auth/dev-login", json={"employee_no": "NOBODY"})

    assert [sign_in().status_code for _ in range(3)] == [404] * 3
    admin = create_engine(os.environ["TEST_DATABASE_URL"])
    with admin.begin() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'restart_test'"
        )).scalar()
    admin.dispose()
    assert killed >= 1
    answers = [sign_in() for _ in range(4)]
    statuses = [r.status_code for r in answers]
    # The first request on a dead connection may fail; the pool is then invalidated and reconnects.
    assert statuses in ([503, 404, 404, 404], [404] * 4), statuses
    if statuses[0] == 503:
        assert answers[0].json["error"]["code"] == "service_unavailable"
        assert answers[0].headers["Retry-After"]
    assert client.get("/healthz").status_code == 200
    with own.app_context():
        from server.core.extensions import db

        db.engine.dispose()


def test_errors_share_one_shape(client, make, auth):
    h = auth(make.member())
    for r, status, code in [
        (client.get(f"{API}/nowhere"), 404, "not_found"),
        (client.put(f"{API}/events", headers=h), 405, "method_not_allowed"),
        (client.get(f"{API}/me"), 401, "unauthenticated"),
        (client.get(f"{API}/me", headers={"Authorization": "Bearer x.y.z"}), 401, "unauthenticated"),
        (client.get(f"{API}/me", headers={"Authorization": "Basic abc"}), 401, "unauthenticated"),
        (client.post(f"{API}/auth/login", data=b"\xff\xfe", content_type="application/json"), 400, "invalid_request"),
        (client.post(f"{API}/auth/login", json={"code": 5}), 400, "invalid_request"),
        (client.post(f"{API}/auth/login", json={}), 400, "invalid_request"),
    ]:
        assert r.status_code == status, (r.request.path, r.json)
        assert set(r.json) == {"error"} and r.json["error"]["code"] == code
        assert r.json["error"]["message"] and isinstance(r.json["error"]["details"], dict)


def test_a_route_without_a_body_still_refuses_fields(client, make, auth):
    """API.md Conventions: unknown fields are refused, also where a route takes no body at all."""
    ev = make.event()
    h = auth(make.member())
    r = client.post(f"{API}/events/{ev.id}/registrations", json={"note": "帮我留个座"}, headers=h)
    assert r.status_code == 400 and r.json["error"]["details"]["fields"] == {"note": "不允许的字段"}
    r = client.post(f"{API}/events/{ev.id}/registrations", data=b"not json", content_type="application/json",
                    headers=h)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_request"
    # Nothing at all, or an empty object, is what such a route takes.
    assert client.post(f"{API}/events/{ev.id}/registrations", headers=h).status_code == 201
    assert client.post(f"{API}/events/{ev.id}/registrations", json={}, headers=h).status_code == 200


def test_openapi_names_receipt_headers_and_repeat_answers(client):
    doc = client.get(f"{API}/openapi.json").json
    for path, method in [("/api/v1/suggestions/mine", "get"), ("/api/v1/suggestions/mine/messages", "post")]:
        params = doc["paths"][path][method]["parameters"]
        assert any(p["name"] == "X-Receipt" and p["in"] == "header" and p["required"] for p in params), path
    for path in ["/api/v1/events/{event_id}/registrations", "/api/v1/checkins", "/api/v1/slots/{slot_id}/bookings"]:
        assert {"200", "201"} <= doc["paths"][path]["post"]["responses"].keys(), path


def test_openapi_names_the_refusals_of_a_body(client):
    doc = client.get(f"{API}/openapi.json").json
    for path, method in [("/api/v1/events", "post"), ("/api/v1/events/{event_id}/registrations", "post")]:
        responses = doc["paths"][path][method]["responses"]
        assert responses["413"]["description"] == "payload_too_large"
        assert responses["415"]["description"] == "unsupported_media_type"
    assert "413" not in doc["paths"]["/api/v1/events"]["get"]["responses"]


def test_openapi_describes_every_route(app, client):
    from openapi_spec_validator import validate

    doc = client.get(f"{API}/openapi.json").json
    validate(doc)  # a valid OpenAPI 3.1 document, refs and all
    documented = {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/console"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    create = doc["paths"]["/api/v1/events"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.split("/")[-1]]
    assert {"title", "kind", "location", "starts_at", "ends_at"} <= set(schema["required"])
    assert "ErrorResponse" in doc["components"]["schemas"]
    # Output times are documented as date-times (always with +08:00).
    assert doc["components"]["schemas"]["EventOut"]["properties"]["starts_at"]["format"] == "date-time"


def test_production_refuses_unsafe_defaults():
    base = {"APP_ENV": "production", "WECHAT_APPID": "wx1", "WECHAT_SECRET": "s",
            "DATABASE_URL": "postgresql+psycopg://union@db/union", "REDIS_URL": "redis://redis:6379/0",
            "PUBLIC_BASE_URL": "https://union.example.cn", "SMS_PROVIDER": "tencent"}
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(base)
    with pytest.raises(ConfigError, match="AUTH_DEV_LOGIN"):
        load_config({**base, "SECRET_KEY": "k" * 40, "AUTH_DEV_LOGIN": "1"})
    with pytest.raises(ConfigError, match="WECHAT"):
        load_config({"APP_ENV": "production", "SECRET_KEY": "k" * 40})
    keys = {name: "k" * 40 for name in ("TOKEN_SECRET_KEY", "QR_SECRET_KEY", "RECEIPT_SECRET_KEY")}
    assert load_config({**base, **keys, "SECRET_KEY": "k" * 40})["APP_ENV"] == "production"


def test_migrations_build_the_same_schema_as_the_models(tmp_path):
    """`flask db upgrade` on an empty database yields exactly the models' schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from server.core.extensions import db

    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "k" * 40})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="PostgreSQL only: take_booking() is a plpgsql function")
def test_migrations_on_postgresql_build_the_models_schema_and_the_same_take_booking():
    """On PostgreSQL the migrations also create take_booking(), with exactly the text the models create
    (the migration keeps its own copy, as migrations must): a change to one without the other fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from server.bookings.models import TAKE_BOOKING_SQL
    from server.core.extensions import db
    from tests.conftest import _pg_schema_url

    url = _pg_schema_url(os.environ["TEST_DATABASE_URL"], f"migrated_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "k" * 40})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
            migrated = conn.execute(text("SELECT prosrc FROM pg_proc WHERE proname = 'take_booking' "
                                         "AND pronamespace = current_schema()::regnamespace")).scalar_one()
        db.engine.dispose()
    drop = create_engine(os.environ["TEST_DATABASE_URL"])
    with drop.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "test_migrated_{os.environ.get("PYTEST_XDIST_WORKER", "main")}" CASCADE'))
    drop.dispose()
    assert diff == []
    body = TAKE_BOOKING_SQL.split("$$")[1]
    assert migrated == body
