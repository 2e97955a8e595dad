"""The improvement list (整改事项, PDCA): items with an owner and a due date, from an audit finding, a report
figure or entered by hand; the scheduler warns owners before the due date and escalates overdue items."""
from flask import Blueprint

bp = Blueprint("improvements", __name__)

from . import routes  # noqa: E402,F401
