"""Clocks fixed at creation: working days across the 2026 National Day holiday (make-up Saturday 10-10
included), calendar hours for urgent requests, the category's working days, the reopen restart; overdue."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from server.core.timeutil import SHANGHAI

from .conftest import API

RAISED = datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)


def at(*args) -> str:
    return datetime(*args, tzinfo=SHANGHAI).isoformat()


@pytest.mark.parametrize("fields, first, resolve", [
    # Next working day after 09-30 is 10-08 (10-01..07 off): due at its end, 10-09 00:00.
    ({}, at(2026, 10, 9), at(2026, 10, 21)),  # 10 working days: 10-08, 09, 10 (make-up Sat), 12..16, 19, 20
    ({"category": "hardship"}, at(2026, 10, 9), at(2026, 10, 14)),  # 5: 10-08, 09, 10, 12, 13
    ({"urgent": True}, at(2026, 10, 1, 18), at(2026, 10, 2, 18)),  # calendar hours, holiday or not
    ({"urgent": True, "category": "hardship"}, at(2026, 10, 1, 18), at(2026, 10, 2, 18)),
])
def test_clocks_at_creation_across_national_day(fields, first, resolve, world, raise_):
    with time_machine.travel(RAISED, tick=False):
        req = raise_(world.member, **fields)
    assert req["created_at"] == RAISED.isoformat()
    assert (req["first_response_due_at"], req["resolve_due_at"]) == (first, resolve)
    assert req["overdue"] is False


def test_the_resolution_days_are_configurable(world, raise_, app):
    before = app.config["REQUEST_RESOLVE_WORKDAYS"]
    app.config["REQUEST_RESOLVE_WORKDAYS"] = {"default": 3, "canteen": 2}
    try:
        with time_machine.travel(RAISED, tick=False):
            canteen = raise_(world.member, category="canteen")
            rights = raise_(world.member, category="rights")
    finally:
        app.config["REQUEST_RESOLVE_WORKDAYS"] = before
    assert canteen["resolve_due_at"] == at(2026, 10, 10)  # 10-08, 10-09
    assert rights["resolve_due_at"] == at(2026, 10, 11)  # 10-08, 10-09, 10-10 (make-up Saturday)


def test_overdue_in_the_page_the_queue_and_its_filter(world, raise_, client, auth, act):
    with time_machine.travel(RAISED, tick=False):
        late = raise_(world.member, title="早提的")
    with time_machine.travel(datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI), tick=False):
        fresh = raise_(world.member, title="新提的")  # due 10-10 00:00
        urgent = raise_(world.neighbour, urgent=True, title="紧急")  # due 10-09 10:00
    with time_machine.travel(datetime(2026, 10, 9, 12, 0, tzinfo=SHANGHAI), tick=False):
        # Now `late` (due 10-09 00:00) and `urgent` (due 10-09 10:00) are overdue; `fresh` is not.
        r = client.get(f"{API}/requests", headers=auth(world.staff))
        assert [(i["id"], i["overdue"]) for i in r.json["items"]] == [
            (late["id"], True), (urgent["id"], True), (fresh["id"], False)]
        r = client.get(f"{API}/requests?overdue=1", headers=auth(world.liaison_a))
        assert [i["id"] for i in r.json["items"]] == [late["id"], urgent["id"]] and r.json["total"] == 2
        assert client.get(f"{API}/requests/{late['id']}", headers=auth(world.member)).json["overdue"] is True
        # Answered: the first response is no longer overdue; the resolution clock (10-21) has time left.
        assert act(world.liaison_a, late["id"], "accept").json["overdue"] is False
        ids = [i["id"] for i in client.get(f"{API}/requests?overdue=1", headers=auth(world.staff)).json["items"]]
        assert ids == [urgent["id"]]
    with time_machine.travel(datetime(2026, 10, 22, 9, 0, tzinfo=SHANGHAI), tick=False):
        # Still open past its resolution due time: overdue again, until it is resolved.
        assert client.get(f"{API}/requests/{late['id']}", headers=auth(world.staff)).json["overdue"] is True
        assert act(world.staff, late["id"], "resolve", {"resolution": "已协调食堂延长供应"}).json["overdue"] is False


def test_reopening_restarts_the_resolution_clock_from_the_reopening(world, raise_, act):
    with time_machine.travel(RAISED, tick=False):
        req = raise_(world.member)
        act(world.liaison_a, req["id"], "accept")
    with time_machine.travel(datetime(2026, 10, 12, 15, 0, tzinfo=SHANGHAI), tick=False):
        act(world.liaison_a, req["id"], "resolve", {"resolution": "已解决"})
    with time_machine.travel(datetime(2026, 10, 16, 9, 0, tzinfo=SHANGHAI), tick=False):
        r = act(world.member, req["id"], "reopen", {"reason": "还是没有热饭"})
    assert r.status_code == 200, r.get_json()
    # 10 working days from 10-16 (Fri): 10-19..23, 26..30 -> due 10-31 00:00; the first response stays.
    assert r.json["resolve_due_at"] == at(2026, 10, 31)
    assert r.json["first_response_at"] == RAISED.isoformat()
    assert (r.json["status"], r.json["resolved_at"], r.json["reopen_count"]) == ("reopened", None, 1)
    with time_machine.travel(datetime(2026, 10, 16, 9, 0, tzinfo=SHANGHAI) + timedelta(days=20), tick=False):
        assert act(world.staff, req["id"], "resolve", {"resolution": "已解决"}).json["overdue"] is False
