"""Fixtures for the JSON API: tokens obtained as integrators obtain them, and cases to work on.

`dept_token()` asks the token endpoint for a client-credentials token (demo-dept-system, whose
department is the Data Bureau `sjj`); `person_token("13800000001")` signs the person in through
the real forms and runs the authorization-code flow for an application allowed the API scopes.
`file_case(...)` files a case through the portal's own `submit_case` into a department.
"""

from __future__ import annotations

import base64
import secrets

import pytest
from sqlalchemy import select

from auth.oidc import clients
from portal.audit import Origin
from portal.extensions import db
from tests.helpers import DEMO_PASSWORD
from tests.oidc.rp import query_of, s256

DEPT_SYSTEM = ("demo-dept-system", "demo-dept-secret")
API = "/api/v1"


def basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def district(app):
    """The demo district's departments, people and registered systems: what most API tests need, without
    the demo's thousands of enterprises and services (the `seeded` fixture, for the tests that use them)."""
    from portal.demo import seed_departments
    from portal.demo.accounts import seed_accounts
    from portal.demo.clients import seed_clients

    with app.app_context():
        seed_departments(db.session)
        seed_accounts(db.session)
        seed_clients(db.session)
        db.session.commit()


@pytest.fixture
def token_response(client, district):
    """`token_response(client_id, secret, scope=None)`: the token endpoint's answer to client credentials."""

    def ask(client_id: str = DEPT_SYSTEM[0], secret: str = DEPT_SYSTEM[1], scope: str | None = None):
        data = {"grant_type": "client_credentials"}
        if scope is not None:
            data["scope"] = scope
        return client.post("/oidc/token", data=data, headers=basic(client_id, secret))

    return ask


@pytest.fixture
def dept_token(token_response):
    def token(client_id: str = DEPT_SYSTEM[0], secret: str = DEPT_SYSTEM[1], scope: str | None = None) -> str:
        response = token_response(client_id, secret, scope)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json["access_token"]

    return token


@pytest.fixture
def register_system(app, district):
    """`register_system("jjw", scopes=...)` -> (client_id, secret) of a new confidential department system."""

    def register(department_code: str, scopes=("cases:read", "cases:write")) -> tuple[str, str]:
        from portal.models import Department

        with app.app_context():
            department = db.session.scalar(select(Department).where(Department.code == department_code))
            data = clients.Registration(name=f"测试系统 {department_code}", department_id=department.id,
                                        confidential=True, scopes=list(scopes))
            client, secret = clients.register(db.session, data, actor=None, origin=Origin())
            db.session.commit()
            return client.client_id, secret

    return register


@pytest.fixture
def person_token(app, client, district):
    """`person_token("13800000001", scope=...)`: an access token an application obtained for that person
    (authorization code with PKCE; the application is first-party, so no consent page). Residents and
    company staff sign in with a password only."""
    with app.app_context():
        from portal.models import Department

        department = db.session.scalar(select(Department).where(Department.code == "sjj"))
        data = clients.Registration(
            name="测试应用", department_id=department.id, confidential=True,
            redirect_uris=["https://app.example/cb"], first_party=True,
            scopes=["openid", "cases:read", "cases:write", "matches:read", "webhooks:manage"],
        )
        app_client, secret = clients.register(db.session, data, actor=None, origin=Origin())
        db.session.commit()
        client_id = app_client.client_id

    def token(login_name: str, scope: str = "openid cases:read cases:write matches:read") -> str:
        client.post("/auth/logout")
        signed_in = client.post("/auth/login", data={"username": login_name, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302 and "/auth/" not in signed_in.location, signed_in.location
        verifier = secrets.token_urlsafe(48)
        answer = client.get("/oidc/authorize", query_string={
            "response_type": "code", "client_id": client_id, "redirect_uri": "https://app.example/cb",
            "scope": scope, "state": "s", "code_challenge": s256(verifier), "code_challenge_method": "S256",
        })
        assert answer.status_code == 302 and "code=" in answer.location, answer.get_data(as_text=True)[:500]
        response = client.post("/oidc/token", headers=basic(client_id, secret), data={
            "grant_type": "authorization_code", "code": query_of(answer.location)["code"],
            "redirect_uri": "https://app.example/cb", "code_verifier": verifier,
        })
        assert response.status_code == 200, response.get_data(as_text=True)
        client.post("/auth/logout")
        client.delete_cookie("session")
        return response.json["access_token"]

    return token


@pytest.fixture
def file_case(app, district):
    """`file_case("sjj", sender="13800000001", title=...)` -> the new case's public id. The case is filed
    through `submit_case` under a category that routes it to that department."""

    def file(department_code: str, sender: str = "13800000001", title: str = "路灯不亮", *,
             enterprise_uscc: str | None = None, kind: str = "request") -> str:
        from portal.cases import submit_case
        from portal.models import Account, CaseCategory, Department, Enterprise

        with app.app_context():
            department = db.session.scalar(select(Department).where(Department.code == department_code))
            code = f"api-test-{department_code}"
            category = db.session.scalar(select(CaseCategory).where(CaseCategory.code == code))
            if category is None:
                category = CaseCategory(code=code, name_zh="接口测试", name_en="API test", kind=None,
                                        department_id=department.id, accept_days=1, reply_days=10, rectify_days=15)
                db.session.add(category)
                db.session.flush()
            person = db.session.scalar(select(Account).where(Account.mobile == sender))
            enterprise_id = None
            if enterprise_uscc:
                enterprise_id = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == enterprise_uscc))
            case = submit_case(db.session, person, kind=kind, category=category, title=title,
                               body="请尽快处理。", enterprise_id=enterprise_id)
            db.session.commit()
            return case.public_id

    return file


def file_live_case(live_settings: dict, department_code: str = "sjj", title: str = "路灯不亮",
                   sender: str = "13800000001") -> str:
    """A case filed straight into the live server's database (through `submit_case`), for tests that
    drive the live server; returns its public id."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from portal.cases import submit_case
    from portal.config import normalise_database_url
    from portal.models import Account, CaseCategory, Department

    engine = create_engine(normalise_database_url(live_settings["DATABASE_URL"]))
    try:
        with Session(engine) as session:
            department = session.scalar(select(Department).where(Department.code == department_code))
            code = f"api-live-{department_code}"
            category = session.scalar(select(CaseCategory).where(CaseCategory.code == code))
            if category is None:
                category = CaseCategory(code=code, name_zh="接口测试", name_en="API test", kind=None,
                                        department_id=department.id, accept_days=1, reply_days=10, rectify_days=15)
                session.add(category)
                session.flush()
            person = session.scalar(select(Account).where(Account.mobile == sender))
            case = submit_case(session, person, kind="request", category=category, title=title, body="请尽快处理。")
            session.commit()
            return case.public_id
    finally:
        engine.dispose()
