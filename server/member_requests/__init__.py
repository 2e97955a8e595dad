"""Members' requests (诉求) through grid liaisons, on working-day clocks. Paths are /requests (API.md).

The package is not called ``requests`` so that it never shadows the HTTP library of that name.
"""
from flask import Blueprint

bp = Blueprint("member_requests", __name__)

from . import models, plan_models, plan_routes, routes, stats  # noqa: E402,F401
