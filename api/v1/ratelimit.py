"""Rate limits per client, advertised with the IETF `RateLimit-Policy` and `RateLimit` fields
(draft-ietf-httpapi-ratelimit-headers): one quota shared by every operation of the API, counted
per OAuth client (per address for calls without a token), in the limiter's storage (Redis when
configured, so that every worker counts together).

    RateLimit-Policy: "per-client";q=600;w=60
    RateLimit: "per-client";r=598;t=41
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app
from flask_limiter.util import get_remote_address

from api.v1.auth import principal_or_none
from portal.extensions import limiter

POLICY = "per-client"
DEFAULTS = {
    # Per OAuth client, across all of /api/v1.
    "API_RATE_LIMIT": "600 per minute",
    # Per address, for calls without a token (the public catalogue, the document).
    "API_RATE_LIMIT_ANONYMOUS": "120 per minute",
}


def _key() -> str:
    principal = principal_or_none()
    if principal is not None:
        return f"client:{principal.client.client_id}"
    return f"address:{get_remote_address()}"


def _limit() -> str:
    if principal_or_none() is not None:
        return current_app.config["API_RATE_LIMIT"]
    return current_app.config["API_RATE_LIMIT_ANONYMOUS"]


def apply(bp: Blueprint) -> None:
    limiter.shared_limit(_limit, scope="api_v1", key_func=_key)(bp)

    @bp.after_request
    def advertise(response: Response) -> Response:
        add_headers(response)
        return response


def seconds_to_reset() -> int | None:
    current = limiter.current_limit
    if current is None:
        return None
    return max(0, int(current.reset_at - time.time()))


def add_headers(response: Response) -> None:
    current = limiter.current_limit
    if current is None:  # limits are off (tests), or this request is not limited
        return
    item = current.limit
    response.headers["RateLimit-Policy"] = f'"{POLICY}";q={item.amount};w={item.get_expiry()}'
    response.headers["RateLimit"] = f'"{POLICY}";r={max(0, current.remaining)};t={seconds_to_reset()}'
