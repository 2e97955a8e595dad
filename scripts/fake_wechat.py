"""PLACEHOLDER — being replaced by the fake WeChat server."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeWeChat:
    def __init__(self, host="127.0.0.1", port=0):
        self.httpd = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}/"

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()
