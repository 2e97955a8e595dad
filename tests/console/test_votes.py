"""Votes in the staff console, in a real browser against the real app: a draft written with three candidates
(one photo uploaded through the form), published after the confirmation; members vote through the API;
the turnout while open and no counts; the early close; the results with their receipts checked in the
browser; and the paper count entered by one staff member and confirmed blind by another, each signed in
in a browser context of their own."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from PIL import Image

from server.core.extensions import db
from server.core.timeutil import SHANGHAI, utcnow
from server.members.auth import issue_token
from server.votes import services as votes

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

DEPT = "投票车间"
STAFF_B = ("S0777", "staff-secret-b")


def _local(delta: timedelta) -> str:
    """A datetime-local input's value in Beijing time, ``delta`` from now."""
    return (utcnow() + delta).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _ballot(site, member_id: int, vote_id: int, choices: list[int]) -> str:
    """The member votes as the mini-program does (POST …/ballots with their token); returns the receipt."""
    with site.app.test_request_context():
        token, _ = issue_token(member_id)
    resp = site.app.test_client().post(f"/api/v1/votes/{vote_id}/ballots", json={"choices": choices},
                                       headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["receipt"]


def _candidates(site, vote_id: int) -> list[tuple[int, str, str | None]]:
    with site.app.app_context():
        return [(c.id, c.name, c.photo_id) for c in votes.candidates_of([vote_id])[vote_id]]


@pytest.fixture(scope="module")
def voters(site):
    return [site.make_member(f"投票人{i}", department=DEPT) for i in range(4)]


def test_staff_write_publish_watch_close_and_check_a_vote(site, sign_in, voters, tmp_path):
    photo = tmp_path / "chen.png"
    Image.new("RGB", (40, 40), (30, 120, 200)).save(photo, "PNG")
    page = sign_in()
    page.locator("#topbar").get_by_text("民主管理").click()  # the group's menu in the top bar
    page.locator("#topbar").get_by_role("link", name="投票").click()
    page.locator("#new-vote").click()

    form = page.locator("#vote-form")
    form.get_by_label("标题").fill("2026年度“工匠之星”评选")
    form.get_by_label("部门").fill(DEPT)
    form.get_by_label("开始时间").fill(_local(-timedelta(hours=1)))
    form.get_by_label("截止时间").fill(_local(timedelta(days=3)))
    form.get_by_label("每票最多可选").fill("4")
    page.locator("#add-candidate").click()
    expect(page.locator("#candidates > li")).to_have_count(3)
    for i, name in enumerate(["陈建国", "李师傅", "王巧手"]):
        page.locator(f"#cand-name-{i}").fill(name)
    page.locator("#cand-desc-0").fill("数控车间班组长")
    page.locator("#cand-photo-0").set_input_files(str(photo))
    expect(page.locator("[data-candidate='0'] [data-photo-state]")).to_have_attribute("data-photo-state", "done")
    expect(page.locator("[data-candidate='0'] img")).to_be_visible()  # the local file's preview
    # The third moves up: the order is the one saved.
    page.locator("[data-candidate='2']").get_by_role("button", name="上移").click()
    expect(page.locator("#cand-name-1")).to_have_value("王巧手")

    # More choices than candidates: the server's word beside the box, the input kept.
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("[data-error-for=max_choices]")).to_contain_text("不能超过候选人数")
    expect(page.locator("#cand-name-2")).to_have_value("李师傅")
    form.get_by_label("每票最多可选").fill("2")
    page.get_by_role("button", name="保存草稿").click()

    expect(page.locator("#vote-title")).to_contain_text("2026年度“工匠之星”评选")
    expect(page.locator("#vote-title [data-status]")).to_have_attribute("data-status", "draft")
    vote_id = int(page.url.rsplit("/", 1)[1])
    cands = _candidates(site, vote_id)
    assert [c[1] for c in cands] == ["陈建国", "王巧手", "李师傅"]
    assert cands[0][2] and not cands[1][2] and not cands[2][2]
    expect(page.locator(f"[data-candidate-id='{cands[0][0]}'] img")).to_be_visible()  # fetched with the token
    expect(page.locator("#vote-audience")).to_have_text(f"部门：{DEPT}")

    # Editing the draft keeps the uploaded photo (PATCH sends it again with the candidates).
    page.locator("#edit-vote").click()
    expect(page.locator("#cand-name-0")).to_have_value("陈建国")
    expect(page.locator("[data-candidate='0'] img")).to_be_visible()
    page.get_by_label("标题").fill("2026年度“工匠之星”评选（车间）")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#vote-title")).to_contain_text("（车间）")
    cands = _candidates(site, vote_id)
    assert [c[1] for c in cands] == ["陈建国", "王巧手", "李师傅"] and cands[0][2]

    page.locator("#publish-vote").click()
    expect(page.locator("#confirm-body")).to_contain_text("将收到通知")
    page.locator("#confirm-ok").click()
    expect(page.locator("#vote-title [data-status]")).to_have_attribute("data-status", "open")

    chen, wang, li = (c[0] for c in cands)
    receipts = [_ballot(site, voters[0], vote_id, [chen, wang]), _ballot(site, voters[1], vote_id, [chen]),
                _ballot(site, voters[2], vote_id, [li])]

    # While open: the turnout only, never the counts.
    page.reload()
    expect(page.locator("#turnout-voted")).to_have_text("3")
    expect(page.locator("#turnout-eligible")).to_have_text("4")
    expect(page.locator("#turnout-rate")).to_have_text("75.0%")
    expect(page.locator("#sealed-note")).to_have_text("投票结束前不显示得票，以免影响投票")
    expect(page.locator("#vote-results")).to_have_count(0)

    page.locator("#close-vote").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#vote-title [data-status]")).to_have_attribute("data-status", "closed")
    table = page.locator("#results-table")
    expect(table.locator(f"tr[data-candidate-id='{chen}'] [data-col=online]")).to_have_text("2")
    expect(table.locator(f"tr[data-candidate-id='{wang}'] [data-col=online]")).to_have_text("1")
    expect(table.locator(f"tr[data-candidate-id='{li}'] [data-col=online]")).to_have_text("1")
    expect(table.locator("tbody tr").first).to_have_attribute("data-candidate-id", str(chen))  # most votes first
    expect(page.locator("#results-ballots")).to_have_text("3")
    expect(page.locator("#results-voters")).to_have_text("3")
    expect(page.locator("#results-chart canvas")).to_have_count(1)
    expect(page.locator("#sealed-note")).to_have_count(0)

    page.locator("#receipts summary").click()
    expect(page.locator("#receipt-list li")).to_have_count(3)
    box = page.get_by_placeholder("输入回执摘要或回执核对")
    box.fill(receipts[1])
    box.press("Enter")
    expect(page.locator("#receipt-answer")).to_have_attribute("data-found", "yes")
    expect(page.locator("#receipt-answer")).to_contain_text(hashlib.sha256(receipts[1].encode()).hexdigest())
    box.fill("AAAA-BBBB-CCCC-DDDD")
    box.press("Enter")
    expect(page.locator("#receipt-answer")).to_have_attribute("data-found", "no")
    # A digest pasted as it is.
    box.fill(hashlib.sha256(receipts[2].encode()).hexdigest())
    box.press("Enter")
    expect(page.locator("#receipt-answer")).to_have_attribute("data-found", "yes")

    # The list: status, times, choices and the turnout; the status filter.
    page.locator("#topbar").get_by_text("民主管理").click()  # the group's menu in the top bar
    page.locator("#topbar").get_by_role("link", name="投票").click()
    row = page.locator(f"#votes-table tr[data-vote-id='{vote_id}']")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "closed")
    expect(row.locator("[data-col=turnout]")).to_have_text("3 / 4（75.0%）")
    page.locator("#vote-filter").select_option("draft")
    expect(page.locator(f"#votes-table tr[data-vote-id='{vote_id}']")).to_have_count(0)
    page.locator("#vote-filter").select_option("closed")
    expect(page.locator(f"#votes-table tr[data-vote-id='{vote_id}']")).to_have_count(1)


def _closed_vote(site, voters) -> tuple[int, list[int]]:
    """A vote of three candidates, published, voted on by two members through the API, then closed."""
    now = utcnow()
    with site.app.app_context():
        vote = votes.create_vote(None, title="班组议事会议题", description="", audience={"departments": [DEPT]},
                                 opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), max_choices=2,
                                 candidates=[{"name": "食堂延时"}, {"name": "增设车棚"}, {"name": "更衣柜"}])
        votes.publish_vote(vote.id, notify=False)
        db.session.commit()
        vote_id = vote.id
    ids = [c[0] for c in _candidates(site, vote_id)]
    _ballot(site, voters[0], vote_id, [ids[0], ids[1]])
    _ballot(site, voters[1], vote_id, [ids[0]])
    with site.app.app_context():
        votes.close_vote(vote_id, early=True, notify=False)
        db.session.commit()
    return vote_id, ids


def _enter(page, ballots: int, counts: list[int], ids: list[int]):
    card = page.locator("#paper-card")
    card.get_by_label("纸质选票数").fill(str(ballots))
    for cid, n in zip(ids, counts, strict=True):
        page.locator(f"#paper-counts-{cid}").fill(str(n))
    card.locator("button[type=submit]").click()


def test_paper_ballots_are_entered_by_one_and_confirmed_blind_by_another(site, browser, sign_in, voters):
    site.make_member("赵干事", department="工会办公室", roles=("member", "staff"), password=STAFF_B[1],
                     employee_no=STAFF_B[0])
    vote_id, ids = _closed_vote(site, voters)

    a = sign_in()
    a.goto(f"/console/#/votes/{vote_id}")
    expect(a.locator("#paper-state")).to_have_attribute("data-state", "none")
    _enter(a, 10, [6, 3, 4], ids)
    expect(a.locator("#paper-state")).to_have_attribute("data-state", "pending")
    expect(a.locator("#paper-state")).to_contain_text("王主任")
    expect(a.locator("#paper-state")).to_contain_text("等待另一位工作人员")
    # The one who entered cannot confirm their own figures.
    _enter(a, 10, [6, 3, 4], ids)
    expect(a.locator("#paper-card .form-message")).to_contain_text("须由另一位工作人员核对确认")
    expect(a.locator("#results-paper")).to_contain_text("尚未录入确认")

    context = browser.new_context(base_url=site.url, locale="zh-CN", timezone_id="UTC",
                                  viewport={"width": 1366, "height": 860})
    context.set_default_timeout(10_000)
    try:
        b = context.new_page()
        errors: list[str] = []
        b.on("pageerror", lambda e: errors.append(str(e)))
        b.goto(f"/console/#/votes/{vote_id}")
        b.get_by_label("工号").fill(STAFF_B[0])
        b.get_by_label("密码").fill(STAFF_B[1])
        b.get_by_role("button", name="登录").click()
        expect(b.locator("#paper-state")).to_have_attribute("data-state", "pending")
        # Blind: nothing of the first entry's figures is filled in or shown.
        expect(b.locator("#paper-ballots")).to_have_value("")
        expect(b.locator("#paper-card")).not_to_contain_text("10")
        _enter(b, 10, [6, 3, 5], ids)
        expect(b.locator("#paper-card .form-message")).to_contain_text(
            "两次录入的纸质票数不一致，请两位工作人员重新录入")
        expect(b.locator("#paper-state")).to_have_attribute("data-state", "none")

        # Both enter again: A first, then B the same figures.
        a.reload()
        expect(a.locator("#paper-state")).to_have_attribute("data-state", "none")
        _enter(a, 10, [6, 3, 4], ids)
        expect(a.locator("#paper-state")).to_have_attribute("data-state", "pending")
        b.reload()
        expect(b.locator("#paper-state")).to_have_attribute("data-state", "pending")
        _enter(b, 10, [6, 3, 4], ids)
        expect(b.locator("#paper-state")).to_have_attribute("data-state", "confirmed")
        expect(b.locator("#paper-state")).to_contain_text("王主任、赵干事")
        row = b.locator(f"#results-table tr[data-candidate-id='{ids[0]}']")
        expect(row.locator("[data-col=online]")).to_have_text("2")
        expect(row.locator("[data-col=paper]")).to_have_text("6")
        expect(row.locator("[data-col=total]")).to_have_text("8")
        expect(b.locator(f"#results-table tr[data-candidate-id='{ids[2]}'] [data-col=total]")).to_have_text("4")
        expect(b.locator("#results-ballots")).to_have_text("2")  # online ballots, apart
        expect(b.locator("#results-total")).to_have_text("12")
        expect(b.locator("#results-paper")).to_contain_text("纸质选票 10 张")
        assert not errors, errors
    finally:
        context.close()
    a.reload()
    expect(a.locator("#paper-state")).to_have_attribute("data-state", "confirmed")
    expect(a.locator("#results-total")).to_have_text("12")
