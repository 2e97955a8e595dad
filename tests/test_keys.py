"""Separate keys for bearer tokens, venue codes and suggestion receipts: rotating one leaves what the
others protect intact, a previous key keeps working during a rotation, production requires them all."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.core.config import ConfigError, load_config
from server.core.timeutil import utcnow
from server.events import checkin, signup

OLD, NEW = "old-key-" + "o" * 40, "new-key-" + "n" * 40
KEYS = ("TOKEN_SECRET_KEY", "QR_SECRET_KEY", "RECEIPT_SECRET_KEY")


@pytest.fixture
def keys(app, monkeypatch):
    """keys(NAME=value, ...): the app as restarted with these settings (the others as before)."""
    def set_(**values):
        for name, value in values.items():
            monkeypatch.setitem(app.config, name, value)
    for name in KEYS:
        set_(**{name: None, name + "_PREVIOUS": []})
    return set_


@pytest.fixture
def world(app, client, make, auth, keys):
    """A member with a token, a receipt and a venue code, all made under the current settings."""
    member = make.member()
    headers = auth(member)
    receipt = client.post("/api/v1/suggestions", json={"category": "other", "content": "更衣室太挤"},
                          headers=headers).get_json()["receipt"]
    event = make.event(starts_at=utcnow() + timedelta(minutes=30))
    signup.register(member.id, event.id)
    code, _ = checkin.venue_code(event.id)
    return member, headers, receipt, code


def receipt_found(client, receipt) -> bool:
    res = client.get("/api/v1/suggestions/mine", headers={"X-Receipt": receipt})
    assert res.status_code in (200, 404), res.get_json()
    return res.status_code == 200


def check_in(client, code, headers):
    return client.post("/api/v1/checkins", json={"token": code}, headers=headers)


def test_rotating_the_token_key_keeps_receipts_and_venue_codes(app, client, auth, keys, world):
    member, old_headers, receipt, code = world

    keys(TOKEN_SECRET_KEY=NEW)

    assert client.get("/api/v1/me", headers=old_headers).status_code == 401  # everyone signs in again
    assert receipt_found(client, receipt)
    assert check_in(client, code, auth(member)).status_code == 201


def test_rotating_secret_key_keeps_receipts_and_codes_once_their_keys_are_pinned(app, client, auth, keys, world):
    """Before the keys were separate, receipts were tagged with SECRET_KEY: pinning RECEIPT_SECRET_KEY
    (and QR_SECRET_KEY) to the old value, as docs/security.md says, lets SECRET_KEY change."""
    member, _, receipt, code = world
    old_secret = app.config["SECRET_KEY"]

    keys(SECRET_KEY=NEW, RECEIPT_SECRET_KEY=old_secret, QR_SECRET_KEY=old_secret)

    assert receipt_found(client, receipt)
    assert check_in(client, code, auth(member)).status_code == 201


def test_a_new_receipt_key_still_finds_receipts_made_before_it(app, client, auth, make, keys, world):
    _, _, before, _ = world

    keys(RECEIPT_SECRET_KEY=NEW)
    after = client.post("/api/v1/suggestions", json={"category": "other", "content": "食堂排队太久"},
                        headers=auth(make.member())).get_json()["receipt"]
    assert receipt_found(client, before) and receipt_found(client, after)

    # Rotated once more: both earlier keys stay on the list, tried in turn.
    keys(RECEIPT_SECRET_KEY="third-key-" + "t" * 40, RECEIPT_SECRET_KEY_PREVIOUS=[NEW])
    assert receipt_found(client, before) and receipt_found(client, after)
    # Still held for filing, sealed under the keys of their day: the filing job opens both.
    from server.suggestions.services import file_held

    assert file_held(force=True) == 2
    assert receipt_found(client, before) and receipt_found(client, after)
    # Without the previous key, what it tagged is lost: the list is what keeps it.
    keys(RECEIPT_SECRET_KEY_PREVIOUS=[])
    assert receipt_found(client, before) and not receipt_found(client, after)


def test_a_previous_token_key_keeps_sessions_during_a_rotation(app, client, make, auth, keys):
    member = make.member()
    keys(TOKEN_SECRET_KEY=OLD)
    old_headers = auth(member)

    keys(TOKEN_SECRET_KEY=NEW, TOKEN_SECRET_KEY_PREVIOUS=[OLD])
    new_headers = auth(member)
    assert client.get("/api/v1/me", headers=old_headers).status_code == 200
    assert client.get("/api/v1/me", headers=new_headers).status_code == 200

    # New tokens are signed with the new key: they outlive the end of the rotation, old ones do not.
    keys(TOKEN_SECRET_KEY_PREVIOUS=[])
    assert client.get("/api/v1/me", headers=old_headers).status_code == 401
    assert client.get("/api/v1/me", headers=new_headers).status_code == 200


def test_a_previous_qr_key_keeps_the_codes_on_screen_during_a_rotation(app, client, auth, keys, world):
    member, _, _, code = world
    headers = auth(member)

    keys(QR_SECRET_KEY=NEW)
    res = check_in(client, code, headers)
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "invalid_token"

    keys(QR_SECRET_KEY_PREVIOUS=[app.config["SECRET_KEY"]])
    assert check_in(client, code, headers).status_code == 201
    # Codes shown from now on are made with the new key alone.
    fresh, _ = checkin.venue_code(1)
    keys(QR_SECRET_KEY_PREVIOUS=[])
    assert checkin.read_venue_code(fresh, utcnow()) == 1


PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "s" * 40, "WECHAT_APPID": "wx1234567890abcdef",
              "WECHAT_SECRET": "real-secret",
              # What production requires besides the keys (tests/test_config.py).
              "DATABASE_URL": "postgresql+psycopg://union@db/union", "REDIS_URL": "redis://redis:6379/0",
              "PUBLIC_BASE_URL": "https://union.example.cn", "SMS_PROVIDER": "tencent"}


def test_production_refuses_missing_keys_with_one_clear_line():
    with pytest.raises(ConfigError) as missing:
        load_config(PRODUCTION)
    message = str(missing.value)
    assert "\n" not in message and all(name in message for name in KEYS)

    with pytest.raises(ConfigError, match="QR_SECRET_KEY") as short:
        load_config({**PRODUCTION, "TOKEN_SECRET_KEY": "t" * 40, "QR_SECRET_KEY": "short",
                     "RECEIPT_SECRET_KEY": "r" * 40})
    assert "TOKEN_SECRET_KEY" not in str(short.value)

    cfg = load_config({**PRODUCTION, "TOKEN_SECRET_KEY": "t" * 40, "QR_SECRET_KEY": "q" * 40,
                       "RECEIPT_SECRET_KEY": "r" * 40, "RECEIPT_SECRET_KEY_PREVIOUS": f"{OLD}, {NEW}"})
    assert cfg["RECEIPT_SECRET_KEY_PREVIOUS"] == [OLD, NEW] and cfg["TOKEN_SECRET_KEY_PREVIOUS"] == []


def test_development_defaults_every_key_to_secret_key():
    cfg = load_config({"SECRET_KEY": "d" * 40})
    assert all(cfg[name] is None for name in KEYS)  # falls back to SECRET_KEY, as before the split


def test_a_sign_in_limit_that_is_not_a_rate_is_refused_at_start():
    assert load_config({"SECRET_KEY": "d" * 40, "SIGNIN_ACCOUNT_LIMIT": "5 per 10 minutes"})["SIGNIN_ACCOUNT_LIMIT"]
    with pytest.raises(ConfigError, match="SIGNIN_ADDRESS_LIMIT"):
        load_config({"SECRET_KEY": "d" * 40, "SIGNIN_ADDRESS_LIMIT": "thirty"})
