"""The union fund (经费): the ledger, its monthly publication sealed by a hash chain, budgets."""
from flask import Blueprint

bp = Blueprint("fund", __name__)
pages = Blueprint("fund_pages", __name__, template_folder="templates")

from . import models, pages_routes, routes  # noqa: E402,F401
