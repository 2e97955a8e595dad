"""Sealed holding for anonymous writes: what a member submits anonymously is first kept sealed (AES-GCM),
then filed later, in a random order, by the scheduler (docs/anonymity.md).

Why: a row written at the moment of submission sits next to the member's other rows of that moment (the
"has answered" record, the access log, SQLite's rowid, PostgreSQL's ctid and xmin), so its position links it
to the member even when it holds no member column. A sealed row says nothing while it waits; the filed rows
are written together, shuffled, with random ids and no time finer than the day.

Each domain keeps its own table of held rows (``id`` random, ``sealed`` bytes, plus whatever plain column it
needs to find them, such as the survey id, which the participation record says anyway) and calls ``seal``
and ``unseal`` with a purpose of its own, so a key for one purpose opens nothing of another. Keys are derived
from the receipt keys (RECEIPT_SECRET_KEY and its previous keys, then SECRET_KEY), so a key rotation keeps
opening rows sealed before it; a row no key opens is kept, never guessed at.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from .config import secret_keys


def _keys() -> list[str]:
    keys = secret_keys(current_app.config, "RECEIPT_SECRET_KEY")
    return keys + [k for k in [current_app.config["SECRET_KEY"]] if k not in keys]


def _aead(purpose: str, secret: str) -> AESGCM:
    return AESGCM(hmac.new(secret.encode(), f"sealed/{purpose}".encode(), hashlib.sha256).digest())


def new_id() -> str:
    """A random row id: an auto-increment id would number the rows in the order they were written."""
    return secrets.token_urlsafe(16)


def seal(purpose: str, payload: dict, row_id: str) -> bytes:
    """``payload`` (JSON-able) sealed under the current key, bound to ``row_id`` (a sealed value moved to
    another row does not open)."""
    nonce = secrets.token_bytes(12)
    return nonce + _aead(purpose, _keys()[0]).encrypt(nonce, json.dumps(payload).encode(), row_id.encode())


def unseal(purpose: str, sealed: bytes, row_id: str) -> dict | None:
    """The payload, or None when no current or previous key opens it."""
    for secret in _keys():
        try:
            return json.loads(_aead(purpose, secret).decrypt(sealed[:12], sealed[12:], row_id.encode()))
        except (InvalidTag, ValueError):
            continue
    return None


def shuffled(rows: list) -> list:
    """The rows in a random order (the order they will be written in), from the system's randomness."""
    rows = list(rows)
    secrets.SystemRandom().shuffle(rows)
    return rows


def secure_delete_on() -> None:
    """On SQLite, deleted held rows are overwritten with zeros instead of lingering in free pages; on
    PostgreSQL dead tuples go with VACUUM (the filing job's caller runs it; docs/anonymity.md)."""
    from sqlalchemy import text

    from .extensions import db

    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("PRAGMA secure_delete = ON"))
