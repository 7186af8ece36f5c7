"""The API's plumbing: one decorator declares an operation (its path, scope, query, body and
answers), registers its route, records it for the OpenAPI document, and does for every view the
same work in the same order: authenticate, parse the query and the body, honour an
`Idempotency-Key` on POST, call the view, serialise what it returns, commit. Every error leaves
as problem details (`problems`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps

from flask import Blueprint, Flask, Response, current_app, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from api.v1 import auth, idempotency, ratelimit
from api.v1.problems import Problem, from_http_exception, problem_response
from portal.extensions import db
from portal.models.base import utcnow

PREFIX = "/api/v1"
JSON = "application/json"
IDEMPOTENCY_HEADER = "Idempotency-Key"

# Problem statuses every operation may answer; each operation adds its own.
COMMON_ERRORS = (400, 404, 405, 429, 500)
AUTH_ERRORS = (401, 403)
BODY_ERRORS = (413, 415, 422)


@dataclass
class Result:
    """What a view returns: the model to send (None: no content), its status, and for a created thing
    its address."""

    model: BaseModel | None
    status: int = 200
    location: str | None = None


@dataclass
class PathParam:
    name: str
    description: object
    max_length: int = 64


@dataclass
class Operation:
    method: str
    path: str  # as OpenAPI writes it: /cases/{case_id}
    endpoint: str
    tag: str
    summary: object
    description: object | None
    scope: str | None  # None: public, no token needed
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None  # None: 204 No Content
    status: int
    path_params: list[PathParam] = field(default_factory=list)
    errors: tuple[int, ...] = ()

    @property
    def idempotent(self) -> bool:
        return self.method == "POST"


OPERATIONS: list[Operation] = []


def operation(bp: Blueprint, method: str, path: str, *, tag: str, summary, response: type[BaseModel] | None,
              status: int = 200, scope: str | None = None, query: type[BaseModel] | None = None,
              body: type[BaseModel] | None = None, description=None, path_params: tuple[PathParam, ...] = (),
              errors: tuple[int, ...] = ()) -> Callable:
    """Declare an operation. The view is called as `view(principal, query=..., body=..., **path)`
    (only the arguments the operation has) and returns a `Result`."""

    def decorate(view: Callable[..., Result]) -> Callable:
        statuses = {*COMMON_ERRORS, *errors}
        if scope is not None:
            statuses |= set(AUTH_ERRORS)
        if body is not None:
            statuses |= set(BODY_ERRORS)
        op = Operation(method, path, f"{bp.name}.{view.__name__}", tag, summary, description, scope, query, body,
                       response, status, list(path_params), tuple(sorted(statuses)))
        OPERATIONS.append(op)

        @wraps(view)
        def handler(**path_values):
            principal = auth.require(scope) if scope else auth.current_principal()
            arguments = dict(path_values)
            if query is not None:
                arguments["query"] = parse_query(query)
            elif request.args:
                raise _unknown_query_parameters(list(request.args))
            raw = None
            if body is not None:
                arguments["body"], raw = parse_body(body)
            if op.idempotent and request.headers.get(IDEMPOTENCY_HEADER) is not None:
                return _idempotent(principal, raw, lambda: view(principal, **arguments))
            return _respond(_run(lambda: view(principal, **arguments)))

        bp.add_url_rule(re.sub(r"{(\w+)}", r"<\1>", path), endpoint=view.__name__, view_func=handler,
                        methods=[method])
        return handler

    return decorate


# --- requests -------------------------------------------------------------------------------------


def _unknown_query_parameters(names: list[str]) -> Problem:
    return Problem("unknown_field", status=400, errors=[
        {"pointer": name, "detail": "This query parameter is not known.", "code": "unknown"} for name in names
    ])


def _is_array(schema: dict) -> bool:
    return schema.get("type") == "array" or any(part.get("type") == "array" for part in schema.get("anyOf", []))


@cache
def _query_properties(model: type[BaseModel]) -> dict:
    return model.model_json_schema()["properties"]


def parse_query(model: type[BaseModel]) -> BaseModel:
    properties = _query_properties(model)
    unknown = [name for name in request.args if name not in properties]
    if unknown:
        raise _unknown_query_parameters(unknown)
    data = {}
    for name, schema in properties.items():
        values = request.args.getlist(name)
        if not values:
            continue
        if _is_array(schema):
            data[name] = values
        elif len(values) > 1:
            raise Problem("invalid_request", status=400, errors=[
                {"pointer": name, "detail": "This query parameter may be given once.", "code": "repeated"}
            ])
        else:
            data[name] = values[0]
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Problem("invalid_request", status=400, errors=field_errors(error, query=True)) from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_body(model: type[BaseModel]) -> tuple[BaseModel, dict]:
    if request.mimetype != JSON:
        raise Problem("unsupported_media_type", headers={"Accept-Post": JSON})
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError):
        raise Problem("invalid_request", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise Problem("invalid_request", "The body must be a JSON object.")
    try:
        return model.model_validate_json(raw), data
    except ValidationError as error:
        errors = field_errors(error)
        code = "unknown_field" if any(e["code"] == "unknown" for e in errors) else "validation_failed"
        raise Problem(code, errors=errors) from None


def field_errors(error: ValidationError, *, query: bool = False) -> list[dict]:
    found = []
    for item in error.errors(include_url=False, include_context=False, include_input=False):
        location = [str(part) for part in item["loc"]]
        pointer = location[0] if query and location else "/" + "/".join(location)
        code = "unknown" if item["type"] == "extra_forbidden" else item["type"]
        found.append({"pointer": pointer, "detail": item["msg"], "code": code})
    return found


def idempotency_key() -> str:
    try:
        return idempotency.parse_key(request.headers[IDEMPOTENCY_HEADER])
    except idempotency.InvalidKey:
        raise Problem("invalid_request", "Idempotency-Key must be 1 to 255 visible ASCII characters.", errors=[
            {"pointer": IDEMPOTENCY_HEADER, "detail": "1 to 255 visible ASCII characters.", "code": "invalid"}
        ]) from None


# --- responses ------------------------------------------------------------------------------------


def _run(call: Callable[[], Result]) -> Result:
    """Call the view and commit what it did; a concurrent change to a case is a 409."""
    try:
        result = call()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Problem("concurrent_update") from None
    return result


def _json_response(body: dict, status: int, location: str | None = None) -> Response:
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=JSON)
    if location:
        response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    return response


def _respond(result: Result) -> Response:
    if result.model is None:
        return current_app.response_class(status=result.status, headers={"Cache-Control": "no-store"})
    return _json_response(result.model.model_dump(mode="json"), result.status, result.location)


def _idempotent(principal: auth.Principal, body: dict | None, call: Callable[[], Result]) -> Response:
    """The first request with a key acts and keeps its answer; a retry gets the same answer."""
    key = idempotency_key()
    bound_to = idempotency.fingerprint(request.method, request.full_path.rstrip("?"), body)
    try:
        outcome = idempotency.begin(db.session, client_pk=principal.client.id, account_id=principal.account.id,
                                    key=key, bound_to=bound_to, now=utcnow())
    except idempotency.IdempotencyConflict:
        db.session.rollback()
        raise Problem("idempotency_conflict") from None
    if isinstance(outcome, idempotency.Replay):
        db.session.rollback()
        response = _json_response(outcome.body, outcome.status, outcome.location)
        response.headers["Idempotent-Replayed"] = "true"
        return response

    def act_and_keep() -> Result:
        result = call()
        idempotency.finish(outcome, status=result.status, body=result.model.model_dump(mode="json"),
                           location=result.location)
        return result

    return _respond(_run(act_and_keep))


# --- errors ---------------------------------------------------------------------------------------


def _is_api_path() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def init_errors(bp: Blueprint) -> None:
    @bp.errorhandler(Problem)
    def _problem(problem: Problem):
        db.session.rollback()
        return problem_response(problem)

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        db.session.rollback()
        problem = from_http_exception(error)
        if problem.status == 429:
            problem.headers["Retry-After"] = str(ratelimit.seconds_to_reset() or 1)
        return problem_response(problem)

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        current_app.logger.exception("Unhandled error in the API", exc_info=error)
        return problem_response(Problem("internal_error"))

    @bp.before_app_request
    def _routing_errors():
        """A path under /api/v1 that no route serves (404), or a method a route does not take
        (405), is answered as a problem too: the blueprint's handlers never see these."""
        failed = request.routing_exception
        if failed is None or isinstance(failed, RequestRedirect) or not _is_api_path():
            return None
        response = problem_response(from_http_exception(failed))
        return response


def init_app(app: Flask) -> None:
    for name, value in ratelimit.DEFAULTS.items():
        app.config.setdefault(name, value)
