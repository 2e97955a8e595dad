from flask import Blueprint

bp = Blueprint("members", __name__)

from . import admin_routes, routes  # noqa: E402,F401
