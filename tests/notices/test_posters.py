"""Posters of notices and events: real PNG and PDF files whose QR codes open the public pages."""
from __future__ import annotations

import io

from PIL import Image

from server.notices import services

API = "/api/v1"


def decode_qr(png: bytes) -> str:
    import zxingcpp

    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return code.text


def sent_notice(db, make, channels=("poster",)):
    m = make.member()
    n = services.create_notice(None, title="关于开展冬季送温暖活动的通知",
                               body="各位会员：\n工会将于12月走访慰问困难职工。",
                               channels=list(channels), audience={"member_ids": [m.id]})
    services.send_notice(n.id)
    db.session.flush()
    return n


def test_notice_poster_png_and_pdf(app, client, db, make, auth):
    n = sent_notice(db, make)
    h = auth(make.staff())
    r = client.get(f"{API}/notices/{n.id}/poster?format=png", headers=h)
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert Image.open(io.BytesIO(r.data)).size == (1240, 1754)  # A4 at 150 dpi
    url = decode_qr(r.data)
    assert url == f"{app.config['PUBLIC_BASE_URL']}/n/{n.id}"
    page = client.get(url.removeprefix(app.config["PUBLIC_BASE_URL"]))
    assert page.status_code == 200 and "关于开展冬季送温暖活动的通知" in page.text and "困难职工" in page.text
    r = client.get(f"{API}/notices/{n.id}/poster?format=pdf", headers=h)
    assert r.status_code == 200 and r.data.startswith(b"%PDF") and b"FontFile2" in r.data  # the font is embedded
    assert client.get(f"{API}/notices/{n.id}/poster?format=gif", headers=h).status_code == 400


def test_public_page_only_for_posted_notices(client, db, make):
    n = sent_notice(db, make, channels=("sms",))
    assert client.get(f"/n/{n.id}").status_code == 404
    assert client.get("/n/999999").status_code == 404


def test_event_poster_opens_the_event_page(app, client, make, auth):
    ev = make.event(title="职工篮球赛", capacity=30)
    r = client.get(f"{API}/events/{ev.id}/poster", headers=auth(make.staff()))
    assert r.status_code == 200
    url = decode_qr(r.data)
    assert url.endswith(f"/e/{ev.id}")
    page = client.get(f"/e/{ev.id}")
    assert "职工篮球赛" in page.text and "工会活动室" in page.text


def test_missing_font_is_a_clear_503(app, client, db, make, auth):
    n = sent_notice(db, make)
    app.config["FONT_PATH"] = "/nonexistent/font.ttc"
    try:
        r = client.get(f"{API}/notices/{n.id}/poster", headers=auth(make.staff()))
    finally:
        app.config["FONT_PATH"] = None
    assert r.status_code == 503 and r.json["error"]["code"] == "poster_font_missing"
    assert "fonts-wqy-microhei" in r.json["error"]["message"]


def test_members_cannot_print_posters(client, db, make, auth):
    n = sent_notice(db, make)
    assert client.get(f"{API}/notices/{n.id}/poster", headers=auth(make.member())).status_code == 403
