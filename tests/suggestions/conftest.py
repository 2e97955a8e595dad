from __future__ import annotations

import pytest

from server.members.auth import issue_token
from server.members.models import WechatUser


@pytest.fixture
def submitter(db, make, app):
    """A bound member with an openid; returns (member, openid, token headers)."""
    member = make.member(id=7734121, employee_no="EMP-SUGG-4471", phone="13912345678")
    user = WechatUser(openid="o-sugg-openid-5512", member_id=member.id)
    db.session.add(user)
    db.session.flush()
    with app.test_request_context():
        token = issue_token(member.id, user.id)[0]
    return member, user.openid, token


@pytest.fixture
def submit(client, auth, make):
    """submit(headers=None, **body) -> response; a fresh member each call unless headers are given."""

    def go(headers=None, **body):
        body = {"category": "canteen_facilities", "content": "食堂晚班没有热饭", **body}
        return client.post("/api/v1/suggestions", json=body, headers=headers or auth(make.member()))

    return go


@pytest.fixture
def file_now(db):
    """file_now() -> how many held writes were filed, as the scheduler's batch would, without waiting."""
    from server.suggestions import services

    def go() -> int:
        filed = services.file_held(force=True)
        db.session.commit()
        return filed

    return go
