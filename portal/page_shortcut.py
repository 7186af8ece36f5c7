"""Kept pages answered to visitors who are not signed in before the application's request handling.

A page `shared_page` keeps for visitors who are not signed in is the same for all of them but for
the CSRF token its forms carry. Answering it through Flask (the request context, the session,
Flask-Login, Flask-WTF, the rate limiter, two dozen hooks) costs more than the page itself. So
once the application has answered such a page with 200 and without setting a cookie, the answer's
headers are remembered under the page's address, language and elder mode; a later GET for the same,
from a visitor whose session holds nothing that could change the answer, is answered here: the
kept HTML with the visitor's own signed CSRF token, the remembered headers, its request id, and the
same latency sample and access line as any request.

Anything else goes through the application, which answers (and remembers) as before:
- a method other than GET, or a page not kept, or kept no more (the page cache decides);
- a session that is not good, is signed in, has a flashed message or anything else beyond its
  CSRF token and Flask-Login's marks, or that Flask-Login would still mark (a session it has not
  yet marked not fresh: the answer would set a cookie);
- a remember-me cookie; a CSRF token this process has not signed yet;
- a page whose endpoint some rate limit applies to (shared_page does not mark it);
- session protection other than Flask-Login's "basic" (the "strong" one may clear a session).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask

from portal import EARLY_REQUEST
from portal.i18n import language_code, language_for
from portal.observability import IN_FLIGHT, REQUEST_ID_HEADER, accept_request_id, record_answer
from portal.page_cache import CSRF_SLOT_BYTES, KEPT_PAGE_KEY, KeptForVisitors, PageCache, page_cache
from portal.preferences import elder_cookie_on
from portal.signed_csrf import signed_token

# What the session of a visitor who is not signed in may hold: the CSRF token, and Flask-Login's
# session-protection marks.
_VISITOR_KEYS = frozenset({"csrf_token", "_fresh", "_id"})
# Set for each answer: never remembered.
_OWN_HEADERS = frozenset({"content-length", REQUEST_ID_HEADER.lower()})


@dataclass
class _Remembered:
    page: KeptForVisitors
    headers: list[tuple[str, str]]
    # The kept page last encoded, with its bytes: one value, replaced whole, so that threads
    # answering at once never pair one page with another's bytes.
    encoded: tuple[str | None, bytes] = (None, b"")


class PageShortcut:
    def __init__(self, app: Flask, size: int):
        self.app = app
        self.answers = PageCache(size, float("inf"))  # expiry is the page cache's
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")

    def answer(self, environ: dict, start_response):
        """The answer for a request this layer can give, else None."""
        if environ.get("REQUEST_METHOD") != "GET" or not len(self.answers):
            return None
        started = time.perf_counter()
        app = self.app
        http_request = environ[EARLY_REQUEST] = app.request_class(environ)
        cookies = http_request.cookies
        if self.remember_cookie in cookies:
            return None
        # The session first: it turns away a signed-in person (whose pages are never answered here)
        # for less than the language and address would cost.
        session = app.session_interface.content_of(app, cookies.get(self.session_cookie))
        if not session or session.get("_fresh") is not False or not session.keys() <= _VISITOR_KEYS:
            return None
        language = language_code(language_for(http_request, None, app.config))
        remembered = self.answers.get(_address(http_request, language, elder_cookie_on(http_request)))
        if remembered is None or not session.get("csrf_token"):
            return None
        token = signed_token(app, session["csrf_token"])
        if token is None:  # a CSRF token this process has not signed yet
            return None
        cache = page_cache(app)
        html = cache.get(remembered.page.key) if cache is not None else None
        if html is None:
            return None
        encoded_html, body = remembered.encoded
        if encoded_html is not html:
            body = html.encode()
            remembered.encoded = (html, body)
        body = body.replace(CSRF_SLOT_BYTES, token.encode())
        request_id = accept_request_id(environ.get("HTTP_X_REQUEST_ID"))
        IN_FLIGHT.inc()
        try:
            start_response("200 OK", [*remembered.headers, ("Content-Length", str(len(body))),
                                      (REQUEST_ID_HEADER, request_id)])
        finally:
            IN_FLIGHT.dec()
            record_answer("GET", http_request.path, remembered.page.endpoint, 200, time.perf_counter() - started,
                          request_id)
        return [body]

    def remembering(self, environ: dict, start_response):
        """`start_response` for the application: remembers the headers of an answer with a page
        that is the same for every visitor who is not signed in."""

        def remember_then_start(status: str, headers: list, exc_info=None):
            page: KeptForVisitors | None = environ.get(KEPT_PAGE_KEY)
            if page is not None and status.startswith("200 ") and exc_info is None and not any(
                name.lower() == "set-cookie" for name, _ in headers
            ):
                own = [(name, value) for name, value in headers if name.lower() not in _OWN_HEADERS]
                address = _address(self.app.request_class(environ), page.language, page.elder_mode)
                self.answers.put(address, _Remembered(page, own))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return remember_then_start


def _address(http_request, language: str, elder_mode: bool) -> tuple:
    """What an early answer is remembered under: the address as sent, the language, elder mode."""
    return http_request.path, http_request.environ.get("QUERY_STRING", ""), language, elder_mode


def init_app(app: Flask) -> None:
    from portal.extensions import login_manager

    protection = app.config.get("SESSION_PROTECTION", login_manager.session_protection)
    if page_cache(app) is None or protection not in (None, "basic") or not hasattr(app.session_interface, "content_of"):
        return
    app.extensions["page_shortcut"] = PageShortcut(app, int(app.config.get("PAGE_CACHE_SIZE", 512)))
