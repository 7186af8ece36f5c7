"""People signed in through the real forms, and the one-time token read off a page as a browser would."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Account
from tests.helpers import DEMO_PASSWORD, DEMO_TOTP_SECRET, totp_code

_TOKEN = re.compile(r'name="(?:[a-z_]+-)?form_token" type="hidden" value="([^"]+)"')


def form_tokens_in(html: str) -> list[str]:
    return _TOKEN.findall(html)


def form_token(html: str) -> str:
    found = form_tokens_in(html)
    assert found, "no one-time token on the page"
    return found[0]


@pytest.fixture
def browser_for(app, seeded):
    """`browser_for("officer.jw")`: a test client signed in as that person (second factor included);
    `browser_for(None)`: one signed in as nobody."""
    from auth.models import TotpCredential

    def open_browser(login_name: str | None):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        if login_name is None:
            return client
        response = client.post("/auth/login", data={"username": login_name, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login_name
        if "/auth/mfa" in response.headers["Location"]:
            with app.app_context():
                account = db.session.scalar(select(Account).where(Account.username == login_name))
                credential = db.session.scalar(select(TotpCredential).filter_by(account_id=account.id))
                ahead = max(0, (credential.last_used_step or 0) + 1 - int(time.time() // 30))
            response = client.post("/auth/mfa", data={"code": totp_code(DEMO_TOTP_SECRET, ahead)})
            assert response.status_code == 302, f"second factor refused for {login_name}"
        return client

    return open_browser
