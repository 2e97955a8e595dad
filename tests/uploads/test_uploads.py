"""POST /uploads and GET /uploads/{id}: checked by content, re-encoded without metadata, served only to those
who may see it; over real HTTP-level parsing (the test client) and real files under the storage root."""
from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from server.uploads import attach
from server.uploads.images import MAX_IMAGE_BYTES
from server.uploads.models import Upload
from tests.statements import statements_of

from . import pictures
from .pictures import BLUE, RED

API = "/api/v1"


def _post(client, headers, data: bytes, filename: str = "photo.jpg", content_type: str = "image/jpeg", **form):
    body = {"file": (io.BytesIO(data), filename, content_type), **form}
    return client.post(f"{API}/uploads", data=body, content_type="multipart/form-data", headers=headers)


def _near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def _stored(db, storage_root, upload_id):
    row = db.session.get(Upload, upload_id)
    return row, (storage_root / row.storage_key).read_bytes()


@pytest.fixture
def member(make, auth):
    m = make.member()
    return m, auth(m)


def test_a_phone_jpeg_loses_its_gps_and_every_other_metadata_and_is_turned_upright(client, db, member, storage_root):
    owner, headers = member
    raw = pictures.phone_jpeg(orientation=6)  # 40x20 as stored, to be shown rotated 90° clockwise
    sent = Image.open(io.BytesIO(raw))  # the test's own premise: all of it is there to begin with
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo) and {"xmp", "icc_profile", "comment"} <= sent.info.keys()
    r = _post(client, headers, raw)
    assert r.status_code == 201, r.get_json()
    assert set(r.json) == {"id"} and len(r.json["id"]) == 22

    row, data = _stored(db, storage_root, r.json["id"])
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG" and row.content_type == "image/jpeg"
    assert len(stored.getexif()) == 0
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"} & stored.info.keys()
    for secret in (b"Exif", b"PhoneMaker", b"SN-123456", b"taken at home", b"GPSLatitude", b"xmpmeta"):
        assert secret not in data
    # Upright: the blue quarter that was on the left is now on top.
    assert (row.width, row.height) == stored.size == (20, 40)
    assert _near(stored.getpixel((10, 3)), BLUE) and _near(stored.getpixel((10, 36)), RED)
    assert row.size == len(data) and row.owner_id == owner.id and row.attached_kind is None


def test_a_png_stays_png_with_its_transparency_and_without_metadata(client, db, member, storage_root):
    _, headers = member
    r = _post(client, headers, pictures.png("RGBA"), "screen.png", "image/png")
    assert r.status_code == 201, r.get_json()
    row, data = _stored(db, storage_root, r.json["id"])
    stored = Image.open(io.BytesIO(data))
    assert (stored.format, stored.mode, stored.size, row.content_type) == ("PNG", "RGBA", (40, 20), "image/png")
    assert len(stored.getexif()) == 0 and b"eXIf" not in data
    assert _near(stored.getpixel((2, 2)), BLUE) and _near(stored.getpixel((30, 2)), RED)


def test_a_palette_png_with_a_transparent_colour_keeps_it_as_alpha(client, db, member, storage_root):
    _, headers = member
    im = pictures.two_tone().convert("P")
    out = io.BytesIO()
    im.save(out, "PNG", transparency=im.getpixel((0, 0)))
    r = _post(client, headers, out.getvalue(), "p.png", "image/png")
    assert r.status_code == 201, r.get_json()
    stored = Image.open(io.BytesIO(_stored(db, storage_root, r.json["id"])[1]))
    assert stored.mode == "RGBA" and stored.getpixel((2, 2))[3] == 0 and stored.getpixel((30, 2))[3] == 255


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_a_webp_becomes_a_jpeg_without_metadata(client, db, member, storage_root, mode):
    _, headers = member
    r = _post(client, headers, pictures.webp(mode), "photo.webp", "image/webp")
    assert r.status_code == 201, r.get_json()
    row, data = _stored(db, storage_root, r.json["id"])
    stored = Image.open(io.BytesIO(data))
    assert (stored.format, row.content_type, stored.size) == ("JPEG", "image/jpeg", (40, 20))
    assert len(stored.getexif()) == 0
    assert _near(stored.getpixel((2, 2)), BLUE) and _near(stored.getpixel((30, 2)), RED)


def test_the_type_is_read_from_the_content_not_the_name_or_the_label(client, db, member, storage_root):
    _, headers = member
    r = _post(client, headers, pictures.png("RGB"), "photo.jpg", "image/jpeg")  # a PNG called a JPEG
    assert r.status_code == 201 and db.session.get(Upload, r.json["id"]).content_type == "image/png"


@pytest.mark.parametrize("data, why", [
    ("这不是图片，只是改了扩展名的文本文件。\n".encode() * 20, "text renamed .jpg"),
    (pictures.png_with_garbage(), "PNG header, garbage pixels"),
    (pictures.truncated_jpeg(), "truncated JPEG"),
    (b"GIF89a" + b"\x00" * 200, "GIF"),
    (b"", "empty file"),
])
def test_what_is_not_an_accepted_image_is_refused_and_nothing_is_stored(client, db, member, storage_root, data, why):
    _, headers = member
    r = _post(client, headers, data, "photo.jpg", "image/jpeg")
    assert r.status_code == 400, (why, r.status_code)
    assert r.json["error"]["code"] == "unsupported_image", why
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert not storage_root.exists() or not any(p.is_file() for p in storage_root.rglob("*"))


def test_a_decompression_bomb_is_refused_before_decoding(client, db, member, storage_root):
    _, headers = member
    bomb = pictures.png_bomb(20000)
    assert len(bomb) < 200_000  # 400 million pixels in a small file
    r = _post(client, headers, bomb, "bomb.png", "image/png")
    assert r.status_code == 400 and r.json["error"]["code"] == "image_too_large"
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0


def test_a_file_over_5_mb_is_413(client, db, member):
    _, headers = member
    big = pictures.png("RGB") + b"\x00" * (MAX_IMAGE_BYTES + 1)  # trailing bytes: still over the limit
    r = _post(client, headers, big, "big.png", "image/png")
    assert r.status_code == 413 and r.json["error"]["code"] == "payload_too_large"
    # A body beyond the route's own limit is refused before it is parsed at all.
    r = _post(client, headers, b"\x00" * (MAX_IMAGE_BYTES + 200 * 1024), "big.png", "image/png")
    assert r.status_code == 413 and r.json["error"]["code"] == "payload_too_large"


def test_a_photo_larger_than_the_app_wide_body_limit_is_taken(app, client, db, member, storage_root):
    """The route's own limit (5 MB) replaces MAX_CONTENT_LENGTH (1 MiB) for it alone."""
    import os

    _, headers = member
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert app.config["MAX_CONTENT_LENGTH"] < len(out.getvalue()) <= MAX_IMAGE_BYTES
    r = _post(client, headers, out.getvalue(), "noise.png", "image/png")
    assert r.status_code == 201, r.get_json()
    # Every other route keeps the app's limit.
    r = client.post(f"{API}/suggestions", data=b"{}" + b" " * app.config["MAX_CONTENT_LENGTH"],
                    content_type="application/json", headers=headers)
    assert r.status_code == 413


@pytest.mark.parametrize("form, field", [
    ({}, "file"),
    ({"caption": "x"}, "caption"),
])
def test_the_form_holds_one_file_named_file_and_nothing_else(client, member, form, field):
    _, headers = member
    if form:
        r = _post(client, headers, pictures.png("RGB"), **form)
    else:
        r = client.post(f"{API}/uploads", data={"other": (io.BytesIO(pictures.png("RGB")), "a.png")},
                        content_type="multipart/form-data", headers=headers)
        field = "other"
    assert r.status_code == 400 and field in r.json["error"]["details"]["fields"]
    r = client.post(f"{API}/uploads", data={"file": [(io.BytesIO(pictures.png("RGB")), "a.png"),
                                                     (io.BytesIO(pictures.png("RGB")), "b.png")]},
                    content_type="multipart/form-data", headers=headers)
    assert r.status_code == 400 and r.json["error"]["details"]["fields"] == {"file": "只能上传一张图片"}
    r = client.post(f"{API}/uploads", headers=headers)
    assert r.status_code == 400 and r.json["error"]["details"]["fields"] == {"file": "缺少必填字段"}
    r = client.post(f"{API}/uploads", data=b'{"file": "x"}', content_type="application/json", headers=headers)
    assert r.status_code == 415


def test_uploads_are_rate_limited_per_member(app, client, make, auth, member, monkeypatch):
    _, headers = member
    monkeypatch.setitem(app.config, "UPLOAD_LIMIT", "3/hour")
    small = pictures.png("RGB")
    assert [_post(client, headers, small).status_code for _ in range(3)] == [201, 201, 201]
    r = _post(client, headers, small)
    assert r.status_code == 429 and r.json["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) > 0
    assert _post(client, auth(make.member()), small).status_code == 201  # another member counts alone


def test_only_the_owner_gets_an_unattached_upload(client, db, make, auth, member):
    owner, headers = member
    created = _post(client, headers, pictures.phone_jpeg()).json["id"]
    r = client.get(f"{API}/uploads/{created}", headers=headers)
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert r.headers["Cache-Control"].startswith("private, max-age=")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(r.data)).size == (20, 40)

    other = auth(make.member())
    staff = auth(make.member(roles=("member", "staff", "admin")))
    for who in (other, staff):
        r = client.get(f"{API}/uploads/{created}", headers=who)
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
        # The same answer as for an id that does not exist.
        missing = client.get(f"{API}/uploads/{'A' * 22}", headers=who)
        assert (missing.status_code, missing.json) == (r.status_code, r.json)
    assert client.get(f"{API}/uploads/{created}").status_code == 401


def test_once_attached_the_domains_rule_decides(client, db, make, auth, member, monkeypatch):
    owner, headers = member
    created = _post(client, headers, pictures.png("RGB")).json["id"]
    reader, stranger = make.member(), make.member()
    monkeypatch.setitem(attach._readers, "test-kind", lambda m, attached_id: m.id == reader.id and attached_id == 7)
    attach.attach([created], owner_id=owner.id, kind="test-kind", attached_id=7, limit=6)
    db.session.flush()
    assert client.get(f"{API}/uploads/{created}", headers=auth(reader)).status_code == 200
    assert client.get(f"{API}/uploads/{created}", headers=auth(stranger)).status_code == 404
    assert client.get(f"{API}/uploads/{created}", headers=headers).status_code == 404  # the request's rule now
    monkeypatch.delitem(attach._readers, "test-kind")
    assert client.get(f"{API}/uploads/{created}", headers=auth(reader)).status_code == 404  # no rule: nobody


@pytest.mark.parametrize("bad", ["x", "A" * 21, "A" * 23, "..%2F..%2Fsecret_key", "AAAAAAAAAAAAAAAAAAAA%00A",
                                 "../../instance"])
def test_a_malformed_id_is_404_without_a_query(client, db, member, bad):
    _, headers = member
    with statements_of(db.engine) as seen:
        r = client.get(f"{API}/uploads/{bad}", headers=headers)
    assert r.status_code in (404, 400), bad
    if r.status_code == 404:
        assert r.json["error"]["code"] == "not_found"
        assert not [s for s in seen if "uploads" in s], seen


def test_a_row_whose_file_is_gone_is_404_not_500(client, db, member, storage_root):
    _, headers = member
    created = _post(client, headers, pictures.png("RGB")).json["id"]
    (storage_root / db.session.get(Upload, created).storage_key).unlink()
    r = client.get(f"{API}/uploads/{created}", headers=headers)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_storage_keys_come_from_the_server_and_files_are_sharded(client, db, member, storage_root):
    _, headers = member
    created = _post(client, headers, pictures.png("RGB"), filename="../../etc/passwd.png").json["id"]
    key = db.session.get(Upload, created).storage_key
    first, second, name = key.split("/")
    assert len(first) == len(second) == 2 and name.startswith(first + second) and name.endswith(".png")
    assert created not in key and "passwd" not in key
    assert [p.relative_to(storage_root).as_posix() for p in storage_root.rglob("*") if p.is_file()] == [key]


@pytest.mark.parametrize("padding, status", [(2 * 1024 * 1024, 201), (MAX_IMAGE_BYTES + 100 * 1024, 413)])
def test_a_chunked_upload_is_held_to_the_routes_limit_too(client, member, padding, status):
    """Without Content-Length the route's limit still holds (the stream stops at it and says so)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    _, headers = member
    photo = FileStorage(io.BytesIO(pictures.png("RGB") + b"\x00" * padding), "a.png", content_type="image/png")
    boundary, body = encode_multipart({"file": photo})
    r = client.post(f"{API}/uploads", input_stream=io.BytesIO(body),
                    content_type=f"multipart/form-data; boundary={boundary}",
                    headers={**headers, "Transfer-Encoding": "chunked"},
                    environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == status, r.get_json()
