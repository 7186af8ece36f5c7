"""axe-core checks, run inside the page under test."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def axe_violations(page) -> list[dict]:
    """Every axe rule violated on the page as it is now, with the offending nodes."""
    results = _axe.run(page)
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "nodes": [node["html"][:200] for node in violation["nodes"]],
        }
        for violation in results.response["violations"]
    ]


def set_elder_mode(page, on: bool) -> None:
    """Use the switch in the page header as a person would."""
    pressed = page.locator("header form[action$='elder-mode'] button").get_attribute("aria-pressed")
    if (pressed == "true") != on:
        with page.expect_navigation():
            page.locator("header form[action$='elder-mode'] button").click()
