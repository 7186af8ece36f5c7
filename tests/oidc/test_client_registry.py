"""The client registry on the government end: administrators only, secrets shown once and stored hashed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from auth.oidc.clients import redirect_uri_problem
from auth.oidc.models import OAuthClient, OAuthToken
from portal.extensions import db
from portal.models import AuditEvent, Department

EN = {"Accept-Language": "en"}


def form(app, **changes):
    with app.app_context():
        department = db.session.scalar(select(Department.id).where(Department.code == "jjw"))
    data = {"name": "企业服务平台", "department_id": str(department), "kind": "confidential",
            "redirect_uris": "https://qyfw.example.gov.cn/callback\r\n", "post_logout_redirect_uris": "",
            "scopes": ["openid", "profile"]}
    data.update(changes)
    return data


def stored(app, name="企业服务平台"):
    with app.app_context():
        return db.session.scalar(select(OAuthClient).where(OAuthClient.name == name))


@pytest.mark.parametrize("who", [None, "13800000001", "officer.jw"])
def test_only_administrators_reach_the_registry(client, login, who):
    if who:
        login(who)
    response = client.get("/gov/clients")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/auth/" in response.location


def test_administrator_registers_a_system_and_sees_its_secret_once(app, client, login):
    login("admin")
    assert client.get("/gov/clients/new").status_code == 200
    response = client.post("/gov/clients/new", data=form(app), headers=EN)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    secret = re.search(r'Client secret</dt><dd><code class="secret">([^<]+)<', html).group(1)
    registered = stored(app)
    assert registered.client_id.startswith("jjw-")
    assert registered.redirect_uris == ["https://qyfw.example.gov.cn/callback"]
    assert registered.allowed_scopes == "openid profile"
    assert secret not in registered.secret_hash and registered.check_client_secret(secret)
    listing = client.get("/gov/clients", headers=EN).get_data(as_text=True)
    assert registered.client_id in listing and secret not in listing
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "oidc.client.register" in actions


def test_public_app_gets_no_secret(app, client, login):
    login("admin")
    data = form(app, kind="public", redirect_uris="cn.gov.songjiang.app:/callback")
    html = client.post("/gov/clients/new", data=data, headers=EN).get_data(as_text=True)
    assert "Client secret" not in html
    assert stored(app).secret_hash is None and not stored(app).confidential


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"redirect_uris": "http://qyfw.example.gov.cn/callback"}, "must use https"),
        ({"redirect_uris": "https://qyfw.example.gov.cn/cb#x"}, "has a # part"),
        ({"redirect_uris": "https://*.example.gov.cn/cb"}, "not a complete address"),
        ({"redirect_uris": ""}, "at least one redirect address"),
        ({"scopes": ["profile"]}, "know who they are"),
        ({"name": ""}, "Enter the name of the system"),
        ({"kind": "public", "resource_server": "y"}, "keep a secret"),
    ],
)
def test_registration_mistakes_are_explained(app, client, login, changes, message):
    login("admin")
    response = client.post("/gov/clients/new", data=form(app, **changes), headers=EN)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert stored(app) is None


def test_rotating_the_secret_stops_the_old_one(app, client, login):
    login("admin")
    client.post("/gov/clients/new", data=form(app))
    client_id = stored(app).client_id
    html = client.post(f"/gov/clients/{client_id}/secret", headers=EN).get_data(as_text=True)
    new_secret = re.search(r'Client secret</dt><dd><code class="secret">([^<]+)<', html).group(1)
    assert "The old secret has stopped working" in html
    assert stored(app).check_client_secret(new_secret)


def test_disabling_refuses_the_client_and_ends_its_tokens(app, client, login, dept_system):
    login("13800000001")
    location = dept_system.authorize("openid", method="POST", data={"decision": "allow"}).location
    dept_system.exchange(location)
    client.post("/auth/logout")
    login("admin")
    response = client.post("/gov/clients/demo-dept-system/disable", headers=EN)
    assert response.status_code == 302
    with app.app_context():
        assert all(t.revoked_at is not None for t in db.session.scalars(select(OAuthToken)))
    assert not stored(app, "区数据局 示范业务系统 (Demo department system)").enabled
    client.post("/gov/clients/demo-dept-system/enable")
    assert stored(app, "区数据局 示范业务系统 (Demo department system)").enabled


def test_unknown_client_is_404(client, login):
    login("admin")
    assert client.post("/gov/clients/nope/disable").status_code == 404


@pytest.mark.parametrize(
    ("uri", "confidential", "problem"),
    [
        ("https://a.example/cb", True, None),
        ("http://127.0.0.1:8001/callback", True, None),
        ("http://localhost/cb", False, None),
        ("http://[::1]:9000/cb", False, None),
        ("http://a.example/cb", True, "insecure"),
        ("cn.gov.app:/cb", False, None),
        ("cn.gov.app:/cb", True, "malformed"),
        ("javascript:alert(1)", False, "malformed"),
        ("https://a.example/cb#frag", True, "fragment"),
        ("https://a.example/c b", True, "malformed"),
        ("/relative", True, "malformed"),
    ],
)
def test_redirect_uri_rules(uri, confidential, problem):
    assert redirect_uri_problem(uri, confidential=confidential) == problem
