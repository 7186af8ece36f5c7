"""Each session's signed CSRF token, signed once per process instead of once per request.

Flask-WTF signs the session's raw token afresh for every request that shows a form (a tenth of a
kept page's time). With WTF_CSRF_TIME_LIMIT = None the signature's timestamp is never checked, so
the token signed for a raw token stays good for as long as that raw token: it is kept here, at
most SIGNED_CSRF_SIZE of them, and put where Flask-WTF looks for the request's token (`g`) before
the view runs. A raw token that changes during a request (sign-in clears the session) is not kept.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session

from portal.page_cache import PageCache

_FIELD = "csrf_token"  # Flask-WTF's default WTF_CSRF_FIELD_NAME, the key in the session and in g
_RAW_AT_START = "_portal_csrf_raw"


def _kept() -> PageCache:
    return current_app.extensions["signed_csrf"]


def signed_token(app: Flask, raw: str) -> str | None:
    """The token signed in this process for a session's raw token, if it has been."""
    kept: PageCache | None = app.extensions.get("signed_csrf")
    return None if kept is None else kept.get((app.secret_key, raw))


def _reuse_signed_token() -> None:
    if request.endpoint == "static":
        return  # no form, and reading the session would add Vary: Cookie to the file
    raw = session.get(_FIELD)
    g.setdefault(_RAW_AT_START, raw)
    if raw is not None and _FIELD not in g:
        signed = signed_token(current_app, raw)
        if signed is not None:
            setattr(g, _FIELD, signed)


def _keep_signed_token(response):
    if _RAW_AT_START not in g:
        return response
    raw, signed = session.get(_FIELD), g.get(_FIELD)
    key = (current_app.secret_key, raw)
    if raw is not None and signed is not None and raw == g.get(_RAW_AT_START) and _kept().get(key) is None:
        _kept().put(key, signed)
    return response


def init_app(app: Flask) -> None:
    if app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return  # the signature's age counts: each request signs its own
    app.extensions["signed_csrf"] = PageCache(int(app.config.get("SIGNED_CSRF_SIZE", 4096)), float("inf"))
    app.before_request(_reuse_signed_token)
    app.after_request(_keep_signed_token)
