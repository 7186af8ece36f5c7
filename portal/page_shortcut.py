"""Kept pages answered before the application's request handling.

A page `shared_page` keeps is the same for everyone who gets it, but for the CSRF token its forms
carry. Answering it through Flask (the request context, the session, Flask-Login, Flask-WTF, the
rate limiter, two dozen hooks) costs more than the page itself. So once the application has
answered such a page with 200 and without setting a cookie, the answer's headers are remembered,
and a later GET that would get the same answer is answered here: the kept HTML with the session's
own signed CSRF token (and a fresh one-time token in each form that is sent once), the remembered
headers, its request id, and the same latency sample and access line as any request.

- A visitor who is not signed in, to a page kept without `vary`: the answer is remembered under the
  page's address, language and elder mode, and given to any visitor whose session holds nothing
  that could change it.
- Someone signed in: the answer is remembered under the whole request as it came (its address,
  cookies and headers but its request id and those saying how the browser came to the page, and the
  client's address), with every statement the application ran for it and the rows each gave
  (portal.read_sets), when all of them were SELECTs on the Core path. The same request again is
  answered here when each of those statements gives the same rows again: a session signed out
  everywhere, an account closed, a staff position or a company membership withdrawn, a changed
  language or a changed queue all read differently and go to the application. Remembered for
  EARLY_ANSWER_SECONDS at most from when the application's request began, after which the
  application answers (and remembers) again, so that a check against the clock is never later than
  that; and never past the moment the clock alone changes the page (`shared_page`'s `changes_at`:
  the city code's countdown). The session may hold no more than the sign-in's own marks and the
  keys a blueprint names (`early_answers_allow`): a key whose meaning, for the same value, can
  change only with the database or the clock (the code the city code page showed last), not, say,
  whom the person acts for.

Anything else goes through the application, which answers (and remembers) as before:
- a method other than GET, or a page not kept, or kept no more (the page cache decides);
- a session that is not good, has a flashed message or anything else beyond its CSRF token,
  Flask-Login's marks and the sign-in's, or that Flask-Login would still mark (a visitor's session
  it has not yet marked not fresh: the answer would set a cookie);
- a remember-me cookie; a CSRF token this process has not signed yet;
- a page whose endpoint some rate limit applies to (shared_page does not mark it);
- session protection other than Flask-Login's "basic" (the "strong" one may clear a session).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field

import flask
from flask import Blueprint, Flask
from sqlalchemy.exc import SQLAlchemyError

from auth.session import SIGN_IN_SESSION_KEYS
from portal import EARLY_REQUEST, form_tokens, read_sets
from portal.extensions import db
from portal.i18n import language_code, language_for
from portal.observability import IN_FLIGHT, REQUEST_ID_HEADER, accept_request_id, account_hash, record_answer
from portal.page_cache import CSRF_SLOT_BYTES, KEPT_PAGE_KEY, KeptPage, PageCache, page_cache
from portal.preferences import elder_cookie_on
from portal.signed_csrf import signed_token

log = logging.getLogger("portal.page_shortcut")

# What the session of a visitor who is not signed in may hold: the CSRF token, and Flask-Login's
# session-protection marks.
_VISITOR_KEYS = frozenset({"csrf_token", "_fresh", "_id"})
# What the session of someone signed in may hold: the CSRF token and the sign-in's own marks.
_SIGNED_IN_KEYS = SIGN_IN_SESSION_KEYS | {"csrf_token"}
# app.extensions key: more a signed-in session may hold (`early_answers_allow`).
_IGNORED_SESSION_KEYS = "page_shortcut.ignored_session_keys"
# Set for each answer: never remembered.
_OWN_HEADERS = frozenset({"content-length", REQUEST_ID_HEADER.lower()})
# The request id, which each answer echoes.
_PER_REQUEST_HEADER = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
# Headers that differ between a reload and following a link to the same page (with Sec-Fetch-*),
# which neither a kept page (its content is keyed without them, `shared_page`) nor a hook before it
# reads on a GET: left out of what a signed-in answer is remembered under.
_NOT_READ_ON_A_KEPT_PAGE = frozenset({
    _PER_REQUEST_HEADER, "HTTP_REFERER", "HTTP_CACHE_CONTROL", "HTTP_PRAGMA", "HTTP_PRIORITY",
    "HTTP_UPGRADE_INSECURE_REQUESTS",
})


@dataclass
class _Remembered:
    page: KeptPage
    headers: list[tuple[str, str]]
    # Someone signed in: what the application's answer read, and until when (time.monotonic) it may
    # be given again.
    reads: tuple[read_sets.DriverRead, ...] = ()
    until: float = field(default=float("inf"))


class PageShortcut:
    def __init__(self, app: Flask, size: int):
        self.app = app
        # Expiry is the page cache's: a remembered answer is only good while its page is kept.
        self.answers = PageCache(size, float("inf"))  # for visitors, by address
        self.signed_in_seconds = float(app.config.get("EARLY_ANSWER_SECONDS", 10))
        # For someone signed in, by request; each is given for signed_in_seconds at most from its
        # request's start (`until`), and forgotten soon after in any case (it holds account rows).
        self.signed_in_answers = PageCache(size, self.signed_in_seconds)
        # The paths of the pages remembered for someone signed in: a signed-in request for any other
        # path is not digested for nothing. Not shrunk when an answer is dropped (a path left over
        # costs its requests a digest only) but emptied when it grows to four times the answers
        # (each company's pages have their own paths).
        self.signed_in_paths: set[str] = set()
        # Each kept page encoded once for all the answers remembered with it: {page key: (html, bytes)},
        # one value replaced whole, so that threads answering at once never pair a page with
        # another's bytes.
        self.bodies = PageCache(size, float("inf"))
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self._engine = None

    def answer(self, environ: dict, start_response):
        """The answer for a request this layer can give, else None."""
        if environ.get("REQUEST_METHOD") != "GET" or not (len(self.answers) or len(self.signed_in_answers)):
            return None
        started = time.perf_counter()
        app = self.app
        http_request = environ[EARLY_REQUEST] = app.request_class(environ)
        session = self._session_of(http_request)
        if session is None:
            return None
        signed_in = "_user_id" in session
        remembered = self._for_signed_in(environ) if signed_in else self._for_visitor(http_request, session)
        if remembered is None:
            return None
        token = signed_token(app, session["csrf_token"])
        if token is None:  # a CSRF token this process has not signed yet
            return None
        cache = page_cache(app, by_the_clock=remembered.page.by_the_clock)
        html = cache.get(remembered.page.key) if cache is not None else None
        if html is None:
            return None
        account_key = None
        if signed_in:
            if not self._reads_unchanged(remembered):
                return None
            account_key = account_hash(app.extensions["portal_observability"]["account_key"], session["_user_id"])
        body = self._encoded(remembered.page, html).replace(CSRF_SLOT_BYTES, token.encode())
        body = form_tokens.fill_slots(body, app)
        request_id = accept_request_id(environ.get(_PER_REQUEST_HEADER))
        IN_FLIGHT.inc()
        try:
            start_response("200 OK", [*remembered.headers, ("Content-Length", str(len(body))),
                                      (REQUEST_ID_HEADER, request_id)])
        finally:
            IN_FLIGHT.dec()
            record_answer("GET", http_request.path, remembered.page.endpoint, 200, time.perf_counter() - started,
                          request_id, account_key)
        return [body]

    def _session_of(self, http_request) -> dict | None:
        """The session's content, unless it is one no answer may be given to here."""
        cookies = http_request.cookies
        content = self.app.session_interface.content_of(self.app, cookies.get(self.session_cookie))
        return self._answerable(cookies, content)

    def _answerable(self, cookies, session) -> dict | None:
        """`session`, unless no answer may be given to it here: one with a remember-me cookie beside
        it, or signed in and holding more than the sign-in's marks, is turned away now; a visitor's
        by `_for_visitor`."""
        if self.remember_cookie in cookies or not session or not session.get("csrf_token"):
            return None
        if "_user_id" not in session:
            return session
        ignored = self.app.extensions.get(_IGNORED_SESSION_KEYS, frozenset())
        return session if session.keys() <= _SIGNED_IN_KEYS | ignored else None

    def _for_visitor(self, http_request, session: dict) -> _Remembered | None:
        if session.get("_fresh") is not False or not session.keys() <= _VISITOR_KEYS:
            return None
        language = language_code(language_for(http_request, None, self.app.config))
        return self.answers.get(_address(http_request, language, elder_cookie_on(http_request)))

    def _for_signed_in(self, environ: dict) -> _Remembered | None:
        """The answer remembered for this very request, while it may be given (the cache forgets it
        soon after on its own)."""
        if environ.get("PATH_INFO") not in self.signed_in_paths:
            return None
        remembered = self.signed_in_answers.get(_request_digest(environ))
        return remembered if remembered is not None and remembered.until > time.monotonic() else None

    def may_remember(self) -> bool:
        """Whether the request Flask is handling is for a page `shared_page` keeps, whose answer
        could be remembered (and so what it reads is worth keeping)."""
        view = self.app.view_functions.get(flask.request.endpoint)
        return getattr(view, "kept_page", False)

    def _reads_unchanged(self, remembered: _Remembered) -> bool:
        """Whether the statements the remembered answer read give the same rows again; False when
        the database could not be asked (the application then answers, as it would any request)."""
        engine = self._the_engine()
        try:
            return read_sets.unchanged(engine, remembered.reads)
        except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error):
            return False

    def _the_engine(self):
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def _encoded(self, page: KeptPage, html: str) -> bytes:
        kept = self.bodies.get(page.key)
        if kept is None or kept[0] is not html:
            kept = (html, html.encode())
            self.bodies.put(page.key, kept, page.until)
        return kept[1]

    def remembering(self, environ: dict, start_response):
        """`start_response` for the application: remembers the headers of an answer with a kept
        page (for someone signed in, with what it read)."""

        def remember_then_start(status: str, headers: list, exc_info=None):
            page: KeptPage | None = environ.get(KEPT_PAGE_KEY)
            if page is not None and status.startswith("200 ") and exc_info is None and not any(
                name.lower() == "set-cookie" for name, _ in headers
            ):
                self._remember(environ, page, [(name, value) for name, value in headers
                                               if name.lower() not in _OWN_HEADERS])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return remember_then_start

    def _remember(self, environ: dict, page: KeptPage, headers: list) -> None:
        """Called inside the application's request context: its request is this answer's, and its
        session the one the request's cookie holds (the answer sets no cookie)."""
        http_request, session = flask.request, flask.session
        if not page.signed_in:
            if page.for_everyone:
                self.answers.put(_address(http_request, page.language, page.elder_mode), _Remembered(page, headers))
            return
        read_set = read_sets.current()
        if read_set is None or not read_set.complete or not read_set.reads:
            return
        if self._answerable(http_request.cookies, session) is None or "_user_id" not in session:
            return
        try:
            reads = read_sets.as_sent(db.session.connection(), read_set.reads)
        except Exception:  # noqa: BLE001 - remembering is never worth failing the answer it is given with
            log.warning("an answer could not be remembered", exc_info=True)
            return
        if reads is None:
            return
        # From when the request began: a check against the clock it made is at most that old. Never
        # past the moment the clock alone changes the page (a countdown on it).
        until = min(read_set.started + self.signed_in_seconds, page.until)
        self.signed_in_answers.put(_request_digest(environ), _Remembered(page, headers, reads, until), until)
        if len(self.signed_in_paths) >= 4 * self.signed_in_answers.size:
            self.signed_in_paths.clear()  # paths of answers long forgotten; the others come back
        self.signed_in_paths.add(environ.get("PATH_INFO"))


def early_answers_allow(blueprint: Blueprint, session_key: str) -> None:
    """A signed-in session holding `session_key`, which `blueprint`'s pages keep in the session (the
    city code page: the code it showed last), may still be answered here. Its value is part of the
    request an answer is remembered under (the cookie), so a kept page may read it when what it
    means, for the same value, can change only with what the page's statements read (a scan of
    that code) or with the clock (`shared_page`'s `changes_at`: the code's minute). A key whose
    meaning could change otherwise while the session stays the same (whom someone acts for: the
    permission can be withdrawn) must not be named."""

    def register(state) -> None:
        state.app.extensions[_IGNORED_SESSION_KEYS] = state.app.extensions.get(_IGNORED_SESSION_KEYS,
                                                                               frozenset()) | {session_key}

    blueprint.record_once(register)


def _request_digest(environ: dict) -> bytes:
    """A digest of everything of a request its answer could depend on: the method and address, every
    header (the cookies among them) but the request id and those that say how the browser came to
    the page, and where it came from. A digest, so that what is remembered is the same size however
    large the headers."""
    headers = sorted(item for item in environ.items()
                     if item[0].startswith("HTTP_") and item[0] not in _NOT_READ_ON_A_KEPT_PAGE
                     and not item[0].startswith("HTTP_SEC_FETCH_"))
    inputs = (environ.get("REQUEST_METHOD"), environ.get("wsgi.url_scheme"), environ.get("SERVER_NAME"),
              environ.get("SERVER_PORT"), environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"),
              environ.get("QUERY_STRING"), environ.get("REMOTE_ADDR"), *headers)
    return hashlib.sha256(repr(inputs).encode()).digest()


def _address(http_request, language: str, elder_mode: bool) -> tuple:
    """What an early answer is remembered under: the address as sent, the language, elder mode."""
    return http_request.path, http_request.environ.get("QUERY_STRING", ""), language, elder_mode


def init_app(app: Flask) -> None:
    from portal.extensions import login_manager

    protection = app.config.get("SESSION_PROTECTION", login_manager.session_protection)
    if page_cache(app) is None or protection not in (None, "basic") or not hasattr(app.session_interface, "content_of"):
        return
    read_sets.watch()
    app.extensions["page_shortcut"] = PageShortcut(app, int(app.config.get("PAGE_CACHE_SIZE", 512)))
