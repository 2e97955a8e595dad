"""What the fake WeChat and SMS servers share: the HTTP server in a thread, the failure rules tests set,
and requests held by a delay rule (so a test can time a client out, or kill a worker mid-request).

A delay rule holds a request either before the fake acts on it (the provider never accepted it) or, with
``after=True``, after it accepted it and before the answer leaves (the provider took it; the client does
not know yet). ``held`` counts the requests being held right now, so a test can wait for them.
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    """Subclasses set their own state in ``reset()``, taking ``self._lock`` around ``super().reset()``."""

    thread_name = "fake"

    def __init__(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]):
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.held = 0
        self.reset()
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.fake = self  # type: ignore[attr-defined]
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}/"

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve(self) -> None:
        """Serve in the foreground until interrupted (the command line)."""
        try:
            self.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.httpd.server_close()

    def reset(self) -> None:
        """Subclasses extend this (under ``self._lock``). Requests still held by a delay rule are let go
        and answered 503: they belong to a finished test and must not act on the next one."""
        self._release.abandoned = True  # type: ignore[attr-defined]
        self._release.set()
        self._release = threading.Event()
        self.failures: dict = {}

    def abandon_held(self) -> None:
        """The requests being held are answered 503 (to a client that may be gone) and failure rules are
        lifted; the logs are kept. A request held before acceptance was never accepted."""
        with self._lock:
            self.failures = {}
            self._release.abandoned = True  # type: ignore[attr-defined]
            self._release.set()
            self._release = threading.Event()

    def release_held(self) -> None:
        """The server recovers and completes the requests it was holding, as if nothing had happened;
        failure rules are lifted and the logs kept."""
        with self._lock:
            self.failures = {}
            self._release.set()
            self._release = threading.Event()

    def _take_failure(self, *keys) -> dict | None:
        """The rule for the first of ``keys`` that has one, counting this request against its ``times``."""
        with self._lock:
            key = next((k for k in keys if k in self.failures), None)
            rule = self.failures.get(key)
            if rule and rule.get("times") is not None:
                rule["times"] -= 1
                if rule["times"] <= 0:
                    del self.failures[key]
            return rule


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs offer
    disable_nagle_algorithm = True  # headers and body leave at once, no delayed-ACK stall per request
    wbufsize = 64 * 1024

    def log_message(self, format, *args):  # quiet: tests read fake.requests instead
        pass

    def _hold(self, release: threading.Event, rule: dict | None, after: bool = False) -> bool:
        """Wait out a delay rule meant for this stage (before acting, or after when `after`); False when
        reset() or abandon_held() gave up on this request (already answered 503)."""
        if rule and rule["delay"] and bool(rule.get("after")) == after:
            fake = self.server.fake  # type: ignore[attr-defined]
            with fake._lock:
                fake.held += 1
            try:
                release.wait(rule["delay"])
            finally:
                with fake._lock:
                    fake.held -= 1
            if getattr(release, "abandoned", False):
                self._send(503, b"<html>Service Unavailable</html>", "text/html")
                return False
        return True

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
            self.close_connection = True
