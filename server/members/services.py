"""Sign-in, binding of WeChat users to roster entries, and taking members off the roster."""
from __future__ import annotations

import logging
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import ratelimit
from ..core.errors import AppError
from ..core.extensions import db, savepoint
from ..core.timeutil import utcnow
from .models import Member, WechatUser

log = logging.getLogger(__name__)
CHUNK = 1000


def _wechat_unavailable() -> AppError:
    return AppError("wechat_unavailable")


def login_with_code(code: str) -> WechatUser:
    """Exchange a wx.login code for the WeChat user (created on first sign-in).

    Raises 401 wechat_login_failed when WeChat rejects the code, 503 when WeChat is unreachable.
    """
    from notifications.wechat import WeChatError, WeChatUnavailable, get_gateway  # wechatpy: only where used

    try:
        session = get_gateway(current_app).code_to_session(code)
    except WeChatUnavailable:
        raise _wechat_unavailable() from None
    except WeChatError as e:
        raise AppError("wechat_login_failed", details={"errcode": e.errcode}) from None
    openid = session["openid"]
    user = db.session.scalar(select(WechatUser).where(WechatUser.openid == openid))
    if user is None:
        try:
            with savepoint():
                user = WechatUser(openid=openid, unionid=session.get("unionid"))
                db.session.add(user)
                db.session.flush()
        except IntegrityError:  # the same user signing in on two devices at once
            user = db.session.scalar(select(WechatUser).where(WechatUser.openid == openid))
    return user


def bind_phone(wechat_user_id: int, phone_code: str) -> Member:
    """Bind the WeChat user to the roster entry holding the phone WeChat reports.

    Raises 404 not_on_roster, 409 already_bound, 400 invalid_request (bad phone code), 503.
    """
    from notifications.wechat import WeChatError, WeChatUnavailable, get_gateway

    if wechat_user_id is None:
        # A console or dev-login token names a member but no WeChat user: there is nothing to bind.
        raise AppError("unauthenticated", "请先通过微信登录")
    try:
        phone = get_gateway(current_app).get_phone_number(phone_code)
    except WeChatUnavailable:
        raise _wechat_unavailable() from None
    except WeChatError as e:
        raise AppError("invalid_request", "手机号授权无效，请重新授权",
                       details={"fields": {"phone_code": "微信未能识别该授权码"}, "errcode": e.errcode}) from None
    user = db.session.get(WechatUser, wechat_user_id)
    if user is None:
        raise AppError("unauthenticated", "登录凭证无效，请重新登录")
    member = db.session.scalar(select(Member).where(Member.phone == phone, Member.is_active.is_(True)))
    if member is None:
        raise AppError("not_on_roster")
    if user.member_id == member.id:
        return member
    other = db.session.scalar(select(WechatUser).where(WechatUser.member_id == member.id))
    if other is not None:
        raise AppError("already_bound")
    if user.member_id is not None and db.session.get(Member, user.member_id).is_active:
        raise AppError("already_bound", "该微信账号已绑定其他会员")
    # Otherwise the old entry has left the roster (someone re-hired under a new number): move on to the new one.
    user.member_id = member.id
    user.bound_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError:  # two WeChat users binding the same entry at once (@api rolls back)
        raise AppError("already_bound") from None
    return member


def member_by_employee_no(employee_no: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.employee_no == employee_no))


@cache
def _dummy_hash() -> str:
    # A hash of a random password made like every real one (werkzeug's default method and cost), so
    # checking against it costs exactly what checking a real one does.
    return generate_password_hash(secrets.token_urlsafe(16))


def _throttle(limit_name: str, *key: str) -> None:
    ratelimit.hit(current_app.config[limit_name], "password-login", *key)


def wait_text(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 60 else f"{-(-seconds // 60)} 分钟"


def password_login(employee_no: str, password: str, address: str) -> Member:
    """Console sign-in for staff, throttled per account and per client address.

    Every attempt counts against the account before the password is checked (``SIGNIN_ACCOUNT_LIMIT``,
    a short window, so the account's owner is never shut out for long by someone else) and a successful
    one clears the account's count; a failed one also counts against the address
    (``SIGNIN_ADDRESS_LIMIT``, which stops one guesser from keeping an account shut or trying many).
    Every refusal spends the same hashing work as a wrong password, so the answer and its timing say
    nothing about whether the account exists or has a password. Failures are logged with
    the account as typed, the address and why; never the password.

    Raises 429 rate_limited (with Retry-After), 401 invalid_credentials.
    """
    account = employee_no[:32]
    try:
        if not ratelimit.test(current_app.config["SIGNIN_ADDRESS_LIMIT"], "password-login", "address", address):
            _throttle("SIGNIN_ADDRESS_LIMIT", "address", address)  # over the limit: raises with Retry-After
        _throttle("SIGNIN_ACCOUNT_LIMIT", "account", account)
    except AppError as e:
        log.warning("console sign-in refused: account=%r address=%s reason=throttled", account, address)
        retry = e.details["retry_after"]
        raise AppError("rate_limited", f"登录尝试次数过多，请 {wait_text(retry)}后再试", details=e.details) from None
    member = member_by_employee_no(employee_no)
    stored = member.password_hash if member is not None and member.password_hash else None
    # Always one full check, against the dummy when there is nothing real to check against.
    matches = check_password_hash(stored or _dummy_hash(), password)
    reason = ("unknown_account" if member is None else "no_password" if stored is None
              else "inactive" if not member.is_active else None if matches else "wrong_password")
    if reason is not None:
        _throttle_failure(address)
        log.warning("console sign-in failed: account=%r address=%s reason=%s", account, address, reason)
        raise AppError("invalid_credentials")
    # The owner is in: the typos and guesses before count no more (staff sign in many times a day).
    ratelimit.clear(current_app.config["SIGNIN_ACCOUNT_LIMIT"], "password-login", "account", account)
    log.info("console sign-in: member_id=%s address=%s", member.id, address)
    return member


def _throttle_failure(address: str) -> None:
    with suppress(AppError):  # the address is spent: its next attempt is refused before any work
        _throttle("SIGNIN_ADDRESS_LIMIT", "address", address)
@dataclass
class Deactivation:
    """What a deactivation did, for the import report and the command's output."""

    deactivated: int = 0            # members set inactive (those already inactive are not counted)
    registrations_released: int = 0  # confirmed or waitlisted sign-ups cancelled
    promoted: int = 0               # members confirmed from waiting lists into the freed seats
    bookings_released: int = 0      # upcoming slot bookings cancelled


def deactivate(member_ids, now: datetime | None = None) -> Deactivation:
    """Take members off the roster, in the caller's transaction (never commits).

    Promises, all in that one transaction: the members are inactive (no sign-in, no sign-up, no
    booking, and staff scanning their ticket get 403 not_registered with reason member_inactive);
    their confirmed and waitlisted registrations for published events that have not ended are
    cancelled, except one already checked in, and each freed seat goes to the waiting list in arrival
    order, the promoted being told as after any cancellation; their bookings of slots not yet begun are
    cancelled and the seats freed. Reminders fan out when they fire, to confirmed registrants and booked
    members only, so none reaches them any more. Listing a member again later makes them active
    but gives nothing back. Safe to repeat. Raises nothing.

    Races: the members' rows are updated first; a sign-up or booking of theirs in flight holds or waits
    for that row (see events.signup and take_booking()), so it either finishes first and is released
    here, or finds the member inactive. Then events, slots and bookings are locked; the promotions and
    their notices come last.
    """
    # Imported here: both domains import members (auth, models) at their top.
    from ..bookings.booking import release_member_bookings
    from ..events.signup import release_registrations
    from ..events.waitlist import promote_waitlists

    now = now or utcnow()
    ids = sorted(set(member_ids))
    done = Deactivation()
    freed = {}  # event id -> Event, locked, with seats released
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        # One UPDATE per chunk; it also takes the members' row locks that the releases below rely on.
        gone = db.session.execute(
            update(Member).where(Member.id.in_(chunk), Member.is_active.is_(True))
            # A new token version: tokens issued before stay void if the member is listed again.
            .values(is_active=False, token_version=Member.token_version + 1, updated_at=now)
            .returning(Member.id).execution_options(synchronize_session=False)).scalars().all()
        done.deactivated += len(gone)
        released, events = release_registrations(chunk, now)
        done.registrations_released += released
        freed.update((e.id, e) for e in events)
        done.bookings_released += release_member_bookings(chunk, now)
    # Last, when every row lock is held: announcing the promotions takes the notices' planning lock,
    # which a cancellation holding an event's or a slot's lock may be waiting for.
    promoted = promote_waitlists([freed[k] for k in sorted(freed)])
    done.promoted = sum(len(v) for v in promoted.values())
    # Bulk statements bypass the identity map; objects loaded earlier must not keep stale values.
    db.session.expire_all()
    return done
