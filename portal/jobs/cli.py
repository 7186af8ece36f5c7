"""`flask worker` (RQ, with Redis) and `flask run-jobs` (cron, in either mode)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.jobs.core import _settings, drain_pending, push, run_job, set_worker_app
from portal.jobs.periodic import PERIODIC

log = logging.getLogger("portal.jobs")

DRAIN_EVERY = 5.0  # seconds between two looks at pending_job while the worker runs


def worker_redis(url: str):
    """The worker's own connection: no read timeout, since RQ blocks on the queue for minutes."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def enqueue_periodic(app: Flask, connection, now: float | None = None) -> list[str]:
    """Enqueue each periodic job whose interval has passed, once across every worker node (a
    Redis key that expires after the interval marks it taken)."""
    settings = _settings(app)
    now = now or time.time()
    started = []
    for entry in PERIODIC:
        if connection.set(f"portal:periodic:{entry.name}", int(now), nx=True, ex=entry.every):
            push(settings, entry.func, [], {}, None, connection=connection)
            started.append(entry.name)
    return started


def _housekeeping(app: Flask, url: str, periodic: bool, stop: threading.Event) -> None:
    """Beside the RQ worker: move rows Redis could not take onto the queue; start periodic work."""
    connection = worker_redis(url)
    while not stop.is_set():
        try:
            drain_pending(app, redis_connection=connection)
            if periodic:
                enqueue_periodic(app, connection)
        except Exception:  # noqa: BLE001 - Redis or the database is away: try again shortly
            log.warning("worker housekeeping failed; retrying in %ss", DRAIN_EVERY, exc_info=True)
        stop.wait(DRAIN_EVERY)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run what is queued now, then stop.")
@click.option("--periodic/--no-periodic", default=True, help="Also enqueue the periodic jobs on schedule.")
@click.option("--name", default=None, help="Worker name (default host:pid).")
@with_appcontext
def worker_command(burst: bool, periodic: bool, name: str | None) -> None:
    """Run jobs from the Redis queue (RQ), with the scheduler for retries and periodic work."""
    from rq import Worker

    app = current_app._get_current_object()
    settings = _settings(app)
    if not settings.redis_url:
        raise click.ClickException("REDIS_URL is not set: jobs run in process; run `flask run-jobs` from cron.")
    set_worker_app(app)
    connection = worker_redis(settings.redis_url)
    drain_pending(app, redis_connection=connection)
    if periodic:
        enqueue_periodic(app, connection)
    stop = threading.Event()
    if not burst:
        threading.Thread(
            target=_housekeeping, args=(app, settings.redis_url, periodic, stop), name="portal-jobs", daemon=True
        ).start()
    worker = Worker([settings.queue], connection=connection, name=name or f"{socket.gethostname()}:{os.getpid()}")
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level=app.config.get("LOG_LEVEL", "INFO"))
    finally:
        stop.set()


@click.command("run-jobs")
@click.option("--job", "only", multiple=True, help="Run only these periodic jobs (by name).")
@with_appcontext
def run_jobs_command(only: tuple[str, ...]) -> None:
    """Run every periodic job once, here, and the pending jobs that are due. For cron."""
    app = current_app._get_current_object()
    unknown = set(only) - {entry.name for entry in PERIODIC}
    if unknown:
        raise click.ClickException(f"unknown job(s): {', '.join(sorted(unknown))}")
    failed = []
    for entry in PERIODIC:
        if only and entry.name not in only:
            continue
        try:
            result = run_job(app, entry.func, [], {}, None)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            log.exception("periodic job %s failed", entry.name)
            failed.append(entry.name)
            click.echo(f"{entry.name}: failed")
        else:
            click.echo(f"{entry.name}: {result if result is not None else 'nothing to do'}")
    if not only:
        try:
            handled = drain_pending(app)
        except Exception:  # noqa: BLE001 - Redis away: the rows stay for the next run
            log.warning("pending jobs could not be handed over", exc_info=True)
            failed.append("pending")
        else:
            click.echo(f"pending jobs: {handled}")
    if failed:
        raise click.ClickException(f"failed: {', '.join(failed)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(run_jobs_command)
