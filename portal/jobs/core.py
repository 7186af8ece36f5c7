"""The machinery behind `portal.jobs.enqueue`: durable rows, release after commit, in-process
runs, the RQ queue, draining what Redis could not take, and the dead letters."""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, object_session

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.jobs import PendingJob
from portal.models.outbox import OutboxMessage
from portal.observability import current_request_id, new_request_id, request_id_var

log = logging.getLogger("portal.jobs")

_TABLE = PendingJob.__table__
_SESSION_KEY = "portal_jobs"  # session.info: ids of rows written in the open transaction
_OUTBOX_KEY = "portal_jobs_outbox"  # session.info: outbox delivery already asked for
_READY = "_portal_jobs_ready"  # g: ids released by commits during this request
RQ_JOB_PREFIX = "portal-"
PERFORM = "portal.jobs.core.perform"
DEAD_ERROR_LIMIT = 4000

_in_job: ContextVar[bool] = ContextVar("portal_in_job", default=False)


@dataclass(frozen=True)
class JobSettings:
    redis_url: str | None
    queue: str = "portal"
    retries: int = 4
    retry_base: int = 30  # seconds; retry n waits base * 2**n
    timeout: int = 600  # seconds a job may run
    grace: int = 30  # seconds before a drainer takes a row its request has not released

    @classmethod
    def from_config(cls, config) -> JobSettings:
        return cls(
            redis_url=config.get("REDIS_URL") or None,
            queue=config.get("JOB_QUEUE") or "portal",
            retries=int(config.get("JOB_RETRIES", 4)),
            retry_base=int(config.get("JOB_RETRY_BASE_SECONDS", 30)),
            timeout=int(config.get("JOB_TIMEOUT_SECONDS", 600)),
            grace=int(config.get("JOB_GRACE_SECONDS", 30)),
        )

    def intervals(self) -> list[int]:
        return [self.retry_base * 2**n for n in range(self.retries)]


def _settings(app: Flask | None = None) -> JobSettings:
    return (app or current_app).extensions["portal_jobs"]


# --- naming and checking ---------------------------------------------------------------------------


def job_path(job: Callable | str) -> str:
    """'package.module:function' for an importable module-level function (or such a string)."""
    if isinstance(job, str):
        path = job
    else:
        module, name = getattr(job, "__module__", None), getattr(job, "__qualname__", "")
        if not module or "." in name or "<" in name:
            raise TypeError(f"{job!r} is not a module-level function; jobs must be importable")
        path = f"{module}:{name}"
    resolve(path)
    return path


def resolve(path: str) -> Callable:
    module, _, name = path.partition(":")
    target = getattr(importlib.import_module(module), name, None)
    if not callable(target):
        raise TypeError(f"{path} is not a callable job")
    return target


def _plain(args: tuple, kwargs: dict) -> tuple[list, dict]:
    try:
        return json.loads(json.dumps(list(args))), json.loads(json.dumps(kwargs))
    except (TypeError, ValueError) as error:
        raise TypeError(f"job arguments must be plain JSON values: {error}") from None


# --- enqueueing ---------------------------------------------------------------------------------------


def enqueue(job: Callable | str, *args, **kwargs) -> int:
    """Run `job(*args, **kwargs)` in the background once the current transaction commits. In a
    request that is the request's next commit (enqueue, then commit); outside one, with no
    transaction open, it is at once. Returns the id of its pending row."""
    path = job_path(job)
    plain_args, plain_kwargs = _plain(args, kwargs)
    session = db.session()  # the Session itself, not the scoped proxy
    row = _row(path, plain_args, plain_kwargs, _settings())
    in_request = has_request_context() and not _in_job.get()
    if in_request or session.in_transaction() or session.new or session.dirty or session.deleted:
        row_id = session.execute(insert(_TABLE).values(**row).returning(_TABLE.c.id)).scalar_one()
        session.info.setdefault(_SESSION_KEY, []).append(row_id)
        return row_id
    # Nothing to wait for: the caller already committed. The row goes in on its own.
    with db.engine.begin() as connection:
        row_id = connection.execute(insert(_TABLE).values(**row).returning(_TABLE.c.id)).scalar_one()
    _release(current_app._get_current_object(), [row_id])
    return row_id


def _row(path: str, args: list, kwargs: dict, settings: JobSettings) -> dict:
    now = utcnow()
    return {
        "func": path,
        "args": args,
        "kwargs": kwargs,
        "request_id": current_request_id(),
        "created_at": now,
        "run_after": now + timedelta(seconds=settings.grace),
        "attempts": 0,
    }


def _after_commit(session: Session) -> None:
    session.info.pop(_OUTBOX_KEY, None)
    ids = session.info.pop(_SESSION_KEY, None)
    if ids and has_app_context() and "portal_jobs" in current_app.extensions:
        _release(current_app._get_current_object(), ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(_OUTBOX_KEY, None)
    session.info.pop(_SESSION_KEY, None)


def _outbox_written(_mapper, connection, target) -> None:
    """Messages were queued in the outbox: deliver them once this transaction commits."""
    session = object_session(target)
    if session is None or session.info.get(_OUTBOX_KEY):
        return
    if not has_app_context() or "portal_jobs" not in current_app.extensions:
        return  # a domain test or a script without the app: cron delivers
    from portal.jobs.tasks import deliver_outbox

    session.info[_OUTBOX_KEY] = True
    row = _row(job_path(deliver_outbox), [], {}, _settings())
    row_id = connection.execute(insert(_TABLE).values(**row).returning(_TABLE.c.id)).scalar_one()
    session.info.setdefault(_SESSION_KEY, []).append(row_id)


def _release(app: Flask, ids: list[int]) -> None:
    """Committed jobs: hand them over at the end of the request, or at once outside one."""
    if has_request_context() and not _in_job.get():
        g.setdefault(_READY, []).extend(ids)
    else:
        _dispatch(app, ids)


def _teardown(_error) -> None:
    if db.session.registry.has() and db.session().info.get(_SESSION_KEY):
        log.warning("a job was enqueued but the request never committed: it is discarded")
    ids = g.pop(_READY, None)
    if ids:
        _dispatch(current_app._get_current_object(), ids)


def _dispatch(app: Flask, ids: list[int]) -> None:
    settings = _settings(app)
    if settings.redis_url:
        try:
            _push_rows(app, ids)
        except DBAPIError as error:  # the request has committed: the worker drains the rows later
            log.warning("database unavailable (%s); %d job(s) left in pending_job for the worker",
                        error.__class__.__name__, len(ids))
    else:
        for row_id in ids:
            _run_row(app, row_id, seen_attempts=0)


# --- running in process ----------------------------------------------------------------------------


def run_job(app: Flask, path: str, args: list, kwargs: dict, request_id: str | None):
    """Run one job in an application context of its own, its log lines under `request_id`."""
    token = request_id_var.set(request_id or new_request_id())
    in_job = _in_job.set(True)
    started = time.perf_counter()
    try:
        with app.app_context():
            try:
                log.info("job started", extra={"job": path})
                result = resolve(path)(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            log.info("job finished", extra={"job": path, "duration_ms": duration_ms})
            return result
    finally:
        _in_job.reset(in_job)
        request_id_var.reset(token)


def _run_row(app: Flask, row_id: int, seen_attempts: int) -> bool:
    """Claim a row (no other process runs it meanwhile), run its job, then delete it or note the
    failure. Returns whether it ran and succeeded."""
    settings = _settings(app)
    now = utcnow()
    with app.app_context():
        engine = db.engine
    with engine.begin() as connection:
        claimed = connection.execute(
            update(_TABLE)
            .where(_TABLE.c.id == row_id, _TABLE.c.attempts == seen_attempts, _TABLE.c.failed_at.is_(None))
            .values(attempts=_TABLE.c.attempts + 1, run_after=now + timedelta(seconds=settings.timeout))
            .returning(_TABLE.c.func, _TABLE.c.args, _TABLE.c.kwargs, _TABLE.c.request_id, _TABLE.c.attempts)
        ).one_or_none()
    if claimed is None:
        return False  # someone else has it, or it is gone
    path, args, kwargs, request_id, attempts = claimed
    try:
        run_job(app, path, args or [], kwargs or {}, request_id)
    except Exception as error:  # noqa: BLE001 - a failed job is recorded, never raised into a request
        token = request_id_var.set(request_id)
        try:
            log.exception("job failed", extra={"job": path, "attempt": attempts})
        finally:
            request_id_var.reset(token)
        _note_failure(engine, row_id, attempts, settings, error)
        return False
    with engine.begin() as connection:
        connection.execute(delete(_TABLE).where(_TABLE.c.id == row_id))
    return True


def _note_failure(engine, row_id: int, attempts: int, settings: JobSettings, error: BaseException) -> None:
    now = utcnow()
    text = "".join(traceback.format_exception(error))[-DEAD_ERROR_LIMIT:]
    values: dict = {"last_error": text}
    if attempts > settings.retries:
        values["failed_at"] = now
    else:
        values["run_after"] = now + timedelta(seconds=settings.retry_base * 2 ** (attempts - 1))
    with engine.begin() as connection:
        connection.execute(update(_TABLE).where(_TABLE.c.id == row_id).values(**values))


# --- Redis -------------------------------------------------------------------------------------------

_redis_lock = threading.Lock()
_redis_clients: dict[str, object] = {}
_redis_down_until = 0.0
REDIS_RETRY_AFTER = 5.0  # seconds a process waits before trying a Redis that did not answer


def web_redis(url: str):
    """A client for the web processes: short timeouts, so a Redis outage costs a request little."""
    with _redis_lock:
        client = _redis_clients.get(url)
        if client is None:
            from redis import Redis

            client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30)
            _redis_clients[url] = client
    return client


def redis_answers(app: Flask | None = None) -> bool:
    settings = _settings(app)
    if not settings.redis_url:
        return False
    try:
        return bool(web_redis(settings.redis_url).ping())
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False


def _rq_queue(settings: JobSettings, connection=None):
    from rq import Queue

    return Queue(settings.queue, connection=connection or web_redis(settings.redis_url))


def push(settings: JobSettings, path: str, args: list, kwargs: dict, request_id: str | None,
         job_id: str | None = None, connection=None):
    """Put one job on the RQ queue, with retries at exponential intervals."""
    from rq import Retry

    queue = _rq_queue(settings, connection)
    return queue.enqueue(
        PERFORM,
        path,
        args,
        kwargs,
        request_id,
        job_id=job_id,
        description=path,
        retry=Retry(max=settings.retries, interval=settings.intervals()) if settings.retries else None,
        job_timeout=settings.timeout,
        result_ttl=3600,
        failure_ttl=30 * 24 * 3600,
        meta={"request_id": request_id},
    )


def _push_rows(app: Flask, ids: list[int]) -> None:
    """After the commit: move the rows onto the queue and delete them. If Redis does not answer,
    they stay for the worker to drain later."""
    global _redis_down_until
    settings = _settings(app)
    with app.app_context():
        engine = db.engine
    if time.monotonic() < _redis_down_until:
        log.warning("Redis unavailable; %d job(s) kept in pending_job for the worker", len(ids))
        with engine.begin() as connection:
            connection.execute(update(_TABLE).where(_TABLE.c.id.in_(ids)).values(run_after=utcnow()))
        return
    with engine.connect() as connection:
        rows = connection.execute(
            select(_TABLE.c.id, _TABLE.c.func, _TABLE.c.args, _TABLE.c.kwargs, _TABLE.c.request_id).where(
                _TABLE.c.id.in_(ids)
            )
        ).all()
    pushed = []
    try:
        for row_id, path, args, kwargs, request_id in rows:
            push(settings, path, args or [], kwargs or {}, request_id, job_id=f"{RQ_JOB_PREFIX}{row_id}")
            pushed.append(row_id)
    except Exception as error:  # noqa: BLE001 - Redis down must not fail the request
        _redis_down_until = time.monotonic() + REDIS_RETRY_AFTER
        log.warning("Redis unavailable (%s); %d job(s) kept in pending_job for the worker",
                    error.__class__.__name__, len(rows) - len(pushed))
        kept = [row_id for row_id, *_ in rows if row_id not in pushed]
        with engine.begin() as connection:  # due now: the worker takes them as soon as Redis answers
            connection.execute(update(_TABLE).where(_TABLE.c.id.in_(kept)).values(run_after=utcnow()))
    if pushed:
        with engine.begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.id.in_(pushed)))


def drain_pending(app: Flask, *, limit: int = 200, redis_connection=None, now: datetime | None = None) -> int:
    """Take the rows nobody released (Redis was down, a process died after its commit, a failed
    embedded job's next attempt is due): onto the queue with Redis, run here without. Returns how
    many were handed over or ran."""
    settings = _settings(app)
    now = now or utcnow()
    with app.app_context():
        engine = db.engine
    due = (_TABLE.c.failed_at.is_(None), _TABLE.c.run_after <= now)
    if not settings.redis_url:
        with engine.connect() as connection:
            rows = connection.execute(
                select(_TABLE.c.id, _TABLE.c.attempts).where(*due).order_by(_TABLE.c.id).limit(limit)
            ).all()
        return sum(_run_row(app, row_id, seen_attempts=attempts) for row_id, attempts in rows)
    from rq.job import Job

    connection_redis = redis_connection or web_redis(settings.redis_url)
    moved = 0
    with engine.begin() as connection:
        rows = connection.execute(
            select(_TABLE.c.id, _TABLE.c.func, _TABLE.c.args, _TABLE.c.kwargs, _TABLE.c.request_id)
            .where(*due)
            .order_by(_TABLE.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # two workers never move the same row
        ).all()
        for row_id, path, args, kwargs, request_id in rows:
            job_id = f"{RQ_JOB_PREFIX}{row_id}"
            # Pushed already by the request that wrote it, which died before deleting the row.
            if not Job.exists(job_id, connection=connection_redis):
                push(settings, path, args or [], kwargs or {}, request_id, job_id=job_id,
                     connection=connection_redis)
            connection.execute(delete(_TABLE).where(_TABLE.c.id == row_id))
            moved += 1
    if moved:
        log.info("moved %d pending job(s) onto the queue", moved)
    return moved


_worker_app: Flask | None = None
_engine_pid: int | None = None


def set_worker_app(app: Flask) -> None:
    global _worker_app, _engine_pid
    _worker_app = app
    _engine_pid = os.getpid()


def perform(path: str, args: list, kwargs: dict, request_id: str | None):
    """What the RQ worker runs: the job, in an application context, under its request id."""
    global _engine_pid
    app = _worker_app or current_app._get_current_object()
    if _engine_pid != os.getpid():
        # A forked work horse must not use the connections its parent opened.
        with app.app_context():
            db.engine.dispose(close=False)
        _engine_pid = os.getpid()
    return run_job(app, path, args, kwargs, request_id)


# --- what an operator sees -----------------------------------------------------------------------------


@dataclass
class QueueStats:
    depth: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    redis_up: bool = False


def queue_stats(app: Flask | None = None) -> QueueStats:
    """Jobs waiting per queue (RQ's, and `pending_job` for rows not on a queue) and dead letters."""
    app = app or current_app._get_current_object()
    settings = _settings(app)
    stats = QueueStats()
    with db.engine.connect() as connection:
        waiting, failed = connection.execute(
            select(
                func.count().filter(_TABLE.c.failed_at.is_(None)),
                func.count().filter(_TABLE.c.failed_at.is_not(None)),
            )
        ).one()
    stats.depth["pending_job"] = waiting or 0
    stats.failed = failed or 0
    if settings.redis_url:
        from rq.registry import FailedJobRegistry

        try:
            queue = _rq_queue(settings)
            stats.depth[settings.queue] = queue.count
            stats.failed += FailedJobRegistry(queue=queue).count
            stats.redis_up = True
        except Exception:  # noqa: BLE001 - Redis down: report what the database knows
            stats.redis_up = False
    return stats


@dataclass(frozen=True)
class DeadJob:
    key: str  # "rq:<job id>" or "db:<row id>"
    func: str
    args: str
    error: str
    failed_at: datetime | None
    attempts: int | None
    request_id: str | None

    @property
    def summary(self) -> str:
        """The last line of the error: the exception and its message."""
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""


def _arguments(args, kwargs) -> str:
    parts = [json.dumps(a, ensure_ascii=False) for a in args or []]
    parts += [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in (kwargs or {}).items()]
    return ", ".join(parts)


def dead_jobs(app: Flask | None = None) -> list[DeadJob]:
    """Jobs that failed every attempt, newest first: RQ's failed registry and embedded rows."""
    app = app or current_app._get_current_object()
    settings = _settings(app)
    found: list[DeadJob] = []
    if settings.redis_url:
        from rq.job import Job
        from rq.registry import FailedJobRegistry

        queue = _rq_queue(settings)
        registry = FailedJobRegistry(queue=queue)
        for job in Job.fetch_many(registry.get_job_ids(desc=True), connection=queue.connection):
            if job is None:
                continue
            path, args, kwargs, request_id = (list(job.args) + [None] * 4)[:4]
            result = job.latest_result()
            found.append(DeadJob(f"rq:{job.id}", path or job.func_name, _arguments(args, kwargs),
                                 (result.exc_string if result else "") or "", job.ended_at, None, request_id))
    rows = db.session.execute(
        select(PendingJob).where(PendingJob.failed_at.is_not(None)).order_by(PendingJob.failed_at.desc())
    ).scalars()
    for row in rows:
        found.append(DeadJob(f"db:{row.id}", row.func, _arguments(row.args, row.kwargs), row.last_error or "",
                             row.failed_at, row.attempts, row.request_id))
    return found


def requeue_dead(key: str, app: Flask | None = None) -> bool:
    """Give a dead job a fresh set of attempts. An embedded one runs when the caller commits."""
    app = app or current_app._get_current_object()
    kind, _, ident = key.partition(":")
    if kind == "rq" and _settings(app).redis_url:
        from rq.exceptions import InvalidJobOperation, NoSuchJobError
        from rq.job import Job
        from rq.registry import FailedJobRegistry

        settings = _settings(app)
        queue = _rq_queue(settings)
        registry = FailedJobRegistry(queue=queue)
        if ident not in registry:
            return False
        try:
            job = Job.fetch(ident, connection=queue.connection)
            job.retries_left = settings.retries or None
            job.save()
            registry.requeue(job)
        except (InvalidJobOperation, NoSuchJobError):
            return False
        return True
    if kind == "db" and ident.isdigit():
        row = db.session.get(PendingJob, int(ident))
        if row is None or row.failed_at is None:
            return False
        row.failed_at, row.attempts, row.run_after = None, 0, utcnow()
        db.session.flush()
        db.session.info.setdefault(_SESSION_KEY, []).append(row.id)
        return True
    return False


def delete_dead(key: str, app: Flask | None = None) -> bool:
    app = app or current_app._get_current_object()
    kind, _, ident = key.partition(":")
    if kind == "rq" and _settings(app).redis_url:
        from rq.registry import FailedJobRegistry

        registry = FailedJobRegistry(queue=_rq_queue(_settings(app)))
        if ident not in registry:
            return False
        registry.remove(ident, delete_job=True)
        return True
    if kind == "db" and ident.isdigit():
        removed = db.session.execute(
            delete(PendingJob).where(PendingJob.id == int(ident), PendingJob.failed_at.is_not(None))
        ).rowcount
        return bool(removed)
    return False


# --- set-up --------------------------------------------------------------------------------------------

_listening = False


def init_app(app: Flask) -> None:
    global _listening
    app.extensions["portal_jobs"] = JobSettings.from_config(app.config)
    app.teardown_request(_teardown)
    if not _listening:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        event.listen(OutboxMessage, "after_insert", _outbox_written)
        _listening = True
    from portal.jobs import cli

    cli.init_app(app)
