"""The OpenID Foundation's Basic OP behaviours that apply to a code-flow provider."""

from __future__ import annotations

import time
from urllib.parse import urljoin

import pytest

from auth.session import ACR_MFA
from tests.helpers import sign_in_http
from tests.oidc.conftest import DEPT_SYSTEM
from tests.oidc.rp import follow

ALL_SCOPES = ("openid", "profile", "phone", "portal.ends", "portal.enterprise")


def code_and_claims(live_server, rp, browser, *, sign_in_as=None, **extra):
    request = rp.authorization_request(**extra)
    outcome = follow(browser, live_server, request.url, sign_in_as=sign_in_as)
    assert outcome.location, outcome.page.text[:500]
    tokens = rp.exchange(outcome.params["code"], request.verifier).json()
    return tokens, rp.verify_id_token(tokens["id_token"], nonce=request.nonce, access_token=tokens["access_token"])


def test_code_reuse_is_refused(live_server, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    request = rp.authorization_request()
    code = follow(signed_in, live_server, request.url).params["code"]
    assert rp.exchange(code, request.verifier).status_code == 200
    assert rp.exchange(code, request.verifier).json()["error"] == "invalid_grant"


def test_prompt_login_asks_for_a_fresh_sign_in_and_does_not_loop(live_server, live_db, live_rp, new_browser):
    person = live_db.new_resident("陈晨")
    browser = new_browser(person)
    rp = live_rp(*DEPT_SYSTEM)
    _, first = code_and_claims(live_server, rp, browser)
    time.sleep(1.1)
    asked_at = int(time.time())

    request = rp.authorization_request(prompt="login")
    sent = browser.get(request.url, allow_redirects=False)
    assert "/auth/login?next=" in sent.headers["Location"]
    outcome = follow(browser, live_server, request.url, sign_in_as=person)
    assert outcome.location and "code" in outcome.params
    claims = rp.verify_id_token(rp.exchange(outcome.params["code"], request.verifier).json()["id_token"],
                                nonce=request.nonce)
    assert claims["auth_time"] >= asked_at > first["auth_time"]


def test_max_age_sends_an_old_sign_in_back_to_sign_in(live_server, live_db, live_rp, new_browser):
    person = live_db.new_resident("吴敏")
    browser = new_browser(person)
    rp = live_rp(*DEPT_SYSTEM)
    _, first = code_and_claims(live_server, rp, browser, max_age="1")  # fresh enough now
    time.sleep(2.1)

    request = rp.authorization_request(max_age="1")
    assert "/auth/login" in browser.get(request.url, allow_redirects=False).headers["Location"]
    outcome = follow(browser, live_server, request.url, sign_in_as=person)
    claims = rp.verify_id_token(rp.exchange(outcome.params["code"], request.verifier).json()["id_token"],
                                nonce=request.nonce)
    assert claims["auth_time"] > first["auth_time"]


def test_prompt_none_signed_out_answers_login_required(live_server, live_db, live_rp, new_browser):
    rp = live_rp(*DEPT_SYSTEM)
    request = rp.authorization_request(prompt="none")
    before = live_db.last_audit_id()
    outcome = follow(new_browser(), live_server, request.url)
    assert outcome.params["error"] == "login_required"
    assert outcome.params["state"] == request.state
    assert [r.details["error"] for r in live_db.audit("oidc.authorize", after_id=before)] == ["login_required"]


def test_prompt_none_signed_in_issues_a_code_without_any_page(live_server, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    code_and_claims(live_server, rp, signed_in)  # consent given once
    request = rp.authorization_request(prompt="none")
    response = signed_in.get(request.url, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(rp.redirect_uri + "?code=")


def test_prompt_none_without_consent_answers_consent_required(live_server, live_db, live_rp, signed_in):
    client_id, redirect_uri, secret = live_db.register_client()
    rp = live_rp(client_id, redirect_uri, secret)
    outcome = follow(signed_in, live_server, rp.authorization_request(prompt="none").url)
    assert outcome.params["error"] == "consent_required"


def test_request_without_nonce_succeeds(live_server, live_rp, signed_in):
    _, claims = code_and_claims(live_server, live_rp(*DEPT_SYSTEM), signed_in, nonce=False)
    assert "nonce" not in claims


def test_any_nonce_is_echoed_and_a_replayed_one_refused(live_server, live_db, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    _, claims = code_and_claims(live_server, rp, signed_in, nonce="never-seen-before-123")
    assert claims["nonce"] == "never-seen-before-123"
    before = live_db.last_audit_id()
    outcome = follow(signed_in, live_server, rp.authorization_request(nonce="never-seen-before-123").url)
    assert outcome.params["error"] == "invalid_request"
    [row] = live_db.audit("oidc.authorize", after_id=before)
    assert row.details["reason"] == "nonce_replayed"


@pytest.mark.parametrize(("ui_locales", "lang"), [("en-US zh-CN", "en"), ("zh-CN", "zh-CN"), ("fr en", "en")])
def test_ui_locales_choose_the_language_of_sign_in_and_consent(live_server, live_db, live_rp, new_browser,
                                                               ui_locales, lang):
    rp = live_rp(*DEPT_SYSTEM)
    browser = new_browser()
    browser.headers["Accept-Language"] = "zh-CN" if lang == "en" else "en"
    url = rp.authorization_request(ui_locales=ui_locales).url
    login_page = browser.get(url)
    assert "/auth/login" in login_page.url
    assert f'<html lang="{lang}"' in login_page.text

    person = live_db.new_resident("郑洁")
    consent = follow(browser, live_server, url, sign_in_as=person, consent=None).page
    assert 'name="decision"' in consent.text
    assert f'<html lang="{lang}"' in consent.text


def test_each_scope_releases_its_claims(live_server, live_db, live_rp, signed_in, resident):
    client_id, redirect_uri, secret = live_db.register_client(scopes=ALL_SCOPES)
    rp = live_rp(client_id, redirect_uri, secret)
    account = live_db.account(resident)
    expected = {
        "openid": {"sub": account.public_id},
        "openid profile": {"sub": account.public_id, "name": "林小雨"},
        "openid phone": {"sub": account.public_id, "phone_number": f"+86{resident}", "phone_number_verified": False},
        "openid portal.ends": {"sub": account.public_id, "portal_ends": ["citizen"]},
        # No enterprise memberships exist yet: the claim is left out rather than sent empty.
        "openid portal.enterprise": {"sub": account.public_id},
    }
    for scope, claims in expected.items():
        tokens, _ = code_and_claims(live_server, rp, signed_in, scope=scope)
        assert tokens["scope"] == scope
        assert rp.userinfo(tokens["access_token"]).json() == claims, scope


def test_staff_claims_and_a_second_factor_reach_the_id_token(live_server, live_db, live_rp, new_browser):
    client_id, redirect_uri, secret = live_db.register_client(scopes=ALL_SCOPES)
    rp = live_rp(client_id, redirect_uri, secret)
    browser = new_browser()
    sign_in_http(browser, live_server, "officer.fs")
    tokens, claims = code_and_claims(live_server, rp, browser, scope="openid profile portal.ends",
                                     acr_values=ACR_MFA)
    assert claims["acr"] == ACR_MFA
    assert claims["amr"] == ["pwd", "otp"]
    info = rp.userinfo(tokens["access_token"]).json()
    assert info["preferred_username"] == "officer.fs"
    assert info["portal_ends"] == ["gov"]


def test_asking_for_a_second_factor_sends_a_password_sign_in_to_it(live_server, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    request = rp.authorization_request(acr_values=ACR_MFA)
    assert "/auth/mfa" in signed_in.get(request.url, allow_redirects=False).headers["Location"]
    silent = follow(signed_in, live_server, rp.authorization_request(acr_values=ACR_MFA, prompt="none").url)
    assert silent.params["error"] == "interaction_required"


def test_an_authorization_request_may_be_posted(live_server, live_rp, signed_in):
    rp = live_rp(*DEPT_SYSTEM)
    request = rp.authorization_request()
    posted = signed_in.post(rp.config["authorization_endpoint"], data=request.params, allow_redirects=False)
    assert posted.status_code == 303  # continues as a GET, which carries the SameSite=Lax cookie
    outcome = follow(signed_in, live_server, urljoin(live_server, posted.headers["Location"]))
    assert rp.exchange(outcome.params["code"], request.verifier).status_code == 200
