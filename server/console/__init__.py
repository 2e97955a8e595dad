"""PLACEHOLDER — the staff web console (static pages over the API)."""
from flask import Blueprint

bp = Blueprint("console", __name__)
