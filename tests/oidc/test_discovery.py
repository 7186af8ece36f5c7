"""Discovery and the JWKS, validated with Authlib's own metadata classes."""

from __future__ import annotations

from authlib.oauth2 import rfc8414, rfc9207
from authlib.oidc import discovery, rpinitiated

from auth.oidc.models import SigningKey
from portal.extensions import db


def test_discovery_document_is_valid_openid_provider_metadata(client, app):
    response = client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    data = response.get_json()
    metadata = discovery.OpenIDProviderMetadata(data)
    metadata.validate(
        metadata_classes=[
            rfc8414.AuthorizationServerMetadata,  # revocation, introspection, PKCE methods
            rpinitiated.OpenIDProviderMetadata,
            rfc9207.AuthorizationServerMetadata,
        ]
    )
    assert data["issuer"] == "http://localhost"
    assert data["response_types_supported"] == ["code"]
    assert data["grant_types_supported"] == ["authorization_code", "refresh_token", "client_credentials"]
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert set(data["token_endpoint_auth_methods_supported"]) >= {"client_secret_basic", "client_secret_post"}
    assert {"openid", "profile", "phone", "portal.ends", "portal.enterprise"} <= set(data["scopes_supported"])


def test_every_advertised_endpoint_is_served_here(client, app):
    data = client.get("/.well-known/openid-configuration").get_json()
    adapter = app.url_map.bind("localhost")
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                "revocation_endpoint", "introspection_endpoint", "end_session_endpoint"):
        url = data[key]
        assert url.startswith(data["issuer"] + "/"), key
        adapter.match(url.removeprefix(data["issuer"]), method="POST" if key.endswith(("token_endpoint",
                      "revocation_endpoint", "introspection_endpoint")) else "GET")


def test_configured_issuer_is_used_everywhere(make_app):
    app = make_app(OIDC_ISSUER="https://id.songjiang.example")
    data = app.test_client().get("/.well-known/openid-configuration").get_json()
    assert data["issuer"] == "https://id.songjiang.example"
    assert data["token_endpoint"] == "https://id.songjiang.example/oidc/token"


def key_rows(app) -> int:
    with app.app_context():
        return db.session.query(SigningKey).count()


def test_jwks_publishes_public_keys_only_and_makes_the_first_key(client, app):
    assert key_rows(app) == 0
    response = client.get("/oidc/jwks")
    keys = response.get_json()["keys"]
    assert len(keys) == 1
    [key] = keys
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    assert "max-age" in response.headers["Cache-Control"]
    assert client.get("/oidc/jwks").get_json()["keys"] == keys  # made once, then reused
    assert key_rows(app) == 1


# The provider's routes; one that disappears or appears should be a decision.
OIDC_ROUTES = {
    ("oidc.discovery", "/.well-known/openid-configuration"),
    ("oidc.jwks", "/oidc/jwks"),
    ("oidc.authorize", "/oidc/authorize"),
    ("oidc.token", "/oidc/token"),
    ("oidc.userinfo", "/oidc/userinfo"),
    ("oidc.revoke", "/oidc/revoke"),
    ("oidc.introspect", "/oidc/introspect"),
    ("oidc.end_session", "/oidc/logout"),
    ("oidc.applications", "/auth/applications"),
    ("oidc.revoke_application", "/auth/applications/revoke"),
    ("gov.clients", "/gov/clients"),
    ("gov.register_client", "/gov/clients/new"),
    ("gov.rotate_client_secret", "/gov/clients/<client_id>/secret"),
    ("gov.disable_client", "/gov/clients/<client_id>/disable"),
    ("gov.enable_client", "/gov/clients/<client_id>/enable"),
}

# The client directory's webhook pages belong to the webhooks feature, not to the provider.
WEBHOOK_PAGES = "/webhooks"



def test_provider_routes_are_the_ones_we_expect(app):
    routes = {(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()}
    provider = {r for r in routes if r[0].startswith("oidc.") or ("/clients" in r[1] and WEBHOOK_PAGES not in r[1])}
    assert provider == OIDC_ROUTES
