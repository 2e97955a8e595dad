"""Volunteer hours (志愿时长): check-out at volunteer events with the venue code's check-out mode, hours capped
at the event's length, staff adjustments with a reason, points, certificates and the leaderboard
(docs/volunteers.md)."""
from flask import Blueprint

bp = Blueprint("volunteers", __name__)

from . import routes  # noqa: E402,F401
