"""Security headers on every response: pages, JSON, static files, downloads, errors and redirects,
for people signed out and signed in; and what production adds (HSTS, cookies only over HTTPS)."""

from __future__ import annotations

import pytest

from tests.security.routes import fill
from tests.security.world import Browser


def header_problems(response) -> list[str]:
    headers = response.headers
    problems = []
    csp = headers.get("Content-Security-Policy", "")
    if "default-src" not in csp:
        problems.append("no Content-Security-Policy")
    if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
        problems.append("CSP allows inline or eval")
    if "frame-ancestors 'none'" not in csp and headers.get("X-Frame-Options") != "DENY":
        problems.append("may be framed")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if not headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    return problems


def _get_urls(app, ids) -> list[str]:
    """Every GET route of the app: with the world's objects where the route names one."""
    from tests.security.test_idor import GET_DOORS

    doors = {d.endpoint: d for d in GET_DOORS}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if rule.endpoint == "static":
            urls.append("/static/css/portal.css")
        elif rule.endpoint in doors:
            urls.append(doors[rule.endpoint].url(app, ids))
        else:
            urls.append(fill(rule))
    return sorted(set(urls))


@pytest.mark.parametrize("who", ["anonymous", "resident", "representative", "admin"])
def test_every_get_route_answers_with_the_headers(world, who):
    browser = world.browser(who)
    problems = []
    for url in _get_urls(world.app, world.ids):
        response = browser.get(url)
        problems += [f"{url} ({response.status_code}): {p}" for p in header_problems(response)]
    assert not problems, "\n".join(problems)


def test_json_static_download_error_and_redirect_responses_have_them(world):
    anonymous, resident = world.browser("anonymous"), world.browser("resident")
    responses = {
        "json health": anonymous.get("/healthz"),
        "json discovery": anonymous.get("/.well-known/openid-configuration"),
        "json keys": anonymous.get("/oidc/jwks"),
        "json city code": resident.get("/citizen/code/live"),
        "json token error": anonymous.post("/oidc/token", data={"grant_type": "authorization_code"}),
        "json error page": anonymous.get("/no-such-page", headers={"Accept": "application/json"}),
        "static": anonymous.get("/static/css/portal.css"),
        "download": resident.get(f"/citizen/applications/{world.ids['application']}/files/{world.ids['attachment']}"),
        "404": anonymous.get("/no-such-page"),
        "405": anonymous.post("/healthz"),
        "400": anonymous.post("/preferences/language", data={"lang": "xx"}),
        "413": anonymous.post("/preferences/language", data=b"x" * (world.app.config["MAX_CONTENT_LENGTH"] + 1)),
        "redirect to sign in": anonymous.get("/citizen/cases"),
        "redirect after a form": resident.post("/preferences/language", data={"lang": "en", "next": "/"}),
    }
    expected = {"404": 404, "405": 405, "400": 400, "413": 413, "redirect to sign in": 302,
                "redirect after a form": 302, "json token error": 401}
    problems = []
    for name, response in responses.items():
        if name in expected and response.status_code != expected[name]:
            problems.append(f"{name}: status {response.status_code}")
        problems += [f"{name}: {p}" for p in header_problems(response)]
    assert not problems, "\n".join(problems)


def test_a_server_error_page_has_them(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/__fail")
    def fail():
        raise RuntimeError("a bug")

    response = Browser(app).get("/__fail")
    assert response.status_code == 500
    assert not header_problems(response)
    assert "a bug" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)


@pytest.fixture
def production_app(monkeypatch, database_url):
    from portal import create_app
    from portal.extensions import db
    from tests.conftest import TEST_SECRET_KEY

    monkeypatch.setenv("PORTAL_ENV", "production")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY, "RATELIMIT_ENABLED": False})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_production_adds_hsts_and_keeps_cookies_to_https(world, production_app):
    browser = Browser(production_app)
    page = browser.get("/auth/login", base_url="https://localhost")
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    assert not header_problems(page)
    session_cookie = browser.client.get_cookie("session", domain="localhost")
    assert session_cookie is not None
    assert session_cookie.secure and session_cookie.http_only and session_cookie.same_site == "Lax"
    switched = browser.post("/preferences/language", data={"lang": "en", "next": "/"}, base_url="https://localhost")
    cookies = [value for key, value in switched.headers.items() if key == "Set-Cookie"]
    assert cookies and all("Secure" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies), cookies
    assert production_app.config["SESSION_COOKIE_SECURE"] and production_app.config["SESSION_COOKIE_HTTPONLY"]
    assert not production_app.config["DEBUG"] and not production_app.config["TESTING"]


def test_development_sends_no_hsts(world):
    assert "Strict-Transport-Security" not in world.browser("anonymous").get("/").headers
