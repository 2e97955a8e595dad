"""Request parsing, role checks and the OpenAPI document, all from one pydantic schema per shape.

A view declares what it takes and returns with ``@api(...)``; the same declaration validates the
request and describes the endpoint in ``/api/v1/openapi.json``.
"""
from __future__ import annotations

import functools
import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any

from flask import Flask, Response, current_app, g, request
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.json_schema import models_json_schema
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from .error_codes import CATALOGUE, check_codes
from .errors import AppError, invalid_request
from .extensions import OWN_TRANSACTION, db
from .roles import STAFF_ROLES  # noqa: F401 (imported from here by routes)


def _plausible(value):
    # Years near 1 or 9999 overflow when converted to UTC or moved by a reminder's lead time, and
    # Asia/Shanghai shows other offsets than the promised +08:00 before 1992 (summer time, local mean time).
    if not 2000 <= value.year <= 2999:
        raise ValueError("时间超出范围（2000–2999 年）")
    return value


# Every instant a client sends: ISO 8601 with an offset, within a range the database and the
# +08:00 display both handle; every calendar day likewise.
Timestamp = Annotated[AwareDatetime, AfterValidator(_plausible)]
Day = Annotated[date, AfterValidator(_plausible)]
# A department, grid or tag named in an audience (the widest of their name columns).
GroupName = Annotated[str, Field(min_length=1, max_length=100)]
# Row ids are 32-bit integers in the database: a larger number is a 400, not a database error.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Schema(BaseModel):
    """Input schema: unknown fields and loose types are refused (API.md Conventions)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Out(BaseModel):
    """Output schema."""

    model_config = ConfigDict(from_attributes=True)


class NoBody(Schema):
    """What a route that takes no body accepts: nothing, or an empty object; any field is refused."""


class QuerySchema(BaseModel):
    """Query strings are text, so values are coerced; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _plus_in_offsets(cls, v: Any) -> Any:
        # An unencoded "+08:00" arrives as " 08:00"; restore it rather than fail the request.
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+ \d\d:\d\d", v):
            return v.replace(" ", "+")
        return v


class PageQuery(QuerySchema):
    # Bounded so the offset stays a number the database takes (a far page is simply empty).
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(20, ge=1, le=100)


class ErrorBody(Out):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorResponse(Out):
    error: ErrorBody


# --- validation errors in Chinese -------------------------------------------------------------

_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "不是合法的 JSON",
    "json_type": "必须是 JSON",
    "model_type": "必须是 JSON 对象",
    "model_attributes_type": "必须是 JSON 对象",
    "dict_type": "必须是 JSON 对象",
    "list_type": "必须是数组",
    "string_type": "必须是字符串",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "int_from_float": "必须是整数",
    "bool_type": "必须是 true 或 false",
    "bool_parsing": "必须是 true 或 false",
    "datetime_type": "必须是 ISO 8601 时间",
    "datetime_parsing": "必须是 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00",
    "datetime_from_date_parsing": "必须是 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00",
    "timezone_aware": "时间必须带时区偏移，例如 +08:00",
    "date_parsing": "必须是日期，例如 2026-12-01",
    "date_from_datetime_parsing": "必须是日期，例如 2026-12-01",
    "time_parsing": "必须是时间，例如 09:00",
}


def _field_message(err: dict) -> str:
    t = err["type"]
    ctx = err.get("ctx") or {}
    if t in _MESSAGES:
        return _MESSAGES[t]
    if t in ("literal_error", "enum"):
        return f"取值无效，可选：{ctx.get('expected', '')}"
    if t == "string_too_long":
        return f"长度不能超过 {ctx.get('max_length')} 个字符"
    if t == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"长度不能少于 {ctx.get('min_length')} 个字符"
    if t == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if t == "too_short":
        return f"至少 {ctx.get('min_length')} 项"
    if t in ("greater_than_equal", "greater_than"):
        return f"不能小于{'等于' if t == 'greater_than' else ''} {ctx.get('ge', ctx.get('gt'))}"
    if t in ("less_than_equal", "less_than"):
        return f"不能大于{'等于' if t == 'less_than' else ''} {ctx.get('le', ctx.get('lt'))}"
    if t == "value_error":
        # Our own validators raise ValueError with a Chinese message.
        return str(ctx.get("error", err.get("msg", "取值无效")))
    return "取值无效"


def validation_error(e: ValidationError, prefix: str = "") -> AppError:
    fields: dict[str, str] = {}
    for err in e.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"])
        message = _field_message(err)
        named = re.match(r"([a-z_][a-z0-9_.]*): (.+)", message, re.S) if err["type"] == "value_error" else None
        if named:
            # Cross-field validators say "field: message" to name the field at fault.
            name, message = named.groups()
            loc = f"{loc}.{name}" if loc and name != loc.rsplit(".", 1)[-1] else (loc or name)
        fields.setdefault(loc or prefix or "body", message)
    return invalid_request(fields)


# --- what every request carries: text, body size, media type ---------------------------------------

# Control characters (Unicode Cc) other than tab, newline and carriage return: nobody types them, PostgreSQL
# refuses NUL in text, and the others garble exports, posters and logs. Carriage return stays because a
# pasted Windows paragraph carries it wherever a newline may be.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Header values: RFC 9110 section 5.5 allows tab, visible ASCII and obs-text (0x80-0xFF, how UTF-8 arrives
# in a WSGI header string), so there only C0 controls and DEL are refused.
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
CONTROL_MESSAGE = "不能包含控制字符"
JSON = "application/json"
MULTIPART = "multipart/form-data"


def _header_name(key: str) -> str:
    return (key[5:] if key.startswith("HTTP_") else key).replace("_", "-").title()


def refuse_control_characters() -> None:
    """Before every request, on every route (API, public pages, console): a header value or query
    parameter with a control character is a 400 invalid_request naming it in ``details.fields``.
    Bodies are checked where they are parsed (``parse_body``)."""
    environ = request.environ
    bad: dict[str, str] = {}
    values = [value for key, value in environ.items() if key[:5] == "HTTP_"]
    values.append(environ.get("CONTENT_TYPE", ""))
    # One search over all values on every request; the header at fault is looked for only after a hit.
    if _HEADER_CONTROL.search("".join(values)):
        bad.update((_header_name(key), CONTROL_MESSAGE) for key, value in environ.items()
                   if (key[:5] == "HTTP_" or key == "CONTENT_TYPE") and _HEADER_CONTROL.search(value))
    if environ.get("QUERY_STRING"):
        for key, value in request.args.items(multi=True):
            if _CONTROL.search(key):
                bad["query"] = "参数名" + CONTROL_MESSAGE
            elif _CONTROL.search(value):
                bad[key] = CONTROL_MESSAGE
    if bad:
        raise invalid_request(bad)


class _Pairs(list):
    """A JSON object as its (key, value) pairs, so that a repeated key is still seen."""


def _refuse_in_document(node: Any, path: str, bad: dict[str, str]) -> None:
    if isinstance(node, str):
        if _CONTROL.search(node):
            bad.setdefault(path or "body", CONTROL_MESSAGE)
    elif isinstance(node, _Pairs):
        seen: set[str] = set()
        for key, value in node:
            if _CONTROL.search(key):
                bad.setdefault(path or "body", "字段名" + CONTROL_MESSAGE)
                continue
            where = f"{path}.{key}" if path else key
            if key in seen:
                # Parsers disagree on which copy wins; a proxy or log may have read the other one.
                bad.setdefault(where, "字段重复")
            seen.add(key)
            _refuse_in_document(value, where, bad)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _refuse_in_document(item, f"{path}.{i}" if path else str(i), bad)


def refuse_bad_json_text(raw: bytes | str) -> None:
    """A JSON document with a repeated key or a control character in any string (key or value) is a 400
    invalid_request naming each such field (``title``, ``options.0.label``). Anything that is not JSON
    is left for the schema to refuse, in its own words."""
    bad: dict[str, str] = {}
    try:
        _refuse_in_document(json.loads(raw, object_pairs_hook=_Pairs), "", bad)
    except (ValueError, RecursionError):
        return
    if bad:
        raise invalid_request(bad)


def read_body() -> bytes:
    """The whole body, or 413 payload_too_large past MAX_CONTENT_LENGTH, however it is sent."""
    data = request.get_data(cache=False)
    limit = request.max_content_length
    # A chunked body stops at the limit without an error (Werkzeug's LimitedStream): one more byte
    # from the server's own stream tells a body of exactly the limit from a longer one.
    if (limit is not None and len(data) >= limit and request.content_length is None
            and request.environ["wsgi.input"].read(1)):
        raise RequestEntityTooLarge()
    return data


def _unsupported_media_type(consumes: Iterable[str]) -> AppError:
    return AppError("unsupported_media_type", f"请求内容格式不受支持，请使用 {'、'.join(consumes)}",
                    details={"accepted": list(consumes)})


def parse_body(model: type[BaseModel], consumes: Iterable[str] = (JSON,)) -> BaseModel:
    raw = read_body()
    if not raw.strip():
        raw = b"{}"
    elif (JSON not in consumes or request.mimetype != JSON
          or request.mimetype_params.get("charset", "utf-8").lower() not in ("utf-8", "utf8")):
        # JSON labelled as a form or as text is read otherwise by the proxies and filters on its way.
        raise _unsupported_media_type(consumes)
    refuse_bad_json_text(raw)
    try:
        return model.model_validate_json(raw)
    except ValidationError as e:
        raise validation_error(e) from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as e:
        raise validation_error(e) from None


def _in_memory(*_args: Any, **_kwargs: Any) -> io.BytesIO:
    # Werkzeug spools a file part over 500 KB to a temporary file; every body here is bounded (MAX_CONTENT_LENGTH
    # or the route's max_body), so it stays in memory instead: a member's photo with its GPS position, or a
    # roster with phone numbers, is never written to a temporary file (as with nginx's buffers, docs/deploy.md).
    return io.BytesIO()


def _refuse_bad_form_text() -> None:
    """Control characters in a multipart form's fields and file names, as in a JSON body."""
    bad = {key: CONTROL_MESSAGE for key, value in request.form.items(multi=True) if _CONTROL.search(value)}
    bad.update({key: "文件名" + CONTROL_MESSAGE for key, f in request.files.items(multi=True)
                if _CONTROL.search(f.filename or "")})
    if any(_CONTROL.search(key) for key in (*request.form, *request.files)):
        bad["body"] = "字段名" + CONTROL_MESSAGE
    if bad:
        raise invalid_request(bad)


# --- the decorator ------------------------------------------------------------------------------

_REGISTRY: dict[Callable, dict] = {}
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_TRANSACTIONS = ("read", "write", OWN_TRANSACTION)
log = logging.getLogger(__name__)


def _commit() -> None:
    """The request's one commit. A constraint that fails only now (another request stored the same
    thing first) is 409 write_conflict; a lost connection, however the driver words it, is 503 with
    Retry-After, as is a serialization failure (an OperationalError, answered by errors.py). Nothing
    was stored in either case, or (a connection lost during COMMIT itself) the retry finds it stored."""
    try:
        db.session.commit()
    except IntegrityError:
        raise AppError("write_conflict") from None
    except DBAPIError as e:
        if not e.connection_invalidated:
            raise
        log.warning("database connection lost at commit: %s", e.orig)
        raise AppError("service_unavailable", headers={"Retry-After": "2"}) from None


def _refuse_writes(view: Callable) -> None:
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get("wrote"):
        # Teardown would roll the change back without a word: say so where it is written.
        raise RuntimeError(f"{view.__name__} changed the database in a read-only request; "
                           "declare @api(transaction=\"write\")")


def api(
    *,
    roles: Iterable[str] | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    out: Any = None,
    status: int = 200,
    errors: Iterable[str] = (),
    summary: str = "",
    produces: Iterable[str] = (),
    auth: str | None = None,
    deferred_member: bool = False,
    headers: dict[str, str] | None = None,
    also: dict[int, str] | None = None,
    consumes: Iterable[str] = (JSON,),
    transaction: str | None = None,
    max_body: int | str | None = None,
) -> Callable:
    """Declare an endpoint.

    roles: required roles (any of); "member" means any signed-in roster member; "staff" means
    staff, secretary or admin. auth="wechat" accepts a signed-in WeChat user not yet bound.
    deferred_member: the view gets ``g.member_id`` and no ``g.member``; its own statement must confirm
    the member is on the roster (members.auth.member_confirmed), and on a route for other roles read the
    roles too, which member_confirmed checks; with transaction="own" its statement commits before that
    check, so it must itself require the roles (as the benefit redemption's UPDATE does).
    headers: request headers the view reads ({name: description}), and also: other success statuses
    ({status: description}, e.g. 200 for a repeat), both for the OpenAPI document.
    consumes: the body's media types; any other is 415 unsupported_media_type. A route that lists
    multipart/form-data reads ``request.form`` and ``request.files`` itself when one arrives (its text
    already checked for control characters); a JSON body is parsed into ``body=`` as usual.
    The view receives ``body=`` and ``query=`` keyword arguments when declared. It may return a
    pydantic model (dumped with ``status``), a ``(model, status)`` pair or a Response.

    transaction: how the request's database work ends; the view and its services never commit.
    "write" (the default for POST, PUT, PATCH and DELETE): once the view has returned and its answer is
    built, the wrapper commits, before the answer goes out; a failure at that commit answers the
    contract's error (409 write_conflict, 503 service_unavailable) and nothing is stored. Any error
    before it rolls everything back (errors.py).
    "read" (the default for GET): nothing is committed; a view that changed anything raises a
    RuntimeError (a programming error, caught by its tests) instead of losing the change silently.
    A GET that must write declares "write".
    "own": a hot path whose statements may each commit on their own (``statement_per_transaction()``,
    which refuses any other view); the wrapper's closing commit then has nothing left to write and
    costs no round trip, and where autocommit did not take effect it commits as for "write".
    max_body: this route's own body limit, in bytes or as the name of the setting that holds it (e.g.
    "MEMBER_IMPORT_MAX_BYTES" for a roster upload), for a body of a type the route consumes, instead of
    MAX_CONTENT_LENGTH; past it, 413 payload_too_large as on every route, declared or chunked. Set before
    anything reads the body, so Werkzeug's stream and form parser enforce it.
    """
    role_set = frozenset(roles or ())
    consumes = tuple(consumes)
    errors = check_codes(errors, "@api(errors=...)")  # a typo fails at import, not in the document
    if transaction not in (None, *_TRANSACTIONS):
        raise ValueError(f"transaction must be one of {', '.join(_TRANSACTIONS)}")
    if isinstance(max_body, int) and max_body < 1:
        raise ValueError("max_body must be a positive number of bytes")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if max_body is not None and request.mimetype in consumes:
                # Only for what the route reads: any other body keeps MAX_CONTENT_LENGTH (and then 415).
                request.max_content_length = (current_app.config[max_body] if isinstance(max_body, str)
                                              else max_body)
            mode = transaction or ("write" if request.method in _WRITES else "read")
            info = db.session.info
            info["transaction"] = mode
            info.pop("wrote", None)  # what the view writes, seen by _refuse_writes
            if transaction is not None and (mode == "read") != (request.method in ("GET", "HEAD")):
                from .. import sqlite_read_only  # late: the package imports this module

                sqlite_read_only.set(mode == "read")  # a GET that writes takes SQLite's write lock up front
            if role_set or auth:
                from ..members.auth import authenticate  # late: members imports api

                authenticate(role_set, allow_unbound=auth == "wechat", deferred=deferred_member)
            try:
                if MULTIPART in consumes and request.mimetype == MULTIPART:
                    request._get_file_stream = _in_memory  # Werkzeug's documented hook, for this request only
                    _refuse_bad_form_text()
                elif body is not None:
                    kwargs["body"] = parse_body(body, consumes)
                elif request.method in _WRITES:
                    parse_body(NoBody, consumes)  # unknown fields are refused everywhere (API.md Conventions)
                if query is not None:
                    kwargs["query"] = parse_query(query)
                result = view(*args, **kwargs)
            except AppError:
                if deferred_member and not g.get("member_confirmed", True):
                    # Refused before the route's statement confirmed the caller: confirm them the slow way
                    # first, so someone without the role hears 401/403, never what their request lacked.
                    from ..members.auth import authenticate

                    authenticate(role_set, allow_unbound=auth == "wechat")
                raise
            if deferred_member and not g.member_confirmed:
                # A programming error, caught by the route's tests: never answer for an unchecked member.
                raise RuntimeError(f"{view.__name__} did not confirm the member")
            code = status
            if isinstance(result, tuple):
                result, code = result
            if isinstance(result, BaseModel):
                # Built before the commit, which expires every loaded row.
                result = Response(result.model_dump_json(), status=code, mimetype="application/json")
            if mode == "read":
                _refuse_writes(view)
            else:
                _commit()
            return result

        _REGISTRY[wrapper] = {
            "roles": sorted(role_set), "auth": auth, "body": body, "query": query, "out": out,
            "status": status, "errors": errors, "summary": summary or (view.__doc__ or "").strip().split("\n")[0],
            "produces": list(produces), "headers": dict(headers or {}), "also": dict(also or {}),
            "consumes": list(consumes), "transaction": transaction, "max_body": max_body,
        }
        return wrapper

    return decorate


# --- OpenAPI ------------------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def openapi_document(app: Flask) -> dict:
    models: set[type[BaseModel]] = {ErrorResponse}
    for meta in _REGISTRY.values():
        for key in ("body", "out"):
            if isinstance(meta[key], type) and issubclass(meta[key], BaseModel):
                models.add(meta[key])
    _, schemas = models_json_schema(
        [(m, "validation" if issubclass(m, Schema) else "serialization")
         for m in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    components = schemas.get("$defs", {})
    # Each route lists its codes under their statuses; what each code means is said once, here.
    components["ErrorBody"]["properties"]["code"] = {"title": "Code", "type": "string", "oneOf": [
        {"const": code, "description": f"{entry.status}: {entry.description}"} for code, entry in CATALOGUE.items()]}
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("console."):
            continue
        view = app.view_functions[rule.endpoint]
        meta = _REGISTRY.get(view)
        path = _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        params = [
            {"name": m.group(2), "in": "path", "required": True,
             "schema": {"type": "integer" if m.group(1) == "int" else "string"}}
            for m in _CONVERTER.finditer(rule.rule)
        ]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {"operationId": f"{rule.endpoint}_{method.lower()}", "responses": {}}
            op_params = list(params)
            if meta is None:
                op["summary"] = (view.__doc__ or rule.endpoint).strip().split("\n")[0]
                op["responses"]["200"] = {"description": "OK"}
            else:
                op["summary"] = meta["summary"]
                op["tags"] = [rule.endpoint.split(".")[0]]
                if meta["roles"] or meta["auth"]:
                    op["security"] = [{"bearer": []}]
                    op["description"] = "Roles: " + (", ".join(meta["roles"]) or "signed-in WeChat user")
                if meta["query"] is not None:
                    qs = meta["query"].model_json_schema(ref_template="#/components/schemas/{model}")
                    components.update(qs.get("$defs", {}))  # a vocabulary a parameter names (EventKind…)
                    required = set(qs.get("required", []))
                    for name, prop in qs.get("properties", {}).items():
                        op_params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
                if meta["body"] is not None:
                    ref = {"$ref": f"#/components/schemas/{meta['body'].__name__}"}
                    op["requestBody"] = {"required": True,
                                         "content": {mime: {"schema": ref} for mime in meta["consumes"]}}
                content: dict[str, Any] = {}
                if isinstance(meta["out"], type) and issubclass(meta["out"], BaseModel):
                    content["application/json"] = {"schema": {"$ref": f"#/components/schemas/{meta['out'].__name__}"}}
                for mime in meta["produces"]:
                    content[mime] = {"schema": {"type": "string", "format": "binary"}}
                body = {"content": content} if content else {}
                op["responses"][str(meta["status"])] = {"description": "OK", **body}
                for code, description in meta["also"].items():
                    op["responses"][str(code)] = {"description": description, **body}
                for name, description in meta["headers"].items():
                    op_params.append({"name": name, "in": "header", "required": True, "description": description,
                                   "schema": {"type": "string"}})
                err_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
                refusals = ["invalid_request"]
                if method in _WRITES:
                    refusals += ["payload_too_large", "unsupported_media_type"]
                if (meta["transaction"] or ("write" if method in _WRITES else "read")) != "read":
                    refusals.append("write_conflict")  # at the request's commit
                if meta["roles"] or meta["auth"]:
                    refusals += ["unauthenticated", "forbidden"]
                for code in refusals + meta["errors"]:
                    status_key = str(CATALOGUE[code].status)
                    entry = op["responses"].setdefault(status_key, {"description": "", "content": err_ref})
                    if code not in entry["description"].split(", "):
                        entry["description"] = ", ".join(filter(None, [entry["description"], code]))
            paths.setdefault(path, {})[method.lower()] = {**op, "parameters": op_params} if op_params else op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Union Hub API", "version": "1.0.0",
                 "description": "同心 · Union Hub: events, check-in, members. Errors share one shape."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }

