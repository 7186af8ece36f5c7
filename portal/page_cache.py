"""Pages that are the same for everyone who may see them, rendered once and kept for a while.

A GET view decorated with `@shared_page()` renders at most once every PAGE_CACHE_SECONDS for each
(address with its query string, language, elder mode, signed in or not); the requests in between
get the kept HTML. What differs from one visitor to the next never enters the kept copy:

- the CSRF token: while a kept page renders, every form on it gets a placeholder (`CSRF_SLOT`),
  and each response gets its own visitor's token put in its place (`_fill_csrf_slot`); a form
  that is sent once (portal.form_tokens) gets a fresh form token in each answer the same way;
- flashed messages: a request with one waiting is answered by the view itself;
- anything personal: the view names the requests it must answer itself (`unless=`), say when a
  family member acts for an elder.

Each process keeps its own copies, at most PAGE_CACHE_SIZE (the least recently used go first), and
as many again of the pages the clock changes, kept apart; so on several nodes a change to the data
(a service guide, a centre's address) shows everywhere within PAGE_CACHE_SECONDS.
PAGE_CACHE_SECONDS = 0 turns both off.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import NamedTuple

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal import form_tokens, read_sets
from portal.i18n import current_language
from portal.models.base import utcnow
from portal.preferences import elder_mode_active
from portal.rate_limits import no_limit_applies

# What a kept page holds where each visitor's CSRF token goes. Random per process, so no request
# can put it into a page on purpose; nothing but letters and digits, so escaping leaves it alone.
CSRF_SLOT = "csrfslot" + secrets.token_hex(12)
CSRF_SLOT_BYTES = CSRF_SLOT.encode()
# Flask-WTF keeps the request's token in `g` under the token field's name and hands it to every
# form: holding the placeholder there makes the forms of a kept page carry it.
_TOKEN_NAME = "csrf_token"  # noqa: S105 - a field name, not a secret
# Where shared_page tells the WSGI layer (portal.page_shortcut) which kept page a request was
# answered with (a KeptPage), when no rate limit applies to it.
KEPT_PAGE_KEY = "portal.kept_page"


class KeptPage(NamedTuple):
    key: tuple  # the page's key in the page cache
    endpoint: str
    language: str
    elder_mode: bool
    signed_in: bool = False
    for_everyone: bool = True  # kept without `vary`: the same page for every visitor not signed in
    until: float = float("inf")  # (time.monotonic) when the clock alone would change the page

    @property
    def by_the_clock(self) -> bool:
        """Kept with `changes_at`, in a cache of its own (`page_cache`)."""
        return self.until != float("inf")


class PageCache:
    """A bounded, expiring mapping from a key to HTML, safe to share between threads."""

    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.size, self.seconds, self.clock = size, seconds, clock
        self._entries: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()
        # No entry expires before this: a full cache looks for expired entries only from then on
        # (never, where nothing expires, as for the sessions' cookies).
        self._soonest = float("inf")

    def get(self, key: tuple) -> str | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self.clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, html: str, until: float | None = None) -> None:
        """Keep `html` for `seconds`, or only `until` (a time on `clock`) when that is sooner."""
        with self._lock:
            now = self.clock()
            expires = now + self.seconds if until is None else min(now + self.seconds, until)
            self._entries[key] = (expires, html)
            self._entries.move_to_end(key)
            self._soonest = min(self._soonest, expires)
            if len(self._entries) > self.size and self._soonest <= now:
                # Full: those whose time is up go first (pages the clock changes, each good for a
                # moment), then the least recently used.
                for gone in [key for key, (expires, _) in self._entries.items() if expires <= now]:
                    del self._entries[gone]
                self._soonest = min((expires for expires, _ in self._entries.values()), default=float("inf"))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def kept(self, key: tuple, make: Callable[[], str]) -> str:
        """The value kept for `key`, made (and kept) first when there is none."""
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)


def page_cache(app: Flask | None = None, *, by_the_clock: bool = False) -> PageCache | None:
    """Where kept pages are; those the clock changes (`shared_page`'s `changes_at`) are kept apart:
    each is good for a moment only, and the many kept one after the other must not push out pages
    kept for minutes."""
    return (app or current_app).extensions.get("page_cache.by_the_clock" if by_the_clock else "page_cache")


def shared_page(
    unless: Callable[[], bool] | None = None,
    vary: Callable[..., tuple] | None = None,
    changes_at: Callable[..., datetime] | None = None,
):
    """Keep what the GET view renders and answer later requests for the same page from it.

    The view's page must not depend on who is signed in beyond "signed in or not" (the header),
    unless `vary()` (given the view's arguments) names what else it depends on: its answer joins
    the key (a person's own page names the person, and a version of the data it shows, so that a
    change shows at once).
    `unless()` returning true makes this request's page the view's own, neither kept nor served
    from what was kept.
    `changes_at()` (with `vary`) says when the clock alone would change the page, a countdown say:
    `vary()` names what changes then, and no answer is given early from then on.

    Where no rate limit applies, portal.page_shortcut may answer later requests for the page from
    what was kept, before the application's request handling: a visitor who is not signed in, for
    the same address, language and elder mode (a page kept without `vary`); someone signed in, for
    the same request again (its cookies and headers), when every statement the application's answer
    read gives the same rows again (portal.read_sets), for EARLY_ANSWER_SECONDS at most. Such a
    view, and whatever stands before it, must then depend on nothing but the request and the
    database; a check against the clock (a membership that ends today) may be that many seconds
    late."""

    if changes_at is not None and vary is None:
        raise TypeError("changes_at needs vary: the page's key must change when the page does")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            cache = page_cache(by_the_clock=changes_at is not None)
            if cache is None or request.method != "GET" or "_flashes" in session or (unless and unless()):
                return view(*args, **kwargs)
            signed_in = bool(current_user.is_authenticated)
            language, elder_mode = current_language(), elder_mode_active()
            key = (request.endpoint, request.full_path, language, elder_mode, signed_in,
                   *(vary(*args, **kwargs) if vary else ()))
            until = _monotonic(changes_at(*args, **kwargs)) if changes_at else None
            # portal.page_shortcut may answer the next such request without the application's
            # request handling (which a rate limit needs).
            kept = KeptPage(key, request.endpoint, language, elder_mode, signed_in, vary is None,
                            float("inf") if until is None else until) \
                if no_limit_applies() else None
            html = cache.get(key)
            if html is None:
                # What the page read is its key's to answer for: the early answer gives what is kept
                # under the key, which the statements read before this one found.
                with csrf_placeholder(), read_sets.paused():
                    html = view(*args, **kwargs)
                if not isinstance(html, str):
                    return html
                cache.put(key, html, until)
            if kept is not None:
                request.environ[KEPT_PAGE_KEY] = kept
            return html

        wrapper.kept_page = True  # and, through functools.wraps, the decorators' around it
        return wrapper

    return decorator


def _monotonic(moment: datetime) -> float:
    """`moment` on time.monotonic's clock, rather early than late."""
    now = time.monotonic()
    return now + (moment - utcnow()).total_seconds()


@contextmanager
def csrf_placeholder():
    """While it lasts, forms rendered get CSRF_SLOT for a token, which `_fill_csrf_slot` replaces
    with each visitor's own on the way out."""
    own_token = g.pop(_TOKEN_NAME, None)
    setattr(g, _TOKEN_NAME, CSRF_SLOT)
    try:
        with form_tokens.slots():
            yield
    finally:
        g.pop(_TOKEN_NAME, None)
        if own_token is not None:
            setattr(g, _TOKEN_NAME, own_token)


def kept_fragment(kind: str, key: tuple, render: Callable[[], str]) -> str:
    """A part of a page rendered once for `key` and kept: `key` must hold everything the part
    shows (the language included), so that equal keys mean equal HTML. Nothing in it may be a
    flashed message or anything else that differs from one request to the next; a form only with
    its token left to the slot (`csrf_placeholder`).
    The page puts it in with `| safe`, like the QR codes' SVG: HTML our own templates escaped."""
    cache: PageCache | None = current_app.extensions.get("fragment_cache")
    if cache is None:
        return str(render())
    return cache.kept((kind, *key), lambda: str(render()))


def _fill_csrf_slot(response: Response) -> Response:
    """Each visitor's own CSRF token where a kept page holds the placeholder, a fresh form token in
    each of its form-token slots."""
    if response.direct_passthrough or response.mimetype != "text/html" or not response.is_sequence:
        return response
    body = filled = response.get_data()
    if CSRF_SLOT_BYTES in filled:
        filled = filled.replace(CSRF_SLOT_BYTES, generate_csrf().encode())
    filled = form_tokens.fill_slots(filled, current_app)
    if filled is not body:
        response.set_data(filled)
    return response


def init_app(app: Flask) -> None:
    seconds = float(app.config.get("PAGE_CACHE_SECONDS", 60))
    if seconds > 0:
        size = int(app.config.get("PAGE_CACHE_SIZE", 512))
        app.extensions["page_cache"] = PageCache(size, seconds)
        app.extensions["page_cache.by_the_clock"] = PageCache(size, seconds)
    fragment_seconds = float(app.config.get("FRAGMENT_CACHE_SECONDS", 300))
    if fragment_seconds > 0:
        app.extensions["fragment_cache"] = PageCache(int(app.config.get("FRAGMENT_CACHE_SIZE", 2048)),
                                                     fragment_seconds)
    app.after_request(_fill_csrf_slot)
