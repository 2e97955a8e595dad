"""Uploaded files (photos for now): checked by content, re-encoded, kept under the storage root.

An upload belongs to the member who sent it until a domain attaches it to one of its objects
(``attached_kind``/``attached_id``); from then on that domain decides who may fetch it.
"""
from flask import Blueprint

bp = Blueprint("uploads", __name__)

from . import models, routes  # noqa: E402,F401
