"""Audiences: who an event, a calendar or a notice is for (API.md "Audiences").

One shape (departments, grids, tags by name; notices also member ids, an event's registrants or everyone),
one name→id resolution (one query per kind) and one SQL condition "the member is in the audience", in two
modes:

- ``every kind`` (events, calendars): within a kind any entry matches, every kind listed must match
  (department AND tag); an empty audience admits everyone. Stored as rows (kind, ref_id) in a link table.
- ``any group`` (notices): every listed group receives the notice (a union). Stored as JSON on the notice,
  names and ids; an audience copied from a calendar keeps the calendar's ``every kind`` reading
  (``"match": "every_kind"``).

Both conditions are plain SQLAlchemy expressions: they run inside the statement that needs them (the
sign-up and booking reads, the notice planner's ``INSERT … SELECT``), never as a query of their own.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Optional

from pydantic import Field, model_validator
from sqlalchemy import and_, exists, literal, or_, select

from ..members.models import Department, Grid, Member, MemberTag, Tag
from .api import GroupName, Out, RowId, Schema
from .errors import invalid_request
from .extensions import db
from .vocabulary import Vocabulary


class AudienceKind(Vocabulary):
    """A kind of group stored in the audience link tables (event_audiences, calendar_audiences)."""

    department = "department", "部门"
    grid = "grid", "网格"
    tag = "tag", "标签"


# Field of the API shape → kind stored in the link tables, and the named model.
KINDS = {"departments": (AudienceKind.department, Department), "grids": (AudienceKind.grid, Grid),
         "tags": (AudienceKind.tag, Tag)}
EVERY_KIND = "every_kind"
EMPTY_NOTICE_AUDIENCE = "请选择通知对象：全体会员，或部门、网格、标签、会员、活动报名者"


# --- schemas ----------------------------------------------------------------------------------------

class AudienceIn(Schema):
    """Events and calendars: every kind listed must match; nothing listed means everyone."""
    departments: list[GroupName] = Field(default_factory=list, max_length=200)
    grids: list[GroupName] = Field(default_factory=list, max_length=200)
    tags: list[GroupName] = Field(default_factory=list, max_length=200)


class AudienceOut(Out):
    departments: list[GroupName]
    grids: list[GroupName]
    tags: list[GroupName]


class NoticeAudienceIn(Schema):
    """Notices: everyone, or the union of the listed groups."""
    all: Optional[bool] = None
    departments: Optional[list[GroupName]] = Field(None, max_length=200)
    grids: Optional[list[GroupName]] = Field(None, max_length=200)
    tags: Optional[list[GroupName]] = Field(None, max_length=200)
    member_ids: Optional[list[RowId]] = Field(None, max_length=10000)
    event_id: Optional[RowId] = None

    @model_validator(mode="after")
    def _not_empty(self):
        if self.all is False:
            raise ValueError("all: 只能为 true；如需指定对象请列出部门、网格、标签、会员或活动")
        if self.all and any([self.departments, self.grids, self.tags, self.member_ids, self.event_id is not None]):
            raise ValueError("all: 全体会员时不能再指定其他对象")
        if not self.all and not any([self.departments, self.grids, self.tags, self.member_ids,
                                     self.event_id is not None]):
            raise ValueError("audience: " + EMPTY_NOTICE_AUDIENCE)
        return self


# --- names to ids -----------------------------------------------------------------------------------

def resolve_names(audience: dict[str, Any] | None, bad: dict[str, str]) -> dict[str, dict[str, int]]:
    """Per field, the listed names that exist with their ids (one query per listed kind); unknown names
    are added to ``bad`` under ``audience.<field>``."""
    found_by_field: dict[str, dict[str, int]] = {}
    for field, (_, model) in KINDS.items():
        names = sorted(set((audience or {}).get(field) or []))
        if not names:
            continue
        found = dict(db.session.execute(select(model.name, model.id).where(model.name.in_(names))).all())
        if missing := [n for n in names if n not in found]:
            bad[f"audience.{field}"] = "不存在：" + "、".join(missing)
        found_by_field[field] = {n: found[n] for n in names if n in found}
    return found_by_field


def resolve_rows(audience: dict[str, list[str]] | None) -> list[tuple[str, int]]:
    """An event's or calendar's audience as link rows (kind, ref_id). Raises 400 invalid_request naming
    the field of unknown names."""
    bad: dict[str, str] = {}
    found = resolve_names(audience, bad)
    if bad:
        raise invalid_request(bad)
    return [(KINDS[field][0], ref_id) for field, ids in found.items() for ref_id in ids.values()]


# Audiences a domain computes in SQL ("benefit 7's audience without a claim"): the notice stores the key and
# one id, and the planner asks the domain for the condition, so no list of member ids is ever stored or bound
# (a list of 100,000 ids would pass PostgreSQL's limit of 65,535 parameters).
_COMPUTED: dict[str, Callable[[int], Any]] = {}


def register_computed(key: str, condition: Callable[[int], Any]) -> None:
    """``condition(id)`` is an SQL condition on the outer Member row; ``{key: id}`` names that audience."""
    _COMPUTED[key] = condition


def resolve_notice(audience: dict[str, Any]) -> dict[str, Any]:
    """A notice's audience as stored: the names with their ids (``<field>_ids``), member ids, event.
    Raises 400 invalid_request (unknown names, members or event; nothing listed)."""
    if audience.get("all"):
        return {"all": True}
    resolved: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for field, ids in resolve_names(audience, bad).items():
        resolved[field] = sorted(set(audience[field]))
        resolved[f"{field}_ids"] = sorted(ids.values())
    member_ids = sorted(set(audience.get("member_ids") or []))
    if member_ids:
        known = set(db.session.scalars(select(Member.id).where(Member.id.in_(member_ids))))
        if unknown := [i for i in member_ids if i not in known]:
            bad["audience.member_ids"] = "不存在的会员：" + "、".join(map(str, unknown[:20]))
        resolved["member_ids"] = member_ids
    for key in ("event_id", "event_confirmed_id"):  # the latter: confirmed registrants only (reminders)
        if audience.get(key) is not None:
            from ..events.models import Event

            if db.session.get(Event, audience[key]) is None:
                bad[f"audience.{key}"] = "活动不存在"
            resolved[key] = audience[key]
    for key in _COMPUTED:
        if audience.get(key) is not None:
            resolved[key] = int(audience[key])
    if audience.get("match") == EVERY_KIND and any(f in resolved for f in KINDS):
        resolved["match"] = EVERY_KIND
    if bad:
        raise invalid_request(bad)
    if not resolved:
        raise invalid_request({"audience": EMPTY_NOTICE_AUDIENCE})
    return resolved


def names(link, owner_col, owner_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """Audience names per owner (event, calendar) from its link table, for output; one query per kind."""
    ids = list(owner_ids)
    out: dict[int, dict[str, list[str]]] = {i: {f: [] for f in KINDS} for i in ids}
    if not ids:
        return out
    for field, (kind, model) in KINDS.items():
        rows = db.session.execute(
            select(owner_col, model.name).join(model, model.id == link.ref_id)
            .where(owner_col.in_(ids), link.kind == kind).order_by(model.name)
        ).all()
        for owner_id, name in rows:
            out[owner_id][field].append(name)
    return out


# --- "the member is in the audience" ----------------------------------------------------------------

def admits(link, owner_col, owner, department_id, grid_id, tag_ids):
    """SQL condition, ``every kind`` mode on stored link rows: the audience of ``owner`` (an expression
    for the event or calendar id) admits the member described by ``department_id``, ``grid_id`` and
    ``tag_ids`` (expressions or values; a member object's via ``member_values``, the outer members row's
    via ``member_columns``). An owner without rows admits everyone."""
    def kind_ok(kind: str, match):
        return or_(~exists().where(owner_col == owner, link.kind == kind),
                   exists().where(owner_col == owner, link.kind == kind, match))

    return and_(kind_ok("department", link.ref_id == department_id), kind_ok("grid", link.ref_id == grid_id),
                kind_ok("tag", link.ref_id.in_(tag_ids)))


def member_values(member: Member) -> tuple:
    """A loaded member's department, grid and tags for ``admits`` (-1: matches no stored id)."""
    return (member.department_id or -1, member.grid_id or -1,
            select(MemberTag.tag_id).where(MemberTag.member_id == member.id))


def member_columns(member_id=None) -> tuple:
    """The outer members row's department, grid and tags for ``admits``; ``member_id`` (e.g. a bind
    parameter) names the member's tags when the members row is not in the enclosing query's scope."""
    tags = select(MemberTag.tag_id).where(MemberTag.member_id == (Member.id if member_id is None else member_id))
    # Nested two levels down, the subquery would not correlate to the outer members row by itself.
    return Member.department_id, Member.grid_id, tags.correlate(Member) if member_id is None else tags


def stored_condition(a: dict[str, Any]):
    """SQL condition on Member for a notice's stored audience (see ``resolve_notice``): the union of the
    listed groups, or every listed kind for an audience copied from a calendar (``match``)."""
    if a.get("all"):
        return literal(True)
    from ..events.models import Registration

    conds = []
    if a.get("departments_ids"):
        conds.append(Member.department_id.in_(a["departments_ids"]))
    if a.get("grids_ids"):
        conds.append(Member.grid_id.in_(a["grids_ids"]))
    if a.get("tags_ids"):
        conds.append(exists().where(MemberTag.member_id == Member.id, MemberTag.tag_id.in_(a["tags_ids"])))
    if a.get("match") == EVERY_KIND:
        return and_(*conds) if conds else literal(False)
    if a.get("member_ids"):
        conds.append(Member.id.in_(a["member_ids"]))
    if a.get("event_id") is not None:
        conds.append(exists().where(Registration.member_id == Member.id, Registration.event_id == a["event_id"],
                                    Registration.status.in_(("confirmed", "waitlisted"))))
    if a.get("event_confirmed_id") is not None:
        conds.append(exists().where(Registration.member_id == Member.id,
                                    Registration.event_id == a["event_confirmed_id"],
                                    Registration.status == "confirmed"))
    for key, condition in _COMPUTED.items():
        if a.get(key) is not None:
            conds.append(condition(a[key]))
    return or_(*conds) if conds else literal(False)


def copy_of(link, owner_col, owner_id: int) -> dict[str, Any]:
    """A stored event or calendar audience as a notice audience (``every kind`` kept), ready for
    ``resolve_notice``; ``{"all": True}`` when it admits everyone."""
    listed = {f: v for f, v in names(link, owner_col, [owner_id])[owner_id].items() if v}
    return {**listed, "match": EVERY_KIND} if listed else {"all": True}
