"""A refresh holds the database's write lock for its statements only: SQLite lets one connection
write at a time, from its first write to its commit, and a worker that finds another writing waits
a millisecond or more. Everything the refresh writes is built before the claim, and the commit
follows the last INSERT, before the answer is built."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from auth.oidc import server as oidc_server
from auth.oidc import store
from auth.oidc.models import OAuthToken, digest
from portal.extensions import db
from portal.models import AuditEvent
from portal.models.base import utcnow
from tests.oidc.conftest import DEPT_SYSTEM, InProcessRP


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

    def commit(connection):
        done.append("COMMIT")

    monkeypatch.setattr(oidc_server.PortalAuthorizationServer, "token_rows", building_rows)
    monkeypatch.setattr(oidc_server.PortalAuthorizationServer, "handle_response", building_answer)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield done
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)


@pytest.fixture
def issued(client, login, dept_system) -> dict:
    """Tokens from a code exchange by a signed-in resident."""
    login("13800000001")
    dept_system.authorize("openid profile")
    location = dept_system.authorize("openid profile", method="POST", data={"decision": "allow"}).location
    return dept_system.exchange(location).get_json()


@pytest.fixture
def department_system(app):
    """The relying party's own calls to the token endpoint: no browser's cookie."""
    return InProcessRP(app.test_client(), *DEPT_SYSTEM)


def test_a_refresh_writes_its_rows_back_to_back_and_commits_before_answering(issued, department_system, steps):
    steps.clear()
    answer = department_system.token(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert steps == [
        "rows built",
        "UPDATE oidc_token SET",
        "INSERT INTO oidc_token",
        "INSERT INTO audit_event",
        "COMMIT",
        "answer built",
    ]


def test_a_reused_refresh_token_writes_no_new_token_and_its_refusal_commits(issued, department_system, steps):
    refresh = issued["refresh_token"]
    assert department_system.token(grant_type="refresh_token", refresh_token=refresh).status_code == 200

    steps.clear()
    answer = department_system.token(grant_type="refresh_token", refresh_token=refresh)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_grant"
    writes = [step for step in steps if step not in ("rows built", "answer built")]
    # The family revoked and the refusal's audit row, in one commit.
    assert writes == ["UPDATE oidc_token SET", "INSERT INTO audit_event", "COMMIT"]


def test_a_refresh_that_loses_the_race_for_its_token_writes_no_token_and_revokes_the_family(
        app, issued, department_system, monkeypatch):
    """Two refreshes of one token at once: both pass the checks, and the one whose claim finds the
    token rotated by the other is refused, as a reuse."""
    claim = store.claim_refresh_token

    def rotated_by_another_worker_first(session, row, now):
        with db.engine.begin() as other:
            other.execute(update(OAuthToken.__table__).where(OAuthToken.id == row.id).values(rotated_at=utcnow()))
        return claim(session, row, now)

    monkeypatch.setattr(store, "claim_refresh_token", rotated_by_another_worker_first)
    answer = department_system.token(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_grant"

    with app.app_context():
        family = db.session.scalars(select(OAuthToken).where(
            OAuthToken.refresh_token_hash == digest(issued["refresh_token"]))).one().family_id
        tokens = db.session.scalars(select(OAuthToken).where(OAuthToken.family_id == family)).all()
        assert len(tokens) == 1, "a token was written for the refresh that lost"
        assert tokens[0].revoked_at is not None
        refusal = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "oidc.refresh")
                                     .order_by(AuditEvent.id.desc())).first()
        assert refusal.outcome == "refused"
        assert refusal.details["reason"] == "refresh_reused" and refusal.details["revoked_tokens"] == 1
