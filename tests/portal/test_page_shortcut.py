"""Kept pages answered before the application's request handling (portal.page_shortcut), to
visitors and to people signed in: the same answer the application gives, and only when it would be."""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import quote

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import create_engine

from portal.extensions import db
from portal.models import Account, Department
from portal.page_cache import CSRF_SLOT, PageCache
from tests.helpers import DEMO_PASSWORD, csrf_token

CENTRE = "fsjd"  # a community service centre listed on the citizen home page


@pytest.fixture
def kept_app(cached_app):
    app = cached_app
    app.handled = []  # the requests the application itself handled
    handle = app.request_context
    app.request_context = lambda environ: (app.handled.append(environ["PATH_INFO"]), handle(environ))[1]
    return app


def _visitor(app, language="en"):
    """A visitor as a browser is after its first pages: the session holds its CSRF token, and
    Flask-Login has marked it (the first answers set the cookie)."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    for _ in range(2):
        assert "Set-Cookie" in browser.get("/citizen/").headers
    assert "Set-Cookie" not in browser.get("/citizen/").headers
    return browser


def _handled_by_the_application(app, browser, path, **kwargs):
    before = len(app.handled)
    answer = browser.get(path, **kwargs)
    return answer, len(app.handled) > before


def _guide_path(app) -> str:
    html = app.test_client().get("/citizen/services").get_data(as_text=True)
    return re.search(r'href="(/citizen/services/[^"?#]+)"', html).group(1)


def _own_headers(answer) -> list:
    return sorted((name, value) for name, value in answer.headers.items() if name != "X-Request-ID")


def _early_and_application_answers_agree(app, browser, path):
    """The early answer to `path`, after checking that the application's own answer to the same
    request is the same but for the request id."""
    shortcut, handled = _handled_by_the_application(app, browser, path)
    assert not handled, path
    with_shortcut = app.extensions.pop("page_shortcut")
    from_application, handled = _handled_by_the_application(app, browser, path)
    app.extensions["page_shortcut"] = with_shortcut
    assert handled
    assert shortcut.status_code == 200
    assert shortcut.get_data() == from_application.get_data()
    assert _own_headers(shortcut) == _own_headers(from_application)
    assert CSRF_SLOT not in shortcut.get_data(as_text=True)
    assert shortcut.headers["X-Request-ID"] != from_application.headers["X-Request-ID"]
    return shortcut


@pytest.mark.parametrize("language,elder", [("en", False), ("zh", False), ("zh", True)])
def test_the_answer_is_the_applications_own(kept_app, language, elder):
    paths = ["/citizen/", "/citizen/services", f"/citizen/services?q={quote('养老')}", _guide_path(kept_app)]
    browser = _visitor(kept_app, language)
    if elder:
        browser.set_cookie("elder", "1")
    for path in paths:
        browser.get(path)
        shortcut = _early_and_application_answers_agree(kept_app, browser, path)
    page = shortcut.get_data(as_text=True)
    assert ('lang="en"' if language == "en" else 'lang="zh-CN"') in page
    assert ('class="elder"' in page) is elder


@pytest.mark.parametrize("who", ["visitors", "people signed in"])
def test_each_session_gets_its_own_token_put_in_and_it_works(kept_app, who):
    if who == "visitors":
        first, second = _visitor(kept_app), _visitor(kept_app)
    else:
        first, second = _signed_in(kept_app), _signed_in(kept_app, mobile="13800000002")
        for browser in (first, second):
            assert _handled_by_the_application(kept_app, browser, "/citizen/")[1]  # remembered for each
    pages = [_handled_by_the_application(kept_app, browser, "/citizen/") for browser in (first, second)]
    assert not any(handled for _, handled in pages)
    token_one, token_two = (csrf_token(answer.get_data(as_text=True)) for answer, _ in pages)
    assert token_one != token_two
    assert first.post("/preferences/language", data={"lang": "en", "csrf_token": token_two}).status_code == 400
    answer = first.post("/preferences/language", data={"lang": "zh", "next": "/citizen/", "csrf_token": token_one})
    assert answer.status_code == 302


def test_a_changed_page_shows_when_the_kept_one_expires(kept_app):
    browser = _visitor(kept_app)
    with kept_app.app_context():
        db.session.scalar(db.select(Department).filter_by(code=CENTRE)).name_en = "Renamed centre"
        db.session.commit()
    kept_app.test_clock.now += 59
    assert "Renamed centre" not in browser.get("/citizen/").get_data(as_text=True)
    kept_app.test_clock.now += 2
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert handled and "Renamed centre" in answer.get_data(as_text=True)
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert not handled and "Renamed centre" in answer.get_data(as_text=True)


def test_a_language_switch_gets_the_page_in_the_new_language(kept_app):
    browser = _visitor(kept_app)
    browser.get("/citizen/")
    browser.set_cookie("lang", "zh")
    assert 'lang="zh-CN"' in browser.get("/citizen/").get_data(as_text=True)
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert not handled and 'lang="zh-CN"' in answer.get_data(as_text=True)


def test_a_flashed_message_goes_to_the_application(kept_app):
    browser = _visitor(kept_app)
    with browser.session_transaction() as session:
        session["_flashes"] = [("success", "A message for this visitor only")]
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert handled and "A message for this visitor only" in answer.get_data(as_text=True)
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert not handled and "A message for this visitor only" not in answer.get_data(as_text=True)


def _signed_in(app, mobile="13800000001", language="en"):
    """A resident signed in through the real form, as their browser is afterwards."""
    browser = _visitor(app, language)
    page = browser.get("/auth/login").get_data(as_text=True)
    answer = browser.post("/auth/login", data={"username": mobile, "password": DEMO_PASSWORD,
                                               "csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    assert "Set-Cookie" in browser.get("/auth/account").headers  # its welcome message shown
    return browser


def _change_account(app, mobile, **values):
    with app.app_context():
        account = db.session.scalar(db.select(Account).filter_by(mobile=mobile))
        for name, value in values.items():
            setattr(account, name, value)
        db.session.commit()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_someone_signed_in_gets_the_applications_own_answer_again(kept_app, language):
    browser = _signed_in(kept_app, language=language)
    for path in ["/citizen/", "/citizen/services", f"/citizen/services?q={quote('养老')}"]:
        assert _handled_by_the_application(kept_app, browser, path)[1], path  # the first time: remembered
        page = _early_and_application_answers_agree(kept_app, browser, path).get_data(as_text=True)
        assert "Sign out" in page or "退出" in page
        assert ('lang="en"' if language == "en" else 'lang="zh-CN"') in page
    answer, handled = _handled_by_the_application(kept_app, _visitor(kept_app), "/citizen/")
    assert not handled and "Sign out" not in answer.get_data(as_text=True)


# A change to the account, and what the application's answer shows of it.
_ACCOUNT_CHANGES = {
    "signed out everywhere": ({"session_version": Account.session_version + 1}, lambda page: "Sign out" not in page),
    "account closed": ({"is_active": False}, lambda page: "Sign out" not in page),
    "account's language": ({"locale": "zh"}, lambda page: 'lang="zh-CN"' in page),
    "account's elder mode": ({"elder_mode": True}, lambda page: 'class="elder"' in page),
}


@pytest.mark.parametrize("change", list(_ACCOUNT_CHANGES))
def test_a_change_to_the_account_goes_to_the_application(kept_app, change):
    browser = _signed_in(kept_app)
    browser.get("/citizen/")
    assert not _handled_by_the_application(kept_app, browser, "/citizen/")[1]
    values, shows_it = _ACCOUNT_CHANGES[change]
    _change_account(kept_app, "13800000001", **values)
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert handled and answer.status_code == 200
    assert shows_it(answer.get_data(as_text=True))


def test_a_resident_who_opened_their_city_code_still_gets_kept_pages_early(kept_app):
    browser = _signed_in(kept_app)
    assert "Set-Cookie" in browser.get("/citizen/code").headers  # the code it showed, kept in the session
    assert _handled_by_the_application(kept_app, browser, "/citizen/")[1]
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert not handled and "Sign out" in answer.get_data(as_text=True)


def test_a_signed_in_answer_is_given_again_for_a_limited_time_only(kept_app):
    # A check against the clock (a membership that ends today) is never later than that.
    browser = _signed_in(kept_app)
    browser.get("/citizen/")
    assert not _handled_by_the_application(kept_app, browser, "/citizen/")[1]
    remembered = kept_app.extensions["page_shortcut"].signed_in_answers
    (answer,) = [answer for _expires, answer in remembered._entries.values()]
    assert answer.until - time.monotonic() <= kept_app.config.get("EARLY_ANSWER_SECONDS", 10)
    answer.until = time.monotonic() - 1
    assert _handled_by_the_application(kept_app, browser, "/citizen/")[1]
    assert not _handled_by_the_application(kept_app, browser, "/citizen/")[1]  # remembered afresh


def test_with_the_database_down_the_application_answers(kept_app, monkeypatch, caplog):
    browser = _signed_in(kept_app)
    browser.get("/citizen/")
    assert not _handled_by_the_application(kept_app, browser, "/citizen/")[1]
    unreachable = create_engine("sqlite:////no-such-directory/portal.sqlite3")
    monkeypatch.setitem(db._app_engines[kept_app], None, unreachable)
    monkeypatch.setattr(kept_app.extensions["page_shortcut"], "_engine", unreachable)
    caplog.set_level(logging.INFO, logger="portal.access")
    caplog.clear()  # an app made by an earlier test may have logged these requests already
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert handled and answer.status_code == 503
    (line,) = [record for record in caplog.records if record.name == "portal.access"]
    assert line.status == 503


@pytest.mark.parametrize("change", ["another browser", "another address", "another header", "acting for someone",
                                    "a flashed message"])
def test_another_request_from_someone_signed_in_goes_to_the_application(kept_app, change):
    browser = _signed_in(kept_app)
    browser.get("/citizen/")
    assert not _handled_by_the_application(kept_app, browser, "/citizen/")[1]
    kwargs = {}
    if change == "another browser":
        kwargs["headers"] = {"User-Agent": "Another browser/1.0"}
    elif change == "another address":
        kwargs["environ_base"] = {"REMOTE_ADDR": "10.1.2.3"}
    elif change == "another header":
        kwargs["headers"] = {"Accept": "text/plain"}
    elif change == "acting for someone":
        with kept_app.app_context():
            elder = db.session.scalar(db.select(Account).filter_by(mobile="13800000003"))
        with browser.session_transaction() as session:
            session["acting_for"] = elder.public_id
    else:
        with browser.session_transaction() as session:
            session["_flashes"] = [("success", "A message for this person only")]
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/", **kwargs)
    assert handled
    if change == "a flashed message":
        assert "A message for this person only" in answer.get_data(as_text=True)


def test_following_a_link_to_the_page_is_answered_early_as_a_reload_is(kept_app):
    browser = _signed_in(kept_app)
    browser.get("/citizen/")
    came_by_link = {"Referer": "http://localhost/citizen/services", "Sec-Fetch-Site": "same-origin",
                    "Sec-Fetch-Mode": "navigate", "Cache-Control": "max-age=0"}
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/", headers=came_by_link)
    assert not handled and "Sign out" in answer.get_data(as_text=True)


def test_a_signed_in_answer_has_the_accounts_access_line(kept_app, caplog):
    browser = _signed_in(kept_app)
    caplog.set_level(logging.INFO, logger="portal.access")
    caplog.clear()  # an app made by an earlier test may have logged these requests already
    for _ in range(2):
        browser.get("/citizen/services")
    lines = [record for record in caplog.records if record.name == "portal.access"]
    caplog.clear()
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/services")
    assert not handled
    (line,) = [record for record in caplog.records if record.name == "portal.access"]
    assert line.account == lines[-1].account and len(line.account) == 16
    assert line.request_id == answer.headers["X-Request-ID"]


@pytest.mark.parametrize("change", ["altered cookie", "more in the session", "not yet marked", "remember me",
                                    "no session"])
def test_other_sessions_go_to_the_application(kept_app, change):
    browser = _visitor(kept_app)
    _handled_by_the_application(kept_app, browser, "/citizen/")
    if change == "altered cookie":
        cookie = browser.get_cookie("session").value
        browser.set_cookie("session", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    elif change == "more in the session":
        with browser.session_transaction() as session:
            session["oidc_pending"] = "an authorization request on its way"
    elif change == "not yet marked":
        with browser.session_transaction() as session:
            session.pop("_fresh")
    elif change == "remember me":
        browser.set_cookie("remember_token", "1|abc")
    else:
        browser.delete_cookie("session")
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert handled and answer.status_code == 200
    assert CSRF_SLOT not in answer.get_data(as_text=True)


def test_a_token_not_yet_signed_in_this_process_goes_to_the_application(kept_app):
    browser = _visitor(kept_app)
    kept_app.extensions["signed_csrf"] = PageCache(size=16, seconds=float("inf"))  # say, a restart
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert handled and CSRF_SLOT not in answer.get_data(as_text=True)
    again, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert not handled and csrf_token(again.get_data(as_text=True)) == csrf_token(answer.get_data(as_text=True))


def test_pages_a_rate_limit_applies_to_are_always_the_applications(kept_app, monkeypatch):
    # Say a default limit were configured (portal.rate_limits.limited_endpoints would say so).
    monkeypatch.setattr("portal.page_cache.no_limit_applies", lambda: False)
    browser = _visitor(kept_app)
    for _ in range(3):
        answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
        assert handled and answer.status_code == 200


def test_only_gets_are_answered(kept_app):
    browser = _visitor(kept_app)
    _, handled = _handled_by_the_application(kept_app, browser, "/citizen/")
    assert not handled
    before = len(kept_app.handled)
    browser.head("/citizen/")
    browser.post("/citizen/")
    assert len(kept_app.handled) == before + 2


def test_each_answer_has_its_request_id_latency_sample_and_access_line(kept_app, caplog):
    browser = _visitor(kept_app)
    browser.get("/citizen/services")
    labels = {"endpoint": "citizen.service_catalogue", "method": "GET", "status_class": "2xx"}
    samples_before = REGISTRY.get_sample_value("portal_http_request_duration_seconds_count", labels)
    caplog.set_level(logging.INFO, logger="portal.access")
    caplog.clear()  # an app made by an earlier test may have logged these requests already
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/services",
                                                  headers={"X-Request-ID": "window-7.call-42"})
    assert not handled and answer.headers["X-Request-ID"] == "window-7.call-42"
    (line,) = [record for record in caplog.records if record.name == "portal.access"]
    assert (line.method, line.path, line.endpoint, line.status, line.request_id) == (
        "GET", "/citizen/services", "citizen.service_catalogue", 200, "window-7.call-42")
    assert not hasattr(line, "account")
    assert REGISTRY.get_sample_value("portal_http_request_duration_seconds_count", labels) == samples_before + 1
    made_up = browser.get("/citizen/services", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made_up)


def test_without_page_keeping_nothing_is_answered_early(make_app, seeded):
    app = make_app(PAGE_CACHE_SECONDS=0)
    assert "page_shortcut" not in app.extensions
    assert "Sign out" not in app.test_client().get("/citizen/").get_data(as_text=True)


def test_a_request_turned_away_is_the_one_the_application_handles(kept_app, monkeypatch):
    _visitor(kept_app).get("/citizen/services")  # kept, and its answer remembered
    browser = _visitor(kept_app)
    page = browser.get("/auth/login").get_data(as_text=True)
    browser.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD,
                                      "csrf_token": csrf_token(page)})
    built = []
    request_class = kept_app.request_class
    monkeypatch.setattr(kept_app, "request_class", lambda environ: built.append(environ) or request_class(environ))
    answer, handled = _handled_by_the_application(kept_app, browser, "/citizen/services")
    assert handled and "Sign out" in answer.get_data(as_text=True)
    assert len(built) == 1 and "portal.early_request" not in built[0]
    answer, handled = _handled_by_the_application(kept_app, _visitor(kept_app), "/citizen/services")
    assert not handled and "portal.early_request" not in built[-1]
