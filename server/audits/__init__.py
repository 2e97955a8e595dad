"""Audits as checklists: the semi-annual fund audit and the annual procedure audit. Items are filled from the
data the system holds where it can; staff mark each item, and a failed item becomes an improvement item."""
from flask import Blueprint

bp = Blueprint("audits", __name__)

from . import routes  # noqa: E402,F401
