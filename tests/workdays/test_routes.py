"""The calendar over HTTP: a year read in one answer, admins set and reset days, upload a schedule, and staff
see which years are missing; bad dates and spans are 400s in the contract's shape on both databases."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from server.workdays.models import WorkdayOverride
from tests.statements import statements_of

API = "/api/v1"


@pytest.fixture
def admin(make, auth):
    return auth(make.member(roles=("member", "admin")))


def test_a_member_reads_national_day_2026_with_its_make_up_saturday(client, make, auth):
    r = client.get(f"{API}/workdays?from=2026-09-30&to=2026-10-11", headers=auth(make.member()))
    assert r.status_code == 200, r.json
    days = {d["date"]: d for d in r.json["items"]}
    assert len(days) == 12
    assert days["2026-10-01"] == {"date": "2026-10-01", "workday": False, "name": "国庆节", "known": True,
                                  "source": "package"}
    assert days["2026-10-10"]["workday"] and days["2026-10-10"]["name"] == "国庆节调休"
    assert days["2026-09-30"]["workday"] and days["2026-09-30"]["name"] is None


def test_a_whole_year_costs_one_query_for_the_admins_days(client, make, auth, db):
    headers = auth(make.member())
    db.session.add(WorkdayOverride(day=datetime(2027, 1, 1).date(), workday=False, name="元旦"))
    db.session.flush()
    with statements_of(db.engine) as statements:
        r = client.get(f"{API}/workdays?from=2027-01-01&to=2027-12-31", headers=headers)
    assert r.status_code == 200 and len(r.json["items"]) == 365
    assert len([s for s in statements if "workday_overrides" in s]) == 1
    first = r.json["items"][0]
    assert first == {"date": "2027-01-01", "workday": False, "name": "元旦", "known": True, "source": "admin"}


@pytest.mark.parametrize("query, field", [
    ("from=2026-01-01&to=2027-01-02", "to"),        # 367 days
    ("from=2026-05-02&to=2026-05-01", "to"),        # backwards
    ("from=2026-02-30&to=2026-03-01", "from"),      # no such day
    ("from=20260101&to=2026-03-01", "from"),
    ("from=1999-12-31&to=2000-01-01", "from"),      # outside 2000–2999
    ("to=2026-03-01", "from"),
    ("from=2026-01-01", "to"),
])
def test_bad_spans_are_400_naming_the_field(client, make, auth, query, field):
    r = client.get(f"{API}/workdays?{query}", headers=auth(make.member()))
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "invalid_request" and field in r.json["error"]["details"]["fields"]


def test_366_days_are_allowed(client, make, auth):
    r = client.get(f"{API}/workdays?from=2028-01-01&to=2028-12-31", headers=auth(make.member()))
    assert r.status_code == 200 and len(r.json["items"]) == 366


def test_an_admin_sets_a_day_and_resets_it(client, admin, db):
    r = client.put(f"{API}/workdays/2027-02-06", json={"workday": True, "name": "春节调休"}, headers=admin)
    assert r.status_code == 200, r.json
    assert r.json == {"date": "2027-02-06", "workday": True, "name": "春节调休", "known": True, "source": "admin"}
    r = client.put(f"{API}/workdays/2027-02-06", json={"workday": False, "name": "  "}, headers=admin)
    assert r.json["workday"] is False and r.json["name"] is None
    assert db.session.scalar(select(func.count()).select_from(WorkdayOverride)) == 1

    r = client.delete(f"{API}/workdays/2027-02-06", headers=admin)
    assert r.status_code == 200
    # A Saturday of a year nobody knows: back to Monday to Friday.
    assert r.json == {"date": "2027-02-06", "workday": False, "name": None, "known": False, "source": "fallback"}
    # Resetting a day inside a package year gives the package's answer back.
    client.put(f"{API}/workdays/2026-10-01", json={"workday": True}, headers=admin)
    r = client.delete(f"{API}/workdays/2026-10-01", headers=admin)
    assert r.json["source"] == "package" and r.json["name"] == "国庆节" and not r.json["workday"]


@pytest.mark.parametrize("day", ["2027-13-01", "2027-02-30", "tomorrow", "2027-1-1", "99999-01-01",
                                 "1900-01-01", "2027-01-01T00:00"])
def test_bad_dates_in_the_path_are_400(client, admin, day):
    for method in ("PUT", "DELETE"):
        r = client.open(f"{API}/workdays/{day}", method=method, json={"workday": True} if method == "PUT" else None,
                        headers=admin)
        assert r.status_code == 400, (method, day, r.status_code)
        assert r.json["error"]["code"] == "invalid_request" and "date" in r.json["error"]["details"]["fields"]


@pytest.mark.parametrize("body, field", [({}, "workday"), ({"workday": "yes"}, "workday"),
                                         ({"workday": 1}, "workday"), ({"workday": True, "name": "x" * 41}, "name"),
                                         ({"workday": True, "extra": 1}, "extra")])
def test_bad_bodies_are_400(client, admin, body, field):
    r = client.put(f"{API}/workdays/2027-01-01", json=body, headers=admin)
    assert r.status_code == 400 and field in r.json["error"]["details"]["fields"], r.json


def test_status_names_next_year_from_november(client, make, auth):
    staff = make.staff()
    with time_machine.travel(datetime(2026, 10, 20, 2, 0, tzinfo=UTC)):
        r = client.get(f"{API}/workdays/status", headers=auth(staff))
    assert r.json == {"unknown_years": [2027], "warn_years": [], "message": None}
    with time_machine.travel(datetime(2026, 11, 2, 2, 0, tzinfo=UTC)):
        r = client.get(f"{API}/workdays/status", headers=auth(staff))
    assert r.json["unknown_years"] == [2027] and r.json["warn_years"] == [2027]
    assert "2027 年的节假日安排尚未录入" in r.json["message"]
    # In 2027 itself the year is this year's: warned whatever the month.
    with time_machine.travel(datetime(2027, 3, 1, 2, 0, tzinfo=UTC)):
        assert client.get(f"{API}/workdays/status", headers=auth(staff)).json["warn_years"] == [2027]


CSV_2027 = "date,workday,name\n2027-01-01,1,元旦\n2027-02-06,是,春节调休\n2027-10-01,0,国庆节\n"


def _upload(client, headers, content: str | bytes, name="2027.csv"):
    import io

    data = content.encode() if isinstance(content, str) else content
    return client.post(f"{API}/workdays/import", data={"file": (io.BytesIO(data), name)}, headers=headers,
                       content_type="multipart/form-data")


def test_an_admin_uploads_a_year_and_again_changes_nothing(client, admin, make, auth):
    r = _upload(client, admin, CSV_2027.replace("2027-01-01,1,", "2027-01-01,0,"))
    assert r.status_code == 200, r.json
    assert r.json == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "years": [2027]}
    again = _upload(client, admin, CSV_2027.replace("2027-01-01,1,", "2027-01-01,0,"))
    assert again.json == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "years": [2027]}
    changed = _upload(client, admin, CSV_2027)
    assert changed.json["updated"] == 1 and changed.json["unchanged"] == 2
    with time_machine.travel(datetime(2026, 11, 2, 2, 0, tzinfo=UTC)):
        status = client.get(f"{API}/workdays/status", headers=auth(make.staff())).json
    assert status == {"unknown_years": [], "warn_years": [], "message": None}


def test_a_file_with_bad_lines_is_refused_whole(client, admin, db):
    bad = CSV_2027 + "2027-02-30,1,x\n2027-05-01,maybe,劳动节\n2027-01-01,0,dup\n"
    r = _upload(client, admin, bad)
    assert r.status_code == 400
    err = r.json["error"]
    assert err["code"] == "invalid_request" and "file" in err["details"]["fields"]
    assert [(x["line"]) for x in err["details"]["lines"]] == [5, 6, 7]
    assert "不存在的日期" in err["details"]["lines"][0]["reason"] and "第 2 行" in err["details"]["lines"][2]["reason"]
    assert db.session.scalar(select(func.count()).select_from(WorkdayOverride)) == 0


@pytest.mark.parametrize("content", [b"", b"day,off\n2027-01-01,1\n", b"date,workday,name\n",
                                     b"\xff\xfe\x00d", b"date,workday,name\n" + b"2027-01-01,1,x\n" * 20000])
def test_unreadable_files_are_400_not_500(client, admin, content):
    r = _upload(client, admin, content)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_request", r.json


def test_an_upload_without_a_file_is_400(client, admin):
    r = client.post(f"{API}/workdays/import", data={}, headers=admin, content_type="multipart/form-data")
    assert r.status_code == 400 and "file" in r.json["error"]["details"]["fields"]
