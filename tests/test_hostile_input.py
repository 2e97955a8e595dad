"""No client input yields a 500: every route, with out-of-range ids, page numbers, times and text.

Two halves: a static check that every number, text and time a client can send is bounded by its schema
(the database has limits a bare ``int`` or ``str`` does not), and a sweep of every route with hostile
path ids and query values, as staff and as a plain member, on the test's database.
"""
from __future__ import annotations

import re

import pytest

from server.api import _REGISTRY

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

    from server.api import _plausible

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

    from server.config import secret_keys

    make.member()
    token = URLSafeTimedSerializer(secret_keys(app.config, "TOKEN_SECRET_KEY")[0], salt="auth-token").dumps(payload)
    routes = (("GET", f"{API}/me"), ("POST", f"{API}/events/1/registrations"), ("POST", f"{API}/slots/1/bookings"))
    for method, path in routes:
        r = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated", (payload, path)


@pytest.mark.parametrize("body", [{"employee_no": "x" * 32, "password": "p" * 200},
                                  {"employee_no": "工号'; --", "password": "密码"}, {"employee_no": " ", "password": " "}])
def test_hostile_console_sign_ins_are_refused_alike(client, body):
    r = client.post(f"{API}/auth/password-login", json=body)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_credentials"
