"""The one audience module: each kind, empty and unknown names, and its two readings (events and
calendars: every listed kind must match; notices: any listed group), on both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import exists, literal, select

from server.bookings.models import CalendarAudience
from server.core import audiences
from server.core.errors import AppError
from server.events.models import Event, EventAudience
from server.members.models import Member
from tests.statements import statements_of

API = "/api/v1"


@pytest.fixture
def people(make):
    """Members by what they belong to: department 机修车间 and/or tag 新员工, grid 第二网格."""
    return {
        "both": make.member(department="机修车间", tags=["新员工"]),
        "department": make.member(department="机修车间", grid="第二网格"),
        "tag": make.member(department="生产一部", tags=["新员工", "40岁以上"]),
        "none": make.member(),
    }


def event_members(db, event_id):
    """Who the event admits, set-based (as a planner would ask)."""
    rows = db.session.scalars(select(Member.id).where(audiences.admits(
        EventAudience, EventAudience.event_id, literal(event_id), *audiences.member_columns())))
    return set(rows)


def notice_members(db, stored):
    return set(db.session.scalars(select(Member.id).where(audiences.stored_condition(stored))))


def names_of(people, *keys):
    return {people[k].id for k in keys}


@pytest.mark.parametrize("audience, admitted", [
    ({}, ["both", "department", "tag", "none"]),
    ({"departments": ["机修车间"]}, ["both", "department"]),
    ({"grids": ["第二网格"]}, ["department"]),
    ({"tags": ["新员工"]}, ["both", "tag"]),
    ({"tags": ["新员工", "40岁以上"]}, ["both", "tag"]),
    ({"departments": ["机修车间", "生产一部"], "tags": ["新员工"]}, ["both", "tag"]),
    ({"departments": ["机修车间"], "tags": ["新员工"]}, ["both"]),  # every kind: department AND tag
])
def test_event_audiences_intersect_kinds(db, make, people, audience, admitted):
    ev = make.event(audience=audience)
    assert event_members(db, ev.id) == names_of(people, *admitted)
    for key, member in people.items():
        assert bool(db.session.scalar(select(exists().where(Event.id == ev.id, audiences.admits(
            EventAudience, EventAudience.event_id, Event.id, *audiences.member_values(member)))))) \
            == (key in admitted), key


@pytest.mark.parametrize("audience, admitted", [
    ({"all": True}, ["both", "department", "tag", "none"]),
    ({"departments": ["机修车间"]}, ["both", "department"]),
    ({"grids": ["第二网格"]}, ["department"]),
    ({"tags": ["新员工"]}, ["both", "tag"]),
    ({"departments": ["机修车间"], "tags": ["新员工"]}, ["both", "department", "tag"]),  # any group: a union
])
def test_notice_audiences_are_a_union_of_groups(db, people, audience, admitted):
    stored = audiences.resolve_notice(audience)
    everyone = set(db.session.scalars(select(Member.id)))
    expected = names_of(people, *admitted) if not audience.get("all") else everyone
    assert notice_members(db, stored) == expected


def test_a_calendars_audience_copied_to_a_notice_keeps_every_kind(db, make, people):
    cal = make.calendar(audience={"departments": ["机修车间"], "tags": ["新员工"]})
    copy = audiences.copy_of(CalendarAudience, CalendarAudience.calendar_id, cal.id)
    assert copy == {"departments": ["机修车间"], "tags": ["新员工"], "match": "every_kind"}
    stored = audiences.resolve_notice(copy)
    assert notice_members(db, stored) == names_of(people, "both")
    in_calendar = set(db.session.scalars(select(Member.id).where(audiences.admits(
        CalendarAudience, CalendarAudience.calendar_id, literal(cal.id), *audiences.member_columns()))))
    assert in_calendar == names_of(people, "both")
    assert audiences.copy_of(CalendarAudience, CalendarAudience.calendar_id, make.calendar().id) == {"all": True}


def test_names_resolve_to_ids_one_query_per_kind(db, make, people):
    rows = audiences.resolve_rows({"departments": ["机修车间", "机修车间"], "grids": ["第二网格"], "tags": ["新员工"]})
    assert sorted(rows) == sorted([("department", people["both"].department_id),
                                   ("grid", people["department"].grid_id),
                                   ("tag", people["both"].tags[0].id)])
    assert audiences.resolve_rows({}) == [] and audiences.resolve_rows(None) == []
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        audiences.resolve_rows({"departments": ["机修车间", "生产一部"], "tags": ["新员工", "40岁以上"]})
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements


def test_unknown_names_are_a_400_naming_each_field(db, people):
    with pytest.raises(AppError) as e:
        audiences.resolve_rows({"departments": ["机修车间", "无此部门"], "tags": ["无此标签"]})
    assert e.value.code == "invalid_request"
    fields = e.value.details["fields"]
    assert fields["audience.departments"] == "不存在：无此部门" and fields["audience.tags"] == "不存在：无此标签"
    assert "audience.grids" not in fields
    with pytest.raises(AppError) as e:
        audiences.resolve_notice({"grids": ["无此网格"], "member_ids": [people["none"].id, 999999]})
    assert set(e.value.details["fields"]) == {"audience.grids", "audience.member_ids"}


def test_an_empty_notice_audience_is_refused(db):
    with pytest.raises(AppError) as e:
        audiences.resolve_notice({})
    assert e.value.code == "invalid_request" and "audience" in e.value.details["fields"]


# --- the hot paths keep their statements ----------------------------------------------------------

def _statements_of(db, call):
    with statements_of(db.engine) as statements:
        res = call()
    return res, statements


# The audience check runs inside the read these paths already make: no statement of its own.
HOT_PATH_STATEMENTS = {"sign-up": {"sqlite": 5, "postgresql": 2},
                       "booking": {"sqlite": 4, "postgresql": 2}}


@pytest.mark.parametrize("audience", [{}, {"departments": ["机修车间"], "tags": ["新员工"]}])
def test_sign_up_and_booking_check_the_audience_in_their_own_statement(client, db, make, auth, people, audience):
    member = people["both"]
    ev = make.event(audience=audience, capacity=10)
    slot = make.slot(make.calendar(audience=audience), capacity=5)
    headers = auth(member)
    dialect = db.engine.dialect.name
    for kind, path in [("sign-up", f"{API}/events/{ev.id}/registrations"),
                       ("booking", f"{API}/slots/{slot.id}/bookings")]:
        res, statements = _statements_of(db, lambda p=path: client.post(p, headers=headers, json={}))
        assert res.status_code == 201, res.get_json()
        assert len(statements) == HOT_PATH_STATEMENTS[kind][dialect], statements
    outsider = auth(people["none"])
    if audience:
        assert client.post(f"{API}/events/{ev.id}/registrations", headers=outsider, json={}).status_code == 403
