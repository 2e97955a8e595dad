"""Members for staff: search, a member's page, admin edits, roster upload, password reset, phone log."""
from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from server.members.models import Member, PhoneAccess

API = "/api/v1"


def admin(make):
    return make.member(roles=("member", "admin"), name="管理员甲")


def test_search_by_name_number_phone_and_groups(client, make, auth):
    staff = make.staff()
    make.member(name="张三丰", employee_no="A100", phone="13812345678", department="机修车间", grid="一网格",
                    tags=("青年",))
    make.member(name="李四", employee_no="B200", phone="13987654321", department="质检部")
    make.member(name="张飞", employee_no="C300", is_active=False)
    h = auth(staff)

    def found(**params):
        r = client.get(f"{API}/members", query_string={**params, "per_page": 100}, headers=h)
        assert r.status_code == 200, r.json
        return {m["employee_no"] for m in r.json["items"]}

    assert found(q="张") == {"A100"}  # the inactive one only when asked
    assert found(q="张", include_inactive="true") == {"A100", "C300"}
    assert found(q="b20") == {"B200"}
    assert found(q="138 1234") == {"A100"}
    assert found(department="质检部") == {"B200"}
    assert found(grid="一网格", tag="青年") == {"A100"}
    assert found(q="100%") == set()  # wildcards are text
    r = client.get(f"{API}/members", query_string={"q": "张三丰"}, headers=h)
    item = r.json["items"][0]
    assert item["phone"] == "13812345678" and item["department"] == "机修车间" and item["tags"] == ["青年"]
    assert r.json["total"] == 1


def test_every_full_phone_answered_is_logged_and_admins_read_the_log(client, make, auth, db):
    staff, boss = make.staff(name="干事乙"), admin(make)
    m = make.member(name="王五", phone="13700000001")
    client.get(f"{API}/members", query_string={"q": "王五"}, headers=auth(staff))
    client.get(f"{API}/members/{m.id}", headers=auth(staff))
    logged = db.session.execute(select(PhoneAccess.viewer_id, PhoneAccess.member_id, PhoneAccess.route)
                                .order_by(PhoneAccess.id)).all()
    assert logged == [(staff.id, m.id, "GET /api/v1/members"), (staff.id, m.id, "GET /api/v1/members/<int:member_id>")]
    assert client.get(f"{API}/admin/phone-access", headers=auth(staff)).status_code == 403
    r = client.get(f"{API}/admin/phone-access", query_string={"member_id": m.id}, headers=auth(boss))
    assert r.status_code == 200 and r.json["total"] == 2
    assert r.json["items"][0]["viewer"]["name"] == "干事乙" and r.json["items"][0]["member"]["name"] == "王五"
    # A picker asks without phones: masked, and nothing logged.
    brief = client.get(f"{API}/members", query_string={"q": "王五", "with_phone": "false"}, headers=auth(staff))
    assert brief.json["items"][0]["phone"] is None and brief.json["items"][0]["phone_masked"] == "137****0001"
    assert db.session.scalar(select(func.count()).select_from(PhoneAccess)) == 2


def test_member_page_lists_registrations_bookings_and_checkins(client, make, auth):
    from server.bookings import booking
    from server.events import signup

    m = make.member()
    ev = make.event(title="读书会")
    signup.register(m.id, ev.id)
    slot = make.slot()
    booking.book_slot(m.id, slot.id)
    r = client.get(f"{API}/members/{m.id}", headers=auth(make.staff()))
    assert r.status_code == 200
    assert r.json["counts"] == {"registrations": 1, "bookings": 1, "checkins": 0}
    assert r.json["bookings"][0]["calendar"] == "年度体检" and r.json["bookings"][0]["status"] == "booked"
    assert r.json["registrations"][0]["title"] == "读书会" and r.json["registrations"][0]["status"] == "confirmed"
    assert client.get(f"{API}/members/999999", headers=auth(make.staff())).json["error"]["code"] == "not_found"


def test_admin_edits_as_the_import_validates_and_staff_cannot(client, make, auth, db):
    boss = admin(make)
    m = make.member(phone="13600000001")
    make.member(employee_no="HOLD1", phone="13600000002")
    url = f"{API}/members/{m.id}"
    assert client.patch(url, json={"department": "新部门"}, headers=auth(make.staff())).status_code == 403
    r = client.patch(url, json={"phone": "+86 136-0000-0009", "department": "新部门", "grid": "二网格",
                                "tags": ["青年", "党员"], "roles": ["liaison"]}, headers=auth(boss))
    assert r.status_code == 200, r.json
    assert r.json["phone"] == "13600000009" and r.json["department"] == "新部门" and r.json["grid"] == "二网格"
    assert r.json["tags"] == ["党员", "青年"] and r.json["roles"] == ["liaison", "member"]
    bad = client.patch(url, json={"phone": "12345"}, headers=auth(boss))
    assert bad.status_code == 400 and "phone" in bad.json["error"]["details"]["fields"]
    taken = client.patch(url, json={"phone": "13600000002"}, headers=auth(boss))
    assert taken.status_code == 409 and taken.json["error"]["code"] == "phone_taken"
    assert client.patch(url, json={"roles": ["king"]}, headers=auth(boss)).status_code == 400
    cleared = client.patch(url, json={"department": None, "phone": ""}, headers=auth(boss))
    assert cleared.json["department"] is None and cleared.json["phone"] is None


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["工号", "姓名", "手机号", "部门", "网格", "角色", "标签"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_roster_upload_imports_good_rows_and_reports_bad_ones(client, make, auth, db):
    boss = admin(make)
    csv_text = ("employee_no,name,phone,department,grid,roles,tags\n"
                "U001,赵六,13500000001,工会办,,,\nU002,钱七,123,工会办,,,\nU003,,13500000003,,,,\n")
    r = client.post(f"{API}/members/import", data={"file": (io.BytesIO(csv_text.encode()), "名册.csv")},
                    content_type="multipart/form-data", headers=auth(boss))
    assert r.status_code == 200, r.json
    assert (r.json["rows"], r.json["created"]) == (3, 1)
    assert [(x["line"], x["employee_no"]) for x in r.json["rejected"]] == [(3, "U002"), (4, "U003")]
    assert "手机号格式不正确" in r.json["rejected"][0]["reason"]
    x = client.post(f"{API}/members/import", data={"file": (io.BytesIO(_xlsx([["U001", "赵六", "13500000001",
                                                                             "财务部", "", "", ""]])), "a.xlsx")},
                    content_type="multipart/form-data", headers=auth(boss))
    assert (x.json["updated"], x.json["created"]) == (1, 0)
    assert db.session.scalar(select(func.count()).select_from(Member).where(Member.employee_no == "U001")) == 1


def test_roster_upload_refuses_what_is_no_roster(client, make, auth):
    h = auth(admin(make))
    for data, why in [({}, "请选择"), ({"file": (io.BytesIO(b"x"), "a.pdf")}, "不受支持"),
                      ({"file": (io.BytesIO(b"a,b\n1,2\n"), "a.csv")}, "表头缺少列"),
                      ({"file": (io.BytesIO(b"not a zip"), "a.xlsx")}, "无法读取")]:
        r = client.post(f"{API}/members/import", data=data, content_type="multipart/form-data", headers=h)
        assert r.status_code == 400, r.json
        assert why in r.json["error"]["details"]["fields"]["file"]
    staff = client.post(f"{API}/members/import", data={}, content_type="multipart/form-data",
                        headers=auth(make.staff()))
    assert staff.status_code == 403


def _roster_csv(rows: int, note: int = 0) -> bytes:
    """A roster of ``rows`` members; ``note`` pads each row with a remark column as HR exports carry
    (columns the import does not know are skipped)."""
    lines = ["employee_no,name,phone,department,grid,roles,tags,备注"]
    lines += [f"B{i:06d},会员{i},137{i:08d},生产一部,,,,{'备' * note}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_roster_over_a_mebibyte_imports_while_other_routes_keep_the_limit(app, client, make, auth, db):
    """POST /members/import has its own body limit (MEMBER_IMPORT_MAX_BYTES, 50 MiB): a real roster is far
    more than the 1 MiB (about 15,000 rows) every other route keeps."""
    boss = admin(make)
    body = _roster_csv(2500, note=150)
    assert len(body) > app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    r = client.post(f"{API}/members/import", data={"file": (io.BytesIO(body), "全区名册.csv")},
                    content_type="multipart/form-data", headers=auth(boss))
    assert r.status_code == 200, r.json
    assert (r.json["rows"], r.json["created"], r.json["rejected"]) == (2500, 2500, [])
    assert db.session.scalar(select(func.count()).select_from(Member).where(Member.employee_no.like("B%"))) == 2500
    # Every other route still stops at 1 MiB, and so does this one for a body it does not read (JSON).
    big = b'{"title": "x"}' + b" " * app.config["MAX_CONTENT_LENGTH"]
    for path in (f"{API}/notices", f"{API}/members/import"):
        r = client.post(path, data=big, content_type="application/json", headers=auth(boss))
        assert (r.status_code, r.json["error"]["code"]) == (413, "payload_too_large"), path
    r = client.post(f"{API}/notices", data={"file": (io.BytesIO(body), "a.csv")},
                    content_type="multipart/form-data", headers=auth(boss))
    assert (r.status_code, r.json["error"]["code"]) == (413, "payload_too_large")


def test_a_roster_over_the_import_limit_is_413_and_imports_nothing(app, client, make, auth, db, monkeypatch):
    monkeypatch.setitem(app.config, "MEMBER_IMPORT_MAX_BYTES", 64 * 1024)  # not 50 MiB in a test
    boss = admin(make)
    before = db.session.scalar(select(func.count()).select_from(Member))
    body = _roster_csv(1500)
    assert len(body) > 64 * 1024
    r = client.post(f"{API}/members/import", data={"file": (io.BytesIO(body), "名册.csv")},
                    content_type="multipart/form-data", headers=auth(boss))
    assert r.status_code == 413 and r.mimetype == "application/json"
    assert set(r.json) == {"error"} and r.json["error"]["code"] == "payload_too_large" and r.json["error"]["message"]
    # Sent chunked (no Content-Length), as gunicorn hands such a request on: the same answer, not a cut file.
    form = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n" + body + b"\r\n--B--\r\n")
    r = client.post(f"{API}/members/import", input_stream=io.BytesIO(form),
                    content_type="multipart/form-data; boundary=B",
                    headers={**auth(boss), "Transfer-Encoding": "chunked"},
                    environ_overrides={"wsgi.input_terminated": True})
    assert (r.status_code, r.json["error"]["code"]) == (413, "payload_too_large")
    assert db.session.scalar(select(func.count()).select_from(Member)) == before
    # Just under the limit it imports.
    small = _roster_csv(1300)
    assert len(small) < 64 * 1024 - 300  # the form's own lines fit too
    r = client.post(f"{API}/members/import", data={"file": (io.BytesIO(small), "名册.csv")},
                    content_type="multipart/form-data", headers=auth(boss))
    assert (r.status_code, r.json["created"]) == (200, 1300)


def test_password_reset_gives_a_working_password_once_and_ends_sessions(client, make, auth, db):
    boss = admin(make)
    m = make.staff(employee_no="PW01")
    old = auth(m)
    assert client.get(f"{API}/me", headers=old).status_code == 200
    r = client.post(f"{API}/members/{m.id}/password", headers=auth(boss))
    assert r.status_code == 200 and len(r.json["password"]) >= 8
    db.session.refresh(m)
    assert check_password_hash(m.password_hash, r.json["password"])
    assert client.get(f"{API}/me", headers=old).status_code == 401
    login = client.post(f"{API}/auth/password-login", json={"employee_no": "PW01", "password": r.json["password"]})
    assert login.status_code == 200


def test_the_member_routes_are_in_the_openapi_document(client):
    doc = client.get(f"{API}/openapi.json").json
    ops = {(p, m) for p, item in doc["paths"].items() for m in item}
    one = "/api/v1/members/{member_id}"
    assert {("/api/v1/members", "get"), (one, "get"), (one, "patch"), ("/api/v1/members/import", "post"),
            (one + "/password", "post"), ("/api/v1/admin/phone-access", "get")} <= ops
    upload = doc["paths"]["/api/v1/members/import"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
