"""The header and footer every page shares (portal.page_parts): rendered once for each kind of
page and kept, yet each page's switches come back to that page with the visitor's own token, and
each kind of page marks its own link."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from flask import template_rendered

from portal.page_cache import CSRF_SLOT
from portal.page_parts import COME_BACK_SLOT
from tests.helpers import DEMO_PASSWORD, csrf_token

_COME_BACK_TO = re.compile(r'name="next" type="hidden" value="([^"]*)"')


def _browser(app):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def _header(page: str) -> str:
    return page[page.index('<header class="site-header">'):page.index("</header>")]


def test_each_page_s_switches_come_back_to_it_with_the_visitor_s_own_token(make_app, seeded):
    app = make_app()  # CSRF checked
    first, second = _browser(app), _browser(app)
    for browser in (first, second):
        for address in ('/citizen/services?q="><script>alert(1)</script>&topic=elder', "/citizen/services?q=park",
                        "/citizen/services"):
            page = browser.get(address).get_data(as_text=True)
            assert CSRF_SLOT not in page and COME_BACK_SLOT not in page
            assert "<script>alert" not in page
            come_back = [html.unescape(value) for value in _COME_BACK_TO.findall(_header(page))]
            requested = browser.get(address).request.full_path.rstrip("?")
            assert come_back == [requested, requested]  # the language and the elder-mode switch
            answer = browser.post("/preferences/language", data={"lang": "en", "next": come_back[0],
                                                                 "csrf_token": csrf_token(page)})
            assert answer.status_code == 302 and unquote(answer.headers["Location"]) == unquote(requested)
    # Each visitor's token is their own: the other's is refused.
    token_of_second = csrf_token(second.get("/citizen/").get_data(as_text=True))
    assert token_of_second != csrf_token(first.get("/citizen/").get_data(as_text=True))
    assert first.post("/preferences/language", data={"lang": "en", "csrf_token": token_of_second}).status_code == 400


def test_the_header_is_rendered_once_for_each_kind_of_page(make_app, seeded):
    app = make_app()  # its own kept parts
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    browser = _browser(app)
    with template_rendered.connected_to(record, app):
        for address in ("/citizen/services", "/citizen/services?q=park", "/citizen/services", "/citizen/"):
            assert browser.get(address).status_code == 200
    assert rendered.count("_site_header.html") == 1 and rendered.count("_site_footer.html") == 1
    assert rendered.count("citizen/services.html") == 3


def test_each_kind_of_page_marks_its_own_link_and_shows_who_is_signed_in(make_app, seeded):
    browser = _browser(make_app())
    sign_in = _header(browser.get("/auth/login").get_data(as_text=True))
    register = _header(browser.get("/auth/register").get_data(as_text=True))
    citizen = _header(browser.get("/citizen/").get_data(as_text=True))
    assert re.search(r'aria-current="page">Sign in', sign_in)
    assert "aria-current" not in register
    assert re.search(r'aria-current="page">Residents', citizen) and "Sign out" not in citizen

    page = browser.get("/auth/login").get_data(as_text=True)
    browser.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD,
                                      "csrf_token": csrf_token(page)})
    mine = _header(browser.get("/citizen/").get_data(as_text=True))
    assert "Sign out" in mine and "Sign in" not in mine
    assert re.search(r'aria-current="page">Your account', _header(browser.get("/auth/account").get_data(as_text=True)))
    # The sign-out button carries this visitor's own token.
    assert browser.post("/auth/logout", data={"csrf_token": csrf_token(mine)}).status_code == 302
    assert "Sign in" in _header(browser.get("/citizen/").get_data(as_text=True))


def test_language_and_elder_mode_have_their_own_header(app, seeded):
    browser = _browser(app)
    english = _header(browser.get("/citizen/").get_data(as_text=True))
    browser.set_cookie("lang", "zh")
    chinese = _header(browser.get("/citizen/").get_data(as_text=True))
    browser.set_cookie("elder", "1")
    elder = _header(browser.get("/citizen/").get_data(as_text=True))
    assert "Elder-friendly mode" in english and "Elder-friendly mode" not in chinese
    assert 'name="enabled" type="hidden" value="1"' in chinese
    assert 'name="enabled" type="hidden" value="0"' in elder
