"""Rows → output models; a list in a fixed number of statements."""
from __future__ import annotations

from ..volunteers.hours import hours_of, year_bounds
from . import services
from .models import Award, AwardStatus
from .schemas import AwardNomineeOut, AwardObjectionOut, AwardOut, AwardPerson


def awards_out(rows: list[Award], staff: bool) -> list[AwardOut]:
    ids = [a.id for a in rows]
    winners = services.winners_counts(ids)
    objections = services.objection_counts(ids) if staff else {}
    return [AwardOut(id=a.id, title=a.title, year=a.year, criteria=a.criteria, quota=a.quota, status=a.status,
                     decided_at=a.decided_at, objection_closes_at=a.objection_closes_at,
                     objections_open=services.objections_open(a), finalized_at=a.finalized_at, nominees=[],
                     winners_count=winners.get(a.id, 0),
                     objections_count=objections.get(a.id, 0) if staff else None, created_at=a.created_at)
            for a in rows]


def award_out(a: Award, staff: bool) -> AwardOut:
    out = awards_out([a], staff)[0]
    final = a.status == AwardStatus.final
    rows = services.nominees_of(a.id, winners_only=not staff)
    # The nominees' volunteer hours in the award's year, one statement for all of them (staff weigh them).
    served = hours_of([n.member_id for n, _, _ in rows], *year_bounds(a.year)) if staff else {}
    # Members see the final list only once final (a removed winner is not shown to them); staff see everything.
    out.nominees = [AwardNomineeOut(id=n.id, member=AwardPerson(id=n.member_id, name=name), department=dept,
                                    reason=n.reason, winner=n.winner,
                                    removed_reason=n.removed_reason if staff else None,
                                    final=final and n.winner and n.removed_reason is None,
                                    volunteer_hours=served.get(n.member_id))
                    for n, name, dept in rows if staff or not (final and n.removed_reason)]
    return out


def objections_out(rows) -> list[AwardObjectionOut]:
    return [AwardObjectionOut(id=o.id, nominee_id=o.nominee_id, nominee_name=nominee_name,
                              member=AwardPerson(id=o.member_id, name=author_name), body=o.body,
                              created_at=o.created_at) for o, author_name, nominee_name in rows]
