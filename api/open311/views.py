"""Open311 GeoReport v2 routes. The format is the path's extension (.json or .xml); errors are the
spec's error arrays. Views parse, call one domain function, and render."""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import Response, current_app, g, request, url_for
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException, InternalServerError

from api.open311 import bp, documents, keys
from api.open311 import service_requests as requests_
from api.open311.formats import FORMATS, render
from api.open311.service_requests import CaseRefused, Open311Error, Problem
from portal.extensions import db, limiter

NO_STORE = "no-store"
HTTP_PROBLEMS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 429: "too_many_requests"}


def _locale() -> str:
    """The language of names and texts: the `locale` parameter, else Accept-Language, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    asked = (request.values.get("locale") or "").replace("_", "-").split("-")[0].lower()
    if asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _respond(fmt: str, root: str, document, status: int = 200, cache: str | None = None) -> Response:
    response = Response(render(fmt, root, document), status=status, content_type=FORMATS[fmt])
    response.headers["Vary"] = "Accept-Language"
    if cache:
        response.headers["Cache-Control"] = cache
    return response


def _error_response(fmt: str, status: int, problems: list[Problem]) -> Response:
    return _respond(fmt if fmt in FORMATS else "json", "errors", documents.errors(problems), status, NO_STORE)


def open311(view):
    """Check the format, answer in the client's language, turn domain refusals into error arrays."""

    @wraps(view)
    def wrapper(*args, fmt: str, **kwargs):
        g.open311_locale = _locale()
        with force_locale(g.open311_locale):
            if fmt not in FORMATS:
                return _error_response("json", 404, [Problem(404, "format_unknown")])
            try:
                return view(*args, fmt=fmt, **kwargs)
            except Open311Error as error:
                db.session.rollback()
                return _error_response(fmt, error.status, error.problems)

    return wrapper


def _viewer():
    """The client a GET's optional api_key names: it sees its own requests in full."""
    presented = request.args.get("api_key")
    if presented is None:
        return None
    found = keys.authenticate(db.session, presented)
    if found is None:
        raise Open311Error(Problem(403, "api_key_invalid"))
    db.session.commit()  # last used
    return found[1]


def _key_bucket() -> str:
    presented = request.form.get("api_key") or ""
    return "open311-key:" + hashlib.sha256(presented.encode()).hexdigest()


@bp.get("/discovery.<fmt>")
@open311
def discovery(fmt: str):
    document = documents.discovery(
        url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0],
        production=current_app.config.get("ENV_NAME") == "production",
        hotline=current_app.config["DISTRICT_HOTLINE"],
    )
    return _respond(fmt, "discovery", document)


@bp.get("/services.<fmt>")
@open311
def services(fmt: str):
    categories = requests_.request_categories(db.session)
    return _respond(fmt, "services", [documents.service(c, g.open311_locale) for c in categories])


@bp.get("/services/<service_code>.<fmt>")
@open311
def service_definition(service_code: str, fmt: str):
    category = requests_.find_service(db.session, service_code)
    return _respond(fmt, "service_definition", documents.service_definition(category))


@bp.get("/requests.<fmt>")
@open311
def list_requests(fmt: str):
    viewer = _viewer()
    query = requests_.parse_query(request.args)
    rows = requests_.shown(db.session, requests_.find_requests(db.session, query), viewer.id if viewer else None)
    document = [documents.service_request(row, g.open311_locale) for row in rows]
    return _respond(fmt, "service_requests", document, cache=NO_STORE if viewer else None)


@bp.post("/requests.<fmt>")
@limiter.limit("120 per minute", methods=["POST"])
@limiter.limit("30 per minute", key_func=_key_bucket, methods=["POST"])
@open311
def create_request(fmt: str):
    found = keys.authenticate(db.session, request.form.get("api_key"))
    if found is None:
        raise Open311Error(Problem(403, "api_key_invalid"))
    key, client = found
    data = requests_.parse_new_request(request.form)
    try:
        case, record = requests_.file_request(db.session, key, keys.sender_account(db.session, client), data)
    except CaseRefused as refused:
        raise Open311Error(Problem(400, "case_refused", {"error": refused.error})) from None
    db.session.commit()
    return _respond(fmt, "service_requests", [documents.created(case, record, g.open311_locale)], 201, NO_STORE)


@bp.get("/requests/<service_request_id>.<fmt>")
@open311
def show_request(service_request_id: str, fmt: str):
    viewer = _viewer()
    rows = requests_.shown(db.session, [requests_.find_request(db.session, service_request_id)],
                           viewer.id if viewer else None)
    document = [documents.service_request(rows[0], g.open311_locale)]
    return _respond(fmt, "service_requests", document, cache=NO_STORE if viewer else None)


@bp.get("/tokens/<token>.<fmt>")
@open311
def show_token(token: str, fmt: str):
    record = requests_.resolve_token(db.session, token)
    return _respond(fmt, "service_requests", [documents.token(record)])


@bp.get("/<path:unknown>")
def unknown(unknown: str):
    fmt = unknown.rsplit(".", 1)[-1] if "." in unknown else "json"
    with force_locale(_locale()):
        return _error_response(fmt, 404, [Problem(404, "not_found")])


def _format_of_path() -> str:
    fmt = request.path.rsplit(".", 1)[-1] if "." in request.path.rsplit("/", 1)[-1] else "json"
    return fmt if fmt in FORMATS else "json"


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Errors raised around the views (a rate limit, a malformed form) as the spec's error arrays."""
    status = error.code or 500
    code = HTTP_PROBLEMS.get(status, "server_error" if status >= 500 else "bad_request")
    with force_locale(_locale()):
        return _error_response(_format_of_path(), status, [Problem(status, code)])


@bp.errorhandler(InternalServerError)
def server_error(error: InternalServerError):
    db.session.rollback()
    with force_locale(_locale()):
        return _error_response(_format_of_path(), 500, [Problem(500, "server_error")])
