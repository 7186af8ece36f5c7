"""Open redirects: no `next` parameter (sign-in, second factor, language, elder mode, sign-out) and no
OAuth parameter (redirect_uri, post_logout_redirect_uri) sends anyone to another site, however the
address is spelled."""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.helpers import DEMO_PASSWORD
from tests.security.world import Browser

EVIL = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "http:/evil.example",
    "https:/\\evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "//evil.example@127.0.0.1",
    "http://127.0.0.1@evil.example",
    "%2F%2Fevil.example",
    "%5C%5Cevil.example",
    quote("//evil.example", safe=""),
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "／／evil.example",
    "//evil%2Eexample",
    "/%2F%2Fevil.example",  # a path on this site that merely looks like it: allowed, and harmless
]

HOST = "localhost"


def lands_on_this_site(location: str) -> bool:
    """Where a browser would go, read as browsers read URLs: surrounding spaces and control
    characters dropped, tabs and newlines removed, backslashes taken as slashes."""
    cleaned = location.strip("".join(chr(c) for c in range(33)))
    cleaned = cleaned.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    target = urlsplit(urljoin(f"http://{HOST}/some/page", cleaned))
    return target.scheme in ("http", "https") and target.hostname == HOST


def test_the_judge_itself():
    assert lands_on_this_site("/citizen/")
    assert not lands_on_this_site("//evil.example")
    assert not lands_on_this_site("/\\evil.example")
    assert not lands_on_this_site(" \t//evil.example")
    assert not lands_on_this_site("javascript:alert(1)")


def _sign_in(browser: Browser, target: str, *, in_query: bool = False):
    url = "/auth/login?next=" + quote(target, safe="") if in_query else "/auth/login"
    return browser.post(url, data={"username": "13800000001", "password": DEMO_PASSWORD,
                                   **({} if in_query else {"next": target})})


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_next(world, target):
    browser = Browser(world.app)
    assert browser.get("/auth/login", query_string={"next": target}).status_code == 200
    response = _sign_in(browser, target)
    assert response.status_code == 302
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", EVIL[:6])
def test_sign_in_next_from_the_query_string(world, target):
    response = _sign_in(Browser(world.app), target, in_query=True)
    assert response.status_code == 302
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", EVIL[:6])
def test_second_factor_next(world, target):
    from tests.helpers import totp_code
    from tests.security.world import fresh_authenticator

    browser = Browser(world.app)
    first = browser.post("/auth/login", data={"username": "officer.fs", "password": DEMO_PASSWORD, "next": target})
    assert "/auth/mfa" in first.headers["Location"]
    fresh_authenticator(browser.app, "officer.fs")
    response = browser.post("/auth/mfa?next=" + quote(target, safe=""), data={"code": totp_code(), "next": target})
    assert response.status_code == 302
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("form", [("/preferences/language", {"lang": "en"}),
                                  ("/preferences/elder-mode", {"enabled": "1"})], ids=["language", "elder"])
def test_preference_switches_next(world, form):
    url, data = form
    for who in ("anonymous", "resident"):
        browser = world.browser(who)
        for target in EVIL:
            response = browser.post(url, data={**data, "next": target})
            assert response.status_code == 302
            assert lands_on_this_site(response.headers["Location"]), (who, target, response.headers["Location"])


@pytest.mark.parametrize("target", EVIL[:4])
def test_sign_out_goes_home_whatever_next_says(world, target):
    browser = Browser(world.app)
    _sign_in(browser, "/")
    response = browser.post("/auth/logout?next=" + quote(target, safe=""), data={"next": target})
    assert response.status_code == 302
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]


REGISTERED = "http://127.0.0.1:8001/callback"
UNREGISTERED = [
    "https://evil.example/callback",
    "http://127.0.0.1:8001/callback/../../evil",
    "http://127.0.0.1:8001/callback.evil.example",
    "http://127.0.0.1:8001/callback?next=https://evil.example",
    "http://127.0.0.1:8001/callback#https://evil.example",
    "http://127.0.0.1:8001/Callback",
    "http://127.0.0.1:8001/callback/",
    "http://127.0.0.1:80010/callback",
    "http://127.0.0.1:8001@evil.example/callback",
    "http://evil.example\\@127.0.0.1:8001/callback",
    "//evil.example/callback",
    "\\\\evil.example/callback",
    "https:evil.example/callback",
    "http%3A%2F%2F127.0.0.1%3A8001%2Fcallback",
    "javascript:alert(1)",
    REGISTERED + " ",
    REGISTERED.upper(),
]


@pytest.mark.parametrize("redirect_uri", UNREGISTERED)
def test_authorize_never_sends_the_code_or_an_error_to_an_unregistered_address(world, redirect_uri):
    response = world.browser("resident").get("/oidc/authorize", query_string={
        "response_type": "code", "client_id": "demo-dept-system", "scope": "openid", "state": "s",
        "redirect_uri": redirect_uri, "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    })
    assert response.status_code == 400
    assert "Location" not in response.headers
    html = response.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "action=\"http" not in html


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "\\\\evil.example",
                                    "https:evil.example", "http://127.0.0.1:8001/evil",
                                    "http://127.0.0.1:8001/" + "%2F%2Fevil.example"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logout_never_follows_an_unregistered_post_logout_address(world, target, method):
    browser = world.browser("resident") if method == "GET" else Browser(world.app)
    if method == "POST":
        _sign_in(browser, "/")
    params = {"client_id": "demo-dept-system", "post_logout_redirect_uri": target, "state": "s"}
    if method == "GET":
        response = browser.get("/oidc/logout", query_string=params)
    else:  # the person's confirmation, CSRF off here: the address still has to be registered
        response = browser.post("/oidc/logout", data={**params, "confirm": "yes"})
    location = response.headers.get("Location", "")
    assert not location or lands_on_this_site(location), location
