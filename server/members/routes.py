from __future__ import annotations

from flask import abort, current_app, g

from ..core import ratelimit
from ..core.api import api
from ..core.ratelimit import client_address
from . import bp, services
from .auth import issue_token
from .schemas import BindIn, BindOut, DevLoginIn, LoginIn, LoginOut, MemberOut, PasswordLoginIn, member_out


@bp.post("/auth/login")
@api(body=LoginIn, out=LoginOut, errors=["wechat_login_failed", "wechat_unavailable"])
def login(body: LoginIn):
    """Sign in with a wx.login code."""
    user = services.login_with_code(body.code)
    # Bound to someone who has since left the roster: signed in as an unbound WeChat user, so the
    # mini-program asks for the phone again and hears why, instead of a token every route refuses.
    member = user.member if user.member is not None and user.member.is_active else None
    token, expires_at = issue_token(member.id if member else None, user.id,
                                    version=member.token_version if member else 0)
    out = LoginOut(token=token, expires_at=expires_at, member=member_out(member) if member else None)
    return out


@bp.post("/auth/bind")
@api(auth="wechat", body=BindIn, out=BindOut, errors=["not_on_roster", "already_bound", "wechat_unavailable"])
def bind(body: BindIn):
    """Bind the signed-in WeChat user to the roster entry with the phone WeChat reports."""
    member = services.bind_phone(g.wechat_user_id, body.phone_code)
    token, expires_at = issue_token(member.id, g.wechat_user_id, version=member.token_version)
    return BindOut(member=member_out(member), token=token, expires_at=expires_at)


@bp.post("/auth/dev-login")
@api(body=DevLoginIn, out=LoginOut, errors=["not_found", "rate_limited"])
def dev_login(body: DevLoginIn):
    """Development only (AUTH_DEV_LOGIN=1): sign in as a roster member; throttled per client address."""
    if not current_app.config["AUTH_DEV_LOGIN"] or current_app.config["APP_ENV"] == "production":
        abort(404)
    ratelimit.hit(current_app.config["DEV_LOGIN_LIMIT"], "dev-login", client_address())
    member = services.member_by_employee_no(body.employee_no)
    if member is None or not member.is_active:
        abort(404)
    token, expires_at = issue_token(member.id, version=member.token_version)
    return LoginOut(token=token, expires_at=expires_at, member=member_out(member))


@bp.post("/auth/password-login")
@api(body=PasswordLoginIn, out=LoginOut, errors=["invalid_credentials", "rate_limited"])
def password_login(body: PasswordLoginIn):
    """Web console sign-in with employee number and password (set by `members set-password`);
    throttled per account and per client address."""
    member = services.password_login(body.employee_no, body.password, client_address())
    token, expires_at = issue_token(member.id, version=member.token_version)
    return LoginOut(token=token, expires_at=expires_at, member=member_out(member))


@bp.get("/me")
@api(roles=["member"], out=MemberOut)
def me():
    """The signed-in member."""
    return member_out(g.member)
