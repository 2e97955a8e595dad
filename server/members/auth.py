"""Our own bearer tokens: signed, expiring, refused after expiry or tampering."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache

from flask import current_app, g, request
from sqlalchemy import select
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..api import STAFF_ROLES
from ..errors import AppError
from ..extensions import db
from .models import Member, WechatUser


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    # Built once per key: every request checks a token.
    return URLSafeTimedSerializer(secret, salt="auth-token")


def issue_token(member_id: int | None, wechat_user_id: int | None = None) -> tuple[str, datetime]:
    payload: dict = {}
    if member_id is not None:
        payload["m"] = member_id
    if wechat_user_id is not None:
        payload["w"] = wechat_user_id
    token = _serializer().dumps(payload)
    # itsdangerous stamps whole seconds; report the same instant the check will use.
    issued = datetime.now(timezone.utc).replace(microsecond=0)
    return token, issued + timedelta(seconds=current_app.config["TOKEN_TTL_SECONDS"])


def _unauthenticated(message: str = "请先登录") -> AppError:
    return AppError("unauthenticated", message, 401)


def read_token(token: str) -> dict:
    try:
        payload = _serializer().loads(token, max_age=current_app.config["TOKEN_TTL_SECONDS"])
    except SignatureExpired:
        raise _unauthenticated("登录已过期，请重新登录") from None
    except BadSignature:
        raise _unauthenticated("登录凭证无效，请重新登录") from None
    if not isinstance(payload, dict) or not ({"m", "w"} & payload.keys()):
        raise _unauthenticated("登录凭证无效，请重新登录")
    return payload


def expand_roles(roles) -> frozenset[str]:
    """'staff' in a route's roles admits staff, secretary and admin (API.md Conventions)."""
    out = set(roles) | {"admin"}
    if "staff" in out:
        out |= STAFF_ROLES
    return frozenset(out)


def authenticate(roles: frozenset[str], allow_unbound: bool = False) -> None:
    """Set g.member / g.wechat_user_id from the bearer token or raise 401/403."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated()
    payload = read_token(token.strip())
    g.wechat_user_id = payload.get("w")
    g.member = None
    member_id = payload.get("m")
    if member_id is None and g.wechat_user_id is not None:
        # Issued before binding: the binding made since then counts.
        member_id = db.session.scalar(select(WechatUser.member_id).where(WechatUser.id == g.wechat_user_id))
    if member_id is not None:
        member = db.session.get(Member, member_id)
        if member is None or not member.is_active:
            raise _unauthenticated("账号已不在会员名册中，请联系工会")
        g.member = member
    if g.member is None:
        if allow_unbound and g.wechat_user_id is not None:
            return
        raise AppError("not_bound", "请先绑定手机号以验证会员身份", 403)
    if roles and "member" not in roles and not g.member.has_any_role(expand_roles(roles)):
        raise AppError("forbidden", "没有权限执行此操作", 403)
