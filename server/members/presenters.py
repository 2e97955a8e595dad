"""Output of the members domain for staff: each page in a fixed number of statements."""
from __future__ import annotations

from sqlalchemy import func, select

from ..core.extensions import db
from .models import Department, Grid, Member, MemberTag, Tag
from .schemas import (
    MemberBookingOut,
    MemberCheckinOut,
    MemberCounts,
    MemberDetailOut,
    MemberRegistrationOut,
    PersonOut,
    PhoneAccessOut,
    StaffMemberOut,
    mask_phone,
)

DETAIL_ROWS = 50  # the most recent registrations, bookings and check-ins on a member's page


def _names(model, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def _tags_of(member_ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if member_ids:
        for member_id, name in db.session.execute(
                select(MemberTag.member_id, Tag.name).join(Tag, Tag.id == MemberTag.tag_id)
                .where(MemberTag.member_id.in_(list(member_ids))).order_by(Tag.name)):
            out.setdefault(member_id, []).append(name)
    return out


def members_out(members: list[Member], phones: bool = True) -> list[StaffMemberOut]:
    """A page of members, with full phones (the route logs the view) unless ``phones`` is false:
    three statements."""
    depts = _names(Department, (m.department_id for m in members))
    grids = _names(Grid, (m.grid_id for m in members))
    tags = _tags_of([m.id for m in members])
    return [StaffMemberOut(
        id=m.id, employee_no=m.employee_no, name=m.name, department=depts.get(m.department_id),
        grid=grids.get(m.grid_id), roles=list(m.roles or []), tags=tags.get(m.id, []),
        phone_masked=mask_phone(m.phone), phone=m.phone if phones else None, is_active=m.is_active,
        has_password=bool(m.password_hash)) for m in members]


def member_detail_out(m: Member) -> MemberDetailOut:
    """One member's page: profile, counts and the latest registrations, bookings and check-ins."""
    from ..bookings.models import Booking, Calendar, Slot  # the domains import members at their top
    from ..events.models import Checkin, Event, Registration

    base = members_out([m])[0]
    counts = MemberCounts(
        registrations=db.session.scalar(select(func.count()).select_from(Registration)
                                        .where(Registration.member_id == m.id)) or 0,
        bookings=db.session.scalar(select(func.count()).select_from(Booking).where(Booking.member_id == m.id)) or 0,
        checkins=db.session.scalar(select(func.count()).select_from(Checkin).where(Checkin.member_id == m.id)) or 0,
    )
    regs = db.session.execute(
        select(Registration.event_id, Event.title, Event.starts_at, Registration.status, Checkin.checked_in_at)
        .join(Event, Event.id == Registration.event_id)
        .outerjoin(Checkin, (Checkin.event_id == Registration.event_id) & (Checkin.member_id == m.id))
        .where(Registration.member_id == m.id).order_by(Event.starts_at.desc()).limit(DETAIL_ROWS)).all()
    bookings = db.session.execute(
        select(Booking.id, Calendar.title, Slot.starts_at, Slot.ends_at, Booking.status)
        .join(Slot, Slot.id == Booking.slot_id).join(Calendar, Calendar.id == Slot.calendar_id)
        .where(Booking.member_id == m.id).order_by(Slot.starts_at.desc()).limit(DETAIL_ROWS)).all()
    checkins = db.session.execute(
        select(Checkin.event_id, Event.title, Checkin.checked_in_at, Checkin.method)
        .join(Event, Event.id == Checkin.event_id)
        .where(Checkin.member_id == m.id).order_by(Checkin.checked_in_at.desc()).limit(DETAIL_ROWS)).all()
    return MemberDetailOut(
        **base.model_dump(), counts=counts,
        registrations=[MemberRegistrationOut(event_id=r[0], title=r[1], starts_at=r[2], status=r[3],
                                             checked_in_at=r[4]) for r in regs],
        bookings=[MemberBookingOut(booking_id=b[0], calendar=b[1], starts_at=b[2], ends_at=b[3], status=b[4])
                  for b in bookings],
        checkins=[MemberCheckinOut(event_id=c[0], title=c[1], checked_in_at=c[2], method=c[3]) for c in checkins],
    )


def people(member_ids) -> dict[int, PersonOut]:
    """Name, employee number and department of each member: one statement, for any staff list."""
    ids = {i for i in member_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Member.id, Member.name, Member.employee_no, Department.name)
        .outerjoin(Department, Department.id == Member.department_id).where(Member.id.in_(ids))).all()
    return {r[0]: PersonOut(id=r[0], name=r[1], employee_no=r[2], department=r[3]) for r in rows}


def phone_accesses_out(rows) -> list[PhoneAccessOut]:
    """A page of the phone access log with both people named: one statement."""
    who = people([r.viewer_id for r in rows] + [r.member_id for r in rows])
    return [PhoneAccessOut(id=r.id, viewer=who[r.viewer_id], member=who[r.member_id], route=r.route,
                           viewed_at=r.viewed_at) for r in rows]
