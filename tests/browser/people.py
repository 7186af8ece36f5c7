"""Signing in through the real pages, as a person does, second factor included."""

from __future__ import annotations

from tests.helpers import DEMO_PASSWORD, totp_code


def sign_in(page, username: str, path: str | None = None, *, second_factor: bool = False) -> None:
    """Sign in on the login page (opened at `path`'s sign-in link when given).

    A TOTP code is accepted once, so a code already used by an earlier sign-in of the same
    account is followed by the next step's code, as a person would wait for the next one.
    """
    if path is not None:
        page.goto(f"/auth/login?next={path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    if second_factor:
        for steps_ahead in (0, 1, 2):
            page.fill("input[name=code]", totp_code(steps_ahead=steps_ahead))
            with page.expect_navigation():
                page.locator("form.form button[type=submit]").click()
            if "/auth/mfa" not in page.url:
                break
    assert "/auth/" not in page.url, page.url
