"""Our own bearer tokens: signed, expiring, refused after expiry or tampering, and revoked per member.

A member token carries the member's ``token_version``; every authenticated request compares it with
the row (on the hot routes inside the route's own statement, see ``member_confirmed``), so bumping
the version (``revoke_tokens``) ends every token issued before.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from ..core.api import STAFF_ROLES
from ..core.config import secret_keys
from ..core.errors import AppError
from ..core.extensions import db
from .models import Member, WechatUser


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(tuple(secret_keys(current_app.config, "TOKEN_SECRET_KEY")))


@lru_cache(maxsize=4)
def _serializer_for(keys: tuple[str, ...]) -> URLSafeTimedSerializer:
    # Built once per key set: every request checks a token. itsdangerous signs with the last key and
    # accepts any, so tokens signed with a previous key keep working during a rotation.
    return URLSafeTimedSerializer(list(reversed(keys)), salt="auth-token")


def issue_token(member_id: int | None, wechat_user_id: int | None = None,
                version: int = 0) -> tuple[str, datetime]:
    """A token for the member and/or the WeChat user, and when it expires. ``version`` is the
    member's ``token_version`` (the caller has the row): a token with an older one is refused."""
    payload: dict = {}
    if member_id is not None:
        payload["m"] = member_id
        payload["v"] = version
    if wechat_user_id is not None:
        payload["w"] = wechat_user_id
    token = _serializer().dumps(payload)
    # itsdangerous stamps whole seconds; report the same instant the check will use.
    issued = datetime.now(UTC).replace(microsecond=0)
    return token, issued + timedelta(seconds=current_app.config["TOKEN_TTL_SECONDS"])


def _unauthenticated(message: str | None = None) -> AppError:
    return AppError("unauthenticated", message)


def read_token(token: str) -> dict:
    try:
        payload = _serializer().loads(token, max_age=current_app.config["TOKEN_TTL_SECONDS"])
    except SignatureExpired:
        raise _unauthenticated("登录已过期，请重新登录") from None
    except BadSignature:
        raise _unauthenticated("登录凭证无效，请重新登录") from None
    if not isinstance(payload, dict) or not ({"m", "w"} & payload.keys()) \
            or not all(_is_id(payload[k]) for k in ("m", "w") if k in payload) \
            or type(payload.get("v", 0)) is not int:
        raise _unauthenticated("登录凭证无效，请重新登录")
    return payload


def _is_id(value) -> bool:
    # Only we sign tokens, but a malformed one (an old format, a key shared by mistake) must be a 401,
    # never a database error on a number beyond a row id.
    return type(value) is int and 0 < value < 2**31


REVOKED = "登录已失效，请重新登录"


def revoke_tokens(member_ids) -> None:
    """End every token issued so far to these members (one set-based UPDATE; never commits).

    Called on a password change, a role change and deactivation; the members sign in again."""
    ids = list(member_ids)
    for start in range(0, len(ids), 1000):
        db.session.execute(update(Member).where(Member.id.in_(ids[start:start + 1000]))
                           .values(token_version=Member.token_version + 1)
                           .execution_options(synchronize_session=False))


def expected_token_version() -> int:
    """The token version the current request's token carries (tokens from before versions: 0)."""
    return g.get("token_version", 0)


def expand_roles(roles) -> frozenset[str]:
    """'staff' in a route's roles admits staff, secretary and admin (API.md Conventions)."""
    out = set(roles) | {"admin"}
    if "staff" in out:
        out |= STAFF_ROLES
    return frozenset(out)


GONE = "账号已不在会员名册中，请联系工会"


def authenticate(roles: frozenset[str], allow_unbound: bool = False, deferred: bool = False) -> None:
    """Set g.member / g.member_id / g.wechat_user_id from the bearer token or raise 401/403.

    deferred: a member token is trusted for its member id and the
    member is not loaded; the route's own statement reads whether the member is still on the roster
    and calls ``member_confirmed`` (or ``load_member``), saving a round trip on the hottest routes.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated()
    payload = read_token(token.strip())
    g.wechat_user_id = payload.get("w")
    # A token issued before its WeChat user was bound carries no version: it counts as 0.
    g.token_version = payload.get("v", 0)
    g.member = None
    g.deferred_roles = None
    member_id = g.member_id = payload.get("m")
    if deferred and member_id is not None:
        g.member_confirmed = False
        # A staff route's own statement reads the roles too; member_confirmed checks them against these.
        g.deferred_roles = None if "member" in roles else expand_roles(roles)
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
        raise AppError("not_bound")
    if roles and "member" not in roles and not g.member.has_any_role(expand_roles(roles)):
        raise AppError("forbidden")


def member_confirmed(active: bool | None, token_version: int | None, roles: list[str] | None = None) -> None:
    """What a deferred route's statement read of the member (``is_active``, ``token_version`` and, on a
    staff route, ``roles``): None (no such member) or False (left the roster) refuses the request with
    401, as does a version other than the token's (revoked), and roles without the route's with 403, as
    authentication would have."""
    if not active:
        raise _unauthenticated(GONE)
    if token_version != expected_token_version():
        raise _unauthenticated(REVOKED)
    wanted = g.get("deferred_roles")
    if wanted is not None and not set(roles or ()) & wanted:
        raise AppError("forbidden")
    g.member_confirmed = True


def load_member(member_id: int) -> Member:
    """The member, who must still be on the roster and hold a current token (else 401)."""
    member = db.session.get(Member, member_id)
    member_confirmed(member is not None and member.is_active, member.token_version if member else None)
    return member
