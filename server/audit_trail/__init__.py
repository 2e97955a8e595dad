"""The audit trail: who changed what in the money and the award procedures, when, with the values before and
after. Append-only: the database itself refuses UPDATE and DELETE on its rows (triggers), so the trail also
holds against a bug or a hand in the application."""
from flask import Blueprint

bp = Blueprint("audit_trail", __name__)

from . import routes  # noqa: E402,F401
