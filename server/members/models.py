from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.roles import STAFF_ROLES, MemberRole
from ..core.timeutil import UTCDateTime, utcnow
from ..core.vocabulary import Vocabulary

ROLES = tuple(MemberRole)


class Department(db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Grid(db.Model):
    """A grid group (网格小组); each has a liaison."""

    __tablename__ = "grids"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Tag(db.Model):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class TagSource(Vocabulary):
    """Where a member's tag came from: the roster (the HR file, or an admin's edit) or a survey's answer
    (the needs profile). A roster import replaces only the roster's tags, so it never drops the needs profile."""

    roster = "roster", "名册"
    survey = "survey", "问卷"


class MemberTag(db.Model):
    __tablename__ = "member_tags"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(10), default=TagSource.roster, server_default=TagSource.roster.value)
    __table_args__ = (Index("ix_member_tags_tag_id", "tag_id"), TagSource.check("source"))


class Member(db.Model):
    """A roster entry, imported from the HR spreadsheet and keyed by employee number."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[Optional[str]] = mapped_column(String(20), unique=True)
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"), index=True)
    grid_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grids.id"), index=True)
    # A small set read on every request; kept on the row so auth is one query.
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["member"])
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Carried in every token issued to the member; bumped (auth.revoke_tokens) to end them all.
    token_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Optional[Department]] = relationship()
    grid: Mapped[Optional[Grid]] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary="member_tags", order_by=Tag.name)

    def has_any_role(self, roles) -> bool:
        return bool(set(self.roles or ()) & set(roles))

    @property
    def is_staff(self) -> bool:
        """Staff, secretary or admin: sees every event and calendar, acts on members' behalf."""
        return self.has_any_role(STAFF_ROLES)


class WechatUser(db.Model):
    """A WeChat user of the mini-program, bound to at most one roster entry."""

    __tablename__ = "wechat_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    unionid: Mapped[Optional[str]] = mapped_column(String(64))
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    bound_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    member: Mapped[Optional[Member]] = relationship()


class PhoneAccess(db.Model):
    """Staff read a member's full phone number: who, whose, when and through which route.

    Written in the request that answers the number (one row per member shown), read by admins.
    """

    __tablename__ = "phone_accesses"
    id: Mapped[int] = mapped_column(primary_key=True)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    route: Mapped[str] = mapped_column(String(100))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

