"""The whole loop through the API, and who sees what."""
from __future__ import annotations

import io

from sqlalchemy import select

from server.audit_trail.models import AuditTrailEntry
from server.care.models import CareCase, CareDocument
from server.fund.models import FundEntry
from server.notices.models import Notice, NoticeRecipient

from .conftest import API, open_case, pdf_bytes, post, to_stage


def test_the_full_loop(client, people, db):
    p = people
    cid = open_case(client, p)
    # The chair and staff are told, by number only.
    notice = db.session.scalars(select(Notice).where(Notice.source == "care")).one()
    assert notice.title == f"新的帮扶申请 #{cid}" and p.member.name not in notice.body and "重病" not in notice.body
    told = set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice.id)))
    assert {p.staff1.id, p.staff2.id, p.chair.id, p.chair2.id} <= told and p.member.id not in told

    # staff2 sees it in the list as a new unassigned case, takes it.
    items = client.get(f"{API}/care/cases", headers=p.staff2_h).json["items"]
    assert [i["id"] for i in items] == [cid] and items[0]["member_name"] == "困难会员甲"
    r = post(client, f"/care/cases/{cid}/handlers", p.staff2_h, member_id=p.staff2.id)
    assert r.status_code == 200 and [h["name"] for h in r.json["handlers"]] == ["干事二"]
    # Now taken: staff1 no longer sees it and cannot take it.
    assert client.get(f"{API}/care/cases", headers=p.staff1_h).json["total"] == 0
    r = post(client, f"/care/cases/{cid}/handlers", p.staff1_h, member_id=p.staff1.id)
    assert r.status_code == 404  # no longer in staff1's list: as if it did not exist (the race's loser: 409)

    r = client.put(f"{API}/care/cases/{cid}/assessment", headers=p.staff2_h,
                   json={"household_size": 3, "monthly_income_fen": 250_000, "dependants": 1,
                         "situation": "爱人住院", "need": "医疗救助"})
    assert r.status_code == 200 and r.json["stage"] == "assessing" and r.json["assessment"]["household_size"] == 3
    r = client.post(f"{API}/care/cases/{cid}/documents", headers=p.staff2_h,
                    data={"file": (io.BytesIO(pdf_bytes()), "诊断证明.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    doc = r.json
    assert doc["filename"] == "诊断证明.pdf" and doc["content_type"] == "application/pdf"
    assert r.json["uploaded_by"]["name"] == "干事二"

    r = post(client, f"/care/cases/{cid}/decisions", p.staff2_h, decision="approve", comment="情况属实")
    assert r.status_code == 200 and r.json["stage"] == "awaiting_chair" and r.json["can_decide"] is None
    r = post(client, f"/care/cases/{cid}/decisions", p.chair_h, decision="approve", comment="同意")
    assert r.status_code == 200 and r.json["stage"] == "approved"
    assert [(d["step"], d["decision"]) for d in r.json["decisions"]] == [("handler", "approve"), ("chair", "approve")]

    r = post(client, f"/care/cases/{cid}/grants", p.staff2_h, kind="money", amount_fen=300_000,
             description="医疗救助金三千元")
    assert r.status_code == 201 and r.json["stage"] == "aided"
    g = r.json["grants"][0]
    assert g["fund_entry_status"] == "approved"  # under the fund's approval threshold
    entry = db.session.get(FundEntry, g["fund_entry_id"])
    assert (entry.kind, entry.category, entry.amount_fen) == ("expense", "502", 300_000)
    assert entry.counterparty == f"困难职工帮扶个案 #{cid}" and p.member.name not in entry.note
    r = post(client, f"/care/cases/{cid}/grants", p.chair_h, kind="goods", description="米面油一份")
    assert r.status_code == 201 and len(r.json["grants"]) == 2 and r.json["grants"][1]["fund_entry_id"] is None

    r = post(client, f"/care/cases/{cid}/visits", p.staff2_h, visited_at="2026-12-03T09:30:00+08:00",
             visitors="干事二", notes="已出院", next_visit_due="2027-01-05")
    assert r.status_code == 201 and r.json["stage"] == "following_up" and r.json["next_visit_due"] == "2027-01-05"
    r = post(client, f"/care/cases/{cid}/close", p.staff2_h, outcome="已康复")
    assert r.status_code == 200 and r.json["stage"] == "closed" and r.json["closed_at"]
    assert r.json["outcome"] == "已康复"
    assert r.json["next_visit_due"] is None

    # The member sees the stages and what comes next, never the details.
    mine = client.get(f"{API}/me/care-cases", headers=p.member_h).json
    assert mine["total"] == 1
    case = mine["items"][0]
    assert set(case) == {"id", "category", "stage", "stage_label", "next_step", "opened_at", "updated_at", "timeline"}
    assert case["stage"] == "closed" and case["stage_label"] == "已结案"
    assert [e["stage"] for e in case["timeline"]] == ["opened", "assessing", "awaiting_chair", "approved", "aided",
                                                      "following_up", "closed"]
    assert all(e["at"].endswith("+08:00") for e in case["timeline"])
    text = str(mine)
    assert "爱人" not in text and "医疗救助" not in text and "已康复" not in text

    # The member was told of the approval and the close, by number, with the page to open.
    news = db.session.execute(select(Notice.body, Notice.page).join(NoticeRecipient,
                                                                     NoticeRecipient.notice_id == Notice.id)
                              .where(Notice.source == "care", NoticeRecipient.member_id == p.member.id)
                              .order_by(Notice.id)).all()
    assert [n.body for n in news] == [f"您的帮扶申请 #{cid} 已批准，工会将尽快发放帮扶。",
                                      f"您的帮扶个案 #{cid} 已结案。如有新的困难，可以再次申请。"]
    assert {n.page for n in news} == {"pages/care/index"}

    # Closing a closed case is refused; a new case in the same category once none is open is fine.
    r = post(client, f"/care/cases/{cid}/close", p.staff2_h, outcome="再结")
    assert r.status_code == 409 and r.json["error"]["code"] == "wrong_stage"
    assert open_case(client, p) != cid


def test_member_sees_only_the_stage_and_outsiders_get_404(client, people):
    p = people
    cid = to_stage(client, p, "assessing")
    for who in (p.member_h, p.liaison_h, p.staff2_h, p.admin_h, p.treasurer_h):
        r = client.get(f"{API}/care/cases/{cid}", headers=who)
        assert r.status_code in (403, 404), r.get_json()
    assert client.get(f"{API}/care/cases/{cid}", headers=p.staff2_h).status_code == 404
    assert client.get(f"{API}/care/cases/{cid}", headers=p.admin_h).status_code == 404
    assert client.get(f"{API}/care/cases/999999", headers=p.staff2_h).status_code == 404
    # Writes too: an outsider learns nothing.
    r = post(client, f"/care/cases/{cid}/grants", p.staff2_h, kind="goods", description="x")
    assert r.status_code == 404
    r = client.put(f"{API}/care/cases/{cid}/assessment", headers=p.staff2_h, json={"situation": "x", "need": "y"})
    assert r.status_code == 404
    # The handler and the chair see everything.
    assert client.get(f"{API}/care/cases/{cid}", headers=p.staff1_h).json["assessment"]["need"] == "医疗费用补助"
    assert client.get(f"{API}/care/cases/{cid}", headers=p.chair_h).json["summary"]
    # Another member cannot withdraw it (404); the member can, before approval.
    r = post(client, f"/care/cases/{cid}/withdraw", p.liaison_h)
    assert r.status_code == 404
    r = post(client, f"/care/cases/{cid}/withdraw", p.member_h)
    assert r.status_code == 200 and r.json["stage"] == "withdrawn"


def test_every_read_and_download_is_logged_and_listed_for_the_chair(client, people, db):
    p = people
    cid = to_stage(client, p, "assessing")
    r = client.post(f"{API}/care/cases/{cid}/documents", headers=p.staff1_h,
                    data={"file": (io.BytesIO(pdf_bytes()), "收入证明.pdf")}, content_type="multipart/form-data")
    doc_id = r.json["id"]
    assert client.get(f"{API}/care/cases/{cid}", headers=p.staff1_h).status_code == 200
    r = client.get(f"{API}/care/cases/{cid}/documents/{doc_id}", headers=p.chair_h)
    assert r.status_code == 200 and r.data == pdf_bytes() and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment")
    # The upload itself is never served by /uploads (that would be an unlogged read).
    upload_id = db.session.scalar(select(CareDocument.upload_id))
    assert client.get(f"{API}/uploads/{upload_id}", headers=p.staff1_h).status_code == 404
    # Outsiders' attempts are refused and not reads.
    assert client.get(f"{API}/care/cases/{cid}/documents/{doc_id}", headers=p.staff2_h).status_code == 404

    r = client.get(f"{API}/care/cases/{cid}/reads", headers=p.chair_h)
    assert r.status_code == 200
    items = r.json["items"]
    assert [(i["action"], i["actor"]["name"], i["document_id"]) for i in items] == [
        ("download", "主席", doc_id), ("read", "干事一", None)]
    # The trail holds ids, never contents.
    trail = db.session.scalars(select(AuditTrailEntry).where(AuditTrailEntry.entity == "care_case")).all()
    dumped = str([(t.before, t.after) for t in trail])
    assert "医疗" not in dumped and "困难会员甲" not in dumped and "收入证明" not in dumped
    # Only the chair reads the log: a handler is told 404.
    assert client.get(f"{API}/care/cases/{cid}/reads", headers=p.staff1_h).status_code == 403
    assert client.get(f"{API}/care/cases/{cid}/reads", headers=p.admin_h).status_code == 404


def test_liaison_opens_for_their_own_grid_only(client, people, db):
    p = people
    r = post(client, "/care/cases", p.liaison_h, category="income", summary="家庭收入低",
             member_employee_no=p.member.employee_no)
    assert r.status_code == 201 and r.json["stage"] == "opened"
    case = db.session.get(CareCase, r.json["id"])
    assert (case.member_id, case.opened_by_role) == (p.member.id, "liaison")
    r = post(client, "/care/cases", p.liaison2_h, category="illness", summary="x",
             member_employee_no=p.member.employee_no)
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    r = post(client, "/care/cases", p.member_h, category="illness", summary="x",
             member_employee_no=p.liaison.employee_no)
    assert r.status_code == 403
    r = post(client, "/care/cases", p.liaison_h, category="illness", summary="x", member_employee_no="NOPE")
    assert r.status_code == 400 and "member_employee_no" in r.json["error"]["details"]["fields"]
    # Staff for anyone; one open case per member and category.
    r = post(client, "/care/cases", p.staff1_h, category="income", summary="重复",
             member_employee_no=p.member.employee_no)
    assert r.status_code == 409 and r.json["error"]["code"] == "case_open"
    assert r.json["error"]["details"]["case_id"] == case.id
    r = post(client, "/care/cases", p.staff1_h, category="disaster", summary="房屋受损",
             member_employee_no=p.member.employee_no)
    assert r.status_code == 201
    assert db.session.get(CareCase, r.json["id"]).opened_by_role == "staff"


def test_four_eyes_and_stage_errors(client, people, db, make, auth):
    p = people
    cid = to_stage(client, p, "opened")
    # The chair assigns themself as handler and makes step 1; they cannot make step 2.
    assert post(client, f"/care/cases/{cid}/handlers", p.chair_h, member_id=p.chair.id).status_code == 200
    # Deciding before any assessment: wrong stage.
    r = post(client, f"/care/cases/{cid}/decisions", p.chair_h, decision="approve")
    assert r.status_code == 409 and r.json["error"]["code"] == "wrong_stage"
    assert client.put(f"{API}/care/cases/{cid}/assessment", headers=p.chair_h,
                      json={"situation": "情况", "need": "需要"}).status_code == 200
    r = post(client, f"/care/cases/{cid}/grants", p.chair_h, kind="goods", description="x")
    assert r.status_code == 409 and r.json["error"]["code"] == "wrong_stage"
    r = post(client, f"/care/cases/{cid}/decisions", p.chair_h, decision="return")
    assert r.status_code == 400
    r = post(client, f"/care/cases/{cid}/decisions", p.chair_h, decision="approve")
    assert r.status_code == 200 and r.json["stage"] == "awaiting_chair" and r.json["can_decide"] is None
    r = post(client, f"/care/cases/{cid}/decisions", p.chair_h, decision="approve")
    assert r.status_code == 409 and r.json["error"]["code"] == "same_person"
    # The other chair returns it: a new round, back to assessing, where the handler decides again.
    r = client.get(f"{API}/care/cases/{cid}", headers=p.chair2_h)
    assert r.json["can_decide"] == "chair"
    r = post(client, f"/care/cases/{cid}/decisions", p.chair2_h, decision="return", comment="请补充收入证明")
    assert r.status_code == 200 and r.json["stage"] == "assessing" and r.json["round"] == 2
    # A staff handler added by the chair makes step 1 of round 2, so the chair may now make step 2.
    assert post(client, f"/care/cases/{cid}/handlers", p.chair_h, member_id=p.staff1.id).status_code == 200
    assert post(client, f"/care/cases/{cid}/decisions", p.staff1_h, decision="approve").status_code == 200
    r = post(client, f"/care/cases/{cid}/decisions", p.staff1_h, decision="approve")
    assert r.status_code == 409 and r.json["error"]["code"] == "wrong_stage"
    r = post(client, f"/care/cases/{cid}/decisions", p.chair_h, decision="reject", comment="不符合条件")
    assert r.status_code == 200 and r.json["stage"] == "rejected" and r.json["closed_at"]
    r = post(client, f"/care/cases/{cid}/withdraw", p.member_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "wrong_stage"
    r = post(client, f"/care/cases/{cid}/visits", p.staff1_h, visited_at="2026-12-03T09:00:00+08:00", visitors="x")
    assert r.status_code == 409
    # A staff member cannot assign someone else; only the chair removes handlers.
    cid2 = to_stage(client, p, "opened")
    r = post(client, f"/care/cases/{cid2}/handlers", p.staff1_h, member_id=p.staff2.id)
    assert r.status_code == 403
    r = post(client, f"/care/cases/{cid2}/handlers", p.chair_h, member_id=p.member.id)
    assert r.status_code == 400
    assert post(client, f"/care/cases/{cid2}/handlers", p.chair_h, member_id=p.staff2.id).status_code == 200
    # An admin who also handles the case sees it but cannot change its handlers.
    both = make.member(roles=("member", "admin", "staff"))
    assert post(client, f"/care/cases/{cid2}/handlers", p.chair_h, member_id=both.id).status_code == 200
    r = client.delete(f"{API}/care/cases/{cid2}/handlers/{p.staff2.id}", headers=auth(both))
    assert r.status_code == 403
    assert client.delete(f"{API}/care/cases/{cid2}/handlers/{both.id}", headers=p.chair_h).status_code == 200
    r = client.delete(f"{API}/care/cases/{cid2}/handlers/{p.staff2.id}", headers=p.chair_h)
    assert r.status_code == 200 and r.json["handlers"] == []
    # Unassigned again: back in the staff's list, and takeable.
    assert post(client, f"/care/cases/{cid2}/handlers", p.staff1_h, member_id=p.staff1.id).status_code == 200


def test_money_grant_above_the_threshold_waits_in_the_ledger(client, people, db):
    p = people
    cid = to_stage(client, p, "aided", amount_fen=800_000)
    r = client.get(f"{API}/care/cases/{cid}", headers=p.staff1_h)
    g = r.json["grants"][0]
    assert g["amount_fen"] == 800_000 and g["fund_entry_status"] == "pending"
    r = post(client, f"/care/cases/{cid}/grants", p.staff1_h, kind="money", description="无金额")
    assert r.status_code == 400 and "amount_fen" in r.json["error"]["details"]["fields"]


def test_stats_count_without_names(client, people):
    p = people
    to_stage(client, p, "aided", amount_fen=123_400)
    r = client.get(f"{API}/care/stats?year=2026", headers=p.staff2_h)
    assert r.status_code == 200
    s = r.json
    assert s["opened"] == 1 and s["by_stage"]["aided"] == 1 and s["by_category"] == {"illness": 1}
    assert s["grants"] == {"money": {"count": 1, "amount_fen": 123_400}, "goods": {"count": 0, "amount_fen": 0},
                           "service": {"count": 0, "amount_fen": 0}}
    assert client.get(f"{API}/care/stats?year=2025", headers=p.staff2_h).json["opened"] == 0
    assert "困难会员甲" not in str(s)


def test_list_filters_and_who_sees_which_rows(client, people):
    p = people
    handled = to_stage(client, p, "assessing")  # staff1 handles it
    new = post(client, "/care/cases", p.staff2_h, category="income", summary="x",
               member_employee_no=p.liaison.employee_no).json["id"]
    chair_all = client.get(f"{API}/care/cases", headers=p.chair_h).json
    assert {i["id"] for i in chair_all["items"]} == {handled, new} and chair_all["total"] == 2
    assert client.get(f"{API}/care/cases?mine=1", headers=p.chair_h).json["total"] == 0
    assert [i["id"] for i in client.get(f"{API}/care/cases?mine=1", headers=p.staff1_h).json["items"]] == [handled]
    assert {i["id"] for i in client.get(f"{API}/care/cases", headers=p.staff1_h).json["items"]} == {handled, new}
    assert [i["id"] for i in client.get(f"{API}/care/cases", headers=p.staff2_h).json["items"]] == [new]
    assert client.get(f"{API}/care/cases", headers=p.admin_h).json["total"] == 0  # an admin alone handles none
    r = client.get(f"{API}/care/cases?stage=assessing&category=illness", headers=p.chair_h).json
    assert [i["id"] for i in r["items"]] == [handled]
    item = r["items"][0]
    assert item["handlers"] == ["干事一"] and item["member_name"] == "困难会员甲" and item["department"] == "生产一部"
    assert set(item) == {"id", "member_name", "department", "category", "stage", "handlers", "opened_at",
                         "updated_at", "next_visit_due"}
