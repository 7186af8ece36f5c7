"""Flask's signed-cookie session, with less work per request.

The same cookies as Flask's own. Two things are done once instead of on every request: building
the signer, and checking a given cookie's signature. A browser sends the same cookie until the
session changes, so each process remembers the last VERIFIED_COOKIES cookies it verified (with
the time they were signed and their content); a remembered cookie is only checked for its age
again, and each request gets its own copy of the content (a session is changed in place).
"""

from __future__ import annotations

import time
from datetime import datetime

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from portal.page_cache import PageCache

VERIFIED_COOKIES = 4096


class SessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get("session_serializer")
        if kept is None or kept[0] != keys:
            # A new key: cookies verified with the old one are forgotten with it.
            verified = PageCache(VERIFIED_COOKIES, float("inf"))
            kept = app.extensions["session_serializer"] = (keys, super().get_signing_serializer(app), verified)
        return kept[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        return self.session_class(self.content_of(app, request.cookies.get(self.get_cookie_name(app))) or {})

    def content_of(self, app: Flask, cookie: str | None) -> dict | None:
        """What a session cookie holds (a fresh copy), or None when there is no cookie or it is
        not good: badly signed, too old, or the app has no secret key."""
        signer = self.get_signing_serializer(app)
        if signer is None or not cookie:
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        verified: PageCache = app.extensions["session_serializer"][2]
        remembered = verified.get((cookie,))
        if remembered is not None:
            signed_at, content = remembered
            if 0 <= int(time.time()) - signed_at <= max_age:  # itsdangerous' own age rule
                return _fresh_copy(content)
            return None
        try:
            data, signed_at = signer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return None
        verified.put((cookie,), (_epoch(signed_at), data))
        return _fresh_copy(data)


def _fresh_copy(value):
    """A copy of a session's content through which no request can change what is remembered:
    dicts, lists and tuples are copied; all else the session's serializer gives back (strings,
    numbers, bytes, datetimes, UUIDs, Markup) cannot be changed in place. A tenth of the cost of
    decoding the JSON again."""
    if isinstance(value, dict):
        return {key: _fresh_copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_fresh_copy(item) for item in value)
    return value


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
