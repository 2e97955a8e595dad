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


GONE = "账号已不在会员名册中，请联系工会"


def authenticate(roles: frozenset[str], allow_unbound: bool = False, deferred: bool = False) -> None:
    """Set g.member / g.member_id / g.wechat_user_id from the bearer token or raise 401/403.

    deferred (routes open to every member only): a member token is trusted for its member id and the
    member is not loaded; the route's own statement reads whether the member is still on the roster
    and calls ``member_confirmed`` (or ``load_member``), saving a round trip on the hottest routes.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated()
    payload = read_token(token.strip())
    g.wechat_user_id = payload.get("w")
    g.member = None
    member_id = g.member_id = payload.get("m")
    if deferred and member_id is not None:
        g.member_confirmed = False
        return
    if member_id is None and g.wechat_user_id is not None:
        # Issued before binding: the binding made since then counts.
        member_id = db.session.scalar(select(WechatUser.member_id).where(WechatUser.id == g.wechat_user_id))
        if member_id is not None and allow_unbound:
            # Bound to someone who has left the roster: as good as unbound here, so they can bind anew.
            bound = db.session.get(Member, member_id)
            member_id = member_id if bound is not None and bound.is_active else None
    if member_id is not None:
        g.member = load_member(member_id)
        g.member_id = member_id
    if g.member is None:
        if allow_unbound and g.wechat_user_id is not None:
            return
        raise AppError("not_bound", "请先绑定手机号以验证会员身份", 403)
    if roles and "member" not in roles and not g.member.has_any_role(expand_roles(roles)):
        raise AppError("forbidden", "没有权限执行此操作", 403)


def member_confirmed(active: bool | None) -> None:
    """What a deferred route's statement read of the member: None (no such member) or False (left the
    roster) refuses the request with 401, as authentication would have."""
    if not active:
        raise _unauthenticated(GONE)
    g.member_confirmed = True


def load_member(member_id: int) -> Member:
    """The member, who must still be on the roster (else 401)."""
    member = db.session.get(Member, member_id)
    member_confirmed(member is not None and member.is_active)
    return member
