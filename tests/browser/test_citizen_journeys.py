"""Whole journeys across the citizen end and the desk, on a phone-sized screen: the city code
checked at a window, an online application worked by the desk, and a son filing for his mother."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from portal.city_code import CODE_LIFETIME
from portal.codes import Keyring, Purpose, issue
from portal.models.base import utcnow
from tests.browser.accessibility import axe_violations, set_elder_mode
from tests.browser.people import sign_in

RESIDENT, ELDER, SON, OTHER = "13800000001", "13800000002", "13800000003", "13800000011"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PAGE_BUDGET_BYTES = 60 * 1024



def assert_accessible_in_both_modes(page, url: str) -> None:
    for elder in (False, True):
        page.goto(url)
        set_elder_mode(page, elder)
        assert axe_violations(page) == [], (url, elder)
        assert len(page.content().encode()) < PAGE_BUDGET_BYTES, url
    set_elder_mode(page, False)
    page.goto(url)


def submit(page, button_name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button_name).click()


# --- the city code at a service window ------------------------------------------------------


@pytest.fixture
def live_codes(live_settings):
    """Codes for the demo resident signed with the live server's keys, at a time of our choosing."""
    engine = create_engine(live_settings["DATABASE_URL"])
    with engine.connect() as conn:
        public_id = conn.execute(text("SELECT public_id FROM account WHERE mobile = :m"), {"m": RESIDENT}).scalar()
    engine.dispose()
    keyring = Keyring.from_config("1:derived", "1", secret_key=live_settings["SECRET_KEY"])

    def make(ago: timedelta = timedelta(0)) -> str:
        return issue(keyring, Purpose.CITY_CODE, public_id, lifetime=CODE_LIFETIME, now=utcnow() - ago)[0]

    return make


def test_the_code_page_swaps_in_the_next_code_when_the_shown_one_has_had_its_minute(new_context):
    resident = new_context(locale="en-US").new_page()
    resident.clock.install()
    sign_in(resident, RESIDENT, "/citizen/code")
    shown = resident.locator("#numeric-code")
    first = shown.inner_text()
    resident.goto("/citizen/code")  # opened again within its minute: the same code, for what is left of it
    assert shown.inner_text() == first
    left = int(resident.locator(".city-code").get_attribute("data-refresh"))
    assert 10 <= left <= 60
    resident.clock.run_for(left * 1000 + 500)
    expect(shown).not_to_have_text(first)
    second = shown.inner_text()
    resident.clock.run_for(60_500)  # and a minute later the next one
    expect(shown).not_to_have_text(second)


def verify(officer, code: str) -> str:
    officer.fill("input[name=code]", code)
    submit(officer, "Check the code")
    return officer.locator(".code-result").inner_text()


def test_an_officer_verifies_the_code_and_refuses_replayed_expired_and_altered_ones(new_context, live_codes):
    resident = new_context(locale="en-US").new_page()
    sign_in(resident, RESIDENT, "/citizen/code")
    digits = resident.locator("#numeric-code").inner_text()
    assert re.fullmatch(r"[\d ]{8,}", digits)
    assert resident.locator("#city-qr svg").count() == 1

    officer = new_context(locale="en-US").new_page()
    sign_in(officer, "officer.fs", "/gov/verify", second_factor=True)
    assert officer.get_by_role("heading", level=1).inner_text() == "Check a city code"
    officer.get_by_label("Identity check").check()
    shown = verify(officer, digits)
    assert "Verified" in shown and "李*" in shown and "Not verified" not in shown
    assert "310117" not in officer.content()  # never the ID number
    assert axe_violations(officer) == []

    assert "already been used" in verify(officer, digits)
    assert "has expired" in verify(officer, live_codes(ago=timedelta(minutes=10)))
    fresh = live_codes()
    altered = fresh[:20] + ("A" if fresh[20] != "A" else "B") + fresh[21:]
    assert "not genuine" in verify(officer, altered)
    assert verify(officer, fresh).startswith("Verified")  # the unaltered one was good

    # The resident sees who checked the code.
    resident.goto("/citizen/code/history")
    assert "Verified" in resident.content()
    assert_accessible_in_both_modes(officer, "/gov/verify")


# --- an online application, worked by the desk ------------------------------------------------


@pytest.fixture
def pdf_file(tmp_path) -> Path:
    path = tmp_path / "劳动合同.pdf"
    path.write_bytes(PDF)
    return path


def test_a_resident_applies_with_a_draft_follows_the_desk_and_rates(new_context, pdf_file, tmp_path):
    resident = new_context(locale="en-US").new_page()
    sign_in(resident, RESIDENT, "/citizen/services/residence-permit")
    with resident.expect_navigation():
        resident.get_by_role("link", name="Apply online").click()
    assert_accessible_in_both_modes(resident, resident.url)

    # Start, attach the contract, save a draft, and come back to it from "My applications".
    resident.fill("input[name=applicant_name]", "李明")
    resident.set_input_files("input[name=contract]", str(pdf_file))
    submit(resident, "Save as a draft")
    assert "/applications/drafts/" in resident.url
    draft_url = resident.url
    resident.goto("/citizen/applications")
    assert_accessible_in_both_modes(resident, "/citizen/applications")
    with resident.expect_navigation():
        resident.locator(f"a[href$='{draft_url.rsplit('/', 1)[-1]}']").click()
    assert resident.input_value("input[name=applicant_name]") == "李明"
    assert "Kept from your draft: 劳动合同.pdf" in resident.content()
    assert_accessible_in_both_modes(resident, draft_url)

    # A bad answer keeps what was typed.
    resident.fill("input[name=contact_phone]", "13800000001")
    submit(resident, "Send the application")
    assert resident.locator(".error-summary").is_visible()
    assert resident.input_value("input[name=contact_phone]") == "13800000001"
    assert axe_violations(resident) == []
    resident.fill("textarea[name=address]", "松江区人民北路1号")
    submit(resident, "Send the application")
    reference = re.search(r"SJ-\d{4}-\d{6}", resident.content()).group(0)
    application_url = resident.url
    public_id = application_url.rsplit("/", 1)[-1]
    assert_accessible_in_both_modes(resident, application_url)
    with resident.expect_download() as download:
        resident.get_by_role("link", name="劳动合同.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF
    file_url = download.value.url

    # The desk signs for it and replies; the resident follows each step.
    officer = new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(officer, "admin", f"/gov/cases/{public_id}", second_factor=True)
    officer.goto(f"/gov/cases/{public_id}")
    assert "劳动合同.pdf" in officer.content()
    submit(officer, "Sign for")
    resident.goto(f"/citizen/cases/{public_id}")
    assert "Signed for" in resident.content()
    officer.locator("summary", has_text="Reply to the sender").click()
    officer.fill("textarea[name=reply-notes]", "Approved: collect the permit at the centre.")
    with officer.expect_navigation():
        officer.locator("form[action$='/reply'] button[type=submit]").click()
    submit(officer, "Close")
    resident.reload()
    assert "Approved: collect the permit at the centre." in resident.content()

    resident.get_by_label("Very satisfied").check()
    submit(resident, "Send the rating")
    assert "Thank you for your rating." in resident.content()

    # Another resident reaches nothing of it.
    other = new_context(locale="en-US").new_page()
    sign_in(other, OTHER, "/citizen/applications")
    for url in [f"/citizen/cases/{public_id}", application_url, file_url, draft_url]:
        response = other.request.get(url)
        assert response.status in (403, 404), url
    assert reference not in other.content()


# --- a son applies for his mother, until she revokes it ----------------------------------------


def test_the_son_files_for_his_mother_and_her_revocation_stops_him_at_once(new_context, pdf_file):
    son = new_context(locale="en-US").new_page()
    sign_in(son, SON, "/citizen/family")
    with son.expect_navigation():
        son.get_by_role("button", name=re.compile("^Act for ")).click()
    son.goto("/citizen/services/respect-card/apply")
    assert "You are applying for" in son.content()
    assert_accessible_in_both_modes(son, "/citizen/services/respect-card/apply")
    son.fill("input[name=applicant_name]", "王秀英")
    son.fill("input[name=contact_phone]", "13800000002")
    son.set_input_files("input[name=photo]", str(pdf_file))
    submit(son, "Send the application")
    reference = re.search(r"SJ-\d{4}-\d{6}", son.content()).group(0)

    elder = new_context(locale="en-US").new_page()
    sign_in(elder, ELDER, "/citizen/applications")
    assert reference in elder.content()  # filed in her name
    elder.goto("/citizen/family")
    with elder.expect_navigation():
        elder.get_by_role("button", name="End it now").first.click()

    son.goto("/citizen/services/respect-card/apply")
    assert "You are no longer acting for" in son.content()
    assert "You are applying for" not in son.content()
    son.goto("/citizen/applications")
    assert reference not in son.content()
