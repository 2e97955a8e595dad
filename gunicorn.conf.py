"""gunicorn settings used by ./scripts/run and recommended for production (`gunicorn -c gunicorn.conf.py`)."""
import re
import threading
from urllib.parse import unquote, urlsplit

from gunicorn.glogging import Logger

# Sync workers: requests are CPU-bound in Python, so threads would only hand the GIL around
# (measured in docs/benchmarks.md). Two per core.
workers = 4
worker_class = "sync"
wsgi_app = "server:create_app()"

SUGGESTION_PREFIX = "/api/v1/suggestions"


def _is_suggestion_path(environ) -> bool:
    # PATH_INFO is what Flask routes on; RAW_URI is the only path gunicorn sets when it answers a
    # broken request itself. Decode and collapse "//" so a spelling Werkzeug accepts cannot slip past.
    raw = environ.get("RAW_URI") or ""
    for path in (environ.get("PATH_INFO") or "", unquote(urlsplit(raw).path)):
        if re.sub("/{2,}", "/", path).startswith(SUGGESTION_PREFIX):
            return True
    return False


class AnonymityLogger(Logger):
    """Access logger that writes no line at all for the anonymous suggestion routes (docs/anonymity.md).

    Dropped rather than blanked: log lines are written in request order, so a line kept with its address,
    user agent and time removed still sits between its neighbours' exact times and next to the same
    member's other requests (sign-in, opening the form), which link it again. Only its absence unlinks it.
    Unexpected errors on these routes still reach the error log through server/errors.py.
    """

    def access(self, resp, req, environ, request_time):
        if _is_suggestion_path(environ):
            return
        super().access(resp, req, environ, request_time)


# Set here rather than on the command line so that every way of starting gunicorn with this file uses it.
logger_class = AnonymityLogger


def post_worker_init(worker):
    """Load the poster font and reportlab in the background, so the first printed poster is not slow."""
    def warm():
        try:
            from notifications.poster import warm_up

            warm_up(worker.wsgi.config.get("FONT_PATH"))
        except Exception:  # a missing font is reported when a poster is asked for, with its fix
            worker.log.warning("poster warm-up skipped", exc_info=True)

    threading.Thread(target=warm, daemon=True).start()
