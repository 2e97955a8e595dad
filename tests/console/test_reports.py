"""The effectiveness report (效能报告) in the staff console, in a real browser against the real app, clicked as staff
do: opened from the top bar on the last complete quarter, switched to the running quarter with the picker (the
address follows, the "not yet ended" banner shows), the summary's participation rate and a department's cell as
counted by hand, a chart drawn, the PDF downloaded and read back, 立整改 from a table cell (the server's refusal and
the form's own beside their boxes, then created and listed in 整改跟踪), and the archive listing the previous
quarter with its PDF. A treasurer without a staff role sees no link and cannot open the page.

Time cannot be moved in the served app, so the data sit in the quarter running today."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from server.core.extensions import db
from server.core.timeutil import SHANGHAI, utcnow
from server.events.models import Checkin
from server.improvements.models import Improvement
from server.members.models import Department, Member
from server.reports import services as reports
from server.reports.periods import Period

sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
expect = sync_api.expect

DEPT = "效能一部"


def _today():
    return utcnow().astimezone(SHANGHAI).date()


@pytest.fixture(scope="module")
def world(site):
    """Six members of one department, four of whom checked in at an event of the running quarter, and five of
    another with one (two departments make a chart); the previous quarter archived as the scheduler would."""
    current = Period.containing(_today())
    start = datetime.combine(current.start, time(0), SHANGHAI)
    # Halfway between the quarter's first minute and now: inside the quarter and in the past, whatever today is.
    held = start + (utcnow() - start) / 2
    people = [site.make_member(f"效能{n}", department=DEPT) for n in range(6)]
    others = [site.make_member(f"二部{n}", department="效能二部") for n in range(5)]
    event = site.make_event("效能测试活动", starts_at=held)
    with site.app.app_context():
        for i, m in enumerate([*people[:4], others[0]]):
            db.session.add(Checkin(event_id=event, member_id=m, checked_in_at=held + timedelta(minutes=i),
                                   method="code"))
        reports.archive(current.previous(), notify=False)
        db.session.commit()
        dept_id = db.session.scalar(select(Department.id).filter_by(name=DEPT))
    return {"current": current, "previous": current.previous(), "dept_id": dept_id}


def _participation_rate(site, period: Period) -> str:
    """The period's participation rate counted here: members who checked in ÷ active members (plus any since
    deactivated who checked in), as the page should print it."""
    s, e = period.bounds()
    with site.app.app_context():
        came = set(db.session.scalars(select(Checkin.member_id).where(Checkin.checked_in_at >= s,
                                                                      Checkin.checked_in_at < e)))
        active = set(db.session.scalars(select(Member.id).where(Member.is_active.is_(True), Member.created_at < e)))
    return f"{round(len(came) / len(active | came), 4) * 100:.1f}%"


def _open_reports(page):
    bar = page.locator("#topbar")
    bar.locator(".nav-menu[data-menu=openness] summary").click()
    bar.get_by_role("link", name="效能报告").click()
    expect(page).to_have_url(re.compile(r"#/reports$"))


def test_staff_read_the_report_switch_period_download_and_open_an_improvement(page, sign_in, site, world, tmp_path):
    current, previous = world["current"], world["previous"]
    sign_in()
    _open_reports(page)
    # Without a period: the last complete quarter, which has ended (no banner).
    expect(page.locator("#report-period-label")).to_have_text(previous.label)
    expect(page.locator("#report-period")).to_have_value(previous.key)
    expect(page.locator("#report-incomplete")).to_have_count(0)
    expect(page.locator("#topbar [data-nav=reports]")).to_have_class(re.compile("active"))

    # Only periods already begun are offered: this year's quarters up to this one, the two years before, whole years.
    year, q = current.year, current.quarter
    offered = page.locator("#report-period option").evaluate_all("os => os.map((o) => o.value)")
    assert offered == [str(year), *[f"{year}Q{n}" for n in range(q, 0, -1)],
                       *[k for y in (year - 1, year - 2) for k in (str(y), f"{y}Q4", f"{y}Q3", f"{y}Q2", f"{y}Q1")]]

    page.locator("#report-period").select_option(current.key)
    expect(page).to_have_url(re.compile(rf"#/reports/{current.key}$"))
    expect(page.locator("#report-period-label")).to_have_text(current.label)
    expect(page.locator("#report-incomplete")).to_have_text("本期尚未结束，数据截至今日")
    card = page.locator('#report-summary [data-figure="participation.rate"]')
    expect(card.locator(".report-card-value")).to_have_text(_participation_rate(site, current))
    # The department's row: 4 of 6 came.
    row = page.locator(f'[data-table="participation.by_department"] tr[data-row="{world["dept_id"]}"]')
    expect(row.locator("[data-col=eligible]")).to_have_text("6")
    expect(row.locator("[data-col=rate]")).to_contain_text("66.7%")
    expect(page.locator('[data-chart="participation.by_department"] canvas')).to_have_count(1)
    expect(page.locator('[data-chart="participation.by_month"] canvas')).to_have_count(1)
    # The appendix is folded until asked for.
    definition = page.locator('#report-appendix [data-definition="participation.rate"]')
    expect(definition).to_be_hidden()
    page.locator("#report-appendix summary").click()
    expect(definition).to_contain_text("应参与会员")

    # The PDF, fetched with the bearer token and saved: a real PDF of this quarter.
    with page.expect_response(lambda r: "format=pdf" in r.url) as answer, page.expect_download() as download:
        page.locator("#report-pdf").click()
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert current.label in text

    # 立整改 from the department's rate.
    row.hover()
    row.locator("[data-col=rate] .improve").click()
    dialog = page.locator("#improve-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("整改事项")).to_have_value(f"提升活动参与率（{DEPT}）")
    expect(dialog.get_by_label("整改期限")).to_have_value(current.end.isoformat())
    dialog.get_by_label("目标值（%）").fill("80")
    dialog.get_by_role("button", name="登记整改事项").click()
    # No owner: the server's refusal lands beside the picker.
    expect(dialog.locator('[data-error-for="owner_id"]')).not_to_be_empty()
    dialog.get_by_label("负责人").fill("王主任")
    dialog.locator(".picker-option", has_text="王主任").click()
    # A percent over 100 is refused by the form before it is sent.
    dialog.get_by_label("目标值（%）").fill("150")
    dialog.get_by_role("button", name="登记整改事项").click()
    expect(dialog.locator('[data-error-for="target"]')).to_have_text("百分比应在 0 到 100 之间")
    dialog.get_by_label("目标值（%）").fill("80")
    dialog.get_by_label("问题说明").fill("部门参与率低于目标")
    dialog.get_by_role("button", name="登记整改事项").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#toast")).to_contain_text("已列入本期整改跟踪")

    with site.app.app_context():
        item = db.session.scalars(select(Improvement).where(Improvement.title == f"提升活动参与率（{DEPT}）")).one()
        assert (item.source, item.figure, item.target, item.due_date) == (
            "report", f"participation.by_department:{world['dept_id']}:rate", 0.8, current.end)
    check = page.locator(f'#checks-table tr[data-improvement-id="{item.id}"]')
    expect(check).to_contain_text("活动参与率")
    expect(check).to_contain_text(DEPT)
    expect(check).to_contain_text("80.0%")
    expect(check).to_contain_text("66.7%")
    expect(check.locator(".badge")).to_have_text("进行中")  # due at the quarter's end, not yet judged
    expect(check).to_contain_text("王主任")
    # The chart survives the redraw after the item (a new report, drawn afresh).
    expect(page.locator('[data-chart="participation.by_department"] canvas')).to_have_count(1)

    # The archive: the previous quarter, its PDF as sent, and the archived copy to read.
    archived = page.locator(f'#archive-table tr[data-period="{previous.key}"]')
    expect(archived).to_contain_text(previous.label)
    expect(archived).to_contain_text("期末自动生成")
    with page.expect_download() as download:
        archived.locator("[data-archive-pdf]").click()
    saved = Path(download.value.path())
    assert saved.read_bytes().startswith(b"%PDF")
    archived.get_by_role("link", name="查看归档版").click()
    expect(page).to_have_url(re.compile(rf"#/reports/{previous.key}/archived$"))
    expect(page.locator("#report-archived")).to_be_visible()
    expect(page.locator(".improve")).to_have_count(0)

    # The check links to its item.
    page.goto(f"/console/#/reports/{current.key}")
    page.locator(f'#checks-table tr[data-improvement-id="{item.id}"] a').click()
    expect(page.locator("#improvement-title")).to_contain_text(f"提升活动参与率（{DEPT}）")
    # The item names its figure as the report does, the target in the figure's unit.
    expect(page.locator("#improvement-figure")).to_have_text("活动参与率，目标 80.0%")


def test_a_period_not_yet_begun_is_refused_with_the_picker_still_there(page, sign_in, world):
    sign_in()
    page.goto(f"/console/#/reports/{world['current'].year + 1}")
    expect(page.locator("#report-page .alert-error")).to_contain_text("尚未开始")
    page.locator("#report-period").select_option(world["previous"].key)
    expect(page.locator("#report-period-label")).to_have_text(world["previous"].label)


def test_a_treasurer_without_a_staff_role_has_no_report(page, sign_in, site):
    site.make_member("只管账", roles=("member", "treasurer"), password="treasurer-secret-9", employee_no="T0901")
    sign_in("T0901", "treasurer-secret-9")
    expect(page).to_have_url(re.compile(r"#/fund"))
    expect(page.locator("#topbar [data-nav=reports]")).to_be_hidden()
    page.goto("/console/#/reports")
    expect(page).to_have_url(re.compile(r"#/fund"))
