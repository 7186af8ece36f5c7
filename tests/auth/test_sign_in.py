import re

import pyotp
import pytest
from sqlalchemy import select

from auth.session import SIGN_IN_SESSION_KEYS
from portal.extensions import db
from portal.models import AuditEvent
from tests.helpers import DEMO_PASSWORD


def audit_actions(app, outcome=None):
    query = select(AuditEvent.action, AuditEvent.outcome).order_by(AuditEvent.id)
    with app.app_context():
        return [(a, o) for a, o in db.session.execute(query) if outcome is None or o == outcome]


def test_login_form_has_the_documented_field_names(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html


def test_resident_signs_in_and_reaches_the_account_page(app, client, login):
    response = login("13800000001")
    assert response.status_code == 302
    page = client.get("/auth/account").get_data(as_text=True)
    assert "李明" in page
    assert "3101**********1232" in page
    assert "310117198805121232" not in page
    assert ("sign_in", "success") in audit_actions(app)


def test_sign_in_returns_to_a_local_next_page_only(client, seeded):
    local = client.post(
        "/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD, "next": "/citizen/"}
    )
    assert local.headers["Location"] == "/citizen/"
    client.post("/auth/logout")
    evil = client.post(
        "/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD, "next": "//evil.example/"}
    )
    assert evil.headers["Location"] == "/"


def test_wrong_password_and_unknown_name_get_the_same_answer(app, client, seeded):
    wrong = client.post("/auth/login", data={"username": "13800000001", "password": "Wrong-password-1"})
    unknown = client.post("/auth/login", data={"username": "13899999999", "password": "Wrong-password-1"})
    assert wrong.status_code == unknown.status_code == 200
    assert "is not right" in wrong.get_data(as_text=True)

    def message(response):
        return response.get_data(as_text=True).split('class="error-message"')[1][:300]

    assert message(wrong).replace("13800000001", "") == message(unknown).replace("13899999999", "")
    assert audit_actions(app, "failure") == [("sign_in", "failure")] * 2


def test_ten_wrong_passwords_lock_existing_and_unknown_names_alike(app, client, seeded):
    for name in ("13800000001", "13899999999"):
        statuses = [
            client.post("/auth/login", data={"username": name, "password": f"Wrong-{i}-pass"}).status_code
            for i in range(10)
        ]
        assert statuses[:4] == [200] * 4
        assert statuses[4:] == [429] * 6
    # Locked means locked: even the right password is refused until the lock ends.
    right = client.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD})
    assert right.status_code == 429
    assert ("lock", "locked") in audit_actions(app)


def test_session_cookie_is_replaced_at_sign_in(client, seeded):
    client.get("/auth/login")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    client.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after


def test_signing_out_ends_the_session(client, login):
    login("13800000001")
    client.post("/auth/logout")
    assert client.get("/auth/account").status_code == 302


def test_sign_out_everywhere_ends_other_sessions(app, seeded, login, client):
    other = app.test_client()
    other.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD})
    assert other.get("/auth/account").status_code == 200
    login("13800000001")
    client.post("/auth/sign-out-everywhere")
    assert other.get("/auth/account").status_code == 302
    assert client.get("/auth/account").status_code == 302


def test_language_and_elder_mode_follow_the_account(app, login, client):
    login("13800000002")
    client.post("/preferences/language", data={"lang": "en", "next": "/"})
    client.post("/preferences/elder-mode", data={"enabled": "1", "next": "/"})
    phone = app.test_client()
    phone.post("/auth/login", data={"username": "13800000002", "password": DEMO_PASSWORD})
    assert '<html lang="en" class="elder">' in phone.get("/").get_data(as_text=True)


# Pages are answered early to a signed-in session holding no more than the sign-in's named marks
# (portal.page_shortcut): a mark a sign-in adds without naming it would turn that off, or let through
# a session that should not be.
def _marks(client) -> set:
    client.get("/auth/account")  # shows, and so drops, a flashed message
    with client.session_transaction() as session:
        return set(session) - {"csrf_token"}


@pytest.mark.parametrize("username", ["13800000001", "officer.jw"])  # password; password and TOTP
def test_a_sign_in_leaves_only_its_named_marks_in_the_session(login, client, username):
    login(username)
    assert _marks(client) == SIGN_IN_SESSION_KEYS - {"mfa_time"}


def test_turning_the_second_factor_on_leaves_only_named_marks(client, login):
    login("13800000001")
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page).group(1)
    client.post("/auth/mfa/setup", data={"code": pyotp.TOTP(secret).now()})
    assert _marks(client) == SIGN_IN_SESSION_KEYS


def test_a_changed_password_leaves_only_named_marks(client, login):
    login("13800000001")
    client.post("/auth/password", data={"current_password": DEMO_PASSWORD, "password": "Another-2026-portal",
                                        "confirm": "Another-2026-portal"})
    assert client.get("/auth/account").status_code == 200  # still signed in
    assert _marks(client) == SIGN_IN_SESSION_KEYS - {"mfa_time"}
