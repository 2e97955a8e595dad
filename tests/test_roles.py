"""Every route × every role gets the status the contract says (API.md "Roles")."""
from __future__ import annotations

import re

import pytest

from server.members.auth import issue_token
from server.members.models import WechatUser

# Who may call each route: public, wechat (a signed-in WeChat user, bound or not), member (any roster
# member), handler (a liaison, or staff), staff (staff, secretary or admin), treasurer (a treasurer, or admin),
# staff_treasurer (staff, secretary, admin or a treasurer), secretary (the chair, or admin), admin.
# A new route must be added here.
ROUTES = {
    ("GET", "/healthz"): "public",
    ("GET", "/healthz/details"): "public",  # by address or METRICS_TOKEN, not by role (the client is 127.0.0.1)
    ("GET", "/metrics"): "public",
    ("GET", "/api/v1/openapi.json"): "public",
    ("GET", "/api/v1/ping"): "public",
    ("GET", "/api/v1/meta/labels"): "public",
    ("POST", "/api/v1/auth/login"): "public",
    ("POST", "/api/v1/auth/dev-login"): "public",
    ("POST", "/api/v1/auth/password-login"): "public",
    ("POST", "/api/v1/auth/bind"): "wechat",
    ("GET", "/api/v1/me"): "member",
    ("GET", "/api/v1/me/registrations"): "member",
    ("GET", "/api/v1/events"): "member",
    ("POST", "/api/v1/events"): "staff",
    ("GET", "/api/v1/events/{id}"): "member",
    ("PATCH", "/api/v1/events/{id}"): "staff",
    ("POST", "/api/v1/events/{id}/cancel"): "staff",
    ("POST", "/api/v1/events/{id}/registrations"): "member",
    ("DELETE", "/api/v1/events/{id}/registrations/me"): "member",
    ("GET", "/api/v1/events/{id}/registrations"): "staff",
    ("GET", "/api/v1/events/{id}/checkin-code"): "staff",
    ("POST", "/api/v1/checkins"): "member",
    ("GET", "/api/v1/events/{id}/ticket"): "member",
    ("GET", "/api/v1/events/{id}/checkin-key"): "staff",
    ("POST", "/api/v1/events/{id}/checkins"): "staff",
    ("POST", "/api/v1/events/{id}/checkins/batch"): "staff",
    ("GET", "/api/v1/events/{id}/checkins/stats"): "staff",
    ("GET", "/api/v1/events/{id}/poster"): "staff",
    ("POST", "/api/v1/notices"): "staff",
    ("GET", "/api/v1/notices"): "staff",
    ("GET", "/api/v1/notices/{id}"): "staff",
    ("POST", "/api/v1/notices/{id}/send"): "staff",
    ("GET", "/api/v1/notices/{id}/deliveries"): "staff",
    ("GET", "/api/v1/notices/{id}/poster"): "staff",
    ("GET", "/api/v1/me/notices"): "member",
    ("GET", "/api/v1/me/notices/{id}"): "member",
    ("POST", "/api/v1/notices/{id}/read"): "member",
    ("POST", "/api/v1/me/subscriptions"): "member",
    ("GET", "/api/v1/admin/jobs"): "staff",
    ("GET", "/api/v1/dashboard"): "staff",
    ("POST", "/api/v1/calendars"): "staff",
    ("GET", "/api/v1/calendars"): "member",
    ("GET", "/api/v1/calendars/{id}"): "member",
    ("POST", "/api/v1/calendars/{id}/slots"): "staff",
    ("GET", "/api/v1/calendars/{id}/slots"): "member",
    ("GET", "/api/v1/calendars/{id}/bookings"): "staff",
    ("GET", "/api/v1/calendars/{id}/announcement"): "staff",
    ("POST", "/api/v1/calendars/{id}/announcement"): "staff",
    ("GET", "/api/v1/calendars/{id}/days"): "staff",
    ("PATCH", "/api/v1/slots/{id}"): "staff",
    ("POST", "/api/v1/slots/{id}/cancel"): "staff",
    ("POST", "/api/v1/slots/{id}/bookings"): "member",
    ("DELETE", "/api/v1/bookings/{id}"): "member",
    ("GET", "/api/v1/me/bookings"): "member",
    ("POST", "/api/v1/suggestions"): "member",
    ("GET", "/api/v1/suggestions"): "staff",
    ("GET", "/api/v1/suggestions/mine"): "public",
    ("POST", "/api/v1/suggestions/mine/messages"): "public",
    ("POST", "/api/v1/suggestions/{id}/messages"): "staff",
    ("PATCH", "/api/v1/suggestions/{id}"): "staff",
    ("GET", "/api/v1/suggestions/{id}"): "staff",
    ("GET", "/api/v1/suggestions/public"): "member",
    ("GET", "/api/v1/suggestions/stats"): "staff",
    ("GET", "/api/v1/members"): "staff",
    ("GET", "/api/v1/members/{id}"): "staff",
    ("PATCH", "/api/v1/members/{id}"): "admin",
    ("POST", "/api/v1/members/import"): "admin",
    ("POST", "/api/v1/members/{id}/password"): "admin",
    ("GET", "/api/v1/admin/phone-access"): "admin",
    ("GET", "/api/v1/workdays"): "member",
    ("GET", "/api/v1/workdays/status"): "staff",
    ("PUT", "/api/v1/workdays/{id}"): "admin",
    ("DELETE", "/api/v1/workdays/{id}"): "admin",
    ("POST", "/api/v1/workdays/import"): "admin",
    ("POST", "/api/v1/uploads"): "member",
    ("GET", "/api/v1/uploads/{id}"): "member",
    ("POST", "/api/v1/requests"): "member",
    ("GET", "/api/v1/requests"): "handler",
    ("GET", "/api/v1/me/requests"): "member",
    ("GET", "/api/v1/requests/{id}"): "member",
    ("POST", "/api/v1/requests/{id}/accept"): "handler",
    ("POST", "/api/v1/requests/{id}/messages"): "member",
    ("POST", "/api/v1/requests/{id}/assign"): "staff",
    ("POST", "/api/v1/requests/{id}/resolve"): "handler",
    ("POST", "/api/v1/requests/{id}/confirm"): "member",
    ("POST", "/api/v1/requests/{id}/reopen"): "member",
    ("GET", "/api/v1/requests/confidential-reads"): "admin",
    ("GET", "/api/v1/grids"): "staff",
    ("GET", "/api/v1/members/{id}/liaison-grids"): "staff",
    ("PUT", "/api/v1/members/{id}/liaison-grids"): "admin",
    ("GET", "/api/v1/requests/plan/needs"): "staff",
    ("GET", "/api/v1/requests/plan"): "staff",
    ("POST", "/api/v1/requests/plan"): "staff",
    ("PATCH", "/api/v1/requests/plan/{id}"): "staff",
    ("GET", "/api/v1/requests/plan/export.xlsx"): "staff",
    ("GET", "/api/v1/requests/stats"): "staff",
    ("POST", "/api/v1/votes"): "staff",
    ("GET", "/api/v1/votes"): "staff",
    ("GET", "/api/v1/me/votes"): "member",
    ("GET", "/api/v1/votes/{id}"): "member",
    ("PATCH", "/api/v1/votes/{id}"): "staff",
    ("POST", "/api/v1/votes/{id}/publish"): "staff",
    ("POST", "/api/v1/votes/{id}/close"): "staff",
    ("POST", "/api/v1/votes/{id}/ballots"): "member",
    ("GET", "/api/v1/votes/{id}/results"): "member",
    ("GET", "/api/v1/votes/{id}/turnout"): "staff",
    ("GET", "/api/v1/votes/{id}/paper-counts"): "staff",
    ("POST", "/api/v1/votes/{id}/paper-counts"): "staff",
    ("POST", "/api/v1/votes/{id}/paper-counts/confirm"): "staff",
    ("POST", "/api/v1/surveys"): "staff",
    ("GET", "/api/v1/surveys"): "staff",
    ("GET", "/api/v1/surveys/{id}"): "member",
    ("PATCH", "/api/v1/surveys/{id}"): "staff",
    ("POST", "/api/v1/surveys/{id}/publish"): "staff",
    ("POST", "/api/v1/surveys/{id}/close"): "staff",
    ("GET", "/api/v1/me/surveys"): "member",
    ("POST", "/api/v1/surveys/{id}/responses"): "member",
    ("GET", "/api/v1/surveys/{id}/results"): "staff",
    ("GET", "/api/v1/surveys/{id}/results.xlsx"): "staff",
    ("GET", "/api/v1/surveys/{id}/turnout"): "staff",
    ("POST", "/api/v1/congress-sessions"): "staff",
    ("GET", "/api/v1/congress-sessions"): "member",
    ("GET", "/api/v1/congress-sessions/{id}"): "member",
    ("GET", "/api/v1/congress-sessions/{id}/summary.pdf"): "staff",
    ("POST", "/api/v1/proposals"): "member",
    ("GET", "/api/v1/proposals"): "member",
    ("GET", "/api/v1/me/proposals"): "member",
    ("GET", "/api/v1/proposals/{id}"): "member",
    ("PATCH", "/api/v1/proposals/{id}"): "member",
    ("GET", "/api/v1/proposal-invites/{id}"): "member",
    ("POST", "/api/v1/proposals/{id}/cosign"): "member",
    ("DELETE", "/api/v1/proposals/{id}/cosign"): "member",
    ("POST", "/api/v1/proposals/{id}/submit"): "member",
    ("GET", "/api/v1/proposals/{id}/cosigner-candidates"): "member",
    ("POST", "/api/v1/proposals/{id}/invite"): "member",
    ("POST", "/api/v1/proposals/{id}/review"): "staff",
    ("POST", "/api/v1/proposals/{id}/assign"): "staff",
    ("POST", "/api/v1/proposals/{id}/updates"): "staff",
    ("POST", "/api/v1/proposals/{id}/complete"): "staff",
    ("POST", "/api/v1/proposals/{id}/rating"): "member",
    ("POST", "/api/v1/proposals/{id}/head-links"): "staff",
    ("GET", "/api/v1/proposals/{id}/head-links"): "staff",
    ("DELETE", "/api/v1/proposals/{id}/head-links/{id}"): "staff",
    ("GET", "/p/{id}"): "public",
    ("POST", "/p/{id}"): "public",
    ("GET", "/api/v1/council/representatives"): "member",
    ("PUT", "/api/v1/council/representatives"): "admin",
    ("POST", "/api/v1/council/topics"): "staff",
    ("GET", "/api/v1/council/topics"): "member",
    ("GET", "/api/v1/council/topics/{id}"): "member",
    ("GET", "/api/v1/council/topics/{id}/ideas"): "member",
    ("POST", "/api/v1/council/topics/{id}/ideas"): "member",
    ("POST", "/api/v1/council/ideas/{id}/support"): "member",
    ("DELETE", "/api/v1/council/ideas/{id}/support"): "member",
    ("POST", "/api/v1/council/ideas/{id}/select"): "staff",
    ("POST", "/api/v1/council/ideas/{id}/answer"): "staff",
    ("POST", "/api/v1/craftsman/rounds"): "staff",
    ("GET", "/api/v1/craftsman/rounds"): "member",
    ("GET", "/api/v1/craftsman/rounds/{id}"): "member",
    ("POST", "/api/v1/craftsman/rounds/{id}/nominations"): "member",
    ("GET", "/api/v1/craftsman/rounds/{id}/nominations"): "member",
    ("GET", "/api/v1/craftsman/rounds/{id}/nominee-candidates"): "member",
    ("POST", "/api/v1/craftsman/nominations/{id}/review"): "member",
    ("POST", "/api/v1/craftsman/rounds/{id}/open-vote"): "staff",
    ("POST", "/api/v1/craftsman/rounds/{id}/publish"): "staff",
    ("GET", "/api/v1/craftsman/winners"): "member",
    ("GET", "/api/v1/craftsman/winners/{id}"): "member",
    ("GET", "/n/{id}"): "public",
    ("GET", "/e/{id}"): "public",
    ("GET", "/api/v1/audit-trail"): "admin",
    ("POST", "/api/v1/fund/procurements"): "staff_treasurer",
    ("GET", "/api/v1/fund/procurements"): "member",
    ("GET", "/api/v1/fund/procurements/mine"): "member",
    ("GET", "/api/v1/fund/procurements/{id}"): "member",
    ("POST", "/api/v1/fund/procurements/{id}/quotes"): "staff_treasurer",
    ("POST", "/api/v1/fund/procurements/{id}/confirm"): "member",
    ("POST", "/api/v1/fund/procurements/{id}/decide"): "treasurer",
    ("POST", "/api/v1/awards"): "staff",
    ("GET", "/api/v1/awards"): "member",
    ("GET", "/api/v1/awards/{id}"): "member",
    ("POST", "/api/v1/awards/{id}/nominees"): "staff",
    ("DELETE", "/api/v1/awards/{id}/nominees/{id}"): "staff",
    ("POST", "/api/v1/awards/{id}/decide"): "staff",
    ("POST", "/api/v1/awards/{id}/objections"): "member",
    ("GET", "/api/v1/awards/{id}/objections"): "staff",
    ("POST", "/api/v1/awards/{id}/finalize"): "staff",
    ("GET", "/api/v1/fund/categories"): "member",
    ("POST", "/api/v1/fund/categories"): "admin",
    ("PATCH", "/api/v1/fund/categories/{id}"): "admin",
    ("DELETE", "/api/v1/fund/categories/{id}"): "admin",
    ("POST", "/api/v1/fund/entries"): "treasurer",
    ("GET", "/api/v1/fund/entries"): "treasurer",
    ("GET", "/api/v1/fund/entries/export"): "treasurer",
    ("GET", "/api/v1/fund/entries/{id}"): "treasurer",
    ("PATCH", "/api/v1/fund/entries/{id}"): "treasurer",
    ("DELETE", "/api/v1/fund/entries/{id}"): "treasurer",
    ("POST", "/api/v1/fund/entries/{id}/approve"): "admin",
    ("POST", "/api/v1/fund/entries/{id}/reject"): "admin",
    ("POST", "/api/v1/fund/months/{id}/publish"): "admin",
    ("GET", "/api/v1/fund/months"): "member",
    ("GET", "/api/v1/fund/months/{id}"): "member",
    ("GET", "/api/v1/fund/months/{id}/statement.pdf"): "staff_treasurer",
    ("GET", "/api/v1/fund/verify"): "member",
    ("GET", "/api/v1/fund/budgets/{id}"): "member",
    ("PUT", "/api/v1/fund/budgets/{id}"): "admin",
    ("GET", "/f/{id}"): "public",
    ("POST", "/api/v1/improvements"): "staff",
    ("GET", "/api/v1/improvements"): "staff",
    ("GET", "/api/v1/me/improvements"): "member",
    ("GET", "/api/v1/improvements/{id}"): "member",
    ("POST", "/api/v1/improvements/{id}/notes"): "member",
    ("POST", "/api/v1/improvements/{id}/complete"): "member",
    ("POST", "/api/v1/improvements/{id}/cancel"): "staff",
    ("POST", "/api/v1/improvements/{id}/reopen"): "staff",
    ("GET", "/api/v1/reports/effectiveness"): "staff",
    ("GET", "/api/v1/reports/effectiveness/archive"): "staff",
    ("GET", "/api/v1/reports/effectiveness/archive/{id}"): "staff",
    ("GET", "/api/v1/reports/effectiveness/archive/{id}.pdf"): "staff",
    ("POST", "/api/v1/audits"): "staff",
    ("GET", "/api/v1/audits"): "staff",
    ("GET", "/api/v1/audits/{id}"): "staff",
    ("PATCH", "/api/v1/audits/{id}/items/{id}"): "staff",
    ("POST", "/api/v1/audits/{id}/refresh"): "staff",
    ("POST", "/api/v1/audits/{id}/findings"): "staff",
    ("POST", "/api/v1/audits/{id}/close"): "staff",
    ("GET", "/api/v1/audits/{id}/report.pdf"): "staff",
    ("POST", "/api/v1/care/cases"): "member",
    ("GET", "/api/v1/me/care-cases"): "member",
    ("POST", "/api/v1/care/cases/{id}/withdraw"): "member",
    ("GET", "/api/v1/care/cases"): "staff",
    ("GET", "/api/v1/care/stats"): "staff",
    ("GET", "/api/v1/care/cases/{id}"): "staff",
    ("POST", "/api/v1/care/cases/{id}/handlers"): "staff",
    ("DELETE", "/api/v1/care/cases/{id}/handlers/{id}"): "secretary",
    ("PUT", "/api/v1/care/cases/{id}/assessment"): "staff",
    ("POST", "/api/v1/care/cases/{id}/documents"): "staff",
    ("GET", "/api/v1/care/cases/{id}/documents/{id}"): "staff",
    ("POST", "/api/v1/care/cases/{id}/decisions"): "staff",
    ("POST", "/api/v1/care/cases/{id}/grants"): "staff",
    ("POST", "/api/v1/care/cases/{id}/visits"): "staff",
    ("POST", "/api/v1/care/cases/{id}/close"): "staff",
    ("GET", "/api/v1/care/cases/{id}/reads"): "secretary",
    ("GET", "/api/v1/events/{id}/checkout-code"): "staff",
    ("POST", "/api/v1/checkouts"): "member",
    ("GET", "/api/v1/me/volunteer-hours"): "member",
    ("GET", "/api/v1/me/volunteer-hours/certificate.pdf"): "member",
    ("GET", "/api/v1/volunteer-hours"): "staff",
    ("GET", "/api/v1/volunteer-hours/{id}"): "staff",
    ("POST", "/api/v1/volunteer-hours/{id}/adjustments"): "staff",
    ("GET", "/api/v1/volunteer-hours/{id}/certificate.pdf"): "staff",
    ("GET", "/api/v1/volunteers/certificates/{id}"): "public",
    ("GET", "/v/{id}"): "public",
    ("GET", "/api/v1/volunteers/leaderboard"): "member",
    ("GET", "/api/v1/me/volunteer-settings"): "member",
    ("PUT", "/api/v1/me/volunteer-settings"): "member",
    ("POST", "/api/v1/benefits"): "staff",
    ("GET", "/api/v1/benefits"): "member",
    ("GET", "/api/v1/benefits/{id}"): "member",
    ("PATCH", "/api/v1/benefits/{id}"): "staff",
    ("POST", "/api/v1/benefits/{id}/cancel"): "staff",
    ("POST", "/api/v1/benefits/{id}/claims"): "member",
    ("GET", "/api/v1/benefits/{id}/claims"): "staff",
    ("GET", "/api/v1/benefits/{id}/stats"): "staff",
    ("POST", "/api/v1/benefits/{id}/redemptions"): "staff",
    ("POST", "/api/v1/benefits/{id}/redemptions/batch"): "staff",
    ("GET", "/api/v1/benefits/{id}/redeem-key"): "staff",
    ("POST", "/api/v1/benefits/{id}/deliveries"): "staff",
    ("GET", "/api/v1/me/claims"): "member",
    ("GET", "/api/v1/claims/{id}"): "member",
    ("GET", "/api/v1/claims/{id}/qr"): "member",
    ("DELETE", "/api/v1/claims/{id}"): "member",
}
CALLERS = ["anonymous", "unbound", "member", "liaison", "staff", "secretary", "admin", "treasurer"]


def expected_denial(required: str, caller: str) -> int | None:
    """The status the contract prescribes, or None when the caller is allowed through."""
    if required == "public":
        return None
    if caller == "anonymous":
        return 401
    if required == "wechat":
        return None
    if caller == "unbound":
        return 403
    if required == "staff" and caller in ("member", "liaison", "treasurer"):
        return 403
    if required == "handler" and caller in ("member", "treasurer"):
        return 403
    if required == "admin" and caller != "admin":
        return 403
    if required == "secretary" and caller not in ("secretary", "admin"):
        return 403
    if required == "staff_treasurer" and caller in ("member", "liaison"):
        return 403
    if required == "treasurer" and caller not in ("treasurer", "admin"):
        return 403
    return None


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/console"):
            continue
        path = re.sub(r"<(?:int:)?\w+>", "{id}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def test_every_route_is_classified(app):
    assert set(_rules(app)) == set(ROUTES)


@pytest.fixture
def callers(db, make, app):
    headers = {"anonymous": {}}
    user = WechatUser(openid="o-unbound-roles")
    db.session.add(user)
    db.session.flush()
    members = {role: make.member(roles=("member", role)) for role in CALLERS[2:]}
    with app.test_request_context():
        headers["unbound"] = {"Authorization": "Bearer " + issue_token(None, user.id)[0]}
        for role, m in members.items():
            headers[role] = {"Authorization": "Bearer " + issue_token(m.id)[0]}
    return headers


@pytest.mark.parametrize("caller", CALLERS)
def test_role_matrix(client, make, callers, caller):
    event = make.event()
    for (method, path), required in ROUTES.items():
        r = client.open(path.replace("{id}", str(event.id)), method=method, headers=callers[caller], json={})
        want = expected_denial(required, caller)
        assert r.status_code < 500, (method, path, caller, r.status_code)
        if want is None:
            assert r.status_code not in (401, 403) or r.json["error"]["code"] not in ("unauthenticated", "forbidden",
                                                                                        "not_bound"), \
                (method, path, caller, r.status_code, r.get_json())
        else:
            assert r.status_code == want, (method, path, caller, r.status_code, r.get_json())
            assert r.json["error"]["code"] in ("unauthenticated", "forbidden", "not_bound")
