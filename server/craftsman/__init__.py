from flask import Blueprint

bp = Blueprint("craftsman", __name__)

from . import routes  # noqa: E402,F401
