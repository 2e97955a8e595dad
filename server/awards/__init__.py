"""Award procedures (评优评先): criteria, nominees, the decision, the public notice period (公示期) with its
objections, the final list (docs/awards.md)."""
from flask import Blueprint

bp = Blueprint("awards", __name__)

from . import routes  # noqa: E402,F401
