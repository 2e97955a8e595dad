from flask import Blueprint

bp = Blueprint("events", __name__)

from . import routes, checkin_routes  # noqa: E402,F401
