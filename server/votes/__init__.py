from flask import Blueprint

bp = Blueprint("votes", __name__)

from . import routes  # noqa: E402,F401
