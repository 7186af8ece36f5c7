"""The client-credentials grant: a department system's own token for the API."""

from __future__ import annotations

from sqlalchemy import select

from auth.oidc.models import OAuthClient
from portal.extensions import db
from portal.models import AuditEvent, StaffRole
from tests.api.conftest import API, DEPT_SYSTEM, bearer


def test_a_department_system_gets_a_token_for_the_api_scopes_it_is_allowed(token_response):
    response = token_response(scope="cases:read")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = response.json
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "cases:read"
    assert token["expires_in"] > 0
    assert "refresh_token" not in token and "id_token" not in token


def test_without_a_scope_the_token_carries_every_api_scope_of_the_client(token_response):
    assert token_response().json["scope"] == "cases:read cases:write"


def test_scopes_about_people_are_not_given_with_client_credentials(token_response):
    response = token_response(scope="openid profile")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_scope"


def test_a_scope_the_client_is_not_allowed_is_refused(token_response):
    response = token_response(scope="cases:read matches:read")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_scope"


def test_a_wrong_secret_is_refused(token_response):
    response = token_response(DEPT_SYSTEM[0], "not-the-secret")
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"


def test_a_public_client_cannot_use_client_credentials(client, seeded):
    response = client.post("/oidc/token", data={"grant_type": "client_credentials", "client_id": "demo-mobile-app"})
    assert response.status_code in (400, 401)
    assert response.json["error"] in ("invalid_client", "unauthorized_client")


def test_a_client_without_api_scopes_may_not_use_the_grant(token_response):
    response = token_response("demo-dept-api", "demo-dept-api-secret")
    assert response.status_code == 400
    assert response.json["error"] == "unauthorized_client"


def test_the_token_speaks_for_the_systems_own_account_an_officer_of_its_department(app, token_response):
    token_response()
    with app.app_context():
        client = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == DEPT_SYSTEM[0]))
        account = client.service_account
        assert account.display_name == client.name
        assert [(p.department.code, p.role) for p in account.staff_positions] == [("sjj", StaffRole.OFFICER)]
        assert account.mobile is None and account.username is None  # nothing to sign in with
        issued = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "oidc.token", AuditEvent.actor_id == account.id)
        ).all()
        assert [event.details["grant_type"] for event in issued] == ["client_credentials"]


def test_a_second_token_uses_the_same_account(app, token_response):
    token_response()
    token_response()
    with app.app_context():
        client = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == DEPT_SYSTEM[0]))
        assert db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "oidc.client.system_account")
            .where(AuditEvent.object_id == client.client_id).offset(1)
        ) is None


def test_the_system_account_cannot_sign_in(app, client, token_response):
    token_response()
    with app.app_context():
        client_row = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == DEPT_SYSTEM[0]))
        public_id = client_row.service_account.public_id
    response = client.post("/auth/login", data={"username": public_id, "password": "!"})
    assert "/auth/mfa" not in response.headers.get("Location", "")
    assert client.get("/auth/account").status_code == 302  # still signed out


def test_discovery_publishes_the_grant_and_the_api_scopes(client):
    data = client.get("/.well-known/openid-configuration").json
    assert "client_credentials" in data["grant_types_supported"]
    assert {"cases:read", "cases:write", "matches:read"} <= set(data["scopes_supported"])


def test_disabling_the_client_ends_its_api_tokens_at_once(app, client, dept_token):
    token = dept_token()
    assert client.get(f"{API}/cases", headers=bearer(token)).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == DEPT_SYSTEM[0]))
        from auth.oidc import clients
        from portal.audit import Origin

        clients.disable(db.session, row, actor=row.service_account, origin=Origin())
        db.session.commit()
    response = client.get(f"{API}/cases", headers=bearer(token))
    assert response.status_code == 401
    assert response.json["code"] == "invalid_token"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="portal-api", error="invalid_token"')


def test_the_system_account_follows_the_clients_department(app, client, dept_token, register_system, file_case):
    from portal.models import Department

    client_id, secret = register_system("sjj")
    theirs = file_case("jjw")
    token = dept_token(client_id, secret)
    assert client.get(f"{API}/cases/{theirs}", headers=bearer(token)).status_code == 404
    with app.app_context():  # an administrator moves the system to the Economic Commission
        row = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        row.department_id = db.session.scalar(select(Department.id).where(Department.code == "jjw"))
        db.session.commit()
    moved = dept_token(client_id, secret)
    assert client.get(f"{API}/cases/{theirs}", headers=bearer(moved)).status_code == 200
    with app.app_context():
        account = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id)).service_account
        assert [p.department.code for p in account.staff_positions] == ["jjw"]
