"""Volunteer hours (志愿时长): check-out at volunteer events with the venue code's check-out mode, hours capped
at the event's length, staff adjustments with a reason, points, certificates and the leaderboard
(docs/volunteers.md)."""
from flask import Blueprint

bp = Blueprint("volunteers", __name__)
# /v/<code>: the page behind a certificate's QR code, readable in any phone's browser.
pages = Blueprint("volunteer_pages", __name__, template_folder="templates")

from . import pages_routes, routes  # noqa: E402,F401
