"""What every client reads once at start: the Chinese label of each vocabulary value (server/core/vocabulary.py).

Open to anyone (labels are not secret; the mini-program needs them before binding). The body is the same
for every caller until the server is upgraded, so it carries an ETag and may be cached for five minutes; a
client revalidating with If-None-Match gets an empty 304.
"""
from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, request
from pydantic import ConfigDict, RootModel

from .core.api import api
from .core.vocabulary import REGISTRY, all_labels

bp = Blueprint("meta", __name__)

CACHE_CONTROL = "public, max-age=300"


def _document_vocabularies(schema: dict) -> None:
    # Called when the OpenAPI document is built, after every domain has declared its vocabularies.
    schema["properties"] = {
        name: {"type": "object", "description": "；".join(f"{m.value} {m.label}" for m in vocabulary),
               "properties": {m.value: {"type": "string"} for m in vocabulary},
               "required": [m.value for m in vocabulary], "additionalProperties": False}
        for name, vocabulary in sorted(REGISTRY.items())
    }
    schema["required"] = sorted(REGISTRY)


class LabelsOut(RootModel[dict[str, dict[str, str]]]):
    """Each vocabulary by name: {value: Chinese label} in display order. An unknown value shows as itself."""

    model_config = ConfigDict(json_schema_extra=_document_vocabularies)


@bp.get("/meta/labels")
@api(out=LabelsOut, summary="The Chinese label of every vocabulary value (ETag; 304 when unchanged)")
def labels():
    body = json.dumps(all_labels(), ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(body, mimetype="application/json", headers={"Cache-Control": CACHE_CONTROL})
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    # 304 with no body when If-None-Match names this ETag (weak comparison, "*", lists: RFC 9110 13.1.2).
    return response.make_conditional(request)
