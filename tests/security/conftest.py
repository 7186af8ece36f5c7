"""Fixtures of the attack suite.

Most attacks are tried against one `world` per module (the demo district plus an object of every
kind, see world.py): building it takes seconds, so it is made once and emptied when the module
ends, instead of after each test as the root conftest does.
"""

from __future__ import annotations

import pytest

from portal import create_app
from tests.conftest import TEST_SECRET_KEY
from tests.security.world import Browser, build_world, empty_tables


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """The root fixture of this name, except for tests on the module's world (emptied at its end)."""
    yield
    if "app" not in request.fixturenames or "world" in request.fixturenames:
        return
    empty_tables(request.getfixturevalue("app"))


@pytest.fixture(scope="module")
def upload_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="module")
def world(app, upload_dir):
    """The demo district with one object of every kind, on the session's app (CSRF off, so that
    attacks reach the checks behind it)."""
    kept = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(upload_dir)
    try:
        yield build_world(app)
    finally:
        app.config["UPLOAD_DIR"] = kept
        empty_tables(app)


@pytest.fixture(scope="module")
def csrf_app(database_url, upload_dir):
    """The app as deployed: CSRF checked on every form (same database as `app`)."""
    from portal.extensions import db

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY, "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": True, "UPLOAD_DIR": str(upload_dir)})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser(app):
    return Browser(app)
