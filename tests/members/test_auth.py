"""Signing in: WeChat login and phone binding (real HTTP to the fake WeChat server), our bearer tokens,
the development and console sign-ins."""
from __future__ import annotations

import socket
import time
from datetime import datetime, timedelta

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from server import create_app
from server.core.config import ConfigError, load_config
from server.members.models import WechatUser

PHONE = "13912345678"


def login(client, code):
    return client.post("/api/v1/auth/login", json={"code": code})


def bind(client, token, phone_code):
    return client.post("/api/v1/auth/bind", json={"phone_code": phone_code}, headers=bearer(token))


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def error_code(res):
    return res.get_json()["error"]["code"]


@pytest.fixture
def other_app(app):
    """A second app on the same database with different settings."""
    def build(**overrides):
        return create_app({**{k: app.config[k] for k in (
            "DATABASE_URL", "SECRET_KEY", "WECHAT_API_BASE_URL", "WECHAT_TIMEOUT")}, "TESTING": True, **overrides})
    return build


# --- WeChat login and binding --------------------------------------------------------------------

def test_first_login_creates_the_wechat_user_with_no_member_yet(client, db, wechat_server):
    wechat_server.add_code("081aBc", "o-first", unionid="u-first")

    res = login(client, "081aBc")

    assert res.status_code == 200
    body = res.get_json()
    assert body["member"] is None and body["token"]
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() == timedelta(hours=8)
    user = db.session.scalar(select(WechatUser).where(WechatUser.openid == "o-first"))
    assert user.unionid == "u-first" and user.member_id is None
    # The token identifies the WeChat user, but member pages need a bound roster entry.
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 403 and error_code(me) == "not_bound"


def test_signing_in_again_finds_the_same_wechat_user(client, db):
    login(client, "code-o-again")
    login(client, "code-o-again")

    users = db.session.scalars(select(WechatUser).where(WechatUser.openid == "o-again")).all()
    assert len(users) == 1


def test_bind_with_a_roster_phone_returns_the_member_and_later_logins_do_too(client, make, wechat_server):
    member = make.member(phone=PHONE, name="张三", department="生产一部")
    token = login(client, "code-o-zhang").get_json()["token"]

    res = bind(client, token, f"phone-{PHONE}")

    assert res.status_code == 200
    body = res.get_json()
    assert body["member"]["id"] == member.id
    assert body["member"]["department"] == "生产一部"
    assert body["member"]["phone_masked"] == "139****5678"
    assert wechat_server.calls("wxa/business/getuserphonenumber")[-1]["body"] == {"code": f"phone-{PHONE}"}
    # Both the login token and the fresh one now open member pages.
    for t in (token, body["token"]):
        assert client.get("/api/v1/me", headers=bearer(t)).get_json()["id"] == member.id
    again = login(client, "code-o-zhang").get_json()
    assert again["member"]["employee_no"] == member.employee_no


def test_binding_again_to_the_same_entry_is_harmless(client, make):
    member = make.member(phone=PHONE)
    token = login(client, "code-o-twice").get_json()["token"]
    bind(client, token, f"phone-{PHONE}")

    res = bind(client, token, f"phone-{PHONE}")

    assert res.status_code == 200 and res.get_json()["member"]["id"] == member.id


def test_phone_not_on_the_roster_is_404(client, make):
    make.member(phone=PHONE)
    token = login(client, "code-o-stranger").get_json()["token"]

    res = bind(client, token, "phone-13800000000")

    assert res.status_code == 404 and error_code(res) == "not_on_roster"


def test_entry_held_by_another_wechat_user_is_409(client, make, db):
    member = make.member(phone=PHONE)
    first = login(client, "code-o-owner").get_json()["token"]
    assert bind(client, first, f"phone-{PHONE}").status_code == 200
    second = login(client, "code-o-intruder").get_json()["token"]

    res = bind(client, second, f"phone-{PHONE}")

    assert res.status_code == 409 and error_code(res) == "already_bound"
    intruder = db.session.scalar(select(WechatUser).where(WechatUser.openid == "o-intruder"))
    assert intruder.member_id is None
    assert login(client, "code-o-owner").get_json()["member"]["id"] == member.id


def test_phone_code_wechat_does_not_recognise_is_400(client, make):
    make.member(phone=PHONE)
    token = login(client, "code-o-badphone").get_json()["token"]

    res = bind(client, token, "not-a-phone-code")

    assert res.status_code == 400 and error_code(res) == "invalid_request"
    assert "phone_code" in res.get_json()["error"]["details"]["fields"]


def test_bind_needs_a_login_token(client):
    res = client.post("/api/v1/auth/bind", json={"phone_code": f"phone-{PHONE}"})
    assert res.status_code == 401 and error_code(res) == "unauthenticated"


def test_bind_with_a_token_that_names_no_wechat_user_is_401(client, make, auth, wechat_server):
    # A console or dev-login token: valid, but there is no WeChat user to bind, and nothing is asked of WeChat.
    member = make.member(phone=PHONE)
    asked = len(wechat_server.calls("wxa/business/getuserphonenumber"))
    res = client.post("/api/v1/auth/bind", json={"phone_code": f"phone-{PHONE}"}, headers=auth(member))
    assert res.status_code == 401 and error_code(res) == "unauthenticated"
    assert len(wechat_server.calls("wxa/business/getuserphonenumber")) == asked


@pytest.mark.parametrize("setup, code, errcode", [
    (lambda fake: None, "never-issued", 40029),
    (lambda fake: fake.fail("sns/jscode2session", errcode=45011, errmsg="api minute-quota reach limit"),
     "code-o-busy", 45011),
    (lambda fake: fake.fail("sns/jscode2session", errcode=40226, errmsg="high risk user"), "code-o-risk", 40226),
])
def test_login_wechat_refuses_is_401(client, wechat_server, setup, code, errcode):
    setup(wechat_server)

    res = login(client, code)

    assert res.status_code == 401 and error_code(res) == "wechat_login_failed"
    assert res.get_json()["error"]["details"]["errcode"] == errcode


def test_a_login_code_works_once(client, wechat_server):
    wechat_server.add_code("071once", "o-once")
    assert login(client, "071once").status_code == 200

    res = login(client, "071once")

    assert res.status_code == 401 and res.get_json()["error"]["details"]["errcode"] == 40163


@pytest.mark.parametrize("failure", [
    {"delay": 30}, {"status": 500}, {"status": 502}, {"body": b"<html>upstream error</html>"}, {"errcode": -1},
], ids=["hang", "500", "502", "not-json", "system-busy"])
def test_login_when_wechat_fails_is_503_within_the_timeout(app, client, wechat_server, failure):
    wechat_server.fail("sns/jscode2session", **failure)

    started = time.monotonic()
    res = login(client, "code-o-waiting")
    elapsed = time.monotonic() - started

    assert res.status_code == 503 and error_code(res) == "wechat_unavailable"
    assert elapsed < app.config["WECHAT_TIMEOUT"] + 1.0


def test_bind_when_the_token_fetch_hangs_is_503_within_the_timeout(app, client, make, wechat_server):
    make.member(phone=PHONE)
    token = login(client, "code-o-hang").get_json()["token"]
    wechat_server.revoke_tokens()  # the gateway's cached token is refused, so it must fetch one
    wechat_server.fail("cgi-bin/stable_token", delay=30)

    started = time.monotonic()
    res = bind(client, token, f"phone-{PHONE}")
    elapsed = time.monotonic() - started

    assert res.status_code == 503 and error_code(res) == "wechat_unavailable"
    assert elapsed < 2 * app.config["WECHAT_TIMEOUT"] + 1.0


def test_login_when_wechat_is_unreachable_is_503(other_app, db):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = other_app(WECHAT_API_BASE_URL=f"http://127.0.0.1:{port}/").test_client()

    res = login(client, "code-o-offline")

    assert res.status_code == 503 and error_code(res) == "wechat_unavailable"


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 123}, {"code": "x", "extra": 1}])
def test_login_with_a_malformed_body_is_400(client, body):
    res = client.post("/api/v1/auth/login", json=body)
    assert res.status_code == 400 and error_code(res) == "invalid_request"


# --- our tokens ----------------------------------------------------------------------------------

def test_token_works_until_it_expires(app, client, make, auth):
    headers = auth(make.member())
    ttl = app.config["TOKEN_TTL_SECONDS"]

    with time_machine.travel(timedelta(seconds=ttl - 60)):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    with time_machine.travel(timedelta(seconds=ttl + 1)):
        res = client.get("/api/v1/me", headers=headers)

    assert res.status_code == 401 and error_code(res) == "unauthenticated"
    assert "过期" in res.get_json()["error"]["message"]


def test_tampered_token_is_401(client, make, auth):
    mine = auth(make.member())["Authorization"].split()[1]
    theirs = auth(make.staff())["Authorization"].split()[1]
    payload, stamp, signature = mine.split(".")
    middle = len(signature) // 2
    flipped = signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1:]

    for tampered in (f"{theirs.split('.')[0]}.{stamp}.{signature}",  # someone else's payload
                     f"{payload}.{stamp}.{flipped}"):
        res = client.get("/api/v1/me", headers=bearer(tampered))
        assert res.status_code == 401 and error_code(res) == "unauthenticated"


def test_token_signed_with_another_key_is_401(client, make):
    member = make.member()
    forged = URLSafeTimedSerializer("guessed-key", salt="auth-token").dumps({"m": member.id})

    res = client.get("/api/v1/me", headers=bearer(forged))

    assert res.status_code == 401 and error_code(res) == "unauthenticated"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Bearer garbage", "Basic dXNlcjpwYXNz",
                                    "Bearer a.b.c", "Bearer 无效的令牌"])
def test_missing_or_garbage_token_is_401(client, header):
    headers = {"Authorization": header} if header is not None else {}

    res = client.get("/api/v1/me", headers=headers)

    assert res.status_code == 401
    assert res.get_json() == {"error": {"code": "unauthenticated", "message": res.get_json()["error"]["message"],
                                        "details": {}}}


def test_login_of_a_member_who_left_the_roster_is_unbound_and_can_bind_the_new_entry(client, make, db):
    """Someone who left and was re-hired under a new employee number: signing in does not hand out a
    token every member page refuses; it asks for the phone again, and binding finds the new entry."""
    old = make.member(phone=PHONE)
    token = login(client, "code-o-back").get_json()["token"]
    assert bind(client, token, f"phone-{PHONE}").status_code == 200
    old.is_active, old.phone = False, None
    new = make.member(phone=PHONE)
    db.session.flush()

    res = login(client, "code-o-back")

    assert res.status_code == 200 and res.get_json()["member"] is None
    again = bind(client, res.get_json()["token"], f"phone-{PHONE}")
    assert again.status_code == 200 and again.get_json()["member"]["id"] == new.id
    assert login(client, "code-o-back").get_json()["member"]["id"] == new.id


def test_token_of_a_member_who_left_the_roster_is_401(client, make, auth, db):
    member = make.member()
    headers = auth(member)
    member.is_active = False
    db.session.flush()

    res = client.get("/api/v1/me", headers=headers)

    assert res.status_code == 401 and error_code(res) == "unauthenticated"


# --- development and console sign-in -------------------------------------------------------------

def test_dev_login_signs_in_as_a_roster_member(client, make):
    member = make.member()

    res = client.post("/api/v1/auth/dev-login", json={"employee_no": member.employee_no})

    assert res.status_code == 200
    body = res.get_json()
    assert body["member"]["id"] == member.id
    assert client.get("/api/v1/me", headers=bearer(body["token"])).get_json()["id"] == member.id


def test_dev_login_for_an_unknown_employee_is_404(client):
    res = client.post("/api/v1/auth/dev-login", json={"employee_no": "NOBODY"})
    assert res.status_code == 404 and error_code(res) == "not_found"


@pytest.mark.parametrize("overrides", [{"AUTH_DEV_LOGIN": False},
                                       {"AUTH_DEV_LOGIN": True, "APP_ENV": "production"}])
def test_dev_login_is_404_unless_enabled_outside_production(other_app, make, overrides):
    member = make.member()
    client = other_app(**overrides).test_client()

    res = client.post("/api/v1/auth/dev-login", json={"employee_no": member.employee_no})

    assert res.status_code == 404 and error_code(res) == "not_found"


def test_production_refuses_to_start_with_dev_login(monkeypatch, capsys):
    env = {"APP_ENV": "production", "SECRET_KEY": "k" * 40, "WECHAT_APPID": "wx1234567890abcdef",
           "WECHAT_SECRET": "real-secret", "AUTH_DEV_LOGIN": "1",
           "DATABASE_URL": "postgresql+psycopg://union@db/union", "REDIS_URL": "redis://redis:6379/0",
           "PUBLIC_BASE_URL": "https://union.example.cn", "SMS_PROVIDER": "tencent",
           **{name: "k" * 40 for name in ("TOKEN_SECRET_KEY", "QR_SECRET_KEY", "RECEIPT_SECRET_KEY")}}
    with pytest.raises(ConfigError, match="AUTH_DEV_LOGIN"):
        load_config(env)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit):  # the app does not start: one line says why (tests/test_config.py)
        create_app()
    assert "AUTH_DEV_LOGIN=1 is refused when APP_ENV=production" in capsys.readouterr().err
    assert load_config({**env, "AUTH_DEV_LOGIN": "0"})["AUTH_DEV_LOGIN"] is False


def test_password_login_for_the_console(client, make):
    staff = make.staff(password_hash=generate_password_hash("工会2026-secret"))

    res = client.post("/api/v1/auth/password-login",
                      json={"employee_no": staff.employee_no, "password": "工会2026-secret"})

    assert res.status_code == 200
    me = client.get("/api/v1/me", headers=bearer(res.get_json()["token"])).get_json()
    assert me["id"] == staff.id and "staff" in me["roles"]


@pytest.mark.parametrize("case", ["wrong_password", "unknown_employee", "no_password_set", "inactive"])
def test_password_login_refusals_all_look_alike(client, make, case):
    password = "工会2026-secret"
    staff = make.staff(password_hash=None if case == "no_password_set" else generate_password_hash(password),
                       is_active=case != "inactive")
    employee_no = "NOBODY" if case == "unknown_employee" else staff.employee_no

    res = client.post("/api/v1/auth/password-login", json={
        "employee_no": employee_no, "password": "wrong" if case == "wrong_password" else password})

    assert res.status_code == 401 and error_code(res) == "invalid_credentials"
    assert res.get_json()["error"]["message"] == "工号或密码不正确"


def test_no_sign_in_answer_reveals_the_full_phone_number(client, make):
    make.member(phone=PHONE)
    login_res = login(client, "code-o-private")
    token = login_res.get_json()["token"]
    bind_res = bind(client, token, f"phone-{PHONE}")
    again = login(client, "code-o-private")
    me = client.get("/api/v1/me", headers=bearer(token))

    for res in (login_res, bind_res, again, me):
        assert res.status_code == 200
        assert PHONE not in res.get_data(as_text=True)
    assert me.get_json()["phone_masked"] == "139****5678"
    assert "phone" not in me.get_json()


# --- the hot routes confirm the member inside their own statement ---------------------------------

def _hot_route(kind: str, make, member_id: int) -> tuple[str, dict, type, dict]:
    """(path, body, model, filter) for a request that succeeds for an active member, and the rows it
    writes, so a refusal can be shown to write nothing."""
    from server.bookings.models import Booking
    from server.core.timeutil import utcnow
    from server.events import checkin, signup
    from server.events.models import Checkin, Registration

    if kind == "sign-up":
        ev = make.event()
        return f"/api/v1/events/{ev.id}/registrations", {}, Registration, {"event_id": ev.id}
    if kind == "check-in":
        ev = make.event(starts_at=utcnow() + timedelta(minutes=30))
        signup.register(member_id, ev.id)
        token, _ = checkin.venue_code(ev.id)
        return "/api/v1/checkins", {"token": token}, Checkin, {"event_id": ev.id}
    slot = make.slot(capacity=2)
    return f"/api/v1/slots/{slot.id}/bookings", {}, Booking, {"slot_id": slot.id}


@pytest.mark.parametrize("kind", ["sign-up", "check-in", "booking"])
def test_hot_routes_refuse_a_member_who_left_the_roster_and_write_nothing(app, committing_db, kind):
    """Sign-up, check-in and booking read the member in their own statement (one round trip less);
    with real commits, a member who left the roster still gets 401 and no row, and is let in again
    once back on it."""
    from sqlalchemy import func

    from server.members.auth import issue_token
    from server.members.models import Member
    from tests.factories import Factory

    s = committing_db.session
    make = Factory(committing_db)
    member = make.member()
    with app.test_request_context():
        path, body, model, where = _hot_route(kind, make, member.id)
        headers = bearer(issue_token(member.id)[0])
        stranger = bearer(issue_token(member.id + 1000)[0])  # no such member
    member.is_active = False
    s.commit()
    member_id = member.id
    s.remove()
    client = app.test_client()

    for h in (headers, stranger):
        res = client.post(path, json=body, headers=h)
        assert res.status_code == 401 and error_code(res) == "unauthenticated", res.get_json()
    assert s.scalar(select(func.count()).select_from(model).filter_by(**where, member_id=member_id)) == 0

    s.get(Member, member_id).is_active = True
    s.commit()
    assert client.post(path, json=body, headers=headers).status_code == 201
