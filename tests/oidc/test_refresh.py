"""Refresh tokens rotate; presenting a rotated one revokes the whole family."""

from __future__ import annotations

from tests.oidc.conftest import DEPT_SYSTEM, MOBILE_APP
from tests.oidc.rp import follow


def _tokens(live_server, rp, browser, **extra):
    request = rp.authorization_request(**extra)
    code = follow(browser, live_server, request.url).params["code"]
    response = rp.exchange(code, request.verifier)
    assert response.status_code == 200, response.text
    return response.json()


def test_refresh_rotates_the_refresh_token(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    first = _tokens(live_server, rp, signed_in)
    response = rp.refresh(first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == "openid profile phone"
    assert rp.userinfo(second["access_token"]).status_code == 200
    assert rp.refresh(second["refresh_token"]).status_code == 200  # the new one works once too
    assert any(row.outcome == "success" for row in live_db.audit("oidc.refresh"))


def test_refresh_may_narrow_but_not_widen_the_scope(live_server, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    tokens = _tokens(live_server, rp, signed_in, scope="openid profile")
    narrowed = rp.refresh(tokens["refresh_token"], scope="openid")
    assert narrowed.json()["scope"] == "openid"
    widened = rp.refresh(narrowed.json()["refresh_token"], scope="openid phone")
    assert widened.json()["error"] == "invalid_scope"


def test_reusing_a_rotated_refresh_token_revokes_the_family(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*MOBILE_APP)  # public clients are where a stolen refresh token hurts most
    first = _tokens(live_server, rp, signed_in)
    second = rp.refresh(first["refresh_token"]).json()
    third = rp.refresh(second["refresh_token"]).json()

    before = live_db.last_audit_id()
    replay = rp.refresh(first["refresh_token"])  # an attacker replays the stolen first one
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    [row] = [r for r in live_db.audit("oidc.refresh", after_id=before) if r.outcome == "refused"]
    assert row.details["reason"] == "refresh_reused"
    assert row.details["revoked_tokens"] >= 1

    # Every token of the family is dead, including the newest the rightful app held.
    assert rp.refresh(third["refresh_token"]).json()["error"] == "invalid_grant"
    assert rp.userinfo(third["access_token"]).status_code == 401
    assert rp.userinfo(second["access_token"]).status_code == 401


def test_a_refresh_token_of_another_client_is_refused(live_server, live_rp, signed_in):
    tokens = _tokens(live_server, live_rp(*DEPT_SYSTEM), signed_in)
    response = live_rp(*MOBILE_APP).refresh(tokens["refresh_token"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_an_access_token_is_not_a_refresh_token(live_server, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    tokens = _tokens(live_server, rp, signed_in)
    assert rp.refresh(tokens["access_token"]).json()["error"] == "invalid_grant"
