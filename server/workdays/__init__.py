"""China's working-day calendar: the State Council's holidays and make-up days, and "within N working days"."""
from flask import Blueprint

bp = Blueprint("workdays", __name__)

from . import models, routes  # noqa: E402,F401
