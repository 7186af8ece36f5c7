"""Fixtures for the provider's tests.

In process: `issue_code`, `rp_client` drive the Flask test client. Against the live gunicorn
(`live_server`): `live_db` reads and arranges rows in the server's own database (audit rows to
assert on, a code to age, a client to disable), `live_rp` builds relying parties, `browser`
signs a person in through the real forms.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from auth.oidc import clients
from auth.passwords import hash_password
from portal.audit import Origin
from portal.config import normalise_database_url
from portal.models import Account, AuditEvent, Department, ResidentProfile
from portal.models.base import new_public_id
from tests.helpers import DEMO_PASSWORD, sign_in_http
from tests.oidc.rp import RelyingParty, query_of, s256

DEPT_SYSTEM = ("demo-dept-system", "http://127.0.0.1:8001/callback", "demo-dept-secret")
MOBILE_APP = ("demo-mobile-app", "http://127.0.0.1:8002/callback", None)


def _live_database_url(tmp_path_factory) -> str:
    """The database `tests.live` gave the live server (a SQLite file, or `<db>_live`)."""
    base = os.environ.get("DATABASE_URL")
    if base:
        url = make_url(normalise_database_url(base))
        return url.set(database=f"{url.database}_live").render_as_string(hide_password=False)
    found = sorted(Path(tmp_path_factory.getbasetemp()).glob("live[0-9]*/live.sqlite3"))
    assert len(found) == 1, found
    return f"sqlite:///{found[0]}"


class LiveDatabase:
    """The live server's database, for arranging rows and reading what the server recorded."""

    def __init__(self, url: str):
        self.engine = create_engine(normalise_database_url(url))

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def audit(self, action: str | None = None, after_id: int = 0, **details) -> list[AuditEvent]:
        with self.session() as session:
            query = select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id)
            if action:
                query = query.where(AuditEvent.action == action)
            rows = list(session.scalars(query))
        return [row for row in rows if all(row.details.get(k) == v for k, v in details.items())]

    def last_audit_id(self) -> int:
        with self.session() as session:
            return session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0

    def new_resident(self, name: str = "测试居民") -> str:
        """A resident of our own, so tests never share (or lock out) a demo person; returns the mobile."""
        with self.session() as session:
            mobile = "139" + str(int(new_public_id(), 16))[-8:]
            account = Account(mobile=mobile, display_name=name, password_hash=hash_password(DEMO_PASSWORD))
            account.resident = ResidentProfile(real_name=name, resident_id_number=new_public_id()[:18])
            session.add(account)
            session.commit()
            return mobile

    def account(self, login_name: str) -> Account:
        with self.session() as session:
            return session.scalar(
                select(Account).where((Account.mobile == login_name) | (Account.username == login_name))
            )

    def register_client(self, *, confidential=True, first_party=False, redirect_uri=None,
                        post_logout=None, scopes=("openid", "profile", "phone"), resource_server=False):
        with self.session() as session:
            department = session.scalar(select(Department).where(Department.code == "sjj"))
            data = clients.Registration(
                name="测试系统 " + new_public_id()[:6], department_id=department.id, confidential=confidential,
                redirect_uris=[redirect_uri or f"http://127.0.0.1:9999/cb/{new_public_id()[:8]}"],
                post_logout_redirect_uris=list(post_logout or []), scopes=list(scopes), first_party=first_party,
                resource_server=resource_server,
            )
            client, secret = clients.register(session, data, actor=None, origin=Origin())
            session.commit()
            return client.client_id, client.redirect_uris[0], secret


@pytest.fixture(scope="session")
def live_db(live_server, tmp_path_factory):
    database = LiveDatabase(_live_database_url(tmp_path_factory))
    yield database
    database.engine.dispose()


@pytest.fixture
def live_rp(live_server):
    """`live_rp(client_id, redirect_uri, secret, auth=...)` or `live_rp(*DEPT_SYSTEM)`."""
    made = []

    def make(client_id, redirect_uri, secret=None, auth="client_secret_basic"):
        rp = RelyingParty(live_server, client_id, redirect_uri, secret, auth)
        made.append(rp)
        return rp

    yield make
    for rp in made:
        rp.http.close()


def _signed_in_browser(live_server, login_name):
    browser = requests.Session()
    response = sign_in_http(browser, live_server, login_name, totp_secret=None)
    assert "/auth/login" not in response.url, "sign-in failed"
    return browser


@pytest.fixture(scope="module")
def resident(live_db):
    """A resident created for this module (sign-ins are limited per login name)."""
    return live_db.new_resident("林小雨")


@pytest.fixture(scope="module")
def signed_in(live_server, resident):
    """That resident's browser, signed in once for the module."""
    browser = _signed_in_browser(live_server, resident)
    yield browser
    browser.close()


@pytest.fixture
def new_browser(live_server):
    """`new_browser(login_name)`: a person's browser, signed in to the portal (or not, given None)."""
    sessions = []

    def make(login_name: str | None = None) -> requests.Session:
        browser = _signed_in_browser(live_server, login_name) if login_name else requests.Session()
        sessions.append(browser)
        return browser

    yield make
    for browser in sessions:
        browser.close()


# -- in process, with the Flask test client --------------------------------------------------


class InProcessRP:
    """The same relying party, driving the Flask test client (CSRF is off in the `app` fixture)."""

    def __init__(self, http, client_id: str, redirect_uri: str, secret: str | None):
        self.http = http
        self.client_id, self.redirect_uri, self.secret = client_id, redirect_uri, secret

    def authorize(self, scope="openid profile", *, method="GET", data=None, **extra):
        self.verifier = secrets.token_urlsafe(48)
        params = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                  "scope": scope, "state": "st", "code_challenge": s256(self.verifier),
                  "code_challenge_method": "S256", **extra}
        params = {k: v for k, v in params.items() if v is not None}
        if method == "POST":
            return self.http.post("/oidc/authorize", query_string=params, data=data or {})
        return self.http.get("/oidc/authorize", query_string=params)

    def token(self, **data):
        headers = {}
        if self.secret:
            raw = f"{self.client_id}:{self.secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        else:
            data["client_id"] = self.client_id
        return self.http.post("/oidc/token", data=data, headers=headers)

    def exchange(self, location: str):
        code = query_of(location)["code"]
        return self.token(grant_type="authorization_code", code=code, redirect_uri=self.redirect_uri,
                          code_verifier=self.verifier)


@pytest.fixture
def dept_system(client, seeded):
    return InProcessRP(client, *DEPT_SYSTEM)


@pytest.fixture
def register_client(app, seeded):
    """`register_client(first_party=True, ...)` -> an InProcessRP for a new client in the test database."""
    from portal.extensions import db

    def register(http, **options):
        with app.app_context():
            department = db.session.scalar(select(Department).where(Department.code == "sjj"))
            data = clients.Registration(
                name=options.pop("name", "测试系统"), department_id=department.id,
                confidential=options.pop("confidential", True),
                redirect_uris=options.pop("redirect_uris", ["https://app.example/cb"]),
                scopes=list(options.pop("scopes", ("openid", "profile", "phone"))), **options,
            )
            client, secret = clients.register(db.session, data, actor=None, origin=Origin())
            db.session.commit()
            return InProcessRP(http, client.client_id, client.redirect_uris[0], secret)

    return register
