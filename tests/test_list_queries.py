"""No list endpoint asks the database once per row.

For every GET route whose answer holds a list of objects (found in the OpenAPI document, so a new one
cannot be forgotten), a few rows are made and the request's statements counted; then many more rows, of
every kind the presenter treats differently (waiting, checked in, cancelled, read, answered …), and the
count must not grow.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

import pytest

from server.bookings import booking
from server.core.api import openapi_document
from server.core.timeutil import utcnow
from server.events import signup
from server.events.models import Checkin
from server.notices import services as notices
from server.notices.models import Delivery
from server.suggestions import services as suggestions
from server.surveys import answering as survey_answering
from server.surveys import services as surveys
from tests.statements import statements_of

API = "/api/v1"
FEW, MANY = 3, 12  # rows added before the first count, then before the second (pages hold up to 100)
CATEGORIES = ["workplace_safety", "pay_benefits", "canteen_facilities", "management", "training_career"]


class Ctx:
    """What the cases share within one test: the client, factories, a member and a staff member."""

    def __init__(self, client, make, auth, db):
        self.client, self.make, self.auth, self.db = client, make, auth, db
        self.member = make.member(department="机修车间")
        self.staff = make.staff()
        self.state: dict = {}

    def event(self, **kw):
        return self.make.event(**kw)


# case(ctx, n) adds n rows to what the request lists and returns (url, headers).
CASES: dict[str, Callable] = {}


def case(name: str):
    def register(fn):
        CASES[name] = fn
        return fn
    return register


def _registrations(ctx: Ctx, n: int, member) -> None:
    """n events the member signed up for, by turns confirmed and checked in, waiting, confirmed, cancelled."""
    for i in range(n):
        kind = i % 4
        ev = ctx.event(capacity=1 if kind == 1 else None)
        if kind == 1:
            signup.register(ctx.make.member().id, ev.id)  # the seat goes to someone else: ours waits
        reg, _, _ = signup.register(member.id, ev.id)
        if kind == 0:
            ctx.db.session.add(Checkin(event_id=ev.id, member_id=member.id, registration_id=reg.id,
                                       checked_in_at=utcnow(), method="code"))
        elif kind == 3:
            signup.cancel_registration(member, ev.id)
    ctx.db.session.flush()


@case("events.list_events")
def _events(ctx: Ctx, n: int):
    _registrations(ctx, n, ctx.member)
    for _ in range(n):  # and events the member has not signed up for, one for their department only
        ctx.event(audience={"departments": ["机修车间"]})
    return f"{API}/events?per_page=100", ctx.auth(ctx.member)


@case("events.my_registrations")
def _my_registrations(ctx: Ctx, n: int):
    _registrations(ctx, n, ctx.member)
    return f"{API}/me/registrations?per_page=100", ctx.auth(ctx.member)


@case("events.list_registrations")
def _roster(ctx: Ctx, n: int):
    ev = ctx.state.setdefault("event", ctx.event(capacity=2))
    for i in range(n):
        m = ctx.make.member(department="机修车间", grid="第一网格")
        reg, _, _ = signup.register(m.id, ev.id)
        if i % 2 == 0 and reg.status == "confirmed":
            ctx.db.session.add(Checkin(event_id=ev.id, member_id=m.id, registration_id=reg.id,
                                       checked_in_at=utcnow(), method="code"))
    ctx.db.session.flush()
    return f"{API}/events/{ev.id}/registrations?per_page=100", ctx.auth(ctx.staff)


@case("bookings.list_calendars")
def _calendars(ctx: Ctx, n: int):
    for i in range(n):
        ctx.make.calendar(kind=("health_check", "reception_day", "legal_clinic")[i % 3],
                          audience={"departments": ["机修车间"]} if i % 2 else None)
    return f"{API}/calendars?per_page=100", ctx.auth(ctx.member)


@case("bookings.list_slots")
def _slots(ctx: Ctx, n: int):
    cal = ctx.state.setdefault("calendar", ctx.make.calendar())
    for _ in range(n):
        slot = ctx.make.slot(cal, capacity=2)
        booking.book_slot(ctx.make.member().id, slot.id)
    return f"{API}/calendars/{cal.id}/slots?per_page=100", ctx.auth(ctx.member)


@case("bookings.calendar_days")
def _calendar_days(ctx: Ctx, n: int):
    cal = ctx.state.setdefault("calendar", ctx.make.calendar())
    start = ctx.state.setdefault("days", [0])
    for i in range(n):  # a slot a day, every other one booked
        slot = ctx.make.slot(cal, capacity=2, starts_at=utcnow() + timedelta(days=2 + start[0] + i, hours=1))
        if i % 2:
            booking.book_slot(ctx.make.member().id, slot.id)
    start[0] += n
    return f"{API}/calendars/{cal.id}/days", ctx.auth(ctx.staff)


@case("bookings.my_bookings")
def _my_bookings(ctx: Ctx, n: int):
    for i in range(n):
        b, _ = booking.book_slot(ctx.member.id, ctx.make.slot(ctx.make.calendar()).id)
        if i % 2:
            booking.cancel_booking(ctx.member, b.id, staff=False)
    return f"{API}/me/bookings?per_page=100", ctx.auth(ctx.member)


@case("bookings.list_bookings")
def _booking_roster(ctx: Ctx, n: int):
    cal = ctx.state.setdefault("calendar", ctx.make.calendar(kind="reception_day"))
    for i in range(n):
        slot = ctx.make.slot(cal, capacity=2)
        m = ctx.make.member(department="机修车间")
        b, _ = booking.book_slot(m.id, slot.id, topic="食堂")
        if i % 2:
            booking.cancel_booking(ctx.staff, b.id, staff=True)
    return f"{API}/calendars/{cal.id}/bookings?per_page=100", ctx.auth(ctx.staff)


def _notice(ctx: Ctx, member_ids, **kw):
    n = notices.create_notice(ctx.staff.id, title="通知", body="正文", channels=kw.pop("channels", ["push"]),
                              audience={"member_ids": member_ids}, **kw)
    return notices.send_notice(n.id)


@case("notices.list_notices")
def _notices(ctx: Ctx, n: int):
    for i in range(n):
        # Each names members of its own (audience_members: their names, read for the page at once).
        named = [ctx.make.member(department="机修车间").id, ctx.member.id]
        _notice(ctx, named, channels=["push", "poster"] if i % 2 else ["sms"])
    return f"{API}/notices?per_page=100", ctx.auth(ctx.staff)


@case("notices.get_notice")
def _notice_page(ctx: Ctx, n: int):
    # One notice naming every member made so far (audience_members), some without a department.
    named = ctx.state.setdefault("named", [])
    named += [ctx.make.member(department="机修车间" if i % 2 else None).id for i in range(n)]
    return f"{API}/notices/{_notice(ctx, list(named)).id}", ctx.auth(ctx.staff)


@case("notices.list_deliveries")
def _deliveries(ctx: Ctx, n: int):
    # Deliveries are written when a notice is sent: each count is of a notice of its own, the second larger.
    ctx.state["members"] = ctx.state.get("members", []) + [ctx.make.member().id for _ in range(n)]
    notice = _notice(ctx, ctx.state["members"], channels=["push", "sms"])
    return f"{API}/notices/{notice.id}/deliveries?per_page=100", ctx.auth(ctx.staff)


@case("notices.inbox")
def _inbox(ctx: Ctx, n: int):
    for i in range(n):
        notice = _notice(ctx, [ctx.member.id])
        if i % 2:
            notices.mark_read(ctx.member, notice.id)
    return f"{API}/me/notices?per_page=100", ctx.auth(ctx.member)


@case("reminders.jobs")
def _jobs(ctx: Ctx, n: int):
    for _ in range(n):
        ctx.event()  # two reminders each
        _notice(ctx, [ctx.member.id], send_at=utcnow() + timedelta(days=1))  # scheduled
    return f"{API}/admin/jobs", ctx.auth(ctx.staff)


@case("dashboard.dashboard")
def _dashboard(ctx: Ctx, n: int):
    # Events of the week (its first list), each with a sign-up and a check-in, today's bookings, failing
    # deliveries of a notice each, check-ins in past months: every figure grows, no statement count does.
    for i in range(n):
        ev = ctx.event(starts_at=utcnow() + timedelta(days=1 + i % 5))
        m = ctx.make.member(department=f"部门{i % 4}")
        reg, _, _ = signup.register(m.id, ev.id)
        ctx.db.session.add(Checkin(event_id=ev.id, member_id=m.id, registration_id=reg.id,
                                   checked_in_at=utcnow() - timedelta(days=31 * (i % 6)), method="code"))
        booking.book_slot(m.id, ctx.make.slot(starts_at=utcnow() + timedelta(minutes=5 + i)).id)
        notice = _notice(ctx, [m.id], channels=["sms"])
        ctx.db.session.execute(Delivery.__table__.update().where(Delivery.notice_id == notice.id)
                               .values(status="failed" if i % 2 else "unknown"))
    ctx.db.session.flush()
    return f"{API}/dashboard", ctx.auth(ctx.staff)


@case("members.list_members")
def _members(ctx: Ctx, n: int):
    # By turns: with department, grid and tags; with none of them and no phone.
    for i in range(n):
        if i % 2:
            ctx.make.member(department=f"部门{i % 3}", grid="一网格", tags=("青年", f"标签{i}"))
        else:
            ctx.make.member().phone = None
    return f"{API}/members?per_page=100&include_inactive=true", ctx.auth(ctx.staff)


@case("members.get_member")
def _member_page(ctx: Ctx, n: int):
    _registrations(ctx, n, ctx.member)
    for _ in range(n):
        booking.book_slot(ctx.member.id, ctx.make.slot().id)
    return f"{API}/members/{ctx.member.id}", ctx.auth(ctx.staff)


@case("members.phone_access_log")
def _phone_access(ctx: Ctx, n: int):
    from server.members.directory import log_phone_views

    for _ in range(n):
        log_phone_views(ctx.make.staff().id, [ctx.make.member(department="质检部").id, ctx.member.id], "GET /x")
    admin = ctx.state.setdefault("admin", ctx.make.member(roles=("member", "admin")))
    return f"{API}/admin/phone-access?per_page=100", ctx.auth(admin)


def _suggestion(ctx: Ctx, replies: int = 1, public: bool = False):
    s, receipt = suggestions.submit(ctx.make.member().id, "canteen_facilities", None, "食堂晚班没有热饭")
    suggestions.file_held(force=True)
    filed = suggestions.get(s.id)
    for _ in range(replies):
        suggestions.add_message(filed, "staff", "已转食堂")
    if public:
        suggestions.update_suggestion(filed.id, None, True)
    return filed, receipt


@case("suggestions.inbox")
def _suggestion_inbox(ctx: Ctx, n: int):
    for i in range(n):
        _suggestion(ctx, replies=i % 3)
    return f"{API}/suggestions?per_page=100", ctx.auth(ctx.staff)


@case("suggestions.public_board")
def _public_board(ctx: Ctx, n: int):
    for i in range(n):
        _suggestion(ctx, replies=1 + i % 2, public=True)
    return f"{API}/suggestions/public?per_page=100", ctx.auth(ctx.member)


@case("suggestions.suggestion_stats")
def _suggestion_stats(ctx: Ctx, n: int):
    # Groups under 5 are hidden: each call adds 5 suggestions to each of n // 3 categories more.
    start = ctx.state.get("categories", 0)
    ctx.state["categories"] = start + n // 3
    for category in CATEGORIES[start:start + n // 3]:
        for _ in range(5):
            suggestions.submit(ctx.make.member().id, category, None, "意见")
    suggestions.file_held(force=True)
    return f"{API}/suggestions/stats", ctx.auth(ctx.staff)


def _thread(ctx: Ctx, n: int):
    if "suggestion" not in ctx.state:
        ctx.state["suggestion"] = _suggestion(ctx, replies=0)
    filed, receipt = ctx.state["suggestion"]
    for i in range(n):
        suggestions.add_message(filed, "staff" if i % 2 else "submitter", f"回复 {i}")
    return filed, receipt


@case("suggestions.my_suggestion")
def _my_suggestion(ctx: Ctx, n: int):
    _, receipt = _thread(ctx, n)
    return f"{API}/suggestions/mine", {"X-Receipt": receipt}


@case("suggestions.staff_suggestion")
def _staff_suggestion(ctx: Ctx, n: int):
    filed, _ = _thread(ctx, n)
    return f"{API}/suggestions/{filed.id}", ctx.auth(ctx.staff)


def _survey(ctx: Ctx, questions: int = 2, anonymous: bool = False, audience: dict | None = None):
    now = utcnow()
    qs = [{"kind": ("single", "multiple", "scale", "text")[i % 4], "text": f"第{i}题",
           "options": ["甲", "乙", "丙"] if i % 4 < 2 else [], "option_tags": {"0": "需帮扶"} if i % 4 == 0 else {}}
          for i in range(questions)]
    s = surveys.create_survey(ctx.staff.id, {"title": "问卷", "anonymous": anonymous, "audience": audience or {},
                                             "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=2),
                                             "questions": qs})
    surveys.publish(s.id)
    return s


def _answers(questions: int) -> list[dict]:
    return [{"question": i, **({"choice": 0}, {"choices": [0, 1]}, {"value": 4}, {"text": "好"})[i % 4]}
            for i in range(questions)]


@case("surveys.list_surveys")
def _list_surveys(ctx: Ctx, n: int):
    for i in range(n):
        s = _survey(ctx, questions=1 + i % 3)
        survey_answering.respond(s.id, ctx.member, _answers(1 + i % 3))
    return f"{API}/surveys?per_page=100", ctx.auth(ctx.staff)


@case("surveys.my_surveys")
def _my_surveys(ctx: Ctx, n: int):
    for i in range(n):
        s = _survey(ctx, questions=1 + i % 3)
        if i % 2:
            survey_answering.respond(s.id, ctx.member, _answers(1 + i % 3))
    return f"{API}/me/surveys?per_page=100", ctx.auth(ctx.member)


@case("surveys.get_survey")
def _get_survey(ctx: Ctx, n: int):
    s = _survey(ctx, questions=n)
    return f"{API}/surveys/{s.id}", ctx.auth(ctx.staff)


@case("surveys.survey_results")
def _survey_results(ctx: Ctx, n: int):
    s = _survey(ctx, questions=n)
    for _ in range(6):
        survey_answering.respond(s.id, ctx.make.member(department="机修车间"), _answers(n))
    return f"{API}/surveys/{s.id}/results?by=tag", ctx.auth(ctx.staff)


@case("surveys.survey_turnout")
def _survey_turnout(ctx: Ctx, n: int):
    start = ctx.state.get("turnout_departments", 0)
    ctx.state["turnout_departments"] = start + n
    for d in range(start, start + n):
        for _ in range(5):
            ctx.make.member(department=f"问卷部门{d}")
    s = _survey(ctx, questions=1, anonymous=True)
    return f"{API}/surveys/{s.id}/turnout", ctx.auth(ctx.staff)


@case("workdays.list_workdays")
def _workdays(ctx: Ctx, n: int):
    # Days an admin entered, working and not, in a year the package does not know; the span grows with n.
    from datetime import date

    from server.workdays.models import WorkdayOverride

    start = date(2027, 1, 1)
    ctx.db.session.add_all(WorkdayOverride(day=start + timedelta(days=i), workday=i % 2 == 0, name=f"日{i}")
                           for i in range(ctx.state.get("workdays", 0), n))
    ctx.state["workdays"] = n
    return f"{API}/workdays?from=2027-01-01&to={start + timedelta(days=n * 10)}", ctx.auth(ctx.member)
def _requests(ctx: Ctx, n: int, member=None):
    """n requests of every kind the list treats differently: urgent, confidential, in another grid or none,
    accepted with an assignee, resolved, overdue."""
    from server.member_requests import access, handling, raising
    from server.member_requests.models import RequestCategory
    from server.member_requests.schemas import RequestIn

    liaison = ctx.state.setdefault("liaison", ctx.make.member(roles=("member", "liaison"), grid="一网格"))
    for i in range(n):
        who = member or ctx.make.member(grid=("一网格", "二网格", None)[i % 3], department=f"部门{i % 2}")
        req = raising.raise_request(access.Viewer(who), RequestIn(
            category=RequestCategory(("canteen", "hardship", "rights")[i % 3]), title=f"诉求{i}", content="内容",
            urgent=i % 4 == 0, confidential=i % 5 == 0))
        if i % 3 == 1:
            handling.accept(access.Viewer(ctx.staff), req)
        if i % 4 == 2:
            handling.resolve(access.Viewer(ctx.staff), req, "已解决")
        if i % 2:
            req.first_response_due_at = req.first_response_due_at - timedelta(days=30)  # overdue
    ctx.db.session.flush()
    return liaison


@case("member_requests.request_queue")
def _request_queue(ctx: Ctx, n: int):
    _requests(ctx, n)
    return f"{API}/requests?per_page=100", ctx.auth(ctx.staff)


@case("member_requests.my_requests")
def _my_requests(ctx: Ctx, n: int):
    _requests(ctx, n, member=ctx.member)
    return f"{API}/me/requests?per_page=100", ctx.auth(ctx.member)


@case("member_requests.get_request")
def _request_timeline(ctx: Ctx, n: int):
    from server.member_requests import access, handling, raising
    from server.member_requests.models import RequestCategory
    from server.member_requests.schemas import RequestIn
    from server.uploads.models import Upload

    if "request" not in ctx.state:
        ups = [Upload(owner_id=ctx.member.id, content_type="image/png", size=1, width=1, height=1,
                      storage_key=f"lq/{i}") for i in range(3)]
        ctx.db.session.add_all(ups)
        ctx.db.session.flush()
        ctx.state["request"] = raising.raise_request(access.Viewer(ctx.member), RequestIn(
            category=RequestCategory.hardship, title="家中变故", content="内容", confidential=True,
            attachments=[u.id for u in ups]))
    req = ctx.state["request"]
    for i in range(n):  # messages and notes by ever new staff members, and the member's replies
        handler = access.Viewer(ctx.make.staff())
        handling.post_message(handler, req, f"回复{i}", internal=i % 2 == 1)
        handling.post_message(access.Viewer(ctx.member), req, f"会员{i}", internal=False)
    handling.assign(access.Viewer(ctx.staff), req, ctx.make.staff().id)
    return f"{API}/requests/{req.id}", ctx.auth(ctx.staff)


@case("member_requests.confidential_reads")
def _confidential_reads(ctx: Ctx, n: int):
    from server.member_requests import queries
    from server.member_requests.models import Request

    _requests(ctx, 1)
    rid = ctx.db.session.query(Request.id).order_by(Request.id.desc()).limit(1).scalar()
    for _ in range(n):
        queries.log_read(ctx.make.staff().id, rid, "GET /x", utcnow())
    admin = ctx.state.setdefault("admin", ctx.make.member(roles=("member", "admin")))
    return f"{API}/requests/confidential-reads?per_page=100", ctx.auth(admin)


@case("member_requests.get_liaison_grids")
def _liaison_grids(ctx: Ctx, n: int):
    from server.member_requests.models import LiaisonGrid

    liaison = ctx.state.setdefault("liaison", ctx.make.member(roles=("member", "liaison"), grid="一网格"))
    start = ctx.state.get("grids", 0)
    ctx.state["grids"] = start + n
    for i in range(start, start + n):
        ctx.db.session.add(LiaisonGrid(member_id=liaison.id, grid_id=ctx.make.grid(f"网格{i}").id))
    ctx.db.session.flush()
    return f"{API}/members/{liaison.id}/liaison-grids", ctx.auth(ctx.staff)


@case("member_requests.list_grids")
def _grids(ctx: Ctx, n: int):
    from server.member_requests.models import LiaisonGrid

    start = ctx.state.get("grid_list", 0)
    ctx.state["grid_list"] = start + n
    for i in range(start, start + n):  # each grid: two members, a liaison by roster row, one added elsewhere
        grid = ctx.make.grid(f"列表网格{i}")
        ctx.make.member(grid=grid.name)
        ctx.make.member(roles=("member", "liaison"), grid=grid.name)
        other = ctx.make.member(roles=("member", "liaison"))
        ctx.db.session.add(LiaisonGrid(member_id=other.id, grid_id=grid.id))
    ctx.db.session.flush()
    return f"{API}/grids", ctx.auth(ctx.staff)


REQUEST_CATEGORIES = ["rights", "welfare", "training", "canteen", "workplace", "hardship"]


def _plan_requests(ctx: Ctx, n: int, category: str = "canteen") -> list:
    """n requests raised now, each in a grid of its own (so each is a group of the needs)."""
    from tests.member_requests.factory import make_request

    start = ctx.state.get("plan_grids", 0)
    ctx.state["plan_grids"] = start + n
    return [make_request(ctx.db.session, ctx.member, grid=ctx.make.grid(f"诉求网格{start + i}"), category=category)
            for i in range(n)]


@case("member_requests.plan_needs")
def _plan_needs(ctx: Ctx, n: int):
    _plan_requests(ctx, n)
    return f"{API}/requests/plan/needs", ctx.auth(ctx.staff)


@case("member_requests.plan_items")
def _plan_items(ctx: Ctx, n: int):
    from server.member_requests import plan

    quarter = plan.current_quarter(utcnow())
    for i, r in enumerate(_plan_requests(ctx, n)):
        plan.create_item(ctx.staff.id, quarter=quarter, category="canteen", grid_id=r.grid_id if i % 2 else None,
                         title=f"事项{i}", description=None, owner_id=ctx.make.staff().id,
                         due_on=utcnow().date() + timedelta(days=30), request_ids=[r.id] if i % 3 else None)
    return f"{API}/requests/plan?per_page=100", ctx.auth(ctx.staff)


@case("member_requests.request_stats")
def _request_stats(ctx: Ctx, n: int):
    # Groups under 5 are merged: each call adds 5 requests to each of n // 3 categories more.
    from tests.member_requests.factory import make_request

    start = ctx.state.get("stat_categories", 0)
    ctx.state["stat_categories"] = start + n // 3
    for category in REQUEST_CATEGORIES[start:start + n // 3]:
        for i in range(5):
            make_request(ctx.db.session, ctx.member, category=category, created=utcnow() - timedelta(minutes=5),
                         first_response_at=utcnow() if i % 2 else None, resolved_at=utcnow() if i == 1 else None)
    since = (utcnow() - timedelta(days=30)).date()
    return f"{API}/requests/stats?from={since}", ctx.auth(ctx.staff)


def _votes(ctx: Ctx, n: int, **kw) -> list[int]:
    """n published votes, 3 candidates each (one with a photo), every other with a department audience."""
    from server.uploads.models import Upload
    from server.votes import services as votes

    ids = []
    for i in range(n):
        up = Upload(owner_id=ctx.staff.id, content_type="image/png", size=1, width=1, height=1,
                    storage_key=f"lv/{secrets.token_hex(8)}")
        ctx.db.session.add(up)
        ctx.db.session.flush()
        vote = votes.create_vote(ctx.staff.id, title=f"投票{i}", description="", opens_at=utcnow() - timedelta(hours=1),
                                 closes_at=utcnow() + timedelta(days=1), max_choices=1,
                                 audience={"departments": ["机修车间"]} if i % 2 else None,
                                 candidates=[{"name": "甲", "photo": up.id}, {"name": "乙"}, {"name": "丙"}], **kw)
        votes.publish_vote(vote.id)
        ids.append(vote.id)
    return ids


def _ballots(ctx: Ctx, vote_id: int, n: int) -> None:
    from server.votes import services as votes

    a, b = [c.id for c in votes.candidates_of([vote_id])[vote_id]][:2]
    for i in range(n):
        votes.cast_ballot(ctx.make.member(department=f"投票部门{i % 3}").id, vote_id, [a if i % 2 else b])


@case("votes.list_votes")
def _vote_list(ctx: Ctx, n: int):
    for vote_id in _votes(ctx, n)[::2]:
        _ballots(ctx, vote_id, 1)
    return f"{API}/votes?per_page=100", ctx.auth(ctx.staff)


@case("votes.my_votes")
def _my_votes(ctx: Ctx, n: int):
    for vote_id in _votes(ctx, n)[::2]:  # some voted by the member, some not
        from server.votes import services as votes

        votes.cast_ballot(ctx.member.id, vote_id, [votes.candidates_of([vote_id])[vote_id][0].id])
    return f"{API}/me/votes?per_page=100", ctx.auth(ctx.member)


@case("votes.get_vote")
def _one_vote(ctx: Ctx, n: int):
    from server.votes import services as votes

    if "vote" not in ctx.state:
        ctx.state["vote"] = _votes(ctx, 1)[0]
    vote = votes.get_vote(ctx.state["vote"])
    existing = [{"name": c.name} for c in votes.candidates_of([vote.id])[vote.id]]
    vote.status = "draft"  # candidates are replaced on drafts only
    votes.update_vote(vote.id, ctx.staff.id, {"candidates": existing + [{"name": f"候选{i}"} for i in range(n)]})
    vote.status = "open"
    return f"{API}/votes/{vote.id}", ctx.auth(ctx.member)


@case("votes.vote_results")
def _vote_results(ctx: Ctx, n: int):
    from server.votes import services as votes

    vote = votes.create_vote(ctx.staff.id, title="结果", description="", opens_at=utcnow() - timedelta(hours=1),
                             closes_at=utcnow() + timedelta(days=1), max_choices=2, audience=None,
                             candidates=[{"name": f"候选{i}"} for i in range(n + 2)])
    votes.publish_vote(vote.id)
    _ballots(ctx, vote.id, n)
    votes.close_vote(vote.id, early=True)
    return f"{API}/votes/{vote.id}/results", ctx.auth(ctx.member)


@case("votes.vote_turnout")
def _vote_turnout(ctx: Ctx, n: int):
    if "turnout" not in ctx.state:
        ctx.state["turnout"] = _votes(ctx, 1)[0]
    _ballots(ctx, ctx.state["turnout"], n)
    for _ in range(n):  # departments big enough to be shown, each
        for _ in range(5):
            ctx.make.member(department=f"大部门{ctx.state.setdefault('depts', 0)}")
        ctx.state["depts"] += 1
    return f"{API}/votes/{ctx.state['turnout']}/turnout", ctx.auth(ctx.staff)


# --- council and craftsman star ------------------------------------------------------------------------

def _council_topic(ctx: Ctx):
    from server.council import services as council

    if "topic" not in ctx.state:
        ctx.state["topic"] = council.create_topic(ctx.staff.id, month="2026-12", title="食堂", description="",
                                                  closes_at=utcnow() + timedelta(days=5), notify=False).id
    return ctx.state["topic"]


def _council_ideas(ctx: Ctx, n: int, select_some: bool = False) -> None:
    """n ideas by different members, supported by turns by nobody, the viewer, others; some selected/answered."""
    from server.council import services as council

    topic_id = _council_topic(ctx)
    for i in range(n):
        idea = council.post_idea(ctx.make.member().id, topic_id, f"建议{i}", "内容")
        if i % 3 == 1:
            council.support(ctx.member.id, idea.id)
        if i % 3 == 2:
            council.support(ctx.make.member().id, idea.id)
        if select_some or i % 2:
            council.select_idea(ctx.staff.id, idea.id, notify=False)
            if i % 4 == 1:
                council.answer_idea(ctx.staff.id, idea.id, "已答复", notify=False)


@case("council.list_representatives")
def _council_representatives(ctx: Ctx, n: int):
    from server.council import services as council

    for _ in range(n):
        dept = f"议事部门{ctx.state.setdefault('rep', 0)}"
        ctx.state["rep"] += 1
        council.set_representative(ctx.staff.id, dept, ctx.make.member(department=dept).id)
    return f"{API}/council/representatives", ctx.auth(ctx.member)


@case("council.list_topics")
def _council_topics(ctx: Ctx, n: int):
    from server.council import services as council

    for _ in range(n):
        k = ctx.state.setdefault("month", 0)
        ctx.state["month"] += 1
        t = council.create_topic(ctx.staff.id, month=f"20{30 + k // 12}-{k % 12 + 1:02d}", title="议题",
                                 description="", closes_at=utcnow() + timedelta(days=k % 2 * 5 + 1), notify=False)
        council.post_idea(ctx.member.id, t.id, "建议", "内容")
    return f"{API}/council/topics?per_page=100", ctx.auth(ctx.member)


@case("council.list_ideas")
def _council_list_ideas(ctx: Ctx, n: int):
    _council_ideas(ctx, n)
    return f"{API}/council/topics/{_council_topic(ctx)}/ideas?per_page=100", ctx.auth(ctx.member)


@case("council.get_topic")
def _council_get_topic(ctx: Ctx, n: int):
    _council_ideas(ctx, n, select_some=True)
    return f"{API}/council/topics/{_council_topic(ctx)}", ctx.auth(ctx.member)


def _craftsman_round(ctx: Ctx, key: str = "round", year: int = 2026):
    from server.craftsman import services as craftsman

    if key not in ctx.state:
        now = utcnow()
        committee = [ctx.make.member().id for _ in range(2)]
        ctx.state[key] = craftsman.create_round(
            ctx.staff.id, year=year, title="工匠之星", nomination_closes_at=now + timedelta(days=1),
            review_closes_at=now + timedelta(days=2), vote_opens_at=now + timedelta(days=2),
            vote_closes_at=now + timedelta(days=3), winners=3, committee=committee, notify=False).id
        ctx.state[key + "_committee"] = committee
    return ctx.state[key]


def _photo(ctx: Ctx, owner_id: int) -> str:
    from server.uploads.models import Upload

    up = Upload(owner_id=owner_id, content_type="image/png", size=1, width=1, height=1,
                storage_key=secrets.token_hex(8))
    ctx.db.session.add(up)
    ctx.db.session.flush()
    return up.id


def _nominations(ctx: Ctx, n: int, key: str = "round", year: int = 2026) -> list[int]:
    """n nominations, by turns with photos, self-nominated, reviewed by the viewer (the committee's first)."""
    from server.craftsman import services as craftsman

    round_id = _craftsman_round(ctx, key, year)
    reviewer = ctx.state[key + "_committee"][0]
    ids = []
    for i in range(n):
        nominee = ctx.make.member(department="数控车间")
        by = nominee.id if i % 2 else ctx.member.id
        photos = [_photo(ctx, by), _photo(ctx, by)] if i % 3 == 0 else []
        nom = craftsman.nominate(by, round_id, nominee_id=nominee.id, reason="骨干", evidence="证据", photos=photos)
        if i % 3 != 2:
            craftsman.review(reviewer, nom.id, i % 2 == 0, "")
        ids.append(nom.id)
    return ids


@case("craftsman.list_rounds")
def _craftsman_rounds(ctx: Ctx, n: int):
    for _ in range(n):
        k = ctx.state.setdefault("years", 0)
        ctx.state["years"] += 1
        _nominations(ctx, 1, key=f"round{k}", year=2100 + k)
    return f"{API}/craftsman/rounds?per_page=100", ctx.auth(ctx.member)


@case("craftsman.get_round")
def _craftsman_get_round(ctx: Ctx, n: int):
    from server.craftsman.models import CraftsmanCommittee

    round_id = _craftsman_round(ctx)
    for _ in range(n):
        ctx.db.session.add(CraftsmanCommittee(round_id=round_id, member_id=ctx.make.member().id))
    return f"{API}/craftsman/rounds/{round_id}", ctx.auth(ctx.member)


@case("craftsman.list_nominations")
def _craftsman_list_nominations(ctx: Ctx, n: int):
    from server.members.models import Member

    _nominations(ctx, n)
    viewer = ctx.db.session.get(Member, ctx.state["round_committee"][0])
    return f"{API}/craftsman/rounds/{ctx.state['round']}/nominations?per_page=100", ctx.auth(viewer)


@case("craftsman.nominee_candidates")
def _craftsman_nominee_candidates(ctx: Ctx, n: int):
    round_id = _craftsman_round(ctx)
    for i in range(n):
        ctx.make.member(name=f"候选工匠{i}", department="数控车间")
    return f"{API}/craftsman/rounds/{round_id}/nominee-candidates?q=候选工匠", ctx.auth(ctx.member)


def _winners(ctx: Ctx, n: int) -> None:
    """n published winners (the rounds' rows written as publish() writes them)."""
    from sqlalchemy import select

    from server.craftsman.models import CraftsmanRound, CraftsmanWinner

    for i in range(n):
        k = ctx.state.setdefault("wyears", 0)
        ctx.state["wyears"] += 1
        key = f"wround{k}"
        nid = _nominations(ctx, 1, key=key, year=2200 + k)[0]
        r = ctx.db.session.get(CraftsmanRound, ctx.state[key])
        r.status, r.published_at = "published", utcnow()
        ctx.db.session.add(CraftsmanWinner(round_id=r.id, nomination_id=nid, rank=1, votes=10 + i))
        ctx.db.session.flush()
        ctx.state["winner"] = ctx.db.session.scalars(
            select(CraftsmanWinner.id).where(CraftsmanWinner.nomination_id == nid)).one()


@case("craftsman.list_winners")
def _craftsman_list_winners(ctx: Ctx, n: int):
    _winners(ctx, n)
    return f"{API}/craftsman/winners?per_page=100", ctx.auth(ctx.member)


@case("craftsman.get_winner")
def _craftsman_get_winner(ctx: Ctx, n: int):
    """A winner's page with n more photos on the nomination."""
    from server.craftsman.models import CraftsmanNomination, CraftsmanWinner
    from server.uploads.models import Upload

    if "winner" not in ctx.state:
        _winners(ctx, 1)
    nid = ctx.db.session.get(CraftsmanWinner, ctx.state["winner"]).nomination_id
    owner = ctx.db.session.get(CraftsmanNomination, nid).nominated_by
    for _ in range(n):
        ctx.state["pos"] = ctx.state.get("pos", 10) + 1
        ctx.db.session.add(Upload(owner_id=owner, content_type="image/png", size=1, width=1, height=1,
                                  storage_key=secrets.token_hex(8), attached_kind="craftsman_nomination",
                                  attached_id=nid, position=ctx.state["pos"]))
    return f"{API}/craftsman/winners/{ctx.state['winner']}", ctx.auth(ctx.member)


def list_endpoints(app) -> dict[str, str]:
    """{endpoint: name of its list field} for every GET route whose JSON answer has a list of objects."""
    doc = openapi_document(app)
    schemas = doc["components"]["schemas"]
    found = {}
    for ops in doc["paths"].values():
        op = ops.get("get")
        if op is None:
            continue
        ref = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" not in ref:
            continue
        props = schemas[ref["$ref"].rsplit("/", 1)[1]].get("properties", {})
        for field, prop in props.items():
            item = prop.get("items", {}).get("$ref", "").rsplit("/", 1)[-1]
            # A list of objects (rows), not of enum values (a member's roles, a notice's channels).
            if prop.get("type") == "array" and schemas.get(item, {}).get("type") == "object":
                found.setdefault(op["operationId"].removesuffix("_get"), field)
    return found


# --- congress proposals ---------------------------------------------------------------------------------

def _proposal_session(ctx: Ctx) -> int:
    from server.proposals import services as proposals

    if "proposal_session" not in ctx.state:
        ctx.state["proposal_session"] = proposals.create_session(ctx.staff.id, "职代会", utcnow() + timedelta(days=5),
                                                                 2).id
    return ctx.state["proposal_session"]


def _proposals(ctx: Ctx, n: int, proposer=None, submit: bool = True) -> list[int]:
    """n proposals of one session, each with two co-signers, every other confidential, submitted and
    accepted by turns (timelines of different lengths)."""
    from server.proposals import handling
    from server.proposals import services as proposals

    sid, ids = _proposal_session(ctx), []
    for i in range(n):
        owner = proposer or ctx.make.member(department="提案部门")
        p = proposals.create_proposal(owner, {"session_id": sid, "title": f"提案{i}", "problem": "问题",
                                              "solution": "建议", "department": "后勤部", "confidential": i % 2 == 0})
        for _ in range(2):
            proposals.cosign(ctx.make.member(), p)
        if submit:
            proposals.submit(owner, p)
            if i % 2:
                handling.review(ctx.staff, p, "accept", None)
        ids.append(p.id)
    return ids


@case("proposals.list_sessions")
def _proposal_sessions(ctx: Ctx, n: int):
    from server.proposals import services as proposals

    for i in range(n):
        s = proposals.create_session(ctx.staff.id, f"届次{i}", utcnow() + timedelta(days=i + 1), 2)
        ctx.state["proposal_session"] = s.id
        _proposals(ctx, 1)
    return f"{API}/congress-sessions?per_page=100", ctx.auth(ctx.member)


@case("proposals.list_proposals")
def _proposal_list(ctx: Ctx, n: int):
    _proposals(ctx, n)
    return f"{API}/proposals?session_id={_proposal_session(ctx)}&per_page=100", ctx.auth(ctx.member)


@case("proposals.my_proposals")
def _my_proposals(ctx: Ctx, n: int):
    from server.proposals import services as proposals

    mine = _proposals(ctx, n, proposer=ctx.member, submit=False)
    for pid in _proposals(ctx, n, submit=False):  # co-signed by the member
        from server.proposals.models import Proposal

        proposals.cosign(ctx.member, ctx.db.session.get(Proposal, pid))
    assert mine
    return f"{API}/me/proposals?per_page=100", ctx.auth(ctx.member)


def _one_proposal(ctx: Ctx, n: int):
    from server.proposals import services as proposals
    from server.proposals.models import Proposal

    if "proposal" not in ctx.state:
        ctx.state["proposal"] = _proposals(ctx, 1, proposer=ctx.member, submit=False)[0]
    p = ctx.db.session.get(Proposal, ctx.state["proposal"])
    for _ in range(n):
        proposals.cosign(ctx.make.member(department="附议部门"), p)
    return p


@case("proposals.get_proposal")
def _proposal(ctx: Ctx, n: int):
    return f"{API}/proposals/{_one_proposal(ctx, n).id}", ctx.auth(ctx.member)


@case("proposals.open_invite")
def _proposal_invite(ctx: Ctx, n: int):
    from server.proposals import services as proposals

    p = _one_proposal(ctx, n)
    with ctx.client.application.test_request_context():
        token = proposals.invite_token(p)
    return f"{API}/proposal-invites/{token}", ctx.auth(ctx.make.member())


@case("proposals.cosigner_candidates")
def _proposal_candidates(ctx: Ctx, n: int):
    p = _one_proposal(ctx, 0)
    for i in range(n):
        ctx.make.member(name=f"候选附议人{i}", department="候选部门")
    return f"{API}/proposals/{p.id}/cosigner-candidates?q=候选附议人", ctx.auth(ctx.member)


@case("proposals.list_head_links")
def _proposal_head_links(ctx: Ctx, n: int):
    from datetime import timedelta

    from server.core.timeutil import utcnow
    from server.proposals.models import ProposalHeadLink

    p = _one_proposal(ctx, 0)
    start = ctx.state.get("links", 0)
    ctx.state["links"] = start + n
    ctx.db.session.add_all([ProposalHeadLink(id=f"lq-link-{i}", proposal_id=p.id, department=f"部门{i}", nonce="x",
                                             expires_at=utcnow() + timedelta(days=3)) for i in range(start, start + n)])
    ctx.db.session.flush()
    return f"{API}/proposals/{p.id}/head-links", ctx.auth(ctx.staff)


# --- procurements and awards ---------------------------------------------------------------------------

def _procurements(ctx: Ctx, n: int, *, rep=None) -> list[int]:
    """n purchases: by turns open or decided (months published or not), with representatives (the viewer among
    them by turns, confirmed by turns) and quotes with photos."""
    from server.fund.chart import ensure_chart
    from server.fund.models import FundMonth
    from server.procurements import services as procurements

    ensure_chart()
    treasurer = ctx.state.setdefault("proc_treasurer", ctx.make.member(roles=("member", "treasurer")).id)
    ids = []
    for i in range(n):
        reps = [ctx.make.member().id, ctx.make.member().id]
        if rep is not None and i % 2 == 0:
            reps.append(rep.id)
        p = procurements.create(treasurer, title=f"采购{i}", description="", category="503",
                                amount_fen=3_000_000, representatives=reps, notify=False)
        quotes = [procurements.add_quote(treasurer, p.id, supplier=f"供应商{k}", amount_fen=2_900_000 + k, note="",
                                         attachments=[_photo(ctx, treasurer)] if k == 0 else [])
                  for k in range(3)]
        if i % 3:
            for m in reps:
                procurements.confirm(m, p.id)
            procurements.decide(treasurer, p.id, quotes[0].id, "价格最低")
            month = ctx.db.session.get(type(p), p.id).month
            if i % 3 == 1 and ctx.db.session.get(FundMonth, month) is None:
                ctx.db.session.add(FundMonth(month=month, hash="0" * 64))
                ctx.db.session.flush()
        ids.append(p.id)
    return ids


@case("procurements.list_procurements")
def _procurement_list(ctx: Ctx, n: int):
    _procurements(ctx, n)
    return f"{API}/fund/procurements?per_page=100", ctx.auth(ctx.staff)


@case("procurements.my_procurements")
def _procurement_mine(ctx: Ctx, n: int):
    _procurements(ctx, 2 * n, rep=ctx.member)
    return f"{API}/fund/procurements/mine?per_page=100", ctx.auth(ctx.member)


@case("procurements.get_procurement")
def _procurement_one(ctx: Ctx, n: int):
    from server.procurements import services as procurements
    from server.procurements.models import ProcurementRepresentative

    if "procurement" not in ctx.state:
        ctx.state["procurement"] = _procurements(ctx, 1)[0]
    pid = ctx.state["procurement"]
    treasurer = ctx.state["proc_treasurer"]
    for k in range(n):
        procurements.add_quote(treasurer, pid, supplier=f"再询价{k}", amount_fen=3_000_000 + k, note="",
                               attachments=[_photo(ctx, treasurer)])
        ctx.db.session.add(ProcurementRepresentative(procurement_id=pid, member_id=ctx.make.member().id,
                                                     confirmed_at=utcnow() if k % 2 else None))
    return f"{API}/fund/procurements/{pid}", ctx.auth(ctx.staff)


def _award(ctx: Ctx, nominees: int, *, decide: bool = True) -> int:
    from server.awards import services as awards

    a = awards.create(ctx.staff.id, title="先进个人", year=2026, criteria="标准", quota=max(1, nominees))
    ids = [awards.add_nominee(ctx.staff.id, a.id, ctx.make.member(department="机修车间").id, "事迹").id
           for _ in range(nominees)]
    if decide and ids:
        awards.decide(ctx.staff.id, a.id, ids[::2], notify=False)
        for nid in ids[::2]:
            awards.object_to(ctx.member.id, a.id, nid, "异议")
    return a.id


@case("awards.list_awards")
def _award_list(ctx: Ctx, n: int):
    for i in range(n):
        _award(ctx, 2, decide=i % 3 != 0)
    return f"{API}/awards?per_page=100", ctx.auth(ctx.staff)


@case("awards.get_award")
def _award_one(ctx: Ctx, n: int):
    from server.awards import services as awards

    if "award" not in ctx.state:
        ctx.state["award"] = _award(ctx, 0, decide=False)
    for _ in range(n):
        awards.add_nominee(ctx.staff.id, ctx.state["award"], ctx.make.member().id, "事迹")
    return f"{API}/awards/{ctx.state['award']}", ctx.auth(ctx.staff)


@case("awards.list_objections")
def _award_objections(ctx: Ctx, n: int):
    from server.awards import services as awards

    if "oaward" not in ctx.state:
        ctx.state["oaward"] = _award(ctx, 4)
    aid = ctx.state["oaward"]
    winners = [n.id for n, _, _ in awards.nominees_of(aid, winners_only=True)]
    for i in range(n):
        awards.object_to(ctx.make.member().id, aid, winners[i % len(winners)] if i % 2 else None, "异议")
    return f"{API}/awards/{aid}/objections", ctx.auth(ctx.staff)
# --- fund ledger --------------------------------------------------------------------------------------

def _fund_people(ctx: Ctx):
    from server.fund.chart import ensure_chart

    if "treasurer" not in ctx.state:
        ensure_chart()
        ctx.state["treasurer"] = ctx.make.member(roles=("member", "treasurer"))
        ctx.state["fund_admin"] = ctx.make.member(roles=("member", "admin"))
    return ctx.state["treasurer"], ctx.state["fund_admin"]


def _fund_entries(ctx: Ctx, n: int, month: str) -> None:
    """n entries of a month: by turns small, large and approved, large and pending, a reversal, with invoices."""
    from datetime import date

    from server.fund import services as fund

    treasurer, admin = _fund_people(ctx)
    y, m = int(month[:4]), int(month[5:])
    for i in range(n):
        kind = i % 4
        photos = [_photo(ctx, treasurer.id)] if i % 2 else []
        category = f"50{1 + i % 8}"  # by turns every expense category
        e = fund.create_entry(treasurer.id, date=date(y, m, 1 + i % 28), kind="expense", category=category,
                              amount_fen=100 + i if kind != 1 and kind != 2 else 600_000 + i, counterparty="对方",
                              note="摘要", attachments=photos)
        if kind == 1:
            fund.decide(admin.id, e.id, True)
        if kind == 3:
            fund.create_entry(treasurer.id, date=date(y, m, 28), kind="expense", category=category, amount_fen=50,
                              counterparty="对方", note="冲销", reverses=e.id)


def _fund_published(ctx: Ctx, n: int, entries_each: int) -> str:
    """n more published months (from 2020-01 on), each with entries_each approved entries; the last month."""
    from server.fund import services as fund
    from server.fund.models import FundEntry

    treasurer, admin = _fund_people(ctx)
    month = ""
    for _ in range(n):
        k = ctx.state.setdefault("fund_month", 0)
        ctx.state["fund_month"] += 1
        month = f"{2020 + k // 12}-{k % 12 + 1:02d}"
        _fund_entries(ctx, entries_each, month)
        from sqlalchemy import update

        ctx.db.session.execute(update(FundEntry).where(FundEntry.status == "pending").values(status="approved"))
        fund.publish(admin.id, month, notify=False)
    return month


@case("fund.list_entries")
def _fund_list_entries(ctx: Ctx, n: int):
    _fund_entries(ctx, n, "2026-11")
    return f"{API}/fund/entries?per_page=100", ctx.auth(_fund_people(ctx)[0])


@case("fund.list_categories")
def _fund_list_categories(ctx: Ctx, n: int):
    from server.fund import services as fund

    _, admin = _fund_people(ctx)
    for _ in range(n):
        k = ctx.state.setdefault("fund_cat", 0)
        ctx.state["fund_cat"] += 1
        fund.add_category(admin.id, f"9{k:03d}", "expense" if k % 2 else "income", f"科目{k}")
    return f"{API}/fund/categories", ctx.auth(ctx.member)


@case("fund.list_months")
def _fund_list_months(ctx: Ctx, n: int):
    _fund_published(ctx, n, 2)
    return f"{API}/fund/months?per_page=100", ctx.auth(ctx.member)


@case("fund.get_month")
def _fund_get_month(ctx: Ctx, n: int):
    month = _fund_published(ctx, 1, n)
    return f"{API}/fund/months/{month}", ctx.auth(ctx.member)


@case("fund.get_budgets")
def _fund_get_budgets(ctx: Ctx, n: int):
    from server.fund import services as fund

    _, admin = _fund_people(ctx)
    for _ in range(n):
        k = ctx.state.setdefault("fund_cat", 0)
        ctx.state["fund_cat"] += 1
        fund.add_category(admin.id, f"9{k:03d}", "expense", f"科目{k}")
        ctx.state.setdefault("fund_budget", []).append((f"9{k:03d}", 1000 * k))
    fund.put_budgets(admin.id, 2026, ctx.state["fund_budget"])
    _fund_entries(ctx, n, "2026-10")
    return f"{API}/fund/budgets/2026", ctx.auth(_fund_people(ctx)[0])


# --- audits and the improvement list -------------------------------------------------------------------

def _improvements(ctx: Ctx, n: int, owner=None) -> list[int]:
    """n items, by turns open, overdue (due today, so due when the clock passes), done, cancelled, with notes."""
    from datetime import date

    from server.improvements import services as improvements

    ids = []
    for i in range(n):
        who = owner or ctx.make.member(department="整改部门")
        item = improvements.create(ctx.staff.id, title=f"整改{i}", owner_id=who.id, notify=False,
                                   due_date=date(2099, 1, 1 + i % 20))
        improvements.add_note(ctx.staff, item.id, "进展")
        if i % 3 == 1:
            improvements.complete(ctx.staff, item.id, "已完成")
        if i % 3 == 2:
            improvements.cancel(ctx.staff.id, item.id, "不再需要")
        ids.append(item.id)
    return ids


@case("improvements.list_improvements")
def _improvement_list(ctx: Ctx, n: int):
    _improvements(ctx, n)
    return f"{API}/improvements?per_page=100", ctx.auth(ctx.staff)


def _report_items(ctx: Ctx, n: int) -> str:
    """n improvement items naming report figures and cells, due in this quarter: the report's checks."""
    from server.core.timeutil import SHANGHAI
    from server.improvements import services as improvements
    from server.reports.periods import Period

    quarter = Period.containing(utcnow().astimezone(SHANGHAI).date())
    dept = ctx.make.department("报告部门")
    have = ctx.state.get("report_items", 0)
    for i in range(have, n):
        figure = "participation.rate" if i % 2 else f"participation.by_department:{dept.id}:rate"
        improvements.create(ctx.staff.id, title=f"整改{i}", owner_id=ctx.make.member(department="报告部门").id,
                            due_date=quarter.end, source="report", figure=figure, target=0.5, notify=False)
    ctx.state["report_items"] = n
    return quarter.key


@case("reports.effectiveness")
def _report(ctx: Ctx, n: int):
    return f"{API}/reports/effectiveness?quarter={_report_items(ctx, n)}", ctx.auth(ctx.staff)


@case("reports.archived_json")
def _archived_report(ctx: Ctx, n: int):
    from server.reports.build import build_report
    from server.reports.models import ArchivedReport
    from server.reports.periods import Period

    key = _report_items(ctx, n)
    row = ctx.db.session.query(ArchivedReport).filter_by(period=key).one_or_none()
    if row is None:
        row = ArchivedReport(period=key, pdf=b"%PDF-1.4", data={})
        ctx.db.session.add(row)
    row.data = build_report(Period.parse(key))  # as generated once the items existed
    return f"{API}/reports/effectiveness/archive/{key}", ctx.auth(ctx.staff)


@case("reports.archive_list")
def _report_archive(ctx: Ctx, n: int):
    from server.reports.models import ArchivedReport

    have = ctx.db.session.query(ArchivedReport).count()
    for i in range(have, n):  # archived quarters of years past (their data and PDF are not read by the list)
        ctx.db.session.add(ArchivedReport(period=f"{2000 + i}Q1", data={}, pdf=b"%PDF-1.4"))
    return f"{API}/reports/effectiveness/archive", ctx.auth(ctx.staff)


@case("improvements.my_improvements")
def _my_improvements(ctx: Ctx, n: int):
    _improvements(ctx, n, owner=ctx.member)
    return f"{API}/me/improvements?per_page=100", ctx.auth(ctx.member)


@case("improvements.get_improvement")
def _one_improvement(ctx: Ctx, n: int):
    from server.improvements import services as improvements

    if "improvement" not in ctx.state:
        ctx.state["improvement"] = _improvements(ctx, 1, owner=ctx.member)[0]
    for _ in range(n):
        improvements.add_note(ctx.make.staff(), ctx.state["improvement"], "员工跟进")
    return f"{API}/improvements/{ctx.state['improvement']}", ctx.auth(ctx.member)


@case("audits.list_audits")
def _audit_list(ctx: Ctx, n: int):
    from server.audits import services as audits

    for _ in range(n):
        k = ctx.state.setdefault("audit_years", 0)
        ctx.state["audit_years"] += 1
        audits.create(ctx.staff.id, "procedure_annual" if k % 2 else "fund_semiannual",
                      str(2000 + k) if k % 2 else f"{2000 + k}H1")
    return f"{API}/audits?per_page=100", ctx.auth(ctx.staff)


@case("audits.get_audit")
def _one_audit(ctx: Ctx, n: int):
    """An audit with n more findings (the checklist's length is the template's)."""
    from datetime import date

    from server.audits import services as audits
    from server.audits.models import AuditItem

    if "audit" not in ctx.state:
        a = audits.create(ctx.staff.id, "procedure_annual", "2025")
        ctx.state["audit"] = a.id
        item = ctx.db.session.query(AuditItem).filter_by(audit_id=a.id, key="awards_public").one()
        audits.mark(ctx.staff.id, a.id, item.id, "fail", "未公示")
        ctx.state["audit_item"] = item.id
    for i in range(n):
        audits.add_finding(ctx.staff.id, ctx.state["audit"], ctx.state["audit_item"], title=f"补公示{i}",
                           owner_id=ctx.make.member().id, due_date=date(2099, 3, 1))
    return f"{API}/audits/{ctx.state['audit']}", ctx.auth(ctx.staff)


@case("audit_trail.list_audit_trail")
def _audit_trail(ctx: Ctx, n: int):
    from server.audit_trail import services as trail

    admin = ctx.state.setdefault("admin", ctx.make.member(roles=("member", "admin")))
    for i in range(n):
        trail.record("award", i, "create", actor_id=ctx.make.member().id if i % 2 else None, after={"i": i})
    return f"{API}/audit-trail?per_page=100", ctx.auth(admin)



# --- hardship aid cases ------------------------------------------------------------------------------------

def _care_people(ctx: Ctx):
    from server.fund.chart import ensure_chart
    from server.fund.services import lock_ledger

    # Approvals send notices (lock 7201) and money grants write the ledger (1601) in this one transaction:
    # take the ledger's first, its own order, or a publication in another worker's schema deadlocks with us
    # (advisory locks are per database, not per schema).
    lock_ledger()

    if "care_chair" not in ctx.state:
        ensure_chart()
        ctx.state["care_chair"] = ctx.make.member(roles=("member", "secretary"))
    return ctx.state["care_chair"]


def _care_cases(ctx: Ctx, n: int, member=None) -> list[int]:
    """n cases by turns new, assessed, aided with money and goods and visited, withdrawn; staff handles them."""
    from datetime import date

    from server.care import services as care

    chair, ids = _care_people(ctx), []
    for i in range(n):
        owner = member or ctx.make.member(department="机修车间")
        c = care.open_case(owner, category=("illness", "income", "family")[i % 3], summary="情况", notify=False)
        ids.append(c.id)
        if i % 4 == 0:
            continue
        if i % 4 == 3:
            care.withdraw(owner, c.id)
            continue
        care.add_handler(ctx.staff, c.id, ctx.staff.id)
        care.assess(ctx.staff, c.id, {"situation": "家庭", "need": "补助", "household_size": 3})
        if i % 4 == 2:
            care.decide(ctx.staff, c.id, "approve")
            care.decide(chair, c.id, "approve")
            care.grant(ctx.staff, c.id, kind="money", amount_fen=10_000, description="救助金")
            care.grant(ctx.staff, c.id, kind="goods", amount_fen=None, description="米面油")
            care.add_visit(ctx.staff, c.id, visited_at=utcnow(), visitors="干事", notes="稳定",
                           next_visit_due=date(2099, 1, 1))
    return ids


@case("care.list_cases")
def _care_list(ctx: Ctx, n: int):
    _care_cases(ctx, n)
    return f"{API}/care/cases?per_page=100", ctx.auth(_care_people(ctx))


@case("care.my_care_cases")
def _care_mine(ctx: Ctx, n: int):
    from server.care import services as care

    for i in range(n):  # one open case per category: every other one withdrawn before the next
        c = care.open_case(ctx.member, category="other", summary="情况", notify=False)
        if i % 2 == 0:
            care.add_handler(ctx.staff, c.id, ctx.staff.id)
            care.assess(ctx.staff, c.id, {"situation": "家庭", "need": "补助"})
        care.withdraw(ctx.member, c.id)
    return f"{API}/me/care-cases?per_page=100", ctx.auth(ctx.member)


@case("care.get_case")
def _care_one(ctx: Ctx, n: int):
    from server.care import services as care

    chair = _care_people(ctx)
    if "care_case" not in ctx.state:
        ctx.state["care_case"] = _care_cases(ctx, 3)[2]  # aided, visited
    cid = ctx.state["care_case"]
    for _ in range(n):
        care.add_handler(chair, cid, ctx.make.staff().id)
        care.grant(chair, cid, kind="service", amount_fen=None, description="法律咨询")
        care.add_visit(chair, cid, visited_at=utcnow(), visitors="主席", notes="回访", next_visit_due=None)
    return f"{API}/care/cases/{cid}", ctx.auth(chair)


@case("care.case_reads")
def _care_reads(ctx: Ctx, n: int):
    from server.care import services as care
    from server.care.access import get_case

    chair = _care_people(ctx)
    if "care_read_case" not in ctx.state:
        ctx.state["care_read_case"] = _care_cases(ctx, 2)[1]
    cid = ctx.state["care_read_case"]
    for i in range(n):
        care.log_read(chair if i % 2 else ctx.staff, get_case(cid))
    return f"{API}/care/cases/{cid}/reads?per_page=100", ctx.auth(chair)


# --- volunteer hours ----------------------------------------------------------------------------------

def _volunteered(ctx: Ctx, n: int, member) -> None:
    """n volunteer events of the member: by turns checked out, checked in only, and an adjustment."""
    from server.volunteers import hours
    from server.volunteers.models import VolunteerCheckout

    for i in range(n):
        ev = ctx.event(kind="volunteer")
        if i % 3 == 2:
            hours.adjust(ctx.staff.id, member.id, 30, "补录", ev.id)
            continue
        ci = Checkin(event_id=ev.id, member_id=member.id, checked_in_at=utcnow(), method="code", is_walk_in=True)
        ctx.db.session.add(ci)
        ctx.db.session.flush()
        if i % 3 == 0:
            ctx.db.session.add(VolunteerCheckout(event_id=ev.id, member_id=member.id, checkin_id=ci.id,
                                                 checked_out_at=utcnow(), minutes=60))
    ctx.db.session.flush()


@case("volunteers.my_hours")
def _my_volunteer_hours(ctx: Ctx, n: int):
    _volunteered(ctx, n, ctx.member)
    return f"{API}/me/volunteer-hours", ctx.auth(ctx.member)


@case("volunteers.member_hours")
def _member_volunteer_hours(ctx: Ctx, n: int):
    _volunteered(ctx, n, ctx.member)
    return f"{API}/volunteer-hours/{ctx.member.id}", ctx.auth(ctx.staff)


@case("volunteers.list_hours")
def _volunteer_totals(ctx: Ctx, n: int):
    for i in range(n):
        _volunteered(ctx, 1 + i % 3, ctx.make.member(department="机修车间" if i % 2 else None))
    return f"{API}/volunteer-hours?per_page=100", ctx.auth(ctx.staff)


@case("volunteers.leaderboard")
def _volunteer_board(ctx: Ctx, n: int):
    from server.volunteers import hours

    for i in range(n):
        m = ctx.make.member(department="机修车间" if i % 2 else None)
        _volunteered(ctx, 1 + i % 3, m)
        if i % 4 == 3:
            hours.set_opt_out(m.id, True)
    return f"{API}/volunteers/leaderboard?limit=100", ctx.auth(ctx.member)


# --- benefits ----------------------------------------------------------------------------------------------

def _benefit(ctx: Ctx, options: int = 2, audience=None) -> int:
    from server.benefits import services as benefits

    now = utcnow()
    b = benefits.create(ctx.staff.id, title="年货节", audience=audience,
                        options=[{"name": f"选项{i}", "stock": 100 if i % 2 else None} for i in range(options)],
                        claim_opens_at=now - timedelta(hours=1), claim_closes_at=now + timedelta(days=1),
                        redeem_until=now + timedelta(days=2), allow_workshop_delivery=True, announce=False)
    return b.id


def _benefit_claims(ctx: Ctx, benefit_id: int, members: list) -> None:
    """Claims of the members, by turns left claimed, redeemed by staff, delivered by a delegate, cancelled."""
    from server.benefits import services as benefits

    options = benefits.options_of([benefit_id])[benefit_id]
    delegate = ctx.state.setdefault("delegate", ctx.make.member(department="机修车间"))
    for i, m in enumerate(members):
        kind = i % 4
        c = benefits._claim_portable(m.id, benefit_id, options[i % len(options)].id,
                                     "workshop" if kind == 2 else "pickup", utcnow(), member=m)
        b = benefits.get(benefit_id)
        if kind == 1:
            benefits.redeem(ctx.staff.id, benefit_id, benefits.claim_code(b, c.id, m.id))
        elif kind == 2:
            benefits.deliver(ctx.staff.id, benefit_id, delegate.employee_no, [c.id])
        elif kind == 3:
            benefits.cancel_claim(m.id, c.id)


@case("benefits.list_benefits")
def _benefit_list(ctx: Ctx, n: int):
    for i in range(n):
        bid = _benefit(ctx, audience={"departments": ["机修车间"]} if i % 2 else None)
        if i % 2 == 0:  # the staff member is in no department: open campaigns only
            _benefit_claims(ctx, bid, [ctx.staff])
    return f"{API}/benefits?scope=all&per_page=100", ctx.auth(ctx.staff)


@case("benefits.get_benefit")
def _benefit_one(ctx: Ctx, n: int):
    from server.benefits import services as benefits

    if "benefit" not in ctx.state:
        ctx.state["benefit"] = _benefit(ctx)
        _benefit_claims(ctx, ctx.state["benefit"], [ctx.member])
    benefits.update_benefit(ctx.state["benefit"], {"options": [{"name": f"加{n}-{i}", "stock": 5} for i in range(n)]})
    return f"{API}/benefits/{ctx.state['benefit']}", ctx.auth(ctx.member)


@case("benefits.benefit_stats")
def _benefit_stats(ctx: Ctx, n: int):
    from server.benefits import services as benefits

    if "sbenefit" not in ctx.state:
        ctx.state["sbenefit"] = _benefit(ctx, options=3)
    benefits.update_benefit(ctx.state["sbenefit"], {"options": [{"name": f"加{n}-{i}", "stock": 5} for i in range(n)]})
    _benefit_claims(ctx, ctx.state["sbenefit"],
                    [ctx.make.member(department=["机修车间", "质检部", None][i % 3]) for i in range(n)])
    return f"{API}/benefits/{ctx.state['sbenefit']}/stats", ctx.auth(ctx.staff)


@case("benefits.list_claims")
def _benefit_claim_list(ctx: Ctx, n: int):
    if "cbenefit" not in ctx.state:
        ctx.state["cbenefit"] = _benefit(ctx)
    _benefit_claims(ctx, ctx.state["cbenefit"], [ctx.make.member(department="机修车间") for _ in range(n)])
    return f"{API}/benefits/{ctx.state['cbenefit']}/claims?per_page=100", ctx.auth(ctx.staff)


@case("benefits.list_my_claims")
def _benefit_my_claims(ctx: Ctx, n: int):
    for _ in range(n):
        _benefit_claims(ctx, _benefit(ctx), [ctx.member])
        _benefit_claims(ctx, _benefit(ctx), [ctx.member, ctx.make.member()])
    return f"{API}/me/claims?per_page=100", ctx.auth(ctx.member)


def test_every_list_endpoint_has_a_statement_count_case(app):
    endpoints = set(list_endpoints(app))
    missing, stale = endpoints - set(CASES), set(CASES) - endpoints
    assert not missing, f"list endpoints without a case here (add one): {sorted(missing)}"
    assert not stale, f"cases for endpoints that no longer list: {sorted(stale)}"


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_a_page_costs_the_same_statements_whatever_its_rows(endpoint, app, client, make, auth, db):
    field = list_endpoints(app)[endpoint]
    ctx = Ctx(client, make, auth, db)
    counts, lengths = [], []
    for n in (FEW, MANY):
        url, headers = CASES[endpoint](ctx, n)
        db.session.flush()
        with statements_of(db.engine) as statements:
            r = client.get(url, headers=headers)
        assert r.status_code == 200, r.json
        counts.append(statements)
        lengths.append(len(r.json[field]))
    assert 0 < lengths[0] < lengths[1], lengths  # the rows made are on the page
    assert len(counts[1]) <= len(counts[0]), "\n".join(["few:", *counts[0], "many:", *counts[1]])

