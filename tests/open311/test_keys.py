"""API keys: issued to a registered system from the command line or the desk, shown once, revocable."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.extensions import db
from tests.open311.conftest import BASE

KEY = re.compile(r"o311_[A-Za-z0-9_-]{43}")


def post_with(open311, key: str):
    return open311.post(f"{BASE}/requests.json", data={
        "api_key": key, "service_code": "roads", "description": "Pothole", "address_string": "Sixian Road 100"})


def test_the_command_prints_a_key_once_that_files_requests(app, district, open311):
    result = app.test_cli_runner().invoke(args=["open311-key", "demo-dept-system", "--label", "FixMyStreet"])
    assert result.exit_code == 0, result.output
    [key] = KEY.findall(result.output)
    assert "shown only this once" in result.output
    assert post_with(open311, key).status_code == 201
    with app.app_context():
        from portal.models import Open311Key

        stored = db.session.scalar(select(Open311Key))
        assert stored.digest != key and key not in stored.digest and stored.hint == key[-4:]
        assert stored.label == "FixMyStreet" and stored.last_used_at is not None


def test_the_command_lists_and_revokes_keys(app, district, open311):
    runner = app.test_cli_runner()
    key = KEY.search(runner.invoke(args=["open311-key", "demo-dept-system"]).output).group(0)
    key_id = re.search(r"key id ([0-9a-f]{32})", runner.invoke(args=["open311-key", "demo-mobile-app"]).output)
    listing = runner.invoke(args=["open311-key", "demo-dept-system", "--list"]).output
    assert f"…{key[-4:]}" in listing and "in use" in listing
    with app.app_context():
        from portal.models import Open311Key

        own_id = db.session.scalar(select(Open311Key.public_id).where(Open311Key.hint == key[-4:]))
    refused = runner.invoke(args=["open311-key", "demo-dept-system", "--revoke", key_id.group(1)])
    assert refused.exit_code != 0 and "has no key" in refused.output  # another system's key
    result = runner.invoke(args=["open311-key", "demo-dept-system", "--revoke", own_id])
    assert result.exit_code == 0 and "revoked" in result.output
    assert post_with(open311, key).status_code == 403
    assert "revoked" in runner.invoke(args=["open311-key", "demo-dept-system", "--list"]).output


def test_the_command_refuses_an_unknown_system(app, district):
    result = app.test_cli_runner().invoke(args=["open311-key", "no-such-system"])
    assert result.exit_code != 0 and "No registered system" in result.output


def test_an_administrator_issues_and_revokes_keys_on_the_desk(app, browser_for, open311):
    admin = browser_for("admin")
    page = admin.get("/gov/open311-keys")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/gov/open311-keys" aria-current="page"' in html  # in the administrators' menu
    assert 'value="demo-dept-system"' in html

    issued = admin.post("/gov/open311-keys", data={"client": "demo-dept-system", "label": "Hotline app"})
    assert issued.status_code == 200
    assert issued.headers["Cache-Control"] == "no-store"
    [key] = KEY.findall(issued.get_data(as_text=True))
    assert post_with(open311, key).status_code == 201

    listing = admin.get("/gov/open311-keys").get_data(as_text=True)
    assert f"…{key[-4:]}" in listing and "Hotline app" in listing and key not in listing
    public_id = re.search(r'action="/gov/open311-keys/([0-9a-f]{32})/revoke"', listing).group(1)
    response = admin.post(f"/gov/open311-keys/{public_id}/revoke")
    assert response.status_code == 303
    assert "is revoked" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert post_with(open311, key).status_code == 403
    with app.app_context():
        from portal.models import AuditEvent

        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("open311.%")))
        assert sorted(actions) == ["open311.key_issued", "open311.key_revoked"]


def test_the_desk_refuses_a_disabled_system_and_an_empty_choice(app, browser_for):
    from datetime import UTC, datetime

    from auth.oidc.models import OAuthClient
    from portal.models import Open311Key

    with app.app_context():
        client = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == "demo-mobile-app"))
        client.disabled_at = datetime.now(UTC)
        db.session.commit()
    admin = browser_for("admin")
    assert 'value="demo-mobile-app"' not in admin.get("/gov/open311-keys").get_data(as_text=True)
    for choice in ("demo-mobile-app", ""):
        assert admin.post("/gov/open311-keys", data={"client": choice}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Open311Key)) == 0


def test_only_administrators_manage_keys(app, browser_for, issue_key):
    issue_key()
    officer = browser_for("officer.fs")
    assert officer.get("/gov/open311-keys").status_code == 403
    assert officer.post("/gov/open311-keys", data={"client": "demo-dept-system"}).status_code == 403
    with app.app_context():
        from portal.models import Open311Key

        public_id = db.session.scalar(select(Open311Key.public_id))
    assert officer.post(f"/gov/open311-keys/{public_id}/revoke").status_code == 403
    assert "Open311 keys" not in officer.get("/gov/").get_data(as_text=True)
    with app.app_context():
        from portal.models import Open311Key

        assert db.session.scalar(select(Open311Key.revoked_at)) is None
