from flask import Blueprint

bp = Blueprint("reminders", __name__)

from . import routes, services  # noqa: E402,F401

services.connect()
