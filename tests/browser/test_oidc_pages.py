"""The provider's pages in a real browser: consent, allowed applications, logout, errors, and the
client registry, each axe-clean in standard and elder mode and usable without JavaScript."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlencode

import pytest

from tests.browser.accessibility import axe_violations, set_elder_mode
from tests.helpers import DEMO_PASSWORD, totp_attempts

VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
CALLBACK = "http://127.0.0.1:8001/callback"
DEPT_SYSTEM_NAME = "区数据局 示范业务系统 (Demo department system)"


def authorize_path(**extra) -> str:
    params = {"response_type": "code", "client_id": "demo-dept-system", "redirect_uri": CALLBACK,
              "scope": "openid profile phone", "state": "s", "nonce": "n-" + extra.pop("nonce", "1"),
              "code_challenge": CHALLENGE, "code_challenge_method": "S256", **extra}
    return "/oidc/authorize?" + urlencode(params)


def sign_in(page, username, *, second_factor=False, wait=True):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    if not wait:
        page.locator("form.form button[type=submit]").click()
        return
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    if second_factor:
        for code in totp_attempts():
            page.fill("input[name=code]", code)
            with page.expect_navigation():
                page.locator("form.form button[type=submit]").click()
            if "/auth/mfa" not in page.url:
                break


def allow_and_return_to_the_client(page) -> str:
    """Press Allow; returns the address the browser was sent back to (nobody listens there)."""
    with page.expect_request(lambda request: request.url.startswith(CALLBACK)) as sent_back:
        page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url("chrome-error://**")  # connection refused: no department system is running
    return sent_back.value.url


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_consent_and_applications_pages_are_accessible(new_context, elder):
    page = new_context(locale="en-US").new_page()
    page.goto("/")
    set_elder_mode(page, elder)
    page.goto(authorize_path(prompt="consent", nonce=f"consent-{elder}"))
    assert "/auth/login" in page.url
    sign_in(page, "13800000012")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Allow ")
    assert page.get_by_text("Your mobile number").is_visible()
    assert axe_violations(page) == []

    assert allow_and_return_to_the_client(page).startswith(CALLBACK + "?code=")

    page.goto("/auth/applications")
    assert page.get_by_role("heading", level=2, name=DEPT_SYSTEM_NAME).is_visible()
    assert axe_violations(page) == []


def test_consent_and_withdrawal_work_without_javascript(new_context):
    page = new_context(locale="en-US", java_script_enabled=False).new_page()
    page.goto(authorize_path(prompt="consent", nonce="no-js"))
    sign_in(page, "13800000011")
    assert allow_and_return_to_the_client(page).startswith(CALLBACK + "?code=")

    # Signed out and back: consent is remembered, so the sign-in form itself ends at the client,
    # which the page's Content-Security-Policy (form-action) must allow.
    page.context.clear_cookies()
    page.goto(authorize_path(nonce="no-js-again"))
    with page.expect_request(lambda request: request.url.startswith(CALLBACK)) as sent_back:
        sign_in(page, "13800000011", wait=False)
    assert "code=" in sent_back.value.url
    page.wait_for_url("chrome-error://**")

    page.goto("/auth/applications")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Withdraw permission for {DEPT_SYSTEM_NAME}").click()
    assert page.get_by_text("have not allowed any application").is_visible()
    assert page.get_by_role("status").inner_text().endswith("can no longer use your account.")


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_error_logout_and_signed_out_pages_are_accessible(new_context, elder):
    page = new_context(locale="en-US").new_page()
    page.goto("/")
    set_elder_mode(page, elder)
    page.goto(authorize_path(redirect_uri=CALLBACK + "/", nonce=f"err-{elder}"))
    assert page.get_by_role("heading", level=1).inner_text() == "This sign-in request cannot be used"
    assert axe_violations(page) == []

    page.goto("/auth/login")
    sign_in(page, "13800000012")
    page.goto("/oidc/logout?client_id=demo-dept-system")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign out of the portal?"
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out", exact=True).last.click()
    assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"
    assert axe_violations(page) == []


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_client_registry_pages_are_accessible(new_context, elder):
    page = new_context(locale="en-US").new_page()
    page.goto("/")
    set_elder_mode(page, elder)
    page.goto("/gov/clients")
    sign_in(page, "admin", second_factor=True)
    assert page.url.endswith("/gov/clients")
    assert page.get_by_role("heading", level=1).inner_text() == "Department systems"
    assert axe_violations(page) == []

    page.get_by_role("link", name="Register a department system").click()
    page.wait_for_url("**/gov/clients/new")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Register the system").click()  # empty: errors shown
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []

    page.fill("input[name=name]", f"Browser test system {int(elder)}")
    page.get_by_label("Redirect addresses", exact=True).fill("https://browser-test.example.gov.cn/callback")
    page.get_by_label("Your name, login name and language").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Register the system").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Browser test system {int(elder)} is registered"
    assert page.locator("code.secret").count() == 2
    assert axe_violations(page) == []
