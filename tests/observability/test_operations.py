"""The operator's commands: `flask deploy` (safe on every release, one node at a time) and
`flask backup` (a consistent copy of a live SQLite database)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from portal.config import normalise_database_url
from portal.database import DEPLOY_LOCK, engine_options
from portal.extensions import db
from portal.models import CalendarDay
from tests.conftest import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
# The newest migration, read from the migrations as `flask deploy` reads them.
HEAD = ScriptDirectory(str(ROOT / "migrations")).get_current_head()


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the kind under test: a new SQLite file, or a new PostgreSQL database."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
        return
    url = make_url(normalise_database_url(base))
    name = f"{url.database}_deploy"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_deploy_migrates_loads_the_calendar_and_changes_nothing_the_second_time(make_app, fresh_database):
    release = make_app(DATABASE_URL=fresh_database)
    first = release.test_cli_runner().invoke(args=["deploy"])
    assert first.exit_code == 0, first.output
    assert f"migrations: at {HEAD}" in first.output
    assert "calendar years written: none" not in first.output
    with release.app_context():
        days = db.session.scalar(select(func.count()).select_from(CalendarDay))
    assert days > 0

    second = release.test_cli_runner().invoke(args=["deploy"])
    assert second.exit_code == 0, second.output
    assert f"migrations: at {HEAD}" in second.output
    assert "calendar years written: none" in second.output
    with release.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == days
    assert release.test_client().get("/readyz").status_code == 200


def test_two_deploys_take_turns(make_app, fresh_database, tmp_path):
    """A second node's deploy waits while the first holds the lock, then runs."""
    url = make_url(normalise_database_url(fresh_database))
    env = {**os.environ, "PORTAL_ENV": "test", "DATABASE_URL": fresh_database, "SECRET_KEY": TEST_SECRET_KEY}
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        holder = engine.connect()
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": DEPLOY_LOCK})

        def release_lock():
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": DEPLOY_LOCK})
            holder.close()
            engine.dispose()
    else:
        handle = open(f"{url.database}.deploy-lock", "w")  # noqa: SIM115 - held across the test
        fcntl.flock(handle, fcntl.LOCK_EX)
        release_lock = handle.close
    output = tmp_path / "deploy.log"
    with output.open("w") as log:
        process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "deploy"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while "another deploy is running" not in output.read_text():
                assert process.poll() is None and time.monotonic() < deadline, output.read_text()
                time.sleep(0.1)
            time.sleep(0.5)
            assert process.poll() is None  # still waiting its turn
        finally:
            release_lock()
        assert process.wait(timeout=120) == 0, output.read_text()
    assert f"migrations: at {HEAD}" in output.read_text()


def test_pool_and_statement_timeout_settings_reach_postgresql(make_app, app):
    options = engine_options({
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/portal", "SQLALCHEMY_ENGINE_OPTIONS": {},
        "DB_POOL_SIZE": "7", "DB_MAX_OVERFLOW": "3", "DB_POOL_TIMEOUT": "4", "DB_POOL_RECYCLE": "600",
        "DB_CONNECT_TIMEOUT": "2", "DB_STATEMENT_TIMEOUT_MS": "1500",
    })
    assert options["pool_size"] == 7 and options["max_overflow"] == 3 and options["pool_timeout"] == 4
    assert options["pool_recycle"] == 600 and options["pool_pre_ping"] is True
    assert options["connect_args"]["options"] == "-c statement_timeout=1500"
    assert options["connect_args"]["connect_timeout"] == 2
    if not (os.environ.get("DATABASE_URL") or "").startswith("postgres"):
        return  # SQLite has no statement timeout; the rest is PostgreSQL's to answer
    timed = make_app(DB_STATEMENT_TIMEOUT_MS="1234", DB_POOL_SIZE="2")
    with timed.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "1234ms"
        assert db.engine.pool.size() == 2


def test_a_sqlite_file_is_not_pinged_before_each_request(app):
    # A file has no server that could have dropped the connection: a ping would only cost time.
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the ping is PostgreSQL's (see the test above)")
        assert db.engine.pool._pre_ping is False


def test_backup_copies_a_live_sqlite_database_consistently(make_app, tmp_path):
    source = tmp_path / "live.sqlite3"
    live = make_app(DATABASE_URL=f"sqlite:///{source}")
    with live.app_context():
        from flask_migrate import upgrade

        upgrade()
    setup = sqlite3.connect(source)
    setup.execute("CREATE TABLE batch (n INTEGER)")
    setup.commit()
    setup.close()
    stop = threading.Event()

    def write_batches():
        # Ten rows per transaction: a consistent copy holds a multiple of ten.
        writer = sqlite3.connect(source, timeout=10)
        while not stop.is_set():
            with writer:
                writer.executemany("INSERT INTO batch VALUES (?)", [(i,) for i in range(10)])
        writer.close()

    (tmp_path / "copies").mkdir()
    thread = threading.Thread(target=write_batches)
    thread.start()
    try:
        time.sleep(0.2)
        result = live.test_cli_runner().invoke(args=["backup", str(tmp_path / "copies")])
        time.sleep(0.1)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    [copy] = (tmp_path / "copies").glob("portal-*.sqlite3")
    assert f"backup written: {copy}" in result.output and "integrity ok" in result.output
    assert not copy.with_name(copy.name + "-wal").exists()  # one self-contained file
    check = sqlite3.connect(copy)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = check.execute("SELECT count(*) FROM batch").fetchone()[0]
        assert rows > 0 and rows % 10 == 0
        assert check.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
    finally:
        check.close()
    live_rows = sqlite3.connect(source).execute("SELECT count(*) FROM batch").fetchone()[0]
    assert live_rows > rows  # the portal kept writing during and after the copy


def test_backup_points_postgresql_to_pg_dump(make_app, app):
    on_postgres = make_app(DATABASE_URL="postgresql://portal@127.0.0.1:1/portal")
    result = on_postgres.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output
