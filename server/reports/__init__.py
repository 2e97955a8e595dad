"""The management effectiveness report (工会管理效能报告): figures defined once in SQL (areas.py), the report
as one dict (build.py) rendered as JSON, PDF and XLSX, archived each quarter by the scheduler (docs/reports.md)."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import models, routes  # noqa: E402,F401
