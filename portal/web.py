"""Small helpers that read the current request for the service layer."""

from __future__ import annotations

from flask import request

from portal.audit import Origin

# Answers a browser must not keep (tokens, one-time forms, what a person typed), for the back button
# or a shared computer; Pragma for HTTP/1.0 caches, as OAuth asks of token answers.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def request_origin() -> Origin:
    return Origin(ip_address=request.remote_addr, user_agent=request.headers.get("User-Agent"))
