"""Small factories: make.member(roles=["staff"]), make.event(capacity=2), make.slot(make.calendar(), capacity=1)."""
from __future__ import annotations

import itertools
from datetime import timedelta

from server.core.timeutil import utcnow
from server.members.models import Department, Grid, Member, Tag

_seq = itertools.count(1)


class Factory:
    def __init__(self, db):
        self.db = db

    def _named(self, model, name):
        obj = self.db.session.query(model).filter_by(name=name).one_or_none()
        if obj is None:
            obj = model(name=name)
            self.db.session.add(obj)
            self.db.session.flush()
        return obj

    def department(self, name="生产一部"):
        return self._named(Department, name)

    def grid(self, name="第一网格"):
        return self._named(Grid, name)

    def tag(self, name):
        return self._named(Tag, name)

    def member(self, roles=("member",), department=None, grid=None, tags=(), phone=None, **kw):
        n = next(_seq)
        m = Member(
            employee_no=kw.pop("employee_no", f"E{n:05d}"),
            name=kw.pop("name", f"会员{n}"),
            phone=phone if phone is not None else f"139{n:08d}",
            department=self.department(department) if department else None,
            grid=self.grid(grid) if grid else None,
            roles=sorted(set(roles) | {"member"}),
            **kw,
        )
        m.tags = [self.tag(t) for t in tags]
        self.db.session.add(m)
        self.db.session.flush()
        return m

    def staff(self, **kw):
        return self.member(roles=("member", "staff"), **kw)

    def event(self, **kw):
        from server.events import lifecycle

        start = kw.pop("starts_at", utcnow() + timedelta(days=7))
        data = dict(
            title=kw.pop("title", "工会活动"), kind=kw.pop("kind", "activity"), location="工会活动室",
            starts_at=start, ends_at=kw.pop("ends_at", start + timedelta(hours=2)),
        )
        data.update(kw)
        ev = lifecycle.create_event(created_by=None, **data)
        self.db.session.flush()
        return ev

    def calendar(self, kind="health_check", audience=None, **kw):
        from server.bookings import calendars

        data = dict(title=kw.pop("title", {"health_check": "年度体检", "reception_day": "书记接待日",
                                            "legal_clinic": "法律门诊"}[kind]),
                    location=kw.pop("location", "职工服务中心"))
        data.update(kw)
        return calendars.create_calendar(created_by=None, audience=audience, kind=kind, **data)

    def slot(self, calendar=None, starts_at=None, minutes=30, capacity=1, publish_at=None):
        """One slot (a week ahead unless told), added through the service like the API does."""
        from server.bookings import slots

        calendar = calendar or self.calendar()
        start = starts_at or utcnow() + timedelta(days=7, minutes=next(_seq) * 60)
        _, (slot,) = slots.create_slots(calendar.id, [(start, start + timedelta(minutes=minutes), capacity)],
                                        publish_at, ["slots.0.starts_at"])
        return slot
