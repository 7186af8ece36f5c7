"""The OpenAPI 3.1 document, generated from the operations the code declares (`http.operation`)
and their pydantic models, so the document cannot drift from what the API does.

Schemas come from pydantic in JSON Schema 2020-12, the dialect OpenAPI 3.1 uses: request bodies
in validation mode, responses in serialization mode. Every error is `application/problem+json`
with the `ProblemDetails` schema.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.v1.http import IDEMPOTENCY_HEADER, JSON, OPERATIONS, PREFIX, Operation
from api.v1.problems import CODES, MEDIA_TYPE
from api.v1.ratelimit import POLICY
from api.v1.schemas import ProblemDetails
from auth.oidc.claims import API_SCOPES, SCOPES

REF = "#/components/schemas/{model}"
VERSION = "1.0.0"

STATUS_TEXT = {
    200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
    415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
}


def _schemas() -> tuple[dict, dict]:
    """Every model's schema under components, and a map (model, mode) -> its $ref."""
    wanted: list[tuple[type[BaseModel], str]] = [(ProblemDetails, "serialization")]
    for op in OPERATIONS:
        if op.response is not None:
            wanted.append((op.response, "serialization"))
        if op.body is not None:
            wanted.append((op.body, "validation"))
    wanted = list(dict.fromkeys(wanted))
    refs, top = models_json_schema(wanted, ref_template=REF)
    return {key: value["$ref"] for key, value in refs.items()}, top.get("$defs", {})


def _without_null(prop: dict) -> dict:
    """A query parameter is absent rather than null: `T | None = None` is documented as `T`."""
    branches = prop.get("anyOf")
    if branches and {"type": "null"} in branches:
        rest = [branch for branch in branches if branch != {"type": "null"}]
        prop.pop("anyOf")
        if len(rest) == 1:
            prop.update(rest[0])
        else:
            prop["anyOf"] = rest
    if prop.get("default", ...) is None:
        prop.pop("default")
    return prop


def _query_parameters(model: type[BaseModel], components: dict) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = _without_null(dict(prop))
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        if prop.get("type") == "array" or any(p.get("type") == "array" for p in prop.get("anyOf", [])):
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


def _rate_limit_headers() -> dict:
    return {
        "RateLimit-Policy": {
            "description": _("The quota: `\"%(policy)s\";q=<requests>;w=<seconds>` (IETF draft "
                             "httpapi-ratelimit-headers).", policy=POLICY),
            "schema": {"type": "string"},
        },
        "RateLimit": {
            "description": _("What is left: `\"%(policy)s\";r=<remaining>;t=<seconds until the window "
                             "resets>`.", policy=POLICY),
            "schema": {"type": "string"},
        },
    }


def _operation(op: Operation, refs: dict, components: dict) -> dict:
    parameters = [
        {"name": p.name, "in": "path", "required": True, "description": str(p.description),
         "schema": {"type": "string", "minLength": 1, "maxLength": p.max_length}}
        for p in op.path_params
    ]
    if op.query is not None:
        parameters += _query_parameters(op.query, components)
    if op.idempotent:
        parameters.append({
            "name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
            "description": _("Send a new unique key (a UUID, say) with each new request: a retry with the same "
                             "key and body gets the first answer again, and acts only once. Keys are kept 24 "
                             "hours."),
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
        })
    success = {"description": STATUS_TEXT.get(op.status, "OK"), "headers": _rate_limit_headers()}
    if op.response is not None:
        success["content"] = {JSON: {"schema": {"$ref": refs[(op.response, "serialization")]}}}
    if op.status == 201:
        success["headers"]["Location"] = {"description": _("Where to read the result."),
                                          "schema": {"type": "string"}}
    responses = {str(op.status): success}
    problem = {"$ref": refs[(ProblemDetails, "serialization")]}
    for status in op.errors:
        codes = sorted(code for code, info in CODES.items() if info.status == status)
        if status == 400:
            codes.append("unknown_field")
        responses[str(status)] = {
            "description": STATUS_TEXT.get(status, "Error") + (f" ({', '.join(codes)})" if codes else ""),
            "content": {MEDIA_TYPE: {"schema": problem}},
        }
    document = {
        "operationId": op.endpoint.split(".")[-1],
        "tags": [op.tag],
        "summary": str(op.summary),
        "parameters": parameters,
        "responses": responses,
        "security": [{"portalOAuth": [op.scope]}, {"bearer": [op.scope]}] if op.scope else [{}],
    }
    if op.description:
        document["description"] = str(op.description)
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": {"$ref": refs[(op.body, "validation")]}}},
        }
    return document


def document() -> dict:
    refs, components = _schemas()
    paths: dict = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs, components)
    token_url = url_for("oidc.token", _external=True)
    scopes = {name: str(SCOPES[name].description) for name in API_SCOPES}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": _("District service portal API"),
            "version": VERSION,
            "description": _(
                "Cases, services, policies and policy matches for department systems and for applications "
                "acting for a person. Tokens come from the portal's OpenID provider: client credentials for a "
                "department system (its department's cases), the authorization code flow for a person. "
                "Errors are RFC 9457 problem details with a stable `code`."
            ),
        },
        "servers": [{"url": url_for("api_v1.openapi_document", _external=True).rsplit("/", 1)[0]}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "portalOAuth": {
                    "type": "oauth2",
                    "description": _("The portal's own OAuth 2.0 tokens."),
                    "flows": {
                        "clientCredentials": {"tokenUrl": token_url, "scopes": scopes},
                        "authorizationCode": {
                            "authorizationUrl": url_for("oidc.authorize", _external=True),
                            "tokenUrl": token_url,
                            "scopes": scopes,
                        },
                    },
                },
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": _("An access token from the portal, as `Authorization: Bearer ...`.")},
            },
        },
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in OPERATIONS)],
        "externalDocs": {"url": url_for("api_v1.docs", _external=True), "description": _("Reference")},
        "x-problem-codes": {code: {"status": info.status, "title": str(info.title)} for code, info in CODES.items()},
    }


__all__ = ["PREFIX", "document"]
