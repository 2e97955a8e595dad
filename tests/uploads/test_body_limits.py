"""@api(max_body=...) and multipart bodies in memory, on views of the test's own (server/core/api.py)."""
from __future__ import annotations

import io

import pytest
from flask import request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import encode_multipart

from server.core.api import MULTIPART, api


def _multipart(size: int) -> dict:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(b"x" * size), "a.bin")})
    return {"method": "POST", "data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_a_file_part_stays_in_memory_however_large(app, db):
    seen = {}

    @api(consumes=(MULTIPART,), max_body=3 * 1024 * 1024)
    def view():
        stream = request.files["file"].stream
        seen.update(kind=type(stream), size=len(stream.getvalue()))
        return "", 204

    with app.test_request_context("/", **_multipart(2 * 1024 * 1024)):  # Werkzeug spools past 500 KB
        view()
    assert seen == {"kind": io.BytesIO, "size": 2 * 1024 * 1024}


def test_max_body_replaces_the_apps_limit_for_that_view_only(app, db):
    @api(consumes=(MULTIPART,), max_body=2 * 1024 * 1024)
    def roomy():
        return "", 204

    @api(consumes=(MULTIPART,))
    def ordinary():
        return "", 204

    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    with app.test_request_context("/", **_multipart(1536 * 1024)):
        roomy()
    with app.test_request_context("/", **_multipart(1536 * 1024)), pytest.raises(RequestEntityTooLarge):
        ordinary()
    with app.test_request_context("/", **_multipart(2 * 1024 * 1024 + 1)), pytest.raises(RequestEntityTooLarge):
        roomy()
    with pytest.raises(ValueError):
        api(max_body=0)
