"""Translated error pages, in the same layout as every other page."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("portal.errors")

RETRY_AFTER_SECONDS = 5

ERROR_TEXT = {
    400: (_l("Bad request"), _l("We could not understand that request. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("That action is not available on this page.")),
    413: (_l("File too large"), _l("What you sent is larger than we accept. Please send a smaller file.")),
    429: (_l("Too many attempts"), _l("You have tried too many times. Please wait a while and try again.")),
    500: (
        _l("Something went wrong"),
        _l("Our service had a problem. Please try again later, or call the service hotline."),
    ),
    503: (_l("Service unavailable"), _l("The service is briefly unavailable. Please try again in a few minutes.")),
}


def render_error(code: int):
    title, message = ERROR_TEXT.get(code, ERROR_TEXT[500])
    if request.accept_mimetypes.best == "application/json":
        return {"error": str(title), "message": str(message)}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code)
        if error.code == 405 and hasattr(error, "valid_methods"):
            return (*response, {"Allow": ", ".join(error.valid_methods or [])})
        return response

    @app.errorhandler(InternalServerError)
    def handle_server_error(_error):
        return render_error(500)

    @app.errorhandler(PoolTimeoutError)
    def handle_pool_exhausted(error):
        return database_unavailable(error)

    @app.errorhandler(DBAPIError)
    def handle_database_error(error: DBAPIError):
        # Unreachable, restarting, timed out, or the connection broke mid-request: a 503. Any other
        # database error (a constraint, a bug) stays a 500.
        if isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated:
            return database_unavailable(error)
        raise error


def database_unavailable(error: Exception):
    """The database is down, restarting or overloaded: a clean 503 (page or JSON) with Retry-After,
    not a traceback. The request's unfinished transaction is rolled back."""
    from portal.extensions import db, login_manager

    log.warning("database unavailable: %s", error.__class__.__name__, extra={"error": str(error)[:300]})
    with contextlib.suppress(Exception):  # the connection is gone; the session is discarded at teardown
        db.session.rollback()
    # The page must not need the database: whoever is signed in is not looked up again.
    if g.get("_login_user") is None:
        g._login_user = login_manager.anonymous_user()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    try:
        body, code = render_error(503)
    except Exception:  # noqa: BLE001 - the layout itself needed the database
        title, message = ERROR_TEXT[503]
        body, code = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{message}</p>", 503
    return body, code, headers
