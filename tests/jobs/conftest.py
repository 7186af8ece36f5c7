"""Fixtures for the job tests: a real redis-server on a free loopback port, apps that use it, a
`flask worker` subprocess, and a way to sign a test client in (as the root `login` does)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import DEMO_PASSWORD, DEMO_TOTP_SECRET, totp_code

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """redis-server on loopback, without persistence; `stop()` and `start()` simulate an outage."""

    def __init__(self, binary: str, directory: Path):
        self.binary, self.directory, self.port = binary, directory, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def answers(self) -> bool:
        from redis import Redis

        try:
            return Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except Exception:  # noqa: BLE001 - not up (yet)
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def flush(self) -> None:
        from redis import Redis

        Redis.from_url(self.url).flushall()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run installs it)")
    server = RedisServer(binary, tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server):
    """The Redis server, running and empty."""
    if redis_server.process is None:
        redis_server.start()
    redis_server.flush()
    yield redis_server
    if redis_server.process is None:
        redis_server.start()


@pytest.fixture
def redis_app(make_app, app, redis):
    """An app on the test database whose jobs go to Redis, retried twice, after 1 then 2 seconds
    (the enqueuing side sets a job's retries)."""
    return make_app(REDIS_URL=redis.url, JOB_RETRIES=2, JOB_RETRY_BASE_SECONDS=1, JOB_GRACE_SECONDS=0,
                    WTF_CSRF_ENABLED=False)


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path, handle):
        self.process, self.log, self.handle = process, log, handle

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # RQ's warm shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.handle.close()


@pytest.fixture
def start_worker(database_url, redis, tmp_path):
    """`start_worker()` runs `flask --app wsgi worker` against the test database and Redis."""
    workers = []

    def start(*extra: str) -> Worker:
        env = {
            **os.environ,
            "PORTAL_ENV": "test",
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "REDIS_URL": redis.url,
            "LOG_FORMAT": "json",
        }
        log = tmp_path / f"worker-{len(workers)}.log"
        handle = log.open("w")
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "worker", "--no-periodic", *extra],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )
        worker = Worker(process, log, handle)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    """Poll until `predicate()` is truthy; returns its value, or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(interval)


def sign_in(app, client, username: str) -> None:
    """Sign `client` in through the real forms, second factor included (CSRF off in `app`)."""
    from auth.models import TotpCredential
    from portal.models import Account

    response = client.post("/auth/login", data={"username": username, "password": DEMO_PASSWORD})
    if "/auth/mfa" in response.headers.get("Location", ""):
        with app.app_context():
            account = db.session.scalar(select(Account).where(Account.username == username))
            credential = db.session.scalar(select(TotpCredential).filter_by(account_id=account.id))
            ahead = max(0, credential.last_used_step + 1 - int(time.time() // 30))
        response = client.post("/auth/mfa", data={"code": totp_code(DEMO_TOTP_SECRET, ahead)})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
