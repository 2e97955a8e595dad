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


def test_the_scheduler_job_files_batches_of_five(app, committing_db):
    from datetime import timedelta as td

    from server import scheduler

    assert scheduler.build_scheduler(app).get_job("surveys").trigger.interval == td(seconds=60)
    make = Factory(committing_db)
    staff, members = make.staff(), [make.member() for _ in range(5)]
    now = utcnow()
    survey = services.create_survey(staff.id, {
        "title": "批次测试", "anonymous": True, "audience": {}, "opens_at": now - td(hours=1),
        "closes_at": now + td(days=3), "questions": [{"kind": "scale", "text": "满意度"}]})
    services.publish(survey.id)
    committing_db.session.commit()
    sid, ids = survey.id, [m.id for m in members]
    committing_db.session.remove()
    with app.test_request_context():
        tokens = [issue_token(i)[0] for i in ids]
    client = app.test_client()

    def count(model):
        with committing_db.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(model)).scalar()

    for n, token in enumerate(tokens, start=1):
        assert client.post(f"{API}/surveys/{sid}/responses", json={"answers": [{"question": 0, "value": 3}]},
                           headers={"Authorization": f"Bearer {token}"}).status_code == 201
        scheduler.run_surveys()  # the job's body, as the scheduler process calls it
        # Four wait (none due yet); the fifth makes a batch and all five are filed together.
        assert (count(SurveyResponse), count(SurveyHeldResponse)) == ((0, n) if n < 5 else (5, 0))
