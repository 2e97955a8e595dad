"""The demo's benefits load once, through the services, and read as documented."""
from __future__ import annotations

from sqlalchemy import func, select

from server.benefits.models import Benefit, BenefitClaim, BenefitOption
from server.members.auth import issue_token
from server.members.models import Member

API = "/api/v1"


def _headers(app, member):
    with app.test_request_context():
        return {"Authorization": f"Bearer {issue_token(member.id)[0]}"}


def test_demo_benefits(app, committing_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    s = committing_db.session
    models = (Benefit, BenefitOption, BenefitClaim)
    counts = {m: s.scalar(select(func.count()).select_from(m)) for m in models}
    assert counts[Benefit] == 3
    client = app.test_client()
    staff = _headers(app, s.scalar(select(Member).where(Member.employee_no == "D0001")))
    page = client.get(f"{API}/benefits?scope=all", headers=staff).get_json()
    phases = {b["title"]: b["phase"] for b in page["items"]}
    assert phases == {"冬季年货节": "open", "中秋福利": "ended", "异地职工家乡礼包": "open"}
    autumn = next(b for b in page["items"] if b["title"] == "中秋福利")
    stats = client.get(f"{API}/benefits/{autumn['id']}/stats", headers=staff).get_json()
    assert (stats["claimed"], stats["redeemed"]) == (7, 5)
    delegated = client.get(f"{API}/benefits/{autumn['id']}/claims?status=redeemed", headers=staff).get_json()
    assert sorted(i["redeemed_via"] for i in delegated["items"]) == ["delegate", "delegate", "staff", "staff", "staff"]
    winter = next(b for b in page["items"] if b["title"] == "冬季年货节")
    assert winter["my_claim"] is not None and winter["allow_workshop_delivery"]  # D0001 claimed
    # The care pack is for the 异地职工 tag only: D0011 sees it, D0013 does not.
    d11 = client.get(f"{API}/benefits", headers=_headers(app, s.scalar(select(Member).where(
        Member.employee_no == "D0011")))).get_json()
    d13 = client.get(f"{API}/benefits", headers=_headers(app, s.scalar(select(Member).where(
        Member.employee_no == "D0013")))).get_json()
    assert "异地职工家乡礼包" in {b["title"] for b in d11["items"]}
    assert "异地职工家乡礼包" not in {b["title"] for b in d13["items"]}
    s.close()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert {m: s.scalar(select(func.count()).select_from(m)) for m in models} == counts
    s.close()
