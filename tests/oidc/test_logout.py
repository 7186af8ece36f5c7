"""RP-initiated logout: the portal session ends, and only registered URIs are followed."""

from __future__ import annotations

from urllib.parse import urlencode, urljoin

import pytest

from tests.oidc.conftest import DEPT_SYSTEM
from tests.oidc.rp import follow, hidden_inputs, query_of

POST_LOGOUT = "http://127.0.0.1:8001/"


@pytest.fixture
def session_with_id_token(live_server, live_db, live_rp, new_browser):
    """A fresh resident signed in to the portal and to the department system."""
    browser = new_browser(live_db.new_resident("周平"))
    rp = live_rp(*DEPT_SYSTEM)
    request = rp.authorization_request()
    code = follow(browser, live_server, request.url).params["code"]
    return browser, rp, rp.exchange(code, request.verifier).json()["id_token"]


def signed_in_to_portal(live_server, browser) -> bool:
    return browser.get(f"{live_server}/auth/account", allow_redirects=False).status_code == 200


def logout_url(rp, **params) -> str:
    return rp.config["end_session_endpoint"] + "?" + urlencode(params)


def test_logout_with_id_token_hint_ends_the_session_and_returns_to_the_client(live_server, live_db,
                                                                               session_with_id_token):
    browser, rp, id_token = session_with_id_token
    assert signed_in_to_portal(live_server, browser)
    before = live_db.last_audit_id()
    response = browser.get(
        logout_url(rp, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT, state="s-1"),
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == POST_LOGOUT + "?state=s-1"
    assert not signed_in_to_portal(live_server, browser)
    [row] = live_db.audit("oidc.logout", after_id=before)
    assert row.details == {"id_token_hint": True, "redirected": True}


def test_an_unregistered_post_logout_uri_is_not_followed(live_server, session_with_id_token):
    browser, rp, id_token = session_with_id_token
    response = browser.get(
        logout_url(rp, id_token_hint=id_token, post_logout_redirect_uri="https://evil.example/"),
        allow_redirects=False,
    )
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert not signed_in_to_portal(live_server, browser)


def test_logout_without_a_hint_asks_the_person_first(live_server, session_with_id_token):
    browser, rp, _ = session_with_id_token
    url = logout_url(rp, client_id=rp.client_id, post_logout_redirect_uri=POST_LOGOUT)
    page = browser.get(url)
    assert page.status_code == 200 and 'name="confirm"' in page.text
    assert signed_in_to_portal(live_server, browser)  # nothing happened yet

    forged = browser.post(rp.config["end_session_endpoint"], data={"confirm": "yes"}, allow_redirects=False)
    assert 'name="confirm"' in forged.text  # no CSRF token: asked again, not signed out
    assert signed_in_to_portal(live_server, browser)

    confirmed = browser.post(rp.config["end_session_endpoint"], data=hidden_inputs(page.text), allow_redirects=False)
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == POST_LOGOUT
    assert not signed_in_to_portal(live_server, browser)


def test_a_forged_id_token_hint_is_refused(live_server, live_db, session_with_id_token):
    browser, rp, id_token = session_with_id_token
    header, payload, signature = id_token.split(".")
    forged = ".".join([header, payload, signature[::-1]])
    before = live_db.last_audit_id()
    response = browser.get(logout_url(rp, id_token_hint=forged, post_logout_redirect_uri=POST_LOGOUT),
                           allow_redirects=False)
    assert response.status_code == 400 and "Location" not in response.headers
    assert signed_in_to_portal(live_server, browser)
    assert [r.outcome for r in live_db.audit("oidc.logout", after_id=before)] == ["refused"]


def test_logout_by_post_from_the_client_continues_as_a_get(live_server, session_with_id_token):
    browser, rp, id_token = session_with_id_token
    posted = browser.post(rp.config["end_session_endpoint"],
                          data={"id_token_hint": id_token, "post_logout_redirect_uri": POST_LOGOUT},
                          allow_redirects=False)
    # A browser would not send the SameSite=Lax session cookie with a cross-site POST: a 303 turns
    # it into a top-level GET, which carries it.
    assert posted.status_code == 303
    response = browser.get(urljoin(live_server, posted.headers["Location"]), allow_redirects=False)
    assert response.status_code == 302 and query_of(response.headers["Location"]) == {}
    assert not signed_in_to_portal(live_server, browser)
