"""Fixtures for Open311: a small district (departments, demo accounts and systems, request
categories), API keys, and a client that is nothing but an Open311 client: no cookies, no CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db

BASE = "/open311/v2"


@pytest.fixture
def district(app):
    """What filing a request needs, seeded the way the demo seeds it (without 2,000 enterprises)."""
    from portal import demo
    from portal.demo.accounts import seed_accounts
    from portal.demo.cases import seed_categories
    from portal.demo.clients import seed_clients

    with app.app_context():
        demo.seed_departments(db.session)
        seed_accounts(db.session)
        seed_clients(db.session)
        seed_categories(db.session)
        db.session.commit()


@pytest.fixture
def issue_key(app, district):
    """`issue_key("demo-dept-system")` returns a new API key for that registered system."""
    from api.open311 import keys

    def issue(client_id: str = "demo-dept-system", label: str | None = None) -> str:
        with app.app_context():
            issued = keys.issue(db.session, keys.find_client(db.session, client_id), label=label, actor=None)
            db.session.commit()
            return issued.secret

    return issue


@pytest.fixture
def api_key(issue_key) -> str:
    return issue_key()


@pytest.fixture
def open311(app):
    """An Open311 client app: plain HTTP, English unless a test asks for another language."""
    client = app.test_client(use_cookies=False)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def post_request(open311, api_key):
    """POST requests.json as a client app would; returns the response."""

    def post(fmt: str = "json", key: str | None = None, **fields):
        data = {"api_key": api_key if key is None else key, "service_code": "community",
                "description": "Street lamp out at the east gate", "lat": "31.0322", "long": "121.2278"}
        data.update({name: value for name, value in fields.items() if value is not None})
        for name in [name for name, value in fields.items() if value is None]:
            data.pop(name, None)
        return open311.post(f"{BASE}/requests.{fmt}", data=data)

    return post


def case_of(app, reference: str):
    from portal.models import Case

    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        db.session.expunge(case)
        return case


@pytest.fixture
def browser_for(app, district):
    """`browser_for("officer.fs")`: a new browser signed in through the real forms (second factor
    for staff), on the small district rather than the whole demo."""
    from tests.helpers import sign_in_client

    def open_browser(login_name: str):
        return sign_in_client(app, login_name)

    return open_browser
