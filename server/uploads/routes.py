"""HTTP for uploads: POST one image, GET its bytes back (API.md "Requests")."""
from __future__ import annotations

from flask import Response, g, request

from ..core.api import MULTIPART, api
from ..core.errors import invalid_request
from . import bp, services
from .images import MAX_IMAGE_BYTES
from .pdfs import MAX_PDF_BYTES, looks_like_pdf
from .schemas import UploadCreatedOut, UploadIn

# The multipart envelope around the file (boundaries, part headers) on top of the image's own limit.
MAX_BODY = max(MAX_IMAGE_BYTES, MAX_PDF_BYTES) + 64 * 1024
# Who may upload a PDF (an invoice for the fund ledger); for everyone else a PDF is not an accepted image.
PDF_ROLES = ("treasurer", "admin")
CACHE_SECONDS = 3600  # the bytes never change; a shorter time bounds how long a revoked reader's copy lasts


@bp.post("/uploads")
@api(roles=["member"], body=UploadIn, out=UploadCreatedOut, status=201, consumes=(MULTIPART,), max_body=MAX_BODY,
     errors=["unsupported_image", "image_too_large", "invalid_pdf", "rate_limited", "service_unavailable"])
def create_upload(body: UploadIn | None = None):  # body: for the OpenAPI document; the form is read here
    """Upload one photo (multipart field ``file``; JPEG, PNG or WebP by content, at most 5 MB).

    It is re-encoded without metadata (EXIF, GPS, XMP, ICC) and kept for 24 hours unless a request (or
    another domain) attaches it. A treasurer or admin may also upload a PDF (an invoice, at most 5 MB, checked
    by content), which only fund entries take."""
    files = request.files.getlist("file") if request.mimetype == MULTIPART else []
    extra = [k for k in (*request.form, *request.files) if k != "file"]
    if extra:
        raise invalid_request({k: "不允许的字段" for k in extra})
    if len(files) != 1:
        raise invalid_request({"file": "缺少必填字段" if not files else "只能上传一张图片"})
    raw = files[0].stream.read(max(MAX_IMAGE_BYTES, MAX_PDF_BYTES) + 1)
    if looks_like_pdf(raw) and g.member.has_any_role(PDF_ROLES):
        upload = services.store_pdf(g.member.id, raw)
    else:
        upload = services.store_image(g.member.id, raw)
    return UploadCreatedOut(id=upload.id)


@bp.get("/uploads/<upload_id>")
@api(roles=["member"], produces=["image/jpeg", "image/png", "application/pdf"],
     errors=["not_found", "service_unavailable"])
def get_upload(upload_id: str):
    """An uploaded image's (or invoice PDF's) bytes, for its owner until attached, then for whoever may see
    what holds it."""
    upload, data = services.readable(g.member, upload_id)
    return Response(data, mimetype=upload.content_type, headers={
        "Cache-Control": f"private, max-age={CACHE_SECONDS}",
        "X-Content-Type-Options": "nosniff",
        # A PDF is downloaded, not shown inside the API's origin.
        "Content-Disposition": "attachment" if upload.content_type == "application/pdf" else "inline",
    })
