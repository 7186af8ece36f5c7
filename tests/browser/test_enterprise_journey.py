"""Issue 6's journey in a real browser: the demo legal representative sees the company's matches
with their explanations, files an appeal that an officer of the right department answers on the
desk, and rates it; an agent the legal representative removes loses access at once. Every new
page passes axe in standard and elder mode, and stays under 60 KB."""

from __future__ import annotations

import re

from tests.browser.accessibility import axe_violations, set_elder_mode
from tests.browser.people import sign_in

REPRESENTATIVE, AGENT = "13800000011", "13800000012"



def assert_accessible(page, url: str) -> None:
    page.goto(url)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # axe checks them too
    assert axe_violations(page) == [], url
    assert len(page.content().encode()) < 60 * 1024, url


def company_url(page) -> str:
    page.goto("/enterprise/")
    # 上海松江智造科技有限公司, found by its code whatever the language.
    return page.locator("ul.cards li", has_text="91310117MA1FPX3K11").locator("a").first.get_attribute("href")


def test_the_enterprise_journey(new_context):
    representative = new_context(locale="en-US", java_script_enabled=False).new_page()
    representative.goto("/enterprise/")
    representative.goto("/auth/login?next=/enterprise/")
    sign_in(representative, REPRESENTATIVE)
    company = company_url(representative)

    # The matches, qualified first, each criterion explained and linked to its clause.
    representative.goto(f"{company}/matches")
    content = representative.content()
    assert "You qualify:" in content and "Near misses" in content
    first = representative.locator("ul.matches > li").first
    first.locator("summary").click()
    assert first.locator(".criterion").first.inner_text().startswith("Met")
    with representative.expect_navigation():
        first.locator(".criterion a").first.click()
    assert "#clause-1" in representative.url
    assert representative.locator("#clause-1").is_visible()

    # An appeal, routed by its category to the District Economic Commission.
    representative.goto(f"{company}/appeals/new")
    representative.select_option("select[name=category]", label="Enterprise appeal: financing")
    representative.fill("input[name=title]", "Guarantee for an equipment loan")
    representative.fill("textarea[name=body]", "Our bank asks for a guarantee for the new robot line.")
    with representative.expect_navigation():
        representative.locator("form.form button[type=submit]").click()
    reference = re.search(r"[A-Z]{1,8}-\d{4}-\d{6}", representative.content()).group(0)
    appeal_url = representative.url

    officer = new_context(locale="en-US", java_script_enabled=False).new_page()
    officer.goto(f"/gov/cases?q={reference}")
    sign_in(officer, "officer.jw", second_factor=True)
    officer.goto(f"/gov/cases?q={reference}")
    with officer.expect_navigation():
        officer.get_by_role("link", name=reference).click()
    with officer.expect_navigation():
        officer.get_by_role("button", name="Sign for").click()
    officer.locator("summary", has_text="Reply to the sender").click()
    officer.fill("textarea[name=reply-notes]", "The district guarantee fund will cover the loan; apply by Friday.")
    with officer.expect_navigation():
        officer.locator("form[action$='/reply'] button[type=submit]").click()
    assert "Done: Reply to the sender." in officer.content()
    with officer.expect_navigation():
        officer.get_by_role("button", name="Close").click()

    representative.goto(appeal_url)
    assert "The district guarantee fund will cover the loan" in representative.content()
    representative.get_by_label("Very satisfied").check()
    with representative.expect_navigation():
        representative.locator("form[action$='/rating'] button[type=submit]").click()
    assert "Thank you for your rating." in representative.content()

    # The agent acts for the company until the legal representative removes her.
    agent = new_context(locale="en-US", java_script_enabled=False).new_page()
    agent.goto("/auth/login?next=/enterprise/")
    sign_in(agent, AGENT)
    assert agent.goto(f"{company}/matches").status == 200
    representative.goto(f"{company}/agents")
    with representative.expect_navigation():
        representative.get_by_role("button", name=re.compile("^Remove ")).first.click()
    assert "can no longer act for the company" in representative.content()
    assert agent.goto(f"{company}/matches").status == 404
    assert agent.goto(company).status == 404


def test_the_enterprise_pages_are_accessible_in_both_modes(new_context):
    page = new_context(locale="zh-CN").new_page()
    page.goto("/auth/login?next=/enterprise/")
    sign_in(page, REPRESENTATIVE)
    company = company_url(page)
    page.goto(f"{company}/matches")
    policy = page.locator("ul.matches h3 a").first.get_attribute("href")
    page.goto(f"{company}/appeals")
    appeal = page.locator(".case-list h2 a").first.get_attribute("href")
    page.goto(f"{company}/code")
    card = page.locator("main a[href*='/enterprise/code/']").first.get_attribute("href")
    page.goto(f"{company}/services")
    service = page.locator("main ul.cards a").first.get_attribute("href")
    urls = [
        "/enterprise/", "/enterprise/register", company, f"{company}/agents", f"{company}/profile",
        f"{company}/matches", f"{company}/policies", f"{company}/policies?topic=innovation", policy,
        f"{company}/topics", f"{company}/code", card, "/enterprise/code?token=FORGED", f"{company}/services",
        service, f"{company}/appeals", f"{company}/appeals/new", appeal, f"{company}/inbox",
    ]
    for elder in (False, True):
        set_elder_mode(page, elder)
        for url in urls:
            assert_accessible(page, url)
        # Forms sent with mistakes: the errors are accessible too.
        page.goto("/enterprise/register")
        page.fill("input[name=uscc]", "91310117MA1FPX3K12")
        with page.expect_navigation():
            page.locator("form.form button[type=submit]").click()
        assert page.locator(".error-summary").is_visible()
        assert axe_violations(page) == []


def test_the_policy_authoring_pages_are_accessible_in_both_modes(new_context):
    page = new_context(locale="en-US").new_page()
    page.goto("/gov/policies")
    sign_in(page, "officer.jw", second_factor=True)
    page.goto("/gov/policies")
    policy = page.locator("table.data tbody a").first.get_attribute("href")
    for elder in (False, True):
        set_elder_mode(page, elder)
        for url in ("/gov/policies", "/gov/policies/new", policy, "/gov/enterprises/verifications"):
            assert_accessible(page, url)
        page.goto("/gov/policies/new")
        page.fill("input[name=title_zh]", "数字化转型券")
        page.select_option("select[name=rows-0-attr]", "employees")
        page.select_option("select[name=rows-0-op]", ">=")
        page.fill("input[name=rows-0-value]", "ten")
        with page.expect_navigation():
            page.locator("form.form > button[type=submit]").click()
        assert page.locator(".error-summary").first.is_visible()
        assert page.locator("input[name=rows-0-value]").input_value() == "ten"
        assert axe_violations(page) == []
