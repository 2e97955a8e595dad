"""gunicorn settings used by ./scripts/run and recommended for production (`gunicorn -c gunicorn.conf.py`)."""
import threading

# Sync workers: requests are CPU-bound in Python, so threads would only hand the GIL around
# (measured in docs/benchmarks.md). Two per core.
workers = 4
worker_class = "sync"
wsgi_app = "server:create_app()"


def post_worker_init(worker):
    """Load the poster font and reportlab in the background, so the first printed poster is not slow."""
    def warm():
        try:
            from notifications.poster import warm_up

            warm_up(worker.wsgi.config.get("FONT_PATH"))
        except Exception:  # a missing font is reported when a poster is asked for, with its fix
            worker.log.warning("poster warm-up skipped", exc_info=True)

    threading.Thread(target=warm, daemon=True).start()
