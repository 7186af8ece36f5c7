"""Response headers that every page carries, and requests no page can take."""

from __future__ import annotations

from flask import Flask, Response, abort, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def carries_nul() -> bool:
    """A NUL character in the path, the query, the form or a JSON body: never text a person typed,
    and refused by PostgreSQL in any text column (SQLite would cut the text at it)."""
    if "\x00" in request.path:
        return True
    # A query string decodes to a NUL only from "%00" or a raw NUL: most requests need not parse it.
    query = request.query_string
    if (b"%00" in query or b"\x00" in query) and _any_nul(request.args):
        return True
    if request.method in SAFE_METHODS:
        return False
    if request.is_json:  # forms read a JSON body as their data too (Flask-WTF)
        try:
            return _json_carries_nul(request.get_json(silent=True))  # parsed once: the view reads the same
        except RecursionError:  # nested deeper than the parser goes: nobody's input, refused alike
            return True
    return _any_nul(request.form)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _any_nul(fields) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in fields.lists())


def _json_carries_nul(value) -> bool:
    pending = [value]
    while pending:  # a loop, not recursion: the body decides how deep it goes
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        if carries_nul():
            abort(400)

    every_response = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()"),
    ]
    if app.config["SESSION_COOKIE_SECURE"]:
        every_response.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        # Each header unless the view set its own; one pass over the headers rather than a
        # setdefault each (a fifth of a cached page's time).
        present = {name.lower() for name, _ in response.headers.items()}
        response.headers.extend([(name, value) for name, value in every_response if name.lower() not in present])
        return response
