"""People signed in through the real forms, and the one-time token read off a page as a browser would."""

from __future__ import annotations

import re

import pytest

from tests.helpers import sign_in_client

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

    def open_browser(login_name: str | None):
        if login_name is None:
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
            return client
        return sign_in_client(app, login_name)

    return open_browser
