"""A poster printed before its notice is sent: staff are warned in the console before the download, and
whoever scans its QR code meanwhile sees a page in Chinese instead of the API's JSON."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from server.core.timeutil import utcnow

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def test_an_unsent_notice_warns_before_its_poster_is_downloaded(site, sign_in):
    notice_id = site.make_notice("职工运动会报名", body="下月举行，欢迎报名。", channels=["poster"],
                                 send_at=utcnow() + timedelta(days=3), send=True)
    page = sign_in()
    page.goto(f"/console/#/notices/{notice_id}")
    expect(page.locator("#poster-early")).to_contain_text("通知发送后才能打开")

    # Changing one's mind downloads nothing.
    downloads: list = []
    page.on("download", lambda d: downloads.append(d))
    page.get_by_role("button", name="下载 PDF（A4 打印）").click()
    expect(page.locator("#confirm-body")).to_contain_text("二维码要在通知发送后才能打开")
    page.get_by_role("button", name="再想想").click()
    expect(page.locator("#confirm")).to_be_hidden()

    page.get_by_role("button", name="下载 PNG").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="仍然下载").click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(downloads) == 1

    # What a phone sees when it scans that poster now.
    response = page.goto(f"/n/{notice_id}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("通知尚未发布")
    expect(page.locator("body")).not_to_contain_text("职工运动会报名")


def test_a_missing_event_page_is_friendly_html(site, page):
    response = page.goto("/e/99999999")
    assert response.status == 404 and response.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_have_text("活动不存在")
