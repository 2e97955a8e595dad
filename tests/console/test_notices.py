"""Notices in the staff console, in a real browser against the real app: write, send, follow, print."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from server.core.timeutil import SHANGHAI, utcnow

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

POSTER_LOADED = ("() => { const img = document.querySelector('#poster-preview');"
                 " return img && img.complete && img.naturalWidth > 0; }")


def open_compose(page):
    page.locator("#topbar").get_by_role("link", name="通知").click()
    page.get_by_role("link", name="＋ 新建通知").click()
    expect(page.get_by_role("heading", name="新建通知")).to_be_visible()


def channel_count(page, channel: str, status: str):
    return page.locator(f'.channel-stat[data-channel="{channel}"] [data-stat="{status}"] b')


def test_compose_shows_each_error_next_to_its_field(site, sign_in):
    site.make_member("质检员甲", department="质检部", employee_no="E8001")
    page = sign_in()
    open_compose(page)
    page.get_by_label("正文").fill("请于周五前提交体检表。")
    expect(page.locator("#body-count")).to_have_text("11 / 5000 字")
    page.get_by_label("小程序推送", exact=True).uncheck()
    page.get_by_role("button", name="保存草稿").click()

    expect(page.locator('[data-error-for="title"]')).to_have_text("不能为空")
    expect(page.locator('[data-error-for="channels"]')).to_have_text("至少 1 项")
    expect(page.get_by_role("alert").first).to_have_text("请修改标出的内容后再提交")

    page.get_by_label("标题").fill("体检表提交提醒")
    page.get_by_label("短信", exact=True).check()
    page.get_by_label("指定对象").check()
    page.get_by_label("部门", exact=True).fill("质检部，不存在的部门")
    page.get_by_role("button", name="保存草稿").click()
    # The unknown department is named beside its box; the fixed fields are clear again.
    expect(page.locator('[data-error-for="audience.departments"]')).to_have_text("不存在：不存在的部门")
    expect(page.locator('[data-error-for="title"]')).to_be_empty()
    expect(page.locator('[data-error-for="channels"]')).to_be_empty()

    # Individual recipients are found by name and picked, never typed as ids.
    page.get_by_label("部门", exact=True).fill("")
    page.get_by_label("指定会员").fill("质检员")
    page.get_by_role("option", name=re.compile("质检员甲")).click()
    picked = page.locator(".picked .chip")
    expect(picked).to_have_count(1)
    expect(picked.first).to_contain_text("质检员甲")
    expect(picked.first).to_contain_text("质检部")
    expect(page.get_by_label("指定会员")).to_have_value("")

    # "Specific people" with nothing chosen is refused beside the choice itself.
    page.get_by_role("button", name="移除 质检员甲").click()
    expect(picked).to_have_count(0)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator('[data-error-for="audience"]')).to_contain_text("请选择通知对象")

    page.get_by_label("部门", exact=True).fill("质检部")
    page.get_by_label("指定会员").fill("质检员甲")
    page.get_by_role("option", name=re.compile("质检员甲")).click()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#toast")).to_have_text("已保存草稿「体检表提交提醒」")
    expect(page).to_have_url(re.compile(r"#/notices/\d+$"))
    expect(page.locator("#notice-title")).to_contain_text("草稿")
    expect(page.locator("#notice-info")).to_contain_text("部门：质检部")
    expect(page.locator("#notice-info")).to_contain_text("指定会员：质检员甲（E8001 · 质检部）")


def test_send_to_a_department_over_all_channels_then_follow_delivery(site, sign_in):
    # A department no other test fills: the browser tests share one server per worker, in any order.
    for name in ("装配甲", "装配乙"):
        site.make_member(name, department="总装二车间")
    site.make_member("装配丙", department="总装二车间", phone=None)
    page = sign_in()
    open_compose(page)
    page.get_by_label("标题").fill("十月安全检查")
    page.get_by_label("正文").fill("10 月 20 日起开展车间安全检查，请各班组做好准备。")
    page.get_by_label("短信", exact=True).check()
    page.get_by_label("海报", exact=True).check()
    page.get_by_label("指定对象").check()
    page.get_by_label("部门", exact=True).fill("总装二车间")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#notice-title")).to_contain_text("草稿")
    expect(page.locator("#deliveries")).to_be_hidden()

    page.get_by_role("button", name="发送").click()
    # Channels in the order of the labels the server serves (GET /meta/labels).
    expect(page.locator("#confirm-body")).to_contain_text("发送渠道：小程序推送、短信、海报")
    expect(page.locator("#confirm-body")).to_contain_text("通知对象：部门：总装二车间")
    page.get_by_role("button", name="再想想").click()
    expect(page.locator("#notice-title")).to_contain_text("草稿")

    page.get_by_role("button", name="发送").click()
    page.get_by_role("button", name="确认发送").click()
    expect(page.locator("#notice-title")).to_contain_text("发送中")
    expect(page.locator("#stat-recipients")).to_have_text("3")
    # Nobody here has WeChat consent: every push is skipped; the member without a phone gets no SMS.
    expect(channel_count(page, "push", "skipped")).to_have_text("3")
    expect(channel_count(page, "sms", "queued")).to_have_text("2")
    expect(channel_count(page, "sms", "skipped")).to_have_text("1")
    expect(page.get_by_role("button", name="发送")).to_have_count(0)

    # A delivery worker runs; the page, still open, follows on its own.
    site.run_worker()
    expect(page.locator("#notice-title")).to_contain_text("已发送")
    expect(channel_count(page, "sms", "sent")).to_have_text("2")
    expect(channel_count(page, "sms", "queued")).to_have_text("0")
    expect(page.locator("#stat-read")).to_have_text("0")
    expect(page.locator('#deliveries-table tr[data-channel="sms"][data-status="sent"]')).to_have_count(2)
    expect(page.locator("#notice-info")).to_contain_text("发送完成")

    page.locator("#topbar").get_by_role("link", name="通知").click()
    row = page.locator("#notices-table tbody tr", has_text="十月安全检查")
    expect(row).to_contain_text("已发送")
    expect(row.locator(".chip")).to_have_text(["小程序推送", "短信", "海报"])
    expect(row).to_contain_text("部门：总装二车间")


def test_deliveries_filter_by_channel_and_status_with_pages(site, sign_in):
    for i in range(21):
        site.make_member(f"仓储{i:02d}", department="仓储部")
    site.make_member("仓储无号", department="仓储部", phone=None)
    notice_id = site.make_notice("年度盘点安排", channels=["push", "sms"], audience={"departments": ["仓储部"]},
                                 send=True)
    site.run_worker()
    page = sign_in()
    page.goto(f"/console/#/notices/{notice_id}")
    rows = page.locator("#deliveries-table tbody tr")
    expect(rows).to_have_count(20)
    expect(page.locator("#deliveries .pager")).to_contain_text("共 44 条，第 1 / 3 页")
    page.locator("#deliveries").get_by_role("button", name="下一页").click()
    expect(page.locator("#deliveries .pager")).to_contain_text("第 2 / 3 页")

    page.locator("#delivery-channel").select_option(label="短信")
    expect(page.locator("#deliveries .pager")).to_contain_text("共 22 条，第 1 / 2 页")
    expect(page.locator('#deliveries-table tbody tr:not([data-channel="sms"])')).to_have_count(0)

    page.locator("#delivery-status").select_option(label="未发送")
    expect(rows).to_have_count(1)
    # Each recipient by name, employee number and department, not an id.
    expect(rows.first).to_contain_text("仓储无号")
    expect(rows.first).to_contain_text("仓储部")
    expect(rows.first.locator("td.mono").first).to_have_text(re.compile(r"^E\d{5}$"))
    expect(rows).to_contain_text("名册中没有手机号")

    page.locator("#delivery-channel").select_option(label="小程序推送")
    expect(page.locator("#deliveries .pager")).to_contain_text("共 22 条")
    expect(rows.first).to_contain_text("会员未绑定微信小程序")

    page.locator("#delivery-status").select_option(label="发送失败")
    expect(page.locator("#deliveries")).to_contain_text("没有符合条件的记录。")


def test_poster_preview_and_downloads(site, sign_in):
    notice_id = site.make_notice("职工书屋开放", body="每周二、四 18:00–20:00 开放，欢迎借阅。", channels=["poster"],
                                 send=True)  # sent: its QR page is public, so no warning before download
    page = sign_in()
    page.goto(f"/console/#/notices/{notice_id}")
    # A function, not an expression: the console's CSP forbids eval, which Playwright uses for those.
    page.wait_for_function(POSTER_LOADED)
    assert page.locator("#poster-preview").evaluate("img => img.src").startswith("blob:")

    with page.expect_download() as info:
        page.get_by_role("button", name="下载 PDF（A4 打印）").click()
    assert info.value.suggested_filename == "职工书屋开放-海报.pdf"
    assert Path(info.value.path()).read_bytes()[:4] == b"%PDF"

    with page.expect_download() as info:
        page.get_by_role("button", name="下载 PNG").click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_scheduled_send_to_event_registrants_shows_scheduled(site, sign_in):
    member = site.make_member("报名者")
    event_id = site.make_event("职工运动会", registrants=[member])
    day = (utcnow().astimezone(SHANGHAI) + timedelta(days=2)).strftime("%Y-%m-%d")
    page = sign_in()
    open_compose(page)
    page.get_by_label("标题").fill("运动会集合时间")
    page.get_by_label("正文").fill("请参赛会员 8:30 在体育馆东门集合。")
    page.get_by_label("指定对象").check()
    event_select = page.get_by_label("活动报名者")
    expect(event_select.locator(f'option[value="{event_id}"]')).to_contain_text("职工运动会")
    event_select.select_option(str(event_id))
    page.get_by_label("定时发送").fill(f"{day}T09:00")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#notice-info")).to_contain_text("活动报名者：职工运动会")
    expect(page.locator("#notice-info")).to_contain_text(f"定时 {day} 09:00")

    page.get_by_role("button", name="发送").click()
    expect(page.locator("#confirm-body")).to_contain_text(f"将于 {day} 09:00（北京时间）自动发出")
    page.get_by_role("button", name="确认发送").click()
    expect(page.locator("#notice-title")).to_contain_text("已排期")
    expect(page.locator("#notice-info .alert")).to_have_text(f"已排期，将于 {day} 09:00（北京时间）自动发送。")
    expect(page.locator("#deliveries")).to_be_hidden()

    page.locator("#topbar").get_by_role("link", name="通知").click()
    row = page.locator("#notices-table tbody tr", has_text="运动会集合时间")
    expect(row).to_contain_text("已排期")
    expect(row.locator('[data-col="sent"]')).to_have_text(f"计划 {day} 09:00")


def test_sending_to_nobody_says_so_and_stays_a_draft(site, sign_in):
    site.make_department("新设部门")
    notice_id = site.make_notice("新部门见面会", audience={"departments": ["新设部门"]})
    page = sign_in()
    page.goto(f"/console/#/notices/{notice_id}")
    page.get_by_role("button", name="发送").click()
    page.get_by_role("button", name="确认发送").click()
    expect(page.locator("#send-message")).to_have_text("没有符合条件的会员，通知未发送")
    expect(page.locator("#notice-title")).to_contain_text("草稿")
    expect(page.get_by_role("button", name="发送")).to_be_enabled()


def test_event_page_prints_the_poster(site, sign_in):
    event_id = site.make_event("消防演练")
    page = sign_in()
    page.goto(f"/console/#/events/{event_id}")
    page.get_by_text("打印海报").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 PDF（A4 打印）").click()
    assert info.value.suggested_filename == "消防演练-海报.pdf"
    assert Path(info.value.path()).read_bytes()[:4] == b"%PDF"

    page.get_by_text("打印海报").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 PNG 图片").click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_deliveries_a_crash_left_in_doubt_show_as_sending_unknown_and_duplicate(site, sign_in):
    import time_machine

    from notifications.sms import TencentSms
    from scripts.fake_sms import DEFAULT_SDK_APP_ID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, FakeSms
    from server.core.extensions import db
    from server.members.models import WechatUser
    from server.notices.delivery import Worker
    from server.notices.models import SubscriptionQuota

    app = site.app
    site.run_worker()  # nothing of other tests is left due
    ids = [site.make_member(f"夜班{i}", department="夜班组") for i in range(4)]
    with app.app_context():  # the first has WeChat and a consent, so a push is queued for them
        db.session.add(WechatUser(openid="o-night-0", member_id=ids[0]))
        db.session.add(SubscriptionQuota(member_id=ids[0], template_id=app.config["WECHAT_NOTICE_TEMPLATE_ID"],
                                         remaining=1))
        db.session.commit()
    notice_id = site.make_notice("夜班排班调整", channels=["push", "sms"], audience={"departments": ["夜班组"]},
                                 send=True)
    fake = FakeSms().start()  # a provider that can be asked what it accepted
    fake.templates[app.config["SMS_NOTICE_TEMPLATE_ID"]] = fake.templates["2001"]

    def worker(name: str, batch: int) -> Worker:
        w = Worker(app, name=name)
        w.batch = batch
        w.sms = TencentSms(secret_id=DEFAULT_SECRET_ID, secret_key=DEFAULT_SECRET_KEY, sdk_app_id=DEFAULT_SDK_APP_ID,
                           sign_name=fake.sign_name, base_url=fake.base_url, timeout=2)
        return w

    try:
        # A worker dies mid-send: its push never got an answer, the provider took its three SMS (one twice).
        dead = worker("crashed", batch=4)
        with app.app_context():
            jobs = dead.claim()
            dead._turn([], {}, jobs)
        assert {j.notice_id for j in jobs} == {notice_id}
        sms = [j for j in jobs if j.channel == "sms"]
        dead._sms(sms)
        dead._sms(sms[:1])
        assert len(fake.sent) == 4
        with time_machine.travel(utcnow() + timedelta(seconds=app.config["DELIVERY_LEASE_SECONDS"] + 1)):
            worker("reconciler", batch=200).reconcile()
        # Another dies with the last SMS still in flight.
        late = worker("in-flight", batch=4)
        with app.app_context():
            late._turn([], {}, late.claim())
    finally:
        fake.stop()

    page = sign_in()
    page.goto(f"/console/#/notices/{notice_id}")
    expect(page.locator("#notice-title")).to_contain_text("发送中")
    expect(channel_count(page, "push", "unknown")).to_have_text("1")
    expect(page.locator('.channel-stat[data-channel="push"]')).to_contain_text("状态未知")
    expect(page.locator('.channel-stat[data-channel="push"] .delivery-note')).to_contain_text(
        "1 条状态未知：发送过程中断，无法确认是否送达；为免重复，系统不会重发")
    expect(channel_count(page, "sms", "sent")).to_have_text("2")
    expect(channel_count(page, "sms", "duplicate")).to_have_text("1")
    expect(channel_count(page, "sms", "sending")).to_have_text("1")
    expect(page.locator('.channel-stat[data-channel="sms"]')).to_contain_text("重复")
    expect(page.locator('.channel-stat[data-channel="sms"] .delivery-note')).to_contain_text("会员可能收到了两条")
    # Rare states are listed only where they occur.
    expect(page.locator('.channel-stat[data-channel="push"] [data-stat="duplicate"]')).to_have_count(0)

    rows = page.locator("#deliveries-table tbody tr")
    page.locator("#delivery-status").select_option(label="状态未知")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("小程序推送")
    expect(rows).to_contain_text("无法确认微信是否已送达")
    page.locator("#delivery-status").select_option(label="重复")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("服务商接受了 2 次")
    page.locator("#delivery-status").select_option(label="发送中")
    expect(rows).to_have_count(1)
    expect(rows.locator(".badge")).to_have_text("发送中")


def test_chosen_recipients_are_shown_by_name_in_the_list_and_on_the_notice(site, sign_in):
    """Item 3 of the console issue: staff read names, not "指定会员 N 人". The names come with the notices
    themselves (audience_members), so the list asks for nothing more than its page."""
    first = [site.make_member(name, department=dept, employee_no=no)
             for name, dept, no in [("张三", "生产一部", "E9001"), ("李四", "质检部", "E9002"),
                                    ("王五", "仓储部", "E9003")]]
    rest = [site.make_member(f"名册会员{i}", department="仓储部") for i in range(19)]
    crowd = site.make_notice("春季体检名单确认", channels=["sms"], audience={"member_ids": first + rest})
    pair = site.make_notice("工会小组长会议", channels=["sms"], audience={"member_ids": first[:2]})

    page = sign_in()
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/api/v1/" in r.url else None)
    page.locator("#topbar").get_by_role("link", name="通知").click()
    expect(page.locator(f'tr[data-notice-id="{crowd}"] [data-col="audience"]')).to_have_text(
        "指定会员：张三、李四、王五 等 22 人")
    expect(page.locator(f'tr[data-notice-id="{pair}"] [data-col="audience"]')).to_have_text("指定会员：张三、李四")
    assert not [u for u in api_calls if "/members" in u], api_calls  # one request: the page of notices

    page.locator(f'tr[data-notice-id="{crowd}"]').get_by_role("link", name="春季体检名单确认").click()
    audience = page.locator("#notice-audience")
    expect(audience).to_contain_text(
        "指定会员：张三（E9001 · 生产一部）、李四（E9002 · 质检部）、王五（E9003 · 仓储部）、")
    expect(audience).to_contain_text("名册会员16（")  # the 20th of them
    expect(audience).not_to_contain_text("名册会员17")
    expect(audience).to_contain_text(" 等 22 人")
