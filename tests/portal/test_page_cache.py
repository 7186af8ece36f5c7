"""Pages kept for everyone (portal.page_cache): each visitor still gets their own CSRF token and
header, nothing personal is kept, and kept copies expire and stay few."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.models import Department
from portal.page_cache import CSRF_SLOT, PageCache
from tests.helpers import DEMO_PASSWORD, Clock, csrf_token

CENTRE = "fsjd"  # a community service centre listed on the citizen home page


def _browser(app):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def _rename_centre(app, name: str) -> None:
    with app.app_context():
        db.session.scalar(db.select(Department).filter_by(code=CENTRE)).name_en = name
        db.session.commit()


def test_visitors_share_the_page_but_each_gets_a_token_that_works(cached_app):
    first, second = _browser(cached_app), _browser(cached_app)
    page_one = first.get("/citizen/").get_data(as_text=True)
    _rename_centre(cached_app, "Renamed centre")
    page_two = second.get("/citizen/").get_data(as_text=True)

    assert "Renamed centre" not in page_two  # the kept copy, not a new rendering
    assert CSRF_SLOT not in page_one + page_two
    token_one, token_two = csrf_token(page_one), csrf_token(page_two)
    assert token_one != token_two
    for browser, token in ((first, token_one), (second, token_two)):
        answer = browser.post("/preferences/language", data={"lang": "zh", "next": "/citizen/", "csrf_token": token})
        assert answer.status_code == 302
    # Each token belongs to its own visitor: the other's is refused.
    assert first.post("/preferences/language", data={"lang": "zh", "csrf_token": token_two}).status_code == 400


def test_kept_pages_expire(cached_app):
    browser = _browser(cached_app)
    browser.get("/citizen/")
    _rename_centre(cached_app, "Renamed centre")
    cached_app.test_clock.now += 59
    assert "Renamed centre" not in browser.get("/citizen/").get_data(as_text=True)
    cached_app.test_clock.now += 2
    assert "Renamed centre" in browser.get("/citizen/").get_data(as_text=True)


def test_language_elder_mode_and_signing_in_each_have_their_own_copy(cached_app):
    browser = _browser(cached_app)
    assert 'lang="en"' in browser.get("/citizen/").get_data(as_text=True)
    browser.set_cookie("lang", "zh")
    assert 'lang="zh-CN"' in browser.get("/citizen/").get_data(as_text=True)
    browser.set_cookie("elder", "1")
    assert 'class="elder"' in browser.get("/citizen/services").get_data(as_text=True)

    anonymous = _browser(cached_app)
    assert "Sign out" not in anonymous.get("/citizen/services").get_data(as_text=True)
    signed_in = _browser(cached_app)
    page = signed_in.get("/auth/login").get_data(as_text=True)
    signed_in.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD,
                                        "csrf_token": csrf_token(page)})
    mine = signed_in.get("/citizen/services").get_data(as_text=True)
    assert "Sign out" in mine
    assert "Sign out" not in anonymous.get("/citizen/services").get_data(as_text=True)


def test_a_flashed_message_is_shown_once_and_never_kept(cached_app):
    browser = _browser(cached_app)
    browser.get("/citizen/")
    with browser.session_transaction() as session:
        session["_flashes"] = [("success", "A message for this visitor only")]
    assert "A message for this visitor only" in browser.get("/citizen/").get_data(as_text=True)
    assert "A message for this visitor only" not in _browser(cached_app).get("/citizen/").get_data(as_text=True)


def test_the_cache_keeps_the_most_recently_used_pages_only():
    clock = Clock()
    cache = PageCache(size=2, seconds=60, clock=clock)
    cache.put(("a",), "A")
    cache.put(("b",), "B")
    assert cache.get(("a",)) == "A"  # now the most recently used
    cache.put(("c",), "C")
    assert (cache.get(("a",)), cache.get(("b",)), cache.get(("c",))) == ("A", None, "C")
    clock.now += 61
    assert cache.get(("a",)) is None
    assert len(cache) == 1


def test_a_page_kept_until_a_moment_goes_then_and_gives_its_room_first():
    clock = Clock()
    cache = PageCache(size=3, seconds=60, clock=clock)
    cache.put(("second", 1), "countdown 59", until=clock.now + 1)
    cache.put(("guide",), "a service guide")
    clock.now += 0.5
    assert cache.get(("second", 1)) == "countdown 59"
    clock.now += 0.6
    assert cache.get(("second", 1)) is None and cache.get(("guide",)) == "a service guide"
    for second in range(2, 6):  # one page a second, each good for that second only
        clock.now += 1
        cache.put(("second", second), f"countdown {60 - second}", until=clock.now + 1)
    # Those whose time was up made room for the next, so the guide was never pushed out.
    assert cache.get(("guide",)) == "a service guide" and cache.get(("second", 5)) == "countdown 55"


def test_pages_with_a_form_token_elsewhere_keep_the_visitors_token_in_every_form(cached_app):
    browser = _browser(cached_app)
    html = browser.get("/citizen/").get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', html))
    assert len(tokens) == 1  # the language and elder-mode switches carry the same, real token
