"""Translated error pages, in the same layout as every other page."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

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
