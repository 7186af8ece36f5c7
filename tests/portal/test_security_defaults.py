import json
import time

import pytest


@pytest.fixture
def csrf_client(make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def test_every_page_carries_security_headers(client):
    for url in ["/", "/citizen/", "/no-such-page"]:
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_no_script_or_style_from_another_host(client):
    html = client.get("/").get_data(as_text=True)
    assert "http://" not in html.replace('xmlns="http://', "")
    assert "https://" not in html


def test_state_changing_form_without_csrf_token_is_refused(csrf_client):
    response = csrf_client.post("/preferences/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 400
    assert "lang" not in response.headers.get("Set-Cookie", "")


def test_session_cookie_is_httponly_and_samesite_lax(csrf_client):
    csrf_client.get("/")
    cookie = csrf_client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_error_pages_are_translated(client):
    zh = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 404
    assert "页面不存在" in zh.get_data(as_text=True)
    en = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "Page not found" in en.get_data(as_text=True)


@pytest.mark.parametrize("code", [400, 403, 404, 413, 429, 500])
def test_each_error_page_has_its_own_translated_text(app, code):
    from portal.errors import render_error

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        body, status = render_error(code)
    assert status == code
    assert "<h1>" in body
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        zh_body, _ = render_error(code)
    assert zh_body != body


def test_oversize_request_gets_the_translated_413_page(app, client):
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/preferences/language", data=too_big, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def _page_token(client, url="/auth/login") -> str:
    from tests.helpers import csrf_token

    return csrf_token(client.get(url).get_data(as_text=True))


def test_a_session_keeps_its_signed_csrf_token_and_sign_in_replaces_it(make_app, seeded):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    _page_token(client)  # the first page puts a raw token in the new session
    token = _page_token(client)
    time.sleep(1.1)  # a token signed afresh would carry a later timestamp
    assert _page_token(client) == token  # signed once, then the same for the whole session
    assert _page_token(app.test_client()) != token  # another visitor: another token
    answer = client.post("/auth/login", data={"username": "13800000001", "password": "Demo-2026-portal",
                                               "csrf_token": token})
    assert answer.status_code == 302 and "/auth/login" not in answer.headers["Location"]
    signed_in = _page_token(client, "/citizen/requests/new")
    assert signed_in != token  # sign-in began a new session, with a new token
    refused = client.post("/citizen/requests/new", data={"csrf_token": token, "title": "x", "body": "x"})
    assert refused.status_code == 400
    accepted = client.post("/auth/logout", data={"csrf_token": _page_token(client, "/citizen/requests/new")})
    assert accepted.status_code == 302


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1", "q=ok&x=%00"])
def test_a_nul_in_the_query_is_refused(client, query):
    assert client.get(f"/citizen/services?{query}").status_code == 400
    assert client.get("/citizen/services?q=%2500").status_code == 200  # the text "%00" is fine


def test_a_nul_in_a_posted_form_is_refused(client):
    assert client.post("/auth/login", data={"username": "a\x00b", "password": "x"}).status_code == 400


@pytest.mark.parametrize("body", [{"username": "a\x00b", "password": "x"}, {"a\x00": "b"}, {"nested": [["\x00"]]}])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_a_nul_in_a_json_body_is_refused(client, body, encoding):
    """Forms read a JSON body too, in any encoding JSON may come in: a NUL there is refused as in a form."""
    response = client.post("/auth/login", data=json.dumps(body).encode(encoding), content_type="application/json")
    assert response.status_code == 400


def test_a_json_body_nested_too_deep_is_refused_not_an_error(client):
    deep = "[" * 100_000 + "]" * 100_000
    assert client.post("/auth/login", data=deep, content_type="application/json").status_code == 400
    assert client.post("/api/v1/cases", data=deep, content_type="application/json").status_code in (400, 401)


def test_a_json_body_with_an_escaped_backslash_is_taken(client, seeded):
    # The text "\u0000" (a backslash, then "u0000") is no NUL.
    response = client.post("/auth/login", json={"username": "a\\u0000b", "password": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize("change", ["sign-out", "sign-in"])
def test_a_page_rendered_after_the_session_changes_carries_a_token_that_works(make_app, seeded, change):
    from flask import g, session
    from flask_wtf.csrf import generate_csrf, validate_csrf

    from auth.session import end_session, start_session
    from portal.extensions import db
    from portal.models import Account

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.test_request_context("/"):
        before = generate_csrf()  # what a page before the change showed, kept in g for the request
        assert g.csrf_token == before
        if change == "sign-out":
            end_session()
        else:
            resident = db.session.scalar(db.select(Account).filter_by(mobile="13800000001"))
            start_session(resident, acr="pwd", amr=("pwd",))
        after = generate_csrf()
        assert after != before and session["csrf_token"]
        validate_csrf(after)  # raises when the page's token is not the new session's
