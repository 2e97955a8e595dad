from flask import Blueprint

bp = Blueprint("council", __name__)

from . import routes  # noqa: E402,F401
