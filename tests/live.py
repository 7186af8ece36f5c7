"""A real gunicorn serving the portal on a free loopback port (fixture `live_server`).

The server gets a database of its own (a new SQLite file, or a fresh PostgreSQL database next
to the one in DATABASE_URL), migrated and seeded with the demo district by the same CLI commands
an operator uses.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal.config import normalise_database_url

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _live_database_url(tmp_path: Path) -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'live.sqlite3'}"
    url = make_url(normalise_database_url(base))
    live_name = f"{url.database}_live"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{live_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{live_name}"'))
    admin.dispose()
    return url.set(database=live_name).render_as_string(hide_password=False)


LIVE_SECRET_KEY = "browser-test-secret-key-long-enough-to-sign"


@pytest.fixture(scope="session")
def live_settings(tmp_path_factory) -> dict:
    """The live server's own settings: a test may open its database (to make an expired code
    with the same keys, say) as the server sees it."""
    tmp_path = tmp_path_factory.mktemp("live")
    return {
        "tmp_path": tmp_path,
        "DATABASE_URL": _live_database_url(tmp_path),
        "SECRET_KEY": LIVE_SECRET_KEY,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }


@pytest.fixture(scope="session")
def live_server(live_settings):
    tmp_path = live_settings["tmp_path"]
    port = _free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": live_settings["DATABASE_URL"],
        "SECRET_KEY": live_settings["SECRET_KEY"],
        "UPLOAD_DIR": live_settings["UPLOAD_DIR"],
    }
    bin_dir = Path(sys.executable).parent
    flask = [str(bin_dir / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--access-logfile", "-", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or a worker still booting
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            log.close()
            raise RuntimeError((tmp_path / "gunicorn.log").read_text())
        time.sleep(0.1)
    try:
        yield base_url
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


