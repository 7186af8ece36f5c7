"""The collaboration desk and the resident's case pages in a real browser: axe-clean in standard
and elder mode, forms with their errors included, and usable without JavaScript."""

from __future__ import annotations

import re

from tests.browser.accessibility import axe_violations, set_elder_mode
from tests.browser.people import sign_in


def open_every_details(page) -> None:
    """Expand the collapsed action forms so that axe checks them too."""
    page.locator("details").evaluate_all("all => all.forEach(details => { details.open = true; })")


def assert_accessible(page, url: str) -> None:
    page.goto(url)
    open_every_details(page)
    assert axe_violations(page) == [], url
    assert len(page.content().encode()) < 60 * 1024, url


def first_case_link(page, query: str = "") -> str:
    page.goto("/gov/cases" + query)
    return page.locator("table.queue tbody tr td:first-child a").first.get_attribute("href")


def test_the_officers_desk_is_accessible_in_both_modes(new_context):
    page = new_context(locale="en-US").new_page()
    page.goto("/gov/")
    sign_in(page, "officer.jw", second_factor=True)
    assert page.get_by_role("heading", level=1).inner_text() == "Collaboration desk"
    case = first_case_link(page)
    transferring = first_case_link(page, "?state=transferring")
    for elder in (False, True):
        set_elder_mode(page, elder)
        for url in ("/gov/", "/gov/cases", "/gov/cases?state=all&overdue=y", case, transferring, "/gov/stats",
                    "/gov/messages"):
            assert_accessible(page, url)
        # A form sent with mistakes: the error summary and the marked field are accessible too.
        page.goto(case)
        page.locator("summary", has_text="Transfer to another department").click()
        with page.expect_navigation():
            page.locator("form[action$='/transfer'] button[type=submit]").click()
        assert page.locator("details[open] .error-summary").is_visible()
        assert axe_violations(page) == []


def test_the_administrators_pages_are_accessible_in_both_modes(new_context):
    page = new_context(locale="zh-CN").new_page()
    page.goto("/gov/calendar")
    sign_in(page, "admin", second_factor=True)
    for elder in (False, True):
        set_elder_mode(page, elder)
        for url in ("/gov/calendar", "/gov/calendar?year=2026", "/gov/announcements", "/gov/stats", "/gov/"):
            assert_accessible(page, url)
        page.goto("/gov/calendar")
        page.fill("input[name=year]", "2031")
        page.fill("textarea[name=holidays]", "not a date")
        with page.expect_navigation():
            page.locator("form.form button[type=submit]").click()
        assert page.locator(".error-summary").is_visible()
        assert axe_violations(page) == []


def test_the_residents_case_pages_are_accessible_in_both_modes(new_context):
    page = new_context(locale="en-US").new_page()
    page.goto("/citizen/cases")
    sign_in(page, "13800000001", second_factor=False)
    links = page.locator(".case-list a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    pages = {"/citizen/cases", "/citizen/requests/new", "/citizen/inbox", *links[:6]}
    for elder in (False, True):
        set_elder_mode(page, elder)
        for url in sorted(pages):
            assert_accessible(page, url)
        page.goto("/citizen/requests/new")
        with page.expect_navigation():
            page.locator("form.form button[type=submit]").click()
        assert page.locator(".error-summary").is_visible()
        assert axe_violations(page) == []
    # The demo has a case waiting for this resident's answer and one waiting for a rating.
    texts = []
    for url in links:
        page.goto(url)
        texts.append(page.content())
    assert any("The department needs more information" in t for t in texts)
    assert any("Rate how your case was handled" in t for t in texts)


def test_a_request_goes_round_the_loop_without_javascript(new_context):
    resident = new_context(locale="en-US", java_script_enabled=False).new_page()
    resident.goto("/citizen/requests/new")
    sign_in(resident, "13800000002", second_factor=False)
    resident.select_option("select[name=category]", label="Community affairs")
    resident.fill("input[name=title]", "Handrail loose on stairway 2")
    resident.fill("textarea[name=body]", "The handrail between the 2nd and 3rd floors is loose.")
    with resident.expect_navigation():
        resident.locator("form.form button[type=submit]").click()
    reference = re.search(r"SJ-\d{4}-\d{6}", resident.content()).group(0)

    officer = new_context(locale="en-US", java_script_enabled=False).new_page()
    officer.goto(f"/gov/cases?q={reference}")
    sign_in(officer, "officer.fs", second_factor=True)
    officer.goto(f"/gov/cases?q={reference}")
    with officer.expect_navigation():
        officer.get_by_role("link", name=reference).click()
    with officer.expect_navigation():
        officer.get_by_role("button", name="Sign for").click()
    officer.locator("summary", has_text="Reply to the sender").click()  # <details> needs no script
    officer.fill("textarea[name=reply-notes]", "The handrail was fixed this afternoon.")
    with officer.expect_navigation():
        officer.locator("form[action$='/reply'] button[type=submit]").click()
    assert "Done: Reply to the sender." in officer.content()

    resident.reload()
    assert "The handrail was fixed this afternoon." in resident.content()
    assert "Replied" in resident.content()
