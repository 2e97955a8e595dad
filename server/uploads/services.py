"""Taking an upload: check and re-encode it, store the bytes, record the row. Reading one back."""
from __future__ import annotations

import logging
import re

from flask import current_app

from ..core import ratelimit
from ..core.errors import AppError
from ..core.extensions import db
from . import attach
from .images import MAX_IMAGE_BYTES, reencode
from .models import Upload
from .pdfs import PDF_TYPE, check_pdf
from .storage import new_key, storage

log = logging.getLogger(__name__)
# What models.random_id makes (secrets.token_urlsafe(16)): anything else cannot be an upload.
UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def store_image(owner_id: int, raw: bytes) -> Upload:
    """Check, re-encode and store one image for ``owner_id``; the row is flushed, not committed.

    The file is written before the row: a process killed between the two (or a commit that fails) leaves a
    file without a row, which the orphan job sweeps after 24 hours (jobs.py), never a row without its file."""
    ratelimit.hit(current_app.config["UPLOAD_LIMIT"], "upload", str(owner_id))
    if len(raw) > MAX_IMAGE_BYTES:
        raise AppError("payload_too_large", f"图片不能超过 {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    image = reencode(raw)
    key = new_key(image.extension)
    try:
        storage().put(key, image.data, image.content_type)
    except Exception:  # disk full, bucket unreachable: nothing is recorded, the client may retry
        log.exception("could not store an upload")
        raise AppError("service_unavailable", headers={"Retry-After": "5"}) from None
    upload = Upload(owner_id=owner_id, content_type=image.content_type, size=len(image.data), width=image.width,
                    height=image.height, storage_key=key)
    db.session.add(upload)
    db.session.flush()
    return upload


def store_pdf(owner_id: int, raw: bytes) -> Upload:
    """Check and store one PDF (an invoice) as sent; like store_image, the file before the row. Only the
    domains that ask for it may attach a PDF (attach.attach(..., pdf=True)); every other keeps images only."""
    ratelimit.hit(current_app.config["UPLOAD_LIMIT"], "upload", str(owner_id))
    data = check_pdf(raw)
    key = new_key("pdf")
    try:
        storage().put(key, data, PDF_TYPE)
    except Exception:
        log.exception("could not store an upload")
        raise AppError("service_unavailable", headers={"Retry-After": "5"}) from None
    upload = Upload(owner_id=owner_id, content_type=PDF_TYPE, size=len(data), width=0, height=0, storage_key=key)
    db.session.add(upload)
    db.session.flush()
    return upload


def readable(member, upload_id: str) -> tuple[Upload, bytes]:
    """The upload and its bytes if ``member`` may see it; otherwise not_found, as for an id that does not
    exist (never reveal that it does). A malformed id is refused before any query."""
    if not UPLOAD_ID.fullmatch(upload_id):
        raise AppError("not_found")
    upload = db.session.get(Upload, upload_id)
    if upload is None or not attach.may_read(member, upload):
        raise AppError("not_found")
    try:
        data = storage().get(upload.storage_key)
    except FileNotFoundError:
        log.error("upload %s has a row but no file (%s)", upload.id, upload.storage_key)
        raise AppError("not_found") from None
    except Exception:
        log.exception("could not read upload %s", upload.id)
        raise AppError("service_unavailable", headers={"Retry-After": "5"}) from None
    return upload, data
