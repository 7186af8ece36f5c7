"""The citizen pages in Chromium: axe in standard and elder mode, the live code's refresh,
and the read-aloud button's presence."""

from __future__ import annotations

import re

import pytest

from tests.browser.accessibility import axe_violations, set_elder_mode
from tests.helpers import DEMO_PASSWORD

ELDER = "13800000002"


def sign_in(page, username, password=DEMO_PASSWORD):
    page.goto("/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()


PAGES = [
    "/citizen/",
    "/citizen/help",
    "/citizen/code",
    "/citizen/code/history",
    "/citizen/services",
    "/citizen/services?q=jzz",
    "/citizen/services?q=%E9%95%BF%E8%BE%88%E7%89%88",  # 长辈版: offers the elder-mode switch
    "/citizen/services?event=retirement",
    "/citizen/services?department=mzj",
    "/citizen/services/elder-allowance",
    "/citizen/family",
    "/citizen/family/invite",
]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_citizen_pages_have_no_accessibility_violations(new_context, locale, elder):
    page = new_context(locale=locale).new_page()
    page.goto("/")
    set_elder_mode(page, elder)
    sign_in(page, ELDER)
    for url in PAGES:
        page.goto(url)
        assert axe_violations(page) == [], url
    # A paper code's print page, and the invitation form showing its errors.
    page.goto("/citizen/code")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("新的纸质码|new paper code")).click()
    assert "/citizen/code/paper/" in page.url
    assert axe_violations(page) == []
    page.goto("/citizen/family/invite")
    page.fill("input[name=mobile]", "123")
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("input[name=mobile]").input_value() == "123"
    assert axe_violations(page) == []


def test_standard_mode_targets_are_at_least_24_px(new_context):
    page = new_context().new_page()
    sign_in(page, ELDER)
    for url in ["/citizen/", "/citizen/code", "/citizen/services?event=birth", "/citizen/family"]:
        page.goto(url)
        small = page.evaluate(
            # Links inside a sentence are exempt (WCAG 2.5.8's inline exception).
            """() => [...document.querySelectorAll('main a, main button, main input, main select')]
                .filter(el => el.offsetParent !== null && getComputedStyle(el).display !== 'inline')
                .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
                .filter(([, r]) => r.width < 24 || r.height < 24)
                .map(([html]) => html)"""
        )
        assert small == [], url


def test_the_live_code_refreshes_without_reloading_the_page(new_context):
    page = new_context().new_page()
    sign_in(page, "13800000001")
    page.goto("/citizen/code")
    before = page.locator("#numeric-code").inner_text()
    svg_before = page.locator("#city-qr svg").inner_html()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    for _ in range(50):  # wait_for_function would need eval, which the page's CSP forbids
        if page.locator("#numeric-code").inner_text() != before:
            break
        page.wait_for_timeout(100)
    assert re.fullmatch(r"\d{5} \d{5}", page.locator("#numeric-code").inner_text())
    assert page.locator("#city-qr svg").inner_html() != svg_before
    assert page.locator("#city-qr svg[role=img]").count() == 1


def test_the_code_page_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, "13800000001")
    page.goto("/citizen/code")
    assert page.locator("#city-qr svg").count() == 1
    assert re.fullmatch(r"\d{5} \d{5}", page.locator("#numeric-code").inner_text())


FAKE_ZH_VOICE = """
Object.defineProperty(window.speechSynthesis, 'getVoices', {
  value: () => [{lang: 'zh-CN', name: 'Test voice', voiceURI: 'test', localService: true, default: true}]
});
"""


def test_read_aloud_appears_only_when_a_chinese_voice_exists(new_context):
    page = new_context().new_page()
    page.goto("/")
    set_elder_mode(page, True)
    page.goto("/citizen/")
    page.wait_for_timeout(1500)  # Chromium lists its voices asynchronously
    has_voice = page.evaluate(
        "() => 'speechSynthesis' in window && speechSynthesis.getVoices().some(v => v.lang.startsWith('zh'))"
    )
    assert page.locator("#read-aloud").is_visible() is has_voice
    with_voice = new_context()
    with_voice.add_init_script(FAKE_ZH_VOICE)
    page = with_voice.new_page()
    page.goto("/")
    set_elder_mode(page, True)
    page.goto("/citizen/")
    assert page.locator("#read-aloud").is_visible()
    assert axe_violations(page) == []
