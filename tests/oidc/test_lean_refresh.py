"""The lean refresh (`bench/lean_refresh.py`), the reference the token endpoint is measured
against, does the refresh the portal does: on a token the portal issued it rotates it, issues one
the portal accepts, and writes the audit row the portal writes."""

from __future__ import annotations

import base64
import importlib
import sys

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent


@pytest.fixture
def lean_refresh(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    sys.modules.pop("bench.lean_refresh", None)  # its engine is made at import, on DATABASE_URL
    module = importlib.import_module("bench.lean_refresh")
    yield module.app.test_client()
    module.engine.dispose()
    sys.modules.pop("bench.lean_refresh", None)


def _refreshes(app) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "oidc.refresh").order_by(AuditEvent.id)).all()


def test_the_lean_refresh_rotates_a_portal_token_and_writes_what_the_portal_writes(
        app, client, login, dept_system, lean_refresh):
    login("13800000001")
    dept_system.authorize("openid profile")
    location = dept_system.authorize("openid profile", method="POST", data={"decision": "allow"}).location
    issued = dept_system.exchange(location).get_json()
    before = len(_refreshes(app))

    basic = base64.b64encode(f"{dept_system.client_id}:{dept_system.secret}".encode()).decode()
    answer = lean_refresh.post("/oidc/token", headers={"Authorization": f"Basic {basic}"},
                               data={"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    lean = answer.get_json()
    assert lean["token_type"] == "Bearer" and lean["scope"] == issued["scope"]

    portal = dept_system.token(grant_type="refresh_token", refresh_token=lean["refresh_token"])
    assert portal.status_code == 200, portal.get_data(as_text=True)
    assert sorted(portal.get_json()) == sorted(lean), (sorted(portal.get_json()), sorted(lean))
    assert dept_system.token(grant_type="refresh_token", refresh_token=issued["refresh_token"]).status_code == 400

    by_lean, by_portal = _refreshes(app)[before:before + 2]
    columns = ("action", "outcome", "actor_id", "subject_id", "object_type", "object_id", "ip_address", "user_agent",
               "details")
    assert [getattr(by_lean, name) for name in columns] == [getattr(by_portal, name) for name in columns]
