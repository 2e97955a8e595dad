"""The staff web console: one static page that talks to /api/v1 with a bearer token.

Everything it needs (HTML, CSS, JS) is served from here; nothing comes from a CDN, so it works on an
intranet without internet access.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint(
    "console", __name__, url_prefix="/console", static_folder="static", template_folder="templates",
)


# Only our own files run; QR images arrive as blob: URLs made from authenticated fetches. The scan page's
# camera needs nothing more: a <video> fed a MediaStream through srcObject is not a fetch the policy governs.
_CSP = (
    "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@bp.get("/")
def index():
    """The staff web console (single page)."""
    return render_template("console/index.html", union_name=current_app.config.get("UNION_NAME", "同心工会"))


@bp.after_request
def _security_headers(resp):
    resp.headers.setdefault("Content-Security-Policy", _CSP)
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    # The scan page may use the camera; nothing else (and no frame) may use any device.
    resp.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    return resp
