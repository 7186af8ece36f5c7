"""Database binding: SQLite set up for concurrent web workers, PostgreSQL with a sized pool and a
statement timeout; `flask deploy` (migrations once per release) and `flask backup` (SQLite)."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from portal.extensions import db

log = logging.getLogger("portal.database")

# Any constant shared by every node: pg_advisory_lock(DEPLOY_LOCK) serialises `flask deploy`.
DEPLOY_LOCK = 0x506F7274616C  # "Portal"


def configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while one worker writes; busy_timeout makes writers queue
    # instead of failing at once; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_options(config) -> dict:
    """SQLAlchemy engine options: on PostgreSQL a pool sized per process (DB_POOL_SIZE +
    DB_MAX_OVERFLOW connections at most, times the gunicorn workers), connections checked before
    use and recycled, a connect timeout and a statement timeout (DB_STATEMENT_TIMEOUT_MS, 0 = none)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        return options  # a file: no server to drop a connection, so nothing to ping before each request
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", int(config["DB_POOL_SIZE"]))
    options.setdefault("max_overflow", int(config["DB_MAX_OVERFLOW"]))
    options.setdefault("pool_timeout", int(config["DB_POOL_TIMEOUT"]))
    options.setdefault("pool_recycle", int(config["DB_POOL_RECYCLE"]))
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", int(config["DB_CONNECT_TIMEOUT"]))
    connect_args.setdefault("application_name", "district-portal")
    timeout = int(config["DB_STATEMENT_TIMEOUT_MS"])
    if timeout > 0:
        connect_args.setdefault("options", f"-c statement_timeout={timeout}")
    options["connect_args"] = connect_args
    return options


def init_app(app: Flask) -> None:
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    # Registered after Flask-SQLAlchemy's, so it runs first (teardowns run in reverse order).
    app.teardown_appcontext(_remove_session)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", configure_sqlite)
    app.cli.add_command(deploy_command)
    app.cli.add_command(backup_command)


def _remove_session(_error) -> None:
    """End the request's session; a connection the database has just dropped (a restart) must not
    turn an answer already given into a 500, so the broken session is forgotten instead."""
    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("database connection lost while ending the session: %s", error.__class__.__name__)
        db.session.registry.clear()


# --- flask deploy -------------------------------------------------------------------------------------


@contextlib.contextmanager
def deploy_lock(engine: Engine):
    """Only one `flask deploy` at a time: a PostgreSQL advisory lock held on its own connection
    (released when it closes, even if the process dies), or a file lock next to a SQLite file."""
    if engine.dialect.name == "postgresql":
        # A connection outside the app's pool, which the deploy replaces meanwhile.
        lock_engine = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with lock_engine.connect() as connection:
                connection.execute(text("SET statement_timeout = 0"))  # wait as long as the other deploy takes
                if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": DEPLOY_LOCK}).scalar():
                    click.echo("another deploy is running; waiting for it to finish")
                    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": DEPLOY_LOCK})
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": DEPLOY_LOCK})
        finally:
            lock_engine.dispose()
        return
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.deploy-lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            click.echo("another deploy is running; waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _no_statement_timeout(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET statement_timeout = 0")  # a migration may rewrite a large table
    cursor.close()
    dbapi_connection.commit()


@click.command("deploy")
@with_appcontext
def deploy_command() -> None:
    """Bring the database to this release: migrations, the holiday calendar, open data. Run it
    once per release (from one node, or from all: they take turns); running it again changes nothing."""
    from flask_migrate import upgrade

    from portal.cases import load_calendar_years
    from portal.jobs.tasks import refresh_open_data

    engine = db.engine
    with deploy_lock(engine):
        if engine.dialect.name == "postgresql":
            engine.dispose()
            event.listen(engine, "connect", _no_statement_timeout)
        try:
            upgrade()
        finally:
            if engine.dialect.name == "postgresql":
                event.remove(engine, "connect", _no_statement_timeout)
                engine.dispose()
        with engine.connect() as connection:
            version = ", ".join(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
        click.echo(f"migrations: at {version}")
        written = load_calendar_years(db.session)
        db.session.commit()
        click.echo(f"calendar years written: {', '.join(map(str, written)) or 'none'}")
        result = refresh_open_data()
        click.echo(f"open data: {'refreshed' if result is not None else 'not installed'}")


# --- flask backup ---------------------------------------------------------------------------------------


def backup_sqlite(source: Path, destination: Path) -> str:
    """Copy a live SQLite database with SQLite's online backup API: one consistent snapshot,
    while the portal keeps reading and writing (WAL). Written beside the destination first, checked
    with `PRAGMA integrity_check`, then moved into place. Returns the check's answer ("ok")."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # all pages in one step: a single read transaction, hence one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"the copy failed its integrity check: {check}")
    os.replace(partial, destination)
    return check


@click.command("backup")
@click.argument("destination", required=False, type=click.Path(dir_okay=True, path_type=Path))
@with_appcontext
def backup_command(destination: Path | None) -> None:
    """Copy the SQLite database while the portal runs (default: instance/backups/<time>.sqlite3).
    On PostgreSQL use pg_dump (docs/deploy.md)."""
    url = make_url(str(db.engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException("`flask backup` copies a SQLite database; on PostgreSQL run pg_dump "
                                   "(see docs/deploy.md, 'Backup and restore').")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if destination is None:
        destination = Path(current_app.instance_path) / "backups" / f"portal-{stamp}.sqlite3"
    elif destination.is_dir():
        destination = destination / f"portal-{stamp}.sqlite3"
    backup_sqlite(Path(url.database), destination)
    click.echo(f"backup written: {destination} ({destination.stat().st_size} bytes, integrity ok)")
