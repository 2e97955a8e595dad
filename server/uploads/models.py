from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow


def random_id() -> str:
    # Not guessable: an upload id in a URL must not let anyone enumerate others' photos.
    return secrets.token_urlsafe(16)


class Upload(db.Model):
    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # Where the storage backend keeps the bytes (a relative path or an object key).
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once, when a domain attaches the upload to its object ("request", later "proposal", ...).
    attached_kind: Mapped[Optional[str]] = mapped_column(String(20))
    attached_id: Mapped[Optional[int]] = mapped_column(Integer)
    position: Mapped[Optional[int]] = mapped_column(SmallInteger)

    __table_args__ = (Index("ix_uploads_attached", "attached_kind", "attached_id"),)
