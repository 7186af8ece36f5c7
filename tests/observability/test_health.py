"""Liveness, readiness, and clean 503s while the database is away."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

UNREACHABLE = "postgresql://portal@127.0.0.1:1/portal"  # nothing listens on port 1


@pytest.fixture
def no_database(make_app, app):
    return make_app(DATABASE_URL=UNREACHABLE, DB_CONNECT_TIMEOUT=1)


def test_ready_when_the_database_answers_at_the_migrations_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_while_the_database_is_unreachable_but_alive(no_database):
    client = no_database.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["status"] == "unavailable" and ready.json["database"] == "unreachable"
    assert client.get("/livez").status_code == 200  # alive: restarting it would not help


def test_not_ready_before_the_migrations_ran(make_app, app, tmp_path):
    fresh = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    response = fresh.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["migrations"] == "pending"
    with fresh.app_context():
        upgrade()
    assert fresh.test_client().get("/readyz").status_code == 200


def test_pages_answer_a_clean_503_while_the_database_is_away(no_database):
    client = no_database.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/citizen/services")
    assert page.status_code == 503
    assert page.headers["Retry-After"].isdigit()
    html = page.get_data(as_text=True)
    assert "Service unavailable" in html and "Traceback" not in html
    assert "<html" in html  # the portal's own page, in its layout


def test_json_clients_get_a_json_503(no_database):
    client = no_database.test_client()
    response = client.get("/citizen/services", headers={"Accept": "application/json", "Accept-Language": "en"})
    assert response.status_code == 503
    assert response.json["error"] == "Service unavailable"


def test_healthz_still_answers(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}
