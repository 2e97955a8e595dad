"""Signed codes a member shows and staff scan, online or offline: an event's ticket, a benefit's claim code.

Each object that issues codes (an event, a benefit) holds its own Ed25519 private key (raw 32 bytes, in its
row). A code is ``{body}.{signature}`` where the signature is base64url (no padding) of the Ed25519 signature
over the UTF-8 bytes of the body. The public half goes to staff devices, which verify codes without a network
and sync the scans later (``scan_time`` bounds the times such a device reports).
"""
from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from .errors import invalid_request

# An Ed25519 signature (64 bytes) as unpadded base64url.
SIGNATURE_PATTERN = r"[A-Za-z0-9_-]{86}"
# An offline device's clock may run a little ahead of ours; a scan further in the future is refused.
CLOCK_SKEW = timedelta(minutes=5)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> bytes:
    """A fresh private key, raw, for a new event or benefit row."""
    return Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


@lru_cache(maxsize=256)
def private_key(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key(raw: bytes) -> Ed25519PublicKey:
    return private_key(raw).public_key()


def sign(raw: bytes, body: str) -> str:
    """The code: ``body`` and its signature under the private key ``raw``."""
    return f"{body}.{b64(private_key(raw).sign(body.encode()))}"


def verify(raw: bytes, body: str, signature: str) -> bool:
    """Whether ``signature`` (base64url) signs ``body`` under the key pair of ``raw``. Only the canonical
    encoding counts, so one signature makes exactly one code string."""
    sig = unb64(signature)
    if b64(sig) != signature:
        return False
    try:
        public_key(raw).verify(sig, body.encode())
    except InvalidSignature:
        return False
    return True


def public_key_info(raw: bytes) -> dict[str, str]:
    """The public half for staff devices: raw (base64url) and PEM."""
    key = public_key(raw)
    return {"public_key": b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw)),
            "public_key_pem": key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()}


def scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """When a scan happened: now, or what an offline device reported (not past now + CLOCK_SKEW; 400
    invalid_request otherwise)."""
    if scanned_at is None:
        return now
    if scanned_at > now + CLOCK_SKEW:
        raise invalid_request({"scanned_at": "扫码时间晚于当前时间，请检查设备时钟"})
    return scanned_at


def qr_png(content: str) -> bytes:
    import qrcode

    # An integer box size keeps every module a whole number of pixels, so scanners read it reliably.
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(content)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return buf.getvalue()
