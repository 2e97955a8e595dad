from flask import Blueprint

bp = Blueprint("notices", __name__)

from . import poster_routes, routes, subscribers  # noqa: E402,F401

subscribers.connect()
