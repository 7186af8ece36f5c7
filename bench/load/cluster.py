"""The portal as a small cluster on loopback, from a scratch directory: PostgreSQL, Redis, an SMTP
sink, the database brought to this release with the demo district, an RQ worker and two gunicorn
nodes sharing one secret key and one database. Everything started here is stopped by its process id.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "Load-2026-portal"  # noqa: S105 - the load accounts' password, made for this run

# Ports 18300-18399 belong to this benchmark.
NODE_PORTS = (18301, 18302)
PG_PORT = 18310
REDIS_PORT = 18311
SMTP_PORT = 18312


class ClusterError(RuntimeError):
    pass


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ClusterError(f"{what or port} exited with {process.returncode} while starting")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise ClusterError(f"{what or port} did not listen on port {port} within {timeout:.0f} s")


class SmtpSink:
    """An SMTP server on a loopback port that keeps what it is sent: the case notices by email."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, str]] = []  # (recipient, subject)
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's name
                parsed = message_from_bytes(envelope.original_content or envelope.content)
                subject = str(make_header(decode_header(parsed.get("Subject", ""))))
                with sink._lock:
                    for recipient in envelope.rcpt_tos:
                        sink.messages.append((recipient, subject))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.controller.stop()

    def snapshot(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.messages)


@dataclass
class Cluster:
    """`with Cluster(...) as cluster:` starts everything; leaving the block stops it all."""

    workers_per_node: int = 2
    threads_per_worker: int = 4
    keep: bool = False
    log: Callable[[str], None] = print
    scratch: Path = field(init=False)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    nodes: list[Node] = field(default_factory=list)
    worker: subprocess.Popen | None = None
    redis: subprocess.Popen | None = None
    smtp: SmtpSink | None = None
    pg_bin: Path | None = None
    pg_data: Path | None = None
    _pg_started: bool = False
    commands: set[str] = field(default_factory=set)
    worker_restarts: list[float] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    failed: bool = False

    # --- life cycle ----------------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        busy = [p for p in (*NODE_PORTS, PG_PORT, REDIS_PORT, SMTP_PORT) if not _port_free(p)]
        if busy:
            raise ClusterError(f"ports in use (another load run?): {busy}")
        self.scratch = Path(tempfile.mkdtemp(prefix="portal-load-", dir="/tmp"))
        try:
            self._start()
        except BaseException:
            self.failed = True
            self.stop()
            raise
        return self

    def __exit__(self, exc_type, _exc, _tb) -> None:
        if exc_type is not None:
            self.failed = True
        self.stop()

    def _start(self) -> None:
        started = time.monotonic()
        self.start_postgres()
        self.start_redis()
        self.smtp = SmtpSink(SMTP_PORT)
        self.smtp.start()
        self.deploy()
        self.start_worker()
        self.nodes = [self.start_node(name, port) for name, port in zip(("A", "B"), NODE_PORTS, strict=True)]
        for node in self.nodes:
            self.wait_for_node(node)
        if self.worker_restarts:
            raise ClusterError(f"the worker exited at start; see {self.scratch / 'worker.log'}")
        self.log(f"cluster up in {time.monotonic() - started:.0f} s: nodes {', '.join(n.url for n in self.nodes)}, "
                 f"scratch {self.scratch}")

    def stop(self) -> None:
        self._stopping.set()
        for node in self.nodes:
            _terminate(node.process)
        if self.worker is not None:
            _terminate(self.worker)
        self.stop_redis()
        if self.smtp is not None:
            self.smtp.stop()
        self.stop_postgres()
        if self.failed or self.keep:
            self.log(f"logs kept in {self.scratch}")
        elif getattr(self, "scratch", None):
            shutil.rmtree(self.scratch, ignore_errors=True)

    # --- environment ---------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{PG_PORT}/portal_load"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{REDIS_PORT}/0"

    def env(self, **extra: str) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "FLASK_"))}
        env.update({
            "PORTAL_ENV": "development",  # demo data allowed; cookies over plain http on loopback
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": self.secret_key,
            "UPLOAD_DIR": str(self.scratch / "uploads"),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(SMTP_PORT),
            "MAIL_FROM": "portal@load.test",
            "LOG_FORMAT": "json",
            "PROXY_COUNT": "1",  # as behind nginx: each simulated person has an address of their own
            "PYTHONUNBUFFERED": "1",
        })
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        env.update(extra)
        return env

    # --- PostgreSQL ----------------------------------------------------------------------------

    def _as_postgres(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        """initdb and pg_ctl refuse to run as root: as root, run them as the postgres user."""
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")

            def demote():
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)

            kwargs["preexec_fn"] = demote
        # Never a pipe: the server pg_ctl starts would inherit it and keep it open for good.
        with (self.scratch / "pg_ctl.log").open("a") as log:
            done = subprocess.run(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False,
                                  timeout=120, **kwargs)
        if done.returncode != 0:
            raise ClusterError(f"{Path(args[0]).name} {args[-1]} failed; see {self.scratch / 'pg_ctl.log'}")
        return done

    def start_postgres(self) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if not versions:
            raise ClusterError("PostgreSQL is not installed (apt-get install postgresql)")
        self.pg_bin = versions[-1].parent
        self.pg_data = self.scratch / "pg"
        self.pg_data.mkdir()
        if os.geteuid() == 0:
            os.chown(self.scratch, 0, 0)
            os.chmod(self.scratch, 0o755)  # noqa: S103 - the postgres user must reach its data directory
            user = pwd.getpwnam("postgres")
            os.chown(self.pg_data, user.pw_uid, user.pw_gid)
        self._as_postgres([str(self.pg_bin / "initdb"), "-D", str(self.pg_data), "-A", "trust", "-U", "postgres",
                           "--no-sync", "-E", "UTF8"])
        options = (f"-p {PG_PORT} -k {self.pg_data} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=200 -c synchronous_commit=off")
        self._pg_started = True
        self._pg_ctl("-o", options, "start")
        self._as_postgres([str(self.pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres",
                           "portal_load"])

    def _pg_ctl(self, *args: str) -> None:
        self._as_postgres([str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-l",
                           str(self.pg_data / "server.log"), "-w", "-t", "60", *args])

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.pg_data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def restart_postgres(self) -> float:
        """pg_ctl restart -m fast: every connection is cut; returns how long it took."""
        started = time.monotonic()
        self._pg_ctl("-m", "fast", "restart")
        return time.monotonic() - started

    def stop_postgres(self) -> None:
        if not self._pg_started or self.pg_data is None:
            return
        pid = self.postmaster_pid()
        try:
            self._pg_ctl("-m", "fast", "stop")
        except (ClusterError, subprocess.TimeoutExpired):
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self._pg_started = False

    # --- Redis ---------------------------------------------------------------------------------

    def start_redis(self) -> None:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(server).exists():
            raise ClusterError("redis-server is not installed (apt-get install redis-server)")
        (self.scratch / "redis").mkdir(exist_ok=True)
        log = (self.scratch / "redis.log").open("a")
        # An append-only file, as a deployment would keep: jobs queued before a stop survive it.
        self.redis = subprocess.Popen(
            [server, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(self.scratch / "redis"),
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        _wait_for_port(REDIS_PORT, 20, self.redis, "redis-server")

    def stop_redis(self) -> None:
        if self.redis is not None:
            _terminate(self.redis)
            self.redis = None

    # --- the portal ----------------------------------------------------------------------------

    def deploy(self) -> None:
        from bench.load.people import prepare_database

        started = time.monotonic()
        try:
            self.commands = prepare_database(self.database_url, self.secret_key, PASSWORD)
        except RuntimeError as error:
            raise ClusterError(str(error)) from None
        self.log(f"database ready in {time.monotonic() - started:.0f} s (flask deploy, seed-demo, load accounts)")

    def start_worker(self) -> None:
        if "worker" not in self.commands:
            self.log("no `flask worker` command: jobs run inside the web processes")
            return
        self._spawn_worker()
        threading.Thread(target=self._supervise_worker, name="worker-supervisor", daemon=True).start()

    def _spawn_worker(self) -> None:
        log = (self.scratch / "worker.log").open("a")
        self.worker = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker"], cwd=ROOT,
                                       env=self.env(), stdout=log, stderr=subprocess.STDOUT)

    def _supervise_worker(self) -> None:
        """What the systemd unit in docs/deploy does (Restart=always, RestartSec=5): a worker that
        exits is started again. Each restart is counted and reported."""
        while not self._stopping.wait(0.5):
            if self.worker is not None and self.worker.poll() is not None:
                self.worker_restarts.append(time.monotonic())
                if self._stopping.wait(5):
                    return
                self._spawn_worker()

    def start_node(self, name: str, port: int) -> Node:
        log = self.scratch / f"node-{name}.log"
        metrics = self.scratch / f"metrics-{name}"
        metrics.mkdir()
        env = self.env(PORTAL_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(self.workers_per_node),
                       PORTAL_THREADS=str(self.threads_per_worker), PROMETHEUS_MULTIPROC_DIR=str(metrics))
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--control-socket",
                   str(self.scratch / f"node-{name}.ctl"), "wsgi:app"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)
        return Node(name, port, process, log)

    def wait_for_node(self, node: Node) -> None:
        _wait_for_port(node.port, 90, node.process, f"node {node.name}")
        deadline = time.monotonic() + 60
        while len(node.worker_pids()) < self.workers_per_node and time.monotonic() < deadline:
            time.sleep(0.1)
        # Listening is not serving: each worker loads the app after the fork. Wait for answers.
        answered, deadline = 0, time.monotonic() + 120
        while answered < 2 * self.workers_per_node:
            if time.monotonic() > deadline:
                raise ClusterError(f"node {node.name} does not answer; see {node.log}")
            try:
                with urllib.request.urlopen(node.url + "/auth/login", timeout=30) as response:  # noqa: S310
                    answered += response.status == 200
            except OSError:
                time.sleep(0.5)

    def kill_worker(self, node: Node) -> tuple[int, list[int]]:
        """SIGKILL one of the node's gunicorn workers; returns its pid and the workers after gunicorn
        replaced it."""
        before = node.worker_pids()
        if not before:
            raise ClusterError(f"node {node.name} has no workers")
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        after = node.worker_pids()
        while (victim in after or len(after) < len(before)) and time.monotonic() < deadline:
            time.sleep(0.1)
            after = node.worker_pids()
        return victim, after


def _terminate(process: subprocess.Popen, grace: float = 10) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(5)
