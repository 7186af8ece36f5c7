"""Signing in through the real pages, as a person does, second factor included."""

from __future__ import annotations

from tests.helpers import DEMO_PASSWORD, totp_attempts


def sign_in(page, username: str, path: str | None = None, *, second_factor: bool = False) -> None:
    """Sign in on the login page (opened at `path`'s sign-in link when given).

    A TOTP code is accepted once, so codes already used by earlier sign-ins of the same account are
    followed by the ones a person would try next (`totp_attempts`).
    """
    if path is not None:
        page.goto(f"/auth/login?next={path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    if second_factor:
        for code in totp_attempts():
            page.fill("input[name=code]", code)
            with page.expect_navigation():
                page.locator("form.form button[type=submit]").click()
            if "/auth/mfa" not in page.url:
                break
    assert "/auth/" not in page.url, page.url
