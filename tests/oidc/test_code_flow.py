"""The authorization-code flow end to end against gunicorn, with a client that is not Authlib."""

from __future__ import annotations

import time

import jwt
import pytest

from auth.session import ACR_PASSWORD
from tests.oidc.conftest import DEPT_SYSTEM, MOBILE_APP
from tests.oidc.rp import follow


def test_confidential_client_signs_a_resident_in_with_pkce(live_server, live_db, live_rp, signed_in, resident):
    rp = live_rp(*DEPT_SYSTEM)
    request = rp.authorization_request()
    outcome = follow(signed_in, live_server, request.url)

    assert outcome.location.startswith(rp.redirect_uri + "?")
    params = outcome.params
    assert params["state"] == request.state
    assert params["iss"] == rp.config["issuer"]
    response = rp.exchange(params["code"], request.verifier)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "openid profile phone"
    assert tokens["refresh_token"]

    claims = rp.verify_id_token(tokens["id_token"], nonce=request.nonce, access_token=tokens["access_token"])
    account = live_db.account(resident)
    assert claims["sub"] == account.public_id
    assert claims["azp"] == rp.client_id
    assert claims["acr"] == ACR_PASSWORD
    assert claims["amr"] == ["pwd"]
    assert abs(claims["auth_time"] - time.time()) < 120
    assert "act" not in claims
    assert "phone_number" not in claims  # claims come from userinfo, not the ID token

    published = {key["kid"] for key in rp.http.get(rp.config["jwks_uri"]).json()["keys"]}
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] in published
    issued = live_db.audit("oidc.token", subject_id=None)
    assert any(row.subject_id == account.id and row.outcome == "success" for row in issued)


def test_public_client_uses_pkce_without_a_secret(live_server, live_rp, signed_in, resident):
    rp = live_rp(*MOBILE_APP)
    request = rp.authorization_request()
    outcome = follow(signed_in, live_server, request.url)
    tokens = rp.exchange(outcome.params["code"], request.verifier).json()
    claims = rp.verify_id_token(tokens["id_token"], nonce=request.nonce, access_token=tokens["access_token"])
    assert claims["aud"] == "demo-mobile-app"


@pytest.mark.parametrize("auth", ["client_secret_basic", "client_secret_post"])
def test_both_client_authentication_methods_work(live_server, live_rp, signed_in, resident, auth):
    rp = live_rp(*DEPT_SYSTEM, auth=auth)
    request = rp.authorization_request()
    code = follow(signed_in, live_server, request.url).params["code"]
    response = rp.exchange(code, request.verifier)
    assert response.status_code == 200, response.text


def test_userinfo_answers_get_and_post_with_the_claims_of_each_scope(live_server, live_db, live_rp, signed_in,
                                                                      resident):
    rp = live_rp(*DEPT_SYSTEM)
    request = rp.authorization_request()
    code = follow(signed_in, live_server, request.url).params["code"]
    access = rp.exchange(code, request.verifier).json()["access_token"]
    account = live_db.account(resident)

    by_get = rp.userinfo(access)
    by_post = rp.userinfo(access, method="POST")
    in_body = rp.userinfo(access, in_body=True)
    for response in (by_get, by_post, in_body):
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Control"] == "no-store"
    expected = {"sub": account.public_id, "name": "林小雨", "phone_number": f"+86{resident}",
                "phone_number_verified": False}
    assert by_get.json() == by_post.json() == in_body.json() == expected

    assert rp.userinfo("not-a-token").status_code == 401
    assert "invalid_token" in rp.userinfo("not-a-token").headers["WWW-Authenticate"]


def test_a_standard_oauth_library_completes_the_flow(live_server, live_rp, signed_in, monkeypatch):
    from requests_oauthlib import OAuth2Session

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test server speaks http on loopback
    client_id, redirect_uri, secret = DEPT_SYSTEM
    config = live_rp(*DEPT_SYSTEM).config
    oauth = OAuth2Session(client_id, redirect_uri=redirect_uri, scope=["openid", "profile"], pkce="S256")
    url, state = oauth.authorization_url(config["authorization_endpoint"], nonce="library-nonce")
    outcome = follow(signed_in, live_server, url)
    assert outcome.params["state"] == state
    token = oauth.fetch_token(config["token_endpoint"], authorization_response=outcome.location,
                              client_secret=secret)
    assert token["id_token"] and token["refresh_token"]
    assert oauth.get(config["userinfo_endpoint"]).json()["name"] == "林小雨"
    refreshed = oauth.refresh_token(config["token_endpoint"], auth=(client_id, secret))
    assert refreshed["refresh_token"] != token["refresh_token"]
    oauth.close()
