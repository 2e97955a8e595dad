"""The public pages behind poster QR codes in a real browser: Chromium enforces the page's own security
headers, and the page still renders as designed (its inline style is allowed by the nonce)."""
from __future__ import annotations

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def test_a_public_event_page_renders_styled_under_its_policy(site, page):
    event_id = site.make_event("职工篮球赛")
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(f"/e/{event_id}")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.locator("h1")).to_have_text("职工篮球赛")
    # base.html's style: a white column on a grey page.
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(246, 247, 249)"
    assert blocked == []
