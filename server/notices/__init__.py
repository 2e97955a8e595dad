from flask import Blueprint

bp = Blueprint("notices", __name__)

from . import poster_routes, routes  # noqa: E402,F401
