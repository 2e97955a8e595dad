"""Audits and the improvement list in the staff console, in a real browser against the real app: staff open a
procedure audit whose automatic figures are filled in, mark a failed item (a fail without a note is refused
beside the field), are refused the close while items are open, turn the failed item into an improvement item
for a member found by name, answer the rest, close it and download its PDF; the improvement list shows the
overdue item first, and one item gets a note, is completed and reopened."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.improvements import services as improvements
from server.improvements.models import Improvement
from server.proposals.models import CongressSession

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def test_an_audit_from_checklist_to_findings_and_close(page, sign_in, site):
    owner = site.make_member("评优负责人林七", department="人力资源部")
    year = date.today().year - 1
    with site.app.app_context():
        closes = utcnow().replace(year=year, month=6, day=20)
        db.session.add(CongressSession(name="审计用职代会", closes_at=closes, min_cosigners=0,
                                       assignment_due_at=closes + timedelta(days=9),
                                       assignment_warn_at=closes + timedelta(days=8)))
        db.session.commit()
    sign_in()
    page.goto("/console/#/audits")
    page.locator("#new-audit").click()
    page.get_by_label("审计类型").select_option("procedure_annual")
    expect(page.get_by_label("审计期间")).to_have_value(str(year))
    page.get_by_role("button", name="创建").click()
    expect(page.locator("#audit-title")).to_contain_text(f"程序年度审计 {year}")
    held = page.locator('#audit-items tr[data-item-key="congress_held"]')
    expect(held.locator(".figure-text")).to_have_text("召开 1 次：审计用职代会")
    expect(held.locator("[data-status]").first).to_have_attribute("data-status", "pass")
    expect(held.locator(".computation")).to_contain_text("职代会会议")
    expect(page.locator('#audit-items tr[data-item-key="awards_public"] .figure')).to_have_text("人工检查")

    awards = page.locator('#audit-items tr[data-item-key="awards_public"]')
    awards.locator("select[name=result]").select_option("fail")
    awards.get_by_role("button", name="保存").click()
    expect(awards.locator('[data-error-for="note"]')).to_have_text("判定不符合时请说明问题")
    awards.locator("textarea[name=note]").fill("年度先进评选未经公示")
    awards.get_by_role("button", name="保存").click()
    expect(awards).to_have_class("row-overdue")
    expect(page.locator("#audit-title").locator("..")).to_contain_text("已判定 1/7 项，不符合 1 项")

    page.locator("#close-audit").click()
    expect(page.locator("#audit-message")).to_contain_text("还有 6 个项目未判定")

    awards.locator(".to-improvement").click()
    card = page.locator("#finding-card")
    card.get_by_label("整改事项").fill("评优结果补充公示")
    card.locator("#finding-form-owner").fill("林七")
    card.locator(f'.picker-option[data-member-id="{owner}"]').click()
    card.get_by_label("整改期限").fill((date.today() + timedelta(days=20)).isoformat())
    card.get_by_role("button", name="列入整改清单").click()
    finding = page.locator("#audit-findings li")
    expect(finding).to_have_count(1)
    expect(finding).to_contain_text("评优结果补充公示")
    expect(finding).to_contain_text("评优负责人林七")

    for row in page.locator("#audit-items tbody tr").all():
        if row.get_attribute("data-item-key") == "awards_public":
            continue
        row.locator("select[name=result]").select_option("na")
        row.get_by_role("button", name="保存").click()
        expect(row.locator("select[name=result]")).to_have_value("na")
    page.locator("#close-audit").click()
    expect(page.locator("#audit-title [data-status]")).to_have_attribute("data-status", "closed")
    expect(page.locator("#close-audit")).to_have_count(0)
    with page.expect_download() as info:
        page.locator("#audit-pdf").click()
    assert info.value.path().read_bytes()[:4] == b"%PDF"

    page.goto("/console/#/audits")
    expect(page.locator("#audits-table tbody tr")).to_have_count(1)
    expect(page.locator("#audits-table tbody tr td").nth(3)).to_have_text("1")
    page.goto("/console/#/improvements")
    row = page.locator("#improvements-table tbody tr", has_text="评优结果补充公示")
    expect(row.locator("td").nth(1)).to_have_text("审计发现")


def test_the_improvement_list_overdue_first_note_complete_reopen(page, sign_in, site):
    head = site.make_member("车间主任周八", department="二车间")
    with site.app.app_context():
        today = date.today()
        soon = improvements.create(None, title="安全通道清理", owner_id=head, due_date=today + timedelta(days=10),
                                   notify=False)
        late = improvements.create(None, title="更衣室柜门维修", owner_id=head, due_date=today + timedelta(days=30),
                                   notify=False)
        past = today - timedelta(days=3)
        db.session.execute(update(Improvement).where(Improvement.id == late.id).values(
            due_date=past, due_at=improvements.due_at_of(past), warn_at=improvements.warn_at_of(past)))
        soon_id, late_id = soon.id, late.id
        db.session.commit()
    sign_in()
    page.goto("/console/#/improvements")
    rows = page.locator("#improvements-table tbody tr")
    expect(rows.first).to_have_attribute("data-improvement-id", str(late_id))
    expect(rows.first).to_have_class("row-overdue")
    expect(rows.first.locator("[data-overdue]")).to_have_text("已逾期")
    page.locator("#improvement-overdue").check()
    expect(rows).to_have_count(1)
    page.locator("#improvement-overdue").uncheck()
    expect(page.locator(f'tr[data-improvement-id="{soon_id}"]')).to_be_visible()

    page.locator(f'tr[data-improvement-id="{soon_id}"]').get_by_role("link").click()
    expect(page.locator("#improvement-owner")).to_have_text("车间主任周八")
    page.get_by_label("进展").fill("已清走杂物两车")
    page.get_by_role("button", name="记录").click()
    expect(page.locator('#improvement-timeline li[data-action="note"]')).to_contain_text("已清走杂物两车")
    page.get_by_role("button", name="标记完成").click()
    expect(page.locator('[data-error-for="result"]')).not_to_be_empty()
    page.get_by_label("整改结果").fill("通道已畅通，设置禁放标识")
    page.get_by_role("button", name="标记完成").click()
    expect(page.locator("#improvement-title [data-status]")).to_have_attribute("data-status", "done")
    expect(page.locator("#improvement-result")).to_have_text("通道已畅通，设置禁放标识")
    page.get_by_label("新的期限（可不填）").fill((date.today() + timedelta(days=15)).isoformat())
    page.get_by_role("button", name="重新打开").click()
    expect(page.locator("#improvement-title [data-status]")).to_have_attribute("data-status", "open")
    expect(page.locator('#improvement-timeline li[data-action="reopened"]')).to_have_count(1)
