"""The craftsman star in the staff console, in a real browser against the real app: staff create a round with
its committee picked by name (a staff member on it), members nominate through the API (one with a real PNG,
shown as a thumbnail), the staff member reviews from the console and the tallies make the shortlist; with the
review over (the round's times moved back, as the demo does), staff open the vote, follow the link to the
vote's page, are refused publishing while the vote is open (in Chinese), close it early there, publish and
see the winners ranked by votes. A round whose shortlist is shorter than its winners cannot open the vote."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import update

from server.core.extensions import db
from server.core.timeutil import SHANGHAI, utcnow
from server.craftsman import services
from server.craftsman.models import CraftsmanRound
from server.members.auth import issue_token
from server.members.models import Member
from server.votes import services as votes

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def _local(delta: timedelta) -> str:
    """A datetime-local input's value in Beijing time, ``delta`` from now."""
    return (utcnow() + delta).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _staff_id(site) -> int:
    with site.app.app_context():
        return db.session.scalar(db.select(Member.id).filter_by(employee_no="S0001"))


def _client(site, member_id: int):
    """A test client with the member's token, as the mini-program calls the API."""
    with site.app.test_request_context():
        token, _ = issue_token(member_id)
    return site.app.test_client(), {"Authorization": f"Bearer {token}"}


def _nominate(site, by: int, round_id: int, nominee: int, reason: str, photo: bool = False) -> int:
    client, headers = _client(site, by)
    photos = []
    if photo:
        buf = io.BytesIO()
        Image.new("RGB", (80, 60), (200, 120, 30)).save(buf, "PNG")
        up = client.post("/api/v1/uploads", headers=headers, data={"file": (io.BytesIO(buf.getvalue()), "work.png")},
                         content_type="multipart/form-data")
        assert up.status_code == 201, up.get_json()
        photos = [up.get_json()["id"]]
    r = client.post(f"/api/v1/craftsman/rounds/{round_id}/nominations", headers=headers,
                    json={"nominee_id": nominee, "reason": reason, "evidence": "技能大赛证书", "photos": photos})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _end_review(site, round_id: int) -> None:
    """The nomination and review periods over (the demo's way: the round's times moved back)."""
    now = utcnow()
    with site.app.app_context():
        db.session.execute(update(CraftsmanRound).where(CraftsmanRound.id == round_id).values(
            nomination_closes_at=now - timedelta(hours=3), review_closes_at=now - timedelta(hours=2),
            vote_opens_at=now - timedelta(hours=2)))
        db.session.commit()


def test_a_round_from_creation_to_its_winners(page, sign_in, site):
    staff = _staff_id(site)
    judges = [site.make_member(f"评审委员{i}", department="工匠评审组") for i in range(2)]
    nominees = [site.make_member(f"工匠候选{i}", department="工匠数控班") for i in range(4)]
    nominator = site.make_member("推荐人钱七", department="工匠数控班")
    voters = [site.make_member(f"工匠投票人{i}") for i in range(5)]
    sign_in()

    page.locator("#topbar").get_by_text("民主管理").click()
    page.locator("#topbar").get_by_role("link", name="工匠之星").click()
    expect(page.locator("#topbar [data-nav=craftsman]")).to_have_class(re.compile("active"))
    page.locator("#new-round").click()
    form = page.locator("#round-form")
    form.get_by_label("年度").fill("2041")
    form.get_by_label("名称").fill("2041年度“工匠之星”评选")
    form.get_by_label("推荐截止").fill(_local(timedelta(days=1)))
    form.get_by_label("评审截止").fill(_local(timedelta(days=3)))
    form.get_by_label("投票开始").fill(_local(timedelta(days=4)))
    form.get_by_label("投票截止").fill(_local(timedelta(days=2)))  # before the vote opens: refused
    form.get_by_label("评选名额").fill("3")
    for name in ["王主任", "评审委员0", "评审委员1"]:
        page.locator("#round-committee").fill(name)
        page.locator("#round-form .picker-option").first.click()
    expect(page.locator("#round-form .chips .chip")).to_have_count(3)
    page.get_by_role("button", name="创建评选").click()
    expect(page.locator("#round-form [data-error-for=vote_closes_at]")).to_contain_text("时间须依次为")
    form.get_by_label("投票截止").fill(_local(timedelta(days=10)))
    page.get_by_role("button", name="创建评选").click()
    expect(page.locator("#round-title [data-status]")).to_have_attribute("data-status", "nominating")
    round_id = int(re.search(r"#/craftsman/rounds/(\d+)$", page.url).group(1))
    expect(page.locator("#round-committee")).to_have_text("王主任、评审委员0、评审委员1")

    # Nominations from the mini-program: one with a photo, one a self-nomination.
    reasons = ["主轴加工工艺改进", "快速检测方法", "带徒八人", "节能改造"]
    noms = [_nominate(site, nominee if i == 3 else nominator, round_id, nominee, reasons[i], photo=i == 0)
            for i, nominee in enumerate(nominees)]
    # The two other committee members review: 0 yes/yes, 1 yes/no, 2 yes/yes, 3 no/no.
    with site.app.app_context():
        for n, votes_of in zip(noms, [(True, True), (True, False), (True, True), (False, False)], strict=True):
            for judge, approve in zip(judges, votes_of, strict=True):
                services.review(judge, n, approve, "")
        db.session.commit()

    page.reload()
    rows = page.locator("#nominations-table tbody tr")
    expect(rows).to_have_count(4)
    first = page.locator(f'#nominations-table tr[data-nomination-id="{noms[0]}"]')
    expect(first.locator(".thumbs img")).to_have_attribute("src", re.compile(r"^blob:"))
    assert first.locator(".thumbs img").evaluate("img => img.complete && img.naturalWidth") == 80
    expect(page.locator(f'#nominations-table tr[data-nomination-id="{noms[3]}"]')).to_contain_text("自荐")
    second = page.locator(f'#nominations-table tr[data-nomination-id="{noms[1]}"]')
    expect(second.locator(".tally")).to_have_text("1/2 赞成")
    expect(page.locator("#shortlist-summary")).to_contain_text("入围 2 人")

    # The staff member sits on the committee: the review from the console tips the second into the shortlist.
    second.get_by_label("评语").fill("工艺改进效果显著")
    second.get_by_role("button", name="赞成", exact=True).click()
    expect(second.locator(".my-review")).to_have_attribute("data-approve", "true")
    expect(second.locator(".tally")).to_contain_text("2/3 赞成")
    expect(second.locator(".tally")).to_contain_text("入围")
    expect(page.locator("#shortlist-summary")).to_contain_text("入围 3 人")
    page.reload()
    expect(second.locator(".my-review")).to_have_attribute("data-approve", "true")
    expect(page.locator(f'#nominations-table tr[data-nomination-id="{noms[0]}"] .review-form')).to_be_visible()

    # The review is over: the shortlist waits for the vote, which staff open.
    _end_review(site, round_id)
    page.reload()
    expect(page.locator("#round-title [data-status]")).to_have_attribute("data-status", "shortlisted")
    expect(page.locator("#nominations-table .review-form")).to_have_count(0)
    page.locator("#open-vote").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#round-title [data-status]")).to_have_attribute("data-status", "voting")
    with site.app.app_context():
        vote_id = db.session.get(CraftsmanRound, round_id).vote_id
        candidates = [c.id for c in votes.candidates_of([vote_id])[vote_id]]
    assert vote_id and len(candidates) == 3
    expect(page.locator("#vote-link")).to_have_attribute("href", f"#/votes/{vote_id}")

    # Members vote: the second nominee most, then the third, then the first.
    for i, member in enumerate(voters):
        choice = [candidates[1]] + ([candidates[2]] if i < 3 else []) + ([candidates[0]] if i == 0 else [])
        client, headers = _client(site, member)
        resp = client.post(f"/api/v1/votes/{vote_id}/ballots", json={"choices": choice}, headers=headers)
        assert resp.status_code == 201, resp.get_json()

    # Publishing while the vote is open is refused, in Chinese.
    page.locator("#publish-round").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#round-action-message")).to_contain_text("投票尚未结束")

    # Closed early on the vote's page in the votes module, then published from the round.
    page.locator("#vote-link").click()
    page.get_by_role("button", name="提前结束").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#vote-title [data-status]")).to_have_attribute("data-status", "closed")
    page.go_back()
    expect(page.locator("#round-title")).to_be_visible()
    page.locator("#publish-round").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#round-title [data-status]")).to_have_attribute("data-status", "published")
    winners = page.locator("#winners-table tbody tr")
    expect(winners.locator(".winner-name")).to_have_text(
        ["工匠候选1 · 工匠数控班", "工匠候选2 · 工匠数控班", "工匠候选0 · 工匠数控班"])
    expect(winners.locator("td.num:nth-child(3)")).to_have_text(["5", "3", "1"])
    expect(page.locator("#publish-round")).to_have_count(0)

    # The list of rounds and every year's winners.
    page.get_by_role("link", name="‹ 返回工匠之星").click()
    expect(page.locator(f'#rounds-table tr[data-round-id="{round_id}"] [data-status]')).to_have_attribute(
        "data-status", "published")
    expect(page.locator("#all-winners-table tbody tr")).to_have_count(3)
    with site.app.app_context():
        assert staff in services.committee_of(round_id)


def test_a_short_shortlist_cannot_open_the_vote(page, sign_in, site):
    staff = _staff_id(site)
    judge = site.make_member("短名单评审")
    nominees = [site.make_member(f"短名单候选{i}") for i in range(3)]
    now = utcnow()
    with site.app.app_context():
        r = services.create_round(staff, year=2042, title="2042年度“工匠之星”评选",
                                  nomination_closes_at=now + timedelta(hours=1),
                                  review_closes_at=now + timedelta(hours=2), vote_opens_at=now + timedelta(hours=2),
                                  vote_closes_at=now + timedelta(days=3), winners=3, committee=[judge], notify=False)
        for i, m in enumerate(nominees):
            n = services.nominate(m, r.id, nominee_id=m, reason="技术革新", evidence="", photos=[])
            services.review(judge, n.id, i < 2, "")  # two approved, one not
        db.session.commit()
        round_id = r.id
    _end_review(site, round_id)
    sign_in()
    page.goto(f"/console/#/craftsman/rounds/{round_id}")
    expect(page.locator("#round-title [data-status]")).to_have_attribute("data-status", "shortlisted")
    expect(page.locator("#shortlist-summary")).to_contain_text("入围人数不足")
    # Staff not on this committee read the tallies and review nothing.
    expect(page.locator("#round-nominations")).to_contain_text("您不是本届评审委员")
    page.locator("#open-vote").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("#round-action-message")).to_contain_text("入围 2 人，少于评选名额 3 人，不能发起投票")
    expect(page.locator("#round-title [data-status]")).to_have_attribute("data-status", "shortlisted")
    with site.app.app_context():
        assert db.session.get(CraftsmanRound, round_id).vote_id is None
