from flask import Blueprint

bp = Blueprint("events", __name__)

from . import checkin_routes, routes  # noqa: E402,F401
