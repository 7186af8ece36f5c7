"""Revocation (RFC 7009) and introspection (RFC 7662, for registered resource servers)."""

from __future__ import annotations

import pytest

from tests.oidc.conftest import DEPT_SYSTEM, MOBILE_APP
from tests.oidc.rp import follow

RESOURCE_SERVER = ("demo-dept-api", "http://127.0.0.1:8001/callback", "demo-dept-api-secret")


def _tokens(live_server, rp, browser):
    request = rp.authorization_request()
    code = follow(browser, live_server, request.url).params["code"]
    return rp.exchange(code, request.verifier).json()


def introspect(live_rp, token, **extra):
    api = live_rp(*RESOURCE_SERVER)
    return api.post("introspection_endpoint", {"token": token, **extra})


def test_revoking_an_access_token_ends_it_and_its_refresh_token_only(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    tokens = _tokens(live_server, rp, signed_in)
    other = _tokens(live_server, rp, signed_in)
    before = live_db.last_audit_id()
    response = rp.post("revocation_endpoint", {"token": tokens["access_token"], "token_type_hint": "access_token"})
    assert response.status_code == 200
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    # RFC 7009 §2.1 lets the server revoke the refresh token issued with it; this one does.
    assert rp.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert rp.userinfo(other["access_token"]).status_code == 200
    [row] = live_db.audit("oidc.revoke", after_id=before)
    assert row.outcome == "success" and row.details["token_type"] == "access_token"


def test_revoking_a_refresh_token_ends_the_whole_grant(live_server, live_rp, signed_in):
    rp = live_rp(*MOBILE_APP)
    tokens = _tokens(live_server, rp, signed_in)
    assert rp.post("revocation_endpoint", {"token": tokens["refresh_token"]}).status_code == 200
    assert rp.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert rp.userinfo(tokens["access_token"]).status_code == 401


def test_revoking_an_unknown_token_is_answered_200(live_rp):
    assert live_rp(*DEPT_SYSTEM).post("revocation_endpoint", {"token": "never-issued"}).status_code == 200


def test_a_client_cannot_revoke_another_clients_token(live_server, live_db, live_rp, signed_in):
    tokens = _tokens(live_server, live_rp(*DEPT_SYSTEM), signed_in)
    before = live_db.last_audit_id()
    response = live_rp(*MOBILE_APP).post("revocation_endpoint", {"token": tokens["access_token"]})
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert live_rp(*DEPT_SYSTEM).userinfo(tokens["access_token"]).status_code == 200
    assert [r.outcome for r in live_db.audit("oidc.revoke", after_id=before)] == ["refused"]


def test_revocation_needs_client_authentication(live_rp):
    rp = live_rp(DEPT_SYSTEM[0], DEPT_SYSTEM[1], "wrong-secret")
    assert rp.post("revocation_endpoint", {"token": "x"}).status_code == 401


def test_a_resource_server_introspects_live_and_dead_tokens(live_server, live_db, live_rp, signed_in, resident):
    rp = live_rp(*DEPT_SYSTEM)
    tokens = _tokens(live_server, rp, signed_in)
    live = introspect(live_rp, tokens["access_token"]).json()
    account = live_db.account(resident)
    assert live["active"] is True
    assert live["sub"] == account.public_id
    assert live["client_id"] == "demo-dept-system"
    assert live["scope"] == "openid profile phone"
    assert live["iss"] == rp.config["issuer"]
    assert live["exp"] > live["iat"]

    rp.post("revocation_endpoint", {"token": tokens["access_token"]})
    assert introspect(live_rp, tokens["access_token"]).json() == {"active": False}
    assert introspect(live_rp, "never-issued").json() == {"active": False}


@pytest.mark.parametrize("client", [DEPT_SYSTEM, MOBILE_APP])
def test_only_registered_resource_servers_may_introspect(live_server, live_db, live_rp, signed_in, client):
    tokens = _tokens(live_server, live_rp(*DEPT_SYSTEM), signed_in)
    before = live_db.last_audit_id()
    response = live_rp(*client).post("introspection_endpoint", {"token": tokens["access_token"]})
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"
    assert [r.outcome for r in live_db.audit("oidc.introspect", after_id=before)] == ["refused"]
