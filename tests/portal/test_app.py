from pathlib import Path

import pytest
from sqlalchemy import text

from portal import create_app
from portal.config import ConfigError, ensure_secret_key, normalise_database_url
from portal.extensions import db

# Every route the portal serves; a route that disappears or appears should be a decision.
EXPECTED_ROUTES = {
    ("citizen.index", "/citizen/"),
    ("enterprise.index", "/enterprise/"),
    ("gov.index", "/gov/"),
    ("site.healthz", "/healthz"),
    ("site.home", "/"),
    ("site.set_elder_mode", "/preferences/elder-mode"),
    ("site.set_language", "/preferences/language"),
    ("static", "/static/<path:filename>"),
}


def test_route_list_is_the_one_we_expect(app):
    routes = {(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()}
    assert routes >= EXPECTED_ROUTES
    assert set(app.blueprints) >= {"citizen", "gov", "enterprise", "auth"}


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError, match="32 characters"):
        create_app()


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "staging-typo")
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        create_app()


def test_embedded_secret_key_is_generated_once_and_then_reused(tmp_path: Path):
    first = ensure_secret_key(tmp_path)
    second = ensure_secret_key(tmp_path)
    assert first == second
    assert len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_urls_go_through_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app_context):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific settings")
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(make_app):
    broken = make_app(DATABASE_URL="postgresql://nobody@127.0.0.1:9/none?connect_timeout=1")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
