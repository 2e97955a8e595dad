"""GET /reports/effectiveness: the period asked for, roles, bad input (both databases), the three formats, and
improvement items opened from a figure."""
from __future__ import annotations

import io
import subprocess

import pytest
import time_machine
from openpyxl import load_workbook

API = "/api/v1"
URL = f"{API}/reports/effectiveness"


@pytest.fixture
def staff(make, auth):
    """Headers signed now: call inside the test's time travel (a token from today has expired by 2027)."""
    member = make.staff()
    return lambda: auth(member)


def test_without_a_period_the_last_complete_quarter(client, staff):
    with time_machine.travel("2027-02-10 10:00 +08:00", tick=False):
        body = client.get(URL, headers=staff()).get_json()
    assert body["period"]["key"] == "2026Q4" and body["period"]["complete"] is True
    assert body["previous"]["key"] == "2026Q3"
    assert body["min_group"] == 5
    keys = [s["key"] for s in body["sections"]]
    assert keys[:3] == ["participation", "requests", "benefits"]
    headline = [f["label"] for f in body["figures"] if f["headline"]]
    assert "活动参与率" in headline and "诉求按时办结率" in headline and "福利领取率" in headline
    assert all(f["definition"] for f in body["figures"])


def test_a_running_quarter_is_to_date_and_a_year_can_be_asked(client, staff):
    with time_machine.travel("2026-12-03 10:00 +08:00", tick=False):
        now = client.get(f"{URL}?quarter=2026Q4", headers=staff()).get_json()
        year = client.get(f"{URL}?year=2025", headers=staff()).get_json()
    assert now["period"]["complete"] is False
    assert (year["period"]["label"], year["period"]["start"], year["period"]["end"]) == \
        ("2025年度", "2025-01-01", "2025-12-31")


@pytest.mark.parametrize("query, field", [
    ("quarter=2026Q5", "quarter"), ("quarter=26Q1", "quarter"), ("quarter=2026q4x", "quarter"),
    ("quarter=2026Q1&year=2026", "year"), ("year=1999", "year"), ("year=abc", "year"),
    ("format=doc", "format"), ("quarter=2027Q2", "quarter"), ("year=2027", "year"),
    ("quarter=" + "9" * 5000, "quarter"),
])
def test_bad_periods_and_formats_are_400_naming_the_field(client, staff, query, field):
    with time_machine.travel("2026-12-03 10:00 +08:00", tick=False):
        r = client.get(f"{URL}?{query}", headers=staff())
    assert r.status_code in (400, 414), r.get_json()
    if r.status_code == 400:
        body = r.get_json()["error"]
        assert body["code"] == "invalid_request" and field in body["details"]["fields"]


def test_members_and_liaisons_are_refused(client, make, auth):
    for roles in (("member",), ("member", "liaison"), ("member", "treasurer")):
        r = client.get(URL, headers=auth(make.member(roles=roles)))
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert client.get(URL).status_code == 401


def test_secretary_and_admin_read_it(client, make, auth):
    for roles in (("member", "secretary"), ("member", "admin")):
        assert client.get(URL, headers=auth(make.member(roles=roles))).status_code == 200


def test_pdf_and_xlsx(client, staff, tmp_path):
    with time_machine.travel("2027-01-05 10:00 +08:00", tick=False):
        pdf = client.get(f"{URL}?quarter=2026Q4&format=pdf", headers=staff())
        xlsx = client.get(f"{URL}?quarter=2026Q4&format=xlsx", headers=staff())
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert 'filename="effectiveness-2026Q4.pdf"' in pdf.headers["Content-Disposition"]
    (tmp_path / "r.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "工会管理效能报告" in text and "2026年第四季度" in text
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.data))
    assert len(book.sheetnames) > 5


def test_an_improvement_item_from_a_figure_is_checked_by_the_report(client, make, auth):
    staff = make.staff()
    head = make.member(department="后勤部")
    with time_machine.travel("2026-10-08 10:00 +08:00", tick=False):
        h = auth(staff)
        bad = client.post(f"{API}/improvements", headers=h, json={
            "title": "提高参与率", "source": "report", "owner_id": head.id, "due_date": "2026-12-31",
            "figure": "participation.nonsense", "target": 0.5})
        assert bad.status_code == 400 and "figure" in bad.get_json()["error"]["details"]["fields"]
        made = client.post(f"{API}/improvements", headers=h, json={
            "title": "提高参与率", "source": "report", "owner_id": head.id, "due_date": "2026-12-31",
            "figure": "participation.rate", "target": 0.5})
        assert made.status_code == 201, made.get_json()
        assert made.get_json()["figure_label"] == "活动参与率"
    with time_machine.travel("2027-01-05 10:00 +08:00", tick=False):
        body = client.get(f"{URL}?quarter=2026Q4", headers=auth(staff)).get_json()
    (check,) = body["improvements"]
    # Two members on the roster (staff and head), nobody came: 0 % against 50 %.
    assert (check["value"], check["target"], check["met"], check["verdict"]) == (0.0, 0.5, False, "未达标")
    assert check["owner"]["name"] == head.name and check["figure_label"] == "活动参与率"


def test_times_in_the_report_are_shanghai(client, staff):
    with time_machine.travel("2027-01-05 10:00 +08:00", tick=False):
        body = client.get(f"{URL}?quarter=2026Q4", headers=staff()).get_json()
    assert body["generated_at"].startswith("2027-01-05T10:00:00") and body["generated_at"].endswith("+08:00")


def test_each_table_column_names_the_figure_its_cells_stand_for(client, staff):
    from server.reports.figures import TABLES

    with time_machine.travel("2027-01-05 10:00 +08:00", tick=False):
        body = client.get(f"{URL}?quarter=2026Q4", headers=staff()).get_json()
    named = {t["key"]: {c["key"]: c["figure"] for c in t["columns"] if c["figure"]}
             for s in body["sections"] for t in s["tables"]}
    assert {k: v for k, v in named.items() if v} == TABLES


@pytest.mark.parametrize("figure, target, field", [
    ("participation.rate", 60, "target"),                        # a percent is a fraction: 0.6
    ("participation.rate", -0.1, "target"),
    ("surveys.score", 6, "target"),
    ("requests.resolution_hours_median", -1, "target"),
    ("participation.by_month:2026-10:checkins_per_member", 1, "figure"),   # a column no report judges
    ("participation.by_department:3", 0.5, "figure"),
    ("nonsense.by_department:3:rate", 0.5, "figure"),
])
def test_an_improvement_target_must_be_one_of_the_figures_values(client, make, auth, figure, target, field):
    staff, head = make.staff(), make.member()
    r = client.post(f"{API}/improvements", headers=auth(staff), json={
        "title": "整改", "source": "report", "owner_id": head.id, "due_date": "2099-12-31", "figure": figure,
        "target": target})
    assert r.status_code == 400 and field in r.get_json()["error"]["details"]["fields"], r.get_json()
