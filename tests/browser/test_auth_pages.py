import pytest

from tests.browser.accessibility import axe_violations, set_elder_mode
from tests.helpers import DEMO_PASSWORD, totp_attempts

PUBLIC_PAGES = ["/auth/login", "/auth/register", "/auth/reset", "/auth/reset/confirm"]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_sign_in_pages_have_no_accessibility_violations(new_context, locale, elder):
    page = new_context(locale=locale).new_page()
    page.goto("/")
    set_elder_mode(page, elder)
    for url in PUBLIC_PAGES:
        page.goto(url)
        assert axe_violations(page) == [], url
    # Pages showing errors must be as accessible as the empty ones.
    page.goto("/auth/register")
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []


def sign_in(page, username, password=DEMO_PASSWORD):
    page.goto("/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_account_and_second_factor_pages_are_accessible(new_context, elder):
    page = new_context().new_page()
    page.goto("/")
    set_elder_mode(page, elder)
    sign_in(page, "13800000003")
    page.goto("/auth/account")
    assert "3101**********3019" in page.content()
    assert axe_violations(page) == []
    for url in ["/auth/password", "/auth/mfa/setup"]:
        page.goto(url)
        assert axe_violations(page) == [], url


def test_officer_signs_in_with_keyboard_and_code_and_reaches_the_desk(new_context):
    page = new_context(locale="en-US").new_page()
    page.goto("/gov/")
    assert "/auth/login" in page.url
    page.keyboard.press("Tab")  # skip link
    page.locator("input[name=username]").focus()
    page.keyboard.type("officer.jw")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/auth/mfa**")
    assert axe_violations(page) == []
    for code in totp_attempts():
        page.fill("input[name=code]", code)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if "/auth/mfa" not in page.url:
            break
    assert page.url.endswith("/gov/")
    assert page.get_by_role("heading", level=1).inner_text() == "Collaboration desk"
    assert axe_violations(page) == []
