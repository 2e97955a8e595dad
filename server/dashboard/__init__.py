"""The console's first page: what staff need to see at a glance, read from every domain."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import routes  # noqa: E402,F401
