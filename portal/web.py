"""Small helpers that read the current request for the service layer."""

from __future__ import annotations

from flask import request

from portal.audit import Origin


def request_origin() -> Origin:
    return Origin(ip_address=request.remote_addr, user_agent=request.headers.get("User-Agent"))
