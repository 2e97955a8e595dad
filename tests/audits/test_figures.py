"""The automatic figures of both checklists against values computed by hand on a small dataset."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from server.audits import services
from server.audits.models import AuditItem
from server.core.timeutil import SHANGHAI
from server.council.models import CouncilTopic
from server.craftsman.models import CraftsmanRound
from server.fund.models import FundMonth
from server.proposals.models import CongressSession, Proposal
from tests.member_requests.factory import make_request


def sh(*a) -> datetime:
    return datetime(*a, tzinfo=SHANGHAI)


def _items(db, audit) -> dict[str, AuditItem]:
    return {i.key: i for i in services.items_of(audit)}


def _session(db, name, closes):
    s = CongressSession(name=name, closes_at=closes, min_cosigners=0, assignment_due_at=closes + timedelta(days=9),
                        assignment_warn_at=closes + timedelta(days=8))
    db.session.add(s)
    db.session.flush()
    return s


def _proposal(db, session, member, due, status, assigned=None):
    db.session.add(Proposal(session_id=session.id, member_id=member.id, title="提案", problem="p", solution="s",
                            department="后勤部", status=status, assignment_due_at=due, assigned_at=assigned))


@pytest.fixture
def procedure_data(db, make):
    m = make.member()
    s1 = _session(db, "三届一次职代会", sh(2025, 3, 20, 18))
    _session(db, "三届二次职代会", sh(2025, 9, 25, 18))
    _session(db, "上一年的会", sh(2024, 12, 31, 23, 59))      # outside 2025 (Beijing time)
    _session(db, "下一年的会", sh(2026, 1, 1, 0, 0))          # outside
    due = sh(2025, 4, 1, 0, 0)
    _proposal(db, s1, m, due, "assigned", assigned=due - timedelta(hours=1))           # on time
    _proposal(db, s1, m, due, "in_progress", assigned=due + timedelta(hours=1))        # late
    _proposal(db, s1, m, due, "accepted")                                              # still not assigned: late
    _proposal(db, s1, m, due, "rejected")                                              # no assignment owed
    _proposal(db, s1, m, sh(2024, 12, 30), "assigned", assigned=sh(2024, 12, 1))        # other year
    # Requests of 2025: four on time, one answered late, one never resolved (its clocks ran out).
    base = sh(2025, 6, 2, 9, 0)
    for i in range(4):
        r = make_request(db.session, m, created=base + timedelta(days=i))
        r.first_response_at = r.created_at + timedelta(hours=2)
        r.resolved_at = r.created_at + timedelta(days=1)
    late = make_request(db.session, m, created=base + timedelta(days=5))
    late.first_response_at = late.first_response_due_at + timedelta(hours=1)
    late.resolved_at = late.first_response_due_at + timedelta(hours=2)
    make_request(db.session, m, created=base + timedelta(days=6))
    make_request(db.session, m, created=sh(2024, 12, 31, 12))  # other year
    for month in range(1, 11):
        if month != 4:
            db.session.add(CouncilTopic(month=f"2025-{month:02d}", title="议题", description="",
                                        closes_at=sh(2025, month, 25)))
    db.session.add(CouncilTopic(month="2026-01", title="议题", description="", closes_at=sh(2026, 1, 25)))
    db.session.add(CraftsmanRound(year=2025, title="2025 年度工匠之星", nomination_closes_at=sh(2025, 5, 1),
                                  review_closes_at=sh(2025, 5, 10), vote_opens_at=sh(2025, 5, 10),
                                  vote_closes_at=sh(2025, 5, 20), winners=3, status="published"))
    db.session.flush()
    return m


def test_procedure_audit_figures(db, make, procedure_data):
    staff = make.staff()
    with time_machine.travel(sh(2026, 1, 10, 9)):
        audit = services.create(staff.id, "procedure_annual", "2025")
    items = _items(db, audit)
    assert [i.key for i in sorted(items.values(), key=lambda i: i.position)] == [
        "congress_held", "proposals_assigned", "requests_on_time", "council_monthly", "craftsman_round",
        "awards_public", "open_affairs"]
    c = items["congress_held"]
    assert c.figure == "召开 2 次：三届一次职代会、三届二次职代会" and c.suggested == "pass" and c.automatic
    p = items["proposals_assigned"]
    assert p.value == {"on_time": 1, "decided": 3} and p.figure == "按时交办 1/3（33.3%）" and p.suggested == "fail"
    r = items["requests_on_time"]
    assert r.value["count"] == 6 and r.value["on_time_rate"] == round(4 / 6, 4) and r.suggested == "fail"
    assert r.figure.startswith("诉求 6 件，按时率 66.7%")
    t = items["council_monthly"]
    assert t.value == {"months": 12, "held": 9, "missing": ["2025-04", "2025-11", "2025-12"]}
    assert t.figure == "9/12 个月有议题；缺：2025-04、2025-11、2025-12" and t.suggested == "fail"
    k = items["craftsman_round"]
    assert k.value == {"held": True, "published": True} and k.suggested == "pass"
    assert all(i.computation for i in items.values() if i.automatic)
    assert not items["awards_public"].automatic and items["awards_public"].figure is None


def test_a_year_under_way_counts_only_the_months_begun(db, make, procedure_data):
    staff = make.staff()
    with time_machine.travel(sh(2026, 3, 5, 9)):
        audit = services.create(staff.id, "procedure_annual", "2026")
    items = _items(db, audit)
    assert items["council_monthly"].value == {"months": 3, "held": 1, "missing": ["2026-02", "2026-03"]}
    assert items["congress_held"].figure == "召开 1 次：下一年的会"
    assert items["proposals_assigned"].figure == "期内无应交办提案" and items["proposals_assigned"].suggested is None
    assert items["requests_on_time"].value["count"] == 0 and items["requests_on_time"].suggested is None
    assert items["craftsman_round"].figure == "未开展" and items["craftsman_round"].suggested == "fail"


def _month(db, month, published_at):
    db.session.add(FundMonth(month=month, hash="0" * 64, published_at=published_at))


@pytest.fixture
def fund_data(db):
    _month(db, "2026-07", sh(2026, 8, 10, 10))
    _month(db, "2026-08", sh(2026, 9, 16, 0, 30))       # half an hour past the 15th: late
    _month(db, "2026-09", sh(2026, 10, 15, 23, 59))     # the last minute: on time
    _month(db, "2026-11", sh(2026, 12, 1, 9))
    _month(db, "2026-12", sh(2027, 1, 15, 9))            # "2026-10" never published
    _month(db, "2026-06", sh(2026, 7, 30, 9))            # the other half, late, not counted
    db.session.flush()


def test_fund_audit_figures(db, make, fund_data):
    staff = make.staff()
    with time_machine.travel(sh(2027, 1, 20, 9)):
        audit = services.create(staff.id, "fund_semiannual", "2026H2")
    items = _items(db, audit)
    m = items["months_published"]
    assert m.value == {"due": 6, "published": 5, "missing": ["2026-10"]} and m.suggested == "fail"
    assert m.figure == "已公开 5/6 个月；未公开：2026-10"
    t = items["published_on_time"]
    assert t.value == {"counted": 6, "on_time": 4, "late": ["2026-08", "2026-10"]} and t.suggested == "fail"
    # These months' hashes were made up, not computed from entries: the chain check names the first one.
    chain = items["fund_chain"]
    assert chain.value == {"available": True, "ok": False, "broken_month": "2026-06"} and chain.suggested == "fail"
    assert chain.figure == "校验失败：自 2026-06 起不一致"
    assert [i.automatic for i in sorted(items.values(), key=lambda i: i.position)] == [True] * 3 + [False] * 4


def test_fund_audit_during_the_half(db, make, fund_data):
    staff = make.staff()
    with time_machine.travel(sh(2026, 10, 5, 9)):
        audit = services.create(staff.id, "fund_semiannual", "2026H2")
    items = _items(db, audit)
    # July–September have ended; September's deadline (16 October) has not passed, but it is published.
    assert items["months_published"].value == {"due": 3, "published": 3, "missing": []}
    assert items["months_published"].suggested == "pass"
    assert items["published_on_time"].value == {"counted": 3, "on_time": 2, "late": ["2026-08"]}


def test_refresh_picks_up_new_data(db, make, fund_data):
    staff = make.staff()
    with time_machine.travel(sh(2027, 1, 20, 9)):
        audit = services.create(staff.id, "fund_semiannual", "2026H2")
        _month(db, "2026-10", sh(2027, 1, 20, 8))
        db.session.flush()
        services.refresh(staff.id, audit.id)
    items = _items(db, audit)
    assert items["months_published"].value["missing"] == [] and items["months_published"].suggested == "pass"
    assert items["published_on_time"].value["late"] == ["2026-08", "2026-10"]


def test_the_fund_chain_item_passes_on_a_ledger_published_through_the_ledger(db, make):
    from datetime import date

    from server.fund import services as fund
    from server.fund.chart import ensure_chart

    ensure_chart()
    treasurer, admin, staff = make.member(roles=("member", "treasurer")), make.member(roles=("member", "admin")), \
        make.staff()
    with time_machine.travel(sh(2026, 11, 3, 9)):
        fund.create_entry(treasurer.id, date=date(2026, 10, 8), kind="income", category="401", amount_fen=386_000,
                          counterparty="会员会费", note="")
        fund.publish(admin.id, "2026-10", notify=False)
        audit = services.create(staff.id, "fund_semiannual", "2026H2")
    chain = _items(db, audit)["fund_chain"]
    assert chain.value == {"available": True, "ok": True, "broken_month": None} and chain.suggested == "pass"
