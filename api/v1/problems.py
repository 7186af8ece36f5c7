"""Errors as RFC 9457 problem details (`application/problem+json`), each with a stable `code`.

Every error under /api/v1 leaves through here: refusals the views raise (`Problem`), HTTP errors
(404, 405, 413...), routing errors for paths no route matches, rate limits and unexpected
exceptions. `CODES` is the catalogue integrators program against; the reference page lists it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, json, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"
REALM = "portal-api"


@dataclass(frozen=True)
class Code:
    status: int
    title: object  # a lazy string: the problem's summary, in the reader's language
    meaning: object  # when integrators meet it, for the reference page


CODES: dict[str, Code] = {
    "invalid_request": Code(400, _l("The request is malformed"), _l(
        "The body is not JSON or not a JSON object, a query parameter has a wrong value, or a header is malformed."
    )),
    "invalid_cursor": Code(400, _l("The cursor is not valid"), _l(
        "Pass back the `next_cursor` of a previous page unchanged."
    )),
    "unknown_field": Code(422, _l("The request names a field this operation does not know"), _l(
        "A member of the body (status 422) or a query parameter (status 400) is not in the operation's "
        "description. Nothing was changed."
    )),
    "validation_failed": Code(422, _l("A field has a value the operation cannot use"), _l(
        "`errors` lists each field (as a JSON pointer) and what is wrong with it. Nothing was changed."
    )),
    "authentication_required": Code(401, _l("An access token is required"), _l(
        "Send `Authorization: Bearer <access token>` from the portal's token endpoint."
    )),
    "invalid_token": Code(401, _l("The access token is not valid"), _l(
        "It is unknown, expired or revoked (the client was disabled, or the person signed out everywhere). "
        "Obtain a new one."
    )),
    "insufficient_scope": Code(403, _l("The access token lacks the scope this operation needs"), _l(
        "`WWW-Authenticate` names the scope. Ask for it when obtaining the token; the client must be "
        "allowed it."
    )),
    "forbidden": Code(403, _l("This token cannot be used for that"), _l(
        "For example a department system's token on an operation for a person's companies, or a person "
        "who acts for no company."
    )),
    "not_found": Code(404, _l("Not found"), _l(
        "There is no such resource, or it is outside what this token may see (another department's case "
        "answers the same as one that does not exist)."
    )),
    "method_not_allowed": Code(405, _l("Method not allowed"), _l("`Allow` lists the methods the path accepts.")),
    "illegal_transition": Code(409, _l("The case cannot make that move now"), _l(
        "The state machine refused the action: `reason` says why (for example `not_allowed_in_state` or "
        "`not_permitted`) and `allowed_actions` what this token may do now."
    )),
    "concurrent_update": Code(409, _l("The case changed while this request was handled"), _l(
        "Someone else acted on the case at the same moment. Read it again and retry."
    )),
    "payload_too_large": Code(413, _l("The request body is too large"), _l("Send a smaller body.")),
    "unsupported_media_type": Code(415, _l("The body must be JSON"), _l(
        "Send `Content-Type: application/json` with a JSON object."
    )),
    "idempotency_conflict": Code(422, _l("That idempotency key was used for a different request"), _l(
        "An `Idempotency-Key` is bound for 24 hours to the first request sent with it (method, path and "
        "body). Use a new key for a new request."
    )),
    "rate_limited": Code(429, _l("Too many requests"), _l(
        "This client has used up its requests for the current window; `Retry-After` says when to try again."
    )),
    "internal_error": Code(500, _l("Something went wrong on our side"), _l(
        "Nothing was changed. Retry later; with an `Idempotency-Key`, a retry cannot act twice."
    )),
}

# HTTP errors raised by Flask or Werkzeug, by status.
STATUS_CODES = {
    400: "invalid_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class Problem(Exception):  # noqa: N818 - it is the response, not a failure of ours
    """A refusal the API answers with problem details. `extensions` become extra members."""

    def __init__(self, code: str, detail: str | None = None, *, status: int | None = None,
                 headers: dict | None = None, **extensions) -> None:
        super().__init__(code)
        self.code = code
        self.status = status or CODES[code].status
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = extensions


def type_uri(code: str) -> str:
    """Each code's `type`: its entry on the reference page."""
    return url_for("api_v1.docs", _external=True, _anchor=f"problem-{code}")


def problem_response(problem: Problem) -> Response:
    body = {
        "type": type_uri(problem.code),
        "title": str(CODES[problem.code].title),
        "status": problem.status,
        "code": problem.code,
    }
    if problem.detail:
        body["detail"] = str(problem.detail)
    body["instance"] = request.path
    body.update(problem.extensions)
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=problem.status,
                                          mimetype=MEDIA_TYPE)
    response.headers.update(problem.headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def from_http_exception(error: HTTPException) -> Problem:
    status = error.code or 500
    code = STATUS_CODES.get(status, "internal_error" if status >= 500 else "invalid_request")
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 415:
        headers["Accept-Post"] = "application/json"
    return Problem(code, status=status, headers=headers)


def bearer_challenge(error: str | None = None, description: str | None = None, scope: str | None = None) -> str:
    """A `WWW-Authenticate` value as RFC 6750 §3 writes it."""
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{description}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)
