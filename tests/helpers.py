"""Helpers that act as a person would (sign in through the real forms), and one that counts statements."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

import pyotp
from sqlalchemy import event

DEMO_PASSWORD = "Demo-2026-portal"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class _Totp(pyotp.TOTP):
    min_secret_length_bits = 80  # the published demo secret is 80 bits, like most authenticators'


def totp_code(secret: str = DEMO_TOTP_SECRET, steps_ahead: int = 0) -> str:
    return _Totp(secret).at(time.time() + 30 * steps_ahead)


def totp_attempts(secret: str = DEMO_TOTP_SECRET):
    """The codes a person would try in turn: a code is accepted once and the portal allows one step
    of clock drift, so after the current and the next step (used by earlier sign-ins of the same
    account) they wait for the next step to begin and try the one after it, twice at most."""
    yield totp_code(secret)
    yield totp_code(secret, steps_ahead=1)
    for _ in range(2):
        time.sleep(30 - time.time() % 30 + 0.5)
        yield totp_code(secret, steps_ahead=1)


def sign_in_http(http, base_url: str, username: str, password: str = DEMO_PASSWORD,
                 totp_secret: str | None = DEMO_TOTP_SECRET, next_path: str | None = None):
    """Sign in with a `requests.Session` against a live server, second factor included.

    A TOTP code is accepted once: `totp_attempts` tries the codes a person would.
    """
    params = {"next": next_path} if next_path else None
    page = http.get(f"{base_url}/auth/login", params=params)
    response = http.post(
        page.url,
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text),
              "next": next_path or ""},
    )
    if "/auth/mfa" not in response.url:
        return response
    for code in totp_attempts(totp_secret):
        response = http.post(response.url, data={"code": code, "csrf_token": csrf_token(response.text)})
        if "/auth/mfa" not in response.url:
            return response
    raise AssertionError("second factor refused")


def sign_in_client(app, login_name: str, lang: str = "en"):
    """A new Flask test client signed in as `login_name` through the real forms, second factor
    included for staff. The TOTP step after the last one the account used is sent, so two sign-ins
    within 30 seconds both succeed."""
    from sqlalchemy import select

    from auth.models import TotpCredential
    from portal.extensions import db
    from portal.models import Account

    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
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


class Clock:
    """A monotonic clock a test moves by hand (`clock.now += 61`)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def statements_run():
    """The SQL statements the app's database session sends inside the block (in an app context)."""
    from portal.extensions import db

    statements = []

    def capture(connection, cursor, statement, *rest):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)
