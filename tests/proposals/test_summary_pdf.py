"""The session's A4 summary: a real PDF with the CJK font embedded, its table's text, and the font's 503."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from .conftest import API


def _text(pdf: bytes, tmp_path) -> str:
    f = tmp_path / "summary.pdf"
    f.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(f), "-"], capture_output=True, text=True, check=True).stdout


def test_summary_pdf(client, people, staff, submitted, tmp_path):
    p = submitted()
    secret = submitted(sid=p["session_id"], title="保密提案标题", confidential=True)
    sh = staff[1]
    client.post(f"{API}/proposals/{p['id']}/review", json={"decision": "accept"}, headers=sh)
    client.post(f"{API}/proposals/{p['id']}/assign", json={"lead_department": "后勤保障部", "due_date": "2099-12-31"},
                headers=sh)
    r = client.get(f"{API}/congress-sessions/{p['session_id']}/summary.pdf", headers=sh)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = r.data
    assert pdf.startswith(b"%PDF-")
    # A4 portrait: 595.27 × 841.89 points.
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box and abs(float(box.group(1)) - 595.27) < 1 and abs(float(box.group(2)) - 841.89) < 1
    assert b"/FontFile2" in pdf  # a TrueType font embedded
    if shutil.which("pdftotext"):
        text = _text(pdf, tmp_path)
        for part in ("第五届职代会第三次会议", "提案汇总", "食堂增加夜班供餐", "提案人张三", "后勤保障部", "已交办",
                     "2099-12-31", "保密提案标题", "保密", f"{secret['id']:04d}"):
            assert part in text, part
        secret_row = next(line for line in text.splitlines() if "保密提案标题" in line)
        assert "张三" not in secret_row
    assert client.get(f"{API}/congress-sessions/{p['session_id']}/summary.pdf",
                      headers=people["proposer"][1]).status_code == 403


@pytest.fixture
def no_font(app):
    before = app.config.get("FONT_PATH")
    app.config["FONT_PATH"] = "/nonexistent/font.ttc"
    yield
    app.config["FONT_PATH"] = before


def test_without_a_chinese_font_503_poster_font_missing(client, staff, session_id, no_font):
    r = client.get(f"{API}/congress-sessions/{session_id()}/summary.pdf", headers=staff[1])
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "poster_font_missing"
