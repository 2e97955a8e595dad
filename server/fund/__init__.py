"""The union fund (经费): the ledger, its monthly publication sealed by a hash chain, budgets."""
from flask import Blueprint

bp = Blueprint("fund", __name__)

from . import models  # noqa: E402,F401
