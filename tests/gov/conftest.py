"""Fixtures for the desk: several people signed in at once, each with a browser of their own."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, Case, Department, StaffPosition, StaffRole
from tests.helpers import DEMO_PASSWORD, DEMO_TOTP_SECRET, sign_in_client


@pytest.fixture
def browser_for(app, seeded):
    """`browser_for("officer.jw")`: a new test client signed in as that person (second factor
    included for staff), preferring English unless `lang` says otherwise."""

    def open_browser(login_name: str, lang: str = "en"):
        return sign_in_client(app, login_name, lang)

    return open_browser


@pytest.fixture
def third_officer(app, seeded):
    """An officer of a third department (区人力资源和社会保障局, rsj) that has nothing to do with the cases."""
    from auth.models import TotpCredential
    from auth.passwords import hash_password

    with app.app_context():
        rsj = db.session.scalar(select(Department).where(Department.code == "rsj"))
        account = Account(username="officer.rsj", display_name="钱程", password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(account)
        db.session.flush()
        db.session.add(StaffPosition(account_id=account.id, department_id=rsj.id, role=StaffRole.OFFICER))
        db.session.add(TotpCredential(account_id=account.id, secret=DEMO_TOTP_SECRET))
        db.session.commit()
    return "officer.rsj"


CASE_LINK = re.compile(r'href="/gov/cases/([0-9a-f]{32})"')


def page_text(response) -> str:
    """What a person reads on the page: the tags dropped, entities decoded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def queue_references(client, **filters) -> set[str]:
    """Every reference in the work queue with these filters, following the next-page links."""
    refs: set[str] = set()
    response = client.get("/gov/cases", query_string={"state": "all", **filters})
    while True:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        refs.update(re.findall(r">([A-Z]{2}-\d{4}-\d{6})</a></td>", html))
        match = re.search(r'rel="next" href="([^"]+)"', html)
        if not match:
            return refs
        response = client.get(unescape(match.group(1)))


def case_by_reference(app, reference: str) -> Case:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        db.session.expunge(case)
        return case


@pytest.fixture
def other_app(database_url):
    """Another app on the test database with some settings changed (SMTP, CSRF on...).

    Like the root `make_app`, but it leaves the shared rate limiter switched off without
    resetting its storage: an app built with limits off never created one to reset.
    """
    from portal import create_app
    from portal.extensions import limiter
    from tests.conftest import TEST_SECRET_KEY

    apps = []

    def build(**overrides):
        settings = {"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY, "RATELIMIT_ENABLED": False}
        app = create_app({**settings, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    limiter.enabled = False
