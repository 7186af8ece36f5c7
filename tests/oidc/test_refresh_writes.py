"""A refresh holds the database's write lock for its statements only: SQLite lets one connection
write at a time, from its first write to its commit, and a worker that finds another writing waits
a millisecond or more. Everything the refresh writes is built before the claim, and the commit
follows the last INSERT, before the answer is built."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from auth.oidc import server as oidc_server
from portal.extensions import db


@pytest.fixture
def steps(app, monkeypatch):
    """What a request does, in order: rows built, statements written, commits, the answer built."""
    done: list[str] = []
    token_rows = oidc_server.PortalAuthorizationServer.token_rows
    handle_response = oidc_server.PortalAuthorizationServer.handle_response

    def building_rows(self, token, request):
        done.append("rows built")
        return token_rows(self, token, request)

    def building_answer(self, status, body, headers):
        done.append("answer built")
        return handle_response(self, status, body, headers)

    def statement(connection, cursor, sql, *rest):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            done.append(" ".join(sql.split()[:3]))

    monkeypatch.setattr(oidc_server.PortalAuthorizationServer, "token_rows", building_rows)
    monkeypatch.setattr(oidc_server.PortalAuthorizationServer, "handle_response", building_answer)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", lambda connection: done.append("COMMIT"))
    yield done
    event.remove(engine, "before_cursor_execute", statement)


def test_a_refresh_writes_its_rows_back_to_back_and_commits_before_answering(client, login, dept_system, steps):
    login("13800000001")
    dept_system.authorize("openid profile")
    location = dept_system.authorize("openid profile", method="POST", data={"decision": "allow"}).location
    issued = dept_system.exchange(location).get_json()

    steps.clear()
    answer = dept_system.token(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert steps == [
        "rows built",
        "UPDATE oidc_token SET",
        "INSERT INTO oidc_token",
        "INSERT INTO audit_event",
        "COMMIT",
        "answer built",
    ]


def test_a_reused_refresh_token_writes_no_new_token_and_its_refusal_commits(client, login, dept_system, steps):
    login("13800000001")
    dept_system.authorize("openid profile")
    location = dept_system.authorize("openid profile", method="POST", data={"decision": "allow"}).location
    issued = dept_system.exchange(location).get_json()
    assert dept_system.token(grant_type="refresh_token", refresh_token=issued["refresh_token"]).status_code == 200

    steps.clear()
    answer = dept_system.token(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_grant"
    assert "INSERT INTO oidc_token" not in steps
    # The family revoked, then the refusal's audit row written with it, in one commit by the view.
    assert steps == ["UPDATE oidc_token SET", "answer built", "INSERT INTO audit_event", "COMMIT"]
