"""Revoking tokens: a per-member token version, bumped on a password change, a role change and
deactivation, and checked on every authenticated request (on the hot routes inside their own statement)."""
from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from server.members.auth import issue_token, revoke_tokens
from server.members.models import Member
from server.members.roster import RosterRow, import_rows
from tests.factories import Factory

REVOKED = "登录已失效，请重新登录"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def token_for(app, member):
    with app.test_request_context():
        return issue_token(member.id, version=member.token_version)[0]


def assert_revoked(res):
    assert res.status_code == 401, res.get_json()
    assert res.get_json()["error"] == {"code": "unauthenticated", "message": REVOKED, "details": {}}


def test_revoke_tokens_ends_the_given_members_sessions_only(app, client, make, db):
    a, b, c = make.member(), make.member(), make.member()
    tokens = {m.id: token_for(app, m) for m in (a, b, c)}

    revoke_tokens([a.id, b.id])

    assert_revoked(client.get("/api/v1/me", headers=bearer(tokens[a.id])))
    assert_revoked(client.get("/api/v1/me", headers=bearer(tokens[b.id])))
    assert client.get("/api/v1/me", headers=bearer(tokens[c.id])).status_code == 200
    db.session.refresh(a)
    assert client.get("/api/v1/me", headers=bearer(token_for(app, a))).status_code == 200


def test_tokens_from_before_versions_keep_working_until_revoked(app, client, make):
    """Tokens issued before the upgrade carry no version; nobody is signed out by the upgrade itself."""
    member = make.member()
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="auth-token").dumps({"m": member.id})

    assert client.get("/api/v1/me", headers=bearer(old)).status_code == 200
    revoke_tokens([member.id])
    assert_revoked(client.get("/api/v1/me", headers=bearer(old)))


def test_signing_in_again_after_a_revocation_works(app, client, make):
    staff = make.staff(password_hash=generate_password_hash("工会2026-secret"))
    old = token_for(app, staff)
    revoke_tokens([staff.id])

    res = client.post("/api/v1/auth/password-login",
                      json={"employee_no": staff.employee_no, "password": "工会2026-secret"})

    assert res.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(res.get_json()["token"])).status_code == 200
    assert_revoked(client.get("/api/v1/me", headers=bearer(old)))


# --- what revokes -----------------------------------------------------------------------------------

@pytest.fixture
def runner(app, committing_db):
    return app.test_cli_runner()


@pytest.mark.parametrize("args", [
    ["set-password", "{no}", "--password", "a-new-password-1"],
    ["grant", "{no}", "admin"],
    ["revoke", "{no}", "staff"],
    ["sign-out", "{no}"],
])
def test_password_and_role_changes_on_the_command_line_sign_the_member_out(app, runner, committing_db, args):
    make = Factory(committing_db)
    staff, bystander = make.staff(), make.staff()
    committing_db.session.commit()
    token, other = token_for(app, staff), token_for(app, bystander)
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200

    result = runner.invoke(args=["members", *(a.format(no=staff.employee_no) for a in args)])

    assert result.exit_code == 0, result.output
    assert_revoked(client.get("/api/v1/me", headers=bearer(token)))
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_a_command_that_changes_nothing_keeps_the_session(app, runner, committing_db):
    make = Factory(committing_db)
    staff = make.staff()
    committing_db.session.commit()
    token = token_for(app, staff)

    assert runner.invoke(args=["members", "grant", staff.employee_no, "staff"]).exit_code == 0

    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200


def _row(member, roles=""):
    return RosterRow(line=2, employee_no=member.employee_no, name=member.name, phone=member.phone, roles=roles)


def test_a_roster_import_that_changes_roles_signs_those_members_out(app, client, make):
    promoted, unchanged = make.member(), make.staff()
    tokens = {m.id: token_for(app, m) for m in (promoted, unchanged)}

    import_rows([_row(promoted, "staff"), _row(unchanged)])

    assert_revoked(client.get("/api/v1/me", headers=bearer(tokens[promoted.id])))
    assert client.get("/api/v1/me", headers=bearer(tokens[unchanged.id])).status_code == 200


def test_deactivation_revokes_for_good_even_when_the_member_returns(app, client, make, db):
    leaver, stayer = make.member(), make.member()
    tokens = {m.id: token_for(app, m) for m in (leaver, stayer)}

    report = import_rows([_row(stayer)], deactivate_missing=True)
    assert report.deactivated == 1
    assert client.get("/api/v1/me", headers=bearer(tokens[leaver.id])).status_code == 401
    import_rows([_row(stayer), _row(leaver)])  # back on the roster

    assert_revoked(client.get("/api/v1/me", headers=bearer(tokens[leaver.id])))
    assert client.get("/api/v1/me", headers=bearer(tokens[stayer.id])).status_code == 200


# --- the hot routes check the version in their own statement ---------------------------------------

@pytest.mark.parametrize("kind", ["sign-up", "check-in", "booking"])
def test_hot_routes_refuse_a_revoked_token_and_write_nothing(app, committing_db, kind):
    """Sign-up, check-in and booking read the member's version in the statement they already run; with
    real commits (PostgreSQL's check-in writes in that very statement), an old token gets 401 and no
    row, and the member's new token gets in."""
    from tests.members.test_auth import _hot_route

    s = committing_db.session
    make = Factory(committing_db)
    member = make.member()
    with app.test_request_context():
        path, body, model, where = _hot_route(kind, make, member.id)
    old = token_for(app, member)
    revoke_tokens([member.id])
    s.commit()
    member_id = member.id
    s.remove()
    client = app.test_client()

    res = client.post(path, json=body, headers=bearer(old))

    assert_revoked(res)
    assert s.scalar(select(func.count()).select_from(model).filter_by(**where, member_id=member_id)) == 0
    assert client.post(path, json=body, headers=bearer(token_for(app, s.get(Member, member_id)))).status_code == 201
