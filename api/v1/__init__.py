"""The JSON API for department systems and applications acting for a person, at /api/v1.

Described by an OpenAPI 3.1 document generated from the code (`/api/v1/openapi.json`), with a
reference page rendered from it (`/api/v1/docs`). Tokens are the portal's own (auth/oidc): client
credentials for a department system, the authorization code flow for a person. Errors are RFC
9457 problem details; POSTs honour `Idempotency-Key`; each client has its own rate limit.
"""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1", template_folder="templates")
csrf.exempt(bp)  # bearer tokens, never cookies: there is no session to forge requests with

from api.v1 import http, models, ratelimit, views  # noqa: E402,F401  (routes, tables, limits register themselves)

http.init_errors(bp)
ratelimit.apply(bp)


@bp.record_once
def _init(state) -> None:
    http.init_app(state.app)
