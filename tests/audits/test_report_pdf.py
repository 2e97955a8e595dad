"""The audit's A4 report: a real PDF with the CJK font embedded, the checklist's figures and answers and the
findings in its text."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime

import time_machine

from server.core.timeutil import SHANGHAI

API = "/api/v1"


def test_audit_pdf(client, make, auth, tmp_path):
    staff, head = make.staff(), make.member(name="人事科长赵九")
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)):
        h = auth(staff)
        audit = client.post(f"{API}/audits", headers=h, json={"kind": "procedure_annual", "period": "2025"}).get_json()
        item = next(i for i in audit["items"] if i["key"] == "awards_public")
        client.patch(f"{API}/audits/{audit['id']}/items/{item['id']}", headers=h,
                     json={"result": "fail", "note": "先进名单未公示"})
        r = client.post(f"{API}/audits/{audit['id']}/findings", headers=h,
                        json={"item_id": item["id"], "title": "建立评优公示台账", "owner_id": head.id,
                              "due_date": "2026-04-30"})
        assert r.status_code == 201
        r = client.get(f"{API}/audits/{audit['id']}/report.pdf", headers=h)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = r.data
    assert pdf.startswith(b"%PDF-")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box and abs(float(box.group(1)) - 595.27) < 1 and abs(float(box.group(2)) - 841.89) < 1
    assert b"/FontFile2" in pdf
    if shutil.which("pdftotext"):
        f = tmp_path / "audit.pdf"
        f.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(f), "-"], capture_output=True, text=True,
                              check=True).stdout
        for part in ("程序年度审计 2025", "年度内召开职工代表大会", "召开 0 次", "不符合", "先进名单未公示", "未判定",
                     "建立评优公示台账", "人事科长赵九", "2026-04-30", "整改中"):
            assert part in text, part
