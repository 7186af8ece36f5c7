"""Each refusal the issue lists: the standard OAuth error, no redirect where none is safe, and an
audit row saying what was refused and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from auth.oidc.models import AuthorizationCode, OAuthClient, digest
from portal.models.base import utcnow
from tests.oidc.conftest import DEPT_SYSTEM, MOBILE_APP
from tests.oidc.rp import follow


def refusal(live_db, after_id, action="oidc.authorize"):
    rows = [row for row in live_db.audit(action, after_id=after_id) if row.outcome == "refused"]
    assert len(rows) == 1, [(r.action, r.details) for r in live_db.audit(after_id=after_id)]
    return rows[0]


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:8001/callback/extra",  # extra path
        "http://127.0.0.1:8003/callback",  # different port
        "http://127.0.0.1:8001/callback/",  # trailing slash
        "http://127.0.0.1:8001/CALLBACK",  # different case
        "http://127.0.0.1:8001/callback?x=1",  # extra query
        "https://evil.example/callback",  # unregistered
    ],
)
def test_near_miss_redirect_uris_get_an_error_page_and_never_a_redirect(live_server, live_db, live_rp, signed_in,
                                                                         redirect_uri):
    rp = live_rp(*DEPT_SYSTEM)
    before = live_db.last_audit_id()
    request = rp.authorization_request(redirect_uri=redirect_uri)
    response = signed_in.get(request.url, allow_redirects=False)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "invalid_request" in response.text
    row = refusal(live_db, before)
    assert row.details["error"] == "invalid_request"
    assert row.details["reason"] == "redirect_uri_unregistered"
    assert row.object_id == "demo-dept-system"


def test_openid_request_without_redirect_uri_is_refused_not_defaulted(live_db, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    before = live_db.last_audit_id()
    request = rp.authorization_request(redirect_uri="")
    response = signed_in.get(request.url.replace("redirect_uri=&", ""), allow_redirects=False)
    assert response.status_code == 400 and "Location" not in response.headers
    assert refusal(live_db, before).details["reason"] == "redirect_uri_missing"


def test_unknown_client_gets_an_error_page(live_db, live_rp, signed_in):
    rp = live_rp("no-such-client", "http://127.0.0.1:8001/callback")
    rp._config = live_rp(*DEPT_SYSTEM).config
    before = live_db.last_audit_id()
    response = signed_in.get(rp.authorization_request().url, allow_redirects=False)
    assert response.status_code == 400 and "invalid_client" in response.text
    assert refusal(live_db, before).details["error"] == "invalid_client"


def test_unknown_scope_is_refused_with_invalid_scope(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    before = live_db.last_audit_id()
    request = rp.authorization_request(scope="openid profile bank_account")
    outcome = follow(signed_in, live_server, request.url)
    assert outcome.params["error"] == "invalid_scope"
    assert outcome.params["state"] == request.state
    assert outcome.params["iss"] == rp.config["issuer"]
    assert refusal(live_db, before).details["error"] == "invalid_scope"


def test_a_scope_the_client_may_not_ask_for_is_refused_too(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)  # not registered for portal.ends
    outcome = follow(signed_in, live_server, rp.authorization_request(scope="openid portal.ends").url)
    assert outcome.params["error"] == "invalid_scope"


def test_public_client_without_pkce_is_refused_at_the_authorization_endpoint(live_server, live_db, live_rp,
                                                                            signed_in):
    rp = live_rp(*MOBILE_APP)
    before = live_db.last_audit_id()
    outcome = follow(signed_in, live_server, rp.authorization_request(pkce=False).url)
    assert outcome.params["error"] == "invalid_request"
    assert refusal(live_db, before).details["reason"] == "pkce_missing"


@pytest.mark.parametrize("method", ["plain", None])
def test_plain_pkce_is_refused(live_server, live_db, live_rp, signed_in, method):
    rp = live_rp(*DEPT_SYSTEM)
    request = rp.authorization_request()
    url = request.url.replace("code_challenge_method=S256", f"code_challenge_method={method}" if method else "x=1")
    before = live_db.last_audit_id()
    outcome = follow(signed_in, live_server, url)
    assert outcome.params["error"] == "invalid_request"
    assert refusal(live_db, before).details["reason"] == "pkce_method"


def _code(live_server, rp, browser, **extra):
    request = rp.authorization_request(**extra)
    outcome = follow(browser, live_server, request.url)
    return outcome.params["code"], request


def test_replayed_code_is_refused_and_revokes_the_tokens_it_gave(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    code, request = _code(live_server, rp, signed_in)
    tokens = rp.exchange(code, request.verifier).json()
    assert rp.userinfo(tokens["access_token"]).status_code == 200

    before = live_db.last_audit_id()
    replay = rp.exchange(code, request.verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    row = refusal(live_db, before, "oidc.token")
    assert row.details["reason"] == "code_replayed"
    assert row.details["revoked_tokens"] == 1
    # What the code gave is revoked: the access token and the refresh token both stop working.
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    assert rp.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"


@pytest.mark.parametrize("verifier", ["wrong-" + "v" * 50, None])
def test_wrong_or_missing_code_verifier_is_refused(live_server, live_db, live_rp, signed_in, verifier):
    rp = live_rp(*DEPT_SYSTEM)
    code, request = _code(live_server, rp, signed_in)
    before = live_db.last_audit_id()
    response = rp.exchange(code, verifier)
    assert response.status_code == 400
    assert response.json()["error"] == ("invalid_grant" if verifier else "invalid_request")
    row = refusal(live_db, before, "oidc.token")
    assert row.details["reason"] == "pkce_failed"
    # A failed attempt does not burn the code: the rightful client still completes.
    assert rp.exchange(code, request.verifier).status_code == 200


def test_public_client_must_send_a_verifier(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*MOBILE_APP)
    code, _ = _code(live_server, rp, signed_in)
    response = rp.exchange(code, None)
    assert response.json()["error"] == "invalid_request"


def test_expired_code_is_refused(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    code, request = _code(live_server, rp, signed_in)
    with live_db.session() as session:
        session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.code_hash == digest(code))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    before = live_db.last_audit_id()
    response = rp.exchange(code, request.verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert refusal(live_db, before, "oidc.token").details["reason"] == "code_expired"


def test_a_code_presented_by_another_client_is_refused(live_server, live_db, live_rp, signed_in):
    owner = live_rp(*DEPT_SYSTEM)
    code, request = _code(live_server, owner, signed_in)
    other_id, other_uri, other_secret = live_db.register_client(redirect_uri=owner.redirect_uri)
    thief = live_rp(other_id, owner.redirect_uri, other_secret)
    before = live_db.last_audit_id()
    response = thief.exchange(code, request.verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    row = refusal(live_db, before, "oidc.token")
    assert row.details["reason"] == "code_of_another_client"
    assert row.object_id == other_id


def test_wrong_client_secret_is_refused_with_401(live_db, live_rp):
    rp = live_rp(DEPT_SYSTEM[0], DEPT_SYSTEM[1], "not-the-secret")
    before = live_db.last_audit_id()
    response = rp.exchange("whatever", None)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in response.headers
    assert refusal(live_db, before, "oidc.token").details["error"] == "invalid_client"


def test_a_disabled_client_is_refused_everywhere(live_server, live_db, live_rp, signed_in):
    client_id, redirect_uri, secret = live_db.register_client()
    rp = live_rp(client_id, redirect_uri, secret)
    code, request = _code(live_server, rp, signed_in)
    tokens = rp.exchange(code, request.verifier).json()
    with live_db.session() as session:
        session.execute(update(OAuthClient).where(OAuthClient.client_id == client_id).values(disabled_at=utcnow()))
        session.commit()

    before = live_db.last_audit_id()
    page = signed_in.get(rp.authorization_request().url, allow_redirects=False)
    assert page.status_code == 400 and "Location" not in page.headers and "invalid_client" in page.text
    assert refusal(live_db, before).details["reason"] == "client_disabled"

    before = live_db.last_audit_id()
    refreshed = rp.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 401 and refreshed.json()["error"] == "invalid_client"
    assert refusal(live_db, before, "oidc.refresh").details["reason"] == "client_disabled"
    assert rp.userinfo(tokens["access_token"]).status_code == 401
