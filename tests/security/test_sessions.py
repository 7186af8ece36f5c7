"""Session fixation and sign-out. The session lives in a signed cookie: signing in (and passing the
second factor) must replace it, so that a cookie planted or read before sign-in never carries the
new identity, and a CSRF token from before sign-in no longer works after it. Signing out ends the
browser's session; signing out everywhere (or changing the password) also ends every copy of it."""

from __future__ import annotations

from tests.helpers import DEMO_PASSWORD, totp_code
from tests.security.world import Browser, fresh_authenticator


def _cookie(browser: Browser) -> str | None:
    cookie = browser.client.get_cookie("session")
    return cookie.value if cookie is not None else None


def _plant(browser: Browser, value: str | None) -> None:
    if value is None:
        browser.client.delete_cookie("session")
    else:
        browser.client.set_cookie("session", value)


def _signed_in(browser: Browser) -> bool:
    return browser.get("/auth/account").status_code == 200


def test_signing_in_replaces_the_session(world, csrf_app):
    browser = Browser(csrf_app)
    page = browser.get("/auth/login").get_data(as_text=True)
    planted = _cookie(browser)
    assert planted, "the sign-in page starts a session (it holds the CSRF token)"
    from tests.security.world import csrf_token_in

    old_token = csrf_token_in(page)
    response = browser.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD,
                                                 "csrf_token": old_token})
    assert response.status_code == 302
    after = _cookie(browser)
    assert after and after != planted
    # Someone holding the cookie from before sign-in (planted, or read over a shoulder) is not let in.
    attacker = Browser(csrf_app)
    _plant(attacker, planted)
    assert not _signed_in(attacker)
    # Nor does the CSRF token of the old session work in the new one.
    refused = browser.post("/preferences/language", data={"lang": "en", "next": "/", "csrf_token": old_token})
    assert refused.status_code == 400
    assert _signed_in(browser)


def test_the_second_factor_replaces_the_session_again(world, csrf_app):
    from tests.security.world import csrf_token_in

    browser = Browser(csrf_app)
    page = browser.get("/auth/login").get_data(as_text=True)
    first = browser.post("/auth/login", data={"username": "officer.jw", "password": DEMO_PASSWORD,
                                              "csrf_token": csrf_token_in(page)})
    assert "/auth/mfa" in first.headers["Location"]
    half_way = _cookie(browser)
    page = browser.get(first.headers["Location"]).get_data(as_text=True)
    fresh_authenticator(csrf_app, "officer.jw")
    second = browser.post(first.headers["Location"], data={"code": totp_code(), "csrf_token": csrf_token_in(page)})
    assert second.status_code == 302 and "/auth/" not in second.headers["Location"]
    assert browser.get("/gov/").status_code == 200
    assert _cookie(browser) != half_way
    # The cookie between the password and the code opens nothing of the desk.
    attacker = Browser(csrf_app)
    _plant(attacker, half_way)
    response = attacker.get("/gov/")
    assert response.status_code == 302 and "/auth/" in response.headers["Location"]
    assert not _signed_in(attacker)


def test_a_half_signed_in_session_expires(world, monkeypatch):
    """The password step alone is good for five minutes, then the code is not accepted."""
    import time

    from auth import views

    browser = Browser(world.app)
    first = browser.post("/auth/login", data={"username": "officer.fs", "password": DEMO_PASSWORD})
    assert "/auth/mfa" in first.headers["Location"]
    real = time.time
    monkeypatch.setattr(views.time, "time", lambda: real() + views.PENDING_SECOND_FACTOR_SECONDS + 1)
    fresh_authenticator(world.app, "officer.fs")
    late = browser.post("/auth/mfa", data={"code": totp_code()})
    assert late.status_code == 302 and "/auth/login" in late.headers["Location"]


def test_signing_out_ends_the_browsers_session(world):
    browser = Browser(world.app)
    browser.sign_in("13800000001")
    assert _signed_in(browser)
    response = browser.post("/auth/logout", data={})
    assert response.status_code == 302
    assert not _signed_in(browser)
    assert browser.get("/citizen/cases").status_code == 302


def test_signing_out_everywhere_ends_every_copy_of_the_cookie(world):
    phone, stolen = Browser(world.app), Browser(world.app)
    phone.sign_in("13800000003")
    _plant(stolen, _cookie(phone))
    assert _signed_in(stolen)
    assert phone.post("/auth/sign-out-everywhere", data={}).status_code == 302
    assert not _signed_in(phone)
    assert not _signed_in(stolen), "a copy of the cookie still works after signing out everywhere"


def test_a_password_change_ends_every_other_session(world):
    laptop, phone = Browser(world.app), Browser(world.app)
    laptop.sign_in("13800000022")
    phone.sign_in("13800000022")
    changed = "Changed-2026-portal!"
    response = laptop.post("/auth/password", data={"current_password": DEMO_PASSWORD, "password": changed,
                                                   "confirm": changed})
    assert response.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)


def test_a_forged_session_cookie_is_ignored(world):
    """A cookie naming the victim but signed with another key, or the victim's own with a changed
    signature, is no session at all."""
    from flask.sessions import SecureCookieSessionInterface

    victim = Browser(world.app)
    victim.sign_in("13800000001")
    genuine = _cookie(victim)
    ours = SecureCookieSessionInterface().get_signing_serializer(world.app)
    identity = ours.loads(genuine)["_user_id"]
    kept = world.app.config["SECRET_KEY"]
    try:
        world.app.config["SECRET_KEY"] = "another-secret-key-that-only-the-attacker-has"
        forged = SecureCookieSessionInterface().get_signing_serializer(world.app).dumps(
            {"_user_id": identity, "_fresh": True})
    finally:
        world.app.config["SECRET_KEY"] = kept
    attacker = Browser(world.app)
    _plant(attacker, forged)
    assert not _signed_in(attacker)
    _plant(attacker, genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB"))
    assert not _signed_in(attacker)
    _plant(attacker, genuine)
    assert _signed_in(attacker), "the control: the genuine cookie does carry the identity"
