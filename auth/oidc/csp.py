"""Let a page's forms end at a registered client.

The portal's Content-Security-Policy has `form-action 'self'`, and browsers apply it to every
redirect that follows a form submission. A person who submits the sign-in, second-factor,
consent or logout-confirmation form is redirected, in the end, to the client's registered
redirect URI, which the policy would block. On exactly those pages the policy also names the
origin of that one registered URI, and nothing else.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Response, g, request, url_for

from auth.oidc import clients
from portal.extensions import db
from portal.security import CONTENT_SECURITY_POLICY


def source_of(uri: str) -> str | None:
    """The CSP source expression for a redirect URI's origin (or scheme, for a native app's)."""
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    if parts.scheme and not parts.netloc:
        return f"{parts.scheme}:"
    return None


def allow_form_target(uri: str | None) -> None:
    """Call only with a URI already checked against the client's registration."""
    if uri:
        g.oidc_form_target = source_of(uri)


def _registered_redirect_in_next(next_path: str | None) -> str | None:
    if not next_path:
        return None
    parts = urlsplit(next_path)
    if parts.netloc or parts.path != url_for("oidc.authorize"):
        return None
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    client = clients.find_client(db.session, query.get("client_id"))
    uri = query.get("redirect_uri")
    return uri if client is not None and uri and client.check_redirect_uri(uri) else None


def widen_form_action(response: Response) -> Response:
    target = g.get("oidc_form_target")
    if target is None and request.blueprint == "auth" and response.mimetype == "text/html":
        target = source_of(_registered_redirect_in_next(request.values.get("next")) or "")
    if target:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", f"form-action 'self' {target}"
        )
    return response
