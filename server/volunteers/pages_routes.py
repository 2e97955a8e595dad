"""/v/<code>: the page behind the QR code on a volunteer certificate. It says whether the certificate is genuine
and whether the member's hours for that year are still what it states; the name is masked after its first
character, as the JSON check (GET /api/v1/volunteers/certificates/<code>) answers."""
from __future__ import annotations

import secrets

from flask import current_app, g, render_template

from ..core.errors import AppError
from . import certificate, pages
from . import hours as h


def _nonce() -> str:
    g.volunteer_style_nonce = secrets.token_urlsafe(16)
    return g.volunteer_style_nonce


@pages.get("/v/<code>")
def certificate_page(code: str):
    """Genuine or not, in Chinese, with 404 for a code that is not ours."""
    union = current_app.config["UNION_NAME"]
    try:
        v, name, current = certificate.check(code)
    except AppError:
        page = render_template("public/missing.html", title="证明无法核验", union=union, nonce=_nonce(),
                               text="该志愿服务证明的校验码无效，请核对证明上的二维码或校验码。")
        return page, 404, {"Cache-Control": "no-store"}
    return render_template("volunteers/certificate.html", union=union, nonce=_nonce(), name=name, year=v.year,
                           hours=h.hours(v.minutes), current=current), 200, {"Cache-Control": "no-store"}


@pages.after_request
def _content_security_policy(resp):
    nonce = g.pop("volunteer_style_nonce", None)
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    resp.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'none'; style-src {style}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return resp
