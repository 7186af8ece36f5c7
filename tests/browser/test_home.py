import pytest

from tests.browser.accessibility import axe_violations, set_elder_mode


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_home_page_has_no_accessibility_violations(new_context, locale, elder):
    page = new_context(locale=locale).new_page()
    page.goto("/")
    set_elder_mode(page, elder)
    assert (page.locator("html").get_attribute("class") == "elder") is elder
    assert axe_violations(page) == []


def test_axe_check_catches_a_page_with_violations(page):
    # A deliberately broken page, never served by the product: proves the check can fail.
    page.set_content(
        '<html><body><img src="x.png"><a href="/"></a>'
        '<p style="color:#ccc;background:#fff">faint</p><input type="text"></body></html>'
    )
    rules = {violation["rule"] for violation in axe_violations(page)}
    assert {"image-alt", "link-name", "color-contrast", "html-has-lang", "label"} <= rules


def test_language_switch_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/citizen/")
    page.get_by_role("button", name="English").click()
    assert page.url.endswith("/citizen/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "For residents"


def test_home_page_reflows_on_a_narrow_screen(new_context):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto("/")
    set_elder_mode(page, True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320


def test_elder_mode_enlarges_text_and_targets(page):
    page.goto("/")
    set_elder_mode(page, True)
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size >= 24
    for button in page.locator("header button").all():
        box = button.bounding_box()
        assert box["width"] >= 60 and box["height"] >= 60
