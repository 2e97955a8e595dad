"""Congress proposals (职代会提案): sessions, drafting with co-signers, review, assignment to departments on a
working-day clock, progress from department heads through signed links, completion, the session's PDF."""
from flask import Blueprint

bp = Blueprint("proposals", __name__)
pages = Blueprint("proposal_pages", __name__, template_folder="templates")

from . import models, pages_routes, routes  # noqa: E402,F401
