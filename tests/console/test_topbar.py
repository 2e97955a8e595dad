"""The console's top bar in a real browser: its entries stay on one line on a 1024 px screen, and every page
it links is reached as staff do (a group's title opens its menu, a click elsewhere or Escape closes it, one
menu open at a time), the link and its group marked as the current page."""
from __future__ import annotations

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def test_the_top_bar_fits_one_line_and_reaches_every_page(page, sign_in):
    sign_in()
    page.set_viewport_size({"width": 1024, "height": 700})
    bar = page.locator("#topbar")
    entries = bar.locator(".topnav > a, .topnav > details > summary")
    expect(entries).to_have_count(9)
    tops = {round(box["y"]) for box in (e.bounding_box() for e in entries.all())}
    assert len(tops) == 1, f"the top bar wraps: entries at {sorted(tops)}"
    assert bar.bounding_box()["height"] == 56

    links = bar.locator("[data-nav]")
    targets = [(a.get_attribute("data-nav"), a.get_attribute("href")) for a in links.all()]
    assert len(targets) == 23
    for nav, href in targets:
        link = bar.locator(f'[data-nav="{nav}"]')
        group = bar.locator(f'.nav-menu:has([data-nav="{nav}"])')
        if group.count():
            group.locator("summary").click()
            expect(group).to_have_attribute("open", "")
        link.click()
        # A section may open on its first tab for the viewer (经费 for staff without the ledger: its months).
        expect(page).to_have_url(re.compile(re.escape(href) + "(/[a-z]+)?$"))
        expect(link).to_have_class(re.compile("active"))
        if group.count():
            # Closed once the page is chosen; its title marked as holding the current page.
            expect(group).not_to_have_attribute("open", "")
            expect(group.locator("summary")).to_have_class(re.compile("active"))

    # One menu at a time; a click elsewhere and Escape close it.
    democracy = bar.locator(".nav-menu[data-menu=democracy]")
    service = bar.locator(".nav-menu[data-menu=service]")
    democracy.locator("summary").click()
    expect(democracy).to_have_attribute("open", "")
    service.locator("summary").click()
    expect(service).to_have_attribute("open", "")
    expect(democracy).not_to_have_attribute("open", "")
    page.locator("#view").click()
    expect(service).not_to_have_attribute("open", "")
    democracy.locator("summary").click()
    page.keyboard.press("Escape")
    expect(democracy).not_to_have_attribute("open", "")
