"""Fixtures shared by every test: an app on a freshly migrated database, a client, factories.

Set DATABASE_URL to run the whole suite against PostgreSQL; otherwise each run uses a new
SQLite file. Tables are emptied after each test, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from portal import create_app
from portal.config import normalise_database_url
from portal.extensions import db, limiter

os.environ.setdefault("PORTAL_ENV", "test")

pytest_plugins = ["tests.live"]


def reset_database(url: str) -> None:
    """Drop everything in a PostgreSQL database so migrations start from nothing."""
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        reset_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-signing"


def _dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
    yield app
    _dispose(app)


@pytest.fixture
def make_app(database_url):
    """Another app on the test database with some settings changed (e.g. CSRF on)."""
    apps = []

    def build(**overrides):
        settings = {"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY, "RATELIMIT_ENABLED": False}
        app = create_app({**settings, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        _dispose(app)
    # The limiter is one object for every app in the process: whatever a test switched on
    # (or an app that failed half-way through start-up left behind) must not reach the next test.
    if limiter.enabled:
        limiter.reset()
        limiter.enabled = False


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        # Only tables the migrations created: a model without a migration is test_migrations' to report.
        existing = set(inspect(db.engine).get_table_names())
        for table in reversed(db.metadata.sorted_tables):
            if table.name in existing:
                db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture
def app_context(app):
    """An app context held for the whole test: for domain tests that make no requests.

    Never combine it with the test client: requests would share its `g` and database session,
    so one client's signed-in user or language would leak into another's request.
    """
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """A browser that prefers English, so assertions read plainly; tests of Chinese pages say so."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def seeded(app):
    """The demo district (departments, demo accounts...), seeded without holding a context."""
    from portal import demo

    with app.app_context():
        demo.seed(db.session)


@pytest.fixture
def login(app, client, seeded):
    """`login("officer.jw")` signs the test client in through the real forms (CSRF is off here)."""
    from auth.models import TotpCredential
    from portal.models import Account
    from tests.helpers import DEMO_PASSWORD, DEMO_TOTP_SECRET, totp_code

    def sign_in(username: str, password: str = DEMO_PASSWORD, second_factor: bool = True):
        response = client.post("/auth/login", data={"username": username, "password": password})
        if second_factor and "/auth/mfa" in response.headers.get("Location", ""):
            with app.app_context():
                account = db.session.scalar(
                    db.select(Account).where((Account.username == username) | (Account.mobile == username))
                )
                credential = db.session.scalar(db.select(TotpCredential).filter_by(account_id=account.id))
                current = int(time.time() // 30)
                ahead = max(0, credential.last_used_step + 1 - current)
            response = client.post("/auth/mfa", data={"code": totp_code(DEMO_TOTP_SECRET, ahead)})
        return response

    return sign_in
