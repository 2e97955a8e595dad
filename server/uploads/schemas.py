from __future__ import annotations

from pydantic import Field

from ..core.api import Out


class UploadCreatedOut(Out):
    id: str = Field(description="Random and unguessable; pass it in a domain's attachments within 24 hours.")
