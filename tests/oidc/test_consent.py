"""The consent page, remembered consent, first-party clients, and the applications page."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import select

from auth.oidc.models import Consent
from portal.extensions import db
from portal.models import AuditEvent
from tests.helpers import DEMO_PASSWORD, csrf_token
from tests.oidc.conftest import DEPT_SYSTEM, InProcessRP


def audit(app, action):
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [(event.outcome, event.details) for event in events]


def test_third_party_client_asks_for_consent_listing_the_claims(client, login, dept_system):
    login("13800000001")
    page = dept_system.authorize("openid profile phone", ui_locales="en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Allow 区数据局 示范业务系统 (Demo department system) to use your account?" in html
    assert "Your name, login name and language" in html
    assert "Your mobile number" in html
    assert "127.0.0.1:8001" in html  # where the person will be sent
    assert 'name="decision" value="allow"' in html and 'name="decision" value="deny"' in html
    assert page.headers["Cache-Control"] == "no-store"


def test_only_the_scopes_asked_for_are_listed(client, login, dept_system):
    login("13800000001")
    html = dept_system.authorize("openid", ui_locales="en").get_data(as_text=True)
    assert "Your mobile number" not in html


def test_declining_sends_access_denied_and_is_audited(app, client, login, dept_system):
    login("13800000001")
    response = dept_system.authorize(method="POST", data={"decision": "deny"})
    assert response.status_code == 302
    assert "error=access_denied" in response.location and "state=st" in response.location
    [(outcome, details)] = audit(app, "oidc.authorize")
    assert outcome == "refused"
    assert details["error"] == "access_denied" and details["reason"] == "person_declined"


def test_consent_is_remembered_per_client_and_scopes(client, login, dept_system):
    login("13800000001")
    allowed = dept_system.authorize("openid profile", method="POST", data={"decision": "allow"})
    assert "code=" in allowed.location
    again = dept_system.authorize("openid profile")
    assert again.status_code == 302 and "code=" in again.location  # no page the second time
    narrower = dept_system.authorize("openid")
    assert "code=" in narrower.location
    wider = dept_system.authorize("openid profile phone")
    assert wider.status_code == 200  # asked again for the new scope
    forced = dept_system.authorize("openid profile", prompt="consent")
    assert forced.status_code == 200


def test_first_party_clients_skip_consent(client, login, register_client):
    rp = register_client(client, first_party=True)
    login("13800000001")
    response = rp.authorize("openid profile")
    assert response.status_code == 302 and "code=" in response.location


def test_consent_form_needs_its_csrf_token(make_app, seeded):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    http = app.test_client()
    page = http.get("/auth/login").get_data(as_text=True)
    http.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD,
                                   "csrf_token": csrf_token(page)})
    rp = InProcessRP(http, *DEPT_SYSTEM)
    forged = rp.authorize(method="POST", data={"decision": "allow"})
    assert forged.status_code == 400
    consent_page = rp.authorize().get_data(as_text=True)
    allowed = rp.authorize(method="POST", data={"decision": "allow", "csrf_token": csrf_token(consent_page)})
    assert allowed.status_code == 302 and "code=" in allowed.location


def test_applications_page_lists_and_withdraws_consent(app, client, login, dept_system):
    login("13800000001")
    location = dept_system.authorize("openid profile", method="POST", data={"decision": "allow"}).location
    tokens = dept_system.exchange(location).get_json()
    page = client.get("/auth/applications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "区数据局 示范业务系统 (Demo department system)" in page
    assert "Your name, login name and language" in page

    response = client.post("/auth/applications/revoke", data={"client_id": "demo-dept-system"})
    assert response.status_code == 302
    page = client.get("/auth/applications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "have not allowed any application" in page
    with app.app_context():
        assert db.session.query(Consent).count() == 0
    # The application's tokens for this person end with the consent.
    userinfo = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 401
    assert dept_system.authorize("openid profile").status_code == 200  # asked again
    assert audit(app, "oidc.consent.revoke")[0][1]["revoked_tokens"] == 1


def test_applications_page_needs_sign_in(client):
    response = client.get("/auth/applications")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_a_person_cannot_withdraw_someone_elses_consent(app, client, login, dept_system):
    login("13800000001")
    dept_system.authorize("openid", method="POST", data={"decision": "allow"})
    client.post("/auth/logout")
    login("13800000002")
    client.post("/auth/applications/revoke", data={"client_id": "demo-dept-system"})
    with app.app_context():
        assert db.session.query(Consent).count() == 1


def test_pages_whose_forms_end_at_the_client_allow_its_origin_and_no_other(client, seeded):
    def login_page_policy(redirect_uri):
        next_path = "/oidc/authorize?" + urlencode({"client_id": "demo-dept-system", "redirect_uri": redirect_uri})
        return client.get("/auth/login", query_string={"next": next_path}).headers["Content-Security-Policy"]

    assert "form-action 'self' http://127.0.0.1:8001;" in login_page_policy("http://127.0.0.1:8001/callback")
    assert "form-action 'self';" in login_page_policy("https://evil.example/callback")
    assert "form-action 'self';" in client.get("/auth/login").headers["Content-Security-Policy"]
