"""The report's figures against values computed by hand on a small dataset (both databases): participation by
department and month with small groups merged, notice reach by channel, suggestion reply times, volunteer hours,
survey scores, proposals and improvement items on time, the improvement checks, and an empty quarter."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import pytest

from server.core.timeutil import SHANGHAI
from server.events.models import Checkin
from server.improvements.models import Improvement
from server.notices.models import Delivery, Notice, NoticeRecipient
from server.proposals.models import CongressSession, Proposal
from server.reports.build import build_report
from server.reports.periods import Period
from server.suggestions.models import Suggestion, SuggestionMessage
from server.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from server.volunteers.models import VolunteerAdjustment

Q4 = Period.parse("2026Q4")
NOW = datetime(2027, 1, 5, 12, 0, tzinfo=SHANGHAI)
YEAR_START = datetime(2026, 1, 1, tzinfo=SHANGHAI)


def at(month, day, hour=10, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def figures(report) -> dict:
    return {f["key"]: f for f in report["figures"]}


def tables(report) -> dict:
    return {t["key"]: t for s in report["sections"] for t in s["tables"]}


def rows(report, key) -> dict:
    return {r["label"]: r for r in tables(report)[key]["rows"]}


@pytest.fixture
def world(db, make):
    s = db.session

    def member(dept=None, active=True, created=YEAR_START):
        return make.member(department=dept, is_active=active, created_at=created)

    a = [member("甲部门") for _ in range(6)]           # m1 … m6
    b = [member("乙部门"), member("乙部门"), member("乙部门", active=False)]  # b3 left after checking in
    none = [member(), member()]
    member("甲部门", created=at(1, 2, year=2027))      # on the roster after the quarter: not eligible
    member("甲部门", active=False)                     # left, never came: not eligible
    ev = {k: make.event(title=k, starts_at=t) for k, t in
          (("sep", at(9, 30, 20)), ("oct", at(10, 10)), ("nov", at(11, 10)), ("dec", at(12, 20)))}
    make.event(title="cancelled", starts_at=at(12, 5)).status = "cancelled"

    def checkin(m, event, when):
        s.add(Checkin(event_id=ev[event].id, member_id=m.id, checked_in_at=when, method="code"))

    checkin(a[4], "sep", at(9, 30, 23, 30))   # m5: Q3 only
    checkin(a[5], "oct", at(10, 1, 0, 10))    # m6: the quarter's first minutes
    checkin(a[0], "oct", at(10, 10))
    checkin(a[0], "nov", at(11, 10))
    checkin(a[1], "oct", at(10, 15))
    checkin(a[2], "dec", at(12, 20))
    checkin(a[3], "nov", at(11, 5))
    checkin(b[0], "dec", at(12, 1, 8))
    checkin(b[2], "nov", at(11, 20))
    s.flush()
    return {"a": a, "b": b, "none": none, "s": s}


def test_participation_by_department_grid_and_month(world):
    r = build_report(Q4, NOW)
    f = figures(r)
    # Eligible: 6 (甲) + 3 (乙, one since inactive but checked in) + 2 (no department) = 11.
    assert f["participation.eligible"]["value"] == 11
    assert f["participation.participants"]["value"] == 7
    assert f["participation.checkins"]["value"] == 8
    assert f["participation.rate"]["value"] == 0.6364          # 7 / 11
    assert f["participation.checkins_per_member"]["value"] == 0.73
    assert f["participation.events"]["value"] == 3             # oct, nov, dec; not Sep 30, not the cancelled one
    # Q3: 10 eligible (all active members on the roster by then), m5 alone came.
    assert f["participation.rate"]["previous"] == 0.1
    assert f["participation.rate"]["change"] == 0.5364

    dept = rows(r, "participation.by_department")
    assert set(dept) == {"甲部门", "其他（合并）"}             # 乙 (3) and no department (2) merged: 5
    assert dept["甲部门"] | {} == {**dept["甲部门"], "eligible": 6, "participants": 5, "checkins": 6,
                                  "rate": 0.8333, "checkins_per_member": 1.0, "merged": False}
    other = dept["其他（合并）"]
    assert (other["eligible"], other["participants"], other["checkins"], other["rate"], other["merged"]) == \
        (5, 2, 2, 0.4, True)
    # Months: eligible = active members on the roster by the month's end + that month's other participants.
    month = rows(r, "participation.by_month")
    assert [(m["eligible"], m["participants"], m["rate"]) for m in month.values()] == \
        [(10, 3, 0.3), (11, 3, 0.2727), (10, 2, 0.2)]
    assert list(month) == ["10月", "11月", "12月"]


def test_a_merged_group_still_under_five_shows_only_its_size(world, make):
    # The grid breakdown: nobody has a grid, so one "未分配网格" group of 11; give three a grid of their own.
    for m in world["a"][:3]:
        m.grid = make.grid("小网格")
    world["s"].flush()
    grid = rows(build_report(Q4, NOW), "participation.by_grid")
    assert set(grid) == {"未分配网格", "其他（合并）"}
    small = grid["其他（合并）"]
    assert small["eligible"] == 3
    assert small["participants"] is None and small["rate"] is None and small["checkins"] is None


@pytest.fixture
def notices(world, make):
    s = world["s"]
    people = world["a"][:4]

    def notice(source, channels, planned, deliveries, reads):
        n = Notice(title="通知", body="正文", channels=channels, audience={"all": True}, status="sent",
                   planned_at=planned, sent_at=planned, source=source)
        s.add(n)
        s.flush()
        for i, (channel, status) in enumerate(deliveries):
            s.add(Delivery(notice_id=n.id, member_id=people[i % 4].id, channel=channel, status=status))
        for i, read in enumerate(reads):
            s.add(NoticeRecipient(notice_id=n.id, member_id=people[i].id, read_at=planned if read else None))
        return n

    notice("staff", ["push", "sms"], at(10, 8), [("push", "sent")] * 3 + [("push", "skipped")]
           + [("sms", "sent")] * 2 + [("sms", "failed"), ("sms", "unknown")], [True, True, True, False])
    notice("reminder", ["push"], at(11, 8), [("push", "sent")] * 2, [False, False])
    notice("staff", ["push", "poster"], at(12, 8), [("push", "sent")], [False])
    notice("staff", ["push"], at(9, 8), [("push", "failed")], [True])   # Q3
    s.flush()


def test_notice_reach_by_channel_and_source(notices):
    r = build_report(Q4, NOW)
    f = figures(r)
    assert f["notices.count"]["value"] == 2
    assert f["notices.sent_rate"]["value"] == 0.7273     # 8 of 11 deliveries
    assert f["notices.read_rate"]["value"] == 0.6        # staff notices: 3 of 5 recipients
    assert f["notices.sent_rate"]["previous"] == 0.0
    ch = rows(r, "notices.by_channel")
    assert {k: (v["deliveries"], v["sent"], v["failed"], v["skipped"], v["sent_rate"]) for k, v in ch.items()
            if k != "海报"} == {"小程序推送": (7, 6, 0, 1, 0.8571), "短信": (4, 2, 2, 0, 0.5)}
    assert ch["海报"]["notices"] == 1
    src = rows(r, "notices.by_source")
    assert (src["工作人员发布"]["recipients"], src["工作人员发布"]["read_rate"]) == (5, 0.6)
    assert src["自动提醒"]["read_rate"] == 0.0


def test_suggestion_reply_times(db):
    s = db.session

    def suggestion(category, day, reply=None):
        row = Suggestion(category=category, content="内容", submitted_on=day, lookup_tag=secrets.token_hex(16),
                         receipt_hash="x")
        s.add(row)
        s.flush()
        if reply:
            s.add(SuggestionMessage(suggestion_id=row.id, seq=1, author="staff", body="答复", created_at=reply))

    suggestion("canteen_facilities", date(2026, 10, 1), at(10, 1, 12))   # half a day
    suggestion("canteen_facilities", date(2026, 10, 2), at(10, 4, 0))    # 2 days
    suggestion("canteen_facilities", date(2026, 10, 3), at(10, 13, 0))   # 10 days: late
    suggestion("canteen_facilities", date(2026, 10, 4))                  # never: late
    suggestion("canteen_facilities", date(2026, 12, 30))                 # never, but its 7 days are not over
    suggestion("management", date(2026, 11, 1), at(11, 2, 0))            # 1 day, a category of one
    suggestion("management", date(2026, 9, 30), at(10, 1, 0))            # Q3
    s.flush()
    r = build_report(Q4, NOW)
    f = figures(r)
    assert f["suggestions.count"]["value"] == 6
    assert f["suggestions.reply_days_median"]["value"] == 1.5          # of 0.5, 1, 2, 10
    assert f["suggestions.replied_within_7d_rate"]["value"] == 0.6     # 3 of the 5 decided
    cat = rows(r, "suggestions.by_category")
    assert {k: (v["count"], v["replied"], v["reply_days_median"], v["replied_within_7d_rate"])
            for k, v in cat.items()} == {"食堂与后勤": (5, 3, 2.0, 0.5), "其他（合并）": (1, None, None, None)}
    # Q3 had one: a figure of one suggestion is not shown.
    assert f["suggestions.reply_days_median"]["previous"] is None


def test_volunteer_hours_by_department(world):
    s = world["s"]
    for m, minutes in zip(world["a"][:5], (60, 120, 90, 30, 300), strict=True):
        s.add(VolunteerAdjustment(member_id=m.id, minutes=minutes, reason="补录", counts_at=at(11, 1)))
    s.add(VolunteerAdjustment(member_id=world["b"][0].id, minutes=48, reason="补录", counts_at=at(12, 1)))
    s.add(VolunteerAdjustment(member_id=world["b"][1].id, minutes=600, reason="补录", counts_at=at(9, 1)))
    s.flush()
    r = build_report(Q4, NOW)
    f = figures(r)
    assert (f["volunteers.hours"]["value"], f["volunteers.people"]["value"],
            f["volunteers.hours_per_volunteer"]["value"]) == (10.8, 6, 1.8)
    assert f["volunteers.hours"]["previous"] == 10.0
    dept = rows(r, "volunteers.by_department")
    assert (dept["甲部门"]["people"], dept["甲部门"]["hours"], dept["甲部门"]["hours_per_volunteer"]) == (5, 10.0, 2.0)
    assert (dept["其他（合并）"]["people"], dept["其他（合并）"]["hours"]) == (1, None)


def test_survey_scores_skip_surveys_under_five_responses(db, make):
    s = db.session

    def survey(title, closes, values, status="scheduled"):
        sv = Survey(title=title, status=status, opens_at=closes - timedelta(days=7), closes_at=closes)
        s.add(sv)
        s.flush()
        scale = SurveyQuestion(survey_id=sv.id, position=0, kind="scale", text="满意度")
        pick = SurveyQuestion(survey_id=sv.id, position=1, kind="single", text="选择", options=["甲", "乙"])
        s.add_all([scale, pick])
        s.flush()
        for v in values:
            rid = secrets.token_hex(8)
            s.add(SurveyResponse(id=rid, survey_id=sv.id, answered_on=closes.date()))
            s.flush()
            s.add_all([SurveyAnswer(response_id=rid, question_id=scale.id, item=0, survey_id=sv.id, value=v),
                       SurveyAnswer(response_id=rid, question_id=pick.id, item=1, survey_id=sv.id)])

    survey("满意度测评", at(11, 30), [5, 4, 4, 3, 5])
    survey("小范围调查", at(12, 10), [1, 1, 1])
    survey("草稿", at(12, 10), [1, 1, 1, 1, 1], status="draft")
    s.flush()
    r = build_report(Q4, NOW)
    f = figures(r)
    assert (f["surveys.count"]["value"], f["surveys.responses"]["value"], f["surveys.score"]["value"]) == (2, 8, 4.2)
    by = rows(r, "surveys.by_survey")
    assert (by["满意度测评"]["score"], by["小范围调查"]["score"], by["小范围调查"]["responses"]) == (4.2, None, 3)


def test_proposals_and_improvements_on_time(world, make):
    s = world["s"]
    proposer = world["a"][0]
    session = CongressSession(name="第五届三次会议", closes_at=at(9, 28), assignment_due_at=at(10, 10),
                              assignment_warn_at=at(10, 9))
    s.add(session)
    s.flush()

    def proposal(status, assign_due, assigned=None, due=None, completed=None):
        s.add(Proposal(session_id=session.id, member_id=proposer.id, title="提案", problem="问题", solution="建议",
                       department="后勤部", status=status, submitted_at=at(10, 1), assignment_due_at=assign_due,
                       assigned_at=assigned, due_at=due, completed_at=completed))

    proposal("completed", at(10, 10), at(10, 8), at(12, 1), at(11, 30))   # both on time
    proposal("assigned", at(10, 10), at(10, 12), at(12, 15))              # assigned late, not completed: late
    proposal("accepted", at(10, 20))                                     # never assigned: late
    proposal("rejected", at(10, 20))                                     # not counted in the rates
    owner = world["a"][1]

    def item(due, status="open", closed=None, figure=None, target=None):
        row = Improvement(title=f"整改{due}", owner_id=owner.id, due_date=due, status=status, figure=figure,
                          target=target, due_at=datetime.combine(due + timedelta(days=1), datetime.min.time(),
                                                                 SHANGHAI),
                          warn_at=datetime.combine(due, datetime.min.time(), SHANGHAI), closed_at=closed,
                          result="已完成" if status == "done" else None,
                          cancel_reason="不再需要" if status == "cancelled" else None,
                          source="report" if figure else "manual", created_at=at(10, 1))
        s.add(row)
        return row

    dept_a = str(world["a"][0].department_id)
    dept_b = str(world["b"][0].department_id)
    item(date(2026, 11, 30), "done", at(11, 29), figure="participation.rate", target=0.6)
    item(date(2026, 10, 31), "done", at(11, 2))
    item(date(2026, 12, 15), figure=f"participation.by_department:{dept_a}:rate", target=0.9)
    item(date(2026, 12, 15), "cancelled")
    item(date(2026, 12, 20), figure=f"participation.by_department:{dept_b}:rate", target=0.5)
    item(date(2027, 1, 20), figure="suggestions.reply_days_median", target=1.0)
    s.flush()
    r = build_report(Q4, NOW)
    f = figures(r)
    assert f["proposals.count"]["value"] == 4
    assert f["proposals.assigned_on_time_rate"]["value"] == 0.3333
    assert f["proposals.completed_on_time_rate"]["value"] == 0.5
    assert f["improvements.due"]["value"] == 4                 # the cancelled one is not counted
    assert f["improvements.on_time_rate"]["value"] == 0.25     # of 4 decided, one done by its day
    checks = {c["figure"]: c for c in r["improvements"]}
    assert checks["participation.rate"] | {} == {**checks["participation.rate"], "value": 0.6364, "met": True,
                                                 "verdict": "已达标", "group": None}
    cell = checks[f"participation.by_department:{dept_a}:rate"]
    assert (cell["group"], cell["value"], cell["met"], cell["verdict"]) == ("甲部门", 0.8333, False, "未达标")
    merged = checks[f"participation.by_department:{dept_b}:rate"]   # 乙 is merged: no value of its own
    assert (merged["value"], merged["met"], merged["verdict"]) == (None, None, "无法判断")
    later = checks["suggestions.reply_days_median"]
    assert (later["verdict"], later["met"], later["figure_label"]) == ("进行中", None, "意见首次答复时长（中位数）")
    # Before the quarter is over, an item due later in it is still in progress; one due earlier is judged.
    running = {c["figure"]: c["verdict"] for c in build_report(Q4, at(12, 10))["improvements"]}
    assert running["participation.rate"] == "已达标"
    assert running[f"participation.by_department:{dept_a}:rate"] == "进行中"
    # The next quarter's report checks only what falls due in it.
    nxt = build_report(Period.parse("2027Q1"), datetime(2027, 4, 2, tzinfo=SHANGHAI))
    assert [c["figure"] for c in nxt["improvements"]] == ["suggestions.reply_days_median"]
    assert nxt["improvements"][0]["verdict"] == "无法判断"    # no suggestion in 2027Q1


def test_an_empty_quarter_has_zero_counts_and_no_rates(db):
    r = build_report(Period.parse("2026Q2"), NOW)
    f = figures(r)
    assert f["participation.eligible"]["value"] == 0 and f["participation.rate"]["value"] is None
    assert f["requests.count"]["value"] == 0 and f["requests.on_time_rate"]["value"] is None
    assert f["notices.sent_rate"]["value"] is None and f["volunteers.hours"]["value"] == 0
    assert f["surveys.score"]["value"] is None and f["benefits.claim_rate"]["value"] is None
    assert all(f_["change"] is None or f_["change"] == 0 for f_ in r["figures"])
    assert [m["rate"] for m in tables(r)["participation.by_month"]["rows"]] == [None, None, None]
    assert r["period"] == {"key": "2026Q2", "kind": "quarter", "label": "2026年第二季度", "start": "2026-04-01",
                           "end": "2026-06-30", "complete": True}
    assert r["previous"]["key"] == "2026Q1" and r["improvements"] == []


def test_a_year_report_covers_twelve_months_against_the_year_before(world):
    r = build_report(Period.parse("2026"), NOW)
    assert r["period"]["label"] == "2026年度" and r["previous"]["key"] == "2025"
    assert len(tables(r)["participation.by_month"]["rows"]) == 12
    f = figures(r)
    assert f["participation.participants"]["value"] == 8      # m5's September visit counts in the year
    assert f["participation.eligible"]["previous"] == 0


def test_requests_first_response_against_the_clock_merged_as_the_statistics_are(db, make):
    from tests.member_requests.test_stats import NOW as CLOCKS_RUN_OUT
    from tests.member_requests.test_stats import urgent

    s = db.session
    m = make.member()
    a, b = make.grid("甲网格"), make.grid("乙网格")
    for f, r in ((2, 10), (4, 20), (6, 30), (8, 50), (30, None)):   # one first response late (30 h > 24 h)
        urgent(s, m, a, "rights", f, r)
    for f, r in ((1, 5), (3, None), (None, None)):                 # one never answered: late by now
        urgent(s, m, b, "canteen", f, r)
    for f, r in ((2, 4), (25, 60)):                                # one late
        urgent(s, m, None, "training", f, r)
    s.flush()
    r = build_report(Q4, CLOCKS_RUN_OUT)
    f = figures(r)
    assert f["requests.count"]["value"] == 10
    assert f["requests.first_response_on_time_rate"]["value"] == 0.7     # 4 + 2 + 1 of 10
    assert f["requests.on_time_rate"]["value"] == 0.5                    # as GET /requests/stats says
    cat = rows(r, "requests.by_category")
    assert {k: (v["count"], v["first_response_on_time_rate"]) for k, v in cat.items()} == {
        "权益维护": (5, 0.8), "其他（合并）": (5, 0.6)}
    grid = rows(r, "requests.by_grid")
    assert {k: (v["count"], v["first_response_on_time_rate"]) for k, v in grid.items()} == {
        "甲网格": (5, 0.8), "其他（合并）": (5, 0.6)}
