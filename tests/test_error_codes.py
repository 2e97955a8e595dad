"""The catalogue of error codes: every code the app answers is in it, with the contract's status, and the
OpenAPI document and the answers themselves take their status from it."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from server.core.api import _REGISTRY, api
from server.core.error_codes import CATALOGUE
from server.core.errors import _HTTP, AppError, error_document

API = "/api/v1"
ROOT = Path(__file__).resolve().parent.parent
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Statuses fixed by API.md (and, for the HTTP-level codes, by what the app has always answered): the catalogue
# may grow, but none of these may change.
CONTRACT = {
    "invalid_request": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404, "method_not_allowed": 405,
    "payload_too_large": 413, "uri_too_long": 414, "unsupported_media_type": 415, "rate_limited": 429,
    "header_fields_too_large": 431, "internal_error": 500, "service_unavailable": 503,
    "wechat_login_failed": 401, "not_on_roster": 404, "already_bound": 409, "not_bound": 403,
    "wechat_unavailable": 503, "invalid_credentials": 401,
    "not_eligible": 403, "signup_closed": 409, "event_full": 409, "event_cancelled": 409, "event_started": 409,
    "event_ended": 409, "capacity_below_confirmed": 409, "already_checked_in": 409,
    "invalid_token": 400, "token_expired": 400, "not_registered": 403, "checkin_closed": 409,
    "empty_audience": 400, "poster_font_missing": 503,
    "slot_full": 409, "booking_limit": 409, "slot_not_open": 409, "cancel_cutoff_passed": 409, "slot_overlap": 409,
    "slot_cancelled": 409, "capacity_below_booked": 409,
    "suggestion_closed": 409, "no_staff_reply": 409,
}


def _codes_in_source() -> list[tuple[str, str]]:
    """(where, code) for every code the code base names: AppError(...) and error_response(...) calls and
    @api(errors=[...]) declarations. A call whose code is not a literal is reported as such, so that every
    code stays grep-able."""
    found = []
    files = [*(ROOT / "server").rglob("*.py"), *(ROOT / "notifications").rglob("*.py"), ROOT / "gunicorn.conf.py"]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Routes may share a list of codes (errors=SIGNUP_ERRORS): module-level assignments by name.
        named = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                 if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if name in ("AppError", "error_response") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((where, arg.value))
                elif path.name != "errors.py":  # errors.py renders codes it was given or maps from _HTTP
                    found.append((where, f"<not a literal: {ast.unparse(arg)}>"))
            if name == "api":
                for kw in node.keywords:
                    if kw.arg == "errors":
                        for part in ast.walk(kw.value):
                            if isinstance(part, ast.Name):
                                part = named[part.id]
                            found += [(where, c.value) for c in ast.walk(part)
                                      if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return found


def test_every_code_the_app_names_is_in_the_catalogue():
    found = _codes_in_source()
    assert len(found) > 60  # the scan does see the call sites
    assert [(where, code) for where, code in found if code not in CATALOGUE] == []
    assert set(_HTTP.values()) <= set(CATALOGUE)


def test_the_catalogue_keeps_the_contracts_statuses_and_speaks_chinese():
    assert {code: CATALOGUE[code].status for code in CONTRACT} == CONTRACT
    for code, entry in CATALOGUE.items():
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code)
        assert CHINESE.search(entry.message), code
        assert entry.description and not CHINESE.search(entry.description), code


def test_an_error_takes_status_and_message_from_the_catalogue():
    e = AppError("slot_full")
    assert (e.status, e.message, e.details) == (409, "该时段已约满", {})
    # A call site may say more, never answer with another status.
    e = AppError("booking_limit", "最多可同时预约 2 个", details={"max_active_per_member": 2})
    assert (e.status, e.message) == (409, "最多可同时预约 2 个")
    with pytest.raises(TypeError):
        AppError("slot_full", "该时段已约满", 400)
    with pytest.raises(KeyError):
        AppError("slot_fulll")
    assert error_document(414) == {"error": {"code": "uri_too_long", "message": "请求地址过长", "details": {}}}


def test_a_route_declaring_an_unknown_code_fails_at_import():
    with pytest.raises(ValueError, match="slot_fulll"):
        api(errors=["slot_full", "slot_fulll"])


def test_openapi_lists_each_declared_code_under_its_status(app, client):
    doc = client.get(f"{API}/openapi.json").json
    checked = 0
    for rule in app.url_map.iter_rules():
        meta = _REGISTRY.get(app.view_functions[rule.endpoint])
        if meta is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            responses = doc["paths"][path][method.lower()]["responses"]
            for code in meta["errors"]:
                assert code in responses[str(CATALOGUE[code].status)]["description"].split(", "), (path, code)
                checked += 1
    assert checked > 30
    described = doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["oneOf"]
    assert {d["const"]: d["description"] for d in described} == {
        code: f"{entry.status}: {entry.description}" for code, entry in CATALOGUE.items()}


def test_refusals_answer_with_the_catalogues_status_and_a_chinese_message(client, make, auth):
    member = make.member()
    full = make.event(capacity=1, waitlist=False)
    assert client.post(f"{API}/events/{full.id}/registrations", headers=auth(make.member())).status_code == 201
    make.member(department="财务部")
    closed = make.event(audience={"departments": ["财务部"]})
    answers = {
        "event_full": client.post(f"{API}/events/{full.id}/registrations", headers=auth(member)),
        "not_eligible": client.post(f"{API}/events/{closed.id}/registrations", headers=auth(member)),
        "not_found": client.get(f"{API}/events/999999", headers=auth(member)),
        "forbidden": client.post(f"{API}/events/{full.id}/cancel", headers=auth(member)),
        "unauthenticated": client.get(f"{API}/events"),
        "method_not_allowed": client.delete(f"{API}/events"),
    }
    for code, r in answers.items():
        assert (r.status_code, r.json["error"]["code"]) == (CONTRACT[code], code)
        assert CHINESE.search(r.json["error"]["message"]), code
