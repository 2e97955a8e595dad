"""Scanning tickets at the door: a ticket used before says "已签到" with the first time (online, offline and
when offline scans are synced), and the laptop's camera reads tickets through the vendored jsQR (Chromium's
fake camera plays a frame with a real ticket's QR code)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import qrcode

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.events import checkin
from tests.console.conftest import CHROMIUM_ARGS, STAFF, _chromium

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def _tickets(site, event_id, member_ids):
    with site.app.app_context():
        from server.members.models import Member
        return [checkin.issue_ticket(db.session.get(Member, m), event_id) for m in member_ids]


def _beijing(iso_time) -> str:
    from server.core.timeutil import SHANGHAI
    return iso_time.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_a_used_ticket_says_already_checked_in_with_its_first_time(site, sign_in):
    first = site.make_member("周重复", employee_no="E7001", department="生产一部")
    second = site.make_member("吴离线", employee_no="E7002", department="质检部")
    third = site.make_member("郑两台", employee_no="E7003", department="行政部")
    event_id = site.make_event("重复扫码会", starts_at=utcnow() + timedelta(minutes=10),
                               registrants=[first, second, third])
    tickets = _tickets(site, event_id, [first, second, third])

    page = sign_in()
    page.goto(f"/console/#/events/{event_id}/scan")
    box = page.get_by_label("电子票")
    latest = page.locator("#scan-results li").first
    box.fill(tickets[0])
    box.press("Enter")
    # Staff see who it is: name, employee number and department.
    expect(latest).to_contain_text("周重复 · 工号 E7001 · 生产一部 签到成功")
    with site.app.app_context():
        at = _beijing(checkin.check_in_with_ticket(_staff(site), event_id, tickets[0], None)[0].checked_in_at)

    box.fill(tickets[0])
    box.press("Enter")
    expect(latest).to_contain_text(f"周重复 · 工号 E7001 · 生产一部 已签到（{at}）")
    expect(latest).to_have_class("scan-warn")
    expect(page.locator("#scan-results li.scan-ok")).to_have_count(1)

    # Offline, this browser still knows the ticket was used, and queues nothing.
    page.context.set_offline(True)
    box.fill(tickets[0])
    box.press("Enter")
    expect(latest).to_contain_text(f"已签到（{at}）")
    # Two offline scans: one member checked in meanwhile at another door, one not.
    box.fill(tickets[1])
    box.press("Enter")
    expect(latest).to_contain_text("已离线记录")
    box.fill(tickets[2])
    box.press("Enter")
    expect(latest).to_contain_text("已离线记录")
    with site.app.app_context():
        other_door = checkin.check_in_with_ticket(_staff(site), event_id, tickets[2], None)[0].checked_in_at
        db.session.commit()
    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#toast")).to_have_text("已同步 2 条离线扫描")
    expect(latest).to_contain_text(f"离线扫描第 2 条：郑两台 · 工号 E7003 · 行政部 已签到（{_beijing(other_door)}）")
    synced = page.locator("#scan-results li").nth(1)
    expect(synced).to_contain_text("离线扫描第 1 条：吴离线 · 工号 E7002 · 质检部 签到成功")
    expect(synced).to_have_class("scan-ok")
    with site.app.app_context():
        assert checkin.checkin_stats(event_id)["checked_in"] == 3


def _staff(site):
    from server.members.models import Member
    return db.session.scalar(db.select(Member).filter_by(employee_no=STAFF[0]))


def _y4m_with_qr(path, text: str, width: int = 640, height: int = 480) -> None:
    """One I420 frame (Chromium's fake camera loops it): the QR code of ``text`` on white, centred."""
    img = qrcode.make(text, box_size=6, border=4).get_image().convert("L")
    canvas = bytearray(b"\xeb" * (width * height))  # video white (235); black is 16
    left, top = (width - img.width) // 2, (height - img.height) // 2
    assert left >= 0 and top >= 0, "the QR code does not fit the frame"
    pixels = img.tobytes()
    for y in range(img.height):
        row = bytes(16 if p < 128 else 235 for p in pixels[y * img.width:(y + 1) * img.width])
        canvas[(top + y) * width + left:(top + y) * width + left + img.width] = row
    chroma = b"\x80" * (width * height // 4)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        f.write(b"FRAME\n" + bytes(canvas) + chroma + chroma)


def test_the_camera_reads_a_ticket(site, browser, tmp_path):
    member = site.make_member("钱镜头", employee_no="E7010")
    event_id = site.make_event("摄像头签到会", starts_at=utcnow() + timedelta(minutes=10), registrants=[member])
    [ticket] = _tickets(site, event_id, [member])
    video = tmp_path / "ticket.y4m"
    _y4m_with_qr(video, ticket)

    # A browser of its own: the fake camera's file is fixed at launch.
    camera_browser = browser.browser_type.launch(
        executable_path=_chromium(),
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera_browser.new_context(base_url=site.url, locale="zh-CN", permissions=["camera"])
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto("/console/#/events")
        page.get_by_label("工号").fill(STAFF[0])
        page.get_by_label("密码").fill(STAFF[1])
        page.get_by_role("button", name="登录").click()
        expect(page.locator("#events-table, .empty")).to_be_visible()
        page.goto(f"/console/#/events/{event_id}/scan")

        page.get_by_role("button", name="用摄像头扫码").click()
        expect(page.locator("#camera-video")).to_be_visible()
        expect(page.locator("#scan-results li").first).to_contain_text("钱镜头 · 工号 E7010 · 生产一部 签到成功")
        # The ticket stays in view: it is read once, not once per frame.
        page.wait_for_timeout(1500)
        expect(page.locator("#scan-results li")).to_have_count(1)
        page.get_by_role("button", name="关闭摄像头").click()
        expect(page.locator("#camera-video")).to_be_hidden()
        assert errors == []
    finally:
        camera_browser.close()
    with site.app.app_context():
        assert checkin.checkin_stats(event_id)["checked_in"] == 1

