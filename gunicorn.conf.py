"""gunicorn settings used by ./scripts/run and recommended for production (`gunicorn -c gunicorn.conf.py`)."""
import json
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gunicorn import util
from gunicorn.glogging import Logger

from server.core.config import ConfigError, load_config

# A bad setting stops gunicorn here, in the master, with the one line of server/core/config.py, before any
# worker starts (each worker would otherwise report it in turn).
try:
    load_config()
except ConfigError as exc:
    raise SystemExit(f"configuration error: {exc}") from None

# Sync workers: requests are CPU-bound in Python, so threads would only hand the GIL around
# (measured in docs/benchmarks.md). Two per core.
workers = 4
worker_class = "sync"
wsgi_app = "server:create_app()"

# The control socket (gunicornc) of this deployment, in its own instance folder beside this file (the
# app's instance/): gunicorn's default, one path per user, would let a second deployment on the host
# take over the first one's socket.
control_socket = str(Path(__file__).resolve().parent / "instance" / "gunicorn.ctl")

# Whatever the front proxy passes (docs/deploy.md: nginx with 8 KiB header buffers) reaches the app,
# which answers in the contract's JSON: the longest request line gunicorn allows (nginx's 8k buffer holds
# the line and its CRLF), header lines twice nginx's, and as many header lines as nginx's buffers
# (1k + 4 x 8k) can hold at four bytes each.
limit_request_line = 8190
limit_request_field_size = 16384
limit_request_fields = 10000

def _is_anonymous_path(environ) -> bool:
    # PATH_INFO is what Flask routes on; RAW_URI is the only path gunicorn sets when it answers a
    # broken request itself. Decoded, and "//" collapsed by is_anonymous_path, so a spelling Werkzeug
    # accepts cannot slip past. The same paths the app's own request log leaves out (server/core/logs.py).
    from server.core.logs import is_anonymous_path

    raw = environ.get("RAW_URI") or ""
    return any(is_anonymous_path(path) for path in (environ.get("PATH_INFO") or "", unquote(urlsplit(raw).path)))


class AnonymityLogger(Logger):
    """Access logger that writes no line at all for the anonymous routes: the suggestion box, anonymous survey
    answers and ballots (docs/anonymity.md).

    Dropped rather than blanked: log lines are written in request order, so a line kept with its address,
    user agent and time removed still sits between its neighbours' exact times and next to the same
    member's other requests (sign-in, opening the form), which link it again. Only its absence unlinks it.
    Unexpected errors on these routes still reach the error log through server/core/errors.py.
    """

    def access(self, resp, req, environ, request_time):
        if _is_anonymous_path(environ):
            return
        super().access(resp, req, environ, request_time)


# Set here rather than on the command line so that every way of starting gunicorn with this file uses it.
logger_class = AnonymityLogger


def _json_error(sock, status_int, reason, mesg):
    """What gunicorn answers itself (a request it cannot parse or that breaks its limits), in the
    contract's error shape instead of an HTML page; its own message stays in its error log."""
    from server import SECURITY_HEADERS  # in the worker, where the app is loaded already
    from server.core.errors import error_document

    doc = error_document(status_int)
    if header := re.fullmatch(r"Invalid HTTP Header: '([A-Z0-9-]+)'", mesg):
        # A header value with a control character, or a header sent twice that must not be.
        doc["error"]["details"] = {"fields": {header[1].title(): "请求头无效"}}
    body = json.dumps(doc, ensure_ascii=False).encode()
    headers = {"Connection": "close", "Content-Type": "application/json", "Content-Length": str(len(body)),
               **SECURITY_HEADERS}
    head = f"HTTP/1.1 {status_int} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    util.write_nonblock(sock, (head + "\r\n").encode("latin-1") + body)


# The workers call util.write_error for these answers; gunicorn has no setting for their format.
util.write_error = _json_error


def post_worker_init(worker):
    """Load the poster font and reportlab in the background, so the first printed poster is not slow."""
    def warm():
        try:
            from notifications.poster import warm_up

            warm_up(worker.wsgi.config.get("FONT_PATH"))
        except Exception:  # a missing font is reported when a poster is asked for, with its fix
            worker.log.warning("poster warm-up skipped", exc_info=True)

    threading.Thread(target=warm, daemon=True).start()


# --- Prometheus multiprocess mode (server/metrics.py, docs/operations.md) ---------------------------------
# Each worker process keeps its request histogram in files in PROMETHEUS_MULTIPROC_DIR, and /metrics sums them.
# Set in the master before any worker imports prometheus_client (which picks its mode on import), so never at
# the top of this file; emptied at every start, so the files of a previous run's workers are not counted again.
def on_starting(server):
    import os

    path = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                      str(Path(__file__).resolve().parent / "instance" / "prometheus")))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
# --- end of Prometheus multiprocess mode -------------------------------------------------------------------
