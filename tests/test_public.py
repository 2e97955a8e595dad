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
