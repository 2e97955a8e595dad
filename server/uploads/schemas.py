from __future__ import annotations

from pydantic import Field

from ..core.api import Out, Schema


class UploadIn(Schema):
    """multipart/form-data: one image (JPEG, PNG or WebP, at most 5 MB) in the part named ``file``."""

    file: bytes = Field(json_schema_extra={"format": "binary"})


class UploadCreatedOut(Out):
    id: str = Field(description="Random and unguessable; pass it in a domain's attachments within 24 hours.")
