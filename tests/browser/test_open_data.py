"""The catalogue in Chromium, on the live server that `seed-demo` set up: axe finds nothing, in
both languages and in elder mode, and a visitor finds and downloads a dataset without JavaScript."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.browser.accessibility import axe_violations, set_elder_mode

PAGES = ["/data", "/data?q=statistics", "/data/cases-by-department", "/data/service-catalogue",
         "/data/enterprises-by-town-and-industry"]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_open_data_pages_have_no_accessibility_violations(new_context, locale, elder):
    page = new_context(locale=locale).new_page()
    page.goto("/data")
    set_elder_mode(page, elder)
    for url in PAGES:
        page.goto(url)
        assert axe_violations(page) == [], url


def test_a_visitor_finds_a_dataset_and_downloads_it_without_javascript(new_context):
    page = new_context(locale="en-US", java_script_enabled=False, accept_downloads=True).new_page()
    page.goto("/")
    with page.expect_navigation():
        page.locator("footer").get_by_role("link", name="Open data").click()
    page.get_by_label("Search the datasets").fill("satisfaction")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Satisfaction ratings of each department, monthly").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Satisfaction ratings of each department, monthly"
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "satisfaction-by-department.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["month", "department_code", "department_zh", "department_en", "ratings", "satisfied_percent",
                      "withheld"]
