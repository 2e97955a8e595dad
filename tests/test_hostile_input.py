"""No client input yields a 500: every route, with out-of-range ids, page numbers, times and text.

Two halves: a static check that every number, text and time a client can send is bounded by its schema
(the database has limits a bare ``int`` or ``str`` does not), and a sweep of every route with hostile
path ids and query values, as staff and as a plain member, on the test's database.
"""
from __future__ import annotations

import re

import pytest

from server.core.api import _REGISTRY

API = "/api/v1"
HUGE = "99999999999999999999"
# Values for every query parameter: far too big, negative, a far-off or malformed time, long text, junk.
HOSTILE_QUERY = [HUGE, "-1", "0", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01",
                 "9999-12-31", "x" * 5000, "\x00", "[]"]


def _input_schemas(app) -> set:
    """Every body and query schema of the app's routes (the registry fills as blueprints load)."""
    models = {meta[key] for meta in _REGISTRY.values() for key in ("body", "query") if meta[key] is not None}
    assert len(models) > 20
    return models


def _walk(schema: dict, defs: dict, path: str, seen: set):
    """(path, leaf schema) for every leaf of a JSON schema, following $refs once."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        yield from _walk(defs[name], defs, path, seen | {name})
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _walk(sub, defs, path, seen)
    if schema.get("type") == "object":
        for name, sub in schema.get("properties", {}).items():
            yield from _walk(sub, defs, f"{path}.{name}", seen)
        if isinstance(schema.get("additionalProperties"), dict):
            yield from _walk(schema["additionalProperties"], defs, f"{path}.*", seen)
        if isinstance(schema.get("propertyNames"), dict):
            yield from _walk(schema["propertyNames"], defs, f"{path}.<key>", seen)
    elif schema.get("type") == "array":
        if "maxItems" not in schema:
            yield path, {"unbounded": "array"}
        yield from _walk(schema.get("items", {}), defs, f"{path}[]", seen)
    elif "type" in schema:
        yield path, schema


def test_every_number_text_and_list_a_client_sends_is_bounded(app):
    unbounded = []
    for model in _input_schemas(app):
        schema = model.model_json_schema()
        for path, leaf in _walk(schema, schema.get("$defs", {}), model.__name__, set()):
            kind = leaf.get("type")
            if leaf.get("unbounded"):
                unbounded.append(f"{path}: list without a maximum length")
            elif kind == "integer" and ("maximum" not in leaf and "exclusiveMaximum" not in leaf):
                unbounded.append(f"{path}: integer without a maximum")
            elif kind == "string" and "maxLength" not in leaf and not ({"enum", "const", "format"} & leaf.keys()):
                unbounded.append(f"{path}: text without a maximum length")
    assert not unbounded, "\n".join(sorted(unbounded))


def _unchecked_times(annotation, checked: bool = False):
    """Names of date/datetime types inside a (possibly Optional, list or Annotated) annotation that no
    range check wraps."""
    import datetime
    import typing

    import pydantic

    from server.core.api import _plausible

    pydantic_times = (pydantic.AwareDatetime, pydantic.NaiveDatetime, pydantic.FutureDatetime,
                      pydantic.PastDatetime, pydantic.FutureDate, pydantic.PastDate)

    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        checked = checked or any(getattr(m, "func", None) is _plausible for m in meta)
        return _unchecked_times(base, checked)
    args = typing.get_args(annotation)
    if args:
        return [name for a in args for name in _unchecked_times(a, checked)]
    if isinstance(annotation, type) and issubclass(annotation, (datetime.date, *pydantic_times)) and not checked:
        return [annotation.__name__]
    return []


def test_every_time_and_day_a_client_sends_is_range_checked(app):
    """Far-off years overflow on the way to UTC or the database: every time is an api.Timestamp and every
    day an api.Day, which refuse them with a 400."""
    loose = [f"{model.__name__}.{name} ({', '.join(kinds)})" for model in _input_schemas(app)
             for name, field in model.model_fields.items()
             if (kinds := _unchecked_times(field.rebuild_annotation()))]
    assert not loose, f"use api.Timestamp or api.Day for: {loose}"


def _routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API):
            continue
        view = app.view_functions[rule.endpoint]
        yield rule, _REGISTRY.get(view)


def _path(rule, value: str) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", value, rule.rule)


@pytest.fixture
def callers(make, auth):
    admin = make.member(roles=("member", "staff", "secretary", "admin"))
    return {"admin": auth(admin), "member": auth(make.member())}


def test_out_of_range_ids_in_urls_are_404(app, client, callers):
    checked = 0
    for rule, _meta in _routes(app):
        if "<int:" not in rule.rule:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who, headers in callers.items():
                r = client.open(_path(rule, HUGE), method=method, json={}, headers=headers)
                assert r.status_code == 404, (method, rule.rule, who, r.status_code, r.get_json())
                assert r.get_json()["error"]["code"] == "not_found"
                checked += 1
    assert checked > 20


def test_hostile_query_values_never_give_a_500(app, client, callers):
    checked = 0
    for rule, meta in _routes(app):
        if meta is None or meta["query"] is None:
            continue
        params = list(meta["query"].model_json_schema().get("properties", {}))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who, headers in callers.items():
                for param in params:
                    for value in HOSTILE_QUERY:
                        r = client.open(_path(rule, "1"), method=method, query_string={param: value},
                                        headers=headers)
                        assert r.status_code < 500, (method, rule.rule, who, param, value[:40], r.get_json())
                        checked += 1
    assert checked > 100


@pytest.mark.parametrize("payload", [{"m": "1", "v": 0}, {"m": 2**40, "v": 0}, {"m": True}, {"m": 1, "v": "0"},
                                     {"m": 1, "v": True}, {"m": 1, "v": None}, {"w": -1}, {"w": 1.5}, {"v": 0}, []])
def test_malformed_token_payloads_are_401(app, client, make, payload):
    """Even a token signed with our own key but malformed inside is refused, on plain and hot routes."""
    from itsdangerous import URLSafeTimedSerializer

    from server.core.config import secret_keys

    make.member()
    token = URLSafeTimedSerializer(secret_keys(app.config, "TOKEN_SECRET_KEY")[0], salt="auth-token").dumps(payload)
    routes = (("GET", f"{API}/me"), ("POST", f"{API}/events/1/registrations"), ("POST", f"{API}/slots/1/bookings"))
    for method, path in routes:
        r = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated", (payload, path)


@pytest.mark.parametrize("body", [{"employee_no": "x" * 32, "password": "p" * 200},
                                  {"employee_no": "工号'; --", "password": "密码"},
                                  {"employee_no": " ", "password": " "}])
def test_hostile_console_sign_ins_are_refused_alike(client, body):
    r = client.post(f"{API}/auth/password-login", json=body)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_credentials"


# --- control characters, repeated keys ----------------------------------------------------------

# One of each kind: NUL (a 500 on PostgreSQL before), other C0 controls, DEL and a C1 control.
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x85"]
REFUSED = "不能包含控制字符"


def _string_fields(model) -> list[str]:
    """Every string a body schema takes, as the dotted path the 400 names (``options.0.label``)."""
    schema = model.model_json_schema()
    fields = set()
    for path, leaf in _walk(schema, schema.get("$defs", {}), "", set()):
        if leaf.get("type") == "string" and "<key>" not in path:
            fields.add(path.lstrip(".").replace("[]", ".0").replace("*", "k"))
    return sorted(fields)


def _document(path: str, value: str) -> dict:
    """The smallest JSON document with ``value`` at ``path``."""
    parts = path.split(".")
    doc: dict = {}
    node: dict | list = doc
    for part, after in zip(parts, parts[1:] + [None], strict=True):
        child = value if after is None else ([] if after.isdigit() else {})
        if isinstance(node, list):
            node.append(child)
        else:
            node[part] = child
        node = child
    return doc


def _row_counts(db) -> dict[str, int]:
    from sqlalchemy import func, select

    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_a_control_character_in_any_string_of_any_body_is_refused_naming_the_field(app, client, db, callers):
    """Generated from the schemas: each string field of each route that takes a body, with NUL and another
    control character, is a 400 naming that field, and nothing is stored. A route without a body schema, or
    whose body has no string, gets one unknown field (it refuses fields all the same)."""
    from server.core import ratelimit

    before = _row_counts(db)
    writes, checked = set(), set()
    for rule, meta in _routes(app):
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            writes.add((rule.rule, method))
            # A body of numbers only (a score, an id list) is still checked, with a field it does not take.
            fields = (_string_fields(meta["body"]) if meta and meta["body"] else []) or ["note"]
            for i, field in enumerate(fields):
                for char in ("\x00", CONTROLS[1 + i % (len(CONTROLS) - 1)]):
                    if meta and "application/json" not in meta["consumes"]:  # a file upload: its form fields
                        r = client.open(_path(rule, "1"), method=method, data={field: f"正文{char}结束"},
                                        content_type="multipart/form-data", headers=callers["admin"])
                    else:
                        r = client.open(_path(rule, "1"), method=method, json=_document(field, f"正文{char}结束"),
                                        headers=callers["admin"])
                    assert r.status_code == 400, (method, rule.rule, field, repr(char), r.status_code, r.get_json())
                    assert r.get_json()["error"]["code"] == "invalid_request"
                    assert r.get_json()["error"]["details"]["fields"].get(field) == REFUSED, (rule.rule, r.get_json())
                    checked.add((rule.rule, method, field))
                with app.app_context():
                    ratelimit.reset()  # sign-in routes are throttled per address
    assert {(route, method) for route, method, _ in checked} == writes
    assert len(writes) > 20
    assert _row_counts(db) == before


def test_text_that_would_be_stored_is_refused_on_every_database(client, db, make, auth):
    """Valid requests but for one control character: before, SQLite stored it and PostgreSQL failed."""
    from sqlalchemy import func, select

    from server.events.models import Event

    staff = auth(make.staff())
    make.member(employee_no="N0001")
    event = {"title": "篮球赛\x00", "kind": "activity", "location": "体育馆", "description": "第一行\n\t第二行",
             "starts_at": "2030-05-01T09:00:00+08:00", "ends_at": "2030-05-01T11:00:00+08:00"}
    r = client.post(f"{API}/events", json=event, headers=staff)
    assert r.status_code == 400 and r.json["error"]["details"]["fields"] == {"title": REFUSED}
    r = client.post(f"{API}/auth/dev-login", json={"employee_no": "N0001\x00"})
    assert r.status_code == 400 and r.json["error"]["details"]["fields"] == {"employee_no": REFUSED}
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    # Newline, tab and carriage return are text, not control.
    r = client.post(f"{API}/events", json={**event, "title": "篮球赛", "description": "第一行\r\n\t第二行"},
                    headers=staff)
    assert r.status_code == 201, r.json
    assert db.session.get(Event, r.json["id"]).description == "第一行\r\n\t第二行"


def test_control_characters_in_keys_and_nested_values_are_named(client, make, auth):
    staff = auth(make.staff())
    r = client.post(f"{API}/events", json={"audience": {"departments": ["一部", "二\x00部"]}}, headers=staff)
    assert r.json["error"]["details"]["fields"] == {"audience.departments.1": REFUSED}
    r = client.post(f"{API}/events", json={"ti\x00tle": "x"}, headers=staff)
    assert r.status_code == 400 and r.json["error"]["details"]["fields"] == {"body": "字段名" + REFUSED}


def test_a_key_given_twice_is_refused_naming_it(client, make, auth):
    staff = auth(make.staff())
    for raw, field in [(b'{"title": "a", "kind": "activity", "title": "b"}', "title"),
                       (b'{"audience": {"tags": ["x"], "tags": []}}', "audience.tags")]:
        r = client.post(f"{API}/events", data=raw, content_type="application/json", headers=staff)
        assert r.status_code == 400, r.json
        assert r.json["error"]["details"]["fields"] == {field: "字段重复"}


def test_a_control_character_in_any_query_value_is_refused_naming_it(app, client, callers):
    checked = 0
    for rule, meta in _routes(app):
        if meta is None or meta["query"] is None:
            continue
        for param in meta["query"].model_json_schema().get("properties", {}):
            for char in CONTROLS:
                r = client.get(_path(rule, "1"), query_string={param: f"a{char}b"}, headers=callers["admin"])
                assert r.status_code == 400, (rule.rule, param, repr(char), r.status_code)
                assert r.json["error"]["details"]["fields"] == {param: REFUSED}
                checked += 1
    assert checked > 50


@pytest.mark.parametrize("header", ["X-Receipt", "Authorization", "X-Anything"])
def test_a_control_character_in_a_header_is_refused_naming_it(client, make, auth, header):
    """Where the server in front lets it through (gunicorn already refuses NUL, see test_http_stack)."""
    for char in ["\x00", "\x01", "\x1f", "\x7f"]:
        r = client.get(f"{API}/suggestions/mine", headers={header: f"7K3M{char}Q9RT"})
        assert r.status_code == 400, (header, repr(char))
        assert r.json["error"]["details"]["fields"] == {header: REFUSED}
    # UTF-8 arrives as obs-text (0x80-0xFF in WSGI's latin-1 strings): allowed by RFC 9110, not refused.
    r = client.get(f"{API}/ping", headers={"X-Anything": "工会".encode().decode("latin-1"), "User-Agent": "a\tb"})
    assert r.status_code == 200


@pytest.mark.parametrize("path", ["/e/1", "/n/1", "/console/", "/healthz", "/api/v1/ping"])
def test_routes_outside_the_api_wrapper_refuse_control_characters_too(client, path):
    r = client.get(path, query_string={"src": "poster\x00"})
    assert r.status_code == 400 and r.json["error"]["details"]["fields"] == {"src": REFUSED}
    r = client.get(path, headers={"X-Receipt": "a\x01"})
    assert r.status_code == 400 and r.json["error"]["details"]["fields"] == {"X-Receipt": REFUSED}


def test_every_route_that_takes_a_body_refuses_another_media_type_and_an_oversized_body(app, client, callers):
    """415 for a JSON body labelled otherwise; 413 for a body over the limit, declared or chunked (a chunked
    one used to be cut at the limit and read as if whole)."""
    import io

    from server.core import ratelimit

    checked = 0
    for rule, _meta in _routes(app):
        # A route's own limit (@api(max_body=...): photos, the roster) holds only for the media type it
        # consumes; a JSON body keeps the app's.
        limit = app.config["MAX_CONTENT_LENGTH"]
        oversized = b'{"note": "x"}' + b" " * limit
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            path, headers = _path(rule, "1"), callers["admin"]
            r = client.open(path, method=method, data=b'{"note": "x"}', content_type="text/plain", headers=headers)
            assert (r.status_code, r.json["error"]["code"]) == (415, "unsupported_media_type"), (method, rule.rule)
            r = client.open(path, method=method, data=oversized, content_type="application/json", headers=headers)
            assert (r.status_code, r.json["error"]["code"]) == (413, "payload_too_large"), (method, rule.rule)
            r = client.open(path, method=method, input_stream=io.BytesIO(oversized), content_type="application/json",
                            headers={**headers, "Transfer-Encoding": "chunked"},
                            environ_overrides={"wsgi.input_terminated": True})
            assert (r.status_code, r.json["error"]["code"]) == (413, "payload_too_large"), (method, rule.rule)
            checked += 1
            with app.app_context():
                ratelimit.reset()
    assert checked > 20
