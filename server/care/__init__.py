"""Hardship aid cases (困难职工帮扶): opened by the member, a liaison or staff; assessed and decided in two steps
(a handler, then the chair); aid granted (money through the fund ledger, goods, services); follow-up visits;
details seen only by the case's handlers and the chair, every read logged; purged after CARE_RETENTION_DAYS
(docs/care.md)."""
from flask import Blueprint

bp = Blueprint("care", __name__)

from . import routes  # noqa: E402,F401
