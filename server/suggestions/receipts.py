"""Receipt codes: 80 random bits shown once, found by a keyed tag, proven by a slow hash.

scrypt from the standard library is the slow hash: with 80 random bits there is nothing to guess, so
the hash is a second wall behind the secret key, and it costs no new dependency.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

from ..core.config import secret_keys

# Crockford base32: no I, L, O or U, so a code read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16  # 16 x 5 bits = 80 bits
_SUBSTITUTE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")
# 16 MiB and some tens of milliseconds per check.
_N, _R, _P = 2**14, 8, 1


def new_receipt() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(code[i:i + 4] for i in range(0, LENGTH, 4))


def normalise(raw: str) -> str | None:
    code = re.sub(r"[\s\-]", "", raw).upper().translate(_SUBSTITUTE)
    return code if _VALID.fullmatch(code) else None


def receipt_keys() -> list[str]:
    # RECEIPT_SECRET_KEY, then its previous keys, then SECRET_KEY, which tagged every receipt made
    # before the keys were separate. Only a tag is stored, so an old receipt is found only by its key.
    keys = secret_keys(current_app.config, "RECEIPT_SECRET_KEY")
    return keys + [k for k in [current_app.config["SECRET_KEY"]] if k not in keys]


def derived_key(purpose: str, secret: str | None = None) -> bytes:
    """The key for ``purpose`` under ``secret``, by default the current receipt key."""
    secret = secret or receipt_keys()[0]
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def lookup_tag(code: str, secret: str | None = None) -> str:
    """The tag a new receipt is stored under (the current receipt key)."""
    return hmac.new(derived_key("suggestions/receipt-lookup", secret), code.encode(), hashlib.sha256).hexdigest()


def lookup_tags(code: str) -> list[str]:
    """Every tag the receipt may be stored under, the current key's first: a rotated receipt key
    keeps finding receipts made under the earlier ones."""
    return [lookup_tag(code, secret) for secret in receipt_keys()]


def _scrypt(code: str, salt: bytes) -> bytes:
    return hashlib.scrypt(code.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def hash_receipt(code: str) -> str:
    salt = secrets.token_bytes(16)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(_scrypt(code, salt)).decode()}"


_DUMMY = "scrypt$16384$8$1$" + base64.b64encode(b"\0" * 16).decode() + "$" + base64.b64encode(b"\0" * 32).decode()


def verify(code: str | None, stored: str | None) -> bool:
    """Always one scrypt run, so an unknown receipt costs as long as a known one."""
    _, n, r, p, salt, digest = (stored or _DUMMY).split("$")
    salt_b, want = base64.b64decode(salt), base64.b64decode(digest)
    got = hashlib.scrypt((code or "").encode(), salt=salt_b, n=int(n), r=int(r), p=int(p), dklen=len(want))
    return hmac.compare_digest(got, want) and stored is not None and code is not None
