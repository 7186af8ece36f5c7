"""The provider's discovery document (OpenID Connect Discovery 1.0, RFC 8414)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

from auth.oidc import claims, keys
from auth.oidc.server import CLIENT_AUTH_METHODS, issuer
from auth.session import ACR_MFA, ACR_PASSWORD

UI_LOCALES = ["zh-CN", "en"]


def provider_metadata() -> dict:
    origin = urlsplit(issuer())

    def url(endpoint: str) -> str:
        # The issuer's scheme and host with the route's path (which already holds any script root).
        return f"{origin.scheme}://{origin.netloc}{url_for(endpoint)}"

    return {
        "issuer": issuer(),
        "authorization_endpoint": url("oidc.authorize"),
        "token_endpoint": url("oidc.token"),
        "userinfo_endpoint": url("oidc.userinfo"),
        "jwks_uri": url("oidc.jwks"),
        "revocation_endpoint": url("oidc.revoke"),
        "introspection_endpoint": url("oidc.introspect"),
        "end_session_endpoint": url("oidc.end_session"),
        "scopes_supported": list(claims.SUPPORTED_SCOPES),
        "claims_supported": [
            "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "act",
            *claims.SUPPORTED_CLAIMS,
        ],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [keys.ALGORITHM],
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": [ACR_PASSWORD, ACR_MFA],
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": UI_LOCALES,
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
    }
