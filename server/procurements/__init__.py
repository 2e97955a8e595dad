"""Procurement comparisons (比价): quotes, the worker representatives' confirmations, the choice and its reason,
published with the month of the decision (docs/procurements.md)."""
from flask import Blueprint

bp = Blueprint("procurements", __name__)

from . import routes  # noqa: E402,F401
