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


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_registration_codes_page_is_accessible_empty_and_refusing(new_context, locale, elder):
    page = new_context(locale=locale).new_page()
    page.goto("/")
    set_elder_mode(page, elder)
    page.goto("/auth/register")
    number = f"139{int(elder)}{int(locale == 'zh-CN')}000077"
    for name, value in (("real_name", "钱七"), ("mobile", number), ("resident_id_number", "310117199001011235"),
                        ("password", "Another-2026-portal"), ("confirm", "Another-2026-portal")):
        page.fill(f"input[name={name}]", value)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").first.click()
    assert page.url.endswith("/auth/register/confirm")
    assert f"{number[:3]}****{number[-4:]}" in page.content()
    assert axe_violations(page) == []
    page.fill("input[name=code]", "0000000")  # seven digits: never a code sent
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").first.click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []


def sign_in(page, username, password=DEMO_PASSWORD):
    page.goto("/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()


def enter_second_factor(page):
    """Type the app's code as a person would: the next one when this one was used already."""
    for code in totp_attempts():
        page.fill("input[name=code]", code)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if "/auth/mfa" not in page.url:
            break


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
    enter_second_factor(page)
    assert page.url.endswith("/gov/")
    assert page.get_by_role("heading", level=1).inner_text() == "Collaboration desk"
    assert axe_violations(page) == []


def test_moving_the_authenticator_and_its_refusal_are_accessible_in_both_languages_and_modes(new_context):
    """The setup page as it asks the password (an authenticator already on), empty and refusing a
    wrong one, in Chinese and English, standard and elder mode."""
    page = new_context().new_page()
    sign_in(page, "lead.fs")
    enter_second_factor(page)
    for language, replaces in (("zh", "新的验证器应用将取代"), ("en", "This replaces the authenticator app")):
        with page.expect_navigation():
            page.locator(f"header button[name=lang][value={language}]").click()
        for elder in (False, True):
            set_elder_mode(page, elder)
            page.goto("/auth/account")
            with page.expect_navigation():
                page.locator("a[href='/auth/mfa/setup']").click()
            assert replaces in page.content() and page.locator("input[name=password]").is_visible()
            assert axe_violations(page) == [], (language, elder)
            page.fill("input[name=code]", "000000")
            page.fill("input[name=password]", "Not-the-password-2026")
            with page.expect_navigation():
                page.locator("form.form button[type=submit]").click()
            assert page.locator(".error-summary").is_visible()
            assert axe_violations(page) == [], (language, elder, "refused")
    # Four wrong passwords, below the lock; the right one gives the attempts back (a code that is no
    # code, so that the authenticator on stays).
    page.fill("input[name=code]", "not-a-code")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
