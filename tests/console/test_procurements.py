"""Procurement comparisons in the staff console, in a real browser against the real app: an admin creates a
purchase over the threshold naming two representatives by employee number, enters three quotes (one with a real
PNG of the quote sheet, shown back from the server), is refused the decision while a representative has not
confirmed (the names shown), and decides once both confirmed in the mini-program (through the service)."""
from __future__ import annotations

import pytest
from PIL import Image

from server.core.extensions import db
from server.members.models import Member
from server.procurements import services
from server.procurements.models import Procurement

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect


def test_a_purchase_from_quotes_to_decision(page, sign_in, site, tmp_path):
    site.make_member("管理员钱一", roles=("member", "admin"), password="admin-secret-1", employee_no="PA001")
    reps = [site.make_member("代表赵二", employee_no="PR002"), site.make_member("代表孙三", employee_no="PR003")]
    sign_in("PA001", "admin-secret-1")
    page.goto("/console/#/procurements")
    page.locator("#new-procurement").click()
    page.get_by_label("采购事项").fill("职工之家健身器材")
    page.get_by_label("经费科目").select_option("501")
    page.get_by_label("预算金额（元）").fill("30000")
    page.get_by_label("职工代表工号").fill("PR002, PX999")
    page.get_by_role("button", name="创建").click()
    expect(page.locator('[data-error-for="representatives"]')).to_contain_text("PX999")
    page.get_by_label("职工代表工号").fill("PR002，PR003")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("#procurement-heading")).to_contain_text("职工之家健身器材")
    with site.app.app_context():
        pid = db.session.scalar(db.select(Procurement.id).filter_by(title="职工之家健身器材"))
    expect(page.locator("#representatives li")).to_have_count(2)

    png = tmp_path / "quote.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(png, "PNG")
    for supplier, amount in (("甲器材公司", "28500.50"), ("乙体育用品", "29000"), ("丙健身", "31000")):
        page.get_by_label("供应商").fill(supplier)
        page.get_by_label("报价（元）").fill(amount)
        if supplier == "甲器材公司":
            page.get_by_label("报价单图片").set_input_files(str(png))
        page.get_by_role("button", name="登记报价").click()
        expect(page.locator("#quotes-table tbody tr", has_text=supplier)).to_be_visible()
    first = page.locator("#quotes-table tbody tr", has_text="甲器材公司")
    expect(first).to_contain_text("28,500.50")
    expect(first.locator("img.thumb")).to_be_visible()

    with site.app.app_context():
        services.confirm(reps[0], pid)
        db.session.commit()
    page.reload()
    page.get_by_label("中选报价").select_option(label="甲器材公司（28,500.50 元）")
    page.get_by_label("定标理由").fill("价格最低，含安装")
    page.get_by_role("button", name="定标").click()
    expect(page.locator("#decide-form .form-message")).to_contain_text("代表孙三")
    with site.app.app_context():
        services.confirm(reps[1], pid)
        db.session.commit()
    page.get_by_role("button", name="定标").click()
    expect(page.locator("#decision-reason")).to_have_text("价格最低，含安装")
    expect(page.locator("#quotes-table tr.row-selected")).to_contain_text("甲器材公司")
    with site.app.app_context():
        p = db.session.get(Procurement, pid)
        assert (p.status, p.amount_fen) == ("decided", 3_000_000)
        assert db.session.get(Member, p.decided_by).name == "管理员钱一"
    page.goto("/console/#/procurements")
    expect(page.locator(f'#procurements-table tr[data-procurement-id="{pid}"] [data-status]')).to_have_attribute(
        "data-status", "decided")
