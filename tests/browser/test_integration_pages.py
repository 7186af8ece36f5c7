"""The pages of the machine interfaces in a real browser: the desk's webhook and Open311 key pages,
the failed-jobs page and the API reference are axe-clean in both languages and both modes, and an
administrator registers a webhook and issues a key without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import axe_violations, set_elder_mode
from tests.browser.people import sign_in

CLIENT = "demo-dept-system"
HOOK = "http://127.0.0.1:8999/hooks/portal"


# The API reference documents every operation and schema on one page for integrators; the 60 KB
# budget is for the pages people use to get something done.
LONG_REFERENCE = "/api/v1/docs"


def assert_accessible(page, url: str) -> None:
    page.goto(url)
    assert axe_violations(page) == [], url
    if url != LONG_REFERENCE:
        assert len(page.content().encode()) < 60 * 1024, url


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_integration_pages_are_accessible_in_both_modes(new_context, locale):
    page = new_context(locale=locale).new_page()
    page.goto("/gov/open311-keys")
    sign_in(page, "admin", second_factor=True)
    for elder in (False, True):
        set_elder_mode(page, elder)
        for url in (f"/gov/clients/{CLIENT}/webhooks", f"/gov/clients/{CLIENT}/webhooks/new",
                    "/gov/open311-keys", "/gov/jobs", LONG_REFERENCE):
            assert_accessible(page, url)
        # A form sent with mistakes: the error summary and the marked field are accessible too.
        page.goto(f"/gov/clients/{CLIENT}/webhooks/new")
        page.fill("input[name=url]", "ftp://example.org/hook")
        with page.expect_navigation():
            page.locator("form.form button[type=submit]").click()
        assert page.locator(".error-summary").is_visible()
        assert axe_violations(page) == []


def test_an_administrator_adds_a_webhook_and_issues_a_key_without_javascript(new_context):
    # axe runs as a script, so these pages' accessibility is checked in the test above, not here.
    page = new_context(locale="en-US", java_script_enabled=False).new_page()
    page.goto(f"/gov/clients/{CLIENT}/webhooks")
    sign_in(page, "admin", second_factor=True)

    page.goto(f"/gov/clients/{CLIENT}/webhooks/new")
    page.fill("input[name=url]", HOOK)
    with page.expect_navigation():
        page.get_by_role("button", name="Add the webhook").click()
    assert "whsec_" in page.content()  # the signing secret, shown this once
    page.goto(f"/gov/clients/{CLIENT}/webhooks")
    assert page.get_by_role("button", name=f"Disable the webhook to {HOOK}").is_visible()

    page.goto("/gov/open311-keys")
    page.select_option("select[name=client]", value=CLIENT)
    page.fill("input[name=label]", "Street-light app")
    with page.expect_navigation():
        page.get_by_role("button", name="Issue a key").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Open311 API key for")
    page.goto("/gov/open311-keys")
    assert "Street-light app" in page.content()
