"""The public pages behind poster QR codes, and the security headers every answer carries."""
from __future__ import annotations

import re

import pytest

from server.events import lifecycle

API = "/api/v1"


@pytest.fixture
def department_event(make):
    make.department("财务部")
    return make.event(title="财务部内部交流会", description="年终结算安排，仅本部门参加。",
                      audience={"departments": ["财务部"]})


def _text(r) -> str:
    assert r.status_code == 200 and r.mimetype == "text/html"
    return r.get_data(as_text=True)


def test_an_event_open_to_everyone_shows_its_details(client, make):
    ev = make.event(title="职工篮球赛", description="欢迎报名参赛。")
    page = _text(client.get(f"/e/{ev.id}"))
    assert "职工篮球赛" in page and "工会活动室" in page and "欢迎报名参赛。" in page
    assert "点击“报名”" in page and "已取消" not in page


def test_an_event_for_some_members_shows_no_details(client, department_event):
    page = _text(client.get(f"/e/{department_event.id}"))
    for detail in ("财务部", "内部交流会", "工会活动室", "年终结算", "时间："):
        assert detail not in page
    assert "本活动仅面向特定会员" in page and "微信小程序" in page


def test_a_cancelled_event_says_so_and_invites_no_sign_up(client, make, department_event):
    ev = make.event(title="职工篮球赛")
    for event in (ev, department_event):
        lifecycle.cancel_event(event.id)
        page = _text(client.get(f"/e/{event.id}"))
        assert "本活动已取消" in page
        assert "报名" not in page
    assert "内部交流会" not in _text(client.get(f"/e/{department_event.id}"))


def _missing(r) -> str:
    """A friendly page in Chinese with 404: the poster's QR code may be scanned before the notice is out."""
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert r.headers["Cache-Control"] == "no-store"
    page = r.get_data(as_text=True)
    assert '"error"' not in page and "微信小程序" in page
    return page


def test_a_notice_page_shows_the_notice_only_once_it_is_sent(client, make):
    from datetime import timedelta

    from server.core.timeutil import utcnow
    from server.notices import services as notices

    make.member()
    poster = dict(body="本周六停水，请提前储水。", channels=["poster"], audience={"all": True})
    draft = notices.create_notice(None, title="停水通知", **poster)
    scheduled = notices.create_notice(None, title="停电通知", send_at=utcnow() + timedelta(days=2), **poster)
    notices.send_notice(scheduled.id)
    assert scheduled.status == "scheduled"
    for n in (draft, scheduled):
        page = _missing(client.get(f"/n/{n.id}"))
        assert "通知尚未发布" in page and "发布后" in page
        assert n.title not in page and "储水" not in page

    notices.send_notice(draft.id)
    page = _text(client.get(f"/n/{draft.id}"))
    assert "停水通知" in page and "本周六停水" in page


def test_unknown_or_unposted_notices_and_events_get_a_friendly_404(client, make):
    from server.notices import services as notices

    make.member()
    push_only = notices.create_notice(None, title="内部推送", body="仅推送。", channels=["push"],
                                      audience={"all": True})
    notices.send_notice(push_only.id)
    assert "内部推送" not in _missing(client.get(f"/n/{push_only.id}"))
    assert "通知不存在" in _missing(client.get("/n/987654"))
    assert "活动不存在" in _missing(client.get("/e/987654"))


def _policy(r) -> dict[str, str]:
    directives = (p.strip() for p in r.headers["Content-Security-Policy"].split(";"))
    return {d.split()[0]: d.partition(" ")[2] for d in directives if d}


@pytest.mark.parametrize("path", ["/api/v1/ping", "/api/v1/me", "/api/v1/nowhere", "/healthz", "/api/v1/openapi.json",
                                  "/console/", "/e/1", "/e/99"])
def test_every_answer_is_unframeable_and_unsniffable(client, make, path):
    make.event()
    r = client.get(path)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    policy = _policy(r)
    assert policy["frame-ancestors"] == "'none'" and policy["default-src"] in ("'none'", "'self'")
    assert "'unsafe-inline'" not in r.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in r.headers["Content-Security-Policy"]


def test_a_public_page_allows_its_own_style_sheet_only(client, make):
    ev = make.event()
    pages = [client.get(f"/e/{ev.id}"), client.get(f"/e/{ev.id}")]
    nonces = []
    for r in pages:
        policy = _policy(r)
        assert policy["default-src"] == "'none'" and "script-src" not in policy
        (nonce,) = re.findall(r"'nonce-([\w-]+)'", policy["style-src"])
        assert re.findall(r"<style nonce=\"([\w-]+)\">", r.get_data(as_text=True)) == [nonce]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
