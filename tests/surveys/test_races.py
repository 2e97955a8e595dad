"""One member, sixteen requests at once (two devices, a double tap): exactly one participation and one
response; the others 409 already_answered. Real commits from threads (SQLite file and PostgreSQL)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.members.auth import issue_token
from server.surveys import services
from server.surveys.jobs import file_held_responses
from server.surveys.models import SurveyHeldResponse, SurveyParticipation, SurveyResponse
from tests.factories import Factory

API = "/api/v1"
THREADS = 16


@pytest.mark.parametrize("anonymous", [False, True])
def test_sixteen_requests_one_response(app, committing_db, anonymous):
    make = Factory(committing_db)
    staff, member = make.staff(), make.member()
    now = utcnow()
    survey = services.create_survey(staff.id, {
        "title": "并发测试", "anonymous": anonymous, "audience": {}, "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1), "questions": [
            {"kind": "single", "text": "岗位", "options": ["生产岗", "技术岗"], "option_tags": {"0": "生产岗"}}]})
    services.publish(survey.id)
    committing_db.session.commit()
    sid, mid = survey.id, member.id
    committing_db.session.remove()
    with app.test_request_context():
        token = issue_token(mid)[0]
    barrier = threading.Barrier(THREADS)

    def one(_):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}/surveys/{sid}/responses", json={"answers": [{"question": 0, "choice": 0}]},
                        headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(one, range(THREADS)))
    codes = sorted(code for code, _ in answers)
    assert codes == [201] + [409] * (THREADS - 1), answers
    assert {b["error"]["code"] for code, b in answers if code == 409} == {"already_answered"}
    s = committing_db.session
    assert s.scalar(select(func.count()).select_from(SurveyParticipation)) == 1
    if anonymous:
        assert s.scalar(select(func.count()).select_from(SurveyHeldResponse)) == 1
        s.remove()
        assert file_held_responses(force=True) == 1
    assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 1
