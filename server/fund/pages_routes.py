"""/f/<YYYY-MM>: the page behind the QR code of a printed monthly statement, readable in any phone's browser.
It shows what the paper shows (the month is published, so the notice board has it already): totals, categories,
entries and the hash, so whoever scans it can compare the paper with what the server holds now."""
from __future__ import annotations

import secrets

from flask import current_app, g, render_template

from ..core.extensions import db
from ..core.timeutil import SHANGHAI
from . import pages, services
from .chain import month_bounds
from .models import FundKind, FundMonth

MONTH_ENDPOINT = "fund_pages.month"


def _nonce() -> str:
    g.fund_style_nonce = secrets.token_urlsafe(16)
    return g.fund_style_nonce


@pages.get("/f/<month>")
def month(month: str):
    """A published month's statement online; anything else is a page in Chinese saying so, with 404."""
    row = db.session.get(FundMonth, month) if len(month) == 7 else None
    union = current_app.config["UNION_NAME"]
    if row is None:
        page = render_template("public/missing.html", title="尚未公开", union=union, nonce=_nonce(),
                               text="没有找到这个月份已公开的经费收支，请核对公示单上的二维码。")
        return page, 404, {"Cache-Control": "no-store"}
    first, after = month_bounds(row.month)
    cats = services.category_names()
    entries = [(e, cats.get(e.category, ""), services.fen_text(-e.amount_fen if e.reverses else e.amount_fen),
                FundKind(e.kind).label) for e in services.month_entries(row.month)]
    totals = [(name, FundKind(kind).label, services.fen_text(total))
              for _c, name, kind, total in services.by_category(first, after)]
    return render_template("fund/month.html", row=row, union=union, nonce=_nonce(), entries=entries, totals=totals,
                           income=services.fen_text(row.income_fen), expense=services.fen_text(row.expense_fen),
                           published=row.published_at.astimezone(SHANGHAI), year=int(month[:4]),
                           month_no=int(month[5:]))


@pages.after_request
def _content_security_policy(resp):
    nonce = g.pop("fund_style_nonce", None)
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    resp.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'none'; style-src {style}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return resp
