"""Fixtures shared by every test: an app on a freshly migrated database, a client, factories.

Set DATABASE_URL to run the whole suite against PostgreSQL; otherwise each run uses a new
SQLite file. Tables are emptied after each test, so tests never see each other's rows.
"""

from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from portal import create_app
from portal.config import normalise_database_url
from portal.extensions import db

os.environ.setdefault("PORTAL_ENV", "test")


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
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        _dispose(app)


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded(app_context):
    from portal import demo

    demo.seed(db.session)
    return db.session
